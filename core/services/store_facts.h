// Adds the database health (read-only inspection of hone.db) to a doctor input.
#pragma once

#include "system/app_paths.h"
#include "system/doctor.h"

namespace hone {

void addStoreFacts(DoctorInput& in, const AppPaths& paths);

} // namespace hone
