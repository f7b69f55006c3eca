// Structural JSON scanner for tokenizer.json's vocab and merges.
#include "tokenizer/fast_json_scan.h"

#include "tokenizer/unicode.h"

namespace hone::tok {

namespace {

struct Scanner {
    std::string_view s;
    std::size_t i = 0;
    bool ok = true;

    void ws() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
    }
    bool eat(char c) {
        ws();
        if (i < s.size() && s[i] == c) {
            ++i;
            return true;
        }
        return false;
    }
    static int hex(char c) {
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                      : -1;
    }
    bool hex4(unsigned& v) {
        if (i + 4 > s.size()) return false;
        v = 0;
        for (int k = 0; k < 4; ++k) {
            const int h = hex(s[i + k]);
            if (h < 0) return false;
            v = v * 16 + static_cast<unsigned>(h);
        }
        i += 4;
        return true;
    }
    // Decodes a JSON string at s[i] (which must be '"') into out.
    bool str(std::string& out) {
        ws();
        if (i >= s.size() || s[i] != '"') return false;
        ++i;
        out.clear();
        for (;;) {
            const std::size_t start = i;
            while (i < s.size() && s[i] != '"' && s[i] != '\\' && static_cast<unsigned char>(s[i]) >= 0x20)
                ++i;
            out.append(s.substr(start, i - start));
            if (i >= s.size() || static_cast<unsigned char>(s[i]) < 0x20) return false;
            if (s[i] == '"') {
                ++i;
                return true;
            }
            if (++i >= s.size()) return false;
            const char e = s[i++];
            switch (e) {
            case '"':
                out.push_back('"');
                break;
            case '\\':
                out.push_back('\\');
                break;
            case '/':
                out.push_back('/');
                break;
            case 'b':
                out.push_back('\b');
                break;
            case 'f':
                out.push_back('\f');
                break;
            case 'n':
                out.push_back('\n');
                break;
            case 'r':
                out.push_back('\r');
                break;
            case 't':
                out.push_back('\t');
                break;
            case 'u': {
                unsigned v;
                if (!hex4(v)) return false;
                if (v >= 0xD800 && v <= 0xDBFF) {
                    unsigned lo;
                    if (i + 2 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return false;
                    i += 2;
                    if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                } else if (v >= 0xDC00 && v <= 0xDFFF) {
                    return false;
                }
                appendUtf8(out, static_cast<char32_t>(v));
                break;
            }
            default:
                return false;
            }
        }
    }
    bool integer(long long& v) {
        ws();
        std::size_t st = i;
        if (i < s.size() && s[i] == '-') ++i;
        if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
        v = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (i - st > 15) return false;
            v = v * 10 + (s[i] - '0');
            ++i;
        }
        if (s[st] == '-') v = -v;
        return i >= s.size() || (s[i] != '.' && s[i] != 'e' && s[i] != 'E');
    }
    // Skips any JSON value.
    bool skip() {
        ws();
        if (i >= s.size()) return false;
        const char c = s[i];
        if (c == '"') {
            ++i;
            while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
            if (i >= s.size()) return false;
            ++i;
            return true;
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            while (i < s.size()) {
                const char d = s[i];
                if (d == '"') {
                    if (!skip()) return false;
                    continue;
                }
                if (d == '{' || d == '[') ++depth;
                if (d == '}' || d == ']') {
                    if (--depth == 0) {
                        ++i;
                        return true;
                    }
                }
                ++i;
            }
            return false;
        }
        while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']') ++i;
        return true;
    }
};

} // namespace

std::optional<ScannedModel> scanTokenizerJson(std::string_view text, long long maxVocab) {
    Scanner sc{text};
    ScannedModel m;
    if (!sc.eat('{')) return std::nullopt;
    std::string key;
    std::size_t vocabB = 0, vocabE = 0, mergesB = 0, mergesE = 0;
    bool first = true;
    while (true) {
        if (sc.eat('}')) break;
        if (!first && !sc.eat(',')) return std::nullopt;
        first = false;
        if (!sc.str(key) || !sc.eat(':')) return std::nullopt;
        if (key != "model") {
            if (!sc.skip()) return std::nullopt;
            continue;
        }
        if (!sc.eat('{')) return std::nullopt;
        bool mfirst = true;
        while (true) {
            if (sc.eat('}')) break;
            if (!mfirst && !sc.eat(',')) return std::nullopt;
            mfirst = false;
            if (!sc.str(key) || !sc.eat(':')) return std::nullopt;
            sc.ws();
            if (key == "vocab" && sc.i < text.size() && text[sc.i] == '{') {
                vocabB = sc.i;
                ++sc.i;
                std::vector<std::pair<std::string, long long>> entries;
                long long maxId = -1;
                std::string tok;
                bool vfirst = true;
                while (true) {
                    if (sc.eat('}')) break;
                    if (!vfirst && !sc.eat(',')) return std::nullopt;
                    vfirst = false;
                    long long id;
                    if (!sc.str(tok) || !sc.eat(':') || !sc.integer(id) || id < 0 || id >= maxVocab)
                        return std::nullopt;
                    maxId = std::max(maxId, id);
                    entries.emplace_back(std::move(tok), id);
                }
                vocabE = sc.i;
                m.vocab.assign(static_cast<std::size_t>(maxId + 1), std::string());
                for (auto& [t, id] : entries) m.vocab[static_cast<std::size_t>(id)] = std::move(t);
                m.hasVocab = true;
            } else if (key == "merges" && sc.i < text.size() && text[sc.i] == '[') {
                mergesB = sc.i;
                ++sc.i;
                std::string a, b;
                bool afirst = true;
                while (true) {
                    if (sc.eat(']')) break;
                    if (!afirst && !sc.eat(',')) return std::nullopt;
                    afirst = false;
                    sc.ws();
                    if (sc.i < text.size() && text[sc.i] == '[') {
                        ++sc.i;
                        if (!sc.str(a) || !sc.eat(',') || !sc.str(b) || !sc.eat(']')) return std::nullopt;
                    } else {
                        if (!sc.str(a)) return std::nullopt;
                        const std::size_t sp = a.find(' ');
                        if (sp == std::string::npos || a.find(' ', sp + 1) != std::string::npos)
                            return std::nullopt;
                        b = a.substr(sp + 1);
                        a.resize(sp);
                    }
                    m.merges.emplace_back(a, b);
                }
                mergesE = sc.i;
                m.hasMerges = true;
            } else if (!sc.skip()) {
                return std::nullopt;
            }
        }
    }
    // Rebuild the document without the two big values.
    struct Cut {
        std::size_t b, e;
        const char* with;
    };
    std::vector<Cut> cuts;
    if (m.hasVocab) cuts.push_back({vocabB, vocabE, "{}"});
    if (m.hasMerges) cuts.push_back({mergesB, mergesE, "[]"});
    if (cuts.size() == 2 && cuts[0].b > cuts[1].b) std::swap(cuts[0], cuts[1]);
    std::size_t last = 0;
    for (const auto& c : cuts) {
        m.rest.append(text.substr(last, c.b - last));
        m.rest.append(c.with);
        last = c.e;
    }
    m.rest.append(text.substr(last));
    return m;
}

} // namespace hone::tok
