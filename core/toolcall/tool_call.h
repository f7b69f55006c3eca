// Tool calls as open models emit them: the formats Hone understands, the parse result (content, reasoning,
// calls, whether a near-miss was repaired, what could not be parsed) and the entry point that parses a
// model's output in a given format.
#pragma once

#include "common/json.h"

#include <string>
#include <string_view>
#include <vector>

namespace hone::toolcall {

enum class Format {
    Hermes,  // <tool_call>{"name": .., "arguments": {..}}</tool_call> (Hermes 2 Pro/3, Qwen 2.5)
    Qwen3,   // Hermes calls plus <think>...</think> reasoning (Qwen 3, QwQ)
    Llama3,  // bare {"name": .., "parameters": {..}} and <|python_tag|> built-in calls (Llama 3.1-3.3)
    Mistral, // [TOOL_CALLS][{..}] (v3) and [TOOL_CALLS]name[CALL_ID]id[ARGS]{..} (v11+)
    Generic, // any JSON object/array with name + arguments/parameters in the text
};

inline constexpr Format kAllFormats[] = {Format::Hermes, Format::Qwen3, Format::Llama3, Format::Mistral,
                                         Format::Generic};

// "hermes", "qwen3", "llama3", "mistral", "generic".
std::string formatName(Format format);
// The inverse; throws hone::Error listing the valid names.
Format formatFromName(std::string_view name);

struct ToolCall {
    std::string id; // as the model gave it; may be empty
    std::string name;
    OrderedJson arguments = OrderedJson::object(); // always a JSON object
    bool repaired = false;                         // the call was a near-miss that the repair pass fixed
};

struct ParseResult {
    std::string content;   // text outside calls and reasoning, trimmed
    std::string reasoning; // <think> (and variants) blocks, joined with newlines
    std::vector<ToolCall> calls;
    bool repaired = false;           // some call needed the repair pass
    std::vector<std::string> errors; // calls that could not be parsed, and why
};

// Largest text parse() accepts; longer text throws hone::Error.
inline constexpr size_t kMaxParseBytes = size_t(16) << 20;

// Parses one assistant message in `format`. Never throws on malformed calls (they land in errors and their
// text stays in content); throws hone::Error only when the text exceeds kMaxParseBytes.
ParseResult parse(Format format, std::string_view text);

// {"content", "reasoning", "tool_calls": [{"name", "arguments"}],
// "repaired"} plus "errors" when some call could not be parsed.
OrderedJson toJson(const ParseResult& result);

} // namespace hone::toolcall
