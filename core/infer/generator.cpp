// The generation loop with timings.
#include "infer/generator.h"

#include "common/error.h"

#include <algorithm>
#include <chrono>

namespace hone {

namespace {
double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
} // namespace

GenerationResult generate(InferenceSession& session, const std::vector<std::int32_t>& prompt,
                          Sampler& sampler, const StopConditions& stop, const TokenTextDecoder* decoder,
                          const std::function<bool(std::int32_t)>& onToken) {
    if (!stop.stopStrings.empty() && !decoder)
        throw Error(
            "stop strings need a tokenizer to turn tokens into text; none is available for this model");
    GenerationResult r;
    r.promptTokens = static_cast<int>(prompt.size());
    const auto t0 = std::chrono::steady_clock::now();
    r.prefillProcessed = session.prefill(prompt);
    r.prefillMs = msSince(t0);
    std::vector<std::int32_t> context = prompt;
    const int ctx = session.contextLength();
    std::chrono::steady_clock::time_point tDecode;
    for (int step = 0; step < stop.maxTokens; ++step) {
        const std::int32_t id = sampler.sample(session.logits(), context);
        if (step == 0) {
            r.ttftMs = msSince(t0);
            tDecode = std::chrono::steady_clock::now();
        }
        r.ids.push_back(id);
        context.push_back(id);
        if (onToken && !onToken(id)) {
            r.stopReason = "cancelled";
            break;
        }
        if (std::find(stop.stopIds.begin(), stop.stopIds.end(), id) != stop.stopIds.end()) {
            r.stopReason = "stop_token";
            break;
        }
        if (!stop.stopStrings.empty()) {
            const std::string text = decoder->decode(r.ids);
            bool hit = false;
            for (const auto& s : stop.stopStrings)
                hit = hit || (!s.empty() && text.find(s) != std::string::npos);
            if (hit) {
                r.stopReason = "stop_string";
                break;
            }
        }
        if (step + 1 == stop.maxTokens) {
            r.stopReason = "max_tokens";
            break;
        }
        if (static_cast<int>(context.size()) >= ctx) {
            r.stopReason = "context";
            break;
        }
        session.append(id);
        ++r.decodeSteps;
    }
    if (r.stopReason.empty()) r.stopReason = "max_tokens";
    if (r.decodeSteps > 0) r.decodeMs = msSince(tDecode);
    return r;
}

} // namespace hone
