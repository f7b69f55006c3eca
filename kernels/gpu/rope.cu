// RoPE forward/backward on the GPU, both pair layouts (checked against kernels/cpu/rope_ref.cpp). One thread
// per rotated pair or copied tail element, grid-stride; in place is safe (each element has one owner).
#include "common.cuh"

namespace hone::kernels::gpu {
namespace {

template <typename T>
__global__ void rope(const T* x, T* y, const float* __restrict__ cos, const float* __restrict__ sin,
                     long long rowsTimesHeads, long long heads, int headDim, int rot, long long posOffset,
                     bool interleaved, float sign) {
    const int half = rot / 2, perHead = half + (headDim - rot);
    const long long total = rowsTimesHeads * perHead;
    for (long long idx = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; idx < total;
         idx += static_cast<long long>(gridDim.x) * blockDim.x) {
        const long long head = idx / perHead; // token * heads + h
        const int j = int(idx % perHead);
        const long long base = head * headDim;
        if (j >= half) { // partial rotary: the tail is copied
            const long long i = base + rot + (j - half);
            st(y, i, ld(x, i));
            continue;
        }
        const long long pos = posOffset + head / heads;
        const float c = cos[pos * half + j], s = sin[pos * half + j];
        const long long ia = base + (interleaved ? 2 * j : j), ib = interleaved ? ia + 1 : ia + half;
        const float a = ld(x, ia), b = ld(x, ib);
        st(y, ia, a * c - sign * b * s);
        st(y, ib, b * c + sign * a * s);
    }
}

} // namespace
} // namespace hone::kernels::gpu

using namespace hone::kernels::gpu;

extern "C" hone_gpu_status hone_gpu_rope(hone_dtype dtype, const void* x, void* y, const float* cos,
                                         const float* sin, int64_t tokens, int64_t heads, int64_t head_dim,
                                         int64_t rot, int64_t pos_offset, int64_t table_positions, int layout,
                                         int backward, void* stream) {
    if (!knownDtype(dtype)) return invalid("rope: unknown dtype; pass HONE_F32, HONE_BF16 or HONE_F16");
    if (rot == 0) rot = head_dim;
    if (head_dim < 1 || head_dim > 65536 || rot < 2 || rot % 2 || rot > head_dim)
        return invalid("rope: the rotated width must be even and at most the head size (1..65536)");
    if (tokens < 0 || heads < 0 || pos_offset < 0)
        return invalid("rope: tokens, heads and the position offset must be >= 0");
    if (layout != 0 && layout != 1) return invalid("rope: layout must be 0 (rotate-half) or 1 (interleaved)");
    if (tokens == 0 || heads == 0) return okStatus();
    if (pos_offset + tokens > table_positions)
        return invalid(
            "rope: positions run past the cos/sin table; build a table covering pos_offset + tokens");
    if (!x || !y || !cos || !sin) return invalid("rope: x, y, cos and sin must be device pointers, not null");
    const long long total = tokens * heads * (rot / 2 + head_dim - rot);
    HONE_DISPATCH(dtype,
                  HONE_LAUNCH(rope<T>, blocksFor(total, 256), 256, asStream(stream), static_cast<const T*>(x),
                              static_cast<T*>(y), cos, sin, tokens * heads, heads, int(head_dim), int(rot),
                              pos_offset, layout == 1, backward ? -1.0f : 1.0f));
    return launched();
}
