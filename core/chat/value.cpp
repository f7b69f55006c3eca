// Value: construction, JSON conversion, truthiness, Python str()/repr(), equality and ordering.
#include "chat/value.h"

#include "common/error.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace hone::jinja {

namespace {
const std::string kEmpty;

struct FunctionImpl : Callable {
    std::function<Value(Interpreter&, CallArgs&)> fn;
    Value call(Interpreter& in, CallArgs& args) override { return fn(in, args); }
};
} // namespace

std::shared_ptr<Callable> makeFunction(std::string name, std::function<Value(Interpreter&, CallArgs&)> fn) {
    auto f = std::make_shared<FunctionImpl>();
    f->name = std::move(name);
    f->fn = std::move(fn);
    return f;
}

Value Object::attr(std::string_view) const {
    return Value::undefined();
}
void Object::setAttr(const std::string& name, Value) {
    throw Error("cannot assign attribute '" + name + "' of a " + typeName() + " object");
}
Value Object::call(Interpreter&, CallArgs&) {
    throw Error("'" + typeName() + "' object is not callable");
}

std::string Object::repr() const {
    std::string s = "<";
    s += typeName();
    s += " object>";
    return s;
}

const Value* DictData::find(const Value& key) const {
    if (key.isString()) return find(std::string_view(key.str()));
    for (const auto& kv : items)
        if (equals(kv.first, key)) return &kv.second;
    return nullptr;
}

const Value* DictData::find(std::string_view key) const {
    for (const auto& kv : items)
        if (kv.first.isString() && kv.first.str() == key) return &kv.second;
    return nullptr;
}

void DictData::set(Value key, Value value) {
    for (auto& kv : items)
        if (equals(kv.first, key)) {
            kv.second = std::move(value);
            return;
        }
    items.emplace_back(std::move(key), std::move(value));
}

Value Value::undefined(std::string hint) {
    Value v;
    if (!hint.empty()) v.str_ = std::make_shared<const std::string>(std::move(hint));
    return v;
}

Value Value::none() {
    Value v;
    v.type_ = Type::None;
    return v;
}

Value::Value(std::string s)
    : type_(Type::String)
    , str_(std::make_shared<const std::string>(std::move(s))) {}
Value::Value(std::shared_ptr<ListData> l)
    : type_(Type::List)
    , ptr_(std::move(l)) {}
Value::Value(std::shared_ptr<DictData> d)
    : type_(Type::Dict)
    , ptr_(std::move(d)) {}
Value::Value(std::shared_ptr<Callable> c)
    : type_(Type::Callable)
    , ptr_(std::move(c)) {}
Value::Value(std::shared_ptr<Object> o)
    : type_(Type::Object)
    , ptr_(std::move(o)) {}

Value Value::list(std::vector<Value> items, bool tuple) {
    auto l = std::make_shared<ListData>();
    l->items = std::move(items);
    l->tuple = tuple;
    return Value(std::move(l));
}

Value Value::generator(std::vector<Value> items) {
    auto l = std::make_shared<ListData>();
    l->items = std::move(items);
    l->generator = true;
    return Value(std::move(l));
}

Value Value::markup(std::string s) {
    Value v(std::move(s));
    v.markup_ = true;
    return v;
}

namespace {

// Converts JSON to values, sharing one string for repeated object keys ("role", "content", ...).
struct JsonConverter {
    std::vector<Value> keys;

    Value key(const std::string& k) {
        for (const auto& v : keys)
            if (v.str() == k) return v;
        Value v(k);
        if (keys.size() < 64) keys.push_back(v);
        return v;
    }

    Value convert(const OrderedJson& j) {
        switch (j.type()) {
        case OrderedJson::value_t::null:
            return Value::none();
        case OrderedJson::value_t::boolean:
            return Value(j.get<bool>());
        case OrderedJson::value_t::number_integer:
            return Value(j.get<int64_t>());
        case OrderedJson::value_t::number_unsigned: {
            auto u = j.get<uint64_t>();
            if (u > static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<double>(u));
            return Value(static_cast<int64_t>(u));
        }
        case OrderedJson::value_t::number_float:
            return Value(j.get<double>());
        case OrderedJson::value_t::string:
            return Value(j.get_ref<const std::string&>());
        case OrderedJson::value_t::array: {
            auto l = std::make_shared<ListData>();
            l->items.reserve(j.size());
            for (const auto& e : j) l->items.push_back(convert(e));
            return Value(std::move(l));
        }
        case OrderedJson::value_t::object: {
            auto d = std::make_shared<DictData>();
            d->items.reserve(j.size());
            for (auto it = j.begin(); it != j.end(); ++it)
                d->items.emplace_back(key(it.key()), convert(it.value()));
            return Value(std::move(d));
        }
        default:
            return Value::none();
        }
    }
};

} // namespace

Value Value::fromJson(const OrderedJson& j) {
    JsonConverter c;
    return c.convert(j);
}

OrderedJson Value::toJson() const {
    switch (type_) {
    case Type::None:
        return nullptr;
    case Type::Bool:
        return u_.b;
    case Type::Int:
        return u_.i;
    case Type::Float:
        return u_.f;
    case Type::String:
        return *str_;
    case Type::List: {
        if (isGenerator()) throw Error("Object of type generator is not JSON serializable");
        OrderedJson a = OrderedJson::array();
        for (const auto& e : items()) a.push_back(e.toJson());
        return a;
    }
    case Type::Dict: {
        OrderedJson o = OrderedJson::object();
        for (const auto& kv : dict().items)
            o[kv.first.isString() ? kv.first.str() : kv.first.toStr()] = kv.second.toJson();
        return o;
    }
    default:
        throw Error("Object of type " + typeName() + " is not JSON serializable");
    }
}

const std::string& Value::undefinedHint() const {
    return str_ && type_ == Type::Undefined ? *str_ : kEmpty;
}

bool Value::truthy() const {
    switch (type_) {
    case Type::Undefined:
    case Type::None:
        return false;
    case Type::Bool:
        return u_.b;
    case Type::Int:
        return u_.i != 0;
    case Type::Float:
        return u_.f != 0.0;
    case Type::String:
        return !str_->empty();
    case Type::List:
        return isGenerator() || !items().empty();
    case Type::Dict:
        return !dict().items.empty();
    default:
        return true;
    }
}

std::string Value::typeName() const {
    switch (type_) {
    case Type::Undefined:
        return "Undefined";
    case Type::None:
        return "NoneType";
    case Type::Bool:
        return "bool";
    case Type::Int:
        return "int";
    case Type::Float:
        return "float";
    case Type::String:
        return "str";
    case Type::List:
        return isGenerator() ? "generator" : isTuple() ? "tuple" : "list";
    case Type::Dict:
        return "dict";
    case Type::Callable:
        return "function";
    case Type::Object:
        return object().typeName();
    }
    return "object";
}

std::string floatRepr(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string sci(buf, res.ptr);
    // sci: [-]D[.DDD]e[+-]XX
    bool neg = sci[0] == '-';
    if (neg) sci.erase(0, 1);
    auto epos = sci.find('e');
    int exp = std::stoi(sci.substr(epos + 1));
    std::string digits;
    for (size_t i = 0; i < epos; ++i)
        if (sci[i] != '.') digits += sci[i];
    std::string out;
    if (exp < -4 || exp >= 16) {
        out = digits.substr(0, 1);
        if (digits.size() > 1) {
            out += '.';
            out.append(digits, 1, std::string::npos);
        }
        char eb[16];
        std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        out += eb;
    } else if (exp < 0) {
        out = "0.";
        out.append(static_cast<size_t>(-exp - 1), '0');
        out += digits;
    } else {
        auto intLen = static_cast<size_t>(exp + 1);
        if (digits.size() <= intLen) {
            out = digits + std::string(intLen - digits.size(), '0') + ".0";
        } else {
            out = digits.substr(0, intLen) + "." + digits.substr(intLen);
        }
    }
    if (neg) out.insert(out.begin(), '-');
    return out;
}

std::string stringRepr(std::string_view s) {
    bool hasSingle = s.find('\'') != std::string_view::npos;
    bool hasDouble = s.find('"') != std::string_view::npos;
    char q = (hasSingle && !hasDouble) ? '"' : '\'';
    std::string out(1, q);
    for (unsigned char c : s) {
        if (c == static_cast<unsigned char>(q) || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02x", c);
            out += b;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += q;
    return out;
}

void Value::appendStr(std::string& out) const {
    switch (type_) {
    case Type::Undefined:
        return;
    case Type::None:
        out += "None";
        return;
    case Type::Bool:
        out += u_.b ? "True" : "False";
        return;
    case Type::Int: {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, u_.i);
        out.append(buf, r.ptr);
        return;
    }
    case Type::Float:
        out += floatRepr(u_.f);
        return;
    case Type::String:
        out += *str_;
        return;
    default:
        out += repr();
        return;
    }
}

std::string Value::toStr() const {
    if (type_ == Type::String) return *str_;
    std::string s;
    appendStr(s);
    return s;
}

std::string Value::repr() const {
    switch (type_) {
    case Type::String:
        return stringRepr(*str_);
    case Type::Undefined:
        return "";
    case Type::List: {
        if (isGenerator()) return "<generator object>";
        std::string s(1, isTuple() ? '(' : '[');
        bool first = true;
        for (const auto& e : items()) {
            if (!first) s += ", ";
            first = false;
            s += e.repr();
        }
        if (isTuple() && items().size() == 1) s += ",";
        s += isTuple() ? ')' : ']';
        return s;
    }
    case Type::Dict: {
        std::string s = "{";
        bool first = true;
        for (const auto& kv : dict().items) {
            if (!first) s += ", ";
            first = false;
            s += kv.first.repr() + ": " + kv.second.repr();
        }
        return s + "}";
    }
    case Type::Callable:
        return "<function " + callable().name + ">";
    case Type::Object:
        return object().repr();
    default:
        return toStr();
    }
}

bool equals(const Value& a, const Value& b) {
    using T = Value::Type;
    if (a.isNumber() && b.isNumber()) {
        if (a.isFloat() || b.isFloat()) return a.asFloat() == b.asFloat();
        return a.asInt() == b.asInt();
    }
    if (a.type() != b.type()) return false;
    switch (a.type()) {
    case T::Undefined:
    case T::None:
        return true;
    case T::String:
        return a.str() == b.str();
    case T::List: {
        if (a.isTuple() != b.isTuple()) return false;
        if (a.isGenerator() || b.isGenerator()) return a.identity() == b.identity();
        const auto &x = a.items(), &y = b.items();
        if (x.size() != y.size()) return false;
        for (size_t i = 0; i < x.size(); ++i)
            if (!equals(x[i], y[i])) return false;
        return true;
    }
    case T::Dict: {
        const auto &x = a.dict(), &y = b.dict();
        if (x.items.size() != y.items.size()) return false;
        for (const auto& kv : x.items) {
            const Value* o = y.find(kv.first);
            if (!o || !equals(kv.second, *o)) return false;
        }
        return true;
    }
    default:
        return a.identity() == b.identity();
    }
}

int compare(const Value& a, const Value& b) {
    if (a.isNumber() && b.isNumber()) {
        if (a.isFloat() || b.isFloat()) {
            double x = a.asFloat(), y = b.asFloat();
            return x < y ? -1 : (x > y ? 1 : 0);
        }
        return a.asInt() < b.asInt() ? -1 : (a.asInt() > b.asInt() ? 1 : 0);
    }
    if (a.isString() && b.isString()) {
        int c = a.str().compare(b.str());
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    if (a.isList() && b.isList() && a.isTuple() == b.isTuple()) {
        const auto &x = a.items(), &y = b.items();
        for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
            if (equals(x[i], y[i])) continue;
            return compare(x[i], y[i]);
        }
        return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
    throw Error("'<' not supported between instances of '" + a.typeName() + "' and '" + b.typeName() + "'");
}

} // namespace hone::jinja
