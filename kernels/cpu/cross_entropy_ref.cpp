// Chunked cross-entropy CPU reference.
#include "kernels/cpu/cross_entropy_ref.h"

#include "common/error.h"

#include <cmath>
#include <string>

namespace hone::kernels {

namespace {
// True when row r takes part in the loss; throws for a target that is neither ignored nor a token id.
bool counted(const std::int64_t* targets, std::size_t r, std::size_t vocab, std::int64_t ignoreIndex) {
    const std::int64_t t = targets[r];
    if (t == ignoreIndex) return false;
    if (t < 0 || std::size_t(t) >= vocab)
        throw Error("cross-entropy: target " + std::to_string(t) + " of row " + std::to_string(r) +
                    " is outside the vocabulary (0.." + std::to_string(vocab - 1) +
                    ") and not the ignore index " + std::to_string(ignoreIndex) + "; check the labels");
    return true;
}
} // namespace

void crossEntropyForwardRef(DType t, const void* logits, const std::int64_t* targets, float* loss, float* lse,
                            std::size_t rows, std::size_t vocab, std::int64_t ignoreIndex) {
    if (vocab == 0) throw Error("cross-entropy: the logits chunk has no vocabulary columns");
    for (std::size_t r = 0; r < rows; ++r) {
        if (!counted(targets, r, vocab, ignoreIndex)) {
            loss[r] = 0;
            if (lse) lse[r] = 0;
            continue;
        }
        // Online log-sum-exp: one pass, m = running max, s = sum of exp(z - m).
        float m = -INFINITY, s = 0;
        for (std::size_t i = 0; i < vocab; ++i) {
            const float z = loadAs(t, logits, r * vocab + i);
            if (z > m) {
                s = s * std::exp(m - z) + 1.0f;
                m = z;
            } else {
                s += std::exp(z - m);
            }
        }
        const float l = m + std::log(s);
        if (lse) lse[r] = l;
        loss[r] = l - loadAs(t, logits, r * vocab + std::size_t(targets[r]));
    }
}

void crossEntropyBackwardRef(DType t, const void* logits, const std::int64_t* targets, const float* lse,
                             float scale, void* dlogits, std::size_t rows, std::size_t vocab,
                             std::int64_t ignoreIndex) {
    for (std::size_t r = 0; r < rows; ++r) {
        const bool use = counted(targets, r, vocab, ignoreIndex);
        for (std::size_t i = 0; i < vocab; ++i) {
            const std::size_t k = r * vocab + i;
            float g = 0;
            if (use)
                g = scale *
                    (std::exp(loadAs(t, logits, k) - lse[r]) - (std::int64_t(i) == targets[r] ? 1.0f : 0.0f));
            storeAs(t, dlogits, k, g);
        }
    }
}

} // namespace hone::kernels
