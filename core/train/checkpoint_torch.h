// Gradient checkpointing for one decoder layer: the forward pass keeps only the layer's input; backward runs
// the layer again (with the random-number state of the first run replayed, so dropout masks match) and
// differentiates that. LibTorch's C++ API has no checkpoint helper. Engine-internal header.
#pragma once

#include <torch/types.h>

#include <functional>
#include <vector>

namespace hone {

using CheckpointFn = std::function<torch::Tensor(const torch::Tensor&)>;

// Returns fn(input) with checkpointing. `params` are the trainable tensors fn uses (LoRA A/B): their
// gradients are accumulated as if fn had run normally. fn must be deterministic apart from the RNG.
torch::Tensor checkpointed(CheckpointFn fn, const torch::Tensor& input,
                           const std::vector<torch::Tensor>& params);

} // namespace hone
