// Rotary position embedding (RoPE), the CPU reference, forward and backward, in both pair layouts:
//  - RotateHalf (HF / Llama): element i pairs with i + rot/2;
//  - Interleaved (GPT-J / GGUF "normal" rope): element 2i pairs with 2i + 1.
// Pair i at position p turns by the angle whose cos/sin the caller tabulated: cos[p, i], sin[p, i]
// ([positions, rot/2], F32; the engine's ropeTable, so any frequency scaling is the caller's).
// x, y: [tokens, heads, headDim] (F32, BF16 or F16, same type); token t sits at position posOffset + t; only
// the first `rot` (even, <= headDim) elements of each head rotate, the rest are copied (partial rotary).
// Forward: (a, b) -> (a c - b s, b c + a s). Backward is the transpose: (a, b) -> (a c + b s, b c - a s).
// y may be x (in place).
#pragma once

#include "kernels/dtype.h"

#include <cstddef>

namespace hone::kernels {

enum class RopeLayout : int { RotateHalf = 0, Interleaved = 1 };

struct RopeShape {
    std::size_t tokens = 0, heads = 0, headDim = 0, rot = 0; // rot = 0 means headDim
    std::size_t posOffset = 0, tablePositions = 0;           // rows in cos/sin
};

// backward = false: y = rope(x); backward = true: y = rope^T(x) (dx from dy).
void ropeRef(DType t, const void* x, void* y, const float* cos, const float* sin, const RopeShape& shape,
             RopeLayout layout, bool backward);

} // namespace hone::kernels
