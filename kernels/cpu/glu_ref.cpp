// SwiGLU / GeGLU CPU reference.
#include "kernels/cpu/glu_ref.h"

#include <cmath>

namespace hone::kernels {

namespace {
constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kGeluCubic = 0.044715f;
} // namespace

float gluAct(GluKind kind, float g) {
    if (kind == GluKind::SwiGlu) return g / (1.0f + std::exp(-g));
    return 0.5f * g * (1.0f + std::tanh(kSqrt2OverPi * (g + kGeluCubic * g * g * g)));
}

float gluActGrad(GluKind kind, float g) {
    if (kind == GluKind::SwiGlu) {
        const float sig = 1.0f / (1.0f + std::exp(-g));
        return sig * (1.0f + g * (1.0f - sig));
    }
    const float th = std::tanh(kSqrt2OverPi * (g + kGeluCubic * g * g * g));
    return 0.5f * (1.0f + th) +
           0.5f * g * (1.0f - th * th) * kSqrt2OverPi * (1.0f + 3.0f * kGeluCubic * g * g);
}

void gluForwardRef(GluKind kind, DType t, const void* gu, void* out, std::size_t rows, std::size_t f) {
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t i = 0; i < f; ++i) {
            const float g = loadAs(t, gu, r * 2 * f + i), u = loadAs(t, gu, r * 2 * f + f + i);
            storeAs(t, out, r * f + i, gluAct(kind, g) * u);
        }
}

void gluBackwardRef(GluKind kind, DType t, const void* gu, const void* dy, void* dgu, std::size_t rows,
                    std::size_t f) {
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t i = 0; i < f; ++i) {
            const float g = loadAs(t, gu, r * 2 * f + i), u = loadAs(t, gu, r * 2 * f + f + i);
            const float d = loadAs(t, dy, r * f + i);
            storeAs(t, dgu, r * 2 * f + i, d * u * gluActGrad(kind, g));
            storeAs(t, dgu, r * 2 * f + f + i, d * gluAct(kind, g));
        }
}

} // namespace hone::kernels
