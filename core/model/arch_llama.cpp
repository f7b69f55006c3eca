// LlamaForCausalLM: the baseline (GQA/MQA, RoPE with linear/dynamic/llama3 scaling). llama.cpp permutes the
// Q/K rows of llama-arch GGUF files; the loader undoes it.
#include "model/arch_registry.h"

namespace hone {

ArchSpec llamaArch() {
    ArchSpec a;
    a.modelTypes = {"llama"};
    a.hfClasses = {"LlamaForCausalLM"};
    a.ggufArch = "llama";
    a.ggufPermutedQK = true;
    a.fromHf = [](const Json& cfg, ModelConfig& c) { c.qkvBias = cfg.value("attention_bias", false); };
    return a;
}

} // namespace hone
