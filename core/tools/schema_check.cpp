// JSON-schema subset checker for tool arguments; see schema_check.h.
#include "tools/schema_check.h"

#include <cmath>

namespace hone::tools {
namespace {

std::string kindOf(const Json& v) {
    switch (v.type()) {
    case Json::value_t::null:
        return "null";
    case Json::value_t::boolean:
        return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
        return "an integer";
    case Json::value_t::number_float:
        return "a number";
    case Json::value_t::string:
        return "a string";
    case Json::value_t::array:
        return "an array";
    case Json::value_t::object:
        return "an object";
    default:
        return "an unsupported value";
    }
}

bool isIntegral(const Json& v) {
    if (v.is_number_integer()) return true;
    if (!v.is_number_float()) return false;
    const double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
}

bool matchesType(const std::string& type, const Json& v) {
    if (type == "string") return v.is_string();
    if (type == "number") return v.is_number();
    if (type == "integer") return isIntegral(v);
    if (type == "boolean") return v.is_boolean();
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "null") return v.is_null();
    return true; // unknown type names are not ours to refuse
}

std::string where(const std::string& path) {
    return path.empty() ? std::string("the arguments") : "argument '" + path + "'";
}

std::string article(const std::string& type) {
    if (type == "integer" || type == "array" || type == "object") return "an " + type;
    if (type == "null") return type;
    return "a " + type;
}

std::size_t utf8Length(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::string check(const Json& schema, const Json& v, const std::string& path, int depth) {
    if (!schema.is_object()) return {};
    if (depth > 32) return where(path) + ": nested too deeply";
    if (auto t = schema.find("type"); t != schema.end()) {
        bool ok = false;
        std::string expected;
        if (t->is_string()) {
            ok = matchesType(t->get<std::string>(), v);
            expected = article(t->get<std::string>());
        } else if (t->is_array()) {
            for (const Json& one : *t) {
                if (!one.is_string()) continue;
                ok = ok || matchesType(one.get<std::string>(), v);
                expected += (expected.empty() ? "" : " or ") + article(one.get<std::string>());
            }
            if (expected.empty()) ok = true;
        } else {
            ok = true;
        }
        if (!ok) return where(path) + ": expected " + expected + ", got " + kindOf(v);
    }
    if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
        bool found = false;
        for (const Json& option : *e) found = found || option == v;
        if (!found) return where(path) + ": must be one of " + e->dump() + ", got " + v.dump();
    }
    if (auto c = schema.find("const"); c != schema.end() && *c != v)
        return where(path) + ": must be " + c->dump() + ", got " + v.dump();
    if (v.is_number()) {
        const double d = v.get<double>();
        if (auto m = schema.find("minimum"); m != schema.end() && m->is_number() && d < m->get<double>())
            return where(path) + ": must be at least " + m->dump() + ", got " + v.dump();
        if (auto m = schema.find("maximum"); m != schema.end() && m->is_number() && d > m->get<double>())
            return where(path) + ": must be at most " + m->dump() + ", got " + v.dump();
    }
    if (v.is_string()) {
        const std::size_t n = utf8Length(v.get_ref<const std::string&>());
        if (auto m = schema.find("minLength");
            m != schema.end() && m->is_number_unsigned() && n < m->get<std::size_t>())
            return where(path) + ": must be at least " + m->dump() + " characters long";
        if (auto m = schema.find("maxLength");
            m != schema.end() && m->is_number_unsigned() && n > m->get<std::size_t>())
            return where(path) + ": must be at most " + m->dump() + " characters long";
    }
    if (v.is_array()) {
        if (auto m = schema.find("minItems");
            m != schema.end() && m->is_number_unsigned() && v.size() < m->get<std::size_t>())
            return where(path) + ": needs at least " + m->dump() + " items";
        if (auto m = schema.find("maxItems");
            m != schema.end() && m->is_number_unsigned() && v.size() > m->get<std::size_t>())
            return where(path) + ": takes at most " + m->dump() + " items";
        if (auto items = schema.find("items"); items != schema.end() && items->is_object()) {
            for (std::size_t i = 0; i < v.size(); ++i) {
                std::string err = check(*items, v[i], path + "[" + std::to_string(i) + "]", depth + 1);
                if (!err.empty()) return err;
            }
        }
    }
    if (v.is_object()) {
        const Json noProperties = Json::object();
        auto p = schema.find("properties");
        const Json& props = (p != schema.end() && p->is_object()) ? *p : noProperties;
        if (auto r = schema.find("required"); r != schema.end() && r->is_array()) {
            for (const Json& key : *r) {
                if (key.is_string() && !v.contains(key.get<std::string>()))
                    return "missing required " +
                           where(path.empty() ? key.get<std::string>() : path + "." + key.get<std::string>());
            }
        }
        const auto extra = schema.find("additionalProperties");
        for (auto it = v.begin(); it != v.end(); ++it) {
            const std::string sub = path.empty() ? it.key() : path + "." + it.key();
            if (auto ps = props.find(it.key()); ps != props.end()) {
                std::string err = check(*ps, it.value(), sub, depth + 1);
                if (!err.empty()) return err;
            } else if (extra != schema.end() && extra->is_object()) {
                std::string err = check(*extra, it.value(), sub, depth + 1);
                if (!err.empty()) return err;
            } else if (extra == schema.end() || !(extra->is_boolean() && extra->get<bool>())) {
                std::string known;
                for (auto k = props.begin(); k != props.end(); ++k)
                    known += (known.empty() ? "" : ", ") + k.key();
                return "unknown " + where(sub) +
                       "; the accepted arguments are: " + (known.empty() ? std::string("none") : known);
            }
        }
    }
    return {};
}

} // namespace

std::string checkArguments(const Json& schema, const Json& value) {
    return check(schema, value, "", 0);
}

} // namespace hone::tools
