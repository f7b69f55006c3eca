// Template sanity checks (see template_check.h).
#include "chat/template_check.h"

#include "common/error.h"

namespace hone::jinja {

namespace {

constexpr const char* kReply = "HONE_PROBE_REPLY_7f3a";

OrderedJson probeContext(const std::optional<ModelTokens>& tokens, int turns, bool withSystem = true) {
    OrderedJson ctx = OrderedJson::object();
    OrderedJson msgs = OrderedJson::array();
    if (withSystem) msgs.push_back({{"role", "system"}, {"content", "You are a helpful assistant."}});
    msgs.push_back({{"role", "user"}, {"content", "Hello there."}});
    if (turns > 1) msgs.push_back({{"role", "assistant"}, {"content", kReply}});
    if (turns > 2) msgs.push_back({{"role", "user"}, {"content", "Thanks."}});
    ctx["messages"] = msgs;
    ctx["add_generation_prompt"] = false;
    ctx["bos_token"] = tokens && tokens->bosToken ? *tokens->bosToken : std::string("<s>");
    ctx["eos_token"] = tokens && tokens->eosToken ? *tokens->eosToken : std::string("</s>");
    return ctx;
}

std::string firstDifference(const std::string& a, const std::string& b) {
    size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    size_t from = i > 30 ? i - 30 : 0;
    // Do not cut UTF-8 sequences.
    while (from > 0 && (static_cast<unsigned char>(a[from]) & 0xC0) == 0x80) --from;
    std::string snippet = a.substr(from, 60);
    while (!snippet.empty() && (static_cast<unsigned char>(snippet.back()) & 0xC0) == 0x80)
        snippet.pop_back();
    if (!snippet.empty() && (static_cast<unsigned char>(snippet.back()) & 0xC0) == 0xC0) snippet.pop_back();
    return snippet;
}

} // namespace

TemplateCheck checkTemplate(const Template& tpl, const std::optional<ModelTokens>& tokens) {
    TemplateCheck c;
    RenderOptions opts;
    opts.nowEpochSeconds = 1700000000;
    // Generation prompt: the conversation ending in a user turn, with and without add_generation_prompt.
    try {
        OrderedJson ctx = probeContext(tokens, 1);
        std::string without = tpl.render(ctx, opts);
        ctx["add_generation_prompt"] = true;
        std::string with = tpl.render(ctx, opts);
        if (with.compare(0, without.size(), without) == 0) {
            c.generationPrompt = with.substr(without.size());
            if (c.generationPrompt.empty())
                c.warnings.push_back(
                    "add_generation_prompt adds nothing (fine if the user turn already ends where "
                    "the reply starts)");
        } else {
            c.warnings.push_back("add_generation_prompt changes earlier text instead of appending a prompt");
        }
    } catch (const Error& e) {
        c.warnings.push_back(std::string("rendering a system+user probe failed: ") + e.what());
    }
    // End of turn: what follows the assistant reply, in a conversation that continues with a user turn.
    try {
        OrderedJson ctx = probeContext(tokens, 3);
        std::string text = tpl.render(ctx, opts);
        auto at = text.find(kReply);
        if (at == std::string::npos) {
            c.warnings.push_back("the assistant reply does not appear in the rendered text");
        } else {
            // The end of turn is what follows the reply when the conversation ends with it.
            OrderedJson two = probeContext(tokens, 2);
            std::string endText = tpl.render(two, opts);
            auto at2 = endText.find(kReply);
            if (at2 != std::string::npos) c.endOfTurn = endText.substr(at2 + std::string(kReply).size());
            if (c.endOfTurn.empty())
                c.warnings.push_back("the template emits nothing after an assistant reply");
        }
    } catch (const Error& e) {
        c.warnings.push_back(std::string("rendering a probe with an assistant reply failed: ") + e.what());
    }
    if (tokens) {
        c.endOfTurnIsStop = false;
        for (const auto& s : tokens->stopTokens) {
            if (!s.empty() && c.endOfTurn.find(s) != std::string::npos) {
                c.endOfTurnIsStop = true;
                c.matchedStopToken = s;
                break;
            }
        }
        if (!*c.endOfTurnIsStop)
            c.warnings.push_back(
                "the end-of-turn text contains none of the model's EOS/stop tokens: generation "
                "may not stop after a reply");
    }
    // Per-call content: different clocks and date strings must not change the prompt (with and without a
    // system message: many templates put the date in their default system prompt).
    for (bool withSystem : {true, false}) {
        if (c.perCallContent) break;
        try {
            OrderedJson ctx = probeContext(tokens, 3, withSystem);
            RenderOptions a = opts, b = opts;
            a.nowEpochSeconds = 1700000000; // 2023-11-14
            b.nowEpochSeconds = 1800000000; // 2027-01-15
            ctx["date_string"] = "14 Nov 2023";
            std::string ta = tpl.render(ctx, a);
            ctx["date_string"] = "15 Jan 2027";
            std::string tb = tpl.render(ctx, b);
            if (ta != tb) {
                c.perCallContent = true;
                c.perCallExample = firstDifference(ta, tb);
                c.warnings.push_back(
                    std::string("the prompt changes with the current date (strftime_now/date_string)") +
                    (withSystem ? "" : " when no system message is given") +
                    ": it defeats KV-cache reuse across calls");
            }
        } catch (const Error& e) {
            c.warnings.push_back(std::string("rendering with different clocks failed: ") + e.what());
        }
    }
    return c;
}

} // namespace hone::jinja
