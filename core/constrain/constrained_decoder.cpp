// Token masks from a grammar state and the vocabulary trie.
#include "constrain/constrained_decoder.h"

#include "common/error.h"
#include "constrain/compiled_grammar.h"

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

void ConstrainedDecoder::walk(std::vector<std::uint8_t>& mark) const {
    mark.assign(vocab_->size(), 0);
    if (ended_) return;
    if (state_.isComplete())
        for (const auto id : endIds_) mark[static_cast<std::size_t>(id)] = 1;
    const Frame* top = state_.soleTop();
    const CompiledGrammar& g = state_.grammar();
    if (top && top->kind == kString && g.nodes[static_cast<std::size_t>(top->node)].maxLength < 0) {
        // Inside a string without a length limit, a token without '"' and '\\' stays in the string, and
        // whether it fits depends only on the string's escape/UTF-8 position: those are cached per position.
        // Only the tokens that can leave the string need the grammar walk.
        const std::uint64_t key = std::uint64_t{top->aux} | std::uint64_t{top->pending} << 8 |
                                  std::uint64_t{top->lo} << 16 | std::uint64_t{top->hi} << 24 |
                                  std::uint64_t{top->digits} << 32;
        auto it = inString_.find(key);
        if (it == inString_.end()) {
            std::vector<std::int32_t> fits;
            for (const auto id : vocab_->plainIds()) {
                Frame f = *top;
                bool ok = true;
                for (const char c : *vocab_->bytes(id))
                    if (stepTopFrame(g, f, static_cast<std::uint8_t>(c)) != FrameStep::Stay) {
                        ok = false;
                        break;
                    }
                if (ok) fits.push_back(id);
            }
            it = inString_.emplace(key, std::move(fits)).first;
        }
        for (const auto id : it->second) mark[static_cast<std::size_t>(id)] = 1;
        walkTrie(vocab_->quoteTrie(), mark);
        return;
    }
    walkTrie(vocab_->trie(), mark);
}

void ConstrainedDecoder::walkTrie(const TokenVocab::Trie& t, std::vector<std::uint8_t>& mark) const {
    const auto& trie = t.nodes;
    const auto& ids = t.ids;
    if (walk_.size() < vocab_->maxTokenBytes() + 1) walk_.resize(vocab_->maxTokenBytes() + 1);
    if (levels_.size() < walk_.size()) levels_.resize(walk_.size());
    walk_[0] = state_;
    levels_[0] = Level{};
    const CompiledGrammar& g = state_.grammar();
    // Preorder walk: a node's parent state is at depth - 1; a refused byte skips the whole subtree. While
    // bytes change only the top frame of a single stack (string content, digits, names, whitespace), a
    // level holds just that frame over the full state of an ancestor (`base`) instead of a copied stack.
    std::size_t i = 1;
    while (i < trie.size()) {
        const auto& n = trie[i];
        const std::size_t d = n.depth;
        const Level& parent = levels_[d - 1];
        const Frame* top = parent.light ? &parent.top : walk_[d - 1].soleTop();
        bool alive;
        Level& level = levels_[d];
        if (top) {
            const std::size_t base = parent.light ? parent.base : d - 1;
            Frame f = *top;
            switch (stepTopFrame(g, f, n.byte)) {
            case FrameStep::Stay:
                level.light = true;
                level.base = base;
                level.top = f;
                alive = true;
                break;
            case FrameStep::Full:
                level.light = false;
                alive = walk_[base].advanceFrom(*top, n.byte, walk_[d]);
                break;
            default:
                alive = false;
            }
        } else {
            level.light = false;
            alive = walk_[d - 1].advance(n.byte, walk_[d]);
        }
        if (alive) {
            for (auto k = n.idsBegin; k < n.idsEnd; ++k)
                mark[static_cast<std::size_t>(ids[static_cast<std::size_t>(k)])] = 1;
            ++i;
        } else {
            i = static_cast<std::size_t>(n.end);
        }
    }
}

void ConstrainedDecoder::allowedIds(std::vector<std::int32_t>& out) const {
    walk(mark_);
    out.clear();
    for (std::size_t id = 0; id < mark_.size(); ++id)
        if (mark_[id]) out.push_back(static_cast<std::int32_t>(id));
}

void ConstrainedDecoder::allowedMask(std::vector<bool>& mask) const {
    walk(mark_);
    mask.assign(mark_.begin(), mark_.end());
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
