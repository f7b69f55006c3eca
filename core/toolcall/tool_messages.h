// The other direction: the OpenAI-style messages Hugging Face chat templates expect for tool use — the
// assistant message carrying tool_calls and the `tool` role messages with results — and call ids in the
// form each format needs (Mistral: exactly 9 alphanumeric characters).
#pragma once

#include "common/json.h"
#include "toolcall/tool_call.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace hone::toolcall {

// A new call id: 9 alphanumeric characters for Mistral, "call_" + 24 alphanumeric characters otherwise.
std::string newCallId(Format format, std::mt19937_64& rng);
std::string newCallId(Format format); // seeded from std::random_device
// True when `id` is usable by `format`'s template (Mistral: 9 alphanumeric characters; others: non-empty).
bool validCallId(Format format, const std::string& id);
// Gives every call without a usable id a new one.
void assignCallIds(std::vector<ToolCall>& calls, Format format, std::mt19937_64& rng);

// {"role": "assistant", "content": content, "tool_calls": [{"id", "type": "function", "function": {"name",
// "arguments": {...}}}]}; arguments stay JSON objects (the templates apply tojson themselves). Calls must
// have ids (assignCallIds).
OrderedJson assistantMessage(const std::string& content, const std::vector<ToolCall>& calls);
// {"role": "tool", "tool_call_id": id, "name": name, "content": result}.
OrderedJson toolResultMessage(const ToolCall& call, const std::string& result);

} // namespace hone::toolcall
