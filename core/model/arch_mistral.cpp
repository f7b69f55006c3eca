// MistralForCausalLM: a Llama whose attention may be limited to a sliding window of the last `sliding_window`
// positions on every layer. (llama.cpp converts Mistral to the llama GGUF arch.)
#include "model/arch_registry.h"

namespace hone {

ArchSpec mistralArch() {
    ArchSpec a;
    a.modelTypes = {"mistral"};
    a.hfClasses = {"MistralForCausalLM"};
    a.ggufArch = "mistral"; // not produced by llama.cpp's converter (it writes "llama"), accepted if present
    a.ggufPermutedQK = true;
    a.fromHf = [](const Json& cfg, ModelConfig& c) {
        if (cfg.contains("sliding_window") && cfg["sliding_window"].is_number_integer())
            c.slidingWindow = cfg["sliding_window"].get<int>();
    };
    return a;
}

} // namespace hone
