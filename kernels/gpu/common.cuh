// Device helpers shared by the kernels (block reductions, element types, launch shapes) and the host helpers
// of the C ABI (status values, dtype dispatch). Included by each kernels/gpu/*.cu; not compiled on its own.
#pragma once

#include "vendor.h" // first: HIP's __host__ / __device__ come from hip_runtime.h

#include "../dtype.h"
#include "launch.h"

namespace hone::kernels::gpu {

// ---- device ----

// Sum (or max) over the block; every thread gets the result. `shared` holds one float per warp (<= 32).
template <bool Max> __device__ float blockReduce(float v, float* shared) {
    for (int offset = warpSize / 2; offset > 0; offset /= 2) {
        const float other = HONE_SHFL_XOR(v, offset);
        v = Max ? fmaxf(v, other) : v + other;
    }
    const int lane = threadIdx.x % warpSize, warp = threadIdx.x / warpSize;
    if (lane == 0) shared[warp] = v;
    __syncthreads();
    const int warps = (blockDim.x + warpSize - 1) / warpSize;
    v = int(threadIdx.x) < warps ? shared[threadIdx.x] : (Max ? -INFINITY : 0.0f);
    if (warp == 0)
        for (int offset = warpSize / 2; offset > 0; offset /= 2) {
            const float other = HONE_SHFL_XOR(v, offset);
            v = Max ? fmaxf(v, other) : v + other;
        }
    if (threadIdx.x == 0) shared[0] = v;
    __syncthreads();
    v = shared[0];
    __syncthreads();
    return v;
}
__device__ inline float blockSum(float v, float* shared) {
    return blockReduce<false>(v, shared);
}
__device__ inline float blockMax(float v, float* shared) {
    return blockReduce<true>(v, shared);
}

template <typename T> __device__ inline float ld(const T* p, long long i) {
    return toF32(p[i]);
}
template <typename T> __device__ inline void st(T* p, long long i, float v) {
    p[i] = fromF32<T>(v);
}

// ---- host ----

constexpr int kMaxBlocks = 65535; // grid-stride loops cover the rest

// Threads for one block per row of `cols` elements: a power of two from 64 to 1024.
inline int threadsFor(long long cols) {
    int t = 64;
    while (t < cols && t < 1024) t *= 2;
    return t;
}

inline int blocksFor(long long elements, int threads) {
    const long long b = (elements + threads - 1) / threads;
    return int(b < 1 ? 1 : (b > kMaxBlocks ? kMaxBlocks : b));
}

inline hone_gpu_status okStatus() {
    return {HONE_GPU_OK, "ok"};
}
inline hone_gpu_status invalid(const char* message) {
    return {HONE_GPU_INVALID_ARGUMENT, message};
}
inline hone_gpu_status launched() {
    const honeError_t e = honeGetLastError();
    if (e == honeSuccess) return okStatus();
    return {HONE_GPU_LAUNCH_FAILED, honeGetErrorString(e)};
}
inline honeStream_t asStream(void* stream) {
    return static_cast<honeStream_t>(stream);
}
inline bool knownDtype(hone_dtype t) {
    return t == HONE_F32 || t == HONE_BF16 || t == HONE_F16;
}
constexpr long long kMaxRowBlocks = 2147483647LL; // gridDim.x limit for one-block-per-row kernels

} // namespace hone::kernels::gpu

// Runs the statement with T bound to the element type of `dtype` (the caller checked knownDtype).
#define HONE_DISPATCH(dtype, ...)                                                                            \
    do {                                                                                                     \
        if ((dtype) == HONE_BF16) {                                                                          \
            using T = ::hone::kernels::Bf16;                                                                 \
            __VA_ARGS__;                                                                                     \
        } else if ((dtype) == HONE_F16) {                                                                    \
            using T = ::hone::kernels::F16;                                                                  \
            __VA_ARGS__;                                                                                     \
        } else {                                                                                             \
            using T = float;                                                                                 \
            __VA_ARGS__;                                                                                     \
        }                                                                                                    \
    } while (0)
