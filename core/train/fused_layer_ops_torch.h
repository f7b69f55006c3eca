// Fused training ops of the LoRA forward pass: custom autograd functions that keep only what their backward
// needs (their inputs, the attention probabilities) and compute each gradient in one piece, instead of
// autograd's chain of saved intermediates, concatenations and zero-filled slice gradients. Each op equals
// the plain LibTorch expression named in its comment. Engine-internal header.
#pragma once

#include <torch/types.h>

#include <vector>

namespace hone {

// (x / rms(x) * w) computed in F32 (F64 for F64 input), returned in x's dtype; `w` [hidden] is frozen.
torch::Tensor fusedRmsNorm(const torch::Tensor& x, const torch::Tensor& w, double eps);

// silu(gu[..., :F]) * gu[..., F:] for the fused gate/up projection output [.., 2F].
torch::Tensor fusedSwiGlu(const torch::Tensor& gateUp);
// gelu_tanh(gu[..., :F]) * gu[..., F:] (Gemma's GeGLU).
torch::Tensor fusedGeGluTanh(const torch::Tensor& gateUp);

// A fused base projection with LoRA on some of its output slices:
// y = x W^T + b, then y[.., off_i : off_i + out_i] += scale * (x A_i^T) B_i^T.
// W (and b) are frozen; A_i [r, in] and B_i [out_i, r] are the F32 trainable tensors, run in x's dtype. The
// A matrices share one GEMM, in forward and backward.
struct LoraSlices {
    std::vector<torch::Tensor> a, b;
    std::vector<std::int64_t> offsets; // output column where B_i's slice starts
    double scale = 1.0;
};
torch::Tensor fusedLoraLinear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                              const LoraSlices& lora);

// Grouped-query attention over a fused projection qkv [B, T, (H + 2 KV) D]: RoPE on q and k (cos, sin
// [B, T, 1, D/2], rotate-half layout), softmax(scale q k^T + bias) v with K/V shared by H/KV query heads,
// never repeated. `bias` is additive F32, broadcastable to [B, 1, 1, T, T] (0 or -inf). Returns [B, T, H D].
// Queries are processed in blocks that skip the keys after the block (the bias must mask them: causal).
struct AttentionShape {
    std::int64_t heads = 0, kvHeads = 0, headDim = 0;
    double scale = 1.0;
};
torch::Tensor fusedCausalAttention(const torch::Tensor& qkv, const torch::Tensor& cos,
                                   const torch::Tensor& sin, const torch::Tensor& bias,
                                   const AttentionShape& shape);

// Additive attention bias [B or 1, 1, 1, T, T] from a "may not attend" mask (undefined = causal), with an
// optional sliding window (> 0: keys at least `window` positions back are masked too).
torch::Tensor attentionBias(const torch::Tensor& blocked, std::int64_t T, std::int64_t window,
                            const torch::Device& device);

// Cross-entropy of hidden [N, H] against a frozen output weight [V, H] for targets [N] (ignoreIndex rows
// skipped), summed and divided by `normalizer`, in F32 — like chunkedCrossEntropy, the logits exist one chunk
// at a time, but the gradient for `hidden` is computed in the same pass (one output GEMM fewer than
// recomputing the logits in backward) and kept as one [N, H] tensor until backward.
torch::Tensor eagerChunkedCrossEntropy(const torch::Tensor& hidden, const torch::Tensor& weight,
                                       const torch::Tensor& targets, std::int64_t chunkTokens,
                                       double normalizer, std::int64_t ignoreIndex = -100);

} // namespace hone
