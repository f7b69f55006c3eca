// SwiGLU and GeGLU (tanh approximation) forward/backward on the GPU (checked against
// kernels/cpu/glu_ref.cpp). Elementwise over [rows, f] with gu = [gate | up] per row; grid-stride.
#include "common.cuh"

namespace hone::kernels::gpu {
namespace {

constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kGeluCubic = 0.044715f;

__device__ inline float act(bool gelu, float g) {
    if (!gelu) return g / (1.0f + expf(-g));
    return 0.5f * g * (1.0f + tanhf(kSqrt2OverPi * (g + kGeluCubic * g * g * g)));
}

__device__ inline float actGrad(bool gelu, float g) {
    if (!gelu) {
        const float sig = 1.0f / (1.0f + expf(-g));
        return sig * (1.0f + g * (1.0f - sig));
    }
    const float th = tanhf(kSqrt2OverPi * (g + kGeluCubic * g * g * g));
    return 0.5f * (1.0f + th) +
           0.5f * g * (1.0f - th * th) * kSqrt2OverPi * (1.0f + 3.0f * kGeluCubic * g * g);
}

template <typename T>
__global__ void gluForward(bool gelu, const T* __restrict__ gu, T* __restrict__ out, long long rows,
                           long long f) {
    for (long long idx = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; idx < rows * f;
         idx += static_cast<long long>(gridDim.x) * blockDim.x) {
        const long long r = idx / f, i = idx % f;
        st(out, idx, act(gelu, ld(gu, r * 2 * f + i)) * ld(gu, r * 2 * f + f + i));
    }
}

template <typename T>
__global__ void gluBackward(bool gelu, const T* __restrict__ gu, const T* __restrict__ dy,
                            T* __restrict__ dgu, long long rows, long long f) {
    for (long long idx = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; idx < rows * f;
         idx += static_cast<long long>(gridDim.x) * blockDim.x) {
        const long long r = idx / f, i = idx % f;
        const float g = ld(gu, r * 2 * f + i), u = ld(gu, r * 2 * f + f + i), d = ld(dy, idx);
        st(dgu, r * 2 * f + i, d * u * actGrad(gelu, g));
        st(dgu, r * 2 * f + f + i, d * act(gelu, g));
    }
}

hone_gpu_status check(int kind, hone_dtype dtype, long long rows, long long f) {
    if (kind != 0 && kind != 1)
        return invalid("glu: kind must be 0 (SwiGLU) or 1 (GeGLU, tanh approximation)");
    if (!knownDtype(dtype)) return invalid("glu: unknown dtype; pass HONE_F32, HONE_BF16 or HONE_F16");
    if (rows < 0 || f < 0) return invalid("glu: rows and f must be >= 0");
    return okStatus();
}

} // namespace
} // namespace hone::kernels::gpu

using namespace hone::kernels::gpu;

extern "C" hone_gpu_status hone_gpu_glu_forward(int kind, hone_dtype dtype, const void* gu, void* out,
                                                int64_t rows, int64_t f, void* stream) {
    const hone_gpu_status c = check(kind, dtype, rows, f);
    if (c.code || rows * f == 0) return c;
    if (!gu || !out) return invalid("glu forward: gu and out must be device pointers, not null");
    HONE_DISPATCH(dtype, HONE_LAUNCH(gluForward<T>, blocksFor(rows * f, 256), 256, asStream(stream),
                                     kind == 1, static_cast<const T*>(gu), static_cast<T*>(out), rows, f));
    return launched();
}

extern "C" hone_gpu_status hone_gpu_glu_backward(int kind, hone_dtype dtype, const void* gu, const void* dy,
                                                 void* dgu, int64_t rows, int64_t f, void* stream) {
    const hone_gpu_status c = check(kind, dtype, rows, f);
    if (c.code || rows * f == 0) return c;
    if (!gu || !dy || !dgu) return invalid("glu backward: gu, dy and dgu must be device pointers, not null");
    HONE_DISPATCH(dtype, HONE_LAUNCH(gluBackward<T>, blocksFor(rows * f, 256), 256, asStream(stream),
                                     kind == 1, static_cast<const T*>(gu), static_cast<const T*>(dy),
                                     static_cast<T*>(dgu), rows, f));
    return launched();
}
