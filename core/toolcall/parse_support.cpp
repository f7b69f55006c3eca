// Shared pieces of the tool-call parsers: result building, reasoning blocks, end tokens, JSON -> calls and
// the generic scanner.
#include "toolcall/parse_support.h"

#include "toolcall/lenient_json.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace hone::toolcall::detail {

namespace {

struct TagPair {
    std::string_view open, close;
};
constexpr std::array<TagPair, 6> kReasoningTags{{{"<think>", "</think>"},
                                                 {"<thinking>", "</thinking>"},
                                                 {"<reasoning>", "</reasoning>"},
                                                 {"<thought>", "</thought>"},
                                                 {"[THINK]", "[/THINK]"},
                                                 {"<|begin_of_thought|>", "<|end_of_thought|>"}}};

constexpr std::array<std::string_view, 8> kEndTokens{"<|im_end|>", "<|eot_id|>",    "<|eom_id|>",
                                                     "</s>",       "<|endoftext|>", "<|end_of_text|>",
                                                     "<|end|>",    "<end_of_turn>"};

void appendReasoning(std::string* reasoning, std::string_view piece) {
    piece = trim(piece);
    if (piece.empty()) return;
    if (!reasoning->empty()) *reasoning += '\n';
    *reasoning += piece;
}

std::string typeName(const OrderedJson& v) {
    return std::string(v.type_name());
}

// The calls a parsed value holds for the generic scanner: a call object, a non-empty array of call
// objects, or {"tool_calls": [...]} / {"tool_call": {...}} wrappers. Null when it holds none.
const OrderedJson* callsIn(const OrderedJson& v, OrderedJson* storage) {
    if (looksLikeCall(v)) return &v;
    if (v.is_array() && !v.empty()) {
        for (const auto& e : v)
            if (!looksLikeCall(e)) return nullptr;
        return &v;
    }
    if (v.is_object()) {
        for (const char* key : {"tool_calls", "tool_call", "function_call"}) {
            auto it = v.find(key);
            if (it != v.end()) {
                *storage = *it;
                if (callsIn(*storage, storage) != nullptr) return storage;
            }
        }
    }
    return nullptr;
}

// True when the text at `pos` ('{' or '[') starts like a call: {"name": / {'name': / {"function": (so that
// braces in prose are not reported as broken calls).
bool startsLikeCall(std::string_view s, size_t pos) {
    size_t i = pos;
    while (i < s.size() && (s[i] == '{' || s[i] == '[' || isSpace(s[i]))) ++i;
    if (i >= s.size() || (s[i] != '"' && s[i] != '\'')) return false;
    const char q = s[i++];
    for (std::string_view key : {std::string_view("name"), std::string_view("function")}) {
        if (!s.substr(i).starts_with(key) || i + key.size() >= s.size() || s[i + key.size()] != q) continue;
        size_t c = skipSpace(s, i + key.size() + 1);
        if (c < s.size() && s[c] == ':') return true;
    }
    return false;
}

} // namespace

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t skipSpace(std::string_view s, size_t pos) {
    while (pos < s.size() && isSpace(s[pos])) ++pos;
    return pos;
}

std::string_view trim(std::string_view s) {
    size_t b = skipSpace(s, 0);
    size_t e = s.size();
    while (e > b && isSpace(s[e - 1])) --e;
    return s.substr(b, e - b);
}

void ResultBuilder::addCall(ToolCall call) {
    if (call.repaired) result_.repaired = true;
    result_.calls.push_back(std::move(call));
}

void ResultBuilder::reportError(const std::string& where, const std::string& why, std::string_view rawText) {
    std::string snippet(trim(rawText).substr(0, 120));
    result_.errors.push_back(where + ": " + why + (snippet.empty() ? "" : " (text: " + snippet + ")"));
}

void ResultBuilder::fail(const std::string& where, const std::string& why, std::string_view rawText) {
    reportError(where, why, rawText);
    addContent(rawText);
}

void ResultBuilder::addContent(std::string_view text) {
    text = trim(text);
    if (text.empty()) return;
    if (!content_.empty()) content_ += '\n';
    content_ += text;
}

ParseResult ResultBuilder::finish(std::string reasoning) {
    result_.content = std::move(content_);
    result_.reasoning = std::move(reasoning);
    return std::move(result_);
}

std::string splitReasoning(std::string_view text, std::string* reasoning) {
    std::string out;
    size_t pos = 0;
    // A close tag before any open tag: the prompt opened the block, the output starts inside it.
    size_t firstOpen = std::string_view::npos, firstClose = std::string_view::npos;
    size_t closeLen = 0;
    for (const auto& t : kReasoningTags) {
        firstOpen = std::min(firstOpen, text.find(t.open));
        size_t c = text.find(t.close);
        if (c < firstClose) {
            firstClose = c;
            closeLen = t.close.size();
        }
    }
    if (firstClose != std::string_view::npos && firstClose < firstOpen) {
        appendReasoning(reasoning, text.substr(0, firstClose));
        pos = firstClose + closeLen;
    }
    for (;;) {
        size_t open = std::string_view::npos;
        const TagPair* pair = nullptr;
        for (const auto& t : kReasoningTags) {
            size_t o = text.find(t.open, pos);
            if (o < open) {
                open = o;
                pair = &t;
            }
        }
        if (pair == nullptr) {
            out += text.substr(pos);
            break;
        }
        out += text.substr(pos, open - pos);
        size_t inner = open + pair->open.size();
        size_t close = text.find(pair->close, inner);
        if (close == std::string_view::npos) { // still thinking when the output ended
            appendReasoning(reasoning, text.substr(inner));
            break;
        }
        appendReasoning(reasoning, text.substr(inner, close - inner));
        pos = close + pair->close.size();
    }
    return out;
}

std::string stripEndTokens(std::string_view text) {
    std::string out(text);
    for (auto tok : kEndTokens) {
        for (size_t p = out.find(tok); p != std::string::npos; p = out.find(tok, p)) out.erase(p, tok.size());
    }
    return out;
}

std::string_view unfence(std::string_view text, bool* fenced) {
    *fenced = false;
    std::string_view t = trim(text);
    if (!t.starts_with("```")) return text;
    size_t nl = t.find('\n');
    if (nl == std::string_view::npos) return text;
    for (size_t i = 3; i < nl; ++i) { // the language tag: one word
        char c = t[i];
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ' ' || c == '\r'))
            return text;
    }
    std::string_view body = trim(t.substr(nl + 1));
    if (body.ends_with("```")) body = body.substr(0, body.size() - 3);
    *fenced = true;
    return body;
}

bool mayStartCall(std::string_view s, size_t pos) {
    if (pos >= s.size() || (s[pos] != '{' && s[pos] != '[')) return false;
    size_t j = skipSpace(s, pos + 1);
    if (j >= s.size()) return false;
    if (s[pos] == '[') return s[j] == '{' || s[j] == '[';
    if (s[j] == '"' || s[j] == '\'') return true;
    size_t k = j;
    while (k < s.size() && (std::isalnum(static_cast<unsigned char>(s[k])) || s[k] == '_' || s[k] == '$'))
        ++k;
    if (k == j) return false;
    k = skipSpace(s, k);
    return k < s.size() && s[k] == ':';
}

bool looksLikeCall(const OrderedJson& v) {
    if (!v.is_object()) return false;
    auto name = v.find("name");
    if (name != v.end()) return name->is_string() && (v.contains("arguments") || v.contains("parameters"));
    auto fn = v.find("function");
    return fn != v.end() && looksLikeCall(*fn);
}

bool callFromObject(const OrderedJson& obj, ToolCall* call, std::string* why) {
    if (!obj.is_object()) {
        *why = "a tool call must be a JSON object, found " + typeName(obj);
        return false;
    }
    const OrderedJson* src = &obj;
    auto fn = obj.find("function");
    if (!obj.contains("name") && fn != obj.end() && fn->is_object()) src = &*fn;
    auto name = src->find("name");
    if (name == src->end()) {
        *why = "the call has no \"name\"";
        return false;
    }
    if (!name->is_string()) {
        *why = "\"name\" is a " + typeName(*name) + ", not a string";
        return false;
    }
    call->name = trim(name->get<std::string>());
    if (call->name.empty()) {
        *why = "\"name\" is empty";
        return false;
    }
    auto args = src->find("arguments");
    if (args == src->end()) args = src->find("parameters");
    if (args == src->end() || args->is_null()) {
        call->arguments = OrderedJson::object();
    } else if (args->is_object()) {
        call->arguments = *args;
    } else if (args->is_string()) {
        // `arguments` as a JSON string holding the object (OpenAI's wire form): a repair.
        const std::string& s = args->get_ref<const std::string&>();
        std::string_view inner = trim(s);
        call->repaired = true;
        if (inner.empty()) {
            call->arguments = OrderedJson::object();
        } else {
            std::string err;
            auto v = parseLenientJson(inner, 0, &err);
            if (!v || !v->value.is_object() || skipSpace(inner, v->end) != inner.size()) {
                *why = "\"arguments\" is a string that does not hold a JSON object";
                return false;
            }
            call->arguments = std::move(v->value);
        }
    } else {
        *why = "\"arguments\" must be a JSON object, found " + typeName(*args);
        return false;
    }
    for (const OrderedJson* holder : {&obj, src}) {
        auto id = holder->find("id");
        if (id == holder->end()) continue;
        if (id->is_string())
            call->id = id->get<std::string>();
        else if (id->is_number_integer())
            call->id = id->dump();
        break;
    }
    return true;
}

bool addCallsFromValue(const OrderedJson& value, const std::string& where, bool repaired,
                       std::string_view rawText, ResultBuilder& out) {
    std::vector<ToolCall> calls;
    auto one = [&](const OrderedJson& item) {
        ToolCall c;
        std::string why;
        if (!callFromObject(item, &c, &why)) {
            out.fail(where, why, rawText);
            return false;
        }
        c.repaired = c.repaired || repaired;
        calls.push_back(std::move(c));
        return true;
    };
    if (value.is_array()) {
        if (value.empty()) {
            out.fail(where, "an empty list where tool calls should be", rawText);
            return false;
        }
        for (const auto& item : value)
            if (!one(item)) return false;
    } else if (!one(value)) {
        return false;
    }
    for (auto& c : calls) out.addCall(std::move(c));
    return true;
}

size_t addCallsFromRegion(std::string_view region, const std::string& where, bool regionRepaired,
                          std::string_view rawText, ResultBuilder& out) {
    bool fenced = false;
    std::string_view inner = trim(unfence(region, &fenced));
    if (inner.empty()) {
        out.fail(where, "no JSON inside", rawText);
        return 0;
    }
    size_t before = out.callCount();
    size_t pos = 0;
    bool junk = false;
    while (pos < inner.size()) {
        std::string why;
        auto v = parseLenientJson(inner, pos, &why);
        if (!v) {
            if (pos == 0) {
                out.fail(where, "its JSON could not be read: " + why, rawText);
                return 0;
            }
            junk = true; // text after the call: ignored
            break;
        }
        bool repaired = regionRepaired || fenced || v->repaired;
        if (!addCallsFromValue(v->value, where, repaired, rawText, out)) return out.callCount() - before;
        pos = skipSpace(inner, v->end);
        if (pos < inner.size() && (inner[pos] == ',' || inner[pos] == ';')) pos = skipSpace(inner, pos + 1);
        if (pos < inner.size() && inner[pos] != '{') {
            junk = true;
            break;
        }
    }
    if (junk) out.markRepaired();
    return out.callCount() - before;
}

bool addWholeTextCalls(std::string_view text, ResultBuilder& out) {
    bool fenced = false;
    std::string_view inner = trim(unfence(text, &fenced));
    if (inner.empty() || (inner[0] != '{' && inner[0] != '[')) return false;
    auto v = parseLenientJson(inner, 0);
    if (!v || skipSpace(inner, v->end) != inner.size()) return false;
    OrderedJson storage;
    const OrderedJson* calls = callsIn(v->value, &storage);
    if (calls == nullptr) return false;
    return addCallsFromValue(*calls, "tool call", true, text, out);
}

void scanForJsonCalls(std::string_view text, ResultBuilder& out) {
    size_t i = 0, contentStart = 0;
    bool lastWasCall = false;
    int failures = 0;
    while (i < text.size()) {
        if (!mayStartCall(text, i)) {
            ++i;
            continue;
        }
        std::string why;
        size_t failPos = i;
        auto v = parseLenientJson(text, i, &why, &failPos);
        OrderedJson storage;
        const OrderedJson* calls = v ? callsIn(v->value, &storage) : nullptr;
        if (calls == nullptr) {
            if (!v && startsLikeCall(text, i)) {
                // Looks like a call but is broken: report it once; its text stays in the content.
                size_t stop = std::max(failPos, i + 1);
                ++failures;
                out.reportError("tool call " + std::to_string(out.callCount() + size_t(failures)),
                                "its JSON could not be read: " + why, text.substr(i, stop - i));
                i = stop;
                lastWasCall = false;
                continue;
            }
            i = v ? std::max(v->end, i + 1) : i + 1;
            continue;
        }
        std::string_view gap = text.substr(contentStart, i - contentStart);
        size_t end = v->end;
        bool repaired = v->repaired;
        // A ``` fence around the call is dropped with it.
        size_t fence = gap.rfind("```");
        if (fence != std::string_view::npos) {
            std::string_view tag = trim(gap.substr(fence + 3));
            bool word = true;
            for (char t : tag) word = word && (std::isalnum(static_cast<unsigned char>(t)) || t == '_');
            size_t after = skipSpace(text, end);
            if (word && text.substr(after).starts_with("```")) {
                gap = gap.substr(0, fence);
                end = after + 3;
                repaired = true;
            }
        }
        std::string_view sep = gap;
        while (!sep.empty() && (isSpace(sep.front()) || sep.front() == ';' || sep.front() == ','))
            sep.remove_prefix(1);
        if (!(lastWasCall && sep.empty())) out.addContent(gap);
        addCallsFromValue(*calls, "tool call", repaired, text.substr(i, end - i), out);
        i = contentStart = end;
        lastWasCall = true;
    }
    out.addContent(text.substr(contentStart));
}

} // namespace hone::toolcall::detail
