// Test helper: writes seeded random LoRA adapters in PEFT layout (adapter_config.json,
// adapter_model.safetensors, optionally hone_adapter.json with added tokens) for a model config, and the
// same adapter merged by hand into a copy of the base weights (W + scale * B @ A) as the reference.
#pragma once

#include "common/json.h"
#include "model/transformer_torch.h"
#include "train/adapter_io_torch.h"
#include "train/lora_model_torch.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace hone::test {

struct PeftSpec {
    int rank = 4;
    double alpha = 8;
    bool rslora = false;
    std::vector<std::string> targets = {"q_proj",    "k_proj",  "v_proj",   "o_proj",
                                        "gate_proj", "up_proj", "down_proj"};
    std::uint64_t seed = 1;
    double magnitude = 0.02;              // standard deviation of A's and B's entries
    std::vector<std::string> addedTokens; // appended rows of embed_tokens/lm_head
    std::string chatTemplate;             // hone_adapter.json chat_template ("" = no hone_adapter.json)
    std::string templateName;

    double scale() const { return alpha / (rslora ? std::sqrt(double(rank)) : double(rank)); }
};

// Rows of the fused base tensor a target lives in, and its input width.
struct TargetPlace {
    torch::Tensor LayerWeights::*weight;
    std::int64_t offset, rows, in;
};

inline TargetPlace placeOf(const ModelConfig& c, const std::string& t) {
    const std::int64_t H = c.numHeads, KV = c.numKvHeads, D = c.headDim, F = c.intermediateSize,
                       hid = c.hiddenSize;
    if (t == "q_proj") return {&LayerWeights::wqkv, 0, H * D, hid};
    if (t == "k_proj") return {&LayerWeights::wqkv, H * D, KV * D, hid};
    if (t == "v_proj") return {&LayerWeights::wqkv, (H + KV) * D, KV * D, hid};
    if (t == "o_proj") return {&LayerWeights::wo, 0, hid, H * D};
    if (t == "gate_proj") return {&LayerWeights::wgateUp, 0, F, hid};
    if (t == "up_proj") return {&LayerWeights::wgateUp, F, F, hid};
    return {&LayerWeights::wdown, 0, hid, F};
}

// Writes the adapter to `dir` and returns the merged reference transformer.
inline std::shared_ptr<Transformer> writePeftAdapter(const std::string& dir, const Transformer& base,
                                                     const PeftSpec& s) {
    std::filesystem::create_directories(dir);
    const ModelConfig& c = base.config();
    torch::manual_seed(s.seed);
    TransformerWeights w = base.weights();
    NamedTensors tensors;
    for (int l = 0; l < c.numLayers; ++l) {
        LayerWeights& lw = w.layers[std::size_t(l)];
        for (auto f : {&LayerWeights::wqkv, &LayerWeights::wo, &LayerWeights::wgateUp, &LayerWeights::wdown})
            lw.*f = (lw.*f).clone();
        for (const auto& t : s.targets) {
            const auto p = placeOf(c, t);
            auto a = torch::randn({s.rank, p.in}, torch::kFloat32) * s.magnitude;
            auto b = torch::randn({p.rows, s.rank}, torch::kFloat32) * s.magnitude;
            const std::string name = peftModulePath(l, t);
            tensors.emplace_back(name + ".lora_A.weight", a);
            tensors.emplace_back(name + ".lora_B.weight", b);
            auto delta = (b.to(torch::kFloat64).mm(a.to(torch::kFloat64)) * s.scale()).to(torch::kFloat32);
            (lw.*(p.weight)).narrow(0, p.offset, p.rows).add_(delta);
        }
    }
    if (!s.addedTokens.empty()) {
        const auto n = static_cast<std::int64_t>(s.addedTokens.size());
        auto rows = torch::randn({n, c.hiddenSize}, torch::kFloat32) * 0.5;
        w.embed = torch::cat({base.weights().embed, rows}, 0);
        w.lmHead = c.tieEmbeddings ? w.embed : torch::cat({base.weights().lmHead, rows * 0.5}, 0);
        tensors.emplace_back("base_model.model.model.embed_tokens.weight", w.embed);
        tensors.emplace_back("base_model.model.lm_head.weight", w.lmHead);
    }
    writeTensorsFile(dir + "/adapter_model.safetensors", tensors, {{"format", "pt"}});
    std::ofstream(dir + "/adapter_config.json")
        << peftAdapterConfig(s.rank, s.alpha, 0.0, s.rslora, s.targets, "stories260K", !s.addedTokens.empty())
               .dump(2);
    if (!s.chatTemplate.empty() || !s.addedTokens.empty()) {
        Json added = Json::array();
        for (std::size_t i = 0; i < s.addedTokens.size(); ++i)
            added.push_back({{"id", c.vocabSize + int(i)}, {"content", s.addedTokens[i]}});
        std::ofstream(dir + "/hone_adapter.json") << Json{
            {"format", "hone-adapter"},
            {"template", s.templateName},
            {"chat_template", s.chatTemplate},
            {"added_tokens", added}}.dump(2);
    }
    ModelConfig mc = c;
    mc.vocabSize += static_cast<int>(s.addedTokens.size());
    return std::make_shared<Transformer>(mc, w, base.device(), base.computeDType());
}

} // namespace hone::test
