// Constrained decoding: which tokens keep a model's output inside a JSON grammar (a tool call or a schema),
// computed exactly by walking the vocabulary's byte trie with the grammar state.
#pragma once

#include "constrain/json_grammar.h"
#include "constrain/token_vocab.h"

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace hone::constrain {

class ConstrainedDecoder {
public:
    // endIds: tokens allowed (only) once the JSON value is complete, e.g. the id of "</tool_call>" or EOS.
    // When the value is complete and endIds is empty, nothing is allowed: the caller must stop.
    ConstrainedDecoder(std::shared_ptr<const TokenVocab> vocab, JsonGrammar grammar,
                       std::vector<std::int32_t> endIds = {});

    // Back to the start state.
    void reset();
    // The allowed token ids, ascending: the tokens whose every byte the grammar accepts, plus endIds when
    // the value is complete.
    void allowedIds(std::vector<std::int32_t>& out) const;
    // mask[id] = allowed, sized to the vocabulary.
    void allowedMask(std::vector<bool>& mask) const;
    // Checks one token against the current state (no trie).
    bool isAllowed(std::int32_t id) const;
    // Consumes token id; throws hone::Error when it is not allowed (the state is then unchanged).
    void accept(std::int32_t id);
    // The JSON value is complete.
    bool isComplete() const { return state_.isComplete(); }
    // True once an end token has been accepted.
    bool ended() const { return ended_; }

    const GrammarState& state() const { return state_; }
    const TokenVocab& vocab() const { return *vocab_; }
    const JsonGrammar& grammar() const { return grammar_; }

private:
    std::shared_ptr<const TokenVocab> vocab_;
    JsonGrammar grammar_;
    std::vector<std::int32_t> endIds_;
    GrammarState state_;
    bool ended_ = false;
    // The mask walk's state per trie depth, reused between calls.
    struct Level {
        bool light = false; // the state is walk_[base] with its top frame replaced by `top`
        std::size_t base = 0;
        Frame top;
    };
    void walk(std::vector<std::uint8_t>& mark) const;
    void walkTrie(const TokenVocab::Trie& trie, std::vector<std::uint8_t>& mark) const;
    // Tokens without '"' or '\\' that fit inside an unbounded string, per escape/UTF-8 position.
    mutable std::unordered_map<std::uint64_t, std::vector<std::int32_t>> inString_;
    mutable std::vector<GrammarState> walk_;
    mutable std::vector<std::uint8_t> mark_;
    mutable std::vector<Level> levels_;
};

} // namespace hone::constrain
