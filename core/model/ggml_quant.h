// F32 -> ggml tensor types: F32/F16/BF16 conversion and the block quantisers llama-quantize uses without an
// importance matrix (ggml's *_ref reference algorithms: Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hone {

// True for the types quantizeRows writes: F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q4_K Q5_K Q6_K.
bool ggmlCanQuantize(std::uint32_t type);
// True when `cols` (> 0) is a multiple of the type's block size (false for an unknown type).
bool ggmlTypeFitsRow(std::uint32_t type, std::int64_t cols);
// Bytes one row of `cols` elements takes. Throws hone::Error for an unknown type or when the block size does
// not divide `cols`.
std::size_t ggmlRowBytes(std::uint32_t type, std::int64_t cols);

// Writes rows x cols F32 values (row-major, row = the ggml innermost dimension) as `type` into dst, which
// must hold rows * ggmlRowBytes(type, cols) bytes. Quantised bytes equal what ggml's quantize_row_*_ref
// produces (llama-quantize without --imatrix); F16 and BF16 round to nearest even. Blocks whose largest
// magnitude is below 1e-30 are written as zero blocks. Runs on up to `threads` threads (0: hardware
// concurrency). Throws hone::Error for a type it cannot write, a row length the block size does not divide, a
// NaN or infinite input, or values too large for the type's half-precision scales (or for F16/BF16
// themselves).
void quantizeRows(std::uint32_t type, const float* src, std::int64_t rows, std::int64_t cols,
                  std::uint8_t* dst, unsigned threads = 0);
// The same into a new buffer.
std::vector<std::uint8_t> quantizeRows(std::uint32_t type, const float* src, std::int64_t rows,
                                       std::int64_t cols, unsigned threads = 0);

std::uint16_t f32ToBf16(float f); // round to nearest even, NaN stays a (quiet) NaN

} // namespace hone
