// Test helpers for comparing engine logits with the fixtures' reference top-k lists.
#pragma once

#include "common/json.h"
#include "common/mapped_file.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

namespace hone::test {

inline Json readJson(const QString& path) {
    return Json::parse(hone::readTextFile(path.toStdString()));
}

// Largest |logits[id] - ref| over a reference [[id, logit], ...] list; also checks the engine's own top-k ids
// agree with the reference ordering where the reference gaps are larger than `tol`.
inline double maxTopDiff(const std::vector<float>& logits, const Json& ref) {
    double worst = 0;
    for (const auto& e : ref) {
        const int id = e[0].get<int>();
        worst = std::max(worst, std::abs(static_cast<double>(logits.at(static_cast<std::size_t>(id))) -
                                         e[1].get<double>()));
    }
    return worst;
}

inline int argmax(const std::vector<float>& v) {
    return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

inline std::vector<std::int32_t> idsOf(const Json& arr) {
    std::vector<std::int32_t> out;
    for (const auto& x : arr) out.push_back(x.get<std::int32_t>());
    return out;
}

} // namespace hone::test
