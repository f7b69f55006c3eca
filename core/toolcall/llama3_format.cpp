// Llama 3.1/3.2/3.3 tool calls: a bare {"name": .., "parameters": {..}} (or "arguments"), optionally after
// <|python_tag|>, several separated by ';' or newlines; and <|python_tag|> built-in calls such as
// brave_search.call(query="...") / wolfram_alpha.call(query="...").
#include "toolcall/lenient_json.h"
#include "toolcall/parse_support.h"

#include <algorithm>

namespace hone::toolcall::detail {

namespace {

constexpr std::string_view kPythonTag = "<|python_tag|>";

bool identStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool identChar(char c) {
    return identStart(c) || (c >= '0' && c <= '9');
}

size_t identEnd(std::string_view s, size_t pos) {
    if (pos >= s.size() || !identStart(s[pos])) return pos;
    while (pos < s.size() && identChar(s[pos])) ++pos;
    return pos;
}

// True when s[pos..] is `ident =` (the start of the next keyword argument).
bool kwargAhead(std::string_view s, size_t pos) {
    pos = skipSpace(s, pos);
    size_t e = identEnd(s, pos);
    if (e == pos) return false;
    e = skipSpace(s, e);
    return e < s.size() && s[e] == '=';
}

// Length of `name.call(` at pos (0 when absent); the name goes to *name.
size_t builtinHead(std::string_view s, size_t pos, std::string* name) {
    size_t e = identEnd(s, pos);
    if (e == pos || !s.substr(e).starts_with(".call(")) return 0;
    *name = s.substr(pos, e - pos);
    return e - pos + 6;
}

// Parses the keyword arguments of a built-in call after `name.call(`; pos ends past ')'. The template writes
// string values as arg="value" without escaping, so a quote closes the value only when ')' or the next
// `key=` follows it.
bool parseKwargs(std::string_view s, size_t* pos, OrderedJson* args, std::string* why) {
    size_t i = *pos;
    for (;;) {
        i = skipSpace(s, i);
        if (i >= s.size()) {
            *why = "the built-in call ends before its ')' (truncated)";
            return false;
        }
        if (s[i] == ')') {
            *pos = i + 1;
            return true;
        }
        size_t e = identEnd(s, i);
        if (e == i) {
            *why = "expected an argument name in the built-in call";
            return false;
        }
        std::string key(s.substr(i, e - i));
        i = skipSpace(s, e);
        if (i >= s.size() || s[i] != '=') {
            *why = "expected '=' after the argument " + key;
            return false;
        }
        i = skipSpace(s, i + 1);
        if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
            char q = s[i];
            size_t close = std::string_view::npos;
            for (size_t k = s.find(q, i + 1); k != std::string_view::npos; k = s.find(q, k + 1)) {
                size_t after = skipSpace(s, k + 1);
                if (after < s.size() && (s[after] == ')' || (s[after] == ',' && kwargAhead(s, after + 1)))) {
                    close = k;
                    break;
                }
            }
            if (close == std::string_view::npos) {
                *why = "the value of " + key + " is never closed (truncated)";
                return false;
            }
            (*args)[key] = std::string(s.substr(i + 1, close - i - 1));
            i = close + 1;
        } else {
            auto v = parseLenientJson(s, i, why);
            if (!v) return false;
            (*args)[key] = std::move(v->value);
            i = v->end;
        }
        i = skipSpace(s, i);
        if (i < s.size() && s[i] == ',') ++i;
    }
}

// The calls after <|python_tag|>: built-in calls and JSON calls separated by ';' or newlines.
void parseTaggedCalls(std::string_view s, ResultBuilder& out) {
    size_t pos = 0;
    int index = 0;
    for (;;) {
        for (;;) { // separators: whitespace, ';' and repeated <|python_tag|>
            if (pos < s.size() && (isSpace(s[pos]) || s[pos] == ';'))
                ++pos;
            else if (s.substr(pos).starts_with(kPythonTag))
                pos += kPythonTag.size();
            else
                break;
        }
        if (pos >= s.size()) return;
        const std::string where = "tool call " + std::to_string(++index);
        std::string why, name;
        if (size_t head = builtinHead(s, pos, &name); head > 0) {
            size_t p = pos + head;
            ToolCall call;
            call.name = name;
            if (!parseKwargs(s, &p, &call.arguments, &why)) {
                out.fail(where, why, s.substr(pos));
                return;
            }
            out.addCall(std::move(call));
            pos = p;
            continue;
        }
        if (s[pos] == '{' || s[pos] == '[' || s.substr(pos).starts_with("```")) {
            bool fenced = false;
            std::string_view rest = s.substr(pos);
            std::string_view body = unfence(rest, &fenced);
            if (fenced) {
                addCallsFromRegion(body, where, true, rest, out);
                return;
            }
            auto v = parseLenientJson(s, pos, &why);
            if (!v) {
                out.fail(where, "its JSON could not be read: " + why, s.substr(pos));
                return;
            }
            if (!addCallsFromValue(v->value, where, v->repaired, s.substr(pos, v->end - pos), out)) return;
            pos = v->end;
            continue;
        }
        out.fail(where, "after <|python_tag|> comes neither a JSON call nor name.call(...)", s.substr(pos));
        return;
    }
}

// The first <|python_tag|> that is not inside a JSON value (a call's string may hold the text).
size_t findPythonTag(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        if (text.substr(i).starts_with(kPythonTag)) return i;
        if (mayStartCall(text, i)) {
            if (auto v = parseLenientJson(text, i)) {
                i = std::max(v->end, i + 1);
                continue;
            }
        }
        ++i;
    }
    return std::string_view::npos;
}

} // namespace

void parseLlama3(std::string_view text, ResultBuilder& out) {
    size_t tag = findPythonTag(text);
    if (tag == std::string_view::npos) {
        scanForJsonCalls(text, out);
        return;
    }
    scanForJsonCalls(text.substr(0, tag), out);
    parseTaggedCalls(text.substr(tag + kPythonTag.size()), out);
}

} // namespace hone::toolcall::detail
