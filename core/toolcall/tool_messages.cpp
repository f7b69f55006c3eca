// Tool-use chat messages and call ids.
#include "toolcall/tool_messages.h"

#include "common/error.h"

namespace hone::toolcall {

namespace {

constexpr std::string_view kAlnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

std::string randomAlnum(size_t n, std::mt19937_64& rng) {
    std::uniform_int_distribution<size_t> pick(0, kAlnum.size() - 1);
    std::string s;
    for (size_t i = 0; i < n; ++i) s += kAlnum[pick(rng)];
    return s;
}

} // namespace

std::string newCallId(Format format, std::mt19937_64& rng) {
    if (format == Format::Mistral) return randomAlnum(9, rng);
    return "call_" + randomAlnum(24, rng);
}

std::string newCallId(Format format) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return newCallId(format, rng);
}

bool validCallId(Format format, const std::string& id) {
    if (format != Format::Mistral) return !id.empty();
    if (id.size() != 9) return false;
    for (char c : id)
        if (kAlnum.find(c) == std::string_view::npos) return false;
    return true;
}

void assignCallIds(std::vector<ToolCall>& calls, Format format, std::mt19937_64& rng) {
    for (auto& c : calls)
        if (!validCallId(format, c.id)) c.id = newCallId(format, rng);
}

OrderedJson assistantMessage(const std::string& content, const std::vector<ToolCall>& calls) {
    OrderedJson msg = OrderedJson::object();
    msg["role"] = "assistant";
    msg["content"] = content;
    if (calls.empty()) return msg;
    OrderedJson list = OrderedJson::array();
    for (const auto& c : calls) {
        if (c.id.empty())
            throw Error("tool call \"" + c.name +
                        "\" has no id: give it one with assignCallIds before building "
                        "the assistant message");
        OrderedJson fn = OrderedJson::object();
        fn["name"] = c.name;
        fn["arguments"] = c.arguments.is_object() ? c.arguments : OrderedJson::object();
        list.push_back({{"id", c.id}, {"type", "function"}, {"function", std::move(fn)}});
    }
    msg["tool_calls"] = std::move(list);
    return msg;
}

OrderedJson toolResultMessage(const ToolCall& call, const std::string& result) {
    OrderedJson msg = OrderedJson::object();
    msg["role"] = "tool";
    msg["tool_call_id"] = call.id;
    msg["name"] = call.name;
    msg["content"] = result;
    return msg;
}

} // namespace hone::toolcall
