// Chunked fused cross-entropy, the CPU reference. The caller computes one chunk of logits [tokens, vocab]
// (F32, BF16 or F16) and passes that chunk's targets (int64); per row, one pass keeps a running maximum m and
// a running sum s of exp(z - m) (rescaled whenever m grows), so lse = m + log(s) never overflows and no
// softmax is stored beyond the chunk:
//   loss[r] = lse[r] - z[r, target]   (F32; 0 for ignored rows)
//   dlogits[r, i] = scale * (exp(z[r, i] - lse[r]) - [i == target])   (0 for ignored rows)
// A row is ignored when its target equals ignoreIndex (-100 by convention). A target outside [0, vocab) that
// is not ignoreIndex is an error. dlogits may be the logits buffer itself (in place) and may be null
// (forward only); lse may be null.
#pragma once

#include "kernels/dtype.h"

#include <cstddef>
#include <cstdint>

namespace hone::kernels {

constexpr std::int64_t kIgnoreIndex = -100;

void crossEntropyForwardRef(DType t, const void* logits, const std::int64_t* targets, float* loss, float* lse,
                            std::size_t rows, std::size_t vocab, std::int64_t ignoreIndex);

// Backward from the forward's lse: dlogits = scale * (softmax - onehot).
void crossEntropyBackwardRef(DType t, const void* logits, const std::int64_t* targets, const float* lse,
                             float scale, void* dlogits, std::size_t rows, std::size_t vocab,
                             std::int64_t ignoreIndex);

} // namespace hone::kernels
