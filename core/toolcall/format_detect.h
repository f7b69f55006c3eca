// Which tool-call format a model emits, read from its chat template: the markers the template writes for
// assistant tool calls ([TOOL_CALLS], <tool_call> with or without <think>, <|python_tag|> / "parameters").
#pragma once

#include "toolcall/tool_call.h"

#include <string>
#include <string_view>

namespace hone::toolcall {

// From a chat template's source text; Generic when no known marker is present.
Format detectFormat(std::string_view templateSource);
// From a model folder (chat_template.jinja or tokenizer_config.json) or a .gguf file: the template chosen
// for a conversation with tools. Throws hone::Error when the model has no chat template.
Format detectModelFormat(const std::string& modelPath);

} // namespace hone::toolcall
