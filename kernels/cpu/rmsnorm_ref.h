// RMSNorm, the CPU reference: y = x / sqrt(mean(x^2) + eps) * w, row by row, and its backward pass.
// x, y and dy are F32, BF16 or F16 (all the same type); w, rstd and dw are F32; the math is F32 values with
// double accumulation. The GPU kernel in gpu/rmsnorm.cu is checked against it.
#pragma once

#include "kernels/dtype.h"

#include <cstddef>

namespace hone::kernels {

// x, y: [rows, cols]; w: [cols]. rstd (optional, [rows]) receives 1/sqrt(mean(x^2) + eps) for backward.
void rmsnormForwardRef(DType t, const void* x, const float* w, void* y, float* rstd, std::size_t rows,
                       std::size_t cols, float eps);

// dy: [rows, cols] -> dx: [rows, cols], dw: [cols] (summed over rows, overwritten; optional).
// dx = rstd * (dy*w - xhat * mean(dy*w*xhat)), xhat = x * rstd;  dw = sum_rows dy * xhat.
void rmsnormBackwardRef(DType t, const void* x, const float* w, const void* dy, void* dx, float* dw,
                        std::size_t rows, std::size_t cols, float eps);

} // namespace hone::kernels
