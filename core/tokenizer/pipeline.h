// The stages of a Hugging Face-style tokenization pipeline (normalizer -> pre-tokenizer -> model, and the
// decoder on the way back) as small polymorphic interfaces; concrete stages live in
// normalizers/pre_tokenizers/ decoders/*_model files and are built from tokenizer.json or GGUF metadata.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hone::tok {

// A piece of text flowing through the pipeline. atStart: it begins at offset 0 of the caller's text (what
// HF's Metaspace "first" prepend scheme checks).
struct Piece {
    std::string text;
    bool atStart = false;
};

class Normalizer {
public:
    virtual ~Normalizer() = default;
    virtual void normalize(std::string& s) const = 0;
};

class Regex;

class PreTokenizer {
public:
    virtual ~PreTokenizer() = default;
    virtual void split(std::vector<Piece>& pieces) const = 0;
    // When this stage is exactly "split at the matches of one regex, keeping matches and gaps" (and leaves
    // the text as is otherwise), that regex: the encoder then streams words without building pieces.
    virtual const Regex* isolatedRegex() const { return nullptr; }
    // True for a stage that changes nothing (a ByteLevel whose byte mapping is deferred to the model).
    virtual bool isIdentity() const { return false; }
};

// Per-call scratch space a model may use (a word cache); one per thread.
class ModelCache {
public:
    virtual ~ModelCache() = default;
};

class Model {
public:
    virtual ~Model() = default;
    // Appends the ids of one pre-tokenized word.
    virtual void tokenize(std::string_view word, std::vector<int32_t>& out, ModelCache* cache) const = 0;
    virtual std::unique_ptr<ModelCache> makeCache() const { return nullptr; }
    virtual std::size_t vocabSize() const = 0;
    virtual const std::string* idToToken(int32_t id) const = 0;
    virtual int32_t tokenToId(std::string_view token) const = 0; // -1 when absent
};

class Decoder {
public:
    virtual ~Decoder() = default;
    virtual void decodeChain(std::vector<std::string>& tokens) const = 0;
};

} // namespace hone::tok
