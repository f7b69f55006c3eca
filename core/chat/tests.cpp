// Jinja2's built-in tests (`x is defined`, `n is divisibleby 3`, ...).
#include "chat/builtins.h"
#include "chat/interpreter.h"
#include "chat/text_util.h"
#include "common/error.h"

#include <cmath>
#include <map>

namespace hone::jinja {

namespace {

const Value& need(const CallArgs& a, const char* test) {
    if (a.pos.empty()) {
        if (!a.kw.empty()) return a.kw[0].second;
        throw Error(std::string("test '") + test + "' needs an argument");
    }
    return a.pos[0];
}

bool tBoolean(Interpreter&, const Value& v, CallArgs&) {
    return v.isBool();
}
bool tCallable(Interpreter&, const Value& v, CallArgs&) {
    return v.isCallable();
}
bool tDefined(Interpreter&, const Value& v, CallArgs&) {
    return !v.isUndefined();
}
bool tUndefined(Interpreter&, const Value& v, CallArgs&) {
    return v.isUndefined();
}
bool tDivisibleby(Interpreter&, const Value& v, CallArgs& a) {
    const Value& n = need(a, "divisibleby");
    if (v.isInt() && n.isInt()) {
        if (n.asInt() == 0) throw Error("integer division or modulo by zero");
        return v.asInt() % n.asInt() == 0;
    }
    if (v.isNumber() && n.isNumber()) {
        if (n.asFloat() == 0) throw Error("float modulo");
        return std::fmod(v.asFloat(), n.asFloat()) == 0;
    }
    throw Error("divisibleby: expected numbers");
}
bool tEq(Interpreter&, const Value& v, CallArgs& a) {
    return equals(v, need(a, "eq"));
}
bool tNe(Interpreter&, const Value& v, CallArgs& a) {
    return !equals(v, need(a, "ne"));
}
int cmpNeed(const Value& v, const CallArgs& a, const char* t) {
    const Value& o = need(a, t);
    if (v.isUndefined()) throwUndefined(v);
    return compare(v, o);
}
bool tLt(Interpreter&, const Value& v, CallArgs& a) {
    return cmpNeed(v, a, "lt") < 0;
}
bool tLe(Interpreter&, const Value& v, CallArgs& a) {
    return cmpNeed(v, a, "le") <= 0;
}
bool tGt(Interpreter&, const Value& v, CallArgs& a) {
    return cmpNeed(v, a, "gt") > 0;
}
bool tGe(Interpreter&, const Value& v, CallArgs& a) {
    return cmpNeed(v, a, "ge") >= 0;
}
bool tEven(Interpreter&, const Value& v, CallArgs&) {
    if (!v.isInt()) throw Error("even: expected an integer");
    return v.asInt() % 2 == 0;
}
bool tOdd(Interpreter&, const Value& v, CallArgs&) {
    if (!v.isInt()) throw Error("odd: expected an integer");
    return v.asInt() % 2 != 0;
}
bool tFalse(Interpreter&, const Value& v, CallArgs&) {
    return v.isBool() && !v.asBool();
}
bool tTrue(Interpreter&, const Value& v, CallArgs&) {
    return v.isBool() && v.asBool();
}
bool tFilter(Interpreter&, const Value& v, CallArgs&) {
    return v.isString() && findFilter(v.str()) != nullptr;
}
bool tTest(Interpreter&, const Value& v, CallArgs&) {
    return v.isString() && findTest(v.str()) != nullptr;
}
bool tFloat(Interpreter&, const Value& v, CallArgs&) {
    return v.isFloat();
}
bool tInteger(Interpreter&, const Value& v, CallArgs&) {
    return v.type() == Value::Type::Int;
}
bool tNumber(Interpreter&, const Value& v, CallArgs&) {
    return v.isNumber();
}
bool tIn(Interpreter&, const Value& v, CallArgs& a) {
    const Value& c = need(a, "in");
    if (c.isString()) {
        if (!v.isString()) throw Error("'in <string>' requires string as left operand");
        return c.str().find(v.str()) != std::string::npos;
    }
    if (c.isDict()) return c.dict().find(v) != nullptr;
    for (const auto& x : iterate(c))
        if (equals(x, v)) return true;
    return false;
}
bool tIterable(Interpreter&, const Value& v, CallArgs&) {
    return v.isString() || v.isList() || v.isDict() || v.isUndefined();
}
bool tSequence(Interpreter&, const Value& v, CallArgs&) {
    return v.isString() || v.isList() || v.isDict();
}
bool tMapping(Interpreter&, const Value& v, CallArgs&) {
    return v.isDict();
}
bool tString(Interpreter&, const Value& v, CallArgs&) {
    return v.isString();
}
bool tNone(Interpreter&, const Value& v, CallArgs&) {
    return v.isNone();
}
bool tLower(Interpreter&, const Value& v, CallArgs&) {
    if (!v.isString()) return false;
    return pyLower(v.str()) == v.str();
}
bool tUpper(Interpreter&, const Value& v, CallArgs&) {
    if (!v.isString()) return false;
    return pyUpper(v.str()) == v.str();
}
bool tEscaped(Interpreter&, const Value&, CallArgs&) {
    return false;
}
bool tSameas(Interpreter&, const Value& v, CallArgs& a) {
    const Value& o = need(a, "sameas");
    if (v.type() != o.type()) return false;
    switch (v.type()) {
    case Value::Type::None:
    case Value::Type::Undefined:
        return true;
    case Value::Type::Bool:
        return v.asBool() == o.asBool();
    case Value::Type::Int:
        return v.asInt() == o.asInt() && v.asInt() >= -5 && v.asInt() <= 256;
    default:
        return v.identity() == o.identity();
    }
}

const std::map<std::string, TestFn, std::less<>>& testTable() {
    static const std::map<std::string, TestFn, std::less<>> t = {
        {"boolean", tBoolean},
        {"callable", tCallable},
        {"defined", tDefined},
        {"divisibleby", tDivisibleby},
        {"eq", tEq},
        {"equalto", tEq},
        {"==", tEq},
        {"escaped", tEscaped},
        {"even", tEven},
        {"false", tFalse},
        {"filter", tFilter},
        {"float", tFloat},
        {"ge", tGe},
        {">=", tGe},
        {"gt", tGt},
        {">", tGt},
        {"greaterthan", tGt},
        {"in", tIn},
        {"integer", tInteger},
        {"iterable", tIterable},
        {"le", tLe},
        {"<=", tLe},
        {"lower", tLower},
        {"lt", tLt},
        {"<", tLt},
        {"lessthan", tLt},
        {"mapping", tMapping},
        {"ne", tNe},
        {"!=", tNe},
        {"none", tNone},
        {"number", tNumber},
        {"odd", tOdd},
        {"sameas", tSameas},
        {"sequence", tSequence},
        {"string", tString},
        {"test", tTest},
        {"true", tTrue},
        {"undefined", tUndefined},
        {"upper", tUpper},
    };
    return t;
}

} // namespace

TestFn findTest(const std::string& name) {
    const auto& t = testTable();
    auto it = t.find(name);
    return it == t.end() ? nullptr : it->second;
}

} // namespace hone::jinja
