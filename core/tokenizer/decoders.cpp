// Decoder implementations, each mirroring the Hugging Face tokenizers stage of the same name.
#include "tokenizer/decoders.h"

#include "common/error.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/json_util.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace hone::tok {

namespace {

class ByteLevelDec : public Decoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override {
        std::string bytes;
        for (const auto& t : tokens) {
            const std::size_t mark = bytes.size();
            std::size_t i = 0;
            bool ok = true;
            while (i < t.size()) {
                const int b = byteLevelCharToByte(nextCodePoint(t, i));
                if (b < 0) {
                    ok = false;
                    break;
                }
                bytes.push_back(static_cast<char>(b));
            }
            if (!ok) {
                bytes.resize(mark);
                bytes += t;
            }
        }
        tokens.assign(1, sanitizeUtf8(bytes));
    }
};

class MetaspaceDec : public Decoder {
public:
    MetaspaceDec(std::string rep, bool prepend)
        : rep_(std::move(rep))
        , prepend_(prepend) {}
    void decodeChain(std::vector<std::string>& tokens) const override {
        for (std::size_t i = 0; i < tokens.size(); ++i)
            tokens[i] =
                replaceAll(tokens[i], rep_, nullptr, i == 0 && prepend_ ? std::string() : std::string(" "));
    }

private:
    std::string rep_;
    bool prepend_;
};

bool byteToken(const std::string& t, unsigned char* b) {
    if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return false;
    auto hex = [](char c) {
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                      : -1;
    };
    const int h = hex(t[3]), l = hex(t[4]);
    if (h < 0 || l < 0) return false;
    *b = static_cast<unsigned char>(h * 16 + l);
    return true;
}

class ByteFallbackDec : public Decoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override {
        std::vector<std::string> out;
        std::string pending;
        std::size_t nPending = 0;
        auto flush = [&] {
            if (!nPending) return;
            if (isValidUtf8(pending)) {
                out.push_back(pending);
            } else {
                for (std::size_t k = 0; k < nPending; ++k) out.emplace_back("\xEF\xBF\xBD");
            }
            pending.clear();
            nPending = 0;
        };
        for (auto& t : tokens) {
            unsigned char b;
            if (byteToken(t, &b)) {
                pending.push_back(static_cast<char>(b));
                ++nPending;
            } else {
                flush();
                out.push_back(std::move(t));
            }
        }
        flush();
        tokens.swap(out);
    }
};

class FuseDec : public Decoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override {
        std::string all;
        for (const auto& t : tokens) all += t;
        tokens.assign(1, std::move(all));
    }
};

class StripDec : public Decoder {
public:
    StripDec(std::string content, std::size_t start, std::size_t stop)
        : content_(std::move(content))
        , start_(start)
        , stop_(stop) {}
    void decodeChain(std::vector<std::string>& tokens) const override {
        if (content_.empty()) return;
        for (auto& t : tokens) {
            std::size_t b = 0, e = t.size();
            for (std::size_t k = 0; k < start_ && t.compare(b, content_.size(), content_) == 0 && b < e; ++k)
                b += content_.size();
            for (std::size_t k = 0; k < stop_ && e >= b + content_.size() &&
                                    t.compare(e - content_.size(), content_.size(), content_) == 0;
                 ++k)
                e -= content_.size();
            t = t.substr(b, e - b);
        }
    }

private:
    std::string content_;
    std::size_t start_, stop_;
};

class ReplaceDec : public Decoder {
public:
    ReplaceDec(std::string literal, std::unique_ptr<Regex> re, std::string content)
        : literal_(std::move(literal))
        , re_(std::move(re))
        , content_(std::move(content)) {}
    void decodeChain(std::vector<std::string>& tokens) const override {
        for (auto& t : tokens) t = replaceAll(t, literal_, re_.get(), content_);
    }

private:
    std::string literal_;
    std::unique_ptr<Regex> re_;
    std::string content_;
};

class WordPieceDec : public Decoder {
public:
    WordPieceDec(std::string prefix, bool cleanup)
        : prefix_(std::move(prefix))
        , cleanup_(cleanup) {}
    void decodeChain(std::vector<std::string>& tokens) const override {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            auto& t = tokens[i];
            if (i != 0) {
                if (t.compare(0, prefix_.size(), prefix_) == 0)
                    t.erase(0, prefix_.size());
                else
                    prependTo(t, " ");
            }
            if (cleanup_) {
                static const std::pair<const char*, const char*> kRules[] = {
                    {" .", "."},   {" ?", "?"},     {" !", "!"},    {" ,", ","},
                    {" ' ", "'"},  {" n't", "n't"}, {" 'm", "'m"},  {" do not", " don't"},
                    {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
                for (auto [a, b] : kRules) t = replaceAll(t, a, nullptr, b);
            }
        }
    }

private:
    std::string prefix_;
    bool cleanup_;
};

class BpeDec : public Decoder {
public:
    explicit BpeDec(std::string suffix)
        : suffix_(std::move(suffix)) {}
    void decodeChain(std::vector<std::string>& tokens) const override {
        for (std::size_t i = 0; i < tokens.size(); ++i)
            tokens[i] = replaceAll(tokens[i], suffix_, nullptr, i + 1 == tokens.size() ? "" : " ");
    }

private:
    std::string suffix_;
};

class SequenceDec : public Decoder {
public:
    explicit SequenceDec(std::vector<std::unique_ptr<Decoder>> v)
        : items_(std::move(v)) {}
    void decodeChain(std::vector<std::string>& tokens) const override {
        for (const auto& d : items_) d->decodeChain(tokens);
    }

private:
    std::vector<std::unique_ptr<Decoder>> items_;
};

} // namespace

std::unique_ptr<Decoder> makeDecoder(const Json& j) {
    if (j.is_null()) return nullptr;
    const std::string type = jsonString(j, "type", "decoder");
    if (type == "ByteLevel") return std::make_unique<ByteLevelDec>();
    if (type == "Metaspace") {
        bool prepend = true;
        if (j.contains("prepend_scheme") && j["prepend_scheme"].is_string())
            prepend = j["prepend_scheme"].get<std::string>() != "never";
        else
            prepend = jsonBool(j, "add_prefix_space", true);
        return std::make_unique<MetaspaceDec>(jsonStringOr(j, "replacement", "\xE2\x96\x81"), prepend);
    }
    if (type == "ByteFallback") return std::make_unique<ByteFallbackDec>();
    if (type == "Fuse") return std::make_unique<FuseDec>();
    if (type == "Strip") {
        const long long start = jsonInt(j, "start", 0), stop = jsonInt(j, "stop", 0);
        if (start < 0 || stop < 0) throw Error("tokenizer.json: Strip decoder: negative start/stop");
        return std::make_unique<StripDec>(jsonString(j, "content", "Strip decoder"),
                                          static_cast<std::size_t>(start), static_cast<std::size_t>(stop));
    }
    if (type == "Replace") {
        auto [literal, re] = parsePattern(j, "Replace decoder");
        return std::make_unique<ReplaceDec>(std::move(literal), std::move(re),
                                            jsonString(j, "content", "Replace decoder"));
    }
    if (type == "WordPiece")
        return std::make_unique<WordPieceDec>(jsonStringOr(j, "prefix", "##"), jsonBool(j, "cleanup", true));
    if (type == "BPEDecoder") return std::make_unique<BpeDec>(jsonStringOr(j, "suffix", "</w>"));
    if (type == "Sequence") {
        std::vector<std::unique_ptr<Decoder>> v;
        for (const auto& d : jsonArray(j, "decoders", "Sequence decoder"))
            if (auto p = makeDecoder(d)) v.push_back(std::move(p));
        return std::make_unique<SequenceDec>(std::move(v));
    }
    throw Error("tokenizer.json: unsupported decoder type '" + type + "'");
}

std::unique_ptr<Decoder> makeSentencePieceDecoder(bool stripLeadingSpace) {
    std::vector<std::unique_ptr<Decoder>> v;
    v.push_back(std::make_unique<ReplaceDec>("\xE2\x96\x81", nullptr, " "));
    v.push_back(std::make_unique<ByteFallbackDec>());
    v.push_back(std::make_unique<FuseDec>());
    if (stripLeadingSpace) v.push_back(std::make_unique<StripDec>(" ", 1, 0));
    return std::make_unique<SequenceDec>(std::move(v));
}

std::unique_ptr<Decoder> makeByteLevelDecoder() {
    return std::make_unique<ByteLevelDec>();
}

} // namespace hone::tok
