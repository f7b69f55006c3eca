// Hermes 2 Pro / Hermes 3 / Qwen 2.5 / Qwen 3 tool calls: <tool_call>{"name": .., "arguments":
// {..}}</tool_call>, several per message; a missing </tool_call> (end of output or the next <tool_call>) is
// repaired.
#include "toolcall/lenient_json.h"
#include "toolcall/parse_support.h"

namespace hone::toolcall::detail {

void parseHermes(std::string_view text, ResultBuilder& out) {
    constexpr std::string_view open = "<tool_call>", close = "</tool_call>";
    if (text.find(open) == std::string_view::npos) {
        if (!addWholeTextCalls(text, out)) out.addContent(text);
        return;
    }
    size_t pos = 0;
    int index = 0;
    for (;;) {
        size_t o = text.find(open, pos);
        if (o == std::string_view::npos) break;
        out.addContent(text.substr(pos, o - pos));
        size_t start = o + open.size();
        size_t c = text.find(close, start);
        size_t next = text.find(open, start);
        size_t end = c, after = c + close.size();
        bool missingClose = false;
        // The JSON read as a whole first, so that "</tool_call>" inside one of its strings does not end it.
        auto whole = parseLenientJson(text, start);
        size_t behind = whole ? skipSpace(text, whole->end) : 0;
        if (whole && text.substr(behind).starts_with(close)) {
            end = behind;
            after = behind + close.size();
        } else if (c == std::string_view::npos || next < c) {
            end = after = next == std::string_view::npos ? text.size() : next;
            missingClose = true;
        }
        ++index;
        addCallsFromRegion(text.substr(start, end - start), "tool call " + std::to_string(index),
                           missingClose, text.substr(o, after - o), out);
        pos = after;
    }
    // A stray </tool_call> left over after the calls is not content.
    std::string_view rest = text.substr(pos);
    if (trim(rest).starts_with(close)) rest = trim(rest).substr(close.size());
    out.addContent(rest);
}

} // namespace hone::toolcall::detail
