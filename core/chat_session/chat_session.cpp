// ChatSession: template rendering, prefix-reusing prefill, streaming with stop strings, trimming, best-of-N.
#include "chat_session/chat_session.h"

#include "chat/template.h"
#include "chat_session/inference_adapter.h"
#include "common/error.h"
#include "common/mapped_file.h"
#include "data/builtin_templates.h"
#include "infer/generator.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

namespace hone {

namespace {

// End-of-turn tokens of common chat formats; those the vocabulary has as special tokens stop a reply.
const char* const kEndOfTurnTokens[] = {"<|im_end|>",    "<|eot_id|>", "<end_of_turn>", "<|end|>",
                                        "<|endoftext|>", "</s>",       "<|eom_id|>"};

// Length of the longest suffix of `text` that is a proper prefix of one of `stops`.
std::size_t pendingStopPrefix(const std::string& text, const std::vector<std::string>& stops) {
    std::size_t best = 0;
    for (const auto& s : stops)
        for (std::size_t n = std::min(s.size() - (s.empty() ? 0 : 1), text.size()); n > best; --n)
            if (text.compare(text.size() - n, n, s, 0, n) == 0) {
                best = n;
                break;
            }
    return best;
}

std::string collapseSpaces(const std::string& s) {
    std::string out;
    bool space = false;
    for (unsigned char c : s) {
        if (std::isspace(c)) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += static_cast<char>(std::tolower(c));
    }
    return out;
}

} // namespace

Json TurnStats::toJson() const {
    return {{"prompt_tokens", promptTokens},
            {"prefilled", prefilled},
            {"reused", reused},
            {"generated_tokens", generatedTokens},
            {"ttft_ms", ttftMs},
            {"prefill_ms", prefillMs},
            {"decode_tokens_per_s", decodeTokensPerS},
            {"stop_reason", stopReason},
            {"trimmed_messages", trimmedMessages}};
}

SamplingParams defaultSampling(const std::string& modelPath, SamplingParams base) {
    const auto file = std::filesystem::path(modelPath) / "generation_config.json";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return base;
    Json g;
    try {
        g = Json::parse(readTextFile(file.string(), std::size_t(1) << 20));
    } catch (const Json::exception& e) {
        throw Error(file.string() + " is not valid JSON (" + e.what() + "); fix or remove it");
    }
    if (!g.is_object()) return base;
    auto num = [&](const char* key, double fallback) {
        return g.contains(key) && g[key].is_number() ? g[key].get<double>() : fallback;
    };
    base.temperature = num("temperature", base.temperature);
    base.topK = static_cast<int>(num("top_k", base.topK));
    base.topP = num("top_p", base.topP);
    base.minP = num("min_p", base.minP);
    base.repeatPenalty = num("repetition_penalty", base.repeatPenalty);
    // transformers samples only with do_sample true; otherwise it decodes greedily.
    if (!(g.contains("do_sample") && g["do_sample"].is_boolean() && g["do_sample"].get<bool>()))
        base.temperature = 0;
    return base;
}

std::string normalizeAnswer(const std::string& text) {
    // The last number: digits with optional sign, thousands commas and a decimal part.
    std::string last;
    for (std::size_t i = 0; i < text.size();) {
        const bool digit = std::isdigit(static_cast<unsigned char>(text[i])) != 0;
        if (!digit) {
            ++i;
            continue;
        }
        std::size_t j = i;
        std::string n = (i > 0 && text[i - 1] == '-') ? "-" : "";
        while (j < text.size()) {
            const char c = text[j];
            if (std::isdigit(static_cast<unsigned char>(c))) {
                n += c;
            } else if ((c == ',' || c == '.') && j + 1 < text.size() &&
                       std::isdigit(static_cast<unsigned char>(text[j + 1]))) {
                if (c == '.') n += c;
            } else {
                break;
            }
            ++j;
        }
        if (n.find('.') != std::string::npos) {
            while (n.back() == '0') n.pop_back();
            if (n.back() == '.') n.pop_back();
        }
        last = n;
        i = j;
    }
    if (!last.empty()) return last;
    std::string line;
    std::size_t end = text.size();
    while (line.empty() && end > 0) {
        const std::size_t nl = text.rfind('\n', end - 1);
        const std::size_t begin = nl == std::string::npos ? 0 : nl + 1;
        line = collapseSpaces(text.substr(begin, end - begin));
        end = nl == std::string::npos ? 0 : nl;
    }
    while (!line.empty() && std::string(".!?;:").find(line.back()) != std::string::npos) line.pop_back();
    return line;
}

struct ChatSession::Impl {
    explicit Impl(std::shared_ptr<LanguageModel> model)
        : session(std::move(model)) {}
    InferenceSession session;
    std::optional<jinja::Template> tpl;
    std::vector<std::int32_t> stopIds;
    std::vector<std::string> stopStrings;
    std::optional<std::string> bos, eos;
};

ChatSession::ChatSession(std::shared_ptr<LanguageModel> model, tok::Tokenizer tokenizer,
                         ChatSessionOptions options)
    : model_(std::move(model))
    , baseTok_(tokenizer)
    , tok_(std::move(tokenizer))
    , opt_(std::move(options))
    , impl_(std::make_unique<Impl>(model_)) {
    refreshTemplate();
}

ChatSession::~ChatSession() = default;

const InferenceSession& ChatSession::inference() const {
    return impl_->session;
}

void ChatSession::refreshTemplate() {
    std::string source;
    std::string endOfTurn;
    if (opt_.templateSource) {
        source = *opt_.templateSource;
    } else if (adapter_ && !adapter_->templateSource().empty()) {
        source = adapter_->templateSource();
        for (const auto& b : data::builtinTemplates())
            if (b.name == adapter_->templateName()) endOfTurn = b.endOfTurn;
    } else {
        source = baseTok_.chatTemplate();
    }
    if (source.empty())
        throw Error("the model " + model_->path() +
                    " has no chat template; pass one (--template alpaca|chatml|FILE.jinja) or use an adapter "
                    "trained with one");
    impl_->tpl.emplace(source);
    tok_ = adapter_ ? adapter_->adaptTokenizer(baseTok_) : baseTok_;

    auto& ids = impl_->stopIds;
    ids = model_->config().eosTokenIds;
    if (auto e = tok_.eosId()) ids.push_back(*e);
    for (const char* t : kEndOfTurnTokens)
        if (auto id = tok_.tokenToId(t); id && tok_.isSpecial(*id)) ids.push_back(*id);
    impl_->stopStrings = opt_.stopStrings;
    if (!endOfTurn.empty()) {
        const auto eot = tok_.encode(endOfTurn, {false, true});
        if (eot.size() == 1)
            ids.push_back(eot[0]);
        else
            impl_->stopStrings.push_back(endOfTurn);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    impl_->bos = tok_.bosId() ? tok_.idToToken(*tok_.bosId()) : std::nullopt;
    impl_->eos = tok_.eosId() ? tok_.idToToken(*tok_.eosId()) : std::nullopt;
}

void ChatSession::setAdapter(std::shared_ptr<const InferenceAdapter> adapter) {
    if (adapter && adapter->vocabSize() < model_->config().vocabSize)
        throw Error("the adapter " + adapter->folder() + " does not fit this model's vocabulary");
    auto previous = adapter_;
    adapter_ = std::move(adapter);
    try {
        refreshTemplate(); // may refuse (no template, tokens that do not fit): keep the old state then
    } catch (...) {
        adapter_ = std::move(previous);
        refreshTemplate();
        throw;
    }
    impl_->session.setAdapter(adapter_ ? adapter_->tensors() : nullptr);
}

void ChatSession::setSystem(const std::string& text) {
    if (!messages_.empty() && messages_.front().role == "system") {
        messages_.front().content = text;
    } else {
        messages_.insert(messages_.begin(), ChatMessage{"system", text, nullptr, nullptr, nullptr});
        if (trimFrom_ > 0) ++trimFrom_;
    }
}

void ChatSession::setMessages(std::vector<ChatMessage> messages) {
    messages_ = std::move(messages);
    trimFrom_ = 0;
}

void ChatSession::replaceLast(ChatMessage message) {
    if (messages_.empty()) throw Error("the conversation is empty; there is no last message to replace");
    messages_.back() = std::move(message);
}

void ChatSession::append(ChatMessage message) {
    messages_.push_back(std::move(message));
}

std::string ChatSession::render(std::size_t from) const {
    OrderedJson ctx = OrderedJson::object();
    OrderedJson msgs = OrderedJson::array();
    for (std::size_t i = 0; i < messages_.size(); ++i) {
        const auto& m = messages_[i];
        if (i < from && m.role != "system") continue;
        OrderedJson j = {{"role", m.role}, {"content", m.content}};
        if (!m.toolCalls.is_null()) j["tool_calls"] = OrderedJson::parse(m.toolCalls.dump());
        if (m.fields.is_object())
            for (const auto& [key, value] : m.fields.items())
                if (!j.contains(key)) j[key] = OrderedJson::parse(value.dump());
        msgs.push_back(std::move(j));
    }
    ctx["messages"] = std::move(msgs);
    ctx["add_generation_prompt"] = true;
    if (opt_.tools.is_array() && !opt_.tools.empty()) ctx["tools"] = OrderedJson::parse(opt_.tools.dump());
    if (impl_->bos) ctx["bos_token"] = *impl_->bos;
    if (impl_->eos) ctx["eos_token"] = *impl_->eos;
    return impl_->tpl->render(ctx);
}

std::string ChatSession::renderPrompt() const {
    return render(trimFrom_);
}

std::vector<std::int32_t> ChatSession::buildPrompt(std::vector<std::string>& notes) {
    const int ctx = impl_->session.contextLength();
    const int reserve = std::max(1, std::min(opt_.maxTokens, ctx / 4));
    const std::size_t before = trimFrom_;
    for (;;) {
        auto ids = tok_.encode(render(trimFrom_), {false, true});
        if (static_cast<int>(ids.size()) + reserve <= ctx) {
            if (trimFrom_ > before) {
                int dropped = 0;
                for (std::size_t i = 0; i < trimFrom_; ++i) dropped += messages_[i].role != "system";
                notes.push_back("left the " + std::to_string(dropped) +
                                " oldest messages out of the prompt to fit the model's context of " +
                                std::to_string(ctx) + " tokens");
            }
            return ids;
        }
        // Drop the oldest turn: its user message and everything up to the next user message.
        std::size_t next = trimFrom_;
        while (next < messages_.size() && messages_[next].role == "system") ++next;
        ++next;
        while (next < messages_.size() && messages_[next].role != "user") ++next;
        if (next >= messages_.size())
            throw Error("the last message makes a prompt of " + std::to_string(ids.size()) +
                        " tokens, which leaves no room in the model's context of " + std::to_string(ctx) +
                        " tokens for a reply of " + std::to_string(reserve) +
                        " tokens; shorten the message or the system prompt");
        trimFrom_ = next;
    }
}

TurnResult ChatSession::generateReply(const TextCallback& onText, std::uint64_t seed) {
    if (messages_.empty()) throw Error("the conversation is empty; send a message first");
    cancelled_.store(false);
    TurnResult out;
    const auto prompt = buildPrompt(out.notes);
    SamplingParams sp = opt_.sampling;
    sp.seed = seed;
    Sampler sampler(sp);
    if (opt_.replyProcessor)
        if (auto p = opt_.replyProcessor()) sampler.addProcessor(std::move(p));
    StopConditions stop;
    stop.maxTokens = opt_.maxTokens;
    stop.stopIds = impl_->stopIds;
    const auto& stops = impl_->stopStrings;

    tok::StreamDecoder stream(tok_);
    std::string text;
    std::size_t emitted = 0;
    bool stopString = false, callerStopped = false;
    auto emit = [&](std::size_t upTo) {
        if (upTo <= emitted) return true;
        const bool go = !onText || onText(text.substr(emitted, upTo - emitted));
        emitted = upTo;
        return go;
    };
    auto onToken = [&](std::int32_t id) {
        if (cancelled_.load()) return false;
        if (std::binary_search(impl_->stopIds.begin(), impl_->stopIds.end(), id)) return true;
        text += stream.step(id);
        std::size_t cut = std::string::npos;
        for (const auto& s : stops)
            if (!s.empty()) cut = std::min(cut, text.find(s));
        if (cut != std::string::npos) {
            text.resize(cut);
            stopString = true;
            emit(text.size());
            return false;
        }
        if (!emit(text.size() - pendingStopPrefix(text, stops))) {
            callerStopped = true;
            return false;
        }
        return true;
    };
    GenerationResult r = generate(impl_->session, prompt, sampler, stop, nullptr, onToken);
    if (!stopString) {
        if (r.stopReason != "cancelled") text += stream.flush();
        emit(text.size());
    }
    out.text = text;
    out.ids = r.ids;
    auto& s = out.stats;
    s.promptTokens = r.promptTokens;
    s.prefilled = r.prefillProcessed;
    s.reused = r.promptTokens - r.prefillProcessed;
    s.generatedTokens = static_cast<int>(r.ids.size());
    s.ttftMs = r.ttftMs;
    s.prefillMs = r.prefillMs;
    s.decodeTokensPerS = r.decodeTokensPerS();
    s.stopReason = stopString ? "stop_string" : r.stopReason;
    (void)callerStopped;
    for (std::size_t i = 0; i < trimFrom_; ++i) s.trimmedMessages += messages_[i].role != "system";
    if (hook_) out.toolCalls = hook_->toolCalls(out.text);
    return out;
}

namespace {
Json toolCallsJson(const std::vector<ProposedToolCall>& calls) {
    if (calls.empty()) return nullptr;
    Json arr = Json::array();
    for (const auto& c : calls)
        arr.push_back({{"id", c.id},
                       {"type", "function"},
                       {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
    return arr;
}
} // namespace

std::uint64_t ChatSession::nextSeed() {
    // The session's seed for its first reply, then one more per reply: a regenerated or repeated prompt gets
    // a new sample, and the whole conversation stays reproducible from the seed.
    return opt_.sampling.seed + samplesDrawn_++;
}

TurnResult ChatSession::send(ChatMessage message, const TextCallback& onText) {
    messages_.push_back(std::move(message));
    TurnResult r = generateReply(onText, nextSeed());
    messages_.push_back({"assistant", r.text, toolCallsJson(r.toolCalls), r.stats.toJson(), nullptr});
    return r;
}

TurnResult ChatSession::send(const std::string& userText, const TextCallback& onText) {
    return send(ChatMessage{"user", userText, nullptr, nullptr, nullptr}, onText);
}

BestOfResult ChatSession::bestOf(const std::string& userText, int n) {
    if (n < 1) throw Error("best-of needs at least 1 sample (got " + std::to_string(n) + ")");
    messages_.push_back({"user", userText, nullptr, nullptr, nullptr});
    BestOfResult b;
    std::map<std::string, int> counts;
    for (int i = 0; i < n; ++i) {
        b.samples.push_back(generateReply({}, nextSeed()));
        b.answers.push_back(normalizeAnswer(b.samples.back().text));
        ++counts[b.answers.back()];
    }
    for (int i = 0; i < n; ++i) {
        const int c = counts[b.answers[static_cast<std::size_t>(i)]];
        if (c > b.votes) b.votes = c, b.chosen = i;
    }
    const TurnResult& w = b.samples[static_cast<std::size_t>(b.chosen)];
    Json timings = w.stats.toJson();
    timings["best_of"] = n;
    timings["votes"] = b.votes;
    messages_.push_back({"assistant", w.text, toolCallsJson(w.toolCalls), timings, nullptr});
    return b;
}

} // namespace hone
