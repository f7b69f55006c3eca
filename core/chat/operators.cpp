// Python operators on template values: arithmetic (int/float semantics, overflow checks), `in`, comparisons.
#include "chat/builtins.h"
#include "chat/interpreter.h"
#include "common/error.h"

#include <cmath>

namespace hone::jinja {

namespace {

void checkOverflow(bool overflow) {
    if (overflow) throw Error("integer overflow (values beyond 64 bits are not supported)");
}

[[noreturn]] void badOperands(const char* op, const Value& a, const Value& b) {
    if (a.isUndefined()) throwUndefined(a);
    if (b.isUndefined()) throwUndefined(b);
    throw Error(std::string("unsupported operand type(s) for ") + op + ": '" + a.typeName() + "' and '" +
                b.typeName() + "'");
}

Value repeat(Interpreter& in, const Value& seq, int64_t n) {
    if (n < 0) n = 0;
    if (seq.isString()) {
        in.checkSize(seq.str().size() * static_cast<size_t>(n));
        std::string s;
        for (int64_t i = 0; i < n; ++i) s += seq.str();
        return Value(std::move(s));
    }
    in.checkSize(seq.items().size() * static_cast<size_t>(n) * 16);
    std::vector<Value> out;
    for (int64_t i = 0; i < n; ++i) out.insert(out.end(), seq.items().begin(), seq.items().end());
    return Value::list(std::move(out), seq.isTuple());
}

} // namespace

bool contains(const Value& container, const Value& item) {
    switch (container.type()) {
    case Value::Type::String:
        if (!item.isString())
            throw Error("'in <string>' requires string as left operand, not " + item.typeName());
        return container.str().find(item.str()) != std::string::npos;
    case Value::Type::List:
        for (const auto& e : iterate(container))
            if (equals(e, item)) return true;
        return false;
    case Value::Type::Dict:
        return container.dict().find(item) != nullptr;
    case Value::Type::Undefined:
        return false;
    default:
        throw Error("argument of type '" + container.typeName() + "' is not iterable");
    }
}

Value arithmetic(Interpreter& in, BinOp op, const Value& a, const Value& b) {
    const char* sym = "+";
    switch (op) {
    case BinOp::Add:
        if (a.isInt() && b.isInt()) {
            int64_t r;
            checkOverflow(__builtin_add_overflow(a.asInt(), b.asInt(), &r));
            return Value(r);
        }
        if (a.isNumber() && b.isNumber()) return Value(a.asFloat() + b.asFloat());
        if (a.isMarkup() || b.isMarkup()) {
            if (!a.isString() || !b.isString()) badOperands("+", a, b);
            in.checkSize(a.str().size() + b.str().size());
            return Value::markup((a.isMarkup() ? a.str() : htmlEscape(a.str())) +
                                 (b.isMarkup() ? b.str() : htmlEscape(b.str())));
        }
        if (a.isString() && b.isString()) {
            in.checkSize(a.str().size() + b.str().size());
            return Value(a.str() + b.str());
        }
        if (a.isList() && b.isList() && a.isTuple() == b.isTuple()) {
            std::vector<Value> out = a.items();
            out.insert(out.end(), b.items().begin(), b.items().end());
            return Value::list(std::move(out), a.isTuple());
        }
        break;
    case BinOp::Sub:
        sym = "-";
        if (a.isInt() && b.isInt()) {
            int64_t r;
            checkOverflow(__builtin_sub_overflow(a.asInt(), b.asInt(), &r));
            return Value(r);
        }
        if (a.isNumber() && b.isNumber()) return Value(a.asFloat() - b.asFloat());
        break;
    case BinOp::Mul:
        sym = "*";
        if (a.isInt() && b.isInt()) {
            int64_t r;
            checkOverflow(__builtin_mul_overflow(a.asInt(), b.asInt(), &r));
            return Value(r);
        }
        if (a.isNumber() && b.isNumber()) return Value(a.asFloat() * b.asFloat());
        if ((a.isString() || a.isList()) && b.isInt()) return repeat(in, a, b.asInt());
        if (a.isInt() && (b.isString() || b.isList())) return repeat(in, b, a.asInt());
        break;
    case BinOp::Div:
        sym = "/";
        if (a.isNumber() && b.isNumber()) {
            if (b.asFloat() == 0) throw Error("division by zero");
            return Value(a.asFloat() / b.asFloat());
        }
        break;
    case BinOp::FloorDiv:
        sym = "//";
        if (a.isInt() && b.isInt()) {
            int64_t x = a.asInt(), y = b.asInt();
            if (y == 0) throw Error("integer division or modulo by zero");
            if (x == INT64_MIN && y == -1) throw Error("integer overflow");
            int64_t q = x / y;
            if ((x % y != 0) && ((x < 0) != (y < 0))) --q;
            return Value(q);
        }
        if (a.isNumber() && b.isNumber()) {
            if (b.asFloat() == 0) throw Error("float floor division by zero");
            return Value(std::floor(a.asFloat() / b.asFloat()));
        }
        break;
    case BinOp::Mod:
        sym = "%";
        if (a.isString()) return Value(pyPercentFormat(a.str(), b));
        if (a.isInt() && b.isInt()) {
            int64_t x = a.asInt(), y = b.asInt();
            if (y == 0) throw Error("integer division or modulo by zero");
            if (y == -1) return Value(int64_t(0));
            int64_t r = x % y;
            if (r != 0 && ((r < 0) != (y < 0))) r += y;
            return Value(r);
        }
        if (a.isNumber() && b.isNumber()) {
            double y = b.asFloat();
            if (y == 0) throw Error("float modulo");
            double r = std::fmod(a.asFloat(), y);
            if (r != 0 && ((r < 0) != (y < 0))) r += y;
            return Value(r);
        }
        break;
    case BinOp::Pow:
        sym = "**";
        if (a.isInt() && b.isInt() && b.asInt() >= 0) {
            int64_t base = a.asInt(), e = b.asInt(), r = 1;
            while (e > 0) {
                if (e & 1) checkOverflow(__builtin_mul_overflow(r, base, &r));
                e >>= 1;
                if (e > 0) checkOverflow(__builtin_mul_overflow(base, base, &base));
            }
            return Value(r);
        }
        if (a.isNumber() && b.isNumber()) {
            if (a.asFloat() == 0 && b.asFloat() < 0) throw Error("0.0 cannot be raised to a negative power");
            return Value(std::pow(a.asFloat(), b.asFloat()));
        }
        break;
    default:
        break;
    }
    badOperands(sym, a, b);
}

Value compareOp(Interpreter& in, BinOp op, const Value& l, const Value& r) {
    switch (op) {
    case BinOp::Eq:
        return Value(equals(l, r));
    case BinOp::Ne:
        return Value(!equals(l, r));
    case BinOp::In:
        return Value(contains(r, l));
    case BinOp::NotIn:
        return Value(!contains(r, l));
    default:
        break;
    }
    (void)in;
    if (l.isUndefined()) throwUndefined(l);
    if (r.isUndefined()) throwUndefined(r);
    int c = compare(l, r);
    if (op == BinOp::Lt) return Value(c < 0);
    if (op == BinOp::Gt) return Value(c > 0);
    if (op == BinOp::Le) return Value(c <= 0);
    return Value(c >= 0);
}

} // namespace hone::jinja
