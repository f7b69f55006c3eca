// Single-pass CPU loops behind the fused training ops (train/fused_layer_ops_torch.h) for F32 and BF16
// storage with F32 arithmetic: SwiGLU and RMSNorm forward and backward. LibTorch's elementwise kernels take
// one pass per op and, in the Debian build, a scalar exp (silu_backward in BF16 is ~8 ms per million elements
// here); these fuse each op into one pass with a polynomial exp, are compiled for AVX-512 and AVX2 as well as
// the baseline (function multi-versioning) and run in parallel over rows. Torch-free interface: raw pointers,
// rows of `cols` elements `stride` elements apart.
#pragma once

#include <cstdint>

namespace hone::cpu {

enum class Elem { F32, BF16 }; // BF16: raw bfloat16 bits, rounded to nearest even on store

// out = silu(gate) * up; gu rows hold [gate (f) | up (f)].
void swiGluForward(Elem t, const void* gu, std::int64_t guStride, void* out, std::int64_t outStride,
                   std::int64_t rows, std::int64_t f);
// dgu rows get [d gate | d up] for the upstream gradient dy.
void swiGluBackward(Elem t, const void* gu, std::int64_t guStride, const void* dy, std::int64_t dyStride,
                    void* dgu, std::int64_t dguStride, std::int64_t rows, std::int64_t f);

// y = x * rstd * w with rstd = (mean(x^2) + eps)^-1/2 per row (stored, F32); w F32 [cols].
void rmsNormForward(Elem t, const void* x, std::int64_t xStride, const float* w, void* y,
                    std::int64_t yStride, float* rstd, std::int64_t rows, std::int64_t cols, float eps);
// dx = rstd (dy w) - x rstd^3 mean(dy w x).
void rmsNormBackward(Elem t, const void* x, std::int64_t xStride, const float* w, const float* rstd,
                     const void* dy, std::int64_t dyStride, void* dx, std::int64_t dxStride,
                     std::int64_t rows, std::int64_t cols);

// Cross-entropy over rows of logits z [rows, cols] (the output projection's product, F32 or BF16): loss[r] =
// logsumexp(z_r) - z_r[target_r], and when `grad` is not null, grad_r = (softmax(z_r) - onehot(target_r)) *
// scale, in z's element type. Rows with a negative target get loss 0 and a zero gradient.
void crossEntropyRows(Elem t, const void* z, std::int64_t zStride, const std::int64_t* targets, float scale,
                      void* grad, std::int64_t gradStride, float* loss, std::int64_t rows, std::int64_t cols);

} // namespace hone::cpu
