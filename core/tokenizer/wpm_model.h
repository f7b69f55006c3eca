// llama.cpp's WordPiece tokenizer for GGUF "bert" vocabularies (word-initial pieces carry "▁", continuations
// are bare): NFD, lowercase, split on whitespace/punctuation/CJK, greedy longest match per word.
#pragma once

#include "tokenizer/pipeline.h"
#include "tokenizer/string_index.h"

namespace hone::tok {

class WpmModel : public Model {
public:
    WpmModel(std::vector<std::string> tokens, int32_t unkId);
    // `text` is a whole fragment (no pre-tokenizer): it is split into words here.
    void tokenize(std::string_view text, std::vector<int32_t>& out, ModelCache* cache) const override;
    std::size_t vocabSize() const override { return tokens_.size(); }
    const std::string* idToToken(int32_t id) const override;
    int32_t tokenToId(std::string_view token) const override { return index_.find(token); }

private:
    std::vector<std::string> tokens_;
    StringIndex index_;
    int32_t unkId_;
    std::size_t maxLen_ = 0;
};

} // namespace hone::tok
