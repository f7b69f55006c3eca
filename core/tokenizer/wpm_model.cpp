// llama.cpp WPM (BERT) tokenizer.
#include "tokenizer/wpm_model.h"

#include "tokenizer/unicode.h"

#include <utf8proc.h>

namespace hone::tok {

WpmModel::WpmModel(std::vector<std::string> tokens, int32_t unkId)
    : tokens_(std::move(tokens))
    , unkId_(unkId) {
    index_.build(tokens_);
    for (const auto& t : tokens_) maxLen_ = std::max(maxLen_, t.size());
}

const std::string* WpmModel::idToToken(int32_t id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= tokens_.size()) return nullptr;
    return &tokens_[id];
}

namespace {
bool isChinese(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) ||
           (c >= 0x2B920 && c <= 0x2CEAF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F) ||
           (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFFEF);
}
} // namespace

// llama.cpp's "NFD" for WPM maps each code point to the first code point of its canonical decomposition
// (which drops accents: "Ä" -> "A", "ử" -> "u") instead of a full NFD.
static std::string firstOfDecomposition(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const char32_t c = nextCodePoint(text, i);
        utf8proc_int32_t buf[8];
        int last = 0;
        const auto n = c < 0xC0 ? 0
                                : utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), buf, 8,
                                                          UTF8PROC_DECOMPOSE, &last);
        appendUtf8(out, n > 0 ? static_cast<char32_t>(buf[0]) : c);
    }
    return out;
}

void WpmModel::tokenize(std::string_view text, std::vector<int32_t>& out, ModelCache*) const {
    const std::string nfd = firstOfDecomposition(text);
    std::vector<std::string> words(1);
    std::size_t i = 0;
    while (i < nfd.size()) {
        const char32_t c = nextCodePoint(nfd, i);
        if (isWhitespace(c)) {
            if (!words.back().empty()) words.emplace_back();
            continue;
        }
        const int cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
        const bool control = cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF ||
                             cat == UTF8PROC_CATEGORY_CO || cat == UTF8PROC_CATEGORY_CS;
        if (c == 0 || c == 0xFFFD || control) continue;
        std::string s;
        appendUtf8(s, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
        const bool punct = cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
        const bool symbol = cat >= UTF8PROC_CATEGORY_SM && cat <= UTF8PROC_CATEGORY_SO;
        if (punct || (c < 0x7F && symbol) || isChinese(c)) {
            if (!words.back().empty()) words.emplace_back();
            words.back() = s;
            words.emplace_back();
        } else {
            words.back() += s;
        }
    }
    if (words.back().empty()) words.pop_back();
    for (const auto& w : words) {
        if (w.empty()) continue;
        const std::string word = "\xE2\x96\x81" + w;
        const std::size_t n = word.size(), before = out.size();
        for (std::size_t b = 0; b < n; ++b) {
            bool match = false;
            for (std::size_t e = std::min(n, b + maxLen_ + 1); e > b; --e) {
                const int32_t id = index_.find(std::string_view(word).substr(b, e - b));
                if (id >= 0) {
                    out.push_back(id);
                    match = true;
                    b = e - 1;
                    break;
                }
            }
            if (!match) {
                out.resize(before);
                break;
            }
        }
        if (out.size() == before && unkId_ >= 0) out.push_back(unkId_);
    }
}

} // namespace hone::tok
