// Jinja2/Python access to values: iteration, obj.attr and obj[key] (dict keys, list/str indexes, methods).
#include "chat/builtins.h"
#include "chat/interpreter.h"
#include "common/error.h"

namespace hone::jinja {

// ---------------------------------------------------------------- helpers

size_t utf8Length(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::vector<std::string_view> utf8Chars(std::string_view s) {
    std::vector<std::string_view> out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        size_t j = i + 1;
        while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
        out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

void throwUndefined(const Value& v) {
    const std::string& hint = v.undefinedHint();
    throw Error(hint.empty() ? std::string("value is undefined") : hint);
}

std::vector<Value> iterate(const Value& v) {
    switch (v.type()) {
    case Value::Type::List:
        if (v.isGenerator()) {
            if (v.listData().consumed) return {};
            v.listData().consumed = true;
        }
        return v.items();
    case Value::Type::Dict: {
        std::vector<Value> keys;
        keys.reserve(v.dict().items.size());
        for (const auto& kv : v.dict().items) keys.push_back(kv.first);
        return keys;
    }
    case Value::Type::String: {
        std::vector<Value> chars;
        for (auto c : utf8Chars(v.str())) chars.emplace_back(std::string(c));
        return chars;
    }
    case Value::Type::Undefined:
        return {};
    default:
        throw Error("'" + v.typeName() + "' object is not iterable");
    }
}

namespace {

struct BoundMethod : Callable {
    Value self;
    Value call(Interpreter& in, CallArgs& args) override {
        auto r = callMethod(in, self, name, args);
        if (!r) throw Error("'" + self.typeName() + "' object has no attribute '" + name + "'");
        return *r;
    }
};

Value boundMethod(const Value& obj, const std::string& name) {
    auto m = std::make_shared<BoundMethod>();
    m->self = obj;
    m->name = name;
    return Value(std::shared_ptr<Callable>(std::move(m)));
}

std::string undefinedAttrHint(const Value& obj, const std::string& name) {
    return "'" + obj.typeName() + " object' has no attribute '" + name + "'";
}

} // namespace

// ---------------------------------------------------------------- attribute / item access

Value getAttr(Interpreter& in, const Value& obj, const std::string& name) {
    (void)in;
    switch (obj.type()) {
    case Value::Type::Undefined:
        throwUndefined(obj);
    case Value::Type::Dict:
        if (hasMethod(obj, name)) return boundMethod(obj, name);
        if (const Value* v = obj.dict().find(std::string_view(name))) return *v;
        return Value::undefined(undefinedAttrHint(obj, name));
    case Value::Type::String:
    case Value::Type::List:
        if (hasMethod(obj, name)) return boundMethod(obj, name);
        return Value::undefined(undefinedAttrHint(obj, name));
    case Value::Type::Object:
        return obj.object().attr(name);
    default:
        return Value::undefined(undefinedAttrHint(obj, name));
    }
}

Value getItem(Interpreter& in, const Value& obj, const Value& key) {
    switch (obj.type()) {
    case Value::Type::Undefined:
        throwUndefined(obj);
    case Value::Type::Dict: {
        if (const Value* v = obj.dict().find(key)) return *v;
        if (key.isString() && hasMethod(obj, key.str())) return boundMethod(obj, key.str());
        return Value::undefined("'dict object' has no attribute " + key.repr());
    }
    case Value::Type::List: {
        if (obj.isGenerator()) throw Error("'generator' object is not subscriptable");
        if (!key.isInt()) {
            if (key.isString() && hasMethod(obj, key.str())) return boundMethod(obj, key.str());
            return Value::undefined("'" + obj.typeName() + " object' has no attribute " + key.repr());
        }
        auto n = static_cast<int64_t>(obj.items().size());
        int64_t i = key.asInt();
        if (i < 0) i += n;
        if (i < 0 || i >= n) return Value::undefined(obj.typeName() + " object has no element " + key.repr());
        return obj.items()[static_cast<size_t>(i)];
    }
    case Value::Type::String: {
        if (!key.isInt()) {
            if (key.isString() && hasMethod(obj, key.str())) return boundMethod(obj, key.str());
            return Value::undefined("'str object' has no attribute " + key.repr());
        }
        auto chars = utf8Chars(obj.str());
        auto n = static_cast<int64_t>(chars.size());
        int64_t i = key.asInt();
        if (i < 0) i += n;
        if (i < 0 || i >= n) return Value::undefined("str object has no element " + key.repr());
        return Value(std::string(chars[static_cast<size_t>(i)]));
    }
    case Value::Type::Object:
        if (key.isString()) return obj.object().attr(key.str());
        return Value::undefined();
    default:
        (void)in;
        return Value::undefined("'" + obj.typeName() + " object' has no attribute " + key.repr());
    }
}

} // namespace hone::jinja
