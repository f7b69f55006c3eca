// `hone chat --json` run as a process: two turns on stdin give token events that add up to each turn's text,
// turn_end events whose second turn reuses the first turn's KV cache, the chat stored in hone.db (reloaded
// with --resume), and a malformed input line answered with an error event without ending the chat.
#include "common/json.h"
#include "common/test_support.h"
#include "store/chat_store.h"
#include "store/store.h"

#include <QProcess>

using hone::Json;

namespace {
struct Run {
    int code;
    std::vector<Json> events;
    QByteArray err;
};
Run chat(const QStringList& args, const QByteArray& input) {
    QProcess p;
    p.start(qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone", args);
    p.waitForStarted();
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(120000);
    Run r{p.exitCode(), {}, p.readAllStandardError()};
    for (const auto& line : p.readAllStandardOutput().split('\n'))
        if (!line.isEmpty()) r.events.push_back(Json::parse(line.toStdString()));
    return r;
}
} // namespace

class TstCliChat : public QObject {
    Q_OBJECT
    QTemporaryDir home_;

    QStringList base() const {
        const QString model = hone::test::fixture("models/stories260K");
        return {"chat", "--model", model,        "--template",    "alpaca", "--max-tokens", "16", "--threads",
                "1",    "--home",  home_.path(), "--temperature", "0",      "--json"};
    }

private Q_SLOTS:
    void twoTurnsStoredAndResumed() {
        HONE_REQUIRE_PATH(hone::test::fixture("models/stories260K"));
        const auto r =
            chat(base(), "{\"content\": \"Tell me a story.\"}\n{\"content\": \"What happened next?\"}\n");
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(!r.events.empty());
        QCOMPARE(r.events.front()["event"].get<std::string>(), std::string("chat"));
        const auto chatId = r.events.front()["id"].get<std::int64_t>();
        std::vector<Json> ends;
        std::vector<std::string> texts(1);
        for (const auto& e : r.events) {
            const auto kind = e["event"].get<std::string>();
            if (kind == "token") texts.back() += e["text"].get<std::string>();
            if (kind == "turn_end") {
                ends.push_back(e);
                texts.emplace_back();
            }
        }
        QCOMPARE(ends.size(), std::size_t(2));
        for (std::size_t i = 0; i < 2; ++i) {
            QCOMPARE(texts[i], ends[i]["text"].get<std::string>());
            for (const char* k : {"prompt_tokens", "prefilled", "reused", "ttft_ms", "decode_tokens_per_s"})
                QVERIFY2(ends[i].contains(k) && ends[i][k].is_number(), k);
            QCOMPARE(ends[i]["prefilled"].get<int>() + ends[i]["reused"].get<int>(),
                     ends[i]["prompt_tokens"].get<int>());
        }
        QCOMPARE(ends[0]["reused"].get<int>(), 0);
        // The second turn reuses at least the whole first prompt.
        QVERIFY(ends[1]["reused"].get<int>() >= ends[0]["prompt_tokens"].get<int>());
        QVERIFY(ends[1]["prefilled"].get<int>() < ends[1]["prompt_tokens"].get<int>());

        hone::Store store(home_.filePath("hone.db"));
        store.open();
        const auto msgs = hone::chatMessages(store, chatId);
        QCOMPARE(msgs.size(), std::size_t(4));
        QCOMPARE(msgs[0].content, std::string("Tell me a story."));
        QCOMPARE(msgs[1].role, std::string("assistant"));
        QCOMPARE(msgs[1].content, texts[0]);
        QCOMPARE(msgs[3].content, texts[1]);
        QCOMPARE(Json::parse(msgs[3].timingsJson)["prefilled"], ends[1]["prefilled"]);

        // Resumed: the stored conversation is the prompt's history, so the prompt is longer than a fresh one.
        auto args = base();
        args << "--resume" << QString::number(chatId);
        const auto again = chat(args, "{\"content\": \"And then?\"}\n");
        QVERIFY2(again.code == 0, again.err.constData());
        QCOMPARE(again.events.back()["event"].get<std::string>(), std::string("turn_end"));
        QVERIFY(again.events.back()["prompt_tokens"].get<int>() > ends[1]["prompt_tokens"].get<int>());
        QCOMPARE(hone::chatMessages(store, chatId).size(), std::size_t(6));
    }

    void badLineIsAnErrorEvent() {
        HONE_REQUIRE_PATH(hone::test::fixture("models/stories260K"));
        auto args = base();
        args << "--no-store";
        const auto r = chat(args, "not json\n{\"content\": 5}\n{\"content\": \"Hi\"}\n");
        QCOMPARE(r.code, 1);
        int errors = 0, turns = 0;
        for (const auto& e : r.events) {
            errors += e["event"] == "error";
            turns += e["event"] == "turn_end";
            QVERIFY(e["event"] != "chat"); // --no-store
        }
        QCOMPARE(errors, 2);
        QCOMPARE(turns, 1);
    }

    void bestOfSamplesSideBySide() {
        HONE_REQUIRE_PATH(hone::test::fixture("models/stories260K"));
        auto args = base();
        args << "--no-store"
             << "--best-of"
             << "3"
             << "--temperature"
             << "1"
             << "--seed"
             << "4";
        const auto r = chat(args, "{\"content\": \"Count to three.\"}\n");
        QVERIFY2(r.code == 0, r.err.constData());
        std::vector<Json> samples;
        for (const auto& e : r.events)
            if (e["event"] == "sample") samples.push_back(e);
        QCOMPARE(samples.size(), std::size_t(3));
        QCOMPARE(samples[1]["prefilled"].get<int>(), 1); // the prompt's prefill is shared
        const Json& end = r.events.back();
        QCOMPARE(end["event"].get<std::string>(), std::string("turn_end"));
        const auto chosen = end["chosen"].get<std::size_t>();
        QVERIFY(chosen < 3);
        QCOMPARE(end["text"], samples[chosen]["text"]);
        int agree = 0;
        for (const auto& s : samples) agree += s["answer"] == samples[chosen]["answer"];
        QCOMPARE(end["votes"].get<int>(), agree);
    }

    void plainLinesWithoutJson() {
        HONE_REQUIRE_PATH(hone::test::fixture("models/stories260K"));
        auto args = base();
        args.removeAll("--json");
        args << "--no-store";
        const auto r = chat(args, "Tell me a story.\n");
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(r.events.back()["event"].get<std::string>(), std::string("turn_end"));
    }

    void missingTemplateIsExplained() {
        HONE_REQUIRE_PATH(hone::test::fixture("models/stories260K"));
        QProcess p;
        p.start(qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone",
                {"chat", "--model", hone::test::fixture("models/stories260K"), "--no-store", "--json"});
        p.closeWriteChannel();
        p.waitForFinished(120000);
        QVERIFY(p.exitCode() != 0);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.startsWith("error: ") && err.contains("--template"), err.constData());
    }
};

QTEST_GUILESS_MAIN(TstCliChat)
#include "tst_cli_chat.moc"
