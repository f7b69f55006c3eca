// Format detection and conversion of dataset records.
#include "data/dataset_format.h"

#include "common/error.h"

#include <array>
#include <map>

namespace hone::data {

namespace {

bool isString(const Json& o, const char* key) {
    return o.contains(key) && o[key].is_string();
}

std::string fieldError(const char* key, const Json& o) {
    if (!o.contains(key)) return std::string("missing field \"") + key + "\"";
    return std::string("field \"") + key + "\" should be a string, found " + o[key].type_name();
}

Json message(const std::string& role, const std::string& content) {
    return Json{{"role", role}, {"content", content}};
}

// Alpaca: instruction (+ input) -> user, output -> assistant, optional system.
std::string fromAlpaca(const Json& r, Example& ex) {
    for (const char* k : {"instruction", "output"})
        if (!isString(r, k)) return fieldError(k, r);
    if (r.contains("input") && !r["input"].is_string() && !r["input"].is_null())
        return fieldError("input", r);
    std::string user = r["instruction"].get<std::string>();
    if (r.contains("input") && r["input"].is_string() && !r["input"].get<std::string>().empty())
        user += "\n\n" + r["input"].get<std::string>();
    if (isString(r, "system") && !r["system"].get<std::string>().empty())
        ex.messages.push_back(message("system", r["system"].get<std::string>()));
    ex.messages.push_back(message("user", user));
    ex.messages.push_back(message("assistant", r["output"].get<std::string>()));
    return {};
}

// ShareGPT: conversations: [{from, value}], from in human/gpt/system/tool (and common aliases).
std::string fromShareGpt(const Json& r, Example& ex) {
    if (!r.contains("conversations") || !r["conversations"].is_array())
        return r.contains("conversations") ? "field \"conversations\" should be a list"
                                           : "missing field \"conversations\"";
    static const std::map<std::string, std::string> roles = {
        {"system", "system"},         {"human", "user"},          {"user", "user"},
        {"gpt", "assistant"},         {"assistant", "assistant"}, {"bot", "assistant"},
        {"model", "assistant"},       {"tool", "tool"},           {"observation", "tool"},
        {"function_response", "tool"}};
    std::size_t i = 0;
    for (const Json& turn : r["conversations"]) {
        ++i;
        if (!turn.is_object() || !isString(turn, "from") || !isString(turn, "value"))
            return "turn " + std::to_string(i) + " needs string fields \"from\" and \"value\"";
        auto it = roles.find(turn["from"].get<std::string>());
        if (it == roles.end())
            return "turn " + std::to_string(i) + " has unknown speaker \"" + turn["from"].get<std::string>() +
                   "\" (expected human, gpt, system or tool)";
        ex.messages.push_back(message(it->second, turn["value"].get<std::string>()));
    }
    return {};
}

std::string fromMessages(const Json& r, Example& ex) {
    if (!r.contains("messages") || !r["messages"].is_array())
        return r.contains("messages") ? "field \"messages\" should be a list" : "missing field \"messages\"";
    ex.messages = r["messages"];
    // Tools declared per example travel with it (templates render them into the system prompt).
    return {};
}

bool fits(const Json& r, DatasetFormat f) {
    switch (f) {
    case DatasetFormat::OpenAiMessages:
        return r.contains("messages");
    case DatasetFormat::ShareGpt:
        return r.contains("conversations");
    case DatasetFormat::Alpaca:
        return r.contains("instruction") && r.contains("output");
    case DatasetFormat::PromptCompletion:
        return r.contains("prompt") && r.contains("completion");
    case DatasetFormat::Text:
        return r.contains("text");
    }
    return false;
}

constexpr std::array<DatasetFormat, 5> kAll = {DatasetFormat::OpenAiMessages, DatasetFormat::ShareGpt,
                                               DatasetFormat::Alpaca, DatasetFormat::PromptCompletion,
                                               DatasetFormat::Text};
} // namespace

std::string formatName(DatasetFormat f) {
    switch (f) {
    case DatasetFormat::Alpaca:
        return "alpaca";
    case DatasetFormat::ShareGpt:
        return "sharegpt";
    case DatasetFormat::OpenAiMessages:
        return "messages";
    case DatasetFormat::Text:
        return "text";
    case DatasetFormat::PromptCompletion:
        return "prompt-completion";
    }
    return "messages";
}

DatasetFormat parseFormatName(const std::string& name) {
    for (DatasetFormat f : kAll)
        if (formatName(f) == name) return f;
    if (name == "openai" || name == "chat") return DatasetFormat::OpenAiMessages;
    throw Error("unknown dataset format '" + name +
                "': expected alpaca, sharegpt, messages, text or prompt-completion");
}

Detection detectFormat(const RawDataset& ds) {
    Detection d;
    const std::size_t n = std::min<std::size_t>(ds.records.size(), 200);
    if (n == 0) {
        d.explanation = "no readable records";
        return d;
    }
    std::size_t best = 0;
    for (DatasetFormat f : kAll) {
        std::size_t count = 0;
        for (std::size_t i = 0; i < n; ++i) count += fits(ds.records[i].value, f);
        if (count > best) {
            best = count;
            d.format = f;
        }
    }
    d.share = double(best) / double(n);
    if (!d.format || d.share < 0.5) {
        d.format.reset();
        std::string keys;
        for (auto& [k, v] : ds.records.front().value.items()) keys += (keys.empty() ? "" : ", ") + k;
        d.explanation =
            "no known format fits (first record has fields: " + keys +
            "); expected messages, conversations, instruction+output, prompt+completion or text — "
            "rename the fields or choose the format explicitly";
        return d;
    }
    d.explanation = formatName(*d.format) + " (" + std::to_string(best) + " of the first " +
                    std::to_string(n) + " records fit)";
    return d;
}

std::string validateConversation(const Json& messages) {
    if (!messages.is_array() || messages.empty()) return "the conversation is empty";
    bool sawAssistant = false, pendingToolCalls = false;
    std::string previous;
    std::size_t i = 0;
    for (const Json& m : messages) {
        ++i;
        const std::string at = "message " + std::to_string(i);
        if (!m.is_object() || !isString(m, "role")) return at + " needs a string \"role\"";
        const std::string role = m["role"].get<std::string>();
        const bool hasToolCalls =
            m.contains("tool_calls") && m["tool_calls"].is_array() && !m["tool_calls"].empty();
        if (m.contains("content") && !m["content"].is_string() && !m["content"].is_array() &&
            !m["content"].is_null())
            return at + ": \"content\" should be a string or a list of parts";
        if (!m.contains("content") || m["content"].is_null()) {
            if (!(role == "assistant" && hasToolCalls)) return at + " (" + role + ") has no content";
        }
        if (role == "system") {
            if (i != 1) return at + ": a system message may only come first";
        } else if (role == "user") {
            if (previous == "user") return at + ": two user messages in a row (roles must alternate)";
            if (pendingToolCalls)
                return at + ": a user message before the results of the assistant's tool calls";
        } else if (role == "assistant") {
            if (previous.empty() || previous == "system")
                return at + ": the conversation starts with the assistant";
            if (previous == "assistant")
                return at + ": two assistant messages in a row (roles must alternate)";
            sawAssistant = true;
            pendingToolCalls = hasToolCalls;
            if (hasToolCalls)
                for (const Json& call : m["tool_calls"]) {
                    const Json& fn = call.contains("function") ? call["function"] : call;
                    if (!fn.is_object() || !isString(fn, "name"))
                        return at + ": each tool call needs a function name";
                    if (fn.contains("arguments") && !fn["arguments"].is_object() &&
                        !fn["arguments"].is_string())
                        return at + ": tool call arguments should be an object or a JSON string";
                }
        } else if (role == "tool") {
            if (previous != "assistant" && previous != "tool")
                return at + ": a tool result must follow an assistant tool call";
            if (previous == "assistant" && !pendingToolCalls)
                return at + ": a tool result without a tool call before it";
            pendingToolCalls = false;
        } else {
            return at + " has unknown role \"" + role + "\" (expected system, user, assistant or tool)";
        }
        previous = role;
    }
    if (!sawAssistant) return "no assistant message: nothing to train on";
    return {};
}

Conversion convert(const RawDataset& ds, DatasetFormat format) {
    Conversion out;
    out.format = format;
    out.problems = ds.problems;
    for (const Record& rec : ds.records) {
        Example ex;
        ex.line = rec.line;
        std::string err;
        const Json& r = rec.value;
        switch (format) {
        case DatasetFormat::Alpaca:
            err = fromAlpaca(r, ex);
            break;
        case DatasetFormat::ShareGpt:
            err = fromShareGpt(r, ex);
            break;
        case DatasetFormat::OpenAiMessages:
            err = fromMessages(r, ex);
            break;
        case DatasetFormat::Text:
            ex.kind = Example::Kind::Text;
            if (!isString(r, "text"))
                err = fieldError("text", r);
            else if ((ex.text = r["text"].get<std::string>()).empty())
                err = "field \"text\" is empty";
            break;
        case DatasetFormat::PromptCompletion:
            ex.kind = Example::Kind::Completion;
            if (!isString(r, "prompt"))
                err = fieldError("prompt", r);
            else if (!isString(r, "completion"))
                err = fieldError("completion", r);
            else {
                ex.prompt = r["prompt"].get<std::string>();
                ex.completion = r["completion"].get<std::string>();
                if (ex.completion.empty()) err = "field \"completion\" is empty: nothing to train on";
            }
            break;
        }
        if (err.empty() && ex.kind == Example::Kind::Conversation) err = validateConversation(ex.messages);
        if (!err.empty()) {
            out.problems.push_back({rec.line, err});
            ++out.skipped;
            continue;
        }
        out.examples.push_back(std::move(ex));
    }
    return out;
}

} // namespace hone::data
