// Vocabulary byte strings and their preorder trie.
#include "constrain/token_vocab.h"

#include "common/error.h"
#include "tokenizer/tokenizer_impl.h"

#include <algorithm>
#include <limits>

namespace hone::constrain {

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
    std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
        const auto& sa = *bytes_[static_cast<std::size_t>(a)];
        const auto& sb = *bytes_[static_cast<std::size_t>(b)];
        return sa != sb ? sa < sb : a < b;
    });
    // Sorted strings give the trie in preorder: each string shares its longest common prefix with the
    // previous one and opens new nodes for the rest.
    trie_.push_back(TrieNode{});
    std::vector<std::int32_t> path{0};
    const std::string* prev = nullptr;
    for (const std::int32_t id : order) {
        const std::string& s = *bytes_[static_cast<std::size_t>(id)];
        std::size_t lcp = 0;
        if (prev)
            while (lcp < s.size() && lcp < prev->size() && s[lcp] == (*prev)[lcp]) ++lcp;
        while (path.size() - 1 > lcp) {
            trie_[static_cast<std::size_t>(path.back())].end = static_cast<std::int32_t>(trie_.size());
            path.pop_back();
        }
        for (std::size_t k = lcp; k < s.size(); ++k) {
            TrieNode n;
            n.byte = static_cast<std::uint8_t>(s[k]);
            n.depth = static_cast<std::uint16_t>(k + 1);
            n.idsBegin = n.idsEnd = static_cast<std::int32_t>(ids_.size());
            path.push_back(static_cast<std::int32_t>(trie_.size()));
            trie_.push_back(n);
        }
        TrieNode& last = trie_[static_cast<std::size_t>(path.back())];
        if (last.idsBegin == last.idsEnd) last.idsBegin = static_cast<std::int32_t>(ids_.size());
        ids_.push_back(id);
        last.idsEnd = static_cast<std::int32_t>(ids_.size());
        prev = &s;
    }
    for (const std::int32_t n : path)
        trie_[static_cast<std::size_t>(n)].end = static_cast<std::int32_t>(trie_.size());
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
