// Helpers shared by the in-process trainer tests.
#pragma once

#include "common/error.h"
#include "train/trainer.h"

#include <string>

namespace hone::test {

// The hone::Error message runTraining(o) ends with, or "(no error)".
inline std::string trainingErrorOf(const TrainOptions& o) {
    try {
        runTraining(o, {}, nullptr);
    } catch (const hone::Error& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace hone::test
