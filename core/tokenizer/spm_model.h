// llama.cpp's SentencePiece-BPE tokenizer (GGUF tokenizer.ggml.model = "llama"): repeatedly merges the
// adjacent pair whose concatenation is the highest-scoring vocabulary token (leftmost on ties), then
// re-segments pieces that are not tokens and falls back to <0xNN> byte tokens.
#pragma once

#include "tokenizer/pipeline.h"

#include <unordered_map>

namespace hone::tok {

class SpmModel : public Model {
public:
    SpmModel(std::vector<std::string> tokens, std::vector<float> scores, int32_t unkId);
    void tokenize(std::string_view text, std::vector<int32_t>& out, ModelCache* cache) const override;
    std::size_t vocabSize() const override { return tokens_.size(); }
    const std::string* idToToken(int32_t id) const override;
    int32_t tokenToId(std::string_view token) const override;

private:
    std::vector<std::string> tokens_;
    std::vector<float> scores_;
    std::unordered_map<std::string_view, int32_t> index_;
    int32_t unkId_;
    int32_t byteIds_[256];
};

} // namespace hone::tok
