// HF <-> GGUF tensor names (llama.cpp's gguf-py tensor_mapping for the supported decoder architectures).
#include "export/gguf_tensor_names.h"

#include <cstdlib>

namespace hone {

namespace {

// Shared by every supported architecture. post_attention_layernorm is handled apart (see ggufLayerSuffix).
constexpr LayerTensorName kLayerNames[] = {
    {"input_layernorm.weight", "attn_norm.weight"},
    {"pre_feedforward_layernorm.weight", "ffn_norm.weight"},
    {"post_feedforward_layernorm.weight", "post_ffw_norm.weight"},
    {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.k_proj.weight", "attn_k.weight"},
    {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.o_proj.weight", "attn_output.weight"},
    {"self_attn.o_proj.bias", "attn_output.bias"}, // Llama with attention_bias
    {"self_attn.q_proj.bias", "attn_q.bias"},
    {"self_attn.k_proj.bias", "attn_k.bias"},
    {"self_attn.v_proj.bias", "attn_v.bias"},
    {"self_attn.q_norm.weight", "attn_q_norm.weight"},
    {"self_attn.k_norm.weight", "attn_k_norm.weight"},
    {"mlp.gate_proj.weight", "ffn_gate.weight"},
    {"mlp.up_proj.weight", "ffn_up.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"},
};
constexpr const char* kPostAttnHf = "post_attention_layernorm.weight";

bool startsWith(const std::string& s, const std::string& p) {
    return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

} // namespace

std::optional<std::string> ggufLayerSuffix(const std::string& hfSuffix, bool sandwichNorms) {
    if (hfSuffix == kPostAttnHf) return sandwichNorms ? "post_attention_norm.weight" : "ffn_norm.weight";
    for (const auto& e : kLayerNames)
        if (hfSuffix == e.hf) return std::string(e.gguf);
    return std::nullopt;
}

std::optional<std::string> hfLayerSuffix(const std::string& ggufSuffix, bool sandwichNorms) {
    if (ggufSuffix == "ffn_norm.weight")
        return std::string(sandwichNorms ? "pre_feedforward_layernorm.weight" : kPostAttnHf);
    if (ggufSuffix == "post_attention_norm.weight")
        return sandwichNorms ? std::optional<std::string>(kPostAttnHf) : std::nullopt;
    for (const auto& e : kLayerNames)
        if (ggufSuffix == e.gguf) return std::string(e.hf);
    return std::nullopt;
}

const std::vector<std::string>& hfDecoderPrefixes() {
    static const std::vector<std::string> prefixes = {"model.", "language_model.model.",
                                                      "model.language_model.", ""};
    return prefixes;
}

HfTensorName parseHfTensorName(const std::string& name, const std::string& prefix) {
    HfTensorName r;
    for (const char* skip : {"vision_tower.", "vision_model.", "multi_modal_projector.",
                             "multimodal_projector.", "model.vision_tower.", "model.multi_modal_projector."})
        if (startsWith(name, skip)) {
            r.kind = HfTensorName::Kind::Ignored;
            return r;
        }
    if (name.find("rotary_emb.inv_freq") != std::string::npos) {
        r.kind = HfTensorName::Kind::Ignored;
        return r;
    }
    if (name == "lm_head.weight" || name == "language_model.lm_head.weight") {
        r.kind = HfTensorName::Kind::LmHead;
        return r;
    }
    if (!startsWith(name, prefix)) return r;
    const std::string rest = name.substr(prefix.size());
    if (rest == "embed_tokens.weight") {
        r.kind = HfTensorName::Kind::Embedding;
    } else if (rest == "norm.weight") {
        r.kind = HfTensorName::Kind::FinalNorm;
    } else if (startsWith(rest, "layers.")) {
        const std::size_t dot = rest.find('.', 7);
        const std::string num = rest.substr(7, dot == std::string::npos ? std::string::npos : dot - 7);
        if (dot == std::string::npos || num.empty() || num.size() > 6 ||
            num.find_first_not_of("0123456789") != std::string::npos)
            return r;
        r.kind = HfTensorName::Kind::Layer;
        r.layer = std::atoi(num.c_str());
        r.suffix = rest.substr(dot + 1);
    }
    return r;
}

std::optional<std::string> ggufTensorName(const HfTensorName& n, bool sandwichNorms) {
    switch (n.kind) {
    case HfTensorName::Kind::Embedding:
        return std::string("token_embd.weight");
    case HfTensorName::Kind::FinalNorm:
        return std::string("output_norm.weight");
    case HfTensorName::Kind::LmHead:
        return std::string("output.weight");
    case HfTensorName::Kind::Layer: {
        const auto s = ggufLayerSuffix(n.suffix, sandwichNorms);
        if (!s) return std::nullopt;
        return "blk." + std::to_string(n.layer) + "." + *s;
    }
    default:
        return std::nullopt;
    }
}

} // namespace hone
