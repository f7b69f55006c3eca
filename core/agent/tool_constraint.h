// Tool calls that cannot fail to parse: a logits processor for a chat reply that lets the model write freely
// until it opens a tool call (Hermes / Qwen `<tool_call>`), then allows only tokens that continue a valid
// call — {"name": one of the tools, "arguments": valid for that tool's JSON schema} — and, once the call is
// complete, only the first token of `</tool_call>`; after that the model is free again (for a next call).
// Torch-free header of engine code (it is a LogitsProcessor).
#pragma once

#include "common/json.h"
#include "infer/sampler.h"
#include "tokenizer/tokenizer.h"

#include <memory>
#include <string>
#include <vector>

namespace hone {

namespace constrain {
class TokenVocab;
class JsonGrammar;
} // namespace constrain

class ConstrainedLogitsProcessor;

// What a constraint needs that is the same for every reply: the vocabulary's token bytes and the grammar.
struct ToolConstraintSpec {
    explicit ToolConstraintSpec(tok::Tokenizer t)
        : tokenizer(std::move(t)) {}
    std::shared_ptr<const constrain::TokenVocab> vocab;
    std::shared_ptr<const constrain::JsonGrammar> grammar;
    tok::Tokenizer tokenizer;
    std::string opener = "<tool_call>";
    std::string closer = "</tool_call>";
    // Tokens that can start the closer: those whose bytes are a prefix of it ("<", "</", ...), and the closer
    // itself when the vocabulary has it as one (added) token.
    std::vector<std::int32_t> closerStart;
    // Built from the session's tokenizer and the tools array (OpenAI shape, ToolRegistry::toJson). Throws
    // hone::Error for a tool whose schema cannot be compiled.
    static std::shared_ptr<const ToolConstraintSpec> make(const tok::Tokenizer& tokenizer, const Json& tools);
};

class ToolCallConstraint : public LogitsProcessor {
public:
    explicit ToolCallConstraint(std::shared_ptr<const ToolConstraintSpec> spec);
    ~ToolCallConstraint() override;
    void apply(std::vector<float>& logits, const std::vector<std::int32_t>& context) override;
    std::string name() const override { return "tool_call_grammar"; }
    int constrainedCalls() const { return calls_; } // calls the grammar was switched on for
    double maskMs() const;                          // time spent computing masks

private:
    std::shared_ptr<const ToolConstraintSpec> spec_;
    std::unique_ptr<ConstrainedLogitsProcessor> active_;
    std::size_t seen_ = 0;
    bool started_ = false;
    std::string tail_; // text decoded since the last call (or the prompt's last tokens)
    int calls_ = 0;
    double doneMs_ = 0;
};

} // namespace hone
