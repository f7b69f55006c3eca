// GPT-2 byte-level table.
#include "tokenizer/byte_level.h"

#include "tokenizer/unicode.h"

namespace hone::tok {

const char* const kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {
struct Table {
    std::array<std::string, 256> toChar;
    std::array<int, 324> toByte{};
    Table() {
        toByte.fill(-1);
        int n = 0;
        for (int b = 0; b < 256; ++b) {
            const bool keep = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
            const char32_t cp = keep ? char32_t(b) : char32_t(256 + n++);
            appendUtf8(toChar[b], cp);
            toByte[cp] = b;
        }
    }
};
const Table& table() {
    static const Table t;
    return t;
}
} // namespace

const std::string& byteToChar(unsigned char b) {
    return table().toChar[b];
}

std::string bytesToByteLevel(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    const Table& t = table();
    for (char c : bytes) out += t.toChar[static_cast<unsigned char>(c)];
    return out;
}

int byteLevelCharToByte(char32_t c) {
    return c < 324 ? table().toByte[c] : -1;
}

} // namespace hone::tok
