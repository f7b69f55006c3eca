// One place that pulls in nlohmann::json for the engine, with the alias the code uses.
#pragma once

#include <nlohmann/json.hpp>

namespace hone {
using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;
} // namespace hone
