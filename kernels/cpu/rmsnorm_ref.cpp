// RMSNorm CPU reference.
#include "kernels/cpu/rmsnorm_ref.h"

#include "common/error.h"

#include <cmath>
#include <vector>

namespace hone::kernels {

namespace {
void check(std::size_t cols, float eps) {
    if (cols == 0) throw Error("rmsnorm: rows have no columns; pass cols >= 1");
    if (!(eps >= 0)) throw Error("rmsnorm: eps must be >= 0 (got a negative or NaN value)");
}

double rowRstd(DType t, const void* x, std::size_t row, std::size_t cols, float eps) {
    double sumSq = 0;
    for (std::size_t c = 0; c < cols; ++c) {
        const double v = loadAs(t, x, row * cols + c);
        sumSq += v * v;
    }
    return 1.0 / std::sqrt(sumSq / double(cols) + double(eps));
}
} // namespace

void rmsnormForwardRef(DType t, const void* x, const float* w, void* y, float* rstd, std::size_t rows,
                       std::size_t cols, float eps) {
    check(cols, eps);
    for (std::size_t r = 0; r < rows; ++r) {
        const double s = rowRstd(t, x, r, cols, eps);
        if (rstd) rstd[r] = float(s);
        for (std::size_t c = 0; c < cols; ++c) {
            const std::size_t i = r * cols + c;
            storeAs(t, y, i, float(double(loadAs(t, x, i)) * s * w[c]));
        }
    }
}

void rmsnormBackwardRef(DType t, const void* x, const float* w, const void* dy, void* dx, float* dw,
                        std::size_t rows, std::size_t cols, float eps) {
    check(cols, eps);
    std::vector<double> dwAcc(cols, 0.0);
    for (std::size_t r = 0; r < rows; ++r) {
        const double s = rowRstd(t, x, r, cols, eps);
        double dot = 0; // sum(dy * w * xhat)
        for (std::size_t c = 0; c < cols; ++c) {
            const std::size_t i = r * cols + c;
            const double xhat = loadAs(t, x, i) * s, g = loadAs(t, dy, i);
            dot += g * w[c] * xhat;
            dwAcc[c] += g * xhat;
        }
        const double mean = dot / double(cols);
        for (std::size_t c = 0; c < cols; ++c) {
            const std::size_t i = r * cols + c;
            const double xhat = loadAs(t, x, i) * s;
            storeAs(t, dx, i, float(s * (double(loadAs(t, dy, i)) * w[c] - xhat * mean)));
        }
    }
    if (dw)
        for (std::size_t c = 0; c < cols; ++c) dw[c] = float(dwAcc[c]);
}

} // namespace hone::kernels
