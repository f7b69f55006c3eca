// Assistant masks by {% generation %} spans or by prefix diffing (see assistant_masks.h).
#include "chat/assistant_masks.h"

#include "common/error.h"

namespace hone::jinja {

namespace {

bool startsWith(const std::string& s, const std::string& p) {
    return s.compare(0, p.size(), p) == 0;
}

// The context with messages[:count] and add_generation_prompt = agp (values are shared, not copied).
Value prefixContext(const Value& context, size_t count, bool agp) {
    auto d = std::make_shared<DictData>(context.dict());
    const auto& all = context.dict().find(std::string_view("messages"))->items();
    d->set(Value("messages"),
           Value::list(std::vector<Value>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(count))));
    d->set(Value("add_generation_prompt"), Value(agp));
    return Value(std::move(d));
}

std::string renderPrefix(const Template& tpl, const Value& context, size_t count, bool agp,
                         const RenderOptions& options) {
    return tpl.render(prefixContext(context, count, agp), options);
}

} // namespace

AssistantSpans assistantSpans(const Template& tpl, const OrderedJson& context, const RenderOptions& options) {
    if (!context.is_object() || !context.contains("messages") || !context["messages"].is_array())
        throw Error("assistant masks need a context with a 'messages' list");
    const OrderedJson& messages = context["messages"];
    AssistantSpans r;
    const Value ctx = Value::fromJson(context);
    const Value full = prefixContext(ctx, messages.size(), false);
    if (tpl.hasGenerationBlocks()) {
        RenderResult rr = tpl.renderWithSpans(full, options);
        r.text = std::move(rr.text);
        r.spans = std::move(rr.generationSpans);
        r.method = "generation";
        return r;
    }
    r.method = "prefix-diff";
    r.text = tpl.render(full, options);
    for (size_t i = 0; i < messages.size(); ++i) {
        const auto& m = messages[i];
        if (!m.is_object() || !m.contains("role") || m["role"] != "assistant") continue;
        std::string before, upto;
        try {
            before = renderPrefix(tpl, ctx, i, true, options);
            upto = renderPrefix(tpl, ctx, i + 1, false, options);
        } catch (const Error& e) {
            r.consistent = false;
            r.problems.push_back("message " + std::to_string(i) +
                                 ": rendering the conversation up to it failed: " + e.what());
            continue;
        }
        if (!startsWith(upto, before)) {
            // Templates whose generation prompt opens a block the reply then drops (e.g. "<think>\n" that is
            // stripped from finished turns): the reply starts where the prompt and the finished turn diverge,
            // provided the conversation without the prompt is a prefix.
            std::string bare;
            try {
                bare = renderPrefix(tpl, ctx, i, false, options);
            } catch (const Error&) {
                bare = before + "\x01";
            }
            if (startsWith(upto, bare) && startsWith(r.text, upto)) {
                size_t common = bare.size();
                while (common < before.size() && common < upto.size() && before[common] == upto[common])
                    ++common;
                // Do not split a UTF-8 sequence.
                while (common > bare.size() && (static_cast<unsigned char>(upto[common]) & 0xC0) == 0x80)
                    --common;
                r.notes.push_back(
                    "message " + std::to_string(i) +
                    ": the generation prompt is not a prefix of the finished turn; the reply was "
                    "located where they diverge");
                if (upto.size() > common) r.spans.push_back({common, upto.size()});
                continue;
            }
            r.consistent = false;
            r.problems.push_back(
                "message " + std::to_string(i) +
                ": the conversation before it, with the generation prompt, is not a prefix of the "
                "conversation that includes it");
            continue;
        }
        if (!startsWith(r.text, upto)) {
            r.consistent = false;
            r.problems.push_back(
                "message " + std::to_string(i) +
                ": the template renders earlier turns differently once later messages are added "
                "(e.g. it drops reasoning from past turns)");
            continue;
        }
        if (upto.size() > before.size()) r.spans.push_back({before.size(), upto.size()});
    }
    return r;
}

} // namespace hone::jinja
