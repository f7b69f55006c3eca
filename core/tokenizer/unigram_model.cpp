// Unigram model: forward Viterbi over byte positions with hash lookups of candidate pieces.
#include "tokenizer/unigram_model.h"

#include "common/error.h"
#include "tokenizer/json_util.h"
#include "tokenizer/unicode.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace hone::tok {

UnigramModel::UnigramModel(std::vector<std::pair<std::string, double>> pieces, int32_t unkId,
                           bool byteFallback)
    : pieces_(std::move(pieces))
    , unkId_(unkId)
    , byteFallback_(byteFallback) {
    index_.reserve(pieces_.size() * 2);
    minScore_ = std::numeric_limits<double>::max();
    for (std::size_t i = 0; i < pieces_.size(); ++i) {
        index_.emplace(pieces_[i].first, static_cast<int32_t>(i));
        minScore_ = std::min(minScore_, pieces_[i].second);
        maxLen_ = std::max(maxLen_, pieces_[i].first.size());
    }
    if (pieces_.empty()) minScore_ = 0.0;
    if (unkId_ >= static_cast<int32_t>(pieces_.size()))
        throw Error("tokenizer.json: Unigram unk_id " + std::to_string(unkId_) +
                    " is outside the vocabulary");
}

const std::string* UnigramModel::idToToken(int32_t id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= pieces_.size()) return nullptr;
    return &pieces_[id].first;
}

int32_t UnigramModel::tokenToId(std::string_view token) const {
    const auto it = index_.find(token);
    return it == index_.end() ? -1 : it->second;
}

void UnigramModel::tokenize(std::string_view s, std::vector<int32_t>& out, ModelCache*) const {
    const std::size_t n = s.size();
    if (n == 0) return;
    constexpr double kNone = -std::numeric_limits<double>::infinity();
    std::vector<double> best(n + 1, kNone);
    std::vector<std::size_t> from(n + 1, 0);
    std::vector<int32_t> via(n + 1, -1);
    best[0] = 0.0;
    const double unkScore = minScore_ - 10.0;
    for (std::size_t b = 0; b < n;) {
        const std::size_t mb = std::min(utf8Len(static_cast<unsigned char>(s[b])), n - b);
        if (best[b] != kNone) {
            bool single = false;
            for (std::size_t len = 1; len <= maxLen_ && b + len <= n; ++len) {
                const auto it = index_.find(s.substr(b, len));
                if (it == index_.end()) continue;
                if (len == mb) single = true;
                const double sc = best[b] + pieces_[it->second].second;
                if (sc > best[b + len]) {
                    best[b + len] = sc;
                    from[b + len] = b;
                    via[b + len] = it->second;
                }
            }
            if (!single && unkId_ >= 0) {
                const double sc = best[b] + unkScore;
                if (sc > best[b + mb]) {
                    best[b + mb] = sc;
                    from[b + mb] = b;
                    via[b + mb] = -2; // unknown
                }
            }
        }
        b += mb;
    }
    if (best[n] == kNone) {
        if (unkId_ >= 0) out.push_back(unkId_);
        return;
    }
    std::vector<std::pair<std::size_t, int32_t>> path; // (begin, id or -2), reversed
    for (std::size_t e = n; e > 0; e = from[e]) path.emplace_back(from[e], via[e]);
    std::reverse(path.begin(), path.end());
    for (std::size_t k = 0; k < path.size();) {
        if (path[k].second != -2) {
            out.push_back(path[k].second);
            ++k;
            continue;
        }
        std::size_t e = k; // fuse consecutive unknowns
        while (e < path.size() && path[e].second == -2) ++e;
        const std::size_t b0 = path[k].first, b1 = e < path.size() ? path[e].first : n;
        const std::string_view text = s.substr(b0, b1 - b0);
        bool done = false;
        if (byteFallback_) {
            std::vector<int32_t> bytes;
            for (char c : text) {
                char name[8];
                std::snprintf(name, sizeof name, "<0x%02X>", static_cast<unsigned char>(c));
                const int32_t id = tokenToId(name);
                if (id < 0) break;
                bytes.push_back(id);
            }
            if (bytes.size() == text.size()) {
                out.insert(out.end(), bytes.begin(), bytes.end());
                done = true;
            }
        }
        if (!done) out.push_back(unkId_);
        k = e;
    }
}

std::unique_ptr<Model> makeUnigramFromJson(const Json& m, bool /*byteLevel*/) {
    const Json& v = jsonArray(m, "vocab", "Unigram model");
    std::vector<std::pair<std::string, double>> pieces;
    pieces.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        const Json& e = v[i];
        if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number())
            throw Error("tokenizer.json: Unigram vocab entry #" + std::to_string(i) +
                        " is not [piece, score]");
        pieces.emplace_back(e[0].get<std::string>(), e[1].get<double>());
    }
    const long long unk = jsonInt(m, "unk_id", -1);
    return std::make_unique<UnigramModel>(std::move(pieces), static_cast<int32_t>(unk),
                                          jsonBool(m, "byte_fallback", false));
}

} // namespace hone::tok
