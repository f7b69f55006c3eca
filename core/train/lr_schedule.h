// Learning-rate schedules with warmup, with the same step semantics as Hugging Face transformers'
// get_{constant,linear,cosine}_schedule_with_warmup. Torch-free.
#pragma once

#include <cstdint>
#include <string>

namespace hone {

enum class ScheduleKind { Constant, Linear, Cosine };

struct LrSchedule {
    ScheduleKind kind = ScheduleKind::Linear;
    double peakLr = 2e-4;
    std::int64_t warmupSteps = 0;
    std::int64_t totalSteps = 1;

    // The learning rate used for optimizer step `step` (0-based). Throws hone::Error on invalid settings.
    double at(std::int64_t step) const;
    void validate() const;
};

ScheduleKind parseScheduleKind(const std::string& name); // constant | linear | cosine
std::string scheduleKindName(ScheduleKind k);

} // namespace hone
