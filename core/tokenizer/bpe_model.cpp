// BPE model: vocab index, open-addressing merge table, heap-free merge loop for short words and a binary heap
// for long ones, and a per-call word cache.
#include "tokenizer/bpe_model.h"

#include "common/error.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/unicode.h"
#include "tokenizer/word_cache.h"

#include <algorithm>
#include <cstdio>
#include <queue>
#include <thread>

namespace hone::tok {

namespace {
inline uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}
inline uint64_t pairKey(int32_t a, int32_t b) {
    return ((uint64_t(uint32_t(a)) << 32) | uint32_t(b)) + 1; // +1 so that no valid key is 0
}

} // namespace

BpeModel::BpeModel(std::vector<std::string> vocab,
                   const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions opts)
    : vocab_(std::move(vocab))
    , opts_(std::move(opts)) {
    index_.build(vocab_);
    if (opts_.unkToken) {
        unkId_ = tokenToId(*opts_.unkToken);
        // HF only fails when the unknown token is actually needed; keep -1 = drop.
    }
    // Resolve merge strings to ids (hash lookups dominate loading; done on a few threads), then fill the
    // table.
    struct Resolved {
        int32_t a, b, merged;
    };
    std::vector<Resolved> res(merges.size());
    const std::size_t plen = opts_.continuingSubwordPrefix.size();
    auto resolve = [&](std::size_t from, std::size_t to) {
        std::string merged;
        for (std::size_t r = from; r < to; ++r) {
            const auto& [a, b] = merges[r];
            merged = a;
            if (plen && b.compare(0, plen, opts_.continuingSubwordPrefix) == 0)
                merged.append(b, plen, std::string::npos);
            else
                merged += b;
            res[r] = Resolved{tokenToId(a), tokenToId(b), tokenToId(merged)};
        }
    };
    const unsigned nThreads =
        merges.size() < 20000 ? 1u : std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
    if (nThreads == 1) {
        resolve(0, merges.size());
    } else {
        std::vector<std::thread> pool;
        const std::size_t per = (merges.size() + nThreads - 1) / nThreads;
        for (unsigned t = 0; t < nThreads; ++t)
            pool.emplace_back(resolve, std::min(merges.size(), t * per),
                              std::min(merges.size(), (t + 1) * per));
        for (auto& th : pool) th.join();
    }
    std::size_t cap = 16;
    while (cap < merges.size() + merges.size() / 2 + 16) cap <<= 1;
    mergeTable_.assign(cap, MergeEntry{0, 0, 0});
    mergeMask_ = cap - 1;
    for (std::size_t r = 0; r < merges.size(); ++r) {
        const auto& [a, b] = merges[r];
        const Resolved& m = res[r];
        if ((m.a < 0 || m.b < 0 || m.merged < 0) && opts_.skipInvalidMerges) continue;
        if (m.a < 0 || m.b < 0)
            throw Error("tokenizer.json: merge #" + std::to_string(r) + " '" + a + " " + b +
                        "' names a token that is not in the vocabulary");
        if (m.merged < 0)
            throw Error("tokenizer.json: merge #" + std::to_string(r) + " '" + a + " " + b +
                        "' produces a token that is not in the vocabulary");
        const uint64_t key = pairKey(m.a, m.b);
        for (uint64_t h = mix(key) & mergeMask_;; h = (h + 1) & mergeMask_) {
            auto& e = mergeTable_[h];
            if (e.key == key) break; // duplicate merge: the first (lowest rank) wins
            if (e.key == 0) {
                e = MergeEntry{key, static_cast<int32_t>(r), m.merged};
                break;
            }
        }
    }
    byteIdComplete_ = true;
    for (int b = 0; b < 256; ++b) {
        if (opts_.byteLevelInput) {
            byteId_[b] = tokenToId(byteToChar(static_cast<unsigned char>(b)));
        } else {
            char name[8];
            std::snprintf(name, sizeof name, "<0x%02X>", b);
            byteId_[b] = opts_.byteFallback ? tokenToId(name) : -1;
        }
        if (byteId_[b] < 0) byteIdComplete_ = false;
    }
}

const BpeModel::MergeEntry* BpeModel::findMerge(int32_t a, int32_t b) const {
    const uint64_t key = pairKey(a, b);
    for (uint64_t h = mix(key) & mergeMask_;; h = (h + 1) & mergeMask_) {
        const auto& e = mergeTable_[h];
        if (e.key == key) return &e;
        if (e.key == 0) return nullptr;
    }
}

const std::string* BpeModel::idToToken(int32_t id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= vocab_.size() || vocab_[id].empty()) return nullptr;
    return &vocab_[id];
}

int32_t BpeModel::tokenToId(std::string_view token) const {
    return index_.find(token);
}

std::unique_ptr<ModelCache> BpeModel::makeCache() const {
    return std::make_unique<WordCache>();
}

void BpeModel::initialSymbols(std::string_view word, std::vector<int32_t>& syms) const {
    syms.clear();
    if (opts_.byteLevelInput && opts_.continuingSubwordPrefix.empty() && opts_.endOfWordSuffix.empty()) {
        for (char c : word) {
            const int32_t id = byteId_[static_cast<unsigned char>(c)];
            if (id >= 0) {
                syms.push_back(id);
            } else if (unkId_ >= 0) {
                if (!(opts_.fuseUnk && !syms.empty() && syms.back() == unkId_)) syms.push_back(unkId_);
            }
        }
        return;
    }
    std::size_t i = 0;
    std::string tmp;
    bool first = true;
    while (i < word.size()) {
        const std::size_t b = i;
        if (opts_.byteLevelInput)
            ++i;
        else
            i += std::min(utf8Len(static_cast<unsigned char>(word[i])), word.size() - i);
        std::string_view ch = word.substr(b, i - b);
        std::string mapped;
        if (opts_.byteLevelInput) {
            mapped = byteToChar(static_cast<unsigned char>(word[b]));
            ch = mapped;
        }
        int32_t id;
        if (opts_.continuingSubwordPrefix.empty() && opts_.endOfWordSuffix.empty()) {
            id = tokenToId(ch);
        } else {
            tmp.clear();
            if (!first) tmp += opts_.continuingSubwordPrefix;
            tmp.append(ch);
            if (i >= word.size()) tmp += opts_.endOfWordSuffix;
            id = tokenToId(tmp);
        }
        first = false;
        if (id >= 0) {
            syms.push_back(id);
            continue;
        }
        if (opts_.byteFallback && !opts_.byteLevelInput) {
            bool all = true;
            for (char c : ch)
                if (byteId_[static_cast<unsigned char>(c)] < 0) all = false;
            if (all) {
                for (char c : ch) syms.push_back(byteId_[static_cast<unsigned char>(c)]);
                continue;
            }
        }
        if (unkId_ >= 0) {
            if (!(opts_.fuseUnk && !syms.empty() && syms.back() == unkId_)) syms.push_back(unkId_);
        }
    }
}

void BpeModel::merge(std::vector<int32_t>& syms) const {
    const std::size_t n = syms.size();
    if (n < 2) return;
    if (n <= 48) {
        // Quadratic scan: for short words faster than a heap, and identical order (lowest rank, leftmost).
        std::size_t len = n;
        for (;;) {
            int32_t bestRank = INT32_MAX, bestId = -1;
            std::size_t bestPos = 0;
            for (std::size_t k = 0; k + 1 < len; ++k) {
                const MergeEntry* m = findMerge(syms[k], syms[k + 1]);
                if (m && m->rank < bestRank) {
                    bestRank = m->rank;
                    bestId = m->newId;
                    bestPos = k;
                }
            }
            if (bestId < 0) break;
            syms[bestPos] = bestId;
            syms.erase(syms.begin() + static_cast<std::ptrdiff_t>(bestPos) + 1);
            --len;
        }
        return;
    }
    // Linked list + binary heap (HF's Word::merge_all).
    struct Sym {
        int32_t id;
        int32_t prev, next;
        bool alive;
    };
    std::vector<Sym> s(n);
    for (std::size_t k = 0; k < n; ++k)
        s[k] = Sym{syms[k], static_cast<int32_t>(k) - 1, k + 1 < n ? static_cast<int32_t>(k + 1) : -1, true};
    struct Cand {
        int32_t rank, pos, newId;
        bool operator>(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Cand, std::vector<Cand>, std::greater<Cand>> q;
    for (std::size_t k = 0; k + 1 < n; ++k)
        if (const MergeEntry* m = findMerge(s[k].id, s[k + 1].id))
            q.push(Cand{m->rank, static_cast<int32_t>(k), m->newId});
    while (!q.empty()) {
        const Cand c = q.top();
        q.pop();
        Sym& L = s[c.pos];
        if (!L.alive || L.next < 0) continue;
        Sym& R = s[L.next];
        const MergeEntry* m = findMerge(L.id, R.id);
        if (!m || m->newId != c.newId) continue;
        L.id = c.newId;
        R.alive = false;
        L.next = R.next;
        if (R.next >= 0) s[R.next].prev = c.pos;
        if (L.prev >= 0)
            if (const MergeEntry* pm = findMerge(s[L.prev].id, L.id))
                q.push(Cand{pm->rank, L.prev, pm->newId});
        if (L.next >= 0)
            if (const MergeEntry* nm = findMerge(L.id, s[L.next].id))
                q.push(Cand{nm->rank, c.pos, nm->newId});
    }
    syms.clear();
    for (int32_t k = 0; k >= 0; k = s[k].next) syms.push_back(s[k].id);
}

void BpeModel::tokenize(std::string_view word, std::vector<int32_t>& out, ModelCache* cache) const {
    if (word.empty()) return;
    auto* wc = static_cast<WordCache*>(cache);
    if (wc && wc->get(word, out)) return;
    std::vector<int32_t> local;
    std::vector<int32_t>& syms = wc ? wc->scratch : local;
    syms.clear();
    if (opts_.ignoreMerges) {
        const int32_t id = opts_.byteLevelInput ? tokenToId(bytesToByteLevel(word)) : tokenToId(word);
        if (id >= 0) syms.push_back(id);
    }
    if (syms.empty()) {
        initialSymbols(word, syms);
        merge(syms);
    }
    out.insert(out.end(), syms.begin(), syms.end());
    if (wc) wc->put(word, syms.data(), syms.size());
}

} // namespace hone::tok
