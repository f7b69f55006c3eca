// The generation loop: prefill (reusing the session's cached prefix), then sample/append until a stop token,
// a stop string, the token limit or the context end. Reports timings for the CLI and benchmarks. Torch-free.
#pragma once

#include "infer/language_model.h"
#include "infer/sampler.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hone {

// Turns generated ids into text, so that stop strings can be matched (the tokenizer implements it).
class TokenTextDecoder {
public:
    virtual ~TokenTextDecoder() = default;
    virtual std::string decode(const std::vector<std::int32_t>& ids) const = 0;
};

struct StopConditions {
    int maxTokens = 128;
    std::vector<std::int32_t> stopIds;    // e.g. the model's EOS ids
    std::vector<std::string> stopStrings; // need a TokenTextDecoder
};

struct GenerationResult {
    std::vector<std::int32_t> ids; // generated only (a stop id is included as the last id)
    std::string stopReason;        // "stop_token", "stop_string", "max_tokens", "context"
    int promptTokens = 0;
    int prefillProcessed = 0; // prompt tokens actually run (the rest came from the cache)
    double prefillMs = 0;     // prefill forward pass
    double ttftMs = 0;        // start until the first token is sampled
    double decodeMs = 0;      // all later steps
    int decodeSteps = 0;      // forward passes after prefill
    double prefillTokensPerS() const { return prefillMs > 0 ? prefillProcessed / (prefillMs / 1000.0) : 0; }
    double decodeTokensPerS() const { return decodeMs > 0 ? decodeSteps / (decodeMs / 1000.0) : 0; }
};

// onToken (optional) is called with each generated id; returning false stops generation ("cancelled").
GenerationResult generate(InferenceSession& session, const std::vector<std::int32_t>& prompt,
                          Sampler& sampler, const StopConditions& stop,
                          const TokenTextDecoder* decoder = nullptr,
                          const std::function<bool(std::int32_t)>& onToken = {});

} // namespace hone
