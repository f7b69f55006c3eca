// Implementation of the tool-call constraint.
#include "agent/tool_constraint.h"

#include "common/error.h"
#include "constrain/constrained_decoder.h"
#include "constrain/json_grammar.h"
#include "constrain/token_vocab.h"
#include "infer/constrained_logits.h"

#include <algorithm>

namespace hone {

std::shared_ptr<const ToolConstraintSpec> ToolConstraintSpec::make(const tok::Tokenizer& tokenizer,
                                                                   const Json& tools) {
    auto spec = std::make_shared<ToolConstraintSpec>(tokenizer);
    spec->vocab =
        std::make_shared<const constrain::TokenVocab>(constrain::TokenVocab::fromTokenizer(tokenizer));
    spec->grammar = std::make_shared<const constrain::JsonGrammar>(
        constrain::JsonGrammar::forToolCall(constrain::parseTools(tools)));
    for (std::int32_t id = 0; id < static_cast<std::int32_t>(spec->vocab->size()); ++id) {
        const std::string* b = spec->vocab->bytes(id);
        if (b && !b->empty() && spec->closer.compare(0, b->size(), *b) == 0) spec->closerStart.push_back(id);
    }
    const auto whole = tokenizer.encode(spec->closer, {false, true});
    if (whole.size() == 1) spec->closerStart.push_back(whole.front());
    std::sort(spec->closerStart.begin(), spec->closerStart.end());
    spec->closerStart.erase(std::unique(spec->closerStart.begin(), spec->closerStart.end()),
                            spec->closerStart.end());
    if (spec->closerStart.empty())
        throw Error("tool-call constraint: no token of this vocabulary starts '" + spec->closer + "'");
    return spec;
}

ToolCallConstraint::ToolCallConstraint(std::shared_ptr<const ToolConstraintSpec> spec)
    : spec_(std::move(spec)) {
    if (!spec_) throw Error("tool-call constraint: no spec given");
}

ToolCallConstraint::~ToolCallConstraint() = default;

double ToolCallConstraint::maskMs() const {
    return doneMs_ + (active_ ? active_->totalMs() : 0.0);
}

void ToolCallConstraint::apply(std::vector<float>& logits, const std::vector<std::int32_t>& context) {
    if (!started_) {
        // The prompt's last tokens count: a template may open the call in the generation prompt.
        started_ = true;
        const std::size_t from = context.size() > 16 ? context.size() - 16 : 0;
        tail_ = spec_->tokenizer.decode(
            std::vector<std::int32_t>(context.begin() + std::ptrdiff_t(from), context.end()));
        seen_ = context.size();
    } else if (context.size() > seen_) {
        const std::vector<std::int32_t> fresh(context.begin() + std::ptrdiff_t(seen_), context.end());
        seen_ = context.size();
        if (active_) {
            // Once the call is complete only the closer's first token is allowed, so a new token after
            // completion is that token: the model is free again from here.
            if (active_->decoder().isComplete()) {
                doneMs_ += active_->totalMs();
                active_.reset();
                tail_.clear();
            }
        } else {
            tail_ += spec_->tokenizer.decode(fresh);
            if (tail_.size() > 256) tail_.erase(0, tail_.size() - 256);
        }
    }
    if (!active_) {
        // The opener, perhaps followed by whitespace (a newline in most templates and models).
        std::size_t end = tail_.size();
        while (end > 0 && (tail_[end - 1] == '\n' || tail_[end - 1] == ' ' || tail_[end - 1] == '\r')) --end;
        if (end < spec_->opener.size() ||
            tail_.compare(end - spec_->opener.size(), spec_->opener.size(), spec_->opener) != 0)
            return;
        auto decoder = std::make_shared<constrain::ConstrainedDecoder>(spec_->vocab, *spec_->grammar,
                                                                       spec_->closerStart);
        active_ = std::make_unique<ConstrainedLogitsProcessor>(std::move(decoder));
        ++calls_;
    }
    active_->apply(logits, context);
}

} // namespace hone
