// Pre-tokenizer implementations, each mirroring the Hugging Face tokenizers stage of the same name.
#include "tokenizer/pre_tokenizers.h"

#include "common/error.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/json_util.h"
#include "tokenizer/unicode.h"

#include <algorithm>
#include <functional>

namespace hone::tok {

namespace {

struct Seg {
    std::size_t b, e;
    bool match;
};

// Turns the segments of one piece into sub-pieces by behavior (HF NormalizedString::split).
void emitSegments(const Piece& p, std::vector<Seg>& segs, SplitBehavior behavior, bool invert,
                  std::vector<Piece>& out) {
    if (invert)
        for (auto& s : segs) s.match = !s.match;
    std::vector<Seg> res;
    switch (behavior) {
    case SplitBehavior::Isolated:
        res = segs;
        break;
    case SplitBehavior::Removed:
        for (const auto& s : segs)
            if (!s.match) res.push_back(s);
        break;
    case SplitBehavior::Contiguous: {
        bool prevMatch = false;
        for (const auto& s : segs) {
            if (s.match && prevMatch && !res.empty())
                res.back().e = s.e;
            else
                res.push_back(s);
            prevMatch = s.match;
        }
        break;
    }
    case SplitBehavior::MergedWithPrevious: {
        bool prevMatch = false;
        for (const auto& s : segs) {
            if (s.match && !prevMatch && !res.empty())
                res.back().e = s.e;
            else
                res.push_back(s);
            prevMatch = s.match;
        }
        break;
    }
    case SplitBehavior::MergedWithNext: {
        bool prevMatch = false;
        for (auto it = segs.rbegin(); it != segs.rend(); ++it) {
            if (it->match && !prevMatch && !res.empty())
                res.back().b = it->b;
            else
                res.push_back(*it);
            prevMatch = it->match;
        }
        std::reverse(res.begin(), res.end());
        break;
    }
    }
    for (const auto& s : res)
        if (s.e > s.b) out.push_back(Piece{p.text.substr(s.b, s.e - s.b), p.atStart && s.b == 0});
}

void segmentsFromMatches(const std::string& text, const std::vector<std::pair<std::size_t, std::size_t>>& m,
                         std::vector<Seg>& segs) {
    segs.clear();
    std::size_t prev = 0;
    for (auto [b, e] : m) {
        if (prev != b) segs.push_back({prev, b, false});
        segs.push_back({b, e, true});
        prev = e;
    }
    if (prev != text.size()) segs.push_back({prev, text.size(), false});
}

void segmentsFromPredicate(const std::string& text, const std::function<bool(char32_t)>& pred,
                           std::vector<Seg>& segs) {
    segs.clear();
    std::size_t last = 0, i = 0;
    while (i < text.size()) {
        const std::size_t b = i;
        const char32_t c = nextCodePoint(text, i);
        if (pred(c)) {
            if (last < b) segs.push_back({last, b, false});
            segs.push_back({b, i, true});
            last = i;
        }
    }
    if (last < text.size()) segs.push_back({last, text.size(), false});
}

void splitByPredicate(std::vector<Piece>& pieces, const std::function<bool(char32_t)>& pred,
                      SplitBehavior behavior) {
    std::vector<Piece> out;
    std::vector<Seg> segs;
    for (const auto& p : pieces) {
        segmentsFromPredicate(p.text, pred, segs);
        emitSegments(p, segs, behavior, false, out);
    }
    pieces.swap(out);
}

SplitBehavior parseBehavior(const std::string& s) {
    if (s == "Removed") return SplitBehavior::Removed;
    if (s == "Isolated") return SplitBehavior::Isolated;
    if (s == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
    if (s == "MergedWithNext") return SplitBehavior::MergedWithNext;
    if (s == "Contiguous") return SplitBehavior::Contiguous;
    throw Error("tokenizer.json: unknown split behavior '" + s + "'");
}

class SplitPre : public PreTokenizer {
public:
    SplitPre(std::unique_ptr<Regex> re, SplitBehavior b, bool invert)
        : re_(std::move(re))
        , b_(b)
        , invert_(invert) {}
    void split(std::vector<Piece>& pieces) const override { splitPieces(pieces, *re_, b_, invert_); }
    const Regex* isolatedRegex() const override {
        return b_ == SplitBehavior::Isolated && !invert_ ? re_.get() : nullptr;
    }

private:
    std::unique_ptr<Regex> re_;
    SplitBehavior b_;
    bool invert_;
};

class ByteLevelPre : public PreTokenizer {
public:
    ByteLevelPre(bool prefixSpace, bool useRegex)
        : prefix_(prefixSpace) {
        if (useRegex) re_ = std::make_unique<Regex>(kGpt2Pattern);
    }
    void deferMapping() { map_ = false; }
    bool isIdentity() const override { return !prefix_ && !re_ && !map_; }
    const Regex* isolatedRegex() const override { return !prefix_ && !map_ ? re_.get() : nullptr; }
    void split(std::vector<Piece>& pieces) const override {
        if (prefix_)
            for (auto& p : pieces)
                if (p.text.empty() || p.text[0] != ' ') prependTo(p.text, " ");
        if (re_) splitPieces(pieces, *re_, SplitBehavior::Isolated, false);
        if (map_)
            for (auto& p : pieces) p.text = bytesToByteLevel(p.text);
    }

private:
    bool prefix_;
    bool map_ = true;
    std::unique_ptr<Regex> re_;
};

class MetaspacePre : public PreTokenizer {
public:
    MetaspacePre(std::string rep, int scheme, bool split)
        : rep_(std::move(rep))
        , scheme_(scheme)
        , split_(split) {
        std::size_t i = 0;
        repChar_ = rep_.empty() ? U'\x2581' : nextCodePoint(rep_, i);
    }
    void split(std::vector<Piece>& pieces) const override {
        for (auto& p : pieces) {
            p.text = replaceAll(p.text, " ", nullptr, rep_);
            const bool startsRep = p.text.compare(0, rep_.size(), rep_) == 0;
            if ((scheme_ == 0 && !startsRep) || (scheme_ == 1 && !startsRep && p.atStart))
                prependTo(p.text, rep_);
        }
        if (split_) {
            const char32_t rc = repChar_;
            splitByPredicate(
                pieces, [rc](char32_t c) { return c == rc; }, SplitBehavior::MergedWithNext);
        }
    }

private:
    std::string rep_;
    char32_t repChar_;
    int scheme_; // 0 always, 1 first, 2 never
    bool split_;
};

class PredicatePre : public PreTokenizer {
public:
    PredicatePre(std::function<bool(char32_t)> pred, SplitBehavior b)
        : pred_(std::move(pred))
        , b_(b) {}
    void split(std::vector<Piece>& pieces) const override { splitByPredicate(pieces, pred_, b_); }

private:
    std::function<bool(char32_t)> pred_;
    SplitBehavior b_;
};

class BertPre : public PreTokenizer {
public:
    void split(std::vector<Piece>& pieces) const override {
        splitByPredicate(pieces, isWhitespace, SplitBehavior::Removed);
        splitByPredicate(pieces, isPunctuation, SplitBehavior::Isolated);
    }
};

class SequencePre : public PreTokenizer {
public:
    explicit SequencePre(std::vector<std::unique_ptr<PreTokenizer>> v)
        : items_(std::move(v)) {}
    void split(std::vector<Piece>& pieces) const override {
        for (const auto& p : items_) p->split(pieces);
    }
    const Regex* isolatedRegex() const override {
        const Regex* re = nullptr;
        for (const auto& p : items_) {
            if (p->isIdentity()) continue;
            if (re) return nullptr;
            re = p->isolatedRegex();
            if (!re) return nullptr;
        }
        return re;
    }

private:
    std::vector<std::unique_ptr<PreTokenizer>> items_;
};

class MultiRegexPre : public PreTokenizer {
public:
    explicit MultiRegexPre(const std::vector<std::string>& patterns) {
        for (const auto& p : patterns) res_.push_back(std::make_unique<Regex>(p));
    }
    void split(std::vector<Piece>& pieces) const override {
        for (const auto& re : res_) splitPieces(pieces, *re, SplitBehavior::Isolated, false);
    }
    const Regex* isolatedRegex() const override { return res_.size() == 1 ? res_[0].get() : nullptr; }

private:
    std::vector<std::unique_ptr<Regex>> res_;
};

std::unique_ptr<PreTokenizer> build(const Json& j, bool last, bool* deferred) {
    const std::string type = jsonString(j, "type", "pre_tokenizer");
    if (type == "Split") {
        auto [literal, re] = parsePattern(j, "Split pre-tokenizer");
        if (!re) re = std::make_unique<Regex>(regexEscape(literal));
        return std::make_unique<SplitPre>(std::move(re), parseBehavior(jsonString(j, "behavior", "Split")),
                                          jsonBool(j, "invert", false));
    }
    if (type == "ByteLevel") {
        auto p = std::make_unique<ByteLevelPre>(jsonBool(j, "add_prefix_space", true),
                                                jsonBool(j, "use_regex", true));
        if (last && deferred) {
            p->deferMapping();
            *deferred = true;
        }
        return p;
    }
    if (type == "Metaspace") {
        int scheme = 0;
        if (j.contains("prepend_scheme") && j["prepend_scheme"].is_string()) {
            const std::string s = j["prepend_scheme"].get<std::string>();
            scheme = s == "always" ? 0 : s == "first" ? 1 : s == "never" ? 2 : -1;
            if (scheme < 0) throw Error("tokenizer.json: unknown Metaspace prepend_scheme '" + s + "'");
        } else if (!jsonBool(j, "add_prefix_space", true)) {
            scheme = 2;
        }
        return std::make_unique<MetaspacePre>(jsonStringOr(j, "replacement", "\xE2\x96\x81"), scheme,
                                              jsonBool(j, "split", true));
    }
    if (type == "Digits") {
        const bool individual = jsonBool(j, "individual_digits", false);
        return std::make_unique<PredicatePre>([](char32_t c) { return isNumber(c); },
                                              individual ? SplitBehavior::Isolated
                                                         : SplitBehavior::Contiguous);
    }
    if (type == "Punctuation")
        return std::make_unique<PredicatePre>(isPunctuation,
                                              parseBehavior(jsonStringOr(j, "behavior", "Isolated")));
    if (type == "WhitespaceSplit")
        return std::make_unique<PredicatePre>(isWhitespace, SplitBehavior::Removed);
    if (type == "Whitespace")
        return std::make_unique<SplitPre>(std::make_unique<Regex>(R"(\w+|[^\w\s]+)"), SplitBehavior::Removed,
                                          true);
    if (type == "BertPreTokenizer") return std::make_unique<BertPre>();
    if (type == "Sequence") {
        const Json& arr = jsonArray(j, "pretokenizers", "Sequence pre-tokenizer");
        std::vector<std::unique_ptr<PreTokenizer>> v;
        for (std::size_t i = 0; i < arr.size(); ++i)
            v.push_back(build(arr[i], last && i + 1 == arr.size(), deferred));
        return std::make_unique<SequencePre>(std::move(v));
    }
    throw Error("tokenizer.json: unsupported pre_tokenizer type '" + type + "'");
}

} // namespace

void splitPieces(std::vector<Piece>& pieces, const Regex& re, SplitBehavior behavior, bool invert) {
    std::vector<Piece> out;
    out.reserve(pieces.size() * 4);
    std::vector<std::pair<std::size_t, std::size_t>> m;
    std::vector<Seg> segs;
    for (const auto& p : pieces) {
        m.clear();
        re.findAll(p.text, m);
        if (behavior == SplitBehavior::Isolated && !invert) {
            std::size_t prev = 0;
            for (auto [b, e] : m) {
                if (prev != b) out.push_back(Piece{p.text.substr(prev, b - prev), p.atStart && prev == 0});
                out.push_back(Piece{p.text.substr(b, e - b), p.atStart && b == 0});
                prev = e;
            }
            if (prev != p.text.size()) out.push_back(Piece{p.text.substr(prev), p.atStart && prev == 0});
            continue;
        }
        segmentsFromMatches(p.text, m, segs);
        emitSegments(p, segs, behavior, invert, out);
    }
    pieces.swap(out);
}

std::unique_ptr<PreTokenizer> makePreTokenizer(const Json& j, bool* byteLevelDeferred) {
    if (j.is_null()) return nullptr;
    return build(j, true, byteLevelDeferred);
}

std::unique_ptr<PreTokenizer> makeRegexSplitter(const std::vector<std::string>& patterns) {
    return std::make_unique<MultiRegexPre>(patterns);
}

} // namespace hone::tok
