// Qwen2ForCausalLM: a Llama with biases on the q/k/v projections (sliding window only if use_sliding_window).
#include "model/arch_registry.h"

namespace hone {

ArchSpec qwen2Arch() {
    ArchSpec a;
    a.modelTypes = {"qwen2"};
    a.hfClasses = {"Qwen2ForCausalLM"};
    a.ggufArch = "qwen2";
    a.fromHf = [](const Json& cfg, ModelConfig& c) {
        c.qkvBias = true;
        if (cfg.value("use_sliding_window", false) && cfg.contains("sliding_window") &&
            cfg["sliding_window"].is_number_integer()) {
            c.slidingWindow = cfg["sliding_window"].get<int>();
            const int maxWindow = cfg.value("max_window_layers", c.numLayers);
            c.layerSliding.resize(static_cast<std::size_t>(c.numLayers));
            for (int i = 0; i < c.numLayers; ++i)
                c.layerSliding[static_cast<std::size_t>(i)] = i >= maxWindow;
        }
    };
    a.fromGguf = [](const GgufFile&, const std::string&, ModelConfig& c) { c.qkvBias = true; };
    return a;
}

} // namespace hone
