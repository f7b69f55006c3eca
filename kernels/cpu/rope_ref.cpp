// RoPE CPU reference.
#include "kernels/cpu/rope_ref.h"

#include "common/error.h"

#include <string>

namespace hone::kernels {

void ropeRef(DType t, const void* x, void* y, const float* cos, const float* sin, const RopeShape& shape,
             RopeLayout layout, bool backward) {
    const std::size_t d = shape.headDim, rot = shape.rot ? shape.rot : shape.headDim, half = rot / 2;
    if (d == 0 || rot % 2 != 0 || rot > d)
        throw Error("rope: the rotated width " + std::to_string(rot) +
                    " must be even and at most the head size " + std::to_string(d));
    if (shape.tokens && shape.posOffset + shape.tokens > shape.tablePositions)
        throw Error("rope: positions " + std::to_string(shape.posOffset) + ".." +
                    std::to_string(shape.posOffset + shape.tokens - 1) + " run past the cos/sin table (" +
                    std::to_string(shape.tablePositions) + " rows); build a longer table");
    const float sign = backward ? -1.0f : 1.0f;
    for (std::size_t tok = 0; tok < shape.tokens; ++tok) {
        const float* c = cos + (shape.posOffset + tok) * half;
        const float* s = sin + (shape.posOffset + tok) * half;
        for (std::size_t h = 0; h < shape.heads; ++h) {
            const std::size_t base = (tok * shape.heads + h) * d;
            for (std::size_t i = 0; i < half; ++i) {
                const std::size_t ia = base + (layout == RopeLayout::RotateHalf ? i : 2 * i);
                const std::size_t ib = base + (layout == RopeLayout::RotateHalf ? i + half : 2 * i + 1);
                const float a = loadAs(t, x, ia), b = loadAs(t, x, ib);
                storeAs(t, y, ia, a * c[i] - sign * b * s[i]);
                storeAs(t, y, ib, b * c[i] + sign * a * s[i]);
            }
            for (std::size_t i = rot; i < d; ++i) storeAs(t, y, base + i, loadAs(t, x, base + i));
        }
    }
}

} // namespace hone::kernels
