// Chat templates stored in GGUF metadata, as llama.cpp's converter writes them: `tokenizer.chat_template`
// (the default) and `tokenizer.chat_template.<name>` (named variants such as tool_use or rag), plus the
// BOS/EOS token texts from the embedded vocabulary.
#pragma once

#include "chat/template_source.h"

namespace hone {
class GgufFile;
}

namespace hone::jinja {

// Throws hone::Error naming the file when it holds no chat template.
ChatTemplateSet loadGgufTemplates(const GgufFile& file);
ModelTokens loadGgufTokens(const GgufFile& file);
// True for paths that name a GGUF file rather than a model folder.
bool isGgufPath(const std::string& path);

} // namespace hone::jinja
