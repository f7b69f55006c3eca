// Memory-light cross-entropy over the vocabulary: the loss of hidden states against an output projection,
// computed in chunks of tokens so the full [tokens x vocab] logits never exist at once — neither in the
// forward pass nor for backward (a custom autograd function recomputes each chunk's logits in backward).
// For a 150k vocabulary this is the largest tensor of a training step. Engine-internal header.
#pragma once

#include <torch/types.h>

namespace hone {

struct ChunkedCrossEntropyOptions {
    std::int64_t chunkTokens = 1024; // tokens per chunk
    double softcap = 0;              // Gemma 2 final-logit soft-capping (cap * tanh(z / cap)); 0 = off
    double normalizer = 0;           // divide the summed loss by this (target tokens across accumulated
                                     // micro-batches); 0 = the number of targets in this call
    std::int64_t ignoreIndex = -100;
};

// hidden [N, H] (any float dtype; gradients flow to it), weight [V, H] (gradient only if it requires grad),
// targets [N] int64 with ignoreIndex for positions not trained on. Returns the scalar loss
// sum(-log softmax(hidden W^T)[target]) / normalizer, in F32.
torch::Tensor chunkedCrossEntropy(const torch::Tensor& hidden, const torch::Tensor& weight,
                                  const torch::Tensor& targets,
                                  const ChunkedCrossEntropyOptions& options = {});

} // namespace hone
