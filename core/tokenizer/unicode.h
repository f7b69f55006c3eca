// UTF-8 helpers and the few Unicode properties and normalizations the tokenizers need (utf8proc underneath).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hone::tok {

// Decodes one code point at s[i] (which must be valid UTF-8) and advances i.
char32_t nextCodePoint(std::string_view s, std::size_t& i);
// Length in bytes of the UTF-8 sequence that starts with lead byte b (1 for invalid leads).
inline std::size_t utf8Len(unsigned char b) {
    return b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 1;
}
void appendUtf8(std::string& out, char32_t cp);
// s = prefix + s (without the string::insert(0, ..) that GCC 12 mis-diagnoses with -Wrestrict).
inline void prependTo(std::string& s, std::string_view prefix) {
    std::string t;
    t.reserve(prefix.size() + s.size());
    t.append(prefix);
    t.append(s);
    s.swap(t);
}

// True when s is valid UTF-8 (no surrogates, no overlongs, <= U+10FFFF).
bool isValidUtf8(std::string_view s);
// Replaces every maximal invalid subpart with U+FFFD, exactly like Rust's String::from_utf8_lossy and the
// WHATWG TextDecoder (what Hugging Face's tokenizers see when given bytes through Python or node).
std::string sanitizeUtf8(std::string_view s);
// Length of the longest prefix of s that does not end inside an incomplete (but so far valid) UTF-8 sequence.
std::size_t completeUtf8Prefix(std::string_view s);

// Rust char::is_whitespace (Unicode White_Space).
bool isWhitespace(char32_t c);
// Rust char::is_alphanumeric (Alphabetic || Numeric), approximated by general categories L*, N*, and Nl.
bool isAlphanumeric(char32_t c);
bool isLetter(char32_t c);
bool isNumber(char32_t c);
// Unicode punctuation (P*), as HF's Punctuation pre-tokenizer also counts ASCII symbols.
bool isPunctuation(char32_t c);
bool isControl(char32_t c);
// Unicode TR18 \w: letters, Nl, marks, Nd, Pc, U+200C/U+200D (Rust regex and Oniguruma agree on it).
bool isRegexWordChar(char32_t c);

enum class NormForm { NFC, NFD, NFKC, NFKD };
std::string normalizeUnicode(std::string_view s, NormForm form);
// Rust str::to_lowercase (full case mapping, incl. U+0130 -> "i\u0307").
std::string toLowercase(std::string_view s);

} // namespace hone::tok
