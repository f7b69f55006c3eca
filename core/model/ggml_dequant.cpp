// ggml block formats, dequantised the way ggml's dequantize_row_* and gguf-py do (same operation order, so
// the results are bit-identical).
#include "model/ggml_dequant.h"

#include "common/error.h"

#include <cstring>

namespace hone {

namespace {

std::uint16_t u16(const std::uint8_t* p) {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

// Q4_0: f16 d; 16 bytes of 4-bit quants (low nibbles = elements 0..15, high = 16..31); x = (q - 8) * d.
void deqQ4_0(const std::uint8_t* b, float* y) {
    const float d = fp16ToF32(u16(b));
    const std::uint8_t* qs = b + 2;
    for (int j = 0; j < 16; ++j) {
        y[j] = static_cast<float>((qs[j] & 0x0F) - 8) * d;
        y[j + 16] = static_cast<float>((qs[j] >> 4) - 8) * d;
    }
}
// Q4_1: f16 d, f16 m; 16 bytes of quants; x = q * d + m.
void deqQ4_1(const std::uint8_t* b, float* y) {
    const float d = fp16ToF32(u16(b));
    const float m = fp16ToF32(u16(b + 2));
    const std::uint8_t* qs = b + 4;
    for (int j = 0; j < 16; ++j) {
        y[j] = static_cast<float>(qs[j] & 0x0F) * d + m;
        y[j + 16] = static_cast<float>(qs[j] >> 4) * d + m;
    }
}
// Q5_0: f16 d; u32 qh (5th bits); 16 bytes low nibbles; x = (q - 16) * d.
void deqQ5_0(const std::uint8_t* b, float* y) {
    const float d = fp16ToF32(u16(b));
    std::uint32_t qh;
    std::memcpy(&qh, b + 2, 4);
    const std::uint8_t* qs = b + 6;
    for (int j = 0; j < 16; ++j) {
        const std::uint8_t xh0 = static_cast<std::uint8_t>(((qh >> (j + 0)) << 4) & 0x10);
        const std::uint8_t xh1 = static_cast<std::uint8_t>((qh >> (j + 12)) & 0x10);
        const int x0 = ((qs[j] & 0x0F) | xh0) - 16;
        const int x1 = ((qs[j] >> 4) | xh1) - 16;
        y[j] = static_cast<float>(x0) * d;
        y[j + 16] = static_cast<float>(x1) * d;
    }
}
// Q5_1: f16 d, f16 m; u32 qh; 16 bytes; x = q * d + m.
void deqQ5_1(const std::uint8_t* b, float* y) {
    const float d = fp16ToF32(u16(b));
    const float m = fp16ToF32(u16(b + 2));
    std::uint32_t qh;
    std::memcpy(&qh, b + 4, 4);
    const std::uint8_t* qs = b + 8;
    for (int j = 0; j < 16; ++j) {
        const std::uint8_t xh0 = static_cast<std::uint8_t>(((qh >> (j + 0)) << 4) & 0x10);
        const std::uint8_t xh1 = static_cast<std::uint8_t>((qh >> (j + 12)) & 0x10);
        const int x0 = (qs[j] & 0x0F) | xh0;
        const int x1 = (qs[j] >> 4) | xh1;
        y[j] = static_cast<float>(x0) * d + m;
        y[j + 16] = static_cast<float>(x1) * d + m;
    }
}
// Q8_0: f16 d; 32 int8; x = q * d.
void deqQ8_0(const std::uint8_t* b, float* y) {
    const float d = fp16ToF32(u16(b));
    for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(static_cast<std::int8_t>(b[2 + j])) * d;
}

// K-quant 6-bit scale/min pair j of the 12-byte packed array.
void scaleMinK4(int j, const std::uint8_t* q, std::uint8_t* d, std::uint8_t* m) {
    if (j < 4) {
        *d = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *d = static_cast<std::uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = static_cast<std::uint8_t>((q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4));
    }
}
// Q4_K (256 elements): f16 d, f16 dmin, 12 bytes scales/mins, 128 bytes quants; 8 sub-blocks of 32.
void deqQ4_K(const std::uint8_t* b, float* y) {
    const float d = fp16ToF32(u16(b));
    const float dmin = fp16ToF32(u16(b + 2));
    const std::uint8_t* scales = b + 4;
    const std::uint8_t* q = b + 16;
    int is = 0;
    for (int j = 0; j < 256; j += 64) {
        std::uint8_t sc, m;
        scaleMinK4(is + 0, scales, &sc, &m);
        const float d1 = d * sc, m1 = dmin * m;
        scaleMinK4(is + 1, scales, &sc, &m);
        const float d2 = d * sc, m2 = dmin * m;
        for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>(q[l] & 0xF) - m1;
        for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
        q += 32;
        is += 2;
    }
}
// Q5_K: f16 d, f16 dmin, 12 bytes scales, 32 bytes high bits, 128 bytes low nibbles.
void deqQ5_K(const std::uint8_t* b, float* y) {
    const float d = fp16ToF32(u16(b));
    const float dmin = fp16ToF32(u16(b + 2));
    const std::uint8_t* scales = b + 4;
    const std::uint8_t* qh = b + 16;
    const std::uint8_t* ql = b + 48;
    int is = 0;
    std::uint8_t u1 = 1, u2 = 2;
    for (int j = 0; j < 256; j += 64) {
        std::uint8_t sc, m;
        scaleMinK4(is + 0, scales, &sc, &m);
        const float d1 = d * sc, m1 = dmin * m;
        scaleMinK4(is + 1, scales, &sc, &m);
        const float d2 = d * sc, m2 = dmin * m;
        for (int l = 0; l < 32; ++l)
            *y++ = d1 * static_cast<float>((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
        for (int l = 0; l < 32; ++l)
            *y++ = d2 * static_cast<float>((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
        ql += 32;
        is += 2;
        u1 = static_cast<std::uint8_t>(u1 << 2);
        u2 = static_cast<std::uint8_t>(u2 << 2);
    }
}
// Q6_K: 128 bytes low 4 bits, 64 bytes high 2 bits, 16 int8 scales, f16 d.
void deqQ6_K(const std::uint8_t* b, float* y) {
    const std::uint8_t* ql = b;
    const std::uint8_t* qh = b + 128;
    const std::int8_t* sc = reinterpret_cast<const std::int8_t*>(b + 192);
    const float d = fp16ToF32(u16(b + 208));
    for (int n = 0; n < 256; n += 128) {
        for (int l = 0; l < 32; ++l) {
            const int is = l / 16;
            const int q1 = static_cast<std::int8_t>((ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
            const int q2 = static_cast<std::int8_t>((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
            const int q3 = static_cast<std::int8_t>((ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            const int q4 = static_cast<std::int8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l + 0] = d * static_cast<float>(sc[is + 0]) * static_cast<float>(q1);
            y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
            y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
            y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
        }
        y += 128;
        ql += 64;
        qh += 32;
        sc += 8;
    }
}

} // namespace

float fp16ToF32(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000) << 16;
    std::uint32_t exp = (h >> 10) & 0x1F;
    std::uint32_t mant = h & 0x3FF;
    std::uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else { // subnormal: normalise
            exp = 127 - 15 + 1;
            while ((mant & 0x400) == 0) {
                mant <<= 1;
                --exp;
            }
            mant &= 0x3FF;
            bits = sign | (exp << 23) | (mant << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

float bf16ToF32(std::uint16_t b) {
    const std::uint32_t bits = static_cast<std::uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

std::uint16_t f32ToFp16(float f) {
    std::uint32_t x;
    std::memcpy(&x, &f, 4);
    const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000);
    const std::uint32_t absx = x & 0x7FFFFFFF;
    if (absx >= 0x7F800000)
        return static_cast<std::uint16_t>(sign | 0x7C00 | (absx > 0x7F800000 ? 0x200 : 0));
    if (absx >= 0x477FF000) return static_cast<std::uint16_t>(sign | 0x7C00); // overflow -> inf
    if (absx < 0x38800000) {                                                  // subnormal or zero in half
        // value = absx as float; half subnormal unit = 2^-24
        float a;
        std::memcpy(&a, &absx, 4);
        const float scaled = a * 16777216.0f; // / 2^-24
        auto r = static_cast<std::uint32_t>(scaled);
        const float frac = scaled - static_cast<float>(r);
        if (frac > 0.5f || (frac == 0.5f && (r & 1))) ++r;
        return static_cast<std::uint16_t>(sign | r);
    }
    std::uint32_t e = ((absx >> 23) - 127 + 15);
    std::uint32_t m = absx & 0x7FFFFF;
    std::uint32_t h = (e << 10) | (m >> 13);
    const std::uint32_t rest = m & 0x1FFF;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) ++h;
    return static_cast<std::uint16_t>(sign | h);
}

bool ggmlCanDequantize(std::uint32_t type) {
    switch (static_cast<GgmlType>(type)) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
    case GgmlType::Q8_0:
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q5_0:
    case GgmlType::Q5_1:
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K:
        return true;
    default:
        return false;
    }
}

void dequantizeRow(std::uint32_t type, const std::uint8_t* src, float* dst, std::size_t n) {
    std::uint64_t be = 0, bb = 0;
    if (!ggmlCanDequantize(type) || !ggmlTypeLayout(type, &be, &bb))
        throw Error("cannot dequantise ggml type " + ggmlTypeName(type));
    if (n % be != 0) throw Error("dequantise: element count is not a multiple of the block size");
    const std::size_t blocks = n / be;
    for (std::size_t i = 0; i < blocks; ++i) {
        const std::uint8_t* b = src + i * bb;
        float* y = dst + i * be;
        switch (static_cast<GgmlType>(type)) {
        case GgmlType::F32:
            std::memcpy(y, b, 4);
            break;
        case GgmlType::F16:
            *y = fp16ToF32(u16(b));
            break;
        case GgmlType::BF16:
            *y = bf16ToF32(u16(b));
            break;
        case GgmlType::Q8_0:
            deqQ8_0(b, y);
            break;
        case GgmlType::Q4_0:
            deqQ4_0(b, y);
            break;
        case GgmlType::Q4_1:
            deqQ4_1(b, y);
            break;
        case GgmlType::Q5_0:
            deqQ5_0(b, y);
            break;
        case GgmlType::Q5_1:
            deqQ5_1(b, y);
            break;
        case GgmlType::Q4_K:
            deqQ4_K(b, y);
            break;
        case GgmlType::Q5_K:
            deqQ5_K(b, y);
            break;
        case GgmlType::Q6_K:
            deqQ6_K(b, y);
            break;
        default:
            break;
        }
    }
}

std::vector<float> dequantize(const GgufTensor& t) {
    if (!ggmlCanDequantize(t.type))
        throw Error("tensor '" + t.name + "' has ggml type " + ggmlTypeName(t.type) +
                    ", which Hone cannot dequantise (supported: F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q4_K "
                    "Q5_K Q6_K)");
    std::vector<float> out(static_cast<std::size_t>(t.elements));
    dequantizeRow(t.type, t.data, out.data(), out.size());
    return out;
}

} // namespace hone
