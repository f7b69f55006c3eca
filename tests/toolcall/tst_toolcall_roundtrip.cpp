// Round trips through the real chat templates in the fixtures: a conversation whose last assistant message
// carries tool calls (random names and arguments from a seeded generator: several calls, unicode, quotes,
// braces and the format's own markers inside strings) is rendered with the model's template; the assistant
// part of the rendered text is parsed with the format detected from that template, and must give back the
// same calls (and ids where the format carries them), content and reasoning, with no repair and no error.
#include "chat/template.h"
#include "chat/template_source.h"
#include "common/error.h"
#include "common/test_support.h"
#include "toolcall/format_detect.h"
#include "toolcall/tool_call.h"
#include "toolcall/tool_messages.h"

#include <random>

using hone::Json;
using hone::OrderedJson;
using hone::toolcall::Format;
using hone::toolcall::ToolCall;

namespace {

struct TemplateCase {
    const char* file;
    Format format;     // what detection must say
    int maxCalls;      // Llama 3.x templates take one call per message
    bool keepsContent; // the template renders the content of a message with tool calls
    bool carriesIds;   // the rendered calls hold their ids
    bool reasoning;    // render reasoning_content (Qwen 3)
    bool builtins;     // Llama 3.1 built-in tools (brave_search.call(...))
    const char* bos;
    const char* eos;
};

const TemplateCase kCases[] = {
    {"NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja", Format::Hermes, 4, false, false, false, false,
     "<|begin_of_text|>", "<|im_end|>"},
    {"NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja", Format::Hermes, 4, false, false, false, false,
     "<|begin_of_text|>", "<|im_end|>"},
    {"Qwen-Qwen2.5-7B-Instruct.jinja", Format::Hermes, 4, true, false, false, false, "", "<|im_end|>"},
    {"Qwen-Qwen3-0.6B.jinja", Format::Qwen3, 4, true, false, true, false, "", "<|im_end|>"},
    {"Qwen-QwQ-32B.jinja", Format::Qwen3, 4, true, false, false, false, "", "<|im_end|>"},
    {"meta-llama-Llama-3.1-8B-Instruct.jinja", Format::Llama3, 1, false, false, false, false,
     "<|begin_of_text|>", "<|eot_id|>"},
    {"meta-llama-Llama-3.1-8B-Instruct.jinja", Format::Llama3, 1, false, false, false, true,
     "<|begin_of_text|>", "<|eot_id|>"},
    {"meta-llama-Llama-3.2-3B-Instruct.jinja", Format::Llama3, 1, false, false, false, false,
     "<|begin_of_text|>", "<|eot_id|>"},
    {"meta-llama-Llama-3.3-70B-Instruct.jinja", Format::Llama3, 1, false, false, false, false,
     "<|begin_of_text|>", "<|eot_id|>"},
    {"mistralai-Mistral-Nemo-Instruct-2407.jinja", Format::Mistral, 4, false, true, false, false, "<s>",
     "</s>"},
    {"Mistral-Small-3.2-24B-Instruct-2506.jinja", Format::Mistral, 4, false, true, false, false, "<s>",
     "</s>"},
    {"unsloth-mistral-Devstral-Small-2507.jinja", Format::Mistral, 4, true, false, false, false, "<s>",
     "</s>"},
};

// Seeded generator of names, strings and argument objects that stress the parsers.
class Gen {
public:
    explicit Gen(uint64_t seed)
        : rng_(seed) {}

    int upTo(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    std::mt19937_64& rng() { return rng_; }

    std::string ident() {
        static const char* parts[] = {"get",    "weather", "search",  "web",  "run",  "code", "x",
                                      "lookup", "user",    "convert", "unit", "file", "read", "v2"};
        std::string s = parts[upTo(13)];
        for (int i = upTo(3); i > 0; --i) s += std::string("_") + parts[upTo(14)];
        return s;
    }

    // Prose-like text with unicode, quotes, backslashes, braces and markers of the formats.
    std::string text(bool tricky) {
        static const char* words[] = {"Paris", "Zürich", "東京", "naïve", "emoji 😀", "Ελλάδα",
                                      "a b",   "42",     "-1.5", "ok",    "the",     "café"};
        static const char* tricks[] = {
            "\"quoted\"",  "it's",           "back\\slash",  "{brace}",     "[list]",
            "line\nbreak", "tab\there",      "</tool_call>", "<tool_call>", "[TOOL_CALLS]",
            "[ARGS]",      "<|python_tag|>", "; semi",       "}}"};
        std::string s;
        for (int i = 1 + upTo(5); i > 0; --i) {
            if (!s.empty()) s += ' ';
            s += (tricky && upTo(3) == 0) ? tricks[upTo(14)] : words[upTo(12)];
        }
        return s;
    }

    OrderedJson value(int depth) {
        switch (upTo(depth > 1 ? 6 : 8)) {
        case 0:
        case 1:
            return text(true);
        case 2:
            return int64_t(upTo(2000000)) - 1000000;
        case 3:
            return upTo(2) == 0;
        case 4:
            return 0.25 * upTo(400);
        case 5:
            return nullptr;
        case 6: {
            OrderedJson a = OrderedJson::array();
            for (int i = upTo(4); i > 0; --i) a.push_back(value(depth + 1));
            return a;
        }
        default:
            return object(depth + 1);
        }
    }

    OrderedJson object(int depth) {
        OrderedJson o = OrderedJson::object();
        for (int i = upTo(4) + (depth == 0 ? 1 : 0); i > 0; --i) o[ident()] = value(depth);
        return o;
    }

private:
    std::mt19937_64 rng_;
};

std::string readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll().toStdString() : std::string();
}

OrderedJson toolsFor(const std::vector<ToolCall>& calls) {
    OrderedJson tools = OrderedJson::array();
    for (const auto& c : calls) {
        OrderedJson props = OrderedJson::object();
        for (const auto& [k, v] : c.arguments.items()) props[k] = {{"type", "string"}};
        tools.push_back({{"type", "function"},
                         {"function",
                          {{"name", c.name},
                           {"description", "Does " + c.name + "."},
                           {"parameters", {{"type", "object"}, {"properties", props}}}}}});
    }
    return tools;
}

Json plain(const OrderedJson& j) {
    return Json::parse(j.dump());
}

} // namespace

class TestToolcallRoundtrip : public QObject {
    Q_OBJECT
private slots:
    void roundTrip_data() {
        QTest::addColumn<int>("index");
        for (size_t i = 0; i < std::size(kCases); ++i)
            QTest::newRow(
                qPrintable(QString::fromUtf8(kCases[i].file) + (kCases[i].builtins ? " builtins" : "")))
                << int(i);
    }

    void roundTrip() {
        QFETCH(int, index);
        const TemplateCase& tc = kCases[index];
        const QString path = hone::test::fixture(QStringLiteral("templates/") + QString::fromUtf8(tc.file));
        HONE_REQUIRE_PATH(path);
        const std::string source = readFile(path);
        const Format format = hone::toolcall::detectFormat(source);
        QCOMPARE(hone::toolcall::formatName(format), hone::toolcall::formatName(tc.format));
        const hone::jinja::Template tpl(source);
        hone::jinja::RenderOptions opts;
        opts.nowEpochSeconds = 1'720'000'000;

        int totalCalls = 0;
        for (uint64_t seed = 1; seed <= 40; ++seed) {
            Gen gen(seed * 7919 + uint64_t(index));
            std::vector<ToolCall> calls(size_t(1 + gen.upTo(tc.maxCalls)));
            for (auto& c : calls) {
                if (tc.builtins) {
                    // Built-in calls render as name.call(query="...") without escaping: plain text values.
                    c.name = gen.upTo(2) == 0 ? "brave_search" : "wolfram_alpha";
                    c.arguments = {{"query", gen.text(false) + " \"x\" y, he said \"hi\", ok"}};
                } else {
                    c.name = gen.ident();
                    c.arguments = gen.object(0);
                }
            }
            hone::toolcall::assignCallIds(calls, format, gen.rng());
            const std::string content = tc.keepsContent && gen.upTo(2) == 0 ? gen.text(false) : std::string();
            const std::string reasoning =
                tc.reasoning ? "Thinking about " + gen.text(false) + "." : std::string();

            // An earlier round with a call and its result, then the message under test.
            ToolCall earlier;
            earlier.name = "lookup";
            earlier.arguments = {{"q", "first"}};
            std::vector<ToolCall> first{earlier};
            hone::toolcall::assignCallIds(first, format, gen.rng());
            OrderedJson messages = OrderedJson::array();
            messages.push_back({{"role", "user"}, {"content", "Look something up."}});
            messages.push_back(hone::toolcall::assistantMessage("", first));
            messages.push_back(hone::toolcall::toolResultMessage(first[0], "{\"found\": true}"));
            messages.push_back({{"role", "assistant"}, {"content", "Found it."}});
            messages.push_back({{"role", "user"}, {"content", "Now do the rest, " + gen.text(false)}});
            OrderedJson last = hone::toolcall::assistantMessage(content, calls);
            if (!reasoning.empty()) last["reasoning_content"] = reasoning;

            std::vector<ToolCall> allCalls = calls;
            allCalls.push_back(first[0]);
            OrderedJson ctx = {{"bos_token", tc.bos}, {"eos_token", tc.eos}, {"tools", toolsFor(allCalls)}};
            if (tc.builtins) ctx["builtin_tools"] = {"brave_search", "wolfram_alpha"};
            ctx["messages"] = messages;
            ctx["add_generation_prompt"] = false;
            const std::string prefix = tpl.render(ctx, opts);
            ctx["add_generation_prompt"] = true;
            const std::string withPrompt = tpl.render(ctx, opts);
            ctx["messages"].push_back(last);
            ctx["add_generation_prompt"] = false;
            const std::string full = tpl.render(ctx, opts);
            QVERIFY2(full.rfind(prefix, 0) == 0, "the conversation's rendering must extend its prefix's");
            std::string reply = full.substr(prefix.size());
            // Drop the generation prompt (the assistant header) as far as the reply repeats it.
            if (withPrompt.rfind(prefix, 0) == 0) {
                const std::string header = withPrompt.substr(prefix.size());
                size_t n = 0;
                while (n < header.size() && n < reply.size() && header[n] == reply[n]) ++n;
                // Only whole lines of a header that the reply does not fully repeat (QwQ's prompt adds
                // "<think>\n", its rendered history does not).
                if (n < header.size())
                    n = header.rfind('\n', n == 0 ? 0 : n - 1) == std::string::npos
                            ? 0
                            : header.rfind('\n', n - 1) + 1;
                reply.erase(0, n);
            }

            const auto r = hone::toolcall::parse(format, reply);
            const QString where =
                QStringLiteral("seed %1, reply:\n%2").arg(seed).arg(QString::fromStdString(reply));
            QVERIFY2(r.errors.empty(),
                     qPrintable(QString::fromStdString(r.errors.empty() ? "" : r.errors[0]) + "\n" + where));
            QVERIFY2(!r.repaired, qPrintable(where));
            QVERIFY2(r.calls.size() == calls.size(), qPrintable(where));
            for (size_t i = 0; i < calls.size(); ++i) {
                QVERIFY2(r.calls[i].name == calls[i].name, qPrintable(where));
                QVERIFY2(plain(r.calls[i].arguments) == plain(calls[i].arguments),
                         qPrintable(QString::fromStdString(r.calls[i].arguments.dump() + "\n" +
                                                           calls[i].arguments.dump() + "\n") +
                                    where));
                if (tc.carriesIds) QVERIFY2(r.calls[i].id == calls[i].id, qPrintable(where));
            }
            QCOMPARE(QString::fromStdString(r.content), QString::fromStdString(content));
            QCOMPARE(QString::fromStdString(r.reasoning), QString::fromStdString(reasoning));
            totalCalls += int(calls.size());
        }
        QVERIFY(totalCalls >= 40);
    }
};

QTEST_GUILESS_MAIN(TestToolcallRoundtrip)
#include "tst_toolcall_roundtrip.moc"
