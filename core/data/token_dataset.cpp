// Tokenization of training examples with target masks (see token_dataset.h).
#include "data/token_dataset.h"

#include "chat/assistant_masks.h"
#include "chat/template.h"
#include "common/error.h"
#include "common/parallel.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

namespace hone::data {

namespace {

constexpr std::size_t npos = std::string::npos;

std::size_t utf8Length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1;
}

// Sorted, merged, non-empty spans.
std::vector<jinja::TextSpan> normalizeSpans(std::vector<jinja::TextSpan> spans, std::size_t size) {
    std::vector<jinja::TextSpan> out;
    std::sort(spans.begin(), spans.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
    for (auto s : spans) {
        s.end = std::min(s.end, size);
        if (s.begin >= s.end) continue;
        if (!out.empty() && s.begin <= out.back().end)
            out.back().end = std::max(out.back().end, s.end);
        else
            out.push_back(s);
    }
    return out;
}

struct Marked {
    std::vector<int32_t> ids;
    std::vector<uint8_t> train;
    bool piecewise = false; // token offsets did not round-trip; encoded in pieces split at the spans
};

// Encodes `text` (no added special tokens, special tokens in the text parsed) and marks the tokens that
// overlap `spans` (normalized) as targets.
Marked encodeMarked(const tok::Tokenizer& tok, const std::string& text,
                    const std::vector<jinja::TextSpan>& spans, bool allTargets) {
    tok::EncodeOptions eo;
    eo.addSpecialTokens = false;
    eo.parseSpecial = true;
    Marked m;
    m.ids = tok.encode(text, eo);
    if (allTargets) {
        m.train.assign(m.ids.size(), 1);
        return m;
    }
    m.train.assign(m.ids.size(), 0);
    if (spans.empty()) return m;
    if (auto ranges = tokenByteRanges(tok, text, m.ids)) {
        std::size_t j = 0;
        for (std::size_t i = 0; i < m.ids.size(); ++i) {
            const ByteRange r = (*ranges)[i];
            if (r.begin < r.end) {
                while (j < spans.size() && spans[j].end <= r.begin) ++j;
                if (j < spans.size() && spans[j].begin < r.end) m.train[i] = 1;
            } else {
                while (j < spans.size() && spans[j].end <= r.begin) ++j;
                if (j < spans.size() && spans[j].begin <= r.begin) m.train[i] = 1;
            }
        }
        return m;
    }
    // Fallback: each piece between span boundaries on its own (tokenization at the seams may differ from
    // the whole text's).
    m.piecewise = true;
    m.ids.clear();
    m.train.clear();
    auto piece = [&](std::size_t b, std::size_t e, uint8_t target) {
        if (b >= e) return;
        const auto ids = tok.encode(std::string_view(text).substr(b, e - b), eo);
        m.ids.insert(m.ids.end(), ids.begin(), ids.end());
        m.train.insert(m.train.end(), ids.size(), target);
    };
    std::size_t pos = 0;
    for (const auto& s : spans) {
        piece(pos, s.begin, 0);
        piece(s.begin, s.end, 1);
        pos = s.end;
    }
    piece(pos, text.size(), 0);
    return m;
}

struct Outcome {
    std::optional<TokenizedExample> example;
    std::optional<Problem> problem;
    std::vector<Problem> notes;
    std::optional<std::size_t> length; // before truncation
};

struct Context {
    const tok::Tokenizer& tok;
    const jinja::Template* tpl;
    const TokenizeOptions& opt;
    std::optional<std::string> bosToken, eosToken;
};

void append(TokenizedExample& ex, const std::vector<int32_t>& ids, uint8_t target) {
    ex.ids.insert(ex.ids.end(), ids.begin(), ids.end());
    ex.train.insert(ex.train.end(), ids.size(), target);
}

void appendEos(const Context& c, TokenizedExample& ex) {
    const auto eos = c.tok.eosId();
    if (eos && (ex.ids.empty() || ex.ids.back() != *eos)) {
        ex.ids.push_back(*eos);
        ex.train.push_back(1);
    }
}

OrderedJson prefixContext(const OrderedJson& ctx, std::size_t count, bool generationPrompt) {
    OrderedJson c = ctx;
    OrderedJson& msgs = c["messages"];
    msgs.erase(msgs.begin() + static_cast<std::ptrdiff_t>(count), msgs.end());
    c["add_generation_prompt"] = generationPrompt;
    return c;
}

// The message index of an assistantSpans problem ("message N: ..."), or npos.
std::size_t problemMessage(const std::string& p) {
    static const std::string kPrefix = "message ";
    if (p.compare(0, kPrefix.size(), kPrefix) != 0) return npos;
    std::size_t i = kPrefix.size(), n = 0;
    if (i >= p.size() || p[i] < '0' || p[i] > '9') return npos;
    for (; i < p.size() && p[i] >= '0' && p[i] <= '9'; ++i) n = n * 10 + static_cast<std::size_t>(p[i] - '0');
    return i < p.size() && p[i] == ':' ? n : npos;
}

// An assistant turn prefix diffing could not place because the template renders the latest turn differently
// from past ones (Qwen3 adds an empty <think> block to the latest reply only; reasoning templates drop past
// reasoning). The turn starts where the conversation before it, with the generation prompt, ends; it ends
// after the longest tail of the turn rendered as the latest one that the full text has right there (the
// reply and its end-of-turn text). Returns an empty span when that does not hold up.
jinja::TextSpan locateTurnByItsTail(const jinja::Template& tpl, const OrderedJson& ctx,
                                    const std::string& full, std::size_t index) {
    const std::string before = tpl.render(prefixContext(ctx, index, true));
    const std::string latest = tpl.render(prefixContext(ctx, index + 1, false));
    if (full.compare(0, before.size(), before) != 0 || latest.compare(0, before.size(), before) != 0)
        return {};
    const std::size_t start = before.size();
    const std::string_view turn = std::string_view(latest).substr(start);
    std::size_t len = std::min(turn.size(), full.size() - start);
    for (; len > 0; --len)
        if (full.compare(start, len, turn.substr(turn.size() - len)) == 0) break;
    if (len == 0) return {};
    const std::string_view tail = turn.substr(turn.size() - len);
    const auto& content = ctx["messages"][index]["content"];
    if (content.is_string() && !content.get_ref<const std::string&>().empty()) {
        if (tail.find(content.get_ref<const std::string&>()) == std::string_view::npos) return {};
    } else if (2 * len < turn.size()) {
        return {};
    }
    return {start, start + len};
}

void tokenizeConversation(const Context& c, const Example& e, TokenizedExample& ex, Outcome& o) {
    const std::string invalid = validateConversation(e.messages);
    if (!invalid.empty()) {
        o.problem = Problem{e.line, invalid};
        return;
    }
    OrderedJson ctx = OrderedJson::object();
    ctx["messages"] = OrderedJson::parse(e.messages.dump());
    ctx["add_generation_prompt"] = false;
    if (c.bosToken) ctx["bos_token"] = *c.bosToken;
    if (c.eosToken) ctx["eos_token"] = *c.eosToken;
    const bool all = c.opt.trainOn == TrainOn::All;
    std::string text;
    std::vector<jinja::TextSpan> spans;
    auto render = [&] {
        if (all) {
            text = c.tpl->render(ctx);
            return;
        }
        jinja::AssistantSpans a = jinja::assistantSpans(*c.tpl, ctx);
        text = std::move(a.text);
        spans = std::move(a.spans);
        for (const auto& p : a.problems) {
            const std::size_t i = problemMessage(p);
            jinja::TextSpan s;
            if (i < ctx["messages"].size()) {
                try {
                    s = locateTurnByItsTail(*c.tpl, ctx, text, i);
                } catch (const Error&) {
                    s = {};
                }
            }
            if (s.end > s.begin)
                spans.push_back(s);
            else
                o.notes.push_back(Problem{e.line, "assistant turn not trained on: " + p});
        }
        spans = normalizeSpans(std::move(spans), text.size());
    };
    try {
        render();
    } catch (const Error& err) {
        // OpenAI-style tool-call turns carry "content": null, which templates such as Qwen3's cannot take
        // (`'x' in None`); transformers users pass "" there.
        bool nullContent = false;
        for (auto& m : ctx["messages"])
            if (m.contains("content") && m["content"].is_null()) {
                m["content"] = "";
                nullContent = true;
            }
        bool retried = false;
        if (nullContent) {
            o.notes.clear();
            spans.clear();
            try {
                render();
                retried = true;
                o.notes.push_back(Problem{e.line, "null message content rendered as \"\" (the chat template "
                                                  "fails on null: " +
                                                      std::string(err.what()) + ")"});
            } catch (const Error&) {
            }
        }
        if (!retried) {
            o.problem = Problem{e.line, std::string("the chat template failed: ") + err.what()};
            return;
        }
    }
    if (text.empty()) {
        o.problem = Problem{e.line, "the chat template rendered nothing for this conversation"};
        return;
    }
    Marked m = encodeMarked(c.tok, text, spans, all);
    if (m.piecewise)
        o.notes.push_back(Problem{e.line,
                                  "token offsets did not round-trip through the decoder; the text was "
                                  "encoded in pieces split at the assistant turns"});
    ex.ids = std::move(m.ids);
    ex.train = std::move(m.train);
}

void tokenizeText(const Context& c, const Example& e, TokenizedExample& ex) {
    tok::EncodeOptions eo;
    eo.addSpecialTokens = false;
    append(ex, c.tok.prefixIds(), 1);
    append(ex, c.tok.encode(e.text, eo), 1);
    append(ex, c.tok.suffixIds(), 1);
    appendEos(c, ex);
}

void tokenizeCompletion(const Context& c, const Example& e, TokenizedExample& ex, Outcome& o) {
    const bool all = c.opt.trainOn == TrainOn::All;
    append(ex, c.tok.prefixIds(), all ? 1 : 0);
    const std::string joined = e.prompt + e.completion;
    std::vector<jinja::TextSpan> spans;
    if (!e.completion.empty()) spans.push_back({e.prompt.size(), joined.size()});
    Marked m = encodeMarked(c.tok, joined, spans, all);
    if (m.piecewise)
        o.notes.push_back(Problem{e.line,
                                  "token offsets did not round-trip through the decoder; the prompt and "
                                  "the completion were encoded separately"});
    ex.ids.insert(ex.ids.end(), m.ids.begin(), m.ids.end());
    ex.train.insert(ex.train.end(), m.train.begin(), m.train.end());
    append(ex, c.tok.suffixIds(), 1);
    appendEos(c, ex);
}

void tokenizeOne(const Context& c, const Example& e, Outcome& o) {
    TokenizedExample ex;
    ex.line = e.line;
    try {
        switch (e.kind) {
        case Example::Kind::Conversation:
            tokenizeConversation(c, e, ex, o);
            break;
        case Example::Kind::Text:
            tokenizeText(c, e, ex);
            break;
        case Example::Kind::Completion:
            tokenizeCompletion(c, e, ex, o);
            break;
        }
    } catch (const std::exception& err) {
        o.problem = Problem{e.line, std::string("could not tokenize: ") + err.what()};
        return;
    }
    if (o.problem) return;
    if (!ex.train.empty()) ex.train[0] = 0; // nothing predicts the first token
    const std::size_t len = ex.ids.size();
    o.length = len;
    const auto maxLen = static_cast<std::size_t>(c.opt.maxSeqLen);
    if (len > maxLen) {
        if (c.opt.truncation == Truncation::Drop) {
            o.problem =
                Problem{e.line, std::to_string(len) + " tokens, longer than the maximum sequence length " +
                                    std::to_string(maxLen) + " (raise it, or truncate instead of dropping)"};
            return;
        }
        ex.ids.resize(maxLen);
        ex.train.resize(maxLen);
        ex.truncated = true;
    }
    if (std::find(ex.train.begin(), ex.train.end(), uint8_t(1)) == ex.train.end()) {
        std::string why = "no tokens to train on";
        if (ex.truncated)
            why += " after truncation to " + std::to_string(maxLen) + " tokens";
        else if (e.kind == Example::Kind::Conversation && !o.notes.empty())
            why += " (no assistant turn could be located in the rendered template)";
        o.problem = Problem{e.line, why};
        return;
    }
    o.example = std::move(ex);
}

} // namespace

TokenizedDataset tokenizeExamples(const std::vector<Example>& examples, const tok::Tokenizer& tok,
                                  const jinja::Template* chatTemplate, const TokenizeOptions& options) {
    if (options.maxSeqLen <= 0)
        throw Error("the maximum sequence length must be positive (got " + std::to_string(options.maxSeqLen) +
                    ")");
    if (!chatTemplate)
        for (const auto& e : examples)
            if (e.kind == Example::Kind::Conversation)
                throw Error("the dataset holds conversations (line " + std::to_string(e.line) +
                            ") but there is no chat template: the model has none, so choose a built-in one "
                            "(alpaca or chatml)");
    Context c{tok, chatTemplate, options, std::nullopt, std::nullopt};
    if (auto b = tok.bosId()) c.bosToken = tok.idToToken(*b);
    if (auto e = tok.eosId()) c.eosToken = tok.idToToken(*e);

    std::vector<Outcome> out(examples.size());
    unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    constexpr std::size_t kChunk = 16;
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, (examples.size() + kChunk - 1) / kChunk));
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (;;) {
            const std::size_t b = next.fetch_add(kChunk);
            if (b >= examples.size()) break;
            const std::size_t e = std::min(examples.size(), b + kChunk);
            for (std::size_t i = b; i < e; ++i) tokenizeOne(c, examples[i], out[i]);
        }
    };
    runOnThreads(threads, work);

    TokenizedDataset ds;
    std::vector<std::size_t> lengths;
    lengths.reserve(out.size());
    for (auto& o : out) {
        if (o.length) lengths.push_back(*o.length);
        for (auto& n : o.notes) ds.notes.push_back(std::move(n));
        if (o.problem) {
            ds.problems.push_back(std::move(*o.problem));
            ++ds.skipped;
            continue;
        }
        for (uint8_t t : o.example->train) ds.targetTokens += t;
        ds.examples.push_back(std::move(*o.example));
    }
    ds.lengths = computeLengthStats(std::move(lengths), static_cast<std::size_t>(options.maxSeqLen));
    return ds;
}

std::optional<std::vector<ByteRange>> tokenByteRanges(const tok::Tokenizer& tok, std::string_view text,
                                                      std::span<const int32_t> ids) {
    std::vector<ByteRange> ranges(ids.size());
    tok::StreamDecoder dec(tok, false);
    std::size_t pos = 0;
    std::size_t pending = 0; // first token whose output has not appeared yet
    // Matches decoder output against the text at pos; the range of bytes it covered.
    auto consume = [&](const std::string& s, ByteRange& r) {
        std::size_t begin = npos;
        for (std::size_t k = 0; k < s.size();) {
            if (pos < text.size() && text[pos] == s[k]) {
                if (begin == npos) begin = pos;
                ++pos;
                ++k;
            } else if (s[k] == ' ') {
                ++k; // a space the decoder shows but the text lacks (SentencePiece prefix space)
            } else if (pos == 0 && !text.empty() && text[0] == ' ') {
                ++pos; // a leading space the decoder strips
            } else {
                return false;
            }
        }
        r.begin = begin == npos ? pos : begin;
        r.end = pos;
        return true;
    };
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::string s = dec.step(ids[i]);
        if (s.empty()) continue;
        ByteRange r;
        if (!consume(s, r)) return std::nullopt;
        ranges[i] = r;
        // Tokens that held the first bytes of the character this one completes.
        const std::size_t firstEnd =
            r.end > r.begin ? std::min(r.end, r.begin + utf8Length(static_cast<unsigned char>(text[r.begin])))
                            : r.begin;
        for (std::size_t t = pending; t < i; ++t) ranges[t] = ByteRange{r.begin, firstEnd};
        pending = i + 1;
    }
    const std::string rest = dec.flush();
    if (!rest.empty()) {
        ByteRange r;
        if (!consume(rest, r)) return std::nullopt;
        for (std::size_t t = pending; t < ids.size(); ++t) ranges[t] = r;
        pending = ids.size();
    }
    for (std::size_t t = pending; t < ids.size(); ++t) ranges[t] = ByteRange{pos, pos};
    if (pos != text.size()) return std::nullopt;
    return ranges;
}

LengthStats computeLengthStats(std::vector<std::size_t> lengths, std::size_t maxSeqLen) {
    LengthStats s;
    s.count = lengths.size();
    if (lengths.empty()) return s;
    std::sort(lengths.begin(), lengths.end());
    s.min = lengths.front();
    s.max = lengths.back();
    s.median = lengths[(lengths.size() - 1) / 2];
    // Nearest rank: the smallest value with at least 95% of the values at or below it.
    const std::size_t rank = (lengths.size() * 95 + 99) / 100;
    s.p95 = lengths[std::max<std::size_t>(rank, 1) - 1];
    s.overMax =
        static_cast<std::size_t>(lengths.end() - std::upper_bound(lengths.begin(), lengths.end(), maxSeqLen));
    return s;
}

int32_t paddingId(const tok::Tokenizer& tok) {
    if (auto p = tok.padId()) return *p;
    if (auto e = tok.eosId()) return *e;
    return 0;
}

} // namespace hone::data
