// ChatSession on the stories260K fixture (greedy unless said): a later turn prefills only the tokens after
// the prefix it shares with the cache and continues exactly like a from-scratch session; streamed deltas
// add up to the reply; stop strings, cancellation, trimming to the context, best-of-N sharing the prefill,
// and an adapter's template and added tokens.
#include "chat_session/chat_session.h"
#include "chat_session/inference_adapter.h"
#include "common/error.h"
#include "common/test_support.h"
#include "data/builtin_templates.h"
#include "device/compute_device.h"
#include "peft_writer.h"

using namespace hone;

namespace {

std::size_t commonPrefix(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b) {
    std::size_t n = 0;
    while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
    return n;
}

const char* const kUserTurns[] = {"Tell me a story about a cat.", "What did the cat eat?",
                                  "Where did Lily go?", "Was the dog happy?"};

} // namespace

class TstChatSession : public QObject {
    Q_OBJECT
    std::shared_ptr<LanguageModel> model_;
    std::optional<tok::Tokenizer> tok_;
    QTemporaryDir tmp_;

    ChatSessionOptions options(int maxTokens = 24) const {
        ChatSessionOptions o;
        o.sampling.temperature = 0;
        o.maxTokens = maxTokens;
        o.templateSource = data::builtinTemplate("alpaca").jinja;
        return o;
    }
    // The prompt tokens a fresh session renders for `messages` (the conversation up to a user turn).
    std::vector<std::int32_t> promptOf(const std::vector<ChatMessage>& messages) const {
        ChatSession probe(model_, *tok_, options());
        probe.setMessages(messages);
        return tok_->encode(probe.renderPrompt(), {false, true});
    }

private Q_SLOTS:
    void initTestCase() {
        configureThreads(1);
        const QString path = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(path);
        model_ = LanguageModel::load(path.toStdString(), {DeviceSpec::parse("cpu"), DType::F32});
        tok_ = tok::Tokenizer::load(path.toStdString());
    }

    void kvReuseAcrossTurns() {
        ChatSession chat(model_, *tok_, options());
        chat.setSystem("You tell short stories.");
        for (int turn = 0; turn < 4; ++turn) {
            const auto cachedBefore = chat.inference().cachedIds();
            std::vector<ChatMessage> upToUser = chat.messages();
            upToUser.push_back({"user", kUserTurns[turn], nullptr, nullptr, nullptr});
            const auto prompt = promptOf(upToUser);
            const auto r = chat.send(kUserTurns[turn]);
            QCOMPARE(r.stats.promptTokens, int(prompt.size()));
            const std::size_t common = std::min(commonPrefix(cachedBefore, prompt), prompt.size() - 1);
            // Only the tokens after the common prefix were run.
            QCOMPARE(r.stats.prefilled, int(prompt.size() - common));
            QCOMPARE(r.stats.reused, int(common));
            if (turn > 0) {
                // The whole previous prompt and most of the previous reply came from the cache.
                QVERIFY2(
                    r.stats.reused > r.stats.promptTokens / 2,
                    qPrintable(QString("reused %1 of %2").arg(r.stats.reused).arg(r.stats.promptTokens)));
                // The same turn from scratch: same reply, every prompt token prefilled.
                ChatSession fresh(model_, *tok_, options());
                std::vector<ChatMessage> history = chat.messages();
                history.pop_back(); // the reply
                history.pop_back(); // the user turn, sent again
                fresh.setMessages(history);
                const auto f = fresh.send(kUserTurns[turn]);
                QCOMPARE(f.stats.prefilled, f.stats.promptTokens);
                QCOMPARE(f.ids, r.ids);
                QCOMPARE(f.text, r.text);
            }
            QCOMPARE(chat.messages().back().role, std::string("assistant"));
            QCOMPARE(chat.messages().back().content, r.text);
            QCOMPARE(chat.messages().back().timings["prefilled"].get<int>(), r.stats.prefilled);
        }
    }

    void streamingDeltasAddUp() {
        ChatSession chat(model_, *tok_, options(48));
        std::string streamed;
        int deltas = 0;
        const auto r = chat.send("Once upon a time", [&](const std::string& d) {
            streamed += d;
            ++deltas;
            return true;
        });
        QVERIFY(deltas > 1);
        QCOMPARE(streamed, r.text);
        auto ids = r.ids;
        if (r.stats.stopReason == "stop_token") ids.pop_back();
        QCOMPARE(r.text, tok_->decode(ids));
        QVERIFY(!r.text.empty());
    }

    void utf8NeverSplit() {
        // Byte-fallback tokens of a multi-byte character arrive one by one; no delta may end inside it.
        const std::string snow = "\xe2\x98\x83"; // U+2603, three bytes
        auto ids = tok_->encode(snow, {false, false});
        QVERIFY2(ids.size() > 1, "the character should take several byte tokens");
        tok::StreamDecoder stream(*tok_);
        std::string out;
        for (auto id : ids) {
            const std::string d = stream.step(id);
            if (!d.empty()) QVERIFY((static_cast<unsigned char>(d.back()) & 0xC0) != 0xC0);
            out += d;
        }
        out += stream.flush();
        QVERIFY(out.find(snow) != std::string::npos);
    }

    void stopStringCutsTheReply() {
        ChatSession plain(model_, *tok_, options(48));
        const auto full = plain.send("Once upon a time").text;
        QVERIFY(full.size() > 20);
        const std::string stop = full.substr(12, 4);
        auto o = options(48);
        o.stopStrings = {stop};
        ChatSession chat(model_, *tok_, o);
        std::string streamed;
        const auto r = chat.send("Once upon a time", [&](const std::string& d) {
            streamed += d;
            return true;
        });
        QCOMPARE(r.stats.stopReason, std::string("stop_string"));
        QCOMPARE(r.text, full.substr(0, full.find(stop)));
        QCOMPARE(streamed, r.text);
    }

    void cancelMidGeneration() {
        ChatSession chat(model_, *tok_, options(64));
        int deltas = 0;
        const auto r = chat.send("Once upon a time", [&](const std::string&) {
            if (++deltas == 3) chat.cancel();
            return true;
        });
        QCOMPARE(r.stats.stopReason, std::string("cancelled"));
        QVERIFY(r.stats.generatedTokens <= 5);
        // The callback can also stop by returning false.
        const auto s = chat.send("Again", [&](const std::string&) { return false; });
        QCOMPARE(s.stats.stopReason, std::string("cancelled"));
        QCOMPARE(s.stats.generatedTokens, 1);
    }

    void trimsOldestTurnsToFitContext() {
        ChatSession chat(model_, *tok_, options(16));
        chat.setSystem("Stories.");
        std::string longText;
        for (int i = 0; i < 12; ++i) longText += "The little dog ran in the big park with Lily. ";
        bool noted = false;
        TurnResult last;
        for (int turn = 0; turn < 6; ++turn) {
            last = chat.send(longText);
            QVERIFY(last.stats.promptTokens + 16 <= model_->config().contextLength());
            noted = noted || !last.notes.empty();
        }
        QVERIFY(noted);
        QVERIFY(last.stats.trimmedMessages >= 2);
        QCOMPARE(chat.messages().front().role, std::string("system"));
        QVERIFY(chat.renderPrompt().find("Stories.") != std::string::npos); // the system prompt stays
        // A single message longer than the context is refused with a clear error.
        std::string huge;
        for (int i = 0; i < 80; ++i) huge += longText;
        try {
            chat.send(huge);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("shorten the message") != std::string::npos, e.what());
        }
    }

    void bestOfSharesPrefill() {
        auto o = options(20);
        o.sampling.temperature = 1.0;
        o.sampling.seed = 11;
        ChatSession chat(model_, *tok_, o);
        const auto b = chat.bestOf("Tell me about the sun.", 4);
        QCOMPARE(b.samples.size(), std::size_t(4));
        QCOMPARE(b.samples[0].stats.prefilled, b.samples[0].stats.promptTokens);
        for (std::size_t i = 1; i < b.samples.size(); ++i) {
            QCOMPARE(b.samples[i].stats.promptTokens, b.samples[0].stats.promptTokens);
            QCOMPARE(b.samples[i].stats.prefilled, 1); // the rest of the prompt came from the cache
        }
        QVERIFY(b.samples[0].text != b.samples[1].text || b.samples[1].text != b.samples[2].text);
        int agree = 0;
        for (const auto& a : b.answers) agree += a == b.answers[std::size_t(b.chosen)];
        QCOMPARE(agree, b.votes);
        for (const auto& a : b.answers) QVERIFY(std::count(b.answers.begin(), b.answers.end(), a) <= b.votes);
        QCOMPARE(chat.messages().back().content, b.samples[std::size_t(b.chosen)].text);
    }

    // Each sampled reply takes the next seed: the same prompt again in a session gives a new sample, and a
    // session started with the same seed replays the conversation exactly.
    void repliesDrawNewSamplesReproducibly() {
        auto o = options(24);
        o.sampling.temperature = 1.0;
        o.sampling.seed = 5;
        ChatSession chat(model_, *tok_, o), replay(model_, *tok_, o);
        const std::string first = chat.send("Tell me about the sun.").text;
        chat.setMessages({});
        const std::string again = chat.send("Tell me about the sun.").text;
        QVERIFY2(first != again, first.c_str());
        QCOMPARE(QString::fromStdString(replay.send("Tell me about the sun.").text),
                 QString::fromStdString(first));
        replay.setMessages({});
        QCOMPARE(QString::fromStdString(replay.send("Tell me about the sun.").text),
                 QString::fromStdString(again));
    }

    void toolCallHookSeesTheRawReply() {
        // A hook standing in for core/toolcall: it gets the raw reply and its calls land on the message.
        struct Hook : ToolCallHook {
            mutable std::vector<std::string> seen;
            std::vector<ProposedToolCall> toolCalls(const std::string& text) const override {
                seen.push_back(text);
                return {{"call_1", "calculator", Json{{"expression", "2+2"}}}};
            }
        };
        auto hook = std::make_shared<Hook>();
        auto o = options(8);
        o.templateSource = "{% for m in messages %}{{ m.role }}: {{ m.content }}"
                           "{% if m.tool_calls %} [calls {{ m.tool_calls[0].function.name }}]{% endif %}\n"
                           "{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}";
        ChatSession chat(model_, *tok_, o);
        chat.setToolCallHook(hook);
        const auto r = chat.send("What is 2+2?");
        QCOMPARE(hook->seen.size(), std::size_t(1));
        QCOMPARE(hook->seen[0], r.text);
        QCOMPARE(r.toolCalls.size(), std::size_t(1));
        const Json& calls = chat.messages().back().toolCalls;
        QCOMPARE(calls[0]["function"]["name"].get<std::string>(), std::string("calculator"));
        QCOMPARE(calls[0]["function"]["arguments"]["expression"].get<std::string>(), std::string("2+2"));
        // The tool result goes back as a message and the template sees the assistant's call.
        chat.send(ChatMessage{"tool", "4", nullptr, nullptr, nullptr});
        QVERIFY(chat.renderPrompt().find("[calls calculator]") != std::string::npos);
        QVERIFY(chat.renderPrompt().find("tool: 4") != std::string::npos);
    }

    void samplingDefaultsFromGenerationConfig() {
        const QString d = tmp_.filePath("gen");
        QDir().mkpath(d);
        auto write = [&](const char* text) {
            QFile f(d + "/generation_config.json");
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(text);
        };
        write(R"({"do_sample": true, "temperature": 0.6, "top_k": 20, "top_p": 0.95, "min_p": 0.05,
                  "repetition_penalty": 1.1})");
        auto sp = defaultSampling(d.toStdString());
        QCOMPARE(sp.temperature, 0.6);
        QCOMPARE(sp.topK, 20);
        QCOMPARE(sp.topP, 0.95);
        QCOMPARE(sp.minP, 0.05);
        QCOMPARE(sp.repeatPenalty, 1.1);
        write(R"({"temperature": 0.6})"); // transformers decodes greedily without do_sample
        QCOMPARE(defaultSampling(d.toStdString()).temperature, 0.0);
        SamplingParams mine;
        mine.temperature = 0.3;
        QCOMPARE(defaultSampling(tmp_.filePath("none").toStdString(), mine).temperature, 0.3); // no file
        write("{broken");
        try {
            defaultSampling(d.toStdString());
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("generation_config.json") != std::string::npos, e.what());
        }
    }

    void normalizedAnswers() {
        QCOMPARE(normalizeAnswer("So she had 1,200 apples.\nThe answer is 1,250."), std::string("1250"));
        QCOMPARE(normalizeAnswer("x = 3.50"), std::string("3.5"));
        QCOMPARE(normalizeAnswer("It is -4"), std::string("-4"));
        QCOMPARE(normalizeAnswer("Thinking...\n\n  The  Blue   Whale!\n"), std::string("the blue whale"));
        QCOMPARE(normalizeAnswer("Paris."), normalizeAnswer("paris"));
    }

    void adapterTemplateAndTokens() {
        test::PeftSpec spec;
        spec.addedTokens = {"<|im_start|>", "<|im_end|>"};
        spec.templateName = "chatml";
        spec.chatTemplate = data::builtinTemplate("chatml").jinja;
        const std::string dir = tmp_.path().toStdString() + "/chatml";
        test::writePeftAdapter(dir, model_->transformer(), spec);
        ChatSessionOptions o = options(8);
        o.templateSource.reset(); // the adapter's template; stories260K has none of its own
        try {
            ChatSession none(model_, *tok_, o);
            QFAIL("a model without a chat template needs one given");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("--template") != std::string::npos, e.what());
        }
        o.templateSource = data::builtinTemplate("alpaca").jinja;
        ChatSession chat(model_, *tok_, o);
        chat.send("Hi");
        chat.options().templateSource.reset();
        chat.setAdapter(InferenceAdapter::load(dir, *model_));
        QVERIFY(chat.renderPrompt().find("<|im_start|>assistant") != std::string::npos);
        const auto prompt = chat.tokenizer().encode(chat.renderPrompt(), {false, true});
        QCOMPARE(prompt.front(), model_->config().vocabSize); // <|im_start|> is one added token
        const auto r = chat.send("Hello");
        QCOMPARE(r.stats.prefilled, r.stats.promptTokens); // the adapter changed: no stale K/V reused
        QVERIFY(r.stats.generatedTokens >= 1);
        for (std::size_t i = 0; i + 1 < r.ids.size(); ++i)
            QVERIFY(r.ids[i] != model_->config().vocabSize + 1);
        // Removing it with no template to fall back on (stories260K has none) is refused and changes nothing.
        try {
            chat.setAdapter(nullptr);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("--template") != std::string::npos, e.what());
        }
        QVERIFY(chat.adapter() != nullptr);
        QCOMPARE(chat.tokenizer().tokenToId("<|im_end|>").value_or(-1), model_->config().vocabSize + 1);
        // Removing the adapter goes back to the base and its tokenizer.
        chat.options().templateSource = data::builtinTemplate("alpaca").jinja;
        chat.setAdapter(nullptr);
        QCOMPARE(chat.tokenizer().vocabSize(), tok_->vocabSize());
        chat.send("Bye");
    }
};

QTEST_GUILESS_MAIN(TstChatSession)
#include "tst_chat_session.moc"
