// Internal state of a loaded tokenizer, shared by the tokenizer.json and GGUF loaders and the facade.
#pragma once

#include "tokenizer/added_vocabulary.h"
#include "tokenizer/pipeline.h"
#include "tokenizer/tokenizer.h"

namespace hone::tok {

struct TokenizerImpl {
    // Shared so that Tokenizer::withAddedTokens can copy the state without rebuilding the pipeline (the
    // stages are immutable after loading).
    std::shared_ptr<Normalizer> normalizer;
    std::shared_ptr<PreTokenizer> preTokenizer;
    std::shared_ptr<Model> model;
    std::shared_ptr<Decoder> decoder;
    AddedVocabulary added;
    std::vector<int32_t> prefix, suffix; // post-processor
    std::string modelKind = "bpe";
    std::optional<int32_t> bos, eos, pad, unk;
    std::string chatTemplateJson;
    // llama.cpp SPM: ' ' -> '▁' and a leading '▁' on the first text piece (done by the encoder, not a
    // normalizer, because llama.cpp adds it only at the very start of the text).
    bool spmEscapeSpaces = false;
    bool spmAddSpacePrefix = false;

    const Regex* fastSplit = nullptr; // preTokenizer->isolatedRegex(), set after loading

    void encodeText(std::string_view text, bool atStart, bool prevSpecial, std::vector<int32_t>& out,
                    ModelCache* cache) const;
    void encodeInto(std::string_view text, const EncodeOptions& opts, std::vector<int32_t>& out,
                    ModelCache* cache) const;
};

// Applies tokenizer_config.json (special tokens, add_bos/add_eos as transformers does, chat template).
void applyTokenizerConfig(TokenizerImpl& t, std::string_view configJson);
void loadTokenizerJson(TokenizerImpl& t, std::string_view json);
void loadGgufTokenizer(TokenizerImpl& t, std::string_view bytes);
void loadGgufTokenizerFile(TokenizerImpl& t, const std::string& path);

} // namespace hone::tok
