// The value type of the Jinja engine: Python-like (None, bool, int, float, str, list/tuple, dict, callables,
// objects) with Jinja2's Undefined, plus conversions to/from JSON and Python str()/repr() rendering.
#pragma once

#include "common/json.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hone::jinja {

class Value;
class Interpreter;

// Positional and keyword arguments of a call.
struct CallArgs {
    std::vector<Value> pos;
    std::vector<std::pair<std::string, Value>> kw;
};

struct ListData {
    std::vector<Value> items;
    bool tuple = false;
    // A Python generator (what Jinja2's map/select/... filters return): truthy even when empty, not
    // JSON-serializable, no len(), consumed by the first iteration.
    bool generator = false;
    mutable bool consumed = false;
};

// A Python dict: insertion-ordered, keys compared by Python equality.
struct DictData {
    std::vector<std::pair<Value, Value>> items;
    const Value* find(const Value& key) const;
    const Value* find(std::string_view key) const;
    void set(Value key, Value value);
};

// Something callable: builtin functions, bound methods, macros, caller().
struct Callable {
    virtual ~Callable() = default;
    virtual Value call(Interpreter& in, CallArgs& args) = 0;
    std::string name;
};

// An object with attributes (loop, namespace, cycler, joiner).
struct Object {
    virtual ~Object() = default;
    virtual Value attr(std::string_view name) const;
    virtual void setAttr(const std::string& name, Value v);
    virtual std::string typeName() const = 0;
    virtual std::string repr() const;
    // obj(...): only recursive loops are callable.
    virtual Value call(Interpreter& in, CallArgs& args);
    // Drops references to other values at the end of a render: mutable objects (namespaces) can hold
    // themselves, and shared_ptr cycles would otherwise leak.
    virtual void breakCycles() {}
};

class Value {
public:
    enum class Type : uint8_t { Undefined, None, Bool, Int, Float, String, List, Dict, Callable, Object };

    Value() = default; // Undefined
    static Value undefined(std::string hint = {});
    static Value none();
    Value(bool b)
        : type_(Type::Bool) {
        u_.b = b;
    }
    Value(int v)
        : type_(Type::Int) {
        u_.i = v;
    }
    Value(int64_t v)
        : type_(Type::Int) {
        u_.i = v;
    }
    Value(double v)
        : type_(Type::Float) {
        u_.f = v;
    }
    Value(std::string s);
    Value(const char* s)
        : Value(std::string(s)) {}
    Value(std::shared_ptr<ListData> l);
    Value(std::shared_ptr<DictData> d);
    Value(std::shared_ptr<Callable> c);
    Value(std::shared_ptr<Object> o);
    static Value list(std::vector<Value> items, bool tuple = false);
    static Value generator(std::vector<Value> items);
    // A markupsafe.Markup string (from |safe, |escape): `+` with a plain str HTML-escapes the plain one.
    static Value markup(std::string s);
    bool isMarkup() const { return type_ == Type::String && markup_; }
    bool isGenerator() const { return isList() && listData().generator; }
    static Value fromJson(const OrderedJson& j);

    Type type() const { return type_; }
    bool isUndefined() const { return type_ == Type::Undefined; }
    bool isNone() const { return type_ == Type::None; }
    bool isBool() const { return type_ == Type::Bool; }
    bool isInt() const { return type_ == Type::Int || type_ == Type::Bool; }
    bool isFloat() const { return type_ == Type::Float; }
    bool isNumber() const { return isInt() || isFloat(); }
    bool isString() const { return type_ == Type::String; }
    bool isList() const { return type_ == Type::List; }
    bool isDict() const { return type_ == Type::Dict; }
    bool isCallable() const { return type_ == Type::Callable; }
    bool isObject() const { return type_ == Type::Object; }

    bool asBool() const { return u_.b; }
    int64_t asInt() const { return type_ == Type::Bool ? (u_.b ? 1 : 0) : u_.i; }
    double asFloat() const { return type_ == Type::Float ? u_.f : static_cast<double>(asInt()); }
    const std::string& str() const { return *str_; }
    const ListData& listData() const { return *static_cast<const ListData*>(ptr_.get()); }
    const std::vector<Value>& items() const { return listData().items; }
    bool isTuple() const { return isList() && listData().tuple; }
    const DictData& dict() const { return *static_cast<const DictData*>(ptr_.get()); }
    Callable& callable() const { return *static_cast<Callable*>(ptr_.get()); }
    Object& object() const { return *static_cast<Object*>(ptr_.get()); }
    const std::string& undefinedHint() const;
    const void* identity() const { return ptr_ ? ptr_.get() : static_cast<const void*>(str_.get()); }

    bool truthy() const;
    std::string typeName() const; // Python type name: 'str', 'dict', ...
    // Python str(): what {{ value }} prints (Undefined prints as empty).
    std::string toStr() const;
    void appendStr(std::string& out) const;
    // Python repr().
    std::string repr() const;
    // Converts to JSON (throws hone::Error for undefined/callables).
    OrderedJson toJson() const;

private:
    Type type_ = Type::Undefined;
    bool markup_ = false;
    union {
        bool b;
        int64_t i;
        double f;
    } u_{};
    std::shared_ptr<const std::string> str_; // String payload, or the hint of an Undefined
    std::shared_ptr<void> ptr_;
};

// Python equality (1 == 1.0 == True; Undefined == Undefined).
bool equals(const Value& a, const Value& b);
// Python ordering; throws hone::Error for unorderable types. Returns <0, 0, >0.
int compare(const Value& a, const Value& b);
// Python float repr (0.1, 1.0, 1e+16, inf, nan).
std::string floatRepr(double d);
// Python repr of a str.
std::string stringRepr(std::string_view s);

// Makes a builtin callable from a lambda.
std::shared_ptr<Callable> makeFunction(std::string name, std::function<Value(Interpreter&, CallArgs&)> fn);

} // namespace hone::jinja
