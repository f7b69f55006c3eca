// The LoRA path's small products on the GPU (checked against kernels/cpu/lora_ref.cpp): the rank-r
// reductions run one block per row, the rest one thread per output element; F32 accumulation.
#include "common.cuh"

namespace hone::kernels::gpu {
namespace {

// out[n, j] = scale * sum_k in[n * inStride + k] * m[k * mRow + j * mCol], one block per row n: covers
// xa = x A^T (m = A, mRow 1, mCol width) and dxa = scale dy B (m = B, mRow rank, mCol 1).
template <typename T>
__global__ void rowTimesMatrix(const T* __restrict__ in, long long inStride, long long width,
                               const float* __restrict__ m, long long mRow, long long mCol, float scale,
                               float* __restrict__ out, int rank) {
    __shared__ float shared[32];
    const long long n = blockIdx.x;
    for (int j = 0; j < rank; ++j) {
        float acc = 0.0f;
        for (long long k = threadIdx.x; k < width; k += blockDim.x)
            acc += ld(in, n * inStride + k) * m[k * mRow + j * mCol];
        const float total = blockSum(acc, shared);
        if (threadIdx.x == 0) out[n * rank + j] = scale * total;
    }
}

// y[n * yStride + o] += scale * sum_j xa[n, j] * m[o, j] (m: [cols, rank] = B, or A^T via mRow / mCol).
template <typename T>
__global__ void addSmallProduct(const float* __restrict__ xa, const float* __restrict__ m, long long mRow,
                                long long mCol, float scale, T* __restrict__ y, long long rows,
                                long long cols, long long yStride, int rank) {
    for (long long idx = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; idx < rows * cols;
         idx += static_cast<long long>(gridDim.x) * blockDim.x) {
        const long long n = idx / cols, o = idx % cols;
        float acc = 0.0f;
        for (int j = 0; j < rank; ++j) acc += xa[n * rank + j] * m[o * mRow + j * mCol];
        st(y, n * yStride + o, ld(y, n * yStride + o) + scale * acc);
    }
}

// g[p, j] = scale * sum_n v[n * vStride + p] * u[n, j]: dB (v = dy, u = xa, transposed into [out, rank]) and
// dA (v = x, u = dxa, written [rank, in]) - one thread per output, rows summed in order (deterministic).
template <typename T>
__global__ void sumOverRows(const T* __restrict__ v, long long vStride, long long width,
                            const float* __restrict__ u, float scale, float* __restrict__ g, long long gRow,
                            long long gCol, long long rows, int rank) {
    for (long long idx = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; idx < width * rank;
         idx += static_cast<long long>(gridDim.x) * blockDim.x) {
        const long long p = idx % width, j = idx / width; // consecutive threads read consecutive columns
        float acc = 0.0f;
        for (long long n = 0; n < rows; ++n) acc += ld(v, n * vStride + p) * u[n * rank + j];
        g[p * gRow + j * gCol] = scale * acc;
    }
}

hone_gpu_status check(hone_dtype dtype, long long n, long long width, long long rank) {
    if (!knownDtype(dtype)) return invalid("lora: unknown dtype; pass HONE_F32, HONE_BF16 or HONE_F16");
    if (n < 0 || n > kMaxRowBlocks || width < 0 || rank < 1 || rank > 4096)
        return invalid("lora: n and the widths must be >= 0 and the rank in 1..4096");
    return okStatus();
}

} // namespace
} // namespace hone::kernels::gpu

using namespace hone::kernels::gpu;

extern "C" hone_gpu_status hone_gpu_lora_down(hone_dtype dtype, const void* x, const float* a, float* xa,
                                              int64_t n, int64_t in, int64_t rank, void* stream) {
    const hone_gpu_status c = check(dtype, n, in, rank);
    if (c.code || n == 0) return c;
    if (!x || !a || !xa) return invalid("lora down: x, a and xa must be device pointers, not null");
    HONE_DISPATCH(dtype, HONE_LAUNCH(rowTimesMatrix<T>, unsigned(n), threadsFor(in), asStream(stream),
                                     static_cast<const T*>(x), in, in, a, 1, in, 1.0f, xa, int(rank)));
    return launched();
}

extern "C" hone_gpu_status hone_gpu_lora_up_add(hone_dtype dtype, const float* xa, const float* b,
                                                float scale, void* y, int64_t n, int64_t out, int64_t rank,
                                                int64_t y_stride, void* stream) {
    const hone_gpu_status c = check(dtype, n, out, rank);
    if (c.code || n * out == 0) return c;
    if (y_stride == 0) y_stride = out;
    if (y_stride < out) return invalid("lora up: the row stride of y is smaller than its width");
    if (!xa || !b || !y) return invalid("lora up: xa, b and y must be device pointers, not null");
    HONE_DISPATCH(dtype, HONE_LAUNCH(addSmallProduct<T>, blocksFor(n * out, 256), 256, asStream(stream), xa,
                                     b, rank, 1, scale, static_cast<T*>(y), n, out, y_stride, int(rank)));
    return launched();
}

extern "C" hone_gpu_status hone_gpu_lora_backward(hone_dtype dtype, const void* x, const float* a,
                                                  const float* b, const float* xa, const void* dy,
                                                  float scale, float* dxa, float* da, float* db, void* dx,
                                                  int64_t n, int64_t in, int64_t out, int64_t rank,
                                                  int64_t y_stride, void* stream) {
    hone_gpu_status c = check(dtype, n, in, rank);
    if (c.code) return c;
    c = check(dtype, n, out, rank);
    if (c.code) return c;
    if (y_stride == 0) y_stride = out;
    if (y_stride < out) return invalid("lora backward: the row stride of dy is smaller than its width");
    if (!x || !a || !b || !xa || !dy || !dxa || !da || !db)
        return invalid("lora backward: x, a, b, xa, dy, dxa, da and db must be device pointers, not null");
    const honeStream_t s = asStream(stream);
    HONE_DISPATCH(dtype, {
        const T* xt = static_cast<const T*>(x);
        const T* dyt = static_cast<const T*>(dy);
        if (n > 0)
            HONE_LAUNCH(rowTimesMatrix<T>, unsigned(n), threadsFor(out), s, dyt, y_stride, out, b, rank, 1,
                        scale, dxa, int(rank));
        if (out > 0)
            HONE_LAUNCH(sumOverRows<T>, blocksFor(out * rank, 256), 256, s, dyt, y_stride, out, xa, scale, db,
                        rank, 1, n, int(rank));
        if (in > 0)
            HONE_LAUNCH(sumOverRows<T>, blocksFor(in * rank, 256), 256, s, xt, in, in, dxa, 1.0f, da, 1, in,
                        n, int(rank));
        if (dx && n * in > 0)
            HONE_LAUNCH(addSmallProduct<T>, blocksFor(n * in, 256), 256, s, dxa, a, 1, in, 1.0f,
                        static_cast<T*>(dx), n, in, in, int(rank));
    });
    return launched();
}
