// Tool-call format detection from chat templates.
#include "toolcall/format_detect.h"

#include "chat/gguf_templates.h"
#include "chat/template_source.h"
#include "model/gguf_file.h"

namespace hone::toolcall {

Format detectFormat(std::string_view src) {
    auto has = [&](std::string_view marker) { return src.find(marker) != std::string_view::npos; };
    if (has("[TOOL_CALLS]") || has("[ARGS]")) return Format::Mistral;
    if (has("<tool_call>")) return has("<think>") ? Format::Qwen3 : Format::Hermes;
    if (has("<|python_tag|>") || (has("<|start_header_id|>") && has("\"parameters\""))) return Format::Llama3;
    return Format::Generic;
}

Format detectModelFormat(const std::string& modelPath) {
    jinja::ChatTemplateSet set;
    if (jinja::isGgufPath(modelPath)) {
        set = jinja::loadGgufTemplates(GgufFile::open(modelPath));
    } else {
        set = jinja::loadModelTemplates(modelPath);
    }
    return detectFormat(set.select(std::nullopt, true).text);
}

} // namespace hone::toolcall
