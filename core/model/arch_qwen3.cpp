// Qwen3ForCausalLM: a Llama with per-head RMSNorm of queries and keys before RoPE (no q/k/v bias).
#include "model/arch_registry.h"

namespace hone {

ArchSpec qwen3Arch() {
    ArchSpec a;
    a.modelTypes = {"qwen3"};
    a.hfClasses = {"Qwen3ForCausalLM"};
    a.ggufArch = "qwen3";
    a.fromHf = [](const Json& cfg, ModelConfig& c) {
        c.qkNorm = true;
        c.qkvBias = cfg.value("attention_bias", false);
    };
    a.fromGguf = [](const GgufFile&, const std::string&, ModelConfig& c) { c.qkNorm = true; };
    return a;
}

} // namespace hone
