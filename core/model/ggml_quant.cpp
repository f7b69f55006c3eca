// ggml block quantisers written after the reference (no-imatrix) algorithms in ggml-quants.c, with the same
// float operations in the same order so that the bytes match llama-quantize's; block layouts as in
// ggml-common.h (and ggml_dequant.cpp, which reads them back).
#include "model/ggml_quant.h"

#include "common/error.h"
#include "common/parallel.h"
#include "model/ggml_dequant.h"
#include "model/gguf_file.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <sstream>
#include <string>
#include <thread>

namespace hone {

namespace {

constexpr int kQK = 32;   // legacy block size
constexpr int kQKK = 256; // K-quant super-block size
constexpr float kGroupMaxEps = 1e-15f;
// Blocks whose largest magnitude is below this are written as zero blocks: ggml's arithmetic would divide by
// (or multiply with) values that under/overflow there, and every half-precision scale of such a block is 0.
constexpr float kTinyBlock = 1e-30f;
// Above this every half-precision block scale overflows; checked before the K-quant searches square values.
constexpr float kHugeInput = 1e9f;

void putU16(std::uint8_t* p, std::uint16_t v) {
    std::memcpy(p, &v, 2);
}
float halfAt(const std::uint8_t* p) {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return fp16ToF32(v);
}

// ggml's nearest_int: adding 1.5 * 2^23 leaves round-half-even(v) in the low mantissa bits (|v| < 2^22).
// Made total here: NaN -> 0 and out-of-range values saturate.
int nearestInt(float v) {
    if (!(v == v)) return 0;
    const float val = std::clamp(v, -4194303.0f, 4194303.0f) + 12582912.f;
    std::int32_t i;
    std::memcpy(&i, &val, 4);
    return (i & 0x007fffff) - 0x00400000;
}
// C's float -> integer conversion (truncation), total: NaN -> 0, saturating at +-1e6.
int truncInt(float v) {
    if (!(v == v)) return 0;
    return static_cast<int>(std::clamp(v, -1e6f, 1e6f));
}

// ---- legacy 32-element blocks ----

// Q8_0: f16 d, 32 x int8; d = amax / 127, q = round(x / d) (half away from zero).
void blockQ8_0(const float* x, std::uint8_t* y) {
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / ((1 << 7) - 1);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    putU16(y, f32ToFp16(d));
    for (int j = 0; j < kQK; ++j) {
        const float r = std::round(x[j] * id);
        y[2 + j] = static_cast<std::uint8_t>(static_cast<std::int8_t>(std::clamp(truncInt(r), -128, 127)));
    }
}

// The signed value of largest magnitude (the first one on ties), as Q4_0/Q5_0 pick it.
float signedMax(const float* x) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < kQK; ++j) {
        if (amax < std::fabs(x[j])) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    }
    return max;
}

// Q4_0: f16 d; 16 bytes (low nibbles elements 0..15, high 16..31); d = max / -8, q = min(15, trunc(x/d
// + 8.5)).
void blockQ4_0(const float* x, std::uint8_t* y) {
    const float d = signedMax(x) / -8;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    putU16(y, f32ToFp16(d));
    for (int j = 0; j < kQK / 2; ++j) {
        const int q0 = std::min(15, truncInt(x[j] * id + 8.5f));
        const int q1 = std::min(15, truncInt(x[j + kQK / 2] * id + 8.5f));
        y[2 + j] = static_cast<std::uint8_t>((q0 & 0x0F) | ((q1 & 0x0F) << 4));
    }
}

// Min/max of a 32-element block, as Q4_1/Q5_1 compute them.
void minMax(const float* x, float* mn, float* mx) {
    float lo = 3.402823466e38f, hi = -3.402823466e38f;
    for (int j = 0; j < kQK; ++j) {
        if (x[j] < lo) lo = x[j];
        if (x[j] > hi) hi = x[j];
    }
    *mn = lo;
    *mx = hi;
}

// Q4_1/Q5_1 scale: d = (max - min) / levels, written as f16 d and m (= min) at y; returns 1/d (0 for d = 0).
float asymmetricScale(const float* x, int levels, std::uint8_t* y, float* mn) {
    float mx;
    minMax(x, mn, &mx);
    const float d = (mx - *mn) / levels;
    putU16(y, f32ToFp16(d));
    putU16(y + 2, f32ToFp16(*mn));
    return d != 0.0f ? 1.0f / d : 0.0f;
}

// Q4_1: f16 d, f16 m; 16 bytes; d = (max - min) / 15, q = min(15, trunc((x - min)/d + 0.5)).
void blockQ4_1(const float* x, std::uint8_t* y) {
    float mn;
    const float id = asymmetricScale(x, (1 << 4) - 1, y, &mn);
    for (int j = 0; j < kQK / 2; ++j) {
        const int q0 = std::min(15, truncInt((x[j] - mn) * id + 0.5f));
        const int q1 = std::min(15, truncInt((x[j + kQK / 2] - mn) * id + 0.5f));
        y[4 + j] = static_cast<std::uint8_t>((q0 & 0x0F) | ((q1 & 0x0F) << 4));
    }
}

// Packs 32 five-bit values: low nibbles like Q4_0, fifth bits into a little-endian u32 at qh.
void pack5(const int* q, std::uint8_t* qh, std::uint8_t* qs) {
    std::uint32_t h = 0;
    for (int j = 0; j < kQK / 2; ++j) {
        qs[j] = static_cast<std::uint8_t>((q[j] & 0x0F) | ((q[j + kQK / 2] & 0x0F) << 4));
        h |= static_cast<std::uint32_t>((q[j] & 0x10) >> 4) << j;
        h |= static_cast<std::uint32_t>((q[j + kQK / 2] & 0x10) >> 4) << (j + kQK / 2);
    }
    std::memcpy(qh, &h, 4);
}

// Q5_0: f16 d; u32 fifth bits; 16 bytes; d = max / -16, q = min(31, trunc(x/d + 16.5)).
void blockQ5_0(const float* x, std::uint8_t* y) {
    const float d = signedMax(x) / -16;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    putU16(y, f32ToFp16(d));
    int q[kQK];
    for (int j = 0; j < kQK; ++j) q[j] = std::min(31, truncInt(x[j] * id + 16.5f));
    pack5(q, y + 2, y + 6);
}

// Q5_1: f16 d, f16 m; u32 fifth bits; 16 bytes; d = (max - min) / 31, q = trunc((x - min)/d + 0.5).
void blockQ5_1(const float* x, std::uint8_t* y) {
    float mn;
    const float id = asymmetricScale(x, (1 << 5) - 1, y, &mn);
    int q[kQK];
    for (int j = 0; j < kQK; ++j) q[j] = std::clamp(truncInt((x[j] - mn) * id + 0.5f), 0, 31);
    pack5(q, y + 4, y + 8);
}

// ---- K-quants (256-element super-blocks) ----

// ggml's make_qkx2_quants: an asymmetric n-level fit (scale and min) of one sub-block under `weights`,
// searching nstep + 1 candidate scales around nmax / (max - min). Returns the scale, *theMin = -min.
float fitScaleMin(int n, int nmax, const float* x, const float* weights, std::uint8_t* L, float* theMin,
                  std::uint8_t* Laux, float rmin, float rdelta, int nstep) {
    float min = x[0];
    float max = x[0];
    float sumW = weights[0];
    float sumX = sumW * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        const float w = weights[i];
        sumW += w;
        sumX += w * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        *theMin = -min;
        return 0.0f;
    }
    float iscale = static_cast<float>(nmax) / (max - min);
    float scale = 1 / iscale;
    float bestError = 0;
    for (int i = 0; i < n; ++i) {
        const int l = nearestInt(iscale * (x[i] - min));
        L[i] = static_cast<std::uint8_t>(std::max(0, std::min(nmax, l)));
        float diff = scale * static_cast<float>(L[i]) + min - x[i];
        diff = diff * diff;
        bestError += weights[i] * diff;
    }
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * static_cast<float>(is) + static_cast<float>(nmax)) / (max - min);
        float sumL = 0, sumL2 = 0, sumXL = 0;
        for (int i = 0; i < n; ++i) {
            int l = nearestInt(iscale * (x[i] - min));
            l = std::max(0, std::min(nmax, l));
            Laux[i] = static_cast<std::uint8_t>(l);
            const float w = weights[i];
            const float fl = static_cast<float>(l);
            sumL += w * fl;
            sumL2 += w * fl * fl;
            sumXL += w * fl * x[i];
        }
        const float D = sumW * sumL2 - sumL * sumL;
        if (D > 0) {
            float thisScale = (sumW * sumXL - sumX * sumL) / D;
            float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
            if (thisMin > 0) {
                thisMin = 0;
                thisScale = sumXL / sumL2;
            }
            float curError = 0;
            for (int i = 0; i < n; ++i) {
                float diff = thisScale * static_cast<float>(Laux[i]) + thisMin - x[i];
                diff = diff * diff;
                curError += weights[i] * diff;
            }
            if (curError < bestError) {
                for (int i = 0; i < n; ++i) L[i] = Laux[i];
                bestError = curError;
                scale = thisScale;
                min = thisMin;
            }
        }
    }
    *theMin = -min;
    return scale;
}

// The 6-bit scale/min pair j of a Q4_K/Q5_K packed 12-byte array.
void scaleMinK4(int j, const std::uint8_t* q, std::uint8_t* d, std::uint8_t* m) {
    if (j < 4) {
        *d = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *d = static_cast<std::uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = static_cast<std::uint8_t>((q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4));
    }
}

// Shared by Q4_K and Q5_K: fits the eight 32-element sub-blocks, writes f16 d/dmin and the packed 6-bit
// scales at y (d), y+2 (dmin), y+4 (12 bytes), and leaves each element's level (0..nmax) in L.
void superBlockScaleMin(const float* x, std::uint8_t* y, int nmax, float rmin, float rdelta, int nstep,
                        std::uint8_t* L) {
    std::uint8_t Laux[32];
    float weights[32];
    float mins[kQKK / 32];
    float scales[kQKK / 32];
    float maxScale = 0;
    float maxMin = 0;
    for (int j = 0; j < kQKK / 32; ++j) {
        const float* xs = x + 32 * j;
        float sumX2 = 0;
        for (int l = 0; l < 32; ++l) sumX2 += xs[l] * xs[l];
        const float avX = std::sqrt(sumX2 / 32);
        for (int l = 0; l < 32; ++l) weights[l] = avX + std::fabs(xs[l]);
        scales[j] = fitScaleMin(32, nmax, xs, weights, L + 32 * j, &mins[j], Laux, rmin, rdelta, nstep);
        if (scales[j] > maxScale) maxScale = scales[j];
        if (mins[j] > maxMin) maxMin = mins[j];
    }
    const float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
    const float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
    std::uint8_t* sc = y + 4;
    for (int j = 0; j < kQKK / 32; ++j) {
        std::uint8_t ls = static_cast<std::uint8_t>(nearestInt(invScale * scales[j]));
        std::uint8_t lm = static_cast<std::uint8_t>(nearestInt(invMin * mins[j]));
        ls = std::min<std::uint8_t>(63, ls);
        lm = std::min<std::uint8_t>(63, lm);
        if (j < 4) {
            sc[j] = ls;
            sc[j + 4] = lm;
        } else {
            sc[j + 4] = static_cast<std::uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
            sc[j - 4] = static_cast<std::uint8_t>(sc[j - 4] | ((ls >> 4) << 6));
            sc[j - 0] = static_cast<std::uint8_t>(sc[j - 0] | ((lm >> 4) << 6));
        }
    }
    putU16(y, f32ToFp16(maxScale / 63.f));
    putU16(y + 2, f32ToFp16(maxMin / 63.f));
    // Re-quantise every element against the stored (rounded) scales.
    const float dAll = halfAt(y);
    const float mAll = halfAt(y + 2);
    for (int j = 0; j < kQKK / 32; ++j) {
        std::uint8_t s, m;
        scaleMinK4(j, sc, &s, &m);
        const float d = dAll * static_cast<float>(s);
        if (d == 0.0f) continue;
        const float dm = mAll * static_cast<float>(m);
        for (int ii = 0; ii < 32; ++ii) {
            const int l = nearestInt((x[32 * j + ii] + dm) / d);
            L[32 * j + ii] = static_cast<std::uint8_t>(std::max(0, std::min(nmax, l)));
        }
    }
}

// Q4_K: f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles (per 64 elements: low nibbles
// the first 32, high nibbles the next 32).
void blockQ4_K(const float* x, std::uint8_t* y) {
    std::memset(y, 0, 144);
    std::uint8_t L[kQKK];
    superBlockScaleMin(x, y, 15, -1.f, 0.1f, 20, L);
    std::uint8_t* q = y + 16;
    for (int j = 0; j < kQKK; j += 64) {
        for (int l = 0; l < 32; ++l) q[l] = static_cast<std::uint8_t>(L[j + l] | (L[j + l + 32] << 4));
        q += 32;
    }
}

// Q5_K: like Q4_K plus 32 bytes of fifth bits (bit pair 2k/2k+1 of byte j: elements j and j+32 of the k-th
// group of 64) before the 128 bytes of low nibbles.
void blockQ5_K(const float* x, std::uint8_t* y) {
    std::memset(y, 0, 176);
    std::uint8_t L[kQKK];
    superBlockScaleMin(x, y, 31, -0.5f, 0.1f, 15, L);
    std::uint8_t* qh = y + 16;
    std::uint8_t* ql = y + 48;
    std::uint8_t m1 = 1, m2 = 2;
    for (int n = 0; n < kQKK; n += 64) {
        for (int j = 0; j < 32; ++j) {
            int l1 = L[n + j];
            if (l1 > 15) {
                l1 -= 16;
                qh[j] = static_cast<std::uint8_t>(qh[j] | m1);
            }
            int l2 = L[n + j + 32];
            if (l2 > 15) {
                l2 -= 16;
                qh[j] = static_cast<std::uint8_t>(qh[j] | m2);
            }
            ql[j] = static_cast<std::uint8_t>(l1 | (l2 << 4));
        }
        m1 = static_cast<std::uint8_t>(m1 << 2);
        m2 = static_cast<std::uint8_t>(m2 << 2);
        ql += 32;
    }
}

// ggml's make_qx_quants with rmse_type 1 and no importance weights (weights x^2): a symmetric fit of n values
// to levels -nmax..nmax-1, trying 18 scales around nmax / max. Levels are stored offset by nmax.
float fitSymmetric(int n, int nmax, const float* x, std::int8_t* L) {
    float max = 0;
    float amax = 0;
    for (int i = 0; i < n; ++i) {
        const float ax = std::fabs(x[i]);
        if (ax > amax) {
            amax = ax;
            max = x[i];
        }
    }
    if (amax < kGroupMaxEps) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        return 0.f;
    }
    const float fnmax = static_cast<float>(nmax);
    float iscale = static_cast<float>(-nmax) / max;
    float sumlx = 0;
    float suml2 = 0;
    for (int i = 0; i < n; ++i) {
        int l = nearestInt(iscale * x[i]);
        l = std::max(-nmax, std::min(nmax - 1, l));
        L[i] = static_cast<std::int8_t>(l + nmax);
        const float w = x[i] * x[i];
        const float fl = static_cast<float>(l);
        sumlx += w * x[i] * fl;
        suml2 += w * fl * fl;
    }
    float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        iscale = -(fnmax + 0.1f * static_cast<float>(is)) / max;
        sumlx = suml2 = 0;
        for (int i = 0; i < n; ++i) {
            int l = nearestInt(iscale * x[i]);
            l = std::max(-nmax, std::min(nmax - 1, l));
            const float w = x[i] * x[i];
            const float fl = static_cast<float>(l);
            sumlx += w * x[i] * fl;
            suml2 += w * fl * fl;
        }
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; ++i) {
                const int l = nearestInt(iscale * x[i]);
                L[i] = static_cast<std::int8_t>(nmax + std::max(-nmax, std::min(nmax - 1, l)));
            }
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

// Q6_K: 128 bytes low nibbles, 64 bytes high bit pairs, 16 int8 scales, f16 d (at byte 208).
void blockQ6_K(const float* x, std::uint8_t* y) {
    std::memset(y, 0, 210);
    std::int8_t L[kQKK];
    float scales[kQKK / 16];
    float maxScale = 0;
    float maxAbsScale = 0;
    for (int ib = 0; ib < kQKK / 16; ++ib) {
        const float scale = fitSymmetric(16, 32, x + 16 * ib, L + 16 * ib);
        scales[ib] = scale;
        const float absScale = std::fabs(scale);
        if (absScale > maxAbsScale) {
            maxAbsScale = absScale;
            maxScale = scale;
        }
    }
    if (maxAbsScale < kGroupMaxEps) return; // all zero, d = 0
    std::uint8_t* ql = y;
    std::uint8_t* qh = y + 128;
    auto* sc = reinterpret_cast<std::int8_t*>(y + 192);
    const float iscale = -128.f / maxScale;
    putU16(y + 208, f32ToFp16(1 / iscale));
    for (int ib = 0; ib < kQKK / 16; ++ib)
        sc[ib] = static_cast<std::int8_t>(std::clamp(nearestInt(iscale * scales[ib]), -128, 127));
    const float dAll = halfAt(y + 208);
    for (int j = 0; j < kQKK / 16; ++j) {
        const float d = dAll * static_cast<float>(sc[j]);
        if (d == 0.0f) continue;
        for (int ii = 0; ii < 16; ++ii) {
            int l = nearestInt(x[16 * j + ii] / d);
            l = std::max(-32, std::min(31, l));
            L[16 * j + ii] = static_cast<std::int8_t>(l + 32);
        }
    }
    for (int j = 0; j < kQKK; j += 128) {
        for (int l = 0; l < 32; ++l) {
            const int q1 = L[j + l + 0] & 0xF;
            const int q2 = L[j + l + 32] & 0xF;
            const int q3 = L[j + l + 64] & 0xF;
            const int q4 = L[j + l + 96] & 0xF;
            ql[l + 0] = static_cast<std::uint8_t>(q1 | (q3 << 4));
            ql[l + 32] = static_cast<std::uint8_t>(q2 | (q4 << 4));
            qh[l] = static_cast<std::uint8_t>((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) |
                                              ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
        }
        ql += 64;
        qh += 32;
    }
}

// ---- dispatch ----

using BlockFn = void (*)(const float*, std::uint8_t*);

struct QuantType {
    GgmlType type;
    int blockElems;
    int blockBytes;
    BlockFn fn;            // nullptr: element-wise F32/F16/BF16
    std::uint8_t halfs[2]; // byte offsets of the f16 scale fields that must stay finite
    int nHalfs;
};

const QuantType kTypes[] = {
    {GgmlType::F32, 1, 4, nullptr, {0, 0}, 0},          {GgmlType::F16, 1, 2, nullptr, {0, 0}, 0},
    {GgmlType::BF16, 1, 2, nullptr, {0, 0}, 0},         {GgmlType::Q8_0, 32, 34, blockQ8_0, {0, 0}, 1},
    {GgmlType::Q4_0, 32, 18, blockQ4_0, {0, 0}, 1},     {GgmlType::Q4_1, 32, 20, blockQ4_1, {0, 2}, 2},
    {GgmlType::Q5_0, 32, 22, blockQ5_0, {0, 0}, 1},     {GgmlType::Q5_1, 32, 24, blockQ5_1, {0, 2}, 2},
    {GgmlType::Q4_K, 256, 144, blockQ4_K, {0, 2}, 2},   {GgmlType::Q5_K, 256, 176, blockQ5_K, {0, 2}, 2},
    {GgmlType::Q6_K, 256, 210, blockQ6_K, {208, 0}, 1},
};

const QuantType* findType(std::uint32_t type) {
    for (const auto& t : kTypes)
        if (static_cast<std::uint32_t>(t.type) == type) return &t;
    return nullptr;
}

std::string writableList() {
    std::string s;
    for (const auto& t : kTypes)
        s += (s.empty() ? "" : ", ") + ggmlTypeName(static_cast<std::uint32_t>(t.type));
    return s;
}

std::string fmt(float v) {
    std::ostringstream os;
    os.precision(6);
    os << v;
    return os.str();
}

[[noreturn]] void failValue(const QuantType& t, std::int64_t row, std::int64_t col, float v) {
    const std::string name = ggmlTypeName(static_cast<std::uint32_t>(t.type));
    if (!std::isfinite(v))
        throw Error(
            "cannot convert to " + name + ": row " + std::to_string(row) + ", column " + std::to_string(col) +
            " is " + fmt(v) +
            "; the weights are broken (diverged training?) - fix or re-train the model before exporting");
    throw Error("cannot convert to " + name + ": row " + std::to_string(row) + " holds " + fmt(v) +
                " (column " + std::to_string(col) + "), too large for " + name +
                (t.fn ? "'s half-precision block scales" : "") + "; export this tensor as F32" +
                (t.type == GgmlType::BF16 ? "" : " or BF16") + " instead");
}

bool halfIsFinite(const std::uint8_t* p) {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return (v & 0x7C00) != 0x7C00;
}

// One row: checks the input, then converts or quantises it block by block.
void quantizeRow(const QuantType& t, const float* x, std::int64_t cols, std::int64_t row, std::uint8_t* y) {
    for (std::int64_t c = 0; c < cols; ++c)
        if (!std::isfinite(x[c])) failValue(t, row, c, x[c]);
    switch (t.type) {
    case GgmlType::F32:
        std::memcpy(y, x, static_cast<std::size_t>(cols) * 4);
        return;
    case GgmlType::F16:
    case GgmlType::BF16:
        for (std::int64_t c = 0; c < cols; ++c) {
            const std::uint16_t h = t.type == GgmlType::F16 ? f32ToFp16(x[c]) : f32ToBf16(x[c]);
            if (t.type == GgmlType::F16 ? (h & 0x7C00) == 0x7C00 : (h & 0x7F80) == 0x7F80)
                failValue(t, row, c, x[c]);
            putU16(y + 2 * c, h);
        }
        return;
    default:
        break;
    }
    const int be = t.blockElems;
    float zeros[kQKK] = {};
    for (std::int64_t b = 0; b < cols / be; ++b) {
        const float* xb = x + b * be;
        std::uint8_t* yb = y + b * t.blockBytes;
        float amax = 0.0f;
        std::int64_t at = 0;
        for (int j = 0; j < be; ++j) {
            if (std::fabs(xb[j]) > amax) {
                amax = std::fabs(xb[j]);
                at = j;
            }
        }
        if (amax > kHugeInput) failValue(t, row, b * be + at, xb[at]);
        t.fn(amax < kTinyBlock ? zeros : xb, yb);
        for (int h = 0; h < t.nHalfs; ++h)
            if (!halfIsFinite(yb + t.halfs[h])) failValue(t, row, b * be + at, xb[at]);
    }
}

const QuantType& requireWritable(std::uint32_t type, std::int64_t cols) {
    const QuantType* t = findType(type);
    if (!t)
        throw Error("cannot write ggml type " + ggmlTypeName(type) + ": Hone converts to " + writableList() +
                    "; pick one of those");
    if (cols <= 0 || cols % t->blockElems != 0)
        throw Error("cannot write " + ggmlTypeName(type) + " rows of " + std::to_string(cols) +
                    " elements: the row length must be a positive multiple of its block size " +
                    std::to_string(t->blockElems) +
                    "; use a type with a smaller block (Q8_0, F16) for this tensor");
    return *t;
}

} // namespace

std::uint16_t f32ToBf16(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7FFFFFFF) > 0x7F800000) return static_cast<std::uint16_t>((u >> 16) | 64); // quiet NaN
    return static_cast<std::uint16_t>((u + (0x7FFF + ((u >> 16) & 1))) >> 16);
}

bool ggmlCanQuantize(std::uint32_t type) {
    return findType(type) != nullptr;
}

bool ggmlTypeFitsRow(std::uint32_t type, std::int64_t cols) {
    std::uint64_t be = 0, bb = 0;
    if (cols <= 0 || !ggmlTypeLayout(type, &be, &bb)) return false;
    return static_cast<std::uint64_t>(cols) % be == 0;
}

std::size_t ggmlRowBytes(std::uint32_t type, std::int64_t cols) {
    std::uint64_t be = 0, bb = 0;
    if (!ggmlTypeLayout(type, &be, &bb))
        throw Error("unknown ggml tensor type " + std::to_string(type) + ": its row size is not known");
    if (cols <= 0 || static_cast<std::uint64_t>(cols) % be != 0)
        throw Error(ggmlTypeName(type) + " cannot hold rows of " + std::to_string(cols) +
                    " elements: the row length must be a positive multiple of its block size " +
                    std::to_string(be));
    return static_cast<std::size_t>(static_cast<std::uint64_t>(cols) / be * bb);
}

void quantizeRows(std::uint32_t type, const float* src, std::int64_t rows, std::int64_t cols,
                  std::uint8_t* dst, unsigned threads) {
    const QuantType& t = requireWritable(type, cols);
    if (rows < 0) throw Error("cannot convert a negative number of rows (" + std::to_string(rows) + ")");
    if (rows == 0) return;
    const std::size_t rowBytes = ggmlRowBytes(type, cols);
    // Chunks of whole rows, at least ~64K elements each, pulled by the workers from a shared counter.
    const std::int64_t rowsPerChunk = std::max<std::int64_t>(1, 65536 / cols);
    const std::int64_t chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
    unsigned n = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    n = static_cast<unsigned>(std::min<std::int64_t>(n, chunks));
    std::atomic<std::int64_t> next{0};
    std::atomic<bool> failed{false};
    runOnThreads(n, [&] {
        try {
            for (std::int64_t c = next++; c < chunks && !failed; c = next++) {
                const std::int64_t end = std::min(rows, (c + 1) * rowsPerChunk);
                for (std::int64_t r = c * rowsPerChunk; r < end; ++r)
                    quantizeRow(t, src + r * cols, cols, r, dst + static_cast<std::size_t>(r) * rowBytes);
            }
        } catch (...) {
            failed = true;
            throw;
        }
    });
}

std::vector<std::uint8_t> quantizeRows(std::uint32_t type, const float* src, std::int64_t rows,
                                       std::int64_t cols, unsigned threads) {
    const std::size_t rowBytes = ggmlRowBytes(type, cols);
    if (rows < 0) throw Error("cannot convert a negative number of rows (" + std::to_string(rows) + ")");
    std::vector<std::uint8_t> out(rowBytes * static_cast<std::size_t>(rows));
    quantizeRows(type, src, rows, cols, out.data(), threads);
    return out;
}

} // namespace hone
