// Vocabulary byte strings and their preorder trie.
#include "constrain/token_vocab.h"

#include "common/error.h"
#include "tokenizer/tokenizer_impl.h"

#include <algorithm>
#include <limits>

namespace hone::constrain {

namespace {

// Sorted strings give the trie in preorder: each string shares its longest common prefix with the previous
// one and opens new nodes for the rest.
TokenVocab::Trie buildTrie(const std::vector<std::optional<std::string>>& bytes,
                           const std::vector<std::int32_t>& sorted) {
    TokenVocab::Trie t;
    t.nodes.push_back(TokenVocab::TrieNode{});
    std::vector<std::int32_t> path{0};
    const std::string* prev = nullptr;
    for (const std::int32_t id : sorted) {
        const std::string& s = *bytes[static_cast<std::size_t>(id)];
        std::size_t lcp = 0;
        if (prev)
            while (lcp < s.size() && lcp < prev->size() && s[lcp] == (*prev)[lcp]) ++lcp;
        while (path.size() - 1 > lcp) {
            t.nodes[static_cast<std::size_t>(path.back())].end = static_cast<std::int32_t>(t.nodes.size());
            path.pop_back();
        }
        for (std::size_t k = lcp; k < s.size(); ++k) {
            TokenVocab::TrieNode n;
            n.byte = static_cast<std::uint8_t>(s[k]);
            n.depth = static_cast<std::uint16_t>(k + 1);
            n.idsBegin = n.idsEnd = static_cast<std::int32_t>(t.ids.size());
            path.push_back(static_cast<std::int32_t>(t.nodes.size()));
            t.nodes.push_back(n);
        }
        TokenVocab::TrieNode& last = t.nodes[static_cast<std::size_t>(path.back())];
        if (last.idsBegin == last.idsEnd) last.idsBegin = static_cast<std::int32_t>(t.ids.size());
        t.ids.push_back(id);
        last.idsEnd = static_cast<std::int32_t>(t.ids.size());
        prev = &s;
    }
    for (const std::int32_t n : path)
        t.nodes[static_cast<std::size_t>(n)].end = static_cast<std::int32_t>(t.nodes.size());
    return t;
}

} // namespace

TokenVocab::TokenVocab(std::vector<std::optional<std::string>> bytes)
    : bytes_(std::move(bytes)) {
    if (bytes_.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        throw Error("vocabulary too large for constrained decoding");
    std::vector<std::int32_t> order;
    for (std::size_t i = 0; i < bytes_.size(); ++i) {
        auto& b = bytes_[i];
        if (b && b->empty()) b.reset();
        if (!b) continue;
        if (b->size() > std::numeric_limits<std::uint16_t>::max())
            throw Error("token " + std::to_string(i) +
                        " is longer than 65535 bytes; the vocabulary is corrupt");
        order.push_back(static_cast<std::int32_t>(i));
        maxLen_ = std::max(maxLen_, b->size());
    }
    std::sort(order.begin(), order.end(), [&](std::int32_t x, std::int32_t y) {
        const auto& sx = *bytes_[static_cast<std::size_t>(x)];
        const auto& sy = *bytes_[static_cast<std::size_t>(y)];
        return sx != sy ? sx < sy : x < y;
    });
    std::vector<std::int32_t> quoted;
    for (const std::int32_t id : order) {
        if (bytes_[static_cast<std::size_t>(id)]->find_first_of("\"\\") != std::string::npos) {
            quoted.push_back(id);
        } else {
            plain_.push_back(id);
        }
    }
    all_ = buildTrie(bytes_, order);
    quote_ = buildTrie(bytes_, quoted);
}

TokenVocab TokenVocab::fromTokenizer(const tok::Tokenizer& tokenizer) {
    std::vector<std::optional<std::string>> bytes(tokenizer.vocabSize());
    const auto& added = tokenizer.impl()->added;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto id = static_cast<std::int32_t>(i);
        if (tokenizer.isSpecial(id) || added.byId(id)) continue;
        bytes[i] = tokenizer.tokenBytes(id);
    }
    return TokenVocab(std::move(bytes));
}

const std::string* TokenVocab::bytes(std::int32_t id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= bytes_.size()) return nullptr;
    const auto& b = bytes_[static_cast<std::size_t>(id)];
    return b ? &*b : nullptr;
}

} // namespace hone::constrain
