// Benchmark (label slow): time to first token of turn 10 of a chat vs turn 1, and vs turn 10's prompt run
// from scratch (no KV reuse), on the stories260K fixture with one thread. Prints the ratios (median of 3
// runs); asserts the reuse counts that explain them.
#include "chat_session/chat_session.h"
#include "common/test_support.h"
#include "data/builtin_templates.h"
#include "device/compute_device.h"

#include <algorithm>

using namespace hone;

namespace {
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}
} // namespace

class TstChatTtft : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void turnTenVsTurnOne() {
        configureThreads(1);
        const QString path = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(path);
        auto model = LanguageModel::load(path.toStdString(), {DeviceSpec::parse("cpu"), DType::F32});
        const auto tok = tok::Tokenizer::load(path.toStdString());
        ChatSessionOptions o;
        o.sampling.temperature = 0;
        o.maxTokens = 12;
        o.templateSource = data::builtinTemplate("alpaca").jinja;
        std::vector<double> first, tenth, scratch;
        int promptOne = 0, promptTen = 0, reusedTen = 0;
        for (int rep = 0; rep < 3; ++rep) {
            ChatSession chat(model, tok, o);
            TurnResult r;
            for (int turn = 1; turn <= 10; ++turn) {
                r = chat.send("Part " + std::to_string(turn) + ".");
                QCOMPARE(r.stats.trimmedMessages, 0);
                if (turn == 1) first.push_back(r.stats.ttftMs), promptOne = r.stats.promptTokens;
            }
            tenth.push_back(r.stats.ttftMs);
            promptTen = r.stats.promptTokens;
            reusedTen = r.stats.reused;
            QVERIFY2(
                r.stats.prefilled < r.stats.promptTokens / 4,
                qPrintable(QString("prefilled %1 of %2").arg(r.stats.prefilled).arg(r.stats.promptTokens)));
            ChatSession fresh(model, tok, o);
            auto history = chat.messages();
            history.resize(history.size() - 2);
            fresh.setMessages(history);
            const auto s = fresh.send("Part 10.");
            QCOMPARE(s.stats.prefilled, s.stats.promptTokens);
            QCOMPARE(s.text, r.text);
            scratch.push_back(s.stats.ttftMs);
        }
        std::printf("chat TTFT (stories260K, 1 thread, median of 3): turn 1 %.2f ms (%d prompt tokens), turn "
                    "10 %.2f ms "
                    "(%d prompt tokens, %d reused), turn 10 from scratch %.2f ms\n"
                    "ratio turn10/turn1 = %.2f, turn10 reuse/scratch = %.2f\n",
                    median(first), promptOne, median(tenth), promptTen, reusedTen, median(scratch),
                    median(tenth) / median(first), median(tenth) / median(scratch));
    }
};

QTEST_GUILESS_MAIN(TstChatTtft)
#include "tst_chat_ttft.moc"
