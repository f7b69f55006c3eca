// Byte-pair-encoding model with Hugging Face semantics: merges by rank (leftmost first among equals),
// optional ignore_merges (whole-word vocab hit), byte_fallback (<0xNN> tokens), unk/fuse_unk, and
// "byte-level" input (raw bytes mapped through GPT-2's table on the fly, so no intermediate strings are
// built).
#pragma once

#include "tokenizer/pipeline.h"
#include "tokenizer/string_index.h"

#include <optional>
#include <unordered_map>

namespace hone::tok {

struct BpeOptions {
    std::optional<std::string> unkToken;
    bool fuseUnk = false;
    bool byteFallback = false;
    bool ignoreMerges = false;
    std::string continuingSubwordPrefix;
    std::string endOfWordSuffix;
    bool byteLevelInput = false;    // words arrive as raw bytes; each byte is one GPT-2 table character
    bool skipInvalidMerges = false; // GGUF: ignore merges naming unknown tokens instead of failing
};

class BpeModel : public Model {
public:
    // vocab: token strings indexed by id (holes allowed as empty strings that are never matched).
    // merges: pairs of token strings in rank order. Throws hone::Error for merges naming unknown tokens.
    BpeModel(std::vector<std::string> vocab, const std::vector<std::pair<std::string, std::string>>& merges,
             BpeOptions opts);

    void tokenize(std::string_view word, std::vector<int32_t>& out, ModelCache* cache) const override;
    std::unique_ptr<ModelCache> makeCache() const override;
    std::size_t vocabSize() const override { return vocab_.size(); }
    const std::string* idToToken(int32_t id) const override;
    int32_t tokenToId(std::string_view token) const override;

private:
    struct MergeEntry {
        uint64_t key;
        int32_t rank;
        int32_t newId;
    };
    const MergeEntry* findMerge(int32_t a, int32_t b) const;
    void initialSymbols(std::string_view word, std::vector<int32_t>& syms) const;
    void merge(std::vector<int32_t>& syms) const;

    std::vector<std::string> vocab_;
    StringIndex index_;
    std::vector<MergeEntry> mergeTable_; // open addressing, key 0 = empty (pairs are stored +1)
    uint64_t mergeMask_ = 0;
    BpeOptions opts_;
    int32_t unkId_ = -1;
    int32_t byteId_[256]; // byte-level: id of the table character; byte_fallback: id of <0xNN>
    bool byteIdComplete_ = false;
};

} // namespace hone::tok
