// Chunked cross-entropy forward/backward on the GPU, one block per row of the caller's logits chunk (checked
// against kernels/cpu/cross_entropy_ref.cpp). Each thread keeps an online (max, sum of exp) over its strided
// columns in one pass; the block combines them as lse = M + log(sum_t s_t exp(m_t - M)). Nothing but the
// per-row loss and lse is stored; the backward recomputes exp(z - lse) and may write over the logits.
#include "common.cuh"

namespace hone::kernels::gpu {
namespace {

template <typename T>
__global__ void crossEntropyForward(const T* __restrict__ logits, const int64_t* __restrict__ targets,
                                    float* __restrict__ loss, float* __restrict__ lse, long long vocab,
                                    long long ignoreIndex) {
    __shared__ float shared[32];
    const long long row = blockIdx.x, base = row * vocab;
    const long long t = targets[row];
    if (t == ignoreIndex) { // the whole block takes the same branch
        if (threadIdx.x == 0) {
            loss[row] = 0.0f;
            if (lse) lse[row] = 0.0f;
        }
        return;
    }
    float m = -INFINITY, s = 0.0f;
    for (long long i = threadIdx.x; i < vocab; i += blockDim.x) {
        const float z = ld(logits, base + i);
        if (z > m) {
            s = s * expf(m - z) + 1.0f;
            m = z;
        } else {
            s += expf(z - m);
        }
    }
    const float rowMax = blockMax(m, shared);
    const float sum = blockSum(s > 0.0f ? s * expf(m - rowMax) : 0.0f, shared);
    if (threadIdx.x == 0) {
        const bool bad = t < 0 || t >= vocab;
        const float l = rowMax + logf(sum);
        if (lse) lse[row] = bad ? NAN : l;
        loss[row] = bad ? NAN : l - ld(logits, base + t);
    }
}

// dlogits may alias logits: each element is read and then written by the same thread.
template <typename T>
__global__ void crossEntropyBackward(const T* logits, const int64_t* __restrict__ targets,
                                     const float* __restrict__ lse, float scale, T* dlogits, long long vocab,
                                     long long ignoreIndex) {
    const long long row = blockIdx.x, base = row * vocab;
    const long long t = targets[row];
    const bool ignored = t == ignoreIndex, bad = !ignored && (t < 0 || t >= vocab);
    const float l = lse[row];
    for (long long i = threadIdx.x; i < vocab; i += blockDim.x) {
        float g = 0.0f;
        if (bad)
            g = NAN;
        else if (!ignored)
            g = scale * (expf(ld(logits, base + i) - l) - (i == t ? 1.0f : 0.0f));
        st(dlogits, base + i, g);
    }
}

hone_gpu_status check(hone_dtype dtype, long long rows, long long vocab) {
    if (!knownDtype(dtype))
        return invalid("cross-entropy: unknown dtype; pass HONE_F32, HONE_BF16 or HONE_F16");
    if (rows < 0 || rows > kMaxRowBlocks || vocab < 1)
        return invalid("cross-entropy: the chunk needs rows in 0..2^31-1 and at least one vocabulary column");
    return okStatus();
}

} // namespace
} // namespace hone::kernels::gpu

using namespace hone::kernels::gpu;

extern "C" hone_gpu_status hone_gpu_cross_entropy_forward(hone_dtype dtype, const void* logits,
                                                          const int64_t* targets, float* loss, float* lse,
                                                          int64_t rows, int64_t vocab, int64_t ignore_index,
                                                          void* stream) {
    const hone_gpu_status c = check(dtype, rows, vocab);
    if (c.code || rows == 0) return c;
    if (!logits || !targets || !loss)
        return invalid("cross-entropy forward: logits, targets and loss must be device pointers, not null");
    HONE_DISPATCH(dtype,
                  HONE_LAUNCH(crossEntropyForward<T>, unsigned(rows), threadsFor(vocab), asStream(stream),
                              static_cast<const T*>(logits), targets, loss, lse, vocab, ignore_index));
    return launched();
}

extern "C" hone_gpu_status hone_gpu_cross_entropy_backward(hone_dtype dtype, const void* logits,
                                                           const int64_t* targets, const float* lse,
                                                           float scale, void* dlogits, int64_t rows,
                                                           int64_t vocab, int64_t ignore_index,
                                                           void* stream) {
    const hone_gpu_status c = check(dtype, rows, vocab);
    if (c.code || rows == 0) return c;
    if (!logits || !targets || !lse || !dlogits)
        return invalid("cross-entropy backward: logits, targets, lse (from the forward) and dlogits must be "
                       "device pointers, not null");
    HONE_DISPATCH(dtype, HONE_LAUNCH(crossEntropyBackward<T>, unsigned(rows), threadsFor(vocab),
                                     asStream(stream), static_cast<const T*>(logits), targets, lse, scale,
                                     static_cast<T*>(dlogits), vocab, ignore_index));
    return launched();
}
