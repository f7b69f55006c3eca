// Builds PEFT-layout LoRA adapters by hand for the export tests (as PEFT's save_pretrained writes them):
// seeded random A and B (or B = 0, a fresh adapter) for chosen projections of every layer of a base folder.
#pragma once

#include "common/json.h"
#include "model/safetensors_file.h"

#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace hone::test {

struct TestAdapter {
    int rank = 4;
    double alpha = 8;
    bool zeroB = false;
    std::uint64_t seed = 1;
    std::vector<std::string> targets = {"q_proj",    "k_proj",  "v_proj",   "o_proj",
                                        "gate_proj", "up_proj", "down_proj"};
    // A wrong in-dimension for every A (an adapter made for another base).
    std::int64_t forceIn = 0;
};

inline std::string peftModuleOf(int layer, const std::string& target) {
    const bool attn = target == "q_proj" || target == "k_proj" || target == "v_proj" || target == "o_proj";
    return "model.layers." + std::to_string(layer) + (attn ? ".self_attn." : ".mlp.") + target;
}

// Writes DIR/adapter_config.json and DIR/adapter_model.safetensors for the base folder `baseDir`.
inline void writeTestAdapter(const std::string& dir, const std::string& baseDir, const TestAdapter& t) {
    const auto base = SafetensorsCheckpoint::openFolder(baseDir);
    std::mt19937_64 rng(t.seed);
    std::uniform_real_distribution<float> u(-0.2f, 0.2f);
    SafetensorsWriter w;
    w.setMetadata("format", "pt");
    for (int l = 0;; ++l) {
        if (!base.find("model.layers." + std::to_string(l) + ".input_layernorm.weight")) break;
        for (const auto& target : t.targets) {
            const std::string m = peftModuleOf(l, target);
            const auto& wt = base.require(m + ".weight");
            const std::int64_t out = wt.shape[0], in = t.forceIn ? t.forceIn : wt.shape[1];
            std::vector<float> a(static_cast<std::size_t>(t.rank * in)),
                b(static_cast<std::size_t>(out * t.rank));
            for (auto& v : a) v = u(rng);
            for (auto& v : b) v = t.zeroB ? 0.0f : u(rng);
            w.addF32("base_model.model." + m + ".lora_A.weight", {t.rank, in}, a);
            w.addF32("base_model.model." + m + ".lora_B.weight", {out, t.rank}, b);
        }
    }
    w.write(dir + "/adapter_model.safetensors");
    Json cfg = {{"peft_type", "LORA"},   {"task_type", "CAUSAL_LM"},          {"r", t.rank},
                {"lora_alpha", t.alpha}, {"target_modules", t.targets},       {"lora_dropout", 0.0},
                {"bias", "none"},        {"base_model_name_or_path", baseDir}};
    std::ofstream(dir + "/adapter_config.json") << cfg.dump(2);
}

} // namespace hone::test
