// Modelfile text for the template families Hone knows.
#include "export/ollama_modelfile.h"

#include <algorithm>
#include <cctype>

namespace hone {

namespace {

struct Family {
    const char* name;
    const char* marker; // text only this family's Jinja template writes
    const char* goTemplate;
    std::vector<std::string> stops;
};

const std::vector<Family>& families() {
    static const std::vector<Family> list = {
        {"llama3",
         "<|start_header_id|>",
         "{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>"
         "{{ end }}<|start_header_id|>assistant<|end_header_id|>\n\n",
         {"<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>"}},
        {"chatml",
         "<|im_start|>",
         "{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end "
         "}}<|im_start|>assistant\n",
         {"<|im_start|>", "<|im_end|>"}},
        {"gemma",
         "<start_of_turn>",
         "{{- range .Messages }}<start_of_turn>{{ if eq .Role \"assistant\" }}model{{ else }}{{ .Role }}{{ "
         "end }}\n"
         "{{ .Content }}<end_of_turn>\n{{ end }}<start_of_turn>model\n",
         {"<start_of_turn>", "<end_of_turn>"}},
        {"mistral",
         "[INST]",
         "{{- range .Messages }}{{ if eq .Role \"user\" }}[INST] {{ .Content }}[/INST]"
         "{{ else if eq .Role \"assistant\" }} {{ .Content }}</s>{{ else if eq .Role \"system\" }}"
         "{{ .Content }}\n\n{{ end }}{{ end }}",
         {"[INST]", "[/INST]"}},
        {"alpaca",
         "### Instruction:",
         "{{- range .Messages }}{{ if eq .Role \"system\" }}{{ .Content }}\n\n"
         "{{ else if eq .Role \"user\" }}### Instruction:\n{{ .Content }}\n\n"
         "{{ else if eq .Role \"assistant\" }}### Response:\n{{ .Content }}\n\n{{ end }}{{ end }}### "
         "Response:\n",
         {"### Instruction:"}},
    };
    return list;
}

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

} // namespace

std::string chatTemplateFamily(const std::string& t) {
    for (const auto& f : families())
        if (t.find(f.marker) != std::string::npos) return f.name;
    return {};
}

OllamaModelfile makeOllamaModelfile(const std::string& ggufFile, const std::string& jinjaTemplate,
                                    const std::vector<std::string>& stopTokens) {
    OllamaModelfile m;
    m.family = chatTemplateFamily(jinjaTemplate);
    m.text = "# Modelfile written by Hone: ollama create NAME -f Modelfile\nFROM " + ggufFile + "\n";
    const Family* fam = nullptr;
    for (const auto& f : families())
        if (m.family == f.name) fam = &f;
    if (fam) {
        m.text += "TEMPLATE \"\"\"" + std::string(fam->goTemplate) + "\"\"\"\n";
        m.stops = fam->stops;
    } else {
        m.usesEmbeddedTemplate = true;
        m.text += "# Ollama uses the chat template embedded in the GGUF file.\n";
    }
    for (const auto& s : stopTokens)
        if (!s.empty() && std::find(m.stops.begin(), m.stops.end(), s) == m.stops.end()) m.stops.push_back(s);
    for (const auto& s : m.stops) m.text += "PARAMETER stop " + quoted(s) + "\n";
    return m;
}

std::string ollamaCreateCommand(const std::string& name, const std::string& modelfilePath) {
    std::string n;
    for (unsigned char c : name)
        n += std::isalnum(c) || c == '-' || c == '_' || c == '.' ? static_cast<char>(std::tolower(c)) : '-';
    if (n.empty()) n = "hone-model";
    std::string path = modelfilePath;
    if (path.find_first_of(" \t'\"$\\") != std::string::npos) {
        std::string q = "'";
        for (char c : path) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
        path = q + "'";
    }
    return "ollama create " + n + " -f " + path;
}

} // namespace hone
