// The byte strings of a tokenizer's vocabulary, and a byte trie over them, for computing which tokens a
// grammar state allows without trying every token.
#pragma once

#include "tokenizer/tokenizer.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hone::constrain {

class TokenVocab {
public:
    // bytes[id] is what token id stands for; nullopt (or empty) marks a token never allowed inside JSON.
    explicit TokenVocab(std::vector<std::optional<std::string>> bytes);
    // Every token's bytes (Tokenizer::tokenBytes); special tokens and the other added tokens (chat-format
    // markers such as <tool_call>, which the tokenizer matches as a whole) are excluded.
    static TokenVocab fromTokenizer(const tok::Tokenizer& tokenizer);

    std::size_t size() const { return bytes_.size(); }
    // nullptr for an excluded token.
    const std::string* bytes(std::int32_t id) const;

    // Preorder trie over tokens: node 0 is the root; node i's subtree is [i, end).
    struct TrieNode {
        std::uint8_t byte = 0;
        std::uint16_t depth = 0;
        std::int32_t end = 0;
        std::int32_t idsBegin = 0, idsEnd = 0; // tokens whose bytes end at this node (into ids)
    };
    struct Trie {
        std::vector<TrieNode> nodes;
        std::vector<std::int32_t> ids;
    };
    // All included tokens.
    const Trie& trie() const { return all_; }
    // The tokens holding a '"' or '\\' (they may end or escape inside a JSON string), and the others.
    const Trie& quoteTrie() const { return quote_; }
    const std::vector<std::int32_t>& plainIds() const { return plain_; }
    std::size_t maxTokenBytes() const { return maxLen_; }

private:
    std::vector<std::optional<std::string>> bytes_;
    Trie all_, quote_;
    std::vector<std::int32_t> plain_;
    std::size_t maxLen_ = 0;
};

} // namespace hone::constrain
