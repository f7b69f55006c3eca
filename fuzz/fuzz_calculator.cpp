// libFuzzer target: the calculator tool's expression evaluator, and the tool-argument schema checker on the
// same bytes read as JSON. Either gives a value/message or a hone::Error, never a crash.
#include "common/error.h"
#include "tools/calculator.h"
#include "tools/schema_check.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const double v = hone::tools::evaluateExpression(text);
        if (!std::isfinite(v)) std::abort(); // the evaluator promises finite results
        hone::tools::formatNumber(v);
    } catch (const hone::Error&) {
        // refused with a message: fine
    }
    const hone::Json value = hone::Json::parse(text, nullptr, false);
    if (!value.is_discarded()) {
        hone::tools::checkArguments(value, value);
        hone::tools::CalculatorTool tool;
        tool.call(value, hone::tools::Clock::now());
    }
    return 0;
}
