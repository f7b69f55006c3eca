// The grammar-mask logits processor.
#include "infer/constrained_logits.h"

#include "common/error.h"

#include <chrono>
#include <limits>

namespace hone {

ConstrainedLogitsProcessor::ConstrainedLogitsProcessor(std::shared_ptr<constrain::ConstrainedDecoder> decoder)
    : decoder_(std::move(decoder)) {
    if (!decoder_) throw Error("constrained logits: no decoder given");
}

void ConstrainedLogitsProcessor::reset() {
    decoder_->reset();
    seen_.reset();
}

void ConstrainedLogitsProcessor::apply(std::vector<float>& logits, const std::vector<std::int32_t>& context) {
    const auto t0 = std::chrono::steady_clock::now();
    if (!seen_) {
        seen_ = context.size();
    } else {
        if (context.size() < *seen_)
            throw Error("constrained logits: the context got shorter; call reset() before a new generation");
        for (std::size_t i = *seen_; i < context.size(); ++i) decoder_->accept(context[i]);
        seen_ = context.size();
    }
    decoder_->allowedIds(allowed_);
    constexpr float kNegInf = -std::numeric_limits<float>::infinity();
    std::size_t next = 0;
    for (std::size_t id = 0; id < logits.size(); ++id) {
        if (next < allowed_.size() && static_cast<std::size_t>(allowed_[next]) == id) {
            ++next;
            continue;
        }
        logits[id] = kNegInf;
    }
    totalMs_ += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    ++calls_;
}

} // namespace hone
