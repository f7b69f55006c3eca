// RMSNorm, the CPU reference: y = x / sqrt(mean(x^2) + eps) * w, row by row, and its backward pass.
// Readable loops in float with double accumulation; the GPU kernel in gpu/rmsnorm.cu is checked against it.
#pragma once

#include <cstddef>

namespace hone::kernels {

// x, y: [rows, cols]; w: [cols]. rstd (optional, [rows]) receives 1/sqrt(mean(x^2) + eps) for backward.
void rmsnormForwardRef(const float* x, const float* w, float* y, float* rstd, std::size_t rows,
                       std::size_t cols, float eps);

// dy: [rows, cols] -> dx: [rows, cols], dw: [cols] (accumulated over rows, overwritten).
// dx = rstd * (dy*w - xhat * mean(dy*w*xhat)), xhat = x * rstd;  dw = sum_rows dy * xhat.
void rmsnormBackwardRef(const float* x, const float* w, const float* dy, float* dx, float* dw,
                        std::size_t rows, std::size_t cols, float eps);

} // namespace hone::kernels
