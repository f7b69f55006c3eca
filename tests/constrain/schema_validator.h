// An independent JSON-schema checker for the constrained-decoding tests (written for the tests, shares no
// code with the grammar): validates a parsed nlohmann::json value against the schema subset Hone constrains.
#pragma once

#include "common/json.h"

#include <cmath>
#include <string>

namespace hone::test {

inline std::size_t codePoints(const std::string& s) {
    std::size_t n = 0;
    for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

// Empty string = valid; otherwise what failed and where.
inline std::string schemaViolation(const Json& v, const Json& schema, const Json& root,
                                   const std::string& at = "$") {
    if (schema.is_boolean()) return schema.get<bool>() ? "" : at + ": schema false";
    if (schema.contains("$ref")) {
        const std::string ref = schema["$ref"];
        const std::string defs = "#/$defs/";
        if (ref.rfind(defs, 0) == 0)
            return schemaViolation(v, root["$defs"][ref.substr(defs.size())], root, at);
        const std::string old = "#/definitions/";
        if (ref.rfind(old, 0) == 0)
            return schemaViolation(v, root["definitions"][ref.substr(old.size())], root, at);
        return at + ": unsupported $ref " + ref;
    }
    if (schema.contains("const") && v != schema["const"]) return at + ": not the const value";
    if (schema.contains("enum")) {
        bool found = false;
        for (const auto& e : schema["enum"]) found = found || e == v;
        if (!found) return at + ": not one of the enum values";
    }
    if (schema.contains("anyOf")) {
        bool any = false;
        for (const auto& alt : schema["anyOf"]) any = any || schemaViolation(v, alt, root, at).empty();
        if (!any) return at + ": matches no anyOf alternative";
    }
    if (schema.contains("oneOf")) {
        int n = 0;
        for (const auto& alt : schema["oneOf"]) n += schemaViolation(v, alt, root, at).empty();
        if (n != 1) return at + ": matches " + std::to_string(n) + " oneOf alternatives";
    }
    if (schema.contains("type")) {
        auto isType = [&](const std::string& t) {
            if (t == "string") return v.is_string();
            if (t == "number") return v.is_number();
            if (t == "integer")
                return v.is_number_integer() ||
                       (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
            if (t == "boolean") return v.is_boolean();
            if (t == "null") return v.is_null();
            if (t == "array") return v.is_array();
            if (t == "object") return v.is_object();
            return false;
        };
        bool ok = false;
        if (schema["type"].is_string()) ok = isType(schema["type"]);
        for (const auto& t : schema["type"].is_array() ? schema["type"] : Json::array()) ok = ok || isType(t);
        if (!ok) return at + ": wrong type " + v.type_name();
    }
    if (v.is_string()) {
        const std::size_t n = codePoints(v.get<std::string>());
        if (schema.contains("minLength") && n < schema["minLength"].get<std::size_t>())
            return at + ": too short";
        if (schema.contains("maxLength") && n > schema["maxLength"].get<std::size_t>())
            return at + ": too long";
    }
    if (v.is_array()) {
        if (schema.contains("minItems") && v.size() < schema["minItems"].get<std::size_t>())
            return at + ": too few";
        if (schema.contains("maxItems") && v.size() > schema["maxItems"].get<std::size_t>())
            return at + ": too many";
        if (schema.contains("items"))
            for (std::size_t i = 0; i < v.size(); ++i) {
                const std::string e =
                    schemaViolation(v[i], schema["items"], root, at + "[" + std::to_string(i) + "]");
                if (!e.empty()) return e;
            }
    }
    if (v.is_object()) {
        for (const auto& r : schema.value("required", Json::array()))
            if (!v.contains(r.get<std::string>())) return at + ": missing required " + r.get<std::string>();
        const Json props = schema.value("properties", Json::object());
        for (const auto& [k, x] : v.items()) {
            const std::string here = at + "." + k;
            if (props.contains(k)) {
                const std::string e = schemaViolation(x, props[k], root, here);
                if (!e.empty()) return e;
            } else if (schema.contains("additionalProperties")) {
                const std::string e = schemaViolation(x, schema["additionalProperties"], root, here);
                if (!e.empty()) return e;
            }
        }
    }
    return "";
}

} // namespace hone::test
