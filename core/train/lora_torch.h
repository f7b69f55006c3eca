// LoRA on a frozen base linear, in LibTorch: y = x W^T + b + scale * dropout(x) A^T B^T. A starts
// Kaiming-uniform as PEFT does, B at zero, so a fresh adapter changes nothing. Adapter weights are F32 and
// the only parameters with gradients; the base weight stays in its storage dtype and never gets a gradient.
// Engine-internal header.
#pragma once

#include "train/lora_config.h"

#include <torch/types.h>

namespace hone {

struct LoraAdapter {
    torch::Tensor a; // [rank, in]  F32, requires grad
    torch::Tensor b; // [out, rank] F32, requires grad
    double scale = 1.0;
    double dropout = 0.0;
    bool enabled = true;
};

// A fresh adapter for a base weight of shape [out, in] on `device`; `generator` makes A reproducible.
LoraAdapter makeLoraAdapter(long long in, long long out, const LoraConfig& config,
                            const torch::Device& device, std::uint64_t seed);

// The LoRA linear. `training` enables dropout. Computes in x's dtype; the adapter path runs in x's dtype too
// (its F32 weights are cast), so BF16 compute stays BF16.
torch::Tensor loraLinear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                         const LoraAdapter& adapter, bool training);

// W + scale * B A, computed in F32 (exact merge), returned in F32.
torch::Tensor mergeLora(const torch::Tensor& weight, const LoraAdapter& adapter);

} // namespace hone
