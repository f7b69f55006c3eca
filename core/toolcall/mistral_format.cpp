// Mistral tool calls: v3 `[TOOL_CALLS][{"name": .., "arguments": {..}, "id": ".."}]` (Mistral 7B v0.3, Nemo)
// and v11+ `[TOOL_CALLS]name[CALL_ID]id[ARGS]{..}` repeated once per call (Mistral Small 3.2, Devstral,
// Magistral).
#include "toolcall/lenient_json.h"
#include "toolcall/parse_support.h"

namespace hone::toolcall::detail {

namespace {

constexpr std::string_view kCalls = "[TOOL_CALLS]", kArgs = "[ARGS]", kCallId = "[CALL_ID]";

bool validName(std::string_view name) {
    if (name.empty() || name.size() > 256) return false;
    for (char c : name)
        if (isSpace(c) || c == '[' || c == ']' || c == '{' || c == '}') return false;
    return true;
}

} // namespace

void parseMistral(std::string_view text, ResultBuilder& out) {
    size_t m = text.find(kCalls);
    if (m == std::string_view::npos) {
        if (!addWholeTextCalls(text, out)) out.addContent(text);
        return;
    }
    out.addContent(text.substr(0, m));
    size_t pos = m;
    int index = 0;
    while (pos < text.size()) {
        if (text.substr(pos).starts_with(kCalls)) pos += kCalls.size();
        size_t p = skipSpace(text, pos);
        const std::string where = "tool call " + std::to_string(++index);
        std::string why;
        if (p < text.size() && (text[p] == '[' || text[p] == '{')) { // v3: a JSON list of calls
            auto v = parseLenientJson(text, p, &why);
            if (!v) {
                out.fail(where, "its JSON could not be read: " + why, text.substr(m));
                return;
            }
            if (!addCallsFromValue(v->value, where, v->repaired, text.substr(p, v->end - p), out)) {
                pos = v->end;
                break;
            }
            pos = v->end;
        } else { // v11: name[CALL_ID]id[ARGS]{...}
            size_t a = text.find(kArgs, p);
            if (a == std::string_view::npos) {
                out.fail(where, "no [ARGS] after the tool name", text.substr(pos));
                return;
            }
            std::string_view head = text.substr(p, a - p);
            std::string id;
            size_t ci = head.find(kCallId);
            if (ci != std::string_view::npos) {
                id = trim(head.substr(ci + kCallId.size()));
                head = head.substr(0, ci);
            }
            std::string_view name = trim(head);
            if (!validName(name)) {
                out.fail(where, "\"" + std::string(name.substr(0, 60)) + "\" is not a tool name",
                         text.substr(pos));
                return;
            }
            size_t argsAt = a + kArgs.size();
            auto v = parseLenientJson(text, argsAt, &why);
            if (!v) {
                out.fail(where, "its arguments could not be read: " + why, text.substr(p));
                return;
            }
            OrderedJson obj = OrderedJson::object();
            obj["name"] = std::string(name);
            obj["arguments"] = std::move(v->value);
            if (!id.empty()) obj["id"] = id;
            if (!addCallsFromValue(obj, where, v->repaired, text.substr(p, v->end - p), out)) {
                pos = v->end;
                break;
            }
            pos = v->end;
        }
        size_t q = skipSpace(text, pos);
        if (!text.substr(q).starts_with(kCalls)) break;
        pos = q;
    }
    out.addContent(text.substr(std::min(pos, text.size())));
}

} // namespace hone::toolcall::detail
