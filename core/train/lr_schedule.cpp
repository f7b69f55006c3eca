// Schedule formulas.
#include "train/lr_schedule.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>

namespace hone {

void LrSchedule::validate() const {
    if (!(peakLr > 0))
        throw Error("the learning rate must be positive (got " + std::to_string(peakLr) +
                    "); 1e-4 to 3e-4 is typical for LoRA");
    if (warmupSteps < 0) throw Error("warmup steps cannot be negative");
    if (totalSteps < 1) throw Error("training needs at least one step");
}

double LrSchedule::at(std::int64_t step) const {
    if (step < warmupSteps) return peakLr * double(step) / double(std::max<std::int64_t>(1, warmupSteps));
    const double remaining = double(std::max<std::int64_t>(1, totalSteps - warmupSteps));
    switch (kind) {
    case ScheduleKind::Constant:
        return peakLr;
    case ScheduleKind::Linear:
        return peakLr * std::max(0.0, double(totalSteps - step) / remaining);
    case ScheduleKind::Cosine: {
        const double progress = double(step - warmupSteps) / remaining;
        return peakLr * std::max(0.0, 0.5 * (1.0 + std::cos(M_PI * progress)));
    }
    }
    return peakLr;
}

ScheduleKind parseScheduleKind(const std::string& name) {
    if (name == "constant") return ScheduleKind::Constant;
    if (name == "linear") return ScheduleKind::Linear;
    if (name == "cosine") return ScheduleKind::Cosine;
    throw Error("unknown learning-rate schedule '" + name + "': expected constant, linear or cosine");
}

std::string scheduleKindName(ScheduleKind k) {
    switch (k) {
    case ScheduleKind::Constant:
        return "constant";
    case ScheduleKind::Linear:
        return "linear";
    case ScheduleKind::Cosine:
        return "cosine";
    }
    return "linear";
}

} // namespace hone
