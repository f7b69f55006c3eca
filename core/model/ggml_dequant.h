// Readable CPU reference dequantisation of ggml/GGUF tensor types (block layouts as in ggml-common.h) to F32.
#pragma once

#include "model/gguf_file.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hone {

float fp16ToF32(std::uint16_t h);
float bf16ToF32(std::uint16_t b);
std::uint16_t f32ToFp16(float f); // round to nearest even (tests, writers)

// True for the types dequantizeRow handles: F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q4_K Q5_K Q6_K.
bool ggmlCanDequantize(std::uint32_t type);
// Dequantises `n` elements (a multiple of the type's block size) from `src` into `dst`.
void dequantizeRow(std::uint32_t type, const std::uint8_t* src, float* dst, std::size_t n);
// The whole tensor as F32 (row-major, shape() order). Throws hone::Error naming the tensor for an
// unsupported type.
std::vector<float> dequantize(const GgufTensor& t);

} // namespace hone
