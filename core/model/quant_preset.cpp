// llama-quantize's tensor type rules for the presets Hone exports, restricted to what those presets reach
// (no imatrix, no IQ/Q2/Q3 mixes, no user overrides).
#include "model/quant_preset.h"

#include "common/error.h"
#include "model/gguf_file.h"
#include "model/model_config.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <numeric>

namespace hone {

namespace {

constexpr std::uint32_t t(GgmlType g) {
    return static_cast<std::uint32_t>(g);
}

enum class Mix { Q8_0, Q4_0, Q4_K_M, Q5_K_M, Q6_K, F16, BF16, F32 };

struct PresetInfo {
    const char* name;
    Mix mix;
    GgmlType base;
    std::uint32_t ftype; // llama_ftype
};

const PresetInfo kPresets[] = {
    {"Q8_0", Mix::Q8_0, GgmlType::Q8_0, 7},      {"Q4_0", Mix::Q4_0, GgmlType::Q4_0, 2},
    {"Q4_K_M", Mix::Q4_K_M, GgmlType::Q4_K, 15}, {"Q5_K_M", Mix::Q5_K_M, GgmlType::Q5_K, 17},
    {"Q6_K", Mix::Q6_K, GgmlType::Q6_K, 18},     {"F16", Mix::F16, GgmlType::F16, 1},
    {"BF16", Mix::BF16, GgmlType::BF16, 32},     {"F32", Mix::F32, GgmlType::F32, 0},
};

const PresetInfo& preset(const std::string& name) {
    std::string up = name;
    for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const auto& p : kPresets)
        if (up == p.name) return p;
    std::string list;
    for (const auto& p : kPresets) list += (list.empty() ? "" : ", ") + std::string(p.name);
    throw Error("unknown quantisation preset '" + name + "'; supported presets: " + list);
}

bool contains(const std::string& s, const char* part) {
    return s.find(part) != std::string::npos;
}

enum class Cat {
    TokenEmbd,
    AttnQ,
    AttnV,
    AttnK,
    AttnQkv,
    AttnKvB,
    AttnOutput,
    FfnUp,
    FfnGate,
    FfnDown,
    Output,
    Other
};

Cat category(const std::string& n) {
    if (n == "output.weight") return Cat::Output;
    if (n == "token_embd.weight" || n == "per_layer_token_embd.weight") return Cat::TokenEmbd;
    if (contains(n, "attn_qkv.weight")) return Cat::AttnQkv;
    if (contains(n, "attn_kv_b.weight")) return Cat::AttnKvB;
    if (contains(n, "attn_v.weight")) return Cat::AttnV;
    if (contains(n, "attn_k.weight")) return Cat::AttnK;
    if (contains(n, "attn_q.weight")) return Cat::AttnQ;
    if (contains(n, "attn_output.weight")) return Cat::AttnOutput;
    if (contains(n, "ffn_up")) return Cat::FfnUp;
    if (contains(n, "ffn_gate")) return Cat::FfnGate;
    if (contains(n, "ffn_down")) return Cat::FfnDown;
    return Cat::Other;
}

bool isAttnVLike(Cat c) {
    return c == Cat::AttnV || c == Cat::AttnQkv || c == Cat::AttnKvB;
}

// ggml_n_dims: dimensions up to the last one above 1 (at least 1).
int nDims(const std::vector<std::uint64_t>& dims) {
    int n = 1;
    for (std::size_t i = 0; i < dims.size(); ++i)
        if (dims[i] > 1) n = static_cast<int>(i) + 1;
    return n;
}

// llama.cpp's tensor_allows_quantization with the default parameters.
bool allowsQuantization(const std::string& n, const std::vector<std::uint64_t>& dims) {
    if (nDims(dims) < 2) return false;
    if (n.size() < 6 || n.compare(n.size() - 6, 6, "weight") != 0) return false;
    static const char* const kKeep[] = {
        "_norm.weight",
        "ffn_gate_inp.weight",
        "ffn_gate_tid2eid.weight",
        "altup",
        "laurel",
        "per_layer_model_proj",
        "ssm_conv1d",
        "shortconv.conv.weight",
        "indexer.k_proj.weight",
        "indexer.q_proj.weight",
        "time_mix_first.weight",
        "time_mix_w0.weight",
        "time_mix_w1.weight",
        "time_mix_w2.weight",
        "time_mix_v0.weight",
        "time_mix_v1.weight",
        "time_mix_v2.weight",
        "time_mix_a0.weight",
        "time_mix_a1.weight",
        "time_mix_a2.weight",
        "time_mix_g1.weight",
        "time_mix_g2.weight",
        "time_mix_decay_w1.weight",
        "time_mix_decay_w2.weight",
        "time_mix_lerp_fused.weight",
        "attn_rel_b.weight",
        ".position_embd",
        "sam.pos_embd",
        "sam.neck.",
        "sam.net_",
        ".rel_pos",
        ".patch_embd",
        ".patch_merger",
        "a.rvq.codebook",
        "mm.a.code_embd",
    };
    for (const char* k : kKeep)
        if (contains(n, k)) return false;
    return n != "position_embd.weight" && n != "token_types.weight";
}

int blockSize(std::uint32_t type) {
    std::uint64_t be = 1, bb = 0;
    ggmlTypeLayout(type, &be, &bb);
    return static_cast<int>(be);
}

// "blk.N." -> N, else -1 (like sscanf(name, "blk.%d.", ...)).
int layerOf(const std::string& n) {
    int layer = -1;
    if (std::sscanf(n.c_str(), "blk.%d.", &layer) != 1) return -1;
    return layer;
}

bool useMoreBits(int iLayer, int nLayers) {
    return iLayer < nLayers / 8 || iLayer >= 7 * nLayers / 8 || (iLayer - nLayers / 8) % 3 == 2;
}

// llama.cpp's LLM_TYPE_70B, which widens attn_v: llama with 80 layers and grouped KV heads, qwen2 with 80.
bool seventyB(const PresetContext& ctx) {
    if (ctx.nLayers != 80) return false;
    return (ctx.arch == "llama" && ctx.nHead != ctx.nHeadKv) || ctx.arch == "qwen2";
}

// The layer counters llama.cpp advances as it walks the tensors.
struct Counters {
    int iAttentionWv = 0;
    int iFfnDown = 0;
};

// llama_tensor_get_type_impl for the quantised presets.
std::uint32_t ruleType(const PresetInfo& p, const std::string& name, const std::vector<std::uint64_t>& dims,
                       Cat cat, const PresetContext& ctx, int nAttentionWv, bool tied, Counters& c) {
    const bool falcon = ctx.arch == "falcon";
    std::uint32_t type = t(p.base);
    if ((isAttnVLike(cat) || cat == Cat::FfnDown) && (ctx.nLayers <= 0 || nAttentionWv <= 0))
        throw Error("choosing the " + std::string(p.name) + " type of '" + name +
                    "' needs the model's layer count (PresetContext.nLayers, from <arch>.block_count)");
    if (cat == Cat::Output || (tied && cat == Cat::TokenEmbd)) {
        const auto nx = dims.empty() ? 0 : dims[0];
        if (falcon || nx % static_cast<std::uint64_t>(blockSize(type)) != 0)
            type = t(GgmlType::Q8_0);
        else if (type != t(GgmlType::Q8_0))
            type = t(GgmlType::Q6_K);
    } else if (cat == Cat::TokenEmbd) {
        // only the IQ/TQ mixes change token_embd
    } else if (isAttnVLike(cat)) {
        if ((p.mix == Mix::Q4_K_M || p.mix == Mix::Q5_K_M) && useMoreBits(c.iAttentionWv, nAttentionWv))
            type = t(GgmlType::Q6_K);
        if (seventyB(ctx) && type == t(GgmlType::Q4_K)) type = t(GgmlType::Q5_K);
        if (ctx.nExpert == 8) type = t(GgmlType::Q8_0);
        ++c.iAttentionWv;
    } else if (cat == Cat::AttnK) {
        if (ctx.nExpert == 8) type = t(GgmlType::Q8_0);
    } else if (cat == Cat::FfnDown) {
        int iLayer = c.iFfnDown;
        const int nLayer = ctx.nLayers;
        if (ctx.nExpert > 1) {
            iLayer = layerOf(name);
            if (iLayer < 0 || iLayer >= nLayer)
                throw Error("tensor '" + name + "': cannot tell its layer (expected blk.N. with N below " +
                            std::to_string(nLayer) + ")");
        }
        if (p.mix == Mix::Q4_K_M) {
            if (falcon)
                type = iLayer < nLayer / 16          ? t(GgmlType::Q6_K)
                       : useMoreBits(iLayer, nLayer) ? t(GgmlType::Q5_K)
                                                     : t(GgmlType::Q4_K);
            else if (useMoreBits(iLayer, nLayer))
                type = t(GgmlType::Q6_K);
        } else if (p.mix == Mix::Q5_K_M && useMoreBits(iLayer, nLayer)) {
            type = t(GgmlType::Q6_K);
        }
        ++c.iFfnDown;
    } else if (cat == Cat::AttnOutput) {
        if (!falcon && ctx.nExpert == 8 && p.mix == Mix::Q4_K_M) type = t(GgmlType::Q5_K);
    }
    return type;
}

// llama.cpp's tensor_type_fallback, continued to F16 where llama.cpp has no fallback (it stops there).
TensorTypeChoice withFallback(const std::string& name, std::uint64_t ncols, std::uint32_t type) {
    TensorTypeChoice out{type, {}};
    if (ncols % static_cast<std::uint64_t>(blockSize(type)) == 0) return out;
    std::uint32_t fb;
    switch (static_cast<GgmlType>(type)) {
    case GgmlType::Q4_K:
        fb = t(GgmlType::Q5_0);
        break;
    case GgmlType::Q5_K:
        fb = t(GgmlType::Q5_1);
        break;
    case GgmlType::Q6_K:
        fb = t(GgmlType::Q8_0);
        break;
    default:
        fb = t(GgmlType::F16);
        break;
    }
    if (ncols % static_cast<std::uint64_t>(blockSize(fb)) != 0) fb = t(GgmlType::F16);
    out.type = fb;
    out.fallbackNote = name + ": row length " + std::to_string(ncols) + " is not a multiple of " +
                       std::to_string(blockSize(type)) + " (needed by " + ggmlTypeName(type) +
                       "), written as " + ggmlTypeName(fb) + " instead";
    return out;
}

TensorTypeChoice choose(const PresetInfo& p, const std::string& name, const std::vector<std::uint64_t>& dims,
                        const PresetContext& ctx, int nAttentionWv, bool tied, Counters& c) {
    if (!allowsQuantization(name, dims)) return {t(GgmlType::F32), {}};
    const bool quantised = p.mix != Mix::F16 && p.mix != Mix::BF16 && p.mix != Mix::F32;
    if (!quantised) return {t(p.base), {}};
    const std::uint32_t type = ruleType(p, name, dims, category(name), ctx, nAttentionWv, tied, c);
    return withFallback(name, dims.empty() ? 0 : dims[0], type);
}

} // namespace

PresetContext presetContextFor(const std::string& ggufArch, const ModelConfig& cfg) {
    PresetContext c;
    c.arch = ggufArch;
    c.nLayers = cfg.numLayers;
    c.nHead = cfg.numHeads;
    c.nHeadKv = cfg.numKvHeads;
    c.tiedOutput = cfg.tieEmbeddings;
    return c;
}

std::vector<std::string> quantPresetNames() {
    std::vector<std::string> out;
    for (const auto& p : kPresets) out.emplace_back(p.name);
    return out;
}

std::string canonicalQuantPreset(const std::string& name) {
    return preset(name).name;
}
std::uint32_t quantPresetFileType(const std::string& name) {
    return preset(name).ftype;
}
std::uint32_t quantPresetBaseType(const std::string& name) {
    return t(preset(name).base);
}

TensorTypeChoice chooseTensorType(const std::string& presetName, const std::string& name,
                                  const std::vector<std::uint64_t>& dims, const PresetContext& ctx) {
    const PresetInfo& p = preset(presetName);
    const int layer = std::max(0, layerOf(name));
    Counters c{layer, layer};
    const int nWv = ctx.nAttentionWv >= 0 ? ctx.nAttentionWv : ctx.nLayers;
    return choose(p, name, dims, ctx, nWv, ctx.tiedOutput, c);
}

std::vector<TensorTypeChoice> chooseTensorTypes(const std::string& presetName,
                                                const std::vector<PresetTensor>& tensors,
                                                const PresetContext& ctx) {
    const PresetInfo& p = preset(presetName);
    int nWv = 0;
    bool tied = true;
    for (const auto& tn : tensors) {
        const Cat cat = category(tn.name);
        if (isAttnVLike(cat)) ++nWv;
        if (cat == Cat::Output) tied = false;
    }
    // llama.cpp's weight_name_comparer: by "blk.N." index (-1 for the rest), then by name.
    std::vector<std::size_t> order(tensors.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const int la = layerOf(tensors[a].name), lb = layerOf(tensors[b].name);
        if (la != lb) return la < lb;
        return tensors[a].name < tensors[b].name;
    });
    std::vector<TensorTypeChoice> out(tensors.size());
    Counters c;
    for (std::size_t i : order) out[i] = choose(p, tensors[i].name, tensors[i].dims, ctx, nWv, tied, c);
    return out;
}

} // namespace hone
