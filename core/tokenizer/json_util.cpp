// tokenizer.json field accessors with clear errors.
#include "tokenizer/json_util.h"

#include "common/error.h"

namespace hone::tok {

std::string jsonString(const Json& j, const char* key, const char* what) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string())
        throw Error(std::string("tokenizer.json: ") + what + ": field '" + key +
                    "' is missing or not a string");
    return j[key].get<std::string>();
}

std::string jsonStringOr(const Json& j, const char* key, const std::string& def) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return def;
    if (!j[key].is_string()) throw Error(std::string("tokenizer.json: field '") + key + "' is not a string");
    return j[key].get<std::string>();
}

bool jsonBool(const Json& j, const char* key, bool def) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return def;
    if (!j[key].is_boolean())
        throw Error(std::string("tokenizer.json: field '") + key + "' is not a boolean");
    return j[key].get<bool>();
}

long long jsonInt(const Json& j, const char* key, long long def) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return def;
    if (!j[key].is_number_integer())
        throw Error(std::string("tokenizer.json: field '") + key + "' is not an integer");
    return j[key].get<long long>();
}

const Json& jsonArray(const Json& j, const char* key, const char* what) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_array())
        throw Error(std::string("tokenizer.json: ") + what + ": field '" + key +
                    "' is missing or not an array");
    return j[key];
}

std::pair<std::string, std::unique_ptr<Regex>> parsePattern(const Json& j, const char* what) {
    if (!j.is_object() || !j.contains("pattern") || !j["pattern"].is_object())
        throw Error(std::string("tokenizer.json: ") + what + ": 'pattern' is missing or not an object");
    const Json& p = j["pattern"];
    if (p.contains("String") && p["String"].is_string()) return {p["String"].get<std::string>(), nullptr};
    if (p.contains("Regex") && p["Regex"].is_string())
        return {std::string(), std::make_unique<Regex>(p["Regex"].get<std::string>())};
    throw Error(std::string("tokenizer.json: ") + what +
                ": 'pattern' must be {\"String\": ..} or {\"Regex\": ..}");
}

} // namespace hone::tok
