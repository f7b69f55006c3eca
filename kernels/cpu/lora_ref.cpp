// LoRA small-product CPU reference: plain loops, double accumulation.
#include "kernels/cpu/lora_ref.h"

#include "common/error.h"

namespace hone::kernels {

namespace {
std::size_t rowStride(const LoraShape& s) {
    if (s.rank == 0) throw Error("lora: rank must be at least 1");
    if (s.yStride && s.yStride < s.out)
        throw Error("lora: the output row stride is smaller than the output width");
    return s.yStride ? s.yStride : s.out;
}
} // namespace

void loraDownRef(DType t, const void* x, const float* a, float* xa, const LoraShape& s) {
    rowStride(s);
    for (std::size_t n = 0; n < s.n; ++n)
        for (std::size_t j = 0; j < s.rank; ++j) {
            double acc = 0;
            for (std::size_t k = 0; k < s.in; ++k)
                acc += double(loadAs(t, x, n * s.in + k)) * a[j * s.in + k];
            xa[n * s.rank + j] = float(acc);
        }
}

void loraUpAddRef(DType t, const float* xa, const float* b, float scale, void* y, const LoraShape& s) {
    const std::size_t ys = rowStride(s);
    for (std::size_t n = 0; n < s.n; ++n)
        for (std::size_t o = 0; o < s.out; ++o) {
            double acc = 0;
            for (std::size_t j = 0; j < s.rank; ++j) acc += double(xa[n * s.rank + j]) * b[o * s.rank + j];
            storeAs(t, y, n * ys + o, float(loadAs(t, y, n * ys + o) + scale * acc));
        }
}

void loraBackwardRef(DType t, const void* x, const float* a, const float* b, const float* xa, const void* dy,
                     float scale, float* dxa, float* da, float* db, void* dx, const LoraShape& s) {
    const std::size_t ys = rowStride(s);
    for (std::size_t n = 0; n < s.n; ++n) // dxa = scale * dy B
        for (std::size_t j = 0; j < s.rank; ++j) {
            double acc = 0;
            for (std::size_t o = 0; o < s.out; ++o)
                acc += double(loadAs(t, dy, n * ys + o)) * b[o * s.rank + j];
            dxa[n * s.rank + j] = float(scale * acc);
        }
    for (std::size_t o = 0; o < s.out; ++o) // dB = scale * dy^T xa
        for (std::size_t j = 0; j < s.rank; ++j) {
            double acc = 0;
            for (std::size_t n = 0; n < s.n; ++n)
                acc += double(loadAs(t, dy, n * ys + o)) * xa[n * s.rank + j];
            db[o * s.rank + j] = float(scale * acc);
        }
    for (std::size_t j = 0; j < s.rank; ++j) // dA = dxa^T x
        for (std::size_t k = 0; k < s.in; ++k) {
            double acc = 0;
            for (std::size_t n = 0; n < s.n; ++n)
                acc += double(dxa[n * s.rank + j]) * loadAs(t, x, n * s.in + k);
            da[j * s.in + k] = float(acc);
        }
    if (!dx) return;
    for (std::size_t n = 0; n < s.n; ++n) // dx += dxa A
        for (std::size_t k = 0; k < s.in; ++k) {
            double acc = 0;
            for (std::size_t j = 0; j < s.rank; ++j) acc += double(dxa[n * s.rank + j]) * a[j * s.in + k];
            storeAs(t, dx, n * s.in + k, float(loadAs(t, dx, n * s.in + k) + acc));
        }
}

} // namespace hone::kernels
