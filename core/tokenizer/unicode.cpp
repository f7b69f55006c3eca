// UTF-8 helpers and Unicode properties (utf8proc) for the tokenizer pipeline.
#include "tokenizer/unicode.h"

#include "common/error.h"

#include <cstdlib>
#include <memory>
#include <utf8proc.h>

namespace hone::tok {

char32_t nextCodePoint(std::string_view s, std::size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t n = utf8Len(b0);
    if (i + n > s.size()) n = 1;
    char32_t cp;
    switch (n) {
    case 1:
        cp = b0;
        break;
    case 2:
        cp = (char32_t(b0 & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F);
        break;
    case 3:
        cp = (char32_t(b0 & 0x0F) << 12) | (char32_t(static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
             (static_cast<unsigned char>(s[i + 2]) & 0x3F);
        break;
    default:
        cp = (char32_t(b0 & 0x07) << 18) | (char32_t(static_cast<unsigned char>(s[i + 1]) & 0x3F) << 12) |
             (char32_t(static_cast<unsigned char>(s[i + 2]) & 0x3F) << 6) |
             (static_cast<unsigned char>(s[i + 3]) & 0x3F);
        break;
    }
    i += n;
    return cp;
}

void appendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

namespace {
// Length of the valid sequence at s[i], or 0 with *bad set to the length of the maximal invalid subpart.
std::size_t validSeq(std::string_view s, std::size_t i, std::size_t* bad) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return 1;
    std::size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        *bad = 1;
        return 0;
    }
    std::size_t k = 1;
    for (; k <= need; ++k) {
        if (i + k >= s.size()) break;
        const auto b = static_cast<unsigned char>(s[i + k]);
        const unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (b < l || b > h) break;
    }
    if (k > need) return need + 1;
    *bad = k;
    return 0;
}
} // namespace

bool isValidUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        std::size_t bad = 0;
        const std::size_t n = validSeq(s, i, &bad);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string sanitizeUtf8(std::string_view s) {
    if (isValidUtf8(s)) return std::string(s);
    std::string out;
    out.reserve(s.size() + 16);
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t bad = 0;
        const std::size_t n = validSeq(s, i, &bad);
        if (n) {
            out.append(s.substr(i, n));
            i += n;
        } else {
            out.append("\xEF\xBF\xBD");
            i += bad;
        }
    }
    return out;
}

std::size_t completeUtf8Prefix(std::string_view s) {
    // Look back at most 3 bytes for a lead byte whose sequence is cut off by the end of s.
    const std::size_t n = s.size();
    for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
        const auto b = static_cast<unsigned char>(s[n - back]);
        if ((b & 0xC0) == 0x80) continue; // continuation byte
        if (b >= 0xC0 && utf8Len(b) > back) return n - back;
        return n;
    }
    return n;
}

bool isWhitespace(char32_t c) {
    switch (c) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

bool isLetter(char32_t c) {
    if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    const int cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
    return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}

bool isNumber(char32_t c) {
    if (c < 0x80) return c >= '0' && c <= '9';
    const int cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
    return cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO;
}

bool isAlphanumeric(char32_t c) {
    if (isLetter(c) || isNumber(c)) return true;
    // Alphabetic also covers letter-like marks (Other_Alphabetic); approximated by spacing/nonspacing marks
    // that utf8proc does not flag — kept narrow on purpose.
    return false;
}

bool isPunctuation(char32_t c) {
    if (c < 0x80)
        return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
    const int cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
    return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
}

bool isRegexWordChar(char32_t c) {
    if (c < 0x80) return c == '_' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9');
    if (c == 0x200C || c == 0x200D) return true;
    const int cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
    return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ND) || cat == UTF8PROC_CATEGORY_NL ||
           cat == UTF8PROC_CATEGORY_PC;
}

bool isControl(char32_t c) {
    const int cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
    return cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF;
}

namespace {
std::string mapChunk(std::string_view s, NormForm form) {
    int opts = UTF8PROC_STABLE;
    switch (form) {
    case NormForm::NFC:
        opts |= UTF8PROC_COMPOSE;
        break;
    case NormForm::NFD:
        opts |= UTF8PROC_DECOMPOSE;
        break;
    case NormForm::NFKC:
        opts |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
        break;
    case NormForm::NFKD:
        opts |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT;
        break;
    }
    utf8proc_uint8_t* out = nullptr;
    const auto n =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                     static_cast<utf8proc_ssize_t>(s.size()), &out, static_cast<utf8proc_option_t>(opts));
    if (n < 0) throw Error(std::string("unicode normalization failed: ") + utf8proc_errmsg(n));
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> hold(out, &std::free);
    return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}
} // namespace

std::string normalizeUnicode(std::string_view s, NormForm form) {
    // Fast path: the text is cut before "inert" characters (no decomposition, combining class 0, in no
    // canonical composition, not Hangul), across which normalization cannot interact; only chunks holding a
    // character that normalization could change go through utf8proc. Pure ASCII never does.
    const bool composeOnly = form == NormForm::NFC;
    std::string out;
    std::size_t chunk = 0, i = 0;
    bool needs = false, any = false;
    auto flush = [&](std::size_t end) {
        if (needs) {
            if (!any) {
                out.reserve(s.size() + 16);
                out.append(s.substr(0, chunk));
                any = true;
            }
            out += mapChunk(s.substr(chunk, end - chunk), form);
        } else if (any) {
            out.append(s.substr(chunk, end - chunk));
        }
        chunk = end;
        needs = false;
    };
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            ++i; // ASCII needs no normalization; boundaries are only taken before non-ASCII starters
            continue;
        }
        const std::size_t at = i;
        const char32_t c = nextCodePoint(s, i);
        const utf8proc_property_t* p = utf8proc_get_property(static_cast<utf8proc_int32_t>(c));
        // Scripts with starters that combine with a preceding character (Indic two-part vowels, Hangul jamo,
        // Myanmar, Balinese, Brahmi-derived SMP scripts) are always normalized by utf8proc.
        const bool risky = (c >= 0x0900 && c <= 0x0DFF) || (c >= 0x1000 && c <= 0x11FF) ||
                           (c >= 0x1B00 && c <= 0x1B7F) || (c >= 0xAC00 && c <= 0xD7A3) ||
                           (c >= 0x11000 && c <= 0x11FFF);
        const bool decomposes = p->decomp_seqindex != UINT16_MAX;
        if (!risky && p->combining_class == 0 && !decomposes) {
            flush(at); // a starter that cannot interact with what precedes it
            continue;
        }
        if (risky || p->combining_class != 0 || (decomposes && (!composeOnly || c >= 0x300))) needs = true;
    }
    flush(s.size());
    return any ? out : std::string(s);
}

std::string toLowercase(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            out.push_back(static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b));
            ++i;
            continue;
        }
        const char32_t c = nextCodePoint(s, i);
        if (c == 0x130) { // the one unconditional multi-char lowercase mapping
            out.append("i\xCC\x87");
            continue;
        }
        appendUtf8(out, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
    }
    return out;
}

} // namespace hone::tok
