// The fused CPU loops. Each public function picks the element type and splits the rows over LibTorch's
// intra-op threads; the row loops are templates inlined into multi-versioned entry points so that the
// compiler vectorises them for the widest instruction set the CPU has.
#include "train/fused_cpu_kernels.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <bit>
#include <cmath>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define HONE_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define HONE_MULTIVERSION
#endif
#define HONE_INLINE [[gnu::always_inline]] inline

namespace hone::cpu {

namespace {

using Bf16 = std::uint16_t;

HONE_INLINE float load(float v) {
    return v;
}
HONE_INLINE float load(Bf16 v) {
    return std::bit_cast<float>(static_cast<std::uint32_t>(v) << 16);
}
HONE_INLINE void store(float& d, float v) {
    d = v;
}
// Round to nearest even, in integer arithmetic without branches (so loops vectorise); a NaN gets its quiet
// bit and is not rounded, so it stays a NaN.
HONE_INLINE void store(Bf16& d, float v) {
    const auto b = std::bit_cast<std::uint32_t>(v);
    const std::uint32_t nan = (b & 0x7fffffffu) > 0x7f800000u;
    const std::uint32_t q = b | (nan << 22);
    d = static_cast<Bf16>((q + ((0x7fffu + ((q >> 16) & 1u)) & (nan - 1u))) >> 16);
}

// exp(x) within ~1e-7 relative (Cephes' expf polynomial after a Cody-Waite reduction). The power of two is
// clamped in integers, not x in floats: GCC turns a float clamp into branches and then does not vectorise.
// Saturates below 2^-126 and above 2^128 (not inf); NaN propagates.
HONE_INLINE float expPoly(float x) {
    const float t = x * 1.44269504088896341f + 12582912.0f; // round(x / ln 2) in the low mantissa bits
    const float n = t - 12582912.0f;
    const std::int32_t ni = std::min(std::max(std::bit_cast<std::int32_t>(t) - 0x4B400000, -126), 127);
    const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    return (p * r * r + r + 1.0f) * std::bit_cast<float>((ni + 127) << 23);
}

HONE_INLINE float sigmoid(float x) {
    return 1.0f / (1.0f + expPoly(-x));
}

template <typename T>
HONE_INLINE void swiGluForwardRows(const T* gu, std::int64_t gs, T* out, std::int64_t os, std::int64_t r0,
                                   std::int64_t r1, std::int64_t f) {
    for (std::int64_t r = r0; r < r1; ++r) {
        const T* g = gu + r * gs;
        const T* u = g + f;
        T* o = out + r * os;
        for (std::int64_t i = 0; i < f; ++i) {
            const float x = load(g[i]);
            store(o[i], x * sigmoid(x) * load(u[i]));
        }
    }
}

template <typename T>
HONE_INLINE void swiGluBackwardRows(const T* gu, std::int64_t gs, const T* dy, std::int64_t ds, T* dgu,
                                    std::int64_t dgs, std::int64_t r0, std::int64_t r1, std::int64_t f) {
    for (std::int64_t r = r0; r < r1; ++r) {
        const T* g = gu + r * gs;
        const T* u = g + f;
        const T* d = dy + r * ds;
        T* dg = dgu + r * dgs;
        T* du = dg + f;
        for (std::int64_t i = 0; i < f; ++i) {
            const float x = load(g[i]), s = sigmoid(x), gy = load(d[i]);
            store(du[i], gy * x * s);
            store(dg[i], gy * load(u[i]) * s * (1.0f + x * (1.0f - s)));
        }
    }
}

// Sum over a row with 16 partial sums (vectorisable without reassociating the whole sum).
template <typename T, typename F> HONE_INLINE float rowSum(std::int64_t n, F term) {
    float acc[16] = {};
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; ++j) acc[j] += term(i + j);
    float s = 0;
    for (; i < n; ++i) s += term(i);
    for (float a : acc) s += a;
    return s;
}

template <typename T>
HONE_INLINE void rmsNormForwardRows(const T* x, std::int64_t xs, const float* w, T* y, std::int64_t ys,
                                    float* rstd, std::int64_t r0, std::int64_t r1, std::int64_t n,
                                    float eps) {
    for (std::int64_t r = r0; r < r1; ++r) {
        const T* xr = x + r * xs;
        T* yr = y + r * ys;
        const float ss = rowSum<T>(n, [&](std::int64_t i) {
            const float v = load(xr[i]);
            return v * v;
        });
        const float k = 1.0f / std::sqrt(ss / static_cast<float>(n) + eps);
        rstd[r] = k;
        for (std::int64_t i = 0; i < n; ++i) store(yr[i], load(xr[i]) * k * w[i]);
    }
}

template <typename T>
HONE_INLINE void rmsNormBackwardRows(const T* x, std::int64_t xs, const float* w, const float* rstd,
                                     const T* dy, std::int64_t ds, T* dx, std::int64_t dxs, std::int64_t r0,
                                     std::int64_t r1, std::int64_t n) {
    for (std::int64_t r = r0; r < r1; ++r) {
        const T* xr = x + r * xs;
        const T* dr = dy + r * ds;
        T* out = dx + r * dxs;
        const float k = rstd[r];
        const float dot = rowSum<T>(n, [&](std::int64_t i) { return load(dr[i]) * w[i] * load(xr[i]); });
        const float c = k * k * k * dot / static_cast<float>(n);
        for (std::int64_t i = 0; i < n; ++i) store(out[i], k * load(dr[i]) * w[i] - c * load(xr[i]));
    }
}

// Maximum over a row with 16 partial maxima (NaN-free input assumed; a NaN logit makes the loss NaN anyway).
template <typename F> HONE_INLINE float rowMax(std::int64_t n, F term) {
    float acc[16];
    for (float& a : acc) a = -INFINITY;
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; ++j) acc[j] = std::max(acc[j], term(i + j));
    float m = -INFINITY;
    for (; i < n; ++i) m = std::max(m, term(i));
    for (float a : acc) m = std::max(m, a);
    return m;
}

template <typename T>
HONE_INLINE void crossEntropyRowsImpl(const T* z, std::int64_t zs, const std::int64_t* targets, float scale,
                                      T* grad, std::int64_t gs, float* loss, std::int64_t r0, std::int64_t r1,
                                      std::int64_t n) {
    for (std::int64_t r = r0; r < r1; ++r) {
        const T* zr = z + r * zs;
        const std::int64_t t = targets[r];
        T* gr = grad ? grad + r * gs : nullptr;
        if (t < 0 || t >= n) {
            loss[r] = 0;
            if (gr)
                for (std::int64_t i = 0; i < n; ++i) store(gr[i], 0.0f);
            continue;
        }
        const float m = rowMax(n, [&](std::int64_t i) { return load(zr[i]); });
        const float sum = rowSum<T>(n, [&](std::int64_t i) { return expPoly(load(zr[i]) - m); });
        const float lse = m + std::log(sum);
        loss[r] = lse - load(zr[t]);
        if (!gr) continue;
        for (std::int64_t i = 0; i < n; ++i) store(gr[i], expPoly(load(zr[i]) - lse) * scale);
        store(gr[t], (expPoly(load(zr[t]) - lse) - 1.0f) * scale);
    }
}

// The multi-versioned entry points (one per op and element type).
HONE_MULTIVERSION void swiGluForwardF32(const float* gu, std::int64_t gs, float* o, std::int64_t os,
                                        std::int64_t r0, std::int64_t r1, std::int64_t f) {
    swiGluForwardRows(gu, gs, o, os, r0, r1, f);
}
HONE_MULTIVERSION void swiGluForwardBf16(const Bf16* gu, std::int64_t gs, Bf16* o, std::int64_t os,
                                         std::int64_t r0, std::int64_t r1, std::int64_t f) {
    swiGluForwardRows(gu, gs, o, os, r0, r1, f);
}
HONE_MULTIVERSION void swiGluBackwardF32(const float* gu, std::int64_t gs, const float* dy, std::int64_t ds,
                                         float* dgu, std::int64_t dgs, std::int64_t r0, std::int64_t r1,
                                         std::int64_t f) {
    swiGluBackwardRows(gu, gs, dy, ds, dgu, dgs, r0, r1, f);
}
HONE_MULTIVERSION void swiGluBackwardBf16(const Bf16* gu, std::int64_t gs, const Bf16* dy, std::int64_t ds,
                                          Bf16* dgu, std::int64_t dgs, std::int64_t r0, std::int64_t r1,
                                          std::int64_t f) {
    swiGluBackwardRows(gu, gs, dy, ds, dgu, dgs, r0, r1, f);
}
HONE_MULTIVERSION void rmsNormForwardF32(const float* x, std::int64_t xs, const float* w, float* y,
                                         std::int64_t ys, float* rstd, std::int64_t r0, std::int64_t r1,
                                         std::int64_t n, float eps) {
    rmsNormForwardRows(x, xs, w, y, ys, rstd, r0, r1, n, eps);
}
HONE_MULTIVERSION void rmsNormForwardBf16(const Bf16* x, std::int64_t xs, const float* w, Bf16* y,
                                          std::int64_t ys, float* rstd, std::int64_t r0, std::int64_t r1,
                                          std::int64_t n, float eps) {
    rmsNormForwardRows(x, xs, w, y, ys, rstd, r0, r1, n, eps);
}
HONE_MULTIVERSION void rmsNormBackwardF32(const float* x, std::int64_t xs, const float* w, const float* rstd,
                                          const float* dy, std::int64_t ds, float* dx, std::int64_t dxs,
                                          std::int64_t r0, std::int64_t r1, std::int64_t n) {
    rmsNormBackwardRows(x, xs, w, rstd, dy, ds, dx, dxs, r0, r1, n);
}
HONE_MULTIVERSION void rmsNormBackwardBf16(const Bf16* x, std::int64_t xs, const float* w, const float* rstd,
                                           const Bf16* dy, std::int64_t ds, Bf16* dx, std::int64_t dxs,
                                           std::int64_t r0, std::int64_t r1, std::int64_t n) {
    rmsNormBackwardRows(x, xs, w, rstd, dy, ds, dx, dxs, r0, r1, n);
}

HONE_MULTIVERSION void crossEntropyRowsF32(const float* z, std::int64_t zs, const std::int64_t* targets,
                                           float scale, float* grad, std::int64_t gs, float* loss,
                                           std::int64_t r0, std::int64_t r1, std::int64_t n) {
    crossEntropyRowsImpl(z, zs, targets, scale, grad, gs, loss, r0, r1, n);
}
HONE_MULTIVERSION void crossEntropyRowsBf16(const Bf16* z, std::int64_t zs, const std::int64_t* targets,
                                            float scale, Bf16* grad, std::int64_t gs, float* loss,
                                            std::int64_t r0, std::int64_t r1, std::int64_t n) {
    crossEntropyRowsImpl(z, zs, targets, scale, grad, gs, loss, r0, r1, n);
}

// Splits rows over threads in pieces of at least ~32k elements (LibTorch's own grain size).
template <typename Fn> void forRows(std::int64_t rows, std::int64_t cols, Fn fn) {
    const std::int64_t grain = std::max<std::int64_t>(1, 32768 / std::max<std::int64_t>(1, cols));
    at::parallel_for(0, rows, grain, fn);
}

template <typename T> const T* as(const void* p) {
    return static_cast<const T*>(p);
}
template <typename T> T* as(void* p) {
    return static_cast<T*>(p);
}

} // namespace

void swiGluForward(Elem t, const void* gu, std::int64_t gs, void* out, std::int64_t os, std::int64_t rows,
                   std::int64_t f) {
    forRows(rows, 3 * f, [&](std::int64_t r0, std::int64_t r1) {
        if (t == Elem::F32)
            swiGluForwardF32(as<float>(gu), gs, as<float>(out), os, r0, r1, f);
        else
            swiGluForwardBf16(as<Bf16>(gu), gs, as<Bf16>(out), os, r0, r1, f);
    });
}

void swiGluBackward(Elem t, const void* gu, std::int64_t gs, const void* dy, std::int64_t ds, void* dgu,
                    std::int64_t dgs, std::int64_t rows, std::int64_t f) {
    forRows(rows, 5 * f, [&](std::int64_t r0, std::int64_t r1) {
        if (t == Elem::F32)
            swiGluBackwardF32(as<float>(gu), gs, as<float>(dy), ds, as<float>(dgu), dgs, r0, r1, f);
        else
            swiGluBackwardBf16(as<Bf16>(gu), gs, as<Bf16>(dy), ds, as<Bf16>(dgu), dgs, r0, r1, f);
    });
}

void rmsNormForward(Elem t, const void* x, std::int64_t xs, const float* w, void* y, std::int64_t ys,
                    float* rstd, std::int64_t rows, std::int64_t cols, float eps) {
    forRows(rows, 2 * cols, [&](std::int64_t r0, std::int64_t r1) {
        if (t == Elem::F32)
            rmsNormForwardF32(as<float>(x), xs, w, as<float>(y), ys, rstd, r0, r1, cols, eps);
        else
            rmsNormForwardBf16(as<Bf16>(x), xs, w, as<Bf16>(y), ys, rstd, r0, r1, cols, eps);
    });
}

void rmsNormBackward(Elem t, const void* x, std::int64_t xs, const float* w, const float* rstd,
                     const void* dy, std::int64_t ds, void* dx, std::int64_t dxs, std::int64_t rows,
                     std::int64_t cols) {
    forRows(rows, 3 * cols, [&](std::int64_t r0, std::int64_t r1) {
        if (t == Elem::F32)
            rmsNormBackwardF32(as<float>(x), xs, w, rstd, as<float>(dy), ds, as<float>(dx), dxs, r0, r1,
                               cols);
        else
            rmsNormBackwardBf16(as<Bf16>(x), xs, w, rstd, as<Bf16>(dy), ds, as<Bf16>(dx), dxs, r0, r1, cols);
    });
}

void crossEntropyRows(Elem t, const void* z, std::int64_t zs, const std::int64_t* targets, float scale,
                      void* grad, std::int64_t gs, float* loss, std::int64_t rows, std::int64_t cols) {
    forRows(rows, 3 * cols, [&](std::int64_t r0, std::int64_t r1) {
        if (t == Elem::F32)
            crossEntropyRowsF32(as<float>(z), zs, targets, scale, static_cast<float*>(grad), gs, loss, r0, r1,
                                cols);
        else
            crossEntropyRowsBf16(as<Bf16>(z), zs, targets, scale, static_cast<Bf16*>(grad), gs, loss, r0, r1,
                                 cols);
    });
}

} // namespace hone::cpu
