// GPT-2's reversible byte <-> printable-character table used by byte-level BPE (ByteLevel
// pre-tokenizer/decoder).
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace hone::tok {

// UTF-8 encoding of the character that stands for byte b.
const std::string& byteToChar(unsigned char b);
// Maps raw bytes to their byte-level characters.
std::string bytesToByteLevel(std::string_view bytes);
// Byte for a code point of the table, or -1 if the code point is not one of the 256.
int byteLevelCharToByte(char32_t c);
// GPT-2's pre-tokenization regex (the ByteLevel pre-tokenizer with use_regex = true).
extern const char* const kGpt2Pattern;

} // namespace hone::tok
