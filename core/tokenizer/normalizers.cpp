// Normalizer implementations, each mirroring the Hugging Face tokenizers stage of the same name.
#include "tokenizer/normalizers.h"

#include "common/error.h"
#include "tokenizer/json_util.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace hone::tok {

namespace {

class UnicodeNorm : public Normalizer {
public:
    explicit UnicodeNorm(NormForm f)
        : form_(f) {}
    void normalize(std::string& s) const override { s = normalizeUnicode(s, form_); }

private:
    NormForm form_;
};

class Lowercase : public Normalizer {
public:
    void normalize(std::string& s) const override { s = toLowercase(s); }
};

class Strip : public Normalizer {
public:
    Strip(bool l, bool r)
        : left_(l)
        , right_(r) {}
    void normalize(std::string& s) const override {
        std::size_t b = 0, e = s.size();
        if (left_) {
            while (b < e) {
                std::size_t i = b;
                if (!isWhitespace(nextCodePoint(s, i))) break;
                b = i;
            }
        }
        if (right_) {
            while (e > b) {
                std::size_t st = e - 1;
                while (st > b && (static_cast<unsigned char>(s[st]) & 0xC0) == 0x80) --st;
                std::size_t i = st;
                if (!isWhitespace(nextCodePoint(s, i))) break;
                e = st;
            }
        }
        s = s.substr(b, e - b);
    }

private:
    bool left_, right_;
};

class Prepend : public Normalizer {
public:
    explicit Prepend(std::string p)
        : prefix_(std::move(p)) {}
    void normalize(std::string& s) const override {
        if (!s.empty()) prependTo(s, prefix_);
    }

private:
    std::string prefix_;
};

class Replace : public Normalizer {
public:
    Replace(std::string literal, std::unique_ptr<Regex> re, std::string content)
        : literal_(std::move(literal))
        , re_(std::move(re))
        , content_(std::move(content)) {}
    void normalize(std::string& s) const override { s = replaceAll(s, literal_, re_.get(), content_); }

private:
    std::string literal_;
    std::unique_ptr<Regex> re_;
    std::string content_;
};

class BertNorm : public Normalizer {
public:
    BertNorm(bool clean, bool chinese, int stripAccents, bool lower)
        : clean_(clean)
        , chinese_(chinese)
        , strip_(stripAccents)
        , lower_(lower) {}
    void normalize(std::string& s) const override {
        std::string out;
        out.reserve(s.size());
        std::size_t i = 0;
        while (i < s.size()) {
            const char32_t c = nextCodePoint(s, i);
            if (clean_) {
                if (c == 0 || c == 0xFFFD || (isControl(c) && c != '\t' && c != '\n' && c != '\r')) continue;
                if (isWhitespace(c)) {
                    out.push_back(' ');
                    continue;
                }
            }
            const bool cjk = (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
                             (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
                             (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
                             (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
            if (chinese_ && cjk) {
                out.push_back(' ');
                appendUtf8(out, c);
                out.push_back(' ');
                continue;
            }
            appendUtf8(out, c);
        }
        const bool strip = strip_ == 1 || (strip_ == -1 && lower_);
        if (strip) out = stripAccents(normalizeUnicode(out, NormForm::NFD));
        if (lower_) out = toLowercase(out);
        s = std::move(out);
    }

private:
    static std::string stripAccents(const std::string& s);
    bool clean_, chinese_;
    int strip_; // -1 = follow lowercase
    bool lower_;
};

std::string BertNorm::stripAccents(const std::string& s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t st = i;
        const char32_t c = nextCodePoint(s, i);
        if (c >= 0x300 && c <= 0x36F) continue; // combining diacritical marks (Mn)
        out.append(s, st, i - st);
    }
    return out;
}

class Sequence : public Normalizer {
public:
    explicit Sequence(std::vector<std::unique_ptr<Normalizer>> v)
        : items_(std::move(v)) {}
    void normalize(std::string& s) const override {
        for (const auto& n : items_) n->normalize(s);
    }

private:
    std::vector<std::unique_ptr<Normalizer>> items_;
};

} // namespace

std::string replaceAll(std::string_view s, const std::string& literal, const Regex* re,
                       const std::string& content) {
    std::string out;
    if (re) {
        std::vector<std::pair<std::size_t, std::size_t>> m;
        re->findAll(s, m);
        if (m.empty()) return std::string(s);
        std::size_t last = 0;
        for (auto [b, e] : m) {
            out.append(s.substr(last, b - last));
            out.append(content);
            last = e;
        }
        out.append(s.substr(last));
        return out;
    }
    if (literal.empty()) return std::string(s);
    std::size_t last = 0;
    for (;;) {
        const std::size_t p = s.find(literal, last);
        if (p == std::string_view::npos) break;
        out.append(s.substr(last, p - last));
        out.append(content);
        last = p + literal.size();
    }
    out.append(s.substr(last));
    return out;
}

std::unique_ptr<Normalizer> makeNormalizer(const Json& j) {
    if (j.is_null()) return nullptr;
    const std::string type = jsonString(j, "type", "normalizer");
    if (type == "NFC") return std::make_unique<UnicodeNorm>(NormForm::NFC);
    if (type == "NFD") return std::make_unique<UnicodeNorm>(NormForm::NFD);
    if (type == "NFKC") return std::make_unique<UnicodeNorm>(NormForm::NFKC);
    if (type == "NFKD") return std::make_unique<UnicodeNorm>(NormForm::NFKD);
    if (type == "Lowercase") return std::make_unique<Lowercase>();
    if (type == "Strip")
        return std::make_unique<Strip>(jsonBool(j, "strip_left", true), jsonBool(j, "strip_right", true));
    if (type == "Prepend") return std::make_unique<Prepend>(jsonString(j, "prepend", "Prepend normalizer"));
    if (type == "Replace") {
        auto [literal, re] = parsePattern(j, "Replace normalizer");
        return std::make_unique<Replace>(std::move(literal), std::move(re),
                                         jsonString(j, "content", "Replace normalizer"));
    }
    if (type == "BertNormalizer") {
        int strip = -1;
        if (j.contains("strip_accents") && j["strip_accents"].is_boolean())
            strip = j["strip_accents"].get<bool>();
        return std::make_unique<BertNorm>(jsonBool(j, "clean_text", true),
                                          jsonBool(j, "handle_chinese_chars", true), strip,
                                          jsonBool(j, "lowercase", true));
    }
    if (type == "Sequence") {
        std::vector<std::unique_ptr<Normalizer>> v;
        for (const auto& n : jsonArray(j, "normalizers", "Sequence normalizer"))
            if (auto p = makeNormalizer(n)) v.push_back(std::move(p));
        return std::make_unique<Sequence>(std::move(v));
    }
    throw Error("tokenizer.json: unsupported normalizer type '" + type + "'");
}

} // namespace hone::tok
