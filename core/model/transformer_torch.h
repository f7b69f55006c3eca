// Engine-internal (torch) decoder-only transformer: weights in one in-memory layout shared by the HF and GGUF
// loaders, a growable KV cache and the forward pass. Include only from engine sources.
#pragma once

#include "device/compute_device.h"
#include "model/model_config.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace hone {

struct LayerWeights {
    torch::Tensor attnNorm, postAttnNorm, ffnNorm, postFfnNorm; // RMSNorm multipliers (F32, (1+w) folded in)
    torch::Tensor wqkv, bqkv;   // fused [q; k; v] projection [(H + 2 KV) * D, hidden], optional bias
    torch::Tensor qNorm, kNorm; // per-head q/k RMSNorm multipliers [D] (F32)
    torch::Tensor wo;           // [hidden, H * D]
    torch::Tensor wgateUp;      // fused [gate; up] [2 * ffn, hidden]
    torch::Tensor wdown;        // [hidden, ffn]
};

struct TransformerWeights {
    torch::Tensor embed;     // [vocab, hidden]
    torch::Tensor finalNorm; // [hidden] F32
    torch::Tensor lmHead;    // [vocab, hidden] (same storage as embed when tied)
    std::vector<LayerWeights> layers;
};

// A LoRA adapter applied in the forward pass without merging it into the weights. Per layer and fused base
// projection, the adapters of its parts are stacked: A [R, in] and a block-structured B [out, R] with the
// scale folded in, so y = x Wᵀ + (x Aᵀ) Bᵀ costs two thin GEMMs (undefined a: that projection has none).
struct LoraDelta {
    torch::Tensor a, b;
};
struct LayerAdapter {
    LoraDelta qkv, o, gateUp, down;
};
struct TransformerAdapter {
    std::vector<LayerAdapter> layers;
    torch::Tensor embed, lmHead; // replace the base's when defined (added tokens grow the vocabulary)
    int vocabSize = 0;           // rows of embed/lmHead, or the base's vocabulary
};

// Per-layer K/V of one sequence, [KV heads, capacity, D], grown by doubling.
struct KvCache {
    std::vector<torch::Tensor> k, v;
    int length = 0;
    int capacity = 0;
    void clear() {
        k.clear();
        v.clear();
        length = 0;
        capacity = 0;
    }
};

class Transformer {
public:
    Transformer(ModelConfig config, TransformerWeights weights, DeviceSpec device, DType computeDType);

    const ModelConfig& config() const { return cfg_; }
    const DeviceSpec& device() const { return device_; }
    DType computeDType() const { return dtype_; }
    std::uint64_t weightBytes() const; // bytes of weights a decode step reads
    std::uint64_t parameterCount() const;
    // The weights themselves (the trainer runs its own forward over them with LoRA and autograd).
    const TransformerWeights& weights() const { return w_; }

    // Runs `ids` at positions cache.length.. and appends their K/V. Returns F32 logits on the CPU:
    // [vocab] for the last position, or [T, vocab] when allPositions. `adapter` (optional) adds its LoRA
    // deltas and replaces the embeddings/lm_head it carries.
    torch::Tensor forward(const std::vector<std::int32_t>& ids, KvCache& cache, bool allPositions = false,
                          const TransformerAdapter* adapter = nullptr) const;

private:
    torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& w) const;
    std::pair<torch::Tensor, torch::Tensor> ropeTable(bool local, int start, int count,
                                                      int totalLength) const;
    void ensureCapacity(KvCache& cache, int needed) const;

    ModelConfig cfg_;
    TransformerWeights w_;
    DeviceSpec device_;
    DType dtype_;
    std::vector<double> invFreqGlobal_, invFreqLocal_;
};

// Loads a model folder (config.json + safetensors) or a .gguf file onto `device` in `dtype`.
std::shared_ptr<Transformer> loadTransformer(const std::string& path, const DeviceSpec& device, DType dtype);

// RoPE inverse frequencies for `theta` with the config's scaling (llama3/linear, GGUF rope_freqs); dynamic
// NTK scaling is applied in ropeTable from the sequence length.
std::vector<double> ropeInverseFrequencies(const ModelConfig& c, double theta, bool applyScaling);

} // namespace hone
