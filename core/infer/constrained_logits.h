// Constrained decoding in the sampler: a logits processor that leaves only the tokens a JSON grammar (a tool
// call matching its schema) allows, so every sampled tool call is valid. Torch-free.
#pragma once

#include "constrain/constrained_decoder.h"
#include "infer/sampler.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace hone {

// Add it to a Sampler (addProcessor) for one generation. The first apply() marks the end of the prompt
// (the context it sees then); on later calls the tokens appended since are fed to the decoder, then every
// token the grammar does not allow gets -inf (ids beyond the tokenizer's vocabulary too). Once the JSON is
// complete only the decoder's end ids remain; with no end ids every logit is -inf, so stop generating
// when decoder().isComplete(). Call reset() before reusing it for another generation.
class ConstrainedLogitsProcessor : public LogitsProcessor {
public:
    explicit ConstrainedLogitsProcessor(std::shared_ptr<constrain::ConstrainedDecoder> decoder);
    void apply(std::vector<float>& logits, const std::vector<std::int32_t>& context) override;
    std::string name() const override { return "json_grammar"; }
    void reset();

    const constrain::ConstrainedDecoder& decoder() const { return *decoder_; }
    // Time spent in apply() (feeding tokens and computing masks), for overhead reports.
    double totalMs() const { return totalMs_; }
    int calls() const { return calls_; }

private:
    std::shared_ptr<constrain::ConstrainedDecoder> decoder_;
    std::optional<std::size_t> seen_;
    std::vector<std::int32_t> allowed_;
    double totalMs_ = 0;
    int calls_ = 0;
};

} // namespace hone
