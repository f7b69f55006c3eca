// RMSNorm forward and backward on the GPU, one block per row (checked against kernels/cpu/rmsnorm_ref.cpp).
// Written once for CUDA and HIP through vendor.h. F32 in and out; the reduction accumulates in F32.
#include "vendor.h"

namespace {

__device__ float blockSum(float v, float* shared) {
    for (int offset = warpSize / 2; offset > 0; offset /= 2) v += HONE_SHFL_XOR(v, offset);
    const int lane = threadIdx.x % warpSize, warp = threadIdx.x / warpSize;
    if (lane == 0) shared[warp] = v;
    __syncthreads();
    const int warps = (blockDim.x + warpSize - 1) / warpSize;
    v = threadIdx.x < warps ? shared[threadIdx.x] : 0.0f;
    if (warp == 0)
        for (int offset = warpSize / 2; offset > 0; offset /= 2) v += HONE_SHFL_XOR(v, offset);
    if (threadIdx.x == 0) shared[0] = v;
    __syncthreads();
    v = shared[0];
    __syncthreads();
    return v;
}

__global__ void rmsnormForward(const float* __restrict__ x, const float* __restrict__ w,
                               float* __restrict__ y, float* __restrict__ rstd, int cols, float eps) {
    __shared__ float shared[32];
    const float* xr = x + static_cast<long long>(blockIdx.x) * cols;
    float* yr = y + static_cast<long long>(blockIdx.x) * cols;
    float sumSq = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) sumSq += xr[c] * xr[c];
    const float s = rsqrtf(blockSum(sumSq, shared) / cols + eps);
    if (threadIdx.x == 0 && rstd) rstd[blockIdx.x] = s;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) yr[c] = xr[c] * s * w[c];
}

// dx per row; dw is accumulated with atomics (one add per element per row).
__global__ void rmsnormBackward(const float* __restrict__ x, const float* __restrict__ w,
                                const float* __restrict__ dy, float* __restrict__ dx, float* __restrict__ dw,
                                int cols, float eps) {
    __shared__ float shared[32];
    const long long row = blockIdx.x;
    const float* xr = x + row * cols;
    const float* dyr = dy + row * cols;
    float sumSq = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) sumSq += xr[c] * xr[c];
    const float s = rsqrtf(blockSum(sumSq, shared) / cols + eps);
    float dot = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) dot += dyr[c] * w[c] * xr[c] * s;
    const float mean = blockSum(dot, shared) / cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const float xhat = xr[c] * s;
        dx[row * cols + c] = s * (dyr[c] * w[c] - xhat * mean);
        atomicAdd(&dw[c], dyr[c] * xhat);
    }
}

int threadsFor(int cols) {
    int t = 64;
    while (t < cols && t < 1024) t *= 2;
    return t;
}

} // namespace

// Host launchers (C linkage so the LibTorch glue can call them without sharing headers). Return 0 or the
// vendor's error code; the message is available from honeGetErrorString. The backward launcher accumulates
// into dw, which the caller zeroes first.
extern "C" int hone_rmsnorm_forward_f32(const float* x, const float* w, float* y, float* rstd, int rows,
                                        int cols, float eps, void* stream) {
    rmsnormForward<<<rows, threadsFor(cols), 0, static_cast<honeStream_t>(stream)>>>(x, w, y, rstd, cols,
                                                                                     eps);
    return static_cast<int>(honeGetLastError());
}

extern "C" int hone_rmsnorm_backward_f32(const float* x, const float* w, const float* dy, float* dx,
                                         float* dw, int rows, int cols, float eps, void* stream) {
    rmsnormBackward<<<rows, threadsFor(cols), 0, static_cast<honeStream_t>(stream)>>>(x, w, dy, dx, dw, cols,
                                                                                      eps);
    return static_cast<int>(honeGetLastError());
}
