// Typed, error-reporting accessors for tokenizer.json fields (a wrong type is a hone::Error naming the
// field).
#pragma once

#include "common/json.h"
#include "tokenizer/regex.h"

#include <memory>
#include <string>
#include <utility>

namespace hone::tok {

// j[key] as a string; throws when missing or not a string.
std::string jsonString(const Json& j, const char* key, const char* what);
// j[key] as a string, or def when missing/null.
std::string jsonStringOr(const Json& j, const char* key, const std::string& def);
bool jsonBool(const Json& j, const char* key, bool def);
long long jsonInt(const Json& j, const char* key, long long def);
// j[key] as an array; throws when missing or not an array.
const Json& jsonArray(const Json& j, const char* key, const char* what);
// A {"String": s} or {"Regex": r} pattern under j["pattern"]: (literal, nullptr) or ("", regex).
std::pair<std::string, std::unique_ptr<Regex>> parsePattern(const Json& j, const char* what);

} // namespace hone::tok
