// Unicode helpers with Python str semantics (see text_util.h); classification and case mapping via utf8proc.
#include "chat/text_util.h"

#include <algorithm>
#include <utf8proc.h>

namespace hone::jinja {

std::u32string decodeUtf8(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        utf8proc_int32_t cp = 0;
        auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                  static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
        if (n <= 0) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        out.push_back(static_cast<char32_t>(cp));
        i += static_cast<size_t>(n);
    }
    return out;
}

void appendCodePoint(std::string& out, uint32_t cp) {
    utf8proc_uint8_t buf[4];
    auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

std::string encodeUtf8(std::u32string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char32_t c : s) appendCodePoint(out, c);
    return out;
}

bool pyIsSpace(uint32_t cp) {
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f) || cp == 0x85) return true;
    if (cp < 0x80) return false;
    auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    auto bidi = utf8proc_get_property(static_cast<utf8proc_int32_t>(cp))->bidi_class;
    return cat == UTF8PROC_CATEGORY_ZS || bidi == UTF8PROC_BIDI_CLASS_WS || bidi == UTF8PROC_BIDI_CLASS_B ||
           bidi == UTF8PROC_BIDI_CLASS_S;
}

bool pyIsAlpha(uint32_t cp) {
    auto c = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT ||
           c == UTF8PROC_CATEGORY_LM || c == UTF8PROC_CATEGORY_LO;
}

bool pyIsDigit(uint32_t cp) {
    return utf8proc_category(static_cast<utf8proc_int32_t>(cp)) == UTF8PROC_CATEGORY_ND;
}
bool pyIsUpper(uint32_t cp) {
    return utf8proc_isupper(static_cast<utf8proc_int32_t>(cp));
}
bool pyIsLower(uint32_t cp) {
    return utf8proc_islower(static_cast<utf8proc_int32_t>(cp));
}
uint32_t pyToUpper(uint32_t cp) {
    return static_cast<uint32_t>(utf8proc_toupper(static_cast<utf8proc_int32_t>(cp)));
}
uint32_t pyToLower(uint32_t cp) {
    return static_cast<uint32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)));
}

namespace {
bool isAscii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}
} // namespace

std::string pyUpper(std::string_view s) {
    if (isAscii(s)) {
        std::string o(s);
        for (auto& c : o)
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        return o;
    }
    std::string o;
    for (char32_t c : decodeUtf8(s)) {
        if (c == 0xDF) {
            o += "SS"; // the one special-casing rule chat text commonly meets (German sharp s)
        } else {
            appendCodePoint(o, pyToUpper(c));
        }
    }
    return o;
}

std::string pyLower(std::string_view s) {
    if (isAscii(s)) {
        std::string o(s);
        for (auto& c : o)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        return o;
    }
    std::string o;
    for (char32_t c : decodeUtf8(s)) appendCodePoint(o, pyToLower(c));
    return o;
}

std::string pyTitle(std::string_view s) {
    std::string o;
    bool prevCased = false;
    for (char32_t c : decodeUtf8(s)) {
        bool cased = pyIsUpper(c) || pyIsLower(c) ||
                     utf8proc_category(static_cast<utf8proc_int32_t>(c)) == UTF8PROC_CATEGORY_LT;
        appendCodePoint(o, prevCased ? pyToLower(c) : pyToUpper(c));
        prevCased = cased;
    }
    return o;
}

std::string pyCapitalize(std::string_view s) {
    std::string o;
    bool first = true;
    for (char32_t c : decodeUtf8(s)) {
        appendCodePoint(o, first ? pyToUpper(c) : pyToLower(c));
        first = false;
    }
    return o;
}

std::string pyStrip(std::string_view s, const std::string* chars, bool left, bool right) {
    if (!chars) {
        // Fast path: ASCII whitespace at both ends, with ASCII (or no) characters where stripping stops.
        auto ws = [](char c) { return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f); };
        size_t b = 0, e = s.size();
        if (left)
            while (b < e && ws(s[b])) ++b;
        if (right)
            while (e > b && ws(s[e - 1])) --e;
        bool asciiEdges = (b == e) || ((static_cast<unsigned char>(s[b]) < 0x80 || !left) &&
                                       (static_cast<unsigned char>(s[e - 1]) < 0x80 || !right));
        if (asciiEdges) return std::string(s.substr(b, e - b));
    }
    std::u32string u = decodeUtf8(s);
    std::u32string set;
    if (chars) set = decodeUtf8(*chars);
    auto strip = [&](char32_t c) { return chars ? set.find(c) != std::u32string::npos : pyIsSpace(c); };
    size_t b = 0, e = u.size();
    if (left)
        while (b < e && strip(u[b])) ++b;
    if (right)
        while (e > b && strip(u[e - 1])) --e;
    return encodeUtf8(std::u32string_view(u).substr(b, e - b));
}

std::vector<std::string> pySplitLines(std::string_view s) {
    std::vector<std::string> out;
    std::u32string u = decodeUtf8(s);
    std::u32string cur;
    for (size_t i = 0; i < u.size(); ++i) {
        char32_t c = u[i];
        bool brk = c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e ||
                   c == 0x85 || c == 0x2028 || c == 0x2029;
        if (!brk) {
            cur.push_back(c);
            continue;
        }
        if (c == '\r' && i + 1 < u.size() && u[i + 1] == '\n') ++i;
        out.push_back(encodeUtf8(cur));
        cur.clear();
    }
    if (!cur.empty()) out.push_back(encodeUtf8(cur));
    return out;
}

std::vector<std::string> pySplit(std::string_view s, const std::string* sep, int64_t maxsplit) {
    std::vector<std::string> out;
    if (sep) {
        size_t pos = 0;
        while (maxsplit < 0 || static_cast<int64_t>(out.size()) < maxsplit) {
            size_t f = s.find(*sep, pos);
            if (f == std::string_view::npos) break;
            out.emplace_back(s.substr(pos, f - pos));
            pos = f + sep->size();
        }
        out.emplace_back(s.substr(pos));
        return out;
    }
    std::u32string u = decodeUtf8(s);
    size_t i = 0;
    while (i < u.size()) {
        while (i < u.size() && pyIsSpace(u[i])) ++i;
        if (i >= u.size()) break;
        if (maxsplit >= 0 && static_cast<int64_t>(out.size()) >= maxsplit) {
            size_t e = u.size();
            while (e > i && pyIsSpace(u[e - 1])) --e;
            out.push_back(encodeUtf8(std::u32string_view(u).substr(i, e - i)));
            return out;
        }
        size_t j = i;
        while (j < u.size() && !pyIsSpace(u[j])) ++j;
        out.push_back(encodeUtf8(std::u32string_view(u).substr(i, j - i)));
        i = j;
    }
    return out;
}

std::vector<std::string> pyRSplit(std::string_view s, const std::string* sep, int64_t maxsplit) {
    if (maxsplit < 0) return pySplit(s, sep, maxsplit);
    std::vector<std::string> out;
    if (sep) {
        size_t end = s.size();
        while (static_cast<int64_t>(out.size()) < maxsplit) {
            if (end < sep->size()) break;
            size_t f = s.rfind(*sep, end - sep->size());
            if (f == std::string_view::npos) break;
            out.emplace_back(s.substr(f + sep->size(), end - f - sep->size()));
            end = f;
        }
        out.emplace_back(s.substr(0, end));
        std::reverse(out.begin(), out.end());
        return out;
    }
    std::u32string u = decodeUtf8(s);
    size_t e = u.size();
    while (e > 0) {
        while (e > 0 && pyIsSpace(u[e - 1])) --e;
        if (e == 0) break;
        if (static_cast<int64_t>(out.size()) >= maxsplit) {
            size_t b = 0;
            while (b < e && pyIsSpace(u[b])) ++b;
            out.push_back(encodeUtf8(std::u32string_view(u).substr(b, e - b)));
            break;
        }
        size_t b = e;
        while (b > 0 && !pyIsSpace(u[b - 1])) --b;
        out.push_back(encodeUtf8(std::u32string_view(u).substr(b, e - b)));
        e = b;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::string pyReplace(std::string_view s, std::string_view from, std::string_view to, int64_t count) {
    std::string out;
    if (from.empty()) {
        // Python inserts `to` between every character (and at both ends).
        int64_t n = 0;
        auto u = decodeUtf8(s);
        for (char32_t c : u) {
            if (count < 0 || n < count) {
                out += to;
                ++n;
            }
            appendCodePoint(out, c);
        }
        if (count < 0 || n < count) out += to;
        return out;
    }
    size_t pos = 0;
    int64_t n = 0;
    while (count < 0 || n < count) {
        size_t f = s.find(from, pos);
        if (f == std::string_view::npos) break;
        out += s.substr(pos, f - pos);
        out += to;
        pos = f + from.size();
        ++n;
    }
    out += s.substr(pos);
    return out;
}

int64_t pyCount(std::string_view s, std::string_view sub) {
    if (sub.empty()) {
        size_t n = 0;
        for (unsigned char c : s)
            if ((c & 0xC0) != 0x80) ++n;
        return static_cast<int64_t>(n + 1);
    }
    int64_t n = 0;
    size_t pos = 0;
    while ((pos = s.find(sub, pos)) != std::string_view::npos) {
        ++n;
        pos += sub.size();
    }
    return n;
}

} // namespace hone::jinja
