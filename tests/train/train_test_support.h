// Helpers shared by the in-process trainer tests.
#pragma once

#include "common/error.h"
#include "train/adapter_io_torch.h"
#include "train/trainer.h"

#include <QtTest>

#include <string>
#include <torch/torch.h>

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

// Fails the test unless the two safetensors files hold the same tensor names with bit-identical values.
inline void compareTensorFiles(const std::string& a, const std::string& b) {
    const auto ta = readTensorsFile(a), tb = readTensorsFile(b);
    QCOMPARE(ta.size(), tb.size());
    for (const auto& [name, t] : ta) {
        QVERIFY2(tb.count(name), name.c_str());
        QVERIFY2(torch::equal(t, tb.at(name)), name.c_str());
    }
}

} // namespace hone::test
