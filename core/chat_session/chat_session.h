// A chat with a loaded model: the conversation rendered with a chat template, a KV cache reused across turns
// (a follow-up turn prefills only its new tokens), an optional LoRA adapter applied on the fly, UTF-8-safe
// streaming of text deltas, stop tokens and strings, cancellation, trimming of the oldest turns to fit the
// context, and best-of-N sampling with a majority vote. Torch-free public header of engine code.
#pragma once

#include "common/json.h"
#include "infer/language_model.h"
#include "infer/sampler.h"
#include "tokenizer/tokenizer.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hone {

class InferenceAdapter;

struct ChatMessage {
    std::string role; // "system", "user", "assistant", "tool"
    std::string content;
    Json toolCalls; // null, or [{"name", "arguments", "id"}] the assistant asked for
    Json timings;   // null, or the turn's statistics (assistant messages)
    Json fields;    // null, or more keys for the template's message (a tool result's tool_call_id, name)
};

// A tool call the model asked for in an assistant turn.
struct ProposedToolCall {
    std::string id;
    std::string name;
    Json arguments;
};

// Decides whether a finished assistant turn is a tool call. ChatSession only hands it the raw assistant text;
// the parsing lives in core/toolcall (wired in later). Returning none means a plain answer.
class ToolCallHook {
public:
    virtual ~ToolCallHook() = default;
    virtual std::vector<ProposedToolCall> toolCalls(const std::string& assistantText) const = 0;
};

struct ChatSessionOptions {
    SamplingParams sampling; // see defaultSampling() for the model's generation_config.json
    int maxTokens = 512;     // per reply
    std::vector<std::string> stopStrings;
    std::optional<std::string> templateSource; // overrides the adapter's and the model's template
    Json tools; // null, or the `tools` array the template shows the model (ToolRegistry::toJson)
    // Called once per reply for a logits processor that runs before the sampling chain (e.g. the tool-call
    // grammar of core/agent/tool_constraint.h); unset: none.
    std::function<std::shared_ptr<LogitsProcessor>()> replyProcessor;
};

struct TurnStats {
    int promptTokens = 0; // the rendered conversation
    int prefilled = 0;    // tokens actually run in the prefill
    int reused = 0;       // prompt tokens taken from the KV cache
    int generatedTokens = 0;
    double ttftMs = 0;
    double prefillMs = 0;
    double decodeTokensPerS = 0;
    std::string stopReason;  // "stop_token", "stop_string", "max_tokens", "context", "cancelled"
    int trimmedMessages = 0; // oldest messages left out of the prompt so far
    Json toJson() const;
};

struct TurnResult {
    std::string text; // the assistant's reply, raw (stop token/string excluded)
    std::vector<std::int32_t> ids;
    TurnStats stats;
    std::vector<ProposedToolCall> toolCalls; // from the hook, if any
    std::vector<std::string> notes;          // user-visible notes (e.g. turns trimmed to fit the context)
};

struct BestOfResult {
    std::vector<TurnResult> samples;
    std::vector<std::string> answers; // normalised final answers, one per sample
    int chosen = 0;                   // index of the first sample with the majority answer
    int votes = 0;                    // samples agreeing with it
};

// Text deltas as they are decoded (never a partial UTF-8 character); returning false cancels.
using TextCallback = std::function<bool(const std::string& delta)>;

// Sampling defaults from a model folder's generation_config.json (temperature, top_k, top_p, min_p,
// repetition_penalty; do_sample false means greedy), over `base` for what it leaves out.
SamplingParams defaultSampling(const std::string& modelPath, SamplingParams base = {});

// The final answer of a reply, normalised for voting: its last number (commas dropped, trailing zeros of a
// decimal removed), else its last non-empty line lowercased with spaces collapsed and end punctuation cut.
std::string normalizeAnswer(const std::string& text);

class ChatSession {
public:
    // The template comes from options.templateSource, else the model's tokenizer (chat_template); throws
    // hone::Error saying to pass a template when there is none.
    ChatSession(std::shared_ptr<LanguageModel> model, tok::Tokenizer tokenizer, ChatSessionOptions options);
    ~ChatSession();
    ChatSession(const ChatSession&) = delete;
    ChatSession& operator=(const ChatSession&) = delete;

    // Applies `adapter` from the next turn on (nullptr removes it); the base weights stay loaded. Its chat
    // template and added tokens are used unless the options name a template.
    void setAdapter(std::shared_ptr<const InferenceAdapter> adapter);
    const InferenceAdapter* adapter() const { return adapter_.get(); }

    void setSystem(const std::string& text);
    // Replaces the conversation (reloading a stored chat); the KV cache is kept and reused where it matches.
    void setMessages(std::vector<ChatMessage> messages);
    const std::vector<ChatMessage>& messages() const { return messages_; }
    // Replaces the last message (the agent loop turns a reply into the assistant message with its tool calls)
    // and appends one without generating (tool results); unlike setMessages, the prompt's trim point is kept,
    // so older turns left out to fit the context stay out without being counted and reported again.
    void replaceLast(ChatMessage message);
    void append(ChatMessage message);
    void setToolCallHook(std::shared_ptr<const ToolCallHook> hook) { hook_ = std::move(hook); }
    ChatSessionOptions& options() { return opt_; }
    const tok::Tokenizer& tokenizer() const { return tok_; }

    // Appends a user message and generates the assistant's reply (appended too, with its timings).
    TurnResult send(const std::string& userText, const TextCallback& onText = {});
    // Appends `message` (e.g. a tool result) and generates the reply.
    TurnResult send(ChatMessage message, const TextCallback& onText = {});
    // N replies to a user message, sharing its prefill (each later sample re-prefills only the last prompt
    // token from the cached prompt); the majority answer's sample is appended to the conversation.
    BestOfResult bestOf(const std::string& userText, int n);

    // Stops the running generation at the next token (safe from another thread or a signal handler).
    void cancel() { cancelled_.store(true); }

    // The prompt text of the conversation as it would be sent now (tests, debugging).
    std::string renderPrompt() const;
    const InferenceSession& inference() const;

private:
    struct Impl;
    TurnResult generateReply(const TextCallback& onText, std::uint64_t seed);
    std::uint64_t nextSeed();
    std::vector<std::int32_t> buildPrompt(std::vector<std::string>& notes);
    std::string render(std::size_t from) const;
    void refreshTemplate();

    std::shared_ptr<LanguageModel> model_;
    tok::Tokenizer baseTok_, tok_;
    ChatSessionOptions opt_;
    std::shared_ptr<const InferenceAdapter> adapter_;
    std::shared_ptr<const ToolCallHook> hook_;
    std::vector<ChatMessage> messages_;
    std::size_t trimFrom_ = 0;       // first non-system message included in the prompt
    std::uint64_t samplesDrawn_ = 0; // replies sampled so far (each takes the next seed)
    std::atomic<bool> cancelled_{false};
    std::unique_ptr<Impl> impl_;
};

} // namespace hone
