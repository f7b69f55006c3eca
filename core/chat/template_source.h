// Where chat templates come from: a model folder (chat_template.jinja, tokenizer_config.json's chat_template
// as a string or a list of {name, template}), a standalone .jinja file, or template text (e.g. GGUF
// metadata).
#pragma once

#include "common/json.h"

#include <optional>
#include <string>
#include <vector>

namespace hone::jinja {

struct NamedTemplate {
    std::string name; // "default", "tool_use", "rag", ...
    std::string text;
};

struct ChatTemplateSet {
    std::vector<NamedTemplate> templates;
    std::string origin; // file the templates were read from, for messages

    const NamedTemplate* find(const std::string& name) const;
    // transformers' choice: an explicit name; else "tool_use" when tools are given and it exists; else
    // "default"; else the only template. Throws hone::Error listing the available names.
    const NamedTemplate& select(const std::optional<std::string>& name, bool hasTools) const;
};

// Special tokens of a model folder, from tokenizer_config.json (strings or {"content": ...} objects),
// added tokens and generation_config.json's eos_token_id.
struct ModelTokens {
    std::optional<std::string> bosToken;
    std::optional<std::string> eosToken;
    std::vector<std::string> stopTokens; // eos_token plus generation_config eos ids, as text
};

// Parses tokenizer_config.json's chat_template value (string or list of {name, template}).
ChatTemplateSet templatesFromConfig(const Json& chatTemplate, const std::string& origin);
// A template given as text (GGUF tokenizer.chat_template or a .jinja file's content).
ChatTemplateSet templatesFromText(std::string text, const std::string& origin);
// A standalone .jinja file.
ChatTemplateSet loadTemplateFile(const std::string& path);
// A model folder: chat_template.jinja (and additional_chat_templates/*.jinja) take precedence over
// tokenizer_config.json's chat_template. Throws hone::Error when the folder has no chat template.
ChatTemplateSet loadModelTemplates(const std::string& folder);
ModelTokens loadModelTokens(const std::string& folder);

// hone::readTextFile with the 64 MiB limit chat templates and contexts get; throws hone::Error naming the
// file.
std::string readTextFile(const std::string& path, size_t maxBytes = size_t(64) << 20);

} // namespace hone::jinja
