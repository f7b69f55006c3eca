// RMSNorm forward and backward on the GPU, one block per row (checked against kernels/cpu/rmsnorm_ref.cpp).
// Written once for CUDA and HIP through vendor.h. F32/BF16/F16 activations, F32 weights and math.
#include "common.cuh"

namespace hone::kernels::gpu {
namespace {

template <typename T>
__global__ void rmsnormForward(const T* __restrict__ x, const float* __restrict__ w, T* __restrict__ y,
                               float* __restrict__ rstd, int cols, float eps) {
    __shared__ float shared[32];
    const long long base = static_cast<long long>(blockIdx.x) * cols;
    float sumSq = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const float v = ld(x, base + c);
        sumSq += v * v;
    }
    const float s = rsqrtf(blockSum(sumSq, shared) / cols + eps);
    if (threadIdx.x == 0 && rstd) rstd[blockIdx.x] = s;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) st(y, base + c, ld(x, base + c) * s * w[c]);
}

// dx per row from the forward's rstd: dx = s (dy w - xhat mean(dy w xhat)).
template <typename T>
__global__ void rmsnormBackwardDx(const T* __restrict__ x, const float* __restrict__ w,
                                  const float* __restrict__ rstd, const T* __restrict__ dy,
                                  T* __restrict__ dx, int cols) {
    __shared__ float shared[32];
    const long long base = static_cast<long long>(blockIdx.x) * cols;
    const float s = rstd[blockIdx.x];
    float dot = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) dot += ld(dy, base + c) * w[c] * ld(x, base + c) * s;
    const float mean = blockSum(dot, shared) / cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x)
        st(dx, base + c, s * (ld(dy, base + c) * w[c] - ld(x, base + c) * s * mean));
}

// dw per column, summed over rows by one thread (deterministic, no atomics; rows are read coalesced).
template <typename T>
__global__ void rmsnormBackwardDw(const T* __restrict__ x, const float* __restrict__ rstd,
                                  const T* __restrict__ dy, float* __restrict__ dw, long long rows,
                                  int cols) {
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < cols; c += gridDim.x * blockDim.x) {
        float acc = 0.0f;
        for (long long r = 0; r < rows; ++r) acc += ld(dy, r * cols + c) * ld(x, r * cols + c) * rstd[r];
        dw[c] = acc;
    }
}

hone_gpu_status checkShape(hone_dtype dtype, long long rows, long long cols) {
    if (!knownDtype(dtype)) return invalid("rmsnorm: unknown dtype; pass HONE_F32, HONE_BF16 or HONE_F16");
    if (rows < 0 || cols < 1 || cols > 2147483647LL || rows > kMaxRowBlocks)
        return invalid("rmsnorm: rows must be >= 0 and cols in 1..2^31-1");
    return okStatus();
}

} // namespace
} // namespace hone::kernels::gpu

using namespace hone::kernels::gpu;

extern "C" hone_gpu_status hone_gpu_rmsnorm_forward(hone_dtype dtype, const void* x, const float* w, void* y,
                                                    float* rstd, int64_t rows, int64_t cols, float eps,
                                                    void* stream) {
    const hone_gpu_status shape = checkShape(dtype, rows, cols);
    if (shape.code) return shape;
    if (!(eps >= 0)) return invalid("rmsnorm: eps must be >= 0");
    if (rows == 0) return okStatus();
    if (!x || !w || !y) return invalid("rmsnorm forward: x, w and y must be device pointers, not null");
    HONE_DISPATCH(dtype, HONE_LAUNCH(rmsnormForward<T>, unsigned(rows), threadsFor(cols), asStream(stream),
                                     static_cast<const T*>(x), w, static_cast<T*>(y), rstd, int(cols), eps));
    return launched();
}

extern "C" hone_gpu_status hone_gpu_rmsnorm_backward(hone_dtype dtype, const void* x, const float* w,
                                                     const float* rstd, const void* dy, void* dx, float* dw,
                                                     int64_t rows, int64_t cols, void* stream) {
    const hone_gpu_status shape = checkShape(dtype, rows, cols);
    if (shape.code) return shape;
    if (!x || !w || !rstd || !dy || !dx)
        return invalid("rmsnorm backward: x, w, rstd (from the forward), dy and dx must be device pointers");
    if (rows > 0)
        HONE_DISPATCH(dtype, HONE_LAUNCH(rmsnormBackwardDx<T>, unsigned(rows), threadsFor(cols),
                                         asStream(stream), static_cast<const T*>(x), w, rstd,
                                         static_cast<const T*>(dy), static_cast<T*>(dx), int(cols)));
    if (dw)
        HONE_DISPATCH(dtype, HONE_LAUNCH(rmsnormBackwardDw<T>, blocksFor(cols, 256), 256, asStream(stream),
                                         static_cast<const T*>(x), rstd, static_cast<const T*>(dy), dw, rows,
                                         int(cols)));
    return launched();
}
