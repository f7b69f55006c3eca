// A safe arithmetic evaluator for the calculator tool: numbers, + - * / % ^ ** (power, right-associative,
// binding tighter than unary minus: -2^2 = -4), parentheses, sqrt abs sin cos tan log (base 10) ln exp floor
// ceil round min max, constants pi and e. Nothing else is evaluated: no names, no assignments, no code.
#pragma once

#include "tools/tool.h"

#include <string>

namespace hone::tools {

inline constexpr std::size_t kMaxExpressionLength = 1000;
inline constexpr int kMaxExpressionDepth = 64;

// Throws hone::Error with the position and the problem ("division by zero", "unknown function foo",
// "unexpected ')' at position 5", "result is not a finite number").
double evaluateExpression(const std::string& expression);
// The value as the tool prints it: integers without a fraction, else up to 15 significant digits.
std::string formatNumber(double value);

class CalculatorTool : public Tool {
public:
    std::string name() const override { return "calculator"; }
    std::string description() const override;
    Json parameters() const override;

protected:
    ToolResult run(const Json& arguments, Deadline deadline) override;
};

} // namespace hone::tools
