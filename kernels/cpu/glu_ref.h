// Gated linear units, the CPU reference: out = act(g) * u over gu = [g | u] ([rows, 2F] -> [rows, F]), the
// layout of Hone's fused gate/up projection.
//  - SwiGLU (Llama, Qwen, Mistral): act = silu(g) = g / (1 + exp(-g)).
//  - GeGLU (Gemma): act = gelu_tanh(g) = 0.5 g (1 + tanh(sqrt(2/pi) (g + 0.044715 g^3))).
// Backward: dgu = [dy * u * act'(g) | dy * act(g)]. All buffers F32, BF16 or F16 (one type), F32 math.
#pragma once

#include "kernels/dtype.h"

#include <cstddef>

namespace hone::kernels {

enum class GluKind : int { SwiGlu = 0, GeGluTanh = 1 };

void gluForwardRef(GluKind kind, DType t, const void* gu, void* out, std::size_t rows, std::size_t f);
void gluBackwardRef(GluKind kind, DType t, const void* gu, const void* dy, void* dgu, std::size_t rows,
                    std::size_t f);

// The activation and its derivative at one point (F32), shared by the forward and backward loops.
float gluAct(GluKind kind, float g);
float gluActGrad(GluKind kind, float g);

} // namespace hone::kernels
