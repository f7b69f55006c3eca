// Unigram (SentencePiece) model: Viterbi over token log-probabilities, unknown characters scored
// min_score - 10 and fused, optional byte_fallback (HF tokenizers semantics).
#pragma once

#include "common/json.h"
#include "tokenizer/pipeline.h"

#include <unordered_map>

namespace hone::tok {

class UnigramModel : public Model {
public:
    UnigramModel(std::vector<std::pair<std::string, double>> pieces, int32_t unkId, bool byteFallback);
    void tokenize(std::string_view word, std::vector<int32_t>& out, ModelCache* cache) const override;
    std::size_t vocabSize() const override { return pieces_.size(); }
    const std::string* idToToken(int32_t id) const override;
    int32_t tokenToId(std::string_view token) const override;

private:
    std::vector<std::pair<std::string, double>> pieces_;
    std::unordered_map<std::string_view, int32_t> index_;
    int32_t unkId_;
    bool byteFallback_;
    double minScore_ = 0.0;
    std::size_t maxLen_ = 0;
};

std::unique_ptr<Model> makeUnigramFromJson(const Json& m, bool byteLevel);

} // namespace hone::tok
