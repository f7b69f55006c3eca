// JSON schema subset -> grammar nodes (see json_grammar.h for what is supported and what falls back).
#include "common/error.h"
#include "constrain/compiled_grammar.h"

#include <algorithm>
#include <map>

namespace hone::constrain {

void Trie::add(const std::string& s, std::int32_t index) {
    std::int32_t cur = 0;
    const std::uint64_t bit = index < 64 ? (std::uint64_t{1} << index) : 0;
    nodes[0].mask |= bit;
    for (const char ch : s) {
        const auto b = static_cast<std::uint8_t>(ch);
        std::int32_t next = child(cur, b);
        if (next < 0) {
            next = static_cast<std::int32_t>(nodes.size());
            nodes.emplace_back();
            auto& kids = nodes[static_cast<std::size_t>(cur)].children;
            kids.insert(std::upper_bound(kids.begin(), kids.end(), std::make_pair(b, std::int32_t{-1})),
                        {b, next});
        }
        cur = next;
        nodes[static_cast<std::size_t>(cur)].mask |= bit;
    }
    auto& t = nodes[static_cast<std::size_t>(cur)].terminal;
    if (t < 0) t = index;
}

std::uint64_t CompiledGrammar::nextAllowed(const Node& n, std::uint64_t seen) const {
    const int count = static_cast<int>(n.props.size());
    const std::uint64_t all = count >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << count) - 1;
    if (!n.ordered) return all & ~seen;
    int last = -1;
    for (int i = count - 1; i >= 0; --i)
        if (seen >> i & 1) {
            last = i;
            break;
        }
    std::uint64_t m = 0;
    for (int i = last + 1; i < count; ++i) {
        m |= std::uint64_t{1} << i;
        if (n.props[static_cast<std::size_t>(i)].required) break; // a required property cannot be skipped
    }
    return m;
}

std::int32_t addLiteralNode(CompiledGrammar& g, const std::vector<Json>& values) {
    Trie t;
    for (std::size_t i = 0; i < values.size(); ++i) t.add(values[i].dump(), static_cast<std::int32_t>(i));
    g.tries.push_back(std::move(t));
    Node n;
    n.kind = NodeKind::Literal;
    n.trie = static_cast<std::int32_t>(g.tries.size() - 1);
    g.nodes.push_back(std::move(n));
    return static_cast<std::int32_t>(g.nodes.size() - 1);
}

namespace {

std::int32_t addNode(CompiledGrammar& g, Node n) {
    g.nodes.push_back(std::move(n));
    return static_cast<std::int32_t>(g.nodes.size() - 1);
}

class SchemaCompiler {
public:
    SchemaCompiler(CompiledGrammar& g, const Json& root, std::string where)
        : g_(g)
        , root_(root)
        , where_(std::move(where)) {}

    std::int32_t compile(const Json& s, const std::string& path) {
        if (s.is_boolean()) {
            if (s.get<bool>()) return g_.anyNode;
            fail(path, "the schema `false` allows no value; remove this property or give it a schema");
        }
        if (!s.is_object())
            fail(path, std::string("a schema must be a JSON object, not ") + s.type_name() +
                           "; write e.g. {\"type\": \"string\"}");
        if (s.empty()) return g_.anyNode;
        if (s.contains("$ref")) return ref(s["$ref"], path);
        for (const char* k : {"not", "if", "then", "else", "dependentSchemas", "dependencies"})
            if (s.contains(k)) return fallback(path, std::string("'") + k + "' is not supported");
        if (s.contains("allOf")) {
            const Json& all = s["allOf"];
            if (all.is_array() && all.size() == 1) return compile(all[0], path + ".allOf[0]");
            return fallback(path, "'allOf' with several schemas is not supported");
        }
        if (s.contains("const")) return literal({s["const"]}, path);
        if (s.contains("enum")) {
            const Json& e = s["enum"];
            if (!e.is_array() || e.empty())
                fail(path, "'enum' must be a non-empty array of the allowed values");
            std::vector<Json> values(e.begin(), e.end());
            return literal(values, path);
        }
        for (const char* k : {"anyOf", "oneOf"})
            if (s.contains(k)) {
                const Json& alts = s[k];
                if (!alts.is_array() || alts.empty())
                    fail(path, std::string("'") + k + "' must be a non-empty array of schemas");
                Node n;
                n.kind = NodeKind::AnyOf;
                for (std::size_t i = 0; i < alts.size(); ++i)
                    n.alternatives.push_back(
                        compile(alts[i], path + "." + k + "[" + std::to_string(i) + "]"));
                return addNode(g_, std::move(n));
            }
        if (!s.contains("type")) {
            if (s.contains("properties")) return typed(s, "object", path);
            if (s.contains("items")) return typed(s, "array", path);
            return g_.anyNode; // only annotations (description, title, default, ...)
        }
        const Json& t = s["type"];
        if (t.is_string()) return typed(s, t.get<std::string>(), path);
        if (t.is_array() && !t.empty()) {
            Node n;
            n.kind = NodeKind::AnyOf;
            for (const auto& name : t) {
                if (!name.is_string()) fail(path + ".type", "type names must be strings");
                n.alternatives.push_back(typed(s, name.get<std::string>(), path));
            }
            return n.alternatives.size() == 1 ? n.alternatives[0] : addNode(g_, std::move(n));
        }
        fail(path + ".type", "'type' must be a type name or a non-empty array of type names");
    }

private:
    [[noreturn]] void fail(const std::string& path, const std::string& what) const {
        throw Error(where_ + (path.empty() ? std::string("schema") : path) + ": " + what);
    }
    void note(const std::string& path, const std::string& what) {
        g_.notes.push_back(where_ + (path.empty() ? std::string("schema") : path) + ": " + what);
    }
    std::int32_t fallback(const std::string& path, const std::string& why) {
        note(path, why + "; any JSON value is allowed here");
        return g_.anyNode;
    }

    std::int32_t ref(const Json& r, const std::string& path) {
        if (!r.is_string()) fail(path + ".$ref", "'$ref' must be a string");
        const std::string target = r.get<std::string>();
        if (const auto it = refs_.find(target); it != refs_.end()) return it->second;
        const Json* doc = nullptr;
        if (target == "#") {
            doc = &root_;
        } else {
            for (const char* prefix : {"#/$defs/", "#/definitions/"}) {
                const std::string p = prefix;
                if (target.rfind(p, 0) != 0) continue;
                const std::string key = p.substr(2, p.size() - 3);
                const std::string name = target.substr(p.size());
                if (root_.is_object() && root_.contains(key) && root_[key].is_object() &&
                    root_[key].contains(name))
                    doc = &root_[key][name];
            }
        }
        if (!doc) return fallback(path + ".$ref", "'" + target + "' is not a local $defs/definitions entry");
        // A placeholder AnyOf with one alternative lets recursive references point at this node.
        Node placeholder;
        placeholder.kind = NodeKind::AnyOf;
        const std::int32_t id = addNode(g_, std::move(placeholder));
        refs_[target] = id;
        const std::int32_t body = compile(*doc, target);
        g_.nodes[static_cast<std::size_t>(id)].alternatives = {body};
        return id;
    }

    std::int32_t literal(const std::vector<Json>& values, const std::string& path) {
        std::size_t bytes = 0;
        for (const auto& v : values) bytes += v.dump().size();
        if (values.size() > static_cast<std::size_t>(kMaxEnumValues) || bytes > kMaxEnumBytes)
            return fallback(path, "an enum of " + std::to_string(values.size()) + " values (" +
                                      std::to_string(bytes) + " bytes) is over the limit of " +
                                      std::to_string(kMaxEnumValues) + " values / " +
                                      std::to_string(kMaxEnumBytes) + " bytes");
        return addLiteralNode(g_, values);
    }

    std::int64_t count(const Json& s, const char* key, std::int64_t dflt, const std::string& path) const {
        if (!s.contains(key)) return dflt;
        const Json& v = s[key];
        if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
            fail(path + "." + key, "must be a non-negative integer");
        return v.get<std::int64_t>();
    }

    // A min/max pair of counts (max -1 = unbounded); min above max matches nothing and is an error.
    void bounds(const Json& s, const char* minKey, const char* maxKey, const std::string& path,
                std::int64_t& lo, std::int64_t& hi) const {
        lo = count(s, minKey, 0, path);
        hi = count(s, maxKey, -1, path);
        if (hi >= 0 && lo > hi)
            fail(path, std::string(minKey) + " is larger than " + maxKey + "; no value can match");
    }

    void ignored(const Json& s, const std::string& path, std::initializer_list<const char*> keys) {
        for (const char* k : keys)
            if (s.contains(k)) note(path, std::string("'") + k + "' is not enforced");
    }

    std::int32_t typed(const Json& s, const std::string& type, const std::string& path) {
        Node n;
        if (type == "string") {
            n.kind = NodeKind::String;
            bounds(s, "minLength", "maxLength", path, n.minLength, n.maxLength);
            ignored(s, path, {"pattern", "format"});
            if (n.minLength == 0 && n.maxLength < 0) return g_.anyString;
        } else if (type == "number" || type == "integer") {
            n.kind = type == "number" ? NodeKind::Number : NodeKind::Integer;
            ignored(s, path, {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"});
            if (n.kind == NodeKind::Number) return g_.anyNumber;
        } else if (type == "boolean") {
            return addLiteralNode(g_, {Json(true), Json(false)});
        } else if (type == "null") {
            return addLiteralNode(g_, {Json(nullptr)});
        } else if (type == "array") {
            n.kind = NodeKind::Array;
            bounds(s, "minItems", "maxItems", path, n.minItems, n.maxItems);
            ignored(s, path, {"uniqueItems", "contains"});
            if (s.contains("prefixItems") || (s.contains("items") && s["items"].is_array())) {
                note(path,
                     "tuple arrays (prefixItems / items as an array) are not supported; items may be any "
                     "JSON value");
                n.items = g_.anyNode;
            } else {
                n.items = s.contains("items") ? compile(s["items"], path + ".items") : g_.anyNode;
            }
        } else if (type == "object") {
            n.kind = NodeKind::Object;
            ignored(s, path, {"minProperties", "maxProperties", "patternProperties", "propertyNames"});
            const bool hasProps = s.contains("properties");
            if (hasProps && !s["properties"].is_object())
                fail(path + ".properties", "'properties' must be an object of property schemas");
            if (hasProps && s["properties"].size() > static_cast<std::size_t>(kMaxProperties)) {
                note(path, "more than " + std::to_string(kMaxProperties) +
                               " properties; any keys with any JSON values are allowed");
                n.freeKeys = true;
                n.valueNode = g_.anyNode;
            } else if (hasProps) {
                Trie keys;
                for (const auto& [name, sub] : s["properties"].items()) {
                    Property p;
                    p.name = name;
                    p.node = compile(sub, path + ".properties." + name);
                    keys.add(Json(name).dump(), static_cast<std::int32_t>(n.props.size()));
                    n.props.push_back(std::move(p));
                }
                g_.tries.push_back(std::move(keys));
                n.keyTrie = static_cast<std::int32_t>(g_.tries.size() - 1);
            } else {
                const Json add = s.value("additionalProperties", Json(true));
                if (!(add.is_boolean() && !add.get<bool>())) {
                    n.freeKeys = true;
                    n.valueNode = compile(add, path + ".additionalProperties");
                }
            }
            if (s.contains("required")) {
                const Json& req = s["required"];
                if (!req.is_array())
                    fail(path + ".required", "'required' must be an array of property names");
                for (const auto& r : req) {
                    if (!r.is_string())
                        fail(path + ".required", "'required' must hold property names (strings)");
                    const std::string name = r.get<std::string>();
                    const auto it = std::find_if(n.props.begin(), n.props.end(),
                                                 [&](const Property& p) { return p.name == name; });
                    if (it != n.props.end()) {
                        it->required = true;
                        n.requiredMask |= std::uint64_t{1} << (it - n.props.begin());
                    } else if (!n.freeKeys) {
                        note(path + ".required",
                             "'" + name + "' is not in 'properties'; it is not generated");
                    }
                }
            }
        } else {
            fail(path + ".type",
                 "unknown type '" + type + "' (use string, number, integer, boolean, null, array or object)");
        }
        return addNode(g_, std::move(n));
    }

    CompiledGrammar& g_;
    const Json& root_;
    std::string where_;
    std::map<std::string, std::int32_t> refs_;
};

} // namespace

void addAnyNodes(CompiledGrammar& g) {
    g.anyNode = addNode(g, Node{});
    Node obj;
    obj.kind = NodeKind::Object;
    obj.freeKeys = true;
    obj.valueNode = g.anyNode;
    g.anyObject = addNode(g, std::move(obj));
    Node arr;
    arr.kind = NodeKind::Array;
    arr.items = g.anyNode;
    g.anyArray = addNode(g, std::move(arr));
    Node str;
    str.kind = NodeKind::String;
    g.anyString = addNode(g, std::move(str));
    Node num;
    num.kind = NodeKind::Number;
    g.anyNumber = addNode(g, std::move(num));
    g.anyLiteral = addLiteralNode(g, {Json(true), Json(false), Json(nullptr)});
}

std::int32_t compileSchema(CompiledGrammar& g, const Json& schema, const std::string& where,
                           const std::string& rootPath) {
    SchemaCompiler c(g, schema, where);
    return c.compile(schema, rootPath);
}

} // namespace hone::constrain
