// `hone template render|check`: render a chat template over a JSON context exactly as transformers'
// apply_chat_template does, or sanity-check a template (generation prompt, end-of-turn text, per-call
// content).
#include "commands.h"

#include "chat/assistant_masks.h"
#include "chat/gguf_templates.h"
#include "chat/template.h"
#include "chat/template_check.h"
#include "chat/template_source.h"
#include "common/error.h"
#include "common/json.h"
#include "model/gguf_file.h"

#include <cstdio>
#include <optional>

namespace hone::cli {

namespace {

struct Loaded {
    jinja::ChatTemplateSet set;
    std::optional<jinja::ModelTokens> tokens;
};

Loaded loadTemplates(const Args& args) {
    auto model = args.get("model");
    auto file = args.get("template");
    if (model && file) throw Error("give either --model PATH or --template FILE, not both");
    if (!model && !file)
        throw Error(
            "missing --model PATH (a folder with tokenizer_config.json, or a .gguf) or --template FILE");
    Loaded l;
    if (file) {
        l.set = jinja::loadTemplateFile(*file);
    } else if (jinja::isGgufPath(*model)) {
        const GgufFile gguf = GgufFile::open(*model);
        l.set = jinja::loadGgufTemplates(gguf);
        l.tokens = jinja::loadGgufTokens(gguf);
    } else {
        l.set = jinja::loadModelTemplates(*model);
        l.tokens = jinja::loadModelTokens(*model);
    }
    return l;
}

void printJson(const OrderedJson& j) {
    std::string s = j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
}

int render(Args& args) {
    args.check({"model", "template", "context", "name", "json", "masks", "now"});
    Loaded l = loadTemplates(args);
    std::string ctxPath = args.require("context");
    OrderedJson ctx;
    try {
        ctx = OrderedJson::parse(jinja::readTextFile(ctxPath));
    } catch (const OrderedJson::exception& e) {
        throw Error(ctxPath + " is not valid JSON: " + e.what());
    }
    if (!ctx.is_object())
        throw Error(ctxPath + " must hold a JSON object whose keys become template variables");
    if (l.tokens) {
        if (!ctx.contains("bos_token") && l.tokens->bosToken) ctx["bos_token"] = *l.tokens->bosToken;
        if (!ctx.contains("eos_token") && l.tokens->eosToken) ctx["eos_token"] = *l.tokens->eosToken;
    }
    bool hasTools = ctx.contains("tools") && !ctx["tools"].is_null();
    const auto& named = l.set.select(args.get("name"), hasTools);
    jinja::Template tpl(named.text);
    jinja::RenderOptions opts;
    if (auto now = args.get("now")) opts.nowEpochSeconds = args.getInt("now", 0);
    if (args.flag("masks")) {
        auto m = jinja::assistantSpans(tpl, ctx, opts);
        OrderedJson out;
        out["text"] = m.text;
        out["method"] = m.method;
        out["consistent"] = m.consistent;
        OrderedJson spans = OrderedJson::array();
        for (const auto& s : m.spans) spans.push_back({s.begin, s.end});
        out["assistant_spans"] = spans;
        out["problems"] = m.problems;
        printJson(out);
        return 0;
    }
    std::string text = tpl.render(ctx, opts);
    if (args.flag("json")) {
        OrderedJson out;
        out["text"] = text;
        printJson(out);
    } else {
        std::fwrite(text.data(), 1, text.size(), stdout);
    }
    return 0;
}

int check(Args& args) {
    args.check({"model", "template", "name", "json"});
    Loaded l = loadTemplates(args);
    const auto& named = l.set.select(args.get("name"), false);
    jinja::Template tpl(named.text);
    auto c = jinja::checkTemplate(tpl, l.tokens);
    if (args.flag("json")) {
        OrderedJson out;
        out["template"] = named.name;
        out["generation_prompt"] = c.generationPrompt;
        out["end_of_turn"] = c.endOfTurn;
        if (c.endOfTurnIsStop) {
            out["end_of_turn_is_stop_token"] = *c.endOfTurnIsStop;
            out["stop_token"] = c.matchedStopToken;
        }
        out["per_call_content"] = c.perCallContent;
        if (c.perCallContent) out["per_call_example"] = c.perCallExample;
        out["warnings"] = c.warnings;
        printJson(out);
        return 0;
    }
    auto quoted = [](const std::string& s) {
        return OrderedJson(s).dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
    };
    std::printf("template:          %s (%s)\n", named.name.c_str(), l.set.origin.c_str());
    std::printf("generation prompt: %s\n", quoted(c.generationPrompt).c_str());
    std::printf("end of turn:       %s", quoted(c.endOfTurn).c_str());
    if (c.endOfTurnIsStop) {
        if (*c.endOfTurnIsStop)
            std::printf("  (contains stop token %s)", quoted(c.matchedStopToken).c_str());
        else
            std::printf("  (contains NO stop token)");
    }
    std::printf("\nper-call content:  %s\n",
                c.perCallContent ? ("yes, e.g. " + quoted(c.perCallExample)).c_str() : "no");
    for (const auto& w : c.warnings) std::printf("warning: %s\n", w.c_str());
    return 0;
}

} // namespace

int cmdTemplate(Args& args) {
    const auto& pos = args.positionals();
    if (pos.size() != 1 || (pos[0] != "render" && pos[0] != "check"))
        throw Error(
            "usage: hone template render (--model PATH | --template FILE) --context FILE.json [--json] "
            "[--masks] | hone template check (--model PATH | --template FILE) [--json]");
    return pos[0] == "render" ? render(args) : check(args);
}

} // namespace hone::cli
