// Gemma2ForCausalLM: (1+w) RMSNorm, sqrt(hidden) embedding scale, GeGLU (tanh GELU), pre/post attention and
// feed-forward norms, attention and final logit soft-capping, query_pre_attn_scalar, and sliding-window
// (even) and global (odd) layers alternating. Tied embeddings by default.
#include "model/arch_registry.h"
#include "model/gguf_file.h"

#include <cmath>

namespace hone {

namespace {
void gemmaCommon(ModelConfig& c) {
    c.normPlusOne = true;
    c.scaleEmbeddings = true;
    c.sandwichNorms = true;
    c.activation = Activation::GeluTanh;
}
} // namespace

ArchSpec gemma2Arch() {
    ArchSpec a;
    a.modelTypes = {"gemma2"};
    a.hfClasses = {"Gemma2ForCausalLM"};
    a.ggufArch = "gemma2";
    a.fromHf = [](const Json& cfg, ModelConfig& c) {
        gemmaCommon(c);
        c.tieEmbeddings = cfg.value("tie_word_embeddings", true);
        auto num = [&](const char* k, double def) {
            return cfg.contains(k) && cfg[k].is_number() ? cfg[k].get<double>() : def;
        };
        c.attnSoftcap = num("attn_logit_softcapping", 0.0);
        c.finalSoftcap = num("final_logit_softcapping", 0.0);
        c.attnScale = 1.0 / std::sqrt(num("query_pre_attn_scalar", c.headDim));
        c.slidingWindow = static_cast<int>(num("sliding_window", 4096));
        c.layerSliding.resize(static_cast<std::size_t>(c.numLayers));
        for (int i = 0; i < c.numLayers; ++i) c.layerSliding[static_cast<std::size_t>(i)] = i % 2 == 0;
    };
    a.fromGguf = [](const GgufFile& f, const std::string& arch, ModelConfig& c) {
        gemmaCommon(c);
        c.attnSoftcap = f.getF64Or(arch + ".attn_logit_softcapping", 0.0);
        c.finalSoftcap = f.getF64Or(arch + ".final_logit_softcapping", 0.0);
        // As llama.cpp: the 27B model (46 layers) scales queries by hidden/heads, the others by head_dim.
        const double scalar = c.numLayers == 46 ? static_cast<double>(c.hiddenSize) / c.numHeads : c.headDim;
        c.attnScale = 1.0 / std::sqrt(scalar);
        c.slidingWindow = static_cast<int>(f.getU64Or(arch + ".attention.sliding_window", 4096));
        c.layerSliding.resize(static_cast<std::size_t>(c.numLayers));
        for (int i = 0; i < c.numLayers; ++i) c.layerSliding[static_cast<std::size_t>(i)] = i % 2 == 0;
    };
    return a;
}

} // namespace hone
