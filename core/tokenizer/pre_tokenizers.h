// Pre-tokenizers of tokenizer.json ("pre_tokenizer"): Split, ByteLevel, Metaspace, Digits, Punctuation,
// Whitespace, WhitespaceSplit, BertPreTokenizer, Sequence.
#pragma once

#include "common/json.h"
#include "tokenizer/pipeline.h"
#include "tokenizer/regex.h"

namespace hone::tok {

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

// Splits every piece at the matches of `re` with HF's SplitDelimiterBehavior semantics; empty pieces are
// dropped.
void splitPieces(std::vector<Piece>& pieces, const Regex& re, SplitBehavior behavior, bool invert);

// Builds a pre-tokenizer; null JSON gives nullptr. *byteLevelDeferred is set when the chain ends with a
// ByteLevel stage whose byte -> character mapping is left to the BPE model (which then reads raw bytes).
std::unique_ptr<PreTokenizer> makePreTokenizer(const Json& j, bool* byteLevelDeferred);

// A pre-tokenizer that splits with one regex (Isolated), then optionally maps to byte-level characters: what
// llama.cpp's named GGUF pre-tokenizers and HF's Split+ByteLevel chains amount to.
std::unique_ptr<PreTokenizer> makeRegexSplitter(const std::vector<std::string>& patterns);

} // namespace hone::tok
