// libFuzzer target for tool-call parsing: arbitrary bytes through every format's parser (reasoning split,
// end tokens, repair pass) and the forgiving JSON reader. Must never crash, hang or throw (the input stays
// under the size limit); every call it returns has a name and an object of arguments.
#include "toolcall/lenient_json.h"
#include "toolcall/tool_call.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (hone::toolcall::Format f : hone::toolcall::kAllFormats) {
        const auto r = hone::toolcall::parse(f, text);
        for (const auto& c : r.calls)
            if (c.name.empty() || !c.arguments.is_object()) __builtin_trap();
        // The CLI's JSON must always be printable, whatever bytes the strings hold.
        (void)hone::toolcall::toJson(r).dump(-1, ' ', false, hone::OrderedJson::error_handler_t::replace);
    }
    for (size_t pos = 0; pos < size && pos < 8; ++pos) {
        std::string why;
        if (auto v = hone::toolcall::parseLenientJson(text, pos, &why)) {
            if (v->end <= pos || v->end > size) __builtin_trap();
        } else if (why.empty()) {
            __builtin_trap();
        }
    }
    return 0;
}
