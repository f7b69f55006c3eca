// A frozen base transformer with LoRA adapters on its projections: the batched training forward pass (with
// autograd, packing-aware attention, optional per-layer gradient checkpointing and the memory-light loss) and
// the adapter's tensors under PEFT's names. Engine-internal header.
#pragma once

#include "model/transformer_torch.h"
#include "train/lora_torch.h"

#include <torch/types.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hone::data {
struct MicroBatch;
}

namespace hone {

// One micro-batch on the device. Rows have equal length T.
struct TrainBatch {
    torch::Tensor ids;       // [B, T] int64
    torch::Tensor positions; // [B, T] int64, restarting at 0 for each packed document
    torch::Tensor labels;    // [B, T] int64 next-token targets, -100 where nothing is trained
    torch::Tensor blocked; // bool [B, 1, 1, T, T] (true = may not attend) for packed rows; undefined = causal
    std::int64_t targets = 0;
};

struct LoraModelOptions {
    LoraConfig lora;
    std::uint64_t seed = 0;        // initialisation of A
    int newTokens = 0;             // rows appended to the vocabulary (embeddings and lm_head), trained
    bool checkpointing = false;    // recompute each decoder layer in backward
    std::int64_t lossChunk = 1024; // tokens per chunk of the cross-entropy
};

class LoraModel {
public:
    LoraModel(std::shared_ptr<const Transformer> base, LoraModelOptions options);

    const Transformer& base() const { return *base_; }
    const ModelConfig& config() const { return base_->config(); }
    const LoraModelOptions& options() const { return opt_; }
    void setCheckpointing(bool on) { opt_.checkpointing = on; }
    int vocabSize() const { return base_->config().vocabSize + opt_.newTokens; }

    // Trainable tensors (F32, requires grad) in a fixed order.
    std::vector<torch::Tensor> parameters() const;
    std::int64_t trainableCount() const;

    // Sum of the cross-entropy over the batch's targets divided by `normalizer` (the number of target tokens
    // across all accumulated micro-batches). `training` enables dropout.
    torch::Tensor loss(const TrainBatch& batch, double normalizer, bool training) const;
    // F32 logits [B, T, vocab] (tests, evaluation of small models).
    torch::Tensor logits(const TrainBatch& batch) const;

    // The adapter under PEFT's state-dict names
    // (base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight,
    // ...; embed_tokens / lm_head full matrices when tokens were added), F32 on the CPU.
    std::vector<std::pair<std::string, torch::Tensor>> peftState() const;
    // Loads peftState()-named tensors (from a checkpoint or an imported PEFT adapter); throws hone::Error
    // when a tensor is missing or has the wrong shape.
    void loadPeftState(const std::map<std::string, torch::Tensor>& state);
    // Initial rows of added tokens: the mean embedding (as transformers' resize_token_embeddings does).
    void initNewTokens();

private:
    struct Group; // a fused base projection (qkv, gate/up, o, down) and its adapters
    struct Layer;
    torch::Tensor hiddenStates(const TrainBatch& batch, bool training) const; // [B, T, hidden], final-normed
    torch::Tensor layerForward(const Layer& layer, int index, const torch::Tensor& x, const TrainBatch& batch,
                               const torch::Tensor& cos, const torch::Tensor& sin, bool training) const;
    torch::Tensor project(const Group& g, const torch::Tensor& x, bool training) const;
    torch::Tensor outputWeight() const;

    std::shared_ptr<const Transformer> base_;
    LoraModelOptions opt_;
    std::vector<std::shared_ptr<Layer>> layers_;
    torch::Tensor newEmbed_, newHead_; // [newTokens, hidden] F32 (same tensor when embeddings are tied)
    torch::Tensor invFreqGlobal_, invFreqLocal_; // F32 [D/2]
};

// A planned micro-batch as tensors on `device`; with `packed`, rows holding several documents get the
// block-diagonal causal mask (no attention across documents).
TrainBatch makeTrainBatch(const data::MicroBatch& mb, const c10::Device& device, bool packed);

// The PEFT module path of a target in layer `l`: "base_model.model.model.layers.3.self_attn.q_proj".
std::string peftModulePath(int layer, const std::string& target);

} // namespace hone
