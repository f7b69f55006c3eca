// The stable JSON form of a doctor report (`hone doctor --json`) and its plain-text rendering.
#pragma once

#include "common/json.h"
#include "system/doctor.h"

#include <string>

namespace hone {

// {"torch_version", "torch_build", "devices": [{type, name, memory_bytes, ...}], "blas", "data_folder",
//  "checks": [{name, ok, severity, blocks_training, message, fix}], "blocks_training"}
Json doctorToJson(const DoctorInput& in, const DoctorReport& report);
std::string doctorToText(const DoctorInput& in, const DoctorReport& report);
std::string severityName(Severity s);

} // namespace hone
