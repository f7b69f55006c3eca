// hone::tok::Tokenizer: the one tokenizer interface of Hone. Loads a Hugging Face tokenizer.json (+ optional
// tokenizer_config.json) or the tokenizer embedded in a GGUF file and encodes/decodes exactly like the
// reference implementation (Hugging Face tokenizers / llama.cpp respectively). Immutable after loading and
// safe to share between threads; copies are cheap (shared state).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hone::tok {

struct EncodeOptions {
    // Add what the post-processor says (e.g. BOS for Llama 2). Chat-template output is encoded with false.
    bool addSpecialTokens = true;
    // Recognise special tokens written in the text ("<|im_start|>"). Non-special added tokens always match.
    bool parseSpecial = true;
};

struct TokenizerImpl;

class Tokenizer {
public:
    // PATH: a tokenizer.json file, a folder holding tokenizer.json (and tokenizer_config.json), or a .gguf
    // file. Throws hone::Error naming the file and field at fault.
    static Tokenizer load(const std::string& path);
    // From the text of tokenizer.json and (optionally, may be empty) tokenizer_config.json.
    static Tokenizer fromJson(std::string_view tokenizerJson, std::string_view configJson = {});
    // From the bytes of a GGUF file (only the metadata is read).
    static Tokenizer fromGguf(std::string_view ggufBytes);

    // Invalid UTF-8 in `text` is replaced by U+FFFD first (as Python/node hand it to HF tokenizers).
    std::vector<int32_t> encode(std::string_view text, const EncodeOptions& opts = {}) const;
    // Encodes many texts on `threads` threads (0 = hardware concurrency); order is preserved.
    std::vector<std::vector<int32_t>> encodeBatch(const std::vector<std::string>& texts,
                                                  const EncodeOptions& opts = {}, unsigned threads = 0) const;
    // Unknown ids are skipped (as HF does). skipSpecial drops special added tokens / control tokens.
    std::string decode(std::span<const int32_t> ids, bool skipSpecial = false) const;

    std::size_t vocabSize() const;                          // model vocab + added tokens beyond it
    std::optional<std::string> idToToken(int32_t id) const; // raw token string
    std::optional<int32_t> tokenToId(std::string_view token) const;
    // The bytes token `id` stands for in decoded text, without the decoder's text-level clean-ups: a
    // byte-level BPE token through the GPT-2 byte table (possibly part of a UTF-8 character), a
    // SentencePiece <0xNN> byte-fallback token as that raw byte, "▁" as a space (also at the start); an added
    // token is its content. Empty for unknown ids. Used by constrained decoding to match tokens against a
    // grammar.
    std::string tokenBytes(int32_t id) const;
    bool isSpecial(int32_t id) const;

    std::optional<int32_t> bosId() const;
    std::optional<int32_t> eosId() const;
    std::optional<int32_t> padId() const;
    std::optional<int32_t> unkId() const;
    // The post-processor's ids around a single sequence when addSpecialTokens is true.
    const std::vector<int32_t>& prefixIds() const;
    const std::vector<int32_t>& suffixIds() const;
    // tokenizer_config.json's chat_template (or GGUF tokenizer.chat_template) as raw JSON text: a JSON
    // string, or a JSON array of {"name","template"} objects; empty when absent.
    const std::string& chatTemplateJson() const;
    // The default chat template text (the string, or the entry named "default"); empty when absent.
    std::string chatTemplate() const;
    // "bpe", "unigram", "wordpiece", "spm" (llama.cpp SentencePiece) — for diagnostics.
    std::string modelKind() const;

    // A tokenizer with `tokens` added to its vocabulary, as transformers' add_special_tokens / add_tokens do
    // before a model's embeddings are resized: a token not yet in the vocabulary gets the next free id
    // (vocabSize(), vocabSize() + 1, ... in the given order); one the model vocabulary already has keeps its
    // id. Either way it is then matched as a whole in the text before normalization (like other added
    // tokens; a special one only when EncodeOptions::parseSpecial is set). Empty strings are rejected with
    // hone::Error. This tokenizer is unchanged.
    Tokenizer withAddedTokens(const std::vector<std::string>& tokens, bool special = true) const;

    std::shared_ptr<const TokenizerImpl> impl() const { return impl_; }

private:
    explicit Tokenizer(std::shared_ptr<const TokenizerImpl> impl)
        : impl_(std::move(impl)) {}
    std::shared_ptr<const TokenizerImpl> impl_;
};

// Incremental detokenization for streaming generation: feed ids one at a time and get text that never ends in
// a partial UTF-8 character (HF DecodeStream semantics).
class StreamDecoder {
public:
    explicit StreamDecoder(Tokenizer tok, bool skipSpecial = false);
    // Returns the new text made complete by this id (possibly empty).
    std::string step(int32_t id);
    // Whatever is still pending at the end (incomplete bytes become U+FFFD).
    std::string flush();

private:
    Tokenizer tok_;
    bool skip_;
    std::vector<int32_t> ids_;
    std::string prefix_;
    std::size_t prefixIndex_ = 0;
};

} // namespace hone::tok
