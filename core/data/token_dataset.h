// Training examples as token ids with a per-token "learn to predict this" mask: conversations rendered with
// their chat template (assistant turns as targets, end-of-turn included), plain texts and prompt/completion
// pairs; truncation, per-line problems and length statistics. Parallel and deterministic. Torch-free.
#pragma once

#include "data/dataset_file.h"
#include "data/dataset_format.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace hone::tok {
class Tokenizer;
}
namespace hone::jinja {
class Template;
}

namespace hone::data {

// What the loss covers: the assistant turns / completions only (as TRL's assistant_only_loss and
// completion_only_loss, Unsloth's train_on_responses_only), or every token. Plain texts are always trained
// on whole.
enum class TrainOn { AssistantOnly, All };
// Examples longer than maxSeqLen: skipped and reported (Drop) or cut at maxSeqLen tokens (Right).
enum class Truncation { Drop, Right };

struct TokenizeOptions {
    TrainOn trainOn = TrainOn::AssistantOnly;
    Truncation truncation = Truncation::Drop;
    int maxSeqLen = 2048; // tokens, special tokens included; must be positive
    unsigned threads = 0; // 0 = hardware concurrency; the result does not depend on it
};

struct TokenizedExample {
    std::vector<int32_t> ids;
    // 1 = this token is a target: the model learns to predict it from the tokens before it. The label shift
    // is the trainer's (batch_plan.h); train[0] is always 0 since nothing precedes the first token.
    std::vector<uint8_t> train;
    std::size_t line = 0; // the dataset line the example came from
    bool truncated = false;
};

// Over the token lengths before truncation of every example that could be tokenized (also those then
// skipped for their length or for having nothing to train on). median is the lower median, p95 the
// nearest-rank 95th percentile; all zero when count is 0.
struct LengthStats {
    std::size_t count = 0;
    std::size_t min = 0;
    std::size_t median = 0;
    std::size_t p95 = 0;
    std::size_t max = 0;
    std::size_t overMax = 0; // longer than maxSeqLen
};

struct TokenizedDataset {
    std::vector<TokenizedExample> examples; // in the order of the input, skipped ones left out
    std::vector<Problem> problems;          // one per skipped example: its line and why
    // Kept examples with something worth knowing (an assistant turn the template could not locate, token
    // offsets that needed the piecewise fallback), with their line.
    std::vector<Problem> notes;
    LengthStats lengths;
    std::size_t skipped = 0;      // examples not kept (== problems.size())
    std::size_t targetTokens = 0; // sum of train[] over the kept examples
};

// Tokenizes `examples` (from convert()). Conversations are rendered with `chatTemplate` (messages,
// add_generation_prompt=false, bos_token/eos_token from the tokenizer as transformers sets them) and encoded
// without added special tokens (the template writes them; special tokens in the text are parsed). With
// TrainOn::AssistantOnly a token is a target when its bytes overlap an assistant span of
// jinja::assistantSpans (the end-of-turn text is part of it, so the model learns to stop); a turn it cannot
// place because the template renders the latest reply differently from past ones (Qwen3's empty <think>
// block) is located by its tail, else left out with a note. A template that fails on "content": null (tool
// call turns) is retried with "" (noted). Texts get the post-processor's tokens (BOS) and EOS; completions
// are prompt + completion encoded as one text (+ EOS), targets the completion and EOS unless TrainOn::All.
// Throws hone::Error when a conversation comes without a template or maxSeqLen is not positive; everything
// else about one example is a problem or a note on its line.
TokenizedDataset tokenizeExamples(const std::vector<Example>& examples, const tok::Tokenizer& tok,
                                  const jinja::Template* chatTemplate, const TokenizeOptions& options);

// Byte range [begin, end) of `text` a token produced.
struct ByteRange {
    std::size_t begin = 0;
    std::size_t end = 0;
    bool operator==(const ByteRange&) const = default;
};

// The byte range of `text` each of `ids` (= the encoding of `text` without added special tokens) produced,
// found by streaming the ids through the decoder. A token that completes a multibyte character owns it;
// tokens holding only its first bytes get the same character's range (the model must learn them too).
// Spaces the decoder shows but `text` lacks (SentencePiece's prefix space) belong to no range. Returns
// nullopt when the decoded ids do not reproduce `text` (normalizers that change it, unknown tokens).
std::optional<std::vector<ByteRange>> tokenByteRanges(const tok::Tokenizer& tok, std::string_view text,
                                                      std::span<const int32_t> ids);

// The statistics above for the given lengths.
LengthStats computeLengthStats(std::vector<std::size_t> lengths, std::size_t maxSeqLen);

// The id to pad batches with: the tokenizer's pad token, else EOS (labels of padding are ignored anyway),
// else 0.
int32_t paddingId(const tok::Tokenizer& tok);

} // namespace hone::data
