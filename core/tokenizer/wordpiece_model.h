// WordPiece model (BERT): greedy longest-match-first with a continuation prefix ("##"); words longer than
// max_input_chars_per_word or with no match become one unknown token (HF tokenizers semantics).
#pragma once

#include "common/json.h"
#include "tokenizer/pipeline.h"

#include <unordered_map>

namespace hone::tok {

class WordPieceModel : public Model {
public:
    WordPieceModel(std::vector<std::string> vocab, std::string unk, std::string prefix, std::size_t maxChars);
    void tokenize(std::string_view word, std::vector<int32_t>& out, ModelCache* cache) const override;
    std::size_t vocabSize() const override { return vocab_.size(); }
    const std::string* idToToken(int32_t id) const override;
    int32_t tokenToId(std::string_view token) const override;

private:
    std::vector<std::string> vocab_;
    std::unordered_map<std::string_view, int32_t> index_;
    int32_t unkId_ = -1;
    std::string prefix_;
    std::size_t maxChars_;
};

std::unique_ptr<Model> makeWordPieceFromJson(const Json& m);

} // namespace hone::tok
