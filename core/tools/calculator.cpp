// Recursive-descent evaluator behind the calculator tool; see calculator.h.
#include "tools/calculator.h"

#include "common/error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <vector>

namespace hone::tools {
namespace {

class Parser {
public:
    explicit Parser(const std::string& text)
        : s_(text) {}

    double parse() {
        if (s_.size() > kMaxExpressionLength)
            throw Error("the expression is " + std::to_string(s_.size()) + " characters long; the limit is " +
                        std::to_string(kMaxExpressionLength));
        skipSpace();
        if (pos_ >= s_.size()) throw Error("the expression is empty");
        const double v = additive();
        skipSpace();
        if (pos_ < s_.size()) fail("unexpected '" + std::string(1, s_[pos_]) + "'");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(what + " at position " + std::to_string(pos_ + 1));
    }

    void skipSpace() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }

    bool take(const char* token) {
        skipSpace();
        const std::size_t n = std::char_traits<char>::length(token);
        if (s_.compare(pos_, n, token) != 0) return false;
        pos_ += n;
        return true;
    }

    struct DepthGuard {
        int& depth;
        explicit DepthGuard(int& d, const Parser& p)
            : depth(d) {
            if (++depth > kMaxExpressionDepth) p.fail("the expression is nested too deeply");
        }
        ~DepthGuard() { --depth; }
    };

    double additive() {
        DepthGuard guard(depth_, *this);
        double v = multiplicative();
        for (;;) {
            if (take("+"))
                v += multiplicative();
            else if (take("-"))
                v -= multiplicative();
            else
                return v;
        }
    }

    double multiplicative() {
        double v = unary();
        for (;;) {
            skipSpace();
            if (s_.compare(pos_, 2, "**") == 0) return v; // power is handled below unary
            const std::size_t at = pos_;
            if (take("*")) {
                v *= unary();
            } else if (take("/")) {
                const double d = unary();
                if (d == 0) {
                    pos_ = at;
                    fail("division by zero");
                }
                v /= d;
            } else if (take("%")) {
                const double d = unary();
                if (d == 0) {
                    pos_ = at;
                    fail("division by zero (modulo)");
                }
                v = std::fmod(v, d);
            } else {
                return v;
            }
        }
    }

    double unary() {
        DepthGuard guard(depth_, *this);
        if (take("-")) return -unary();
        if (take("+")) return unary();
        return power();
    }

    double power() {
        const double base = primary();
        skipSpace();
        if (take("**") || take("^")) return std::pow(base, unary()); // right-associative: 2^3^2 = 2^9
        return base;
    }

    double primary() {
        skipSpace();
        if (pos_ >= s_.size()) fail("the expression ends too early");
        const char c = s_[pos_];
        if (c == '(') {
            ++pos_;
            const double v = additive();
            if (!take(")")) fail("missing ')'");
            return v;
        }
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return number();
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return nameOrCall();
        fail("unexpected '" + std::string(1, c) + "'");
    }

    double number() {
        const std::size_t start = pos_;
        while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.'))
            ++pos_;
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            std::size_t p = pos_ + 1;
            if (p < s_.size() && (s_[p] == '+' || s_[p] == '-')) ++p;
            if (p < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p]))) {
                while (p < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p]))) ++p;
                pos_ = p;
            }
        }
        const std::string text = s_.substr(start, pos_ - start);
        if (text.find('.') != text.rfind('.') || text == ".") {
            pos_ = start;
            fail("malformed number '" + text + "'");
        }
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (end != text.c_str() + text.size()) {
            pos_ = start;
            fail("malformed number '" + text + "'");
        }
        return v;
    }

    double nameOrCall() {
        const std::size_t start = pos_;
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
            ++pos_;
        const std::string name = s_.substr(start, pos_ - start);
        skipSpace();
        if (pos_ >= s_.size() || s_[pos_] != '(') {
            if (name == "pi") return std::numbers::pi;
            if (name == "e") return std::numbers::e;
            pos_ = start;
            fail("unknown name " + name + " (constants are pi and e)");
        }
        static const char* const known[] = {"sqrt", "abs",   "sin",  "cos",   "tan", "log", "ln",
                                            "exp",  "floor", "ceil", "round", "min", "max"};
        if (std::none_of(std::begin(known), std::end(known), [&](const char* k) { return name == k; })) {
            pos_ = start;
            fail("unknown function " + name +
                 " (known: sqrt, abs, sin, cos, tan, log, ln, exp, floor, ceil, round, min, max)");
        }
        ++pos_;
        std::vector<double> args;
        if (!take(")")) {
            do args.push_back(additive());
            while (take(","));
            if (!take(")")) fail("missing ')' after the arguments of " + name);
        }
        const std::size_t end = pos_;
        pos_ = start; // errors about the call point at its name
        const double v = apply(name, args);
        pos_ = end;
        return v;
    }

    double apply(const std::string& f, const std::vector<double>& a) {
        auto arity = [&](std::size_t n) {
            if (a.size() != n)
                fail(f + " takes " + std::to_string(n) + " argument" + (n == 1 ? "" : "s") + ", got " +
                     std::to_string(a.size()));
        };
        if (f == "min" || f == "max") {
            if (a.empty()) fail(f + " needs at least one argument");
            double v = a[0];
            for (double x : a) v = f == "min" ? std::fmin(v, x) : std::fmax(v, x);
            return v;
        }
        if (f == "sqrt") {
            arity(1);
            if (a[0] < 0) fail("sqrt of a negative number");
            return std::sqrt(a[0]);
        }
        if (f == "ln" || f == "log") {
            arity(1);
            if (a[0] <= 0) fail(f + " of a number that is not positive");
            return f == "ln" ? std::log(a[0]) : std::log10(a[0]);
        }
        using Fn = double (*)(double);
        static const std::pair<const char*, Fn> table[] = {
            {"abs", [](double x) { return std::fabs(x); }},
            {"sin", [](double x) { return std::sin(x); }},
            {"cos", [](double x) { return std::cos(x); }},
            {"tan", [](double x) { return std::tan(x); }},
            {"exp", [](double x) { return std::exp(x); }},
            {"floor", [](double x) { return std::floor(x); }},
            {"ceil", [](double x) { return std::ceil(x); }},
            {"round", [](double x) { return std::round(x); }},
        };
        for (const auto& [fname, fn] : table) {
            if (f == fname) {
                arity(1);
                return fn(a[0]);
            }
        }
        fail("unknown function " + f);
    }

    const std::string& s_;
    std::size_t pos_ = 0;
    int depth_ = 0;
};

} // namespace

double evaluateExpression(const std::string& expression) {
    if (expression.find('\0') != std::string::npos) throw Error("the expression contains a NUL character");
    const double v = Parser(expression).parse();
    if (!std::isfinite(v))
        throw Error("the result is not a finite number (overflow or an undefined operation)");
    return v;
}

std::string formatNumber(double value) {
    if (value == 0) return "0"; // also -0
    if (std::fabs(value) < 1e15 && std::floor(value) == value) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f", value);
        return buf;
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.15g", value);
    return buf;
}

std::string CalculatorTool::description() const {
    return "Evaluates an arithmetic expression exactly as written and returns the number. Supports + - * / % "
           "and ^ or ** for powers, parentheses, the functions sqrt abs sin cos tan (radians) log (base 10) "
           "ln "
           "exp floor ceil round min max, and the constants pi and e.";
}

Json CalculatorTool::parameters() const {
    return Json::parse(R"({"type": "object",
        "properties": {"expression": {"type": "string", "description": "for example (2 + 3) * sqrt(16) / 2"}},
        "required": ["expression"]})");
}

ToolResult CalculatorTool::run(const Json& arguments, Deadline) {
    return ToolResult::ok(formatNumber(evaluateExpression(arguments.at("expression").get<std::string>())));
}

} // namespace hone::tools
