// Added-token matching (HF AddedVocabulary::find_matches semantics, without an Aho-Corasick automaton: the
// candidates are bucketed by first byte and tried longest first, which is leftmost-longest).
#include "tokenizer/added_vocabulary.h"

#include "tokenizer/unicode.h"

#include <algorithm>

namespace hone::tok {

void AddedVocabulary::add(AddedToken t) {
    const auto it = byContent_.find(t.content);
    if (it != byContent_.end()) {
        tokens_[it->second] = t; // a later entry with the same content replaces the earlier one
        byId_[t.id] = it->second;
        return;
    }
    byContent_.emplace(t.content, tokens_.size());
    byId_[t.id] = tokens_.size();
    tokens_.push_back(std::move(t));
}

void AddedVocabulary::build(const Normalizer* norm) {
    rawPatterns_.assign(256, {});
    normPatterns_.clear();
    std::vector<std::vector<Pattern>> normP(256);
    bool anyNorm = false;
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
        const AddedToken& t = tokens_[i];
        if (t.content.empty()) continue;
        if (t.normalized) {
            std::string c = t.content;
            if (norm) norm->normalize(c);
            if (c.empty()) continue;
            normP[static_cast<unsigned char>(c[0])].push_back(Pattern{c, i});
            anyNorm = true;
        } else {
            rawPatterns_[static_cast<unsigned char>(t.content[0])].push_back(Pattern{t.content, i});
        }
    }
    auto sortLongest = [](std::vector<std::vector<Pattern>>& v) {
        for (auto& b : v)
            std::stable_sort(b.begin(), b.end(), [](const Pattern& a, const Pattern& c) {
                return a.text.size() > c.text.size();
            });
    };
    sortLongest(rawPatterns_);
    if (anyNorm) {
        sortLongest(normP);
        normPatterns_ = std::move(normP);
    }
}

const AddedToken* AddedVocabulary::byId(int32_t id) const {
    const auto it = byId_.find(id);
    return it == byId_.end() ? nullptr : &tokens_[it->second];
}

const AddedToken* AddedVocabulary::byContent(std::string_view content) const {
    const auto it = byContent_.find(std::string(content));
    return it == byContent_.end() ? nullptr : &tokens_[it->second];
}

namespace {
// Rust regex's \w (HF checks single_word with it): Alphabetic, Mark, Decimal_Number, Connector_Punctuation,
// Join_Control.
bool isWordChar(char32_t c) {
    return isRegexWordChar(c);
}

char32_t lastChar(std::string_view s) {
    std::size_t st = s.size() - 1;
    while (st > 0 && (static_cast<unsigned char>(s[st]) & 0xC0) == 0x80) --st;
    return nextCodePoint(s, st);
}
} // namespace

bool AddedVocabulary::find(std::string_view s, const std::vector<std::vector<Pattern>>& pats,
                           bool parseSpecial, std::vector<Span>& out) const {
    std::size_t startOffset = 0, pos = 0;
    const std::size_t first = out.size();
    while (pos < s.size()) {
        const auto& bucket = pats[static_cast<unsigned char>(s[pos])];
        if (bucket.empty()) {
            ++pos;
            continue;
        }
        const Pattern* hit = nullptr;
        for (const auto& p : bucket)
            if (s.compare(pos, p.text.size(), p.text) == 0) {
                hit = &p;
                break;
            }
        if (!hit) {
            ++pos;
            continue;
        }
        std::size_t start = pos, stop = pos + hit->text.size();
        pos = stop;
        const AddedToken& t = tokens_[hit->token];
        if (!parseSpecial && t.special) continue;
        if (t.singleWord) {
            const bool startOk = start == 0 || !isWordChar(lastChar(s.substr(0, start)));
            std::size_t k = stop;
            const bool stopOk = stop == s.size() || !isWordChar(nextCodePoint(s, k));
            if (!startOk || !stopOk) continue;
        }
        if (t.lstrip) {
            std::size_t ns = start;
            while (ns > 0) {
                std::size_t st = ns - 1;
                while (st > 0 && (static_cast<unsigned char>(s[st]) & 0xC0) == 0x80) --st;
                std::size_t k = st;
                if (!isWhitespace(nextCodePoint(s, k))) break;
                ns = st;
            }
            start = std::max(ns, startOffset);
        }
        if (t.rstrip) {
            while (stop < s.size()) {
                std::size_t k = stop;
                if (!isWhitespace(nextCodePoint(s, k))) break;
                stop = k;
            }
        }
        if (startOffset < start) out.push_back(Span{-1, startOffset, start});
        out.push_back(Span{t.id, start, stop});
        startOffset = stop;
    }
    if (out.size() == first) return false;
    if (startOffset < s.size()) out.push_back(Span{-1, startOffset, s.size()});
    return true;
}

bool AddedVocabulary::findRaw(std::string_view s, bool parseSpecial, std::vector<Span>& out) const {
    out.clear();
    if (rawPatterns_.empty()) return false;
    return find(s, rawPatterns_, parseSpecial, out);
}

void AddedVocabulary::split(std::vector<Segment>& segs, bool normalizedPass, bool parseSpecial) const {
    const auto& pats = normalizedPass ? normPatterns_ : rawPatterns_;
    if (pats.empty()) return;
    std::vector<Segment> out;
    out.reserve(segs.size() + 4);
    for (auto& s : segs) {
        if (s.id >= 0 || s.text.empty()) {
            out.push_back(std::move(s));
            continue;
        }
        std::vector<Span> spans;
        if (!find(s.text, pats, parseSpecial, spans)) {
            out.push_back(std::move(s));
            continue;
        }
        for (const auto& sp : spans)
            out.push_back(sp.id >= 0 ? Segment{sp.id, std::string(), false}
                                     : Segment{-1, s.text.substr(sp.b, sp.e - sp.b), s.atStart && sp.b == 0});
    }
    segs.swap(out);
}

} // namespace hone::tok
