// The tokenizer of a Hugging Face model folder as llama.cpp's convert_hf_to_gguf.py writes it into GGUF
// metadata: tokenizer.ggml.model "llama" (SentencePiece-style BPE with byte fallback: tokens, scores,
// token types) or "gpt2" (byte-level BPE: tokens, token types, merges, and tokenizer.ggml.pre named by
// hashing the ids of llama.cpp's check text), special token ids, add_bos/add_eos and the chat template.
// Torch-free.
#pragma once

#include "common/json.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hone {

class GgufWriter;
namespace tok {
class Tokenizer;
}

struct GgufTokenizerExport {
    std::string model;              // "llama" or "gpt2"
    std::string pre;                // tokenizer.ggml.pre
    std::size_t tokens = 0;         // entries of tokenizer.ggml.tokens
    std::vector<std::string> notes; // what was guessed or left out
};

struct GgufTokenizerOptions {
    std::int64_t vocabSize = 0;   // rows of the token embedding: the token list is padded to this length
    bool addSpacePrefix = true;   // false writes tokenizer.ggml.add_space_prefix = false (Gemma)
    const Json* config = nullptr; // config.json (its text part), for *_token_id fallbacks
};

// Reads tokenizer.json, tokenizer_config.json (optional), chat_template.jinja (optional) from `hfFolder` and
// writes the tokenizer keys to `w`. Throws hone::Error naming the file when the tokenizer is missing, is not
// a BPE tokenizer, or has ids beyond options.vocabSize.
GgufTokenizerExport writeGgufTokenizer(GgufWriter& w, const std::string& hfFolder,
                                       const GgufTokenizerOptions& options);

// The text llama.cpp encodes to identify a BPE pre-tokenizer, and the SHA-256 of Python's str() of its ids
// (special tokens added, as transformers' tokenizer.encode does).
const std::string& llamaCppPreTokenizerCheckText();
std::string llamaCppPreTokenizerHash(const tok::Tokenizer& t);
// llama.cpp's name for a hash (convert_hf_to_gguf.py get_vocab_base_pre); empty when unknown.
std::string llamaCppPreTokenizerName(const std::string& hash);

} // namespace hone
