// The LoRA path's small products, the CPU reference (the base GEMM stays with cuBLAS/hipBLAS via LibTorch).
// PEFT shapes: A [r, in], B [out, r] (F32, the trainable adapters); x [N, in] and y, dy [N, out] in the
// activation type (F32, BF16 or F16); xa, dxa [N, r] F32. y and dy rows are yStride apart so they can be a
// column slice (one adapter's part) of a fused projection's output.
//   forward:  xa = x A^T;              y += scale * xa B^T
//   backward: dxa = scale * dy B;      dB = scale * dy^T xa;   dA = dxa^T x;   dx += dxa A
// dB and dA are overwritten; y and dx are accumulated into (the base GEMM's result is already there).
#pragma once

#include "kernels/dtype.h"

#include <cstddef>

namespace hone::kernels {

struct LoraShape {
    std::size_t n = 0, in = 0, out = 0, rank = 0;
    std::size_t yStride = 0; // elements between rows of y / dy; 0 means out
};

void loraDownRef(DType t, const void* x, const float* a, float* xa, const LoraShape& s);
void loraUpAddRef(DType t, const float* xa, const float* b, float scale, void* y, const LoraShape& s);
void loraBackwardRef(DType t, const void* x, const float* a, const float* b, const float* xa, const void* dy,
                     float scale, float* dxa, float* da, float* db, void* dx, const LoraShape& s);

} // namespace hone::kernels
