// Token masks from a grammar state and the vocabulary trie.
#include "constrain/constrained_decoder.h"

#include "common/error.h"

#include <algorithm>

namespace hone::constrain {

ConstrainedDecoder::ConstrainedDecoder(std::shared_ptr<const TokenVocab> vocab, JsonGrammar grammar,
                                       std::vector<std::int32_t> endIds)
    : vocab_(std::move(vocab))
    , grammar_(std::move(grammar))
    , endIds_(std::move(endIds)) {
    if (!vocab_) throw Error("constrained decoding needs a vocabulary");
    for (const auto id : endIds_)
        if (id < 0 || static_cast<std::size_t>(id) >= vocab_->size())
            throw Error("constrained decoding: end token id " + std::to_string(id) +
                        " is outside the vocabulary of " + std::to_string(vocab_->size()) + " tokens");
    std::sort(endIds_.begin(), endIds_.end());
    endIds_.erase(std::unique(endIds_.begin(), endIds_.end()), endIds_.end());
    reset();
}

void ConstrainedDecoder::reset() {
    state_ = grammar_.start();
    ended_ = false;
}

void ConstrainedDecoder::allowedIds(std::vector<std::int32_t>& out) const {
    out.clear();
    if (ended_) return;
    if (state_.isComplete()) out = endIds_;
    const auto& trie = vocab_->trie();
    const auto& ids = vocab_->trieIds();
    if (walk_.size() < vocab_->maxTokenBytes() + 1) walk_.resize(vocab_->maxTokenBytes() + 1);
    walk_[0] = state_;
    // Preorder walk: a node's parent state is walk_[depth - 1]; a refused byte skips the whole subtree.
    std::size_t i = 1;
    while (i < trie.size()) {
        const auto& n = trie[i];
        if (walk_[n.depth - 1u].advance(n.byte, walk_[n.depth])) {
            out.insert(out.end(), ids.begin() + n.idsBegin, ids.begin() + n.idsEnd);
            ++i;
        } else {
            i = static_cast<std::size_t>(n.end);
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
}

void ConstrainedDecoder::allowedMask(std::vector<bool>& mask) const {
    std::vector<std::int32_t> ids;
    allowedIds(ids);
    mask.assign(vocab_->size(), false);
    for (const auto id : ids) mask[static_cast<std::size_t>(id)] = true;
}

bool ConstrainedDecoder::isAllowed(std::int32_t id) const {
    if (ended_) return false;
    if (state_.isComplete() && std::binary_search(endIds_.begin(), endIds_.end(), id)) return true;
    const std::string* b = vocab_->bytes(id);
    if (!b) return false;
    GrammarState s = state_;
    return s.feed(*b);
}

void ConstrainedDecoder::accept(std::int32_t id) {
    if (ended_)
        throw Error("constrained decoding: token " + std::to_string(id) + " came after the end token");
    if (state_.isComplete() && std::binary_search(endIds_.begin(), endIds_.end(), id)) {
        ended_ = true;
        return;
    }
    const std::string* b = vocab_->bytes(id);
    GrammarState s = state_;
    if (!b || !s.feed(*b))
        throw Error("constrained decoding: token " + std::to_string(id) +
                    " does not fit the tool-call grammar here; sample from allowedIds()");
    state_ = std::move(s);
}

} // namespace hone::constrain
