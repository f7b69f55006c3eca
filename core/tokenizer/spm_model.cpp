// llama.cpp SPM tokenizer (llm_tokenizer_spm semantics).
#include "tokenizer/spm_model.h"

#include "common/error.h"
#include "tokenizer/unicode.h"

#include <cstdio>
#include <queue>

namespace hone::tok {

SpmModel::SpmModel(std::vector<std::string> tokens, std::vector<float> scores, int32_t unkId)
    : tokens_(std::move(tokens))
    , scores_(std::move(scores))
    , unkId_(unkId) {
    scores_.resize(tokens_.size(), 0.0f);
    index_.reserve(tokens_.size() * 2);
    for (std::size_t i = 0; i < tokens_.size(); ++i) index_.emplace(tokens_[i], static_cast<int32_t>(i));
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        int32_t id = tokenToId(name);
        if (id < 0) id = tokenToId(std::string(1, static_cast<char>(b)));
        byteIds_[b] = id >= 0 ? id : unkId_;
    }
}

const std::string* SpmModel::idToToken(int32_t id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= tokens_.size()) return nullptr;
    return &tokens_[id];
}

int32_t SpmModel::tokenToId(std::string_view token) const {
    const auto it = index_.find(token);
    return it == index_.end() ? -1 : it->second;
}

void SpmModel::tokenize(std::string_view text, std::vector<int32_t>& out, ModelCache*) const {
    struct Sym {
        int prev, next;
        std::size_t off, n;
    };
    struct Bigram {
        int left, right;
        float score;
        std::size_t size;
    };
    struct Cmp {
        bool operator()(const Bigram& l, const Bigram& r) const {
            return l.score < r.score || (l.score == r.score && l.left > r.left);
        }
    };
    std::vector<Sym> syms;
    for (std::size_t off = 0; off < text.size();) {
        const std::size_t n = std::min(utf8Len(static_cast<unsigned char>(text[off])), text.size() - off);
        const int idx = static_cast<int>(syms.size());
        syms.push_back(Sym{idx - 1, off + n == text.size() ? -1 : idx + 1, off, n});
        off += n;
    }
    std::priority_queue<Bigram, std::vector<Bigram>, Cmp> q;
    auto tryAdd = [&](int l, int r) {
        if (l < 0 || r < 0) return;
        const std::string_view s = text.substr(syms[l].off, syms[l].n + syms[r].n);
        const int32_t id = tokenToId(s);
        if (id < 0) return;
        q.push(Bigram{l, r, scores_[id], s.size()});
    };
    for (int i = 1; i < static_cast<int>(syms.size()); ++i) tryAdd(i - 1, i);
    while (!q.empty()) {
        const Bigram b = q.top();
        q.pop();
        Sym& L = syms[b.left];
        Sym& R = syms[b.right];
        if (L.n == 0 || R.n == 0 || L.n + R.n != b.size) continue;
        L.n += R.n;
        R.n = 0;
        L.next = R.next;
        if (R.next >= 0) syms[R.next].prev = b.left;
        tryAdd(L.prev, b.left);
        tryAdd(b.left, L.next);
    }
    // A final piece is always a token (only token strings are ever merged) or a single character that is not:
    // the latter falls back to <0xNN> byte tokens. (llama.cpp's rev_merge re-segmentation never triggers.)
    if (syms.empty()) return;
    for (int i = 0; i != -1; i = syms[i].next) {
        const std::string_view s = text.substr(syms[i].off, syms[i].n);
        const int32_t id = tokenToId(s);
        if (id >= 0) {
            out.push_back(id);
            continue;
        }
        for (char c : s) {
            const int32_t bid = byteIds_[static_cast<unsigned char>(c)];
            if (bid >= 0) out.push_back(bid);
        }
    }
}

} // namespace hone::tok
