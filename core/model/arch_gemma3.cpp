// Gemma 3 text (Gemma3ForCausalLM, and the text part of Gemma3ForConditionalGeneration whose config nests
// text_config and whose weights live under language_model.): like Gemma 2 without soft-capping, plus (1+w)
// q/k norms and 5 local : 1 global layers (sliding_window_pattern). Local layers use rope_local_base_freq
// without scaling; global layers use rope_theta with rope_scaling.
#include "model/arch_registry.h"
#include "model/gguf_file.h"

#include <cmath>

namespace hone {

namespace {
void gemma3Common(ModelConfig& c, int pattern) {
    c.normPlusOne = true;
    c.scaleEmbeddings = true;
    c.sandwichNorms = true;
    c.qkNorm = true;
    c.activation = Activation::GeluTanh;
    c.layerSliding.resize(static_cast<std::size_t>(c.numLayers));
    for (int i = 0; i < c.numLayers; ++i)
        c.layerSliding[static_cast<std::size_t>(i)] = pattern <= 0 || (i + 1) % pattern != 0;
}
} // namespace

ArchSpec gemma3Arch() {
    ArchSpec a;
    a.modelTypes = {"gemma3_text", "gemma3"};
    a.hfClasses = {"Gemma3ForCausalLM", "Gemma3ForConditionalGeneration"};
    a.ggufArch = "gemma3";
    a.fromHf = [](const Json& cfg, ModelConfig& c) {
        auto num = [&](const char* k, double def) {
            return cfg.contains(k) && cfg[k].is_number() ? cfg[k].get<double>() : def;
        };
        gemma3Common(c, static_cast<int>(num("sliding_window_pattern", 6)));
        c.tieEmbeddings = cfg.value("tie_word_embeddings", true);
        c.attnSoftcap = num("attn_logit_softcapping", 0.0);
        c.finalSoftcap = num("final_logit_softcapping", 0.0);
        c.attnScale = 1.0 / std::sqrt(num("query_pre_attn_scalar", c.headDim));
        c.slidingWindow = static_cast<int>(num("sliding_window", 4096));
        c.ropeLocalTheta = num("rope_local_base_freq", 10000.0);
    };
    a.fromGguf = [](const GgufFile& f, const std::string& arch, ModelConfig& c) {
        gemma3Common(c, 6); // llama.cpp hard-codes the 5:1 pattern and the local base
        // As llama.cpp: the 27B model (62 layers) scales queries by hidden/heads, the others by head_dim.
        const double scalar = c.numLayers == 62 ? static_cast<double>(c.hiddenSize) / c.numHeads : c.headDim;
        c.attnScale = 1.0 / std::sqrt(scalar);
        c.slidingWindow = static_cast<int>(f.getU64Or(arch + ".attention.sliding_window", 4096));
        c.ropeLocalTheta = 10000.0;
    };
    return a;
}

} // namespace hone
