// SHA-256 (FIPS 180-4) of a byte string, as lowercase hex: llama.cpp names BPE pre-tokenizers by the SHA-256
// of the token ids of a check text. Torch-free, no dependencies.
#pragma once

#include <string>
#include <string_view>

namespace hone {

std::string sha256Hex(std::string_view data);

} // namespace hone
