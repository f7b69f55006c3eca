// Element types shared by the CPU references and the GPU kernels: F32, BF16 and F16 storage with F32 math.
// BF16 and F16 are kept as raw 16-bit patterns (Bf16 / F16 below) and converted with the bit-exact, round-to-
// nearest-even functions here, so the CPU references and both GPU vendors load and store identically.
// Plain C++ that nvcc and clang -x hip also compile for the device (HONE_HD).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__) || defined(__HIPCC__)
#define HONE_HD __host__ __device__
#else
#define HONE_HD
#endif

namespace hone::kernels {

// Matches hone_dtype in kernels/gpu/launch.h.
enum class DType : int { F32 = 0, BF16 = 1, F16 = 2 };

struct Bf16 {
    std::uint16_t bits;
};
struct F16 {
    std::uint16_t bits;
};

HONE_HD inline std::uint32_t floatBits(float f) {
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
    return __float_as_uint(f);
#else
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
#endif
}
HONE_HD inline float bitsFloat(std::uint32_t u) {
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
    return __uint_as_float(u);
#else
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
#endif
}

HONE_HD inline float bf16ToF32(std::uint16_t h) {
    return bitsFloat(std::uint32_t(h) << 16);
}

HONE_HD inline std::uint16_t f32ToBf16(float f) {
    const std::uint32_t u = floatBits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return std::uint16_t((u >> 16) | 0x40u); // NaN stays a (quiet) NaN
    return std::uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

HONE_HD inline float f16ToF32(std::uint16_t h) {
    const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
    if (exp == 0x1f) return bitsFloat(sign | 0x7f800000u | (man << 13)); // inf / NaN
    if (exp == 0) {                                                      // zero / subnormal: man * 2^-24
        const float v = float(man) * 5.9604644775390625e-8f;
        return sign ? -v : v;
    }
    return bitsFloat(sign | ((exp + 112u) << 23) | (man << 13));
}

// Rounds the low `shift` bits of `m` away, to nearest, ties to even.
HONE_HD inline std::uint32_t roundShift(std::uint32_t m, std::uint32_t shift) {
    if (shift >= 32) return 0;
    std::uint32_t r = m >> shift;
    const std::uint32_t rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (r & 1u))) ++r;
    return r;
}

HONE_HD inline std::uint16_t f32ToF16(float f) {
    const std::uint32_t u = floatBits(f);
    const std::uint32_t sign = (u >> 16) & 0x8000u, a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return std::uint16_t(sign | 0x7e00u);  // NaN
    if (a >= 0x477ff000u) return std::uint16_t(sign | 0x7c00u); // >= 65520 rounds to infinity
    if (a < 0x38800000u) {                                      // below 2^-14: subnormal or zero
        const std::uint32_t e = a >> 23;
        if (e == 0) return std::uint16_t(sign);
        return std::uint16_t(sign | roundShift((a & 0x7fffffu) | 0x800000u, 126u - e));
    }
    // Normal: rebias the exponent (127 -> 15) and round the 13 dropped mantissa bits; a carry into the
    // exponent is the correct result.
    return std::uint16_t(sign | roundShift(a - (112u << 23), 13));
}

HONE_HD inline float toF32(float v) {
    return v;
}
HONE_HD inline float toF32(Bf16 v) {
    return bf16ToF32(v.bits);
}
HONE_HD inline float toF32(F16 v) {
    return f16ToF32(v.bits);
}

template <typename T> HONE_HD inline T fromF32(float v);
template <> HONE_HD inline float fromF32<float>(float v) {
    return v;
}
template <> HONE_HD inline Bf16 fromF32<Bf16>(float v) {
    return Bf16{f32ToBf16(v)};
}
template <> HONE_HD inline F16 fromF32<F16>(float v) {
    return F16{f32ToF16(v)};
}

inline std::size_t dtypeSize(DType t) {
    return t == DType::F32 ? 4 : 2;
}

// Element i of a buffer of type t, as F32 / stored from F32 (the CPU references' view of typed buffers).
inline float loadAs(DType t, const void* p, std::size_t i) {
    switch (t) {
    case DType::BF16:
        return toF32(static_cast<const Bf16*>(p)[i]);
    case DType::F16:
        return toF32(static_cast<const F16*>(p)[i]);
    default:
        return static_cast<const float*>(p)[i];
    }
}
inline void storeAs(DType t, void* p, std::size_t i, float v) {
    switch (t) {
    case DType::BF16:
        static_cast<Bf16*>(p)[i] = fromF32<Bf16>(v);
        break;
    case DType::F16:
        static_cast<F16*>(p)[i] = fromF32<F16>(v);
        break;
    default:
        static_cast<float*>(p)[i] = v;
    }
}

} // namespace hone::kernels
