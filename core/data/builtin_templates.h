// Chat templates Hone offers for models that have none (base models such as the stories260K fixture).
// Plain-text ones use only tokens the model already has; ChatML adds special tokens, so training must resize
// the embeddings and lm_head and train those rows.
#pragma once

#include <string>
#include <vector>

namespace hone::data {

struct BuiltinTemplate {
    std::string name;                          // "alpaca", "chatml"
    std::string description;                   // one line for the UI and `hone train --template help`
    std::string jinja;                         // the template, in Hugging Face chat-template form
    std::vector<std::string> newSpecialTokens; // tokens the template needs added to the vocabulary
    std::string endOfTurn; // text that closes an assistant turn; empty means the model's EOS token
};

const std::vector<BuiltinTemplate>& builtinTemplates();
// Throws hone::Error listing the names when `name` is unknown.
const BuiltinTemplate& builtinTemplate(const std::string& name);

} // namespace hone::data
