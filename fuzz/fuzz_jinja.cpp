// libFuzzer target for the Jinja engine: the input is a template, lexed, parsed and rendered against a small
// chat context under tight sandbox limits. Any exception other than hone::Error, or a crash, is a bug.
#include "chat/assistant_masks.h"
#include "chat/template.h"
#include "common/error.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

const hone::OrderedJson& context() {
    static const hone::OrderedJson ctx = hone::OrderedJson::parse(R"({
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi \u00e9 \ud83c\udf89"},
            {"role": "assistant", "content": "", "reasoning_content": "think",
             "tool_calls": [{"id": "c1", "type": "function",
                             "function": {"name": "f", "arguments": {"a": 1, "b": [true, null, 2.5]}}}]},
            {"role": "tool", "content": "{\"x\": 1}", "tool_call_id": "c1"},
            {"role": "assistant", "content": [{"type": "text", "text": "done"}]}
        ],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        "add_generation_prompt": true, "bos_token": "<s>", "eos_token": "</s>", "enable_thinking": false
    })");
    return ctx;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 16384) return 0;
    std::string_view src(reinterpret_cast<const char*>(data), size);
    hone::jinja::RenderOptions opts;
    opts.limits.maxSteps = 20000;
    opts.limits.maxOutputBytes = 1 << 18;
    opts.limits.maxCallDepth = 40;
    opts.limits.maxRangeItems = 1000;
    opts.nowEpochSeconds = 1700000000;
    try {
        hone::jinja::Template tpl(src);
        (void)tpl.render(context(), opts);
        if (size < 512) (void)hone::jinja::assistantSpans(tpl, context(), opts);
    } catch (const hone::Error&) {
    }
    return 0;
}
