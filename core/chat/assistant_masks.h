// Assistant masks for "train on responses only": which byte spans of a rendered conversation came from
// assistant messages, end-of-turn text included. Uses {% generation %} blocks when the template has them,
// otherwise renders successive prefixes of the conversation and diffs them.
#pragma once

#include "chat/template.h"

#include <string>
#include <vector>

namespace hone::jinja {

struct AssistantSpans {
    std::string text;            // the full conversation rendered with add_generation_prompt=false
    std::vector<TextSpan> spans; // byte spans of `text`, one per assistant message that could be located
    std::string method;          // "generation" or "prefix-diff"
    bool consistent = true;      // false when some prefix did not render as a prefix of the full text
    std::vector<std::string> problems; // one line per assistant message that could not be located, and why
    std::vector<std::string> notes;    // messages located by the fallback (generation prompt not a prefix)
};

// `context` holds "messages" and any other template variables. Offsets are UTF-8 byte offsets into `text`.
AssistantSpans assistantSpans(const Template& tpl, const OrderedJson& context,
                              const RenderOptions& options = {});

} // namespace hone::jinja
