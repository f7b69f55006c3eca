// RMSNorm CPU reference.
#include "kernels/cpu/rmsnorm_ref.h"

#include <cmath>
#include <vector>

namespace hone::kernels {

namespace {
double rowRstd(const float* row, std::size_t cols, float eps) {
    double sumSq = 0;
    for (std::size_t c = 0; c < cols; ++c) sumSq += double(row[c]) * row[c];
    return 1.0 / std::sqrt(sumSq / double(cols) + double(eps));
}
} // namespace

void rmsnormForwardRef(const float* x, const float* w, float* y, float* rstd, std::size_t rows,
                       std::size_t cols, float eps) {
    for (std::size_t r = 0; r < rows; ++r) {
        const float* xr = x + r * cols;
        const double s = rowRstd(xr, cols, eps);
        if (rstd) rstd[r] = float(s);
        for (std::size_t c = 0; c < cols; ++c) y[r * cols + c] = float(double(xr[c]) * s * w[c]);
    }
}

void rmsnormBackwardRef(const float* x, const float* w, const float* dy, float* dx, float* dw,
                        std::size_t rows, std::size_t cols, float eps) {
    std::vector<double> dwAcc(cols, 0.0);
    for (std::size_t r = 0; r < rows; ++r) {
        const float* xr = x + r * cols;
        const float* dyr = dy + r * cols;
        const double s = rowRstd(xr, cols, eps);
        double dot = 0; // sum(dy * w * xhat)
        for (std::size_t c = 0; c < cols; ++c) {
            const double xhat = xr[c] * s;
            dot += double(dyr[c]) * w[c] * xhat;
            dwAcc[c] += double(dyr[c]) * xhat;
        }
        const double mean = dot / double(cols);
        for (std::size_t c = 0; c < cols; ++c) {
            const double xhat = xr[c] * s;
            dx[r * cols + c] = float(s * (double(dyr[c]) * w[c] - xhat * mean));
        }
    }
    for (std::size_t c = 0; c < cols; ++c) dw[c] = float(dwAcc[c]);
}

} // namespace hone::kernels
