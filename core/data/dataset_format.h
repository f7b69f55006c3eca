// Dataset formats people use, detected from the records' fields, and their conversion to one form: a
// conversation in OpenAI message form (role/content/tool_calls) that chat templates render, a plain text for
// continued pre-training, or a prompt/completion pair.
#pragma once

#include "data/dataset_file.h"

#include <optional>
#include <string>
#include <vector>

namespace hone::data {

enum class DatasetFormat { Alpaca, ShareGpt, OpenAiMessages, Text, PromptCompletion };

std::string formatName(DatasetFormat f); // "alpaca", "sharegpt", "messages", "text", "prompt-completion"
// Parses a user's --format value; throws hone::Error listing the accepted names.
DatasetFormat parseFormatName(const std::string& name);

struct Detection {
    std::optional<DatasetFormat> format; // empty when nothing fits
    double share = 0;                    // fraction of sampled records that fit it
    std::string explanation;             // what was seen, for the user
};

// Looks at up to the first 200 records.
Detection detectFormat(const RawDataset& ds);

struct Example {
    enum class Kind { Conversation, Text, Completion } kind = Kind::Conversation;
    std::size_t line = 0;
    Json messages = Json::array();  // Conversation: [{role, content, ...}]
    std::string text;               // Text
    std::string prompt, completion; // Completion
};

struct Conversion {
    DatasetFormat format = DatasetFormat::OpenAiMessages;
    std::vector<Example> examples;
    std::vector<Problem> problems; // the file's own problems plus rows that did not fit the format
    std::size_t kept() const { return examples.size(); }
    std::size_t skipped = 0; // records that did not convert (file-level problems are not counted)
};

Conversion convert(const RawDataset& ds, DatasetFormat format);

// Checks a conversation's shape: known roles, content types, tool calls, at least one assistant turn, and
// user/assistant alternation (tool results only after an assistant turn with tool calls). Returns the reason
// it is unusable, or an empty string.
std::string validateConversation(const Json& messages);

} // namespace hone::data
