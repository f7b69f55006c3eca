// Ollama Modelfile for an exported GGUF: FROM the file, the chat template in Ollama's Go text/template form
// for the template families Hone knows (ChatML/Qwen, Llama 3, Mistral, Gemma, Hone's Alpaca), a stop
// parameter for each end-of-turn token. Torch-free.
#pragma once

#include <string>
#include <vector>

namespace hone {

struct OllamaModelfile {
    std::string text;                  // the Modelfile
    std::string family;                // chatml, llama3, mistral, gemma, alpaca, or "" (unknown)
    std::vector<std::string> stops;    // the PARAMETER stop values, in order
    bool usesEmbeddedTemplate = false; // no TEMPLATE line: Ollama reads the GGUF's tokenizer.chat_template
};

// The template family of a Jinja chat template, by the markers it writes; "" when none fits.
std::string chatTemplateFamily(const std::string& jinjaTemplate);

// `ggufFile` is the FROM path as written (e.g. "./model-q8_0.gguf"); `stopTokens` the text of the model's
// end-of-turn / EOS tokens (added after the family's own stops, duplicates dropped).
OllamaModelfile makeOllamaModelfile(const std::string& ggufFile, const std::string& jinjaTemplate,
                                    const std::vector<std::string>& stopTokens);

// `ollama create NAME -f PATH`, NAME made of the characters Ollama accepts in a model name.
std::string ollamaCreateCommand(const std::string& name, const std::string& modelfilePath);

} // namespace hone
