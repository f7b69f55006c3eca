// Dataset files in the formats people use: detection, conversion, and per-line problems that never abort the
// file. The inputs are the hand-written files in tests/data/datasets/.
#include "common/test_support.h"
#include "data/builtin_templates.h"
#include "data/csv_reader.h"
#include "data/dataset_format.h"
#include "data/split.h"

#include "common/error.h"

using namespace hone;
using namespace hone::data;

namespace {
std::string dataset(const char* name) {
    return (test::sourceDir() + "/tests/data/datasets/" + name).toStdString();
}

bool hasProblem(const Conversion& c, std::size_t line, const std::string& fragment) {
    for (const auto& p : c.problems)
        if (p.line == line && p.reason.find(fragment) != std::string::npos) return true;
    return false;
}
} // namespace

class TestDataset : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void alpacaJsonlKeepsGoodLinesAndReportsBadOnes() {
        RawDataset raw = readDatasetFile(dataset("alpaca_mixed.jsonl"));
        QVERIFY(raw.kind == FileKind::Jsonl);
        Detection d = detectFormat(raw);
        QVERIFY(d.format && *d.format == DatasetFormat::Alpaca);
        Conversion c = convert(raw, *d.format);
        QCOMPARE(c.kept(), std::size_t(3));
        QCOMPARE(c.skipped, std::size_t(2));
        QVERIFY(hasProblem(c, 3, "missing field \"output\""));
        QVERIFY(hasProblem(c, 4, "invalid JSON"));
        QVERIFY(hasProblem(c, 5, "should be a string, found number"));
        QVERIFY(hasProblem(c, 7, "expected a JSON object, found array"));
        QCOMPARE(c.problems.size(), std::size_t(4));
        // Input joins the instruction; the system field becomes a system message.
        QCOMPARE(c.examples[1].messages.size(), std::size_t(3));
        QCOMPARE(c.examples[1].messages[0]["role"].get<std::string>(), std::string("system"));
        QCOMPARE(c.examples[1].messages[1]["content"].get<std::string>(),
                 std::string("Add the numbers.\n\n2 and 3"));
        QCOMPARE(c.examples[2].line, std::size_t(8));
    }

    void shareGptJsonArrayWithLineNumbers() {
        RawDataset raw = readDatasetFile(dataset("sharegpt.json"));
        QVERIFY(raw.kind == FileKind::JsonArray);
        QCOMPARE(raw.records.size(), std::size_t(5));
        QCOMPARE(raw.records[1].line, std::size_t(3));
        Conversion c = convert(raw, *detectFormat(raw).format);
        QVERIFY(c.format == DatasetFormat::ShareGpt);
        QCOMPARE(c.kept(), std::size_t(2));
        QCOMPARE(c.examples[1].messages[1]["content"].get<std::string>(),
                 std::string("Tell me a story, with \"quotes\" and [brackets], {braces}."));
        QVERIFY(hasProblem(c, 6, "starts with the assistant"));
        QVERIFY(hasProblem(c, 7, "unknown speaker \"wizard\""));
        QVERIFY(hasProblem(c, 8, "should be a list"));
    }

    void openAiMessagesWithToolCalls() {
        RawDataset raw = readDatasetFile(dataset("messages_tools.jsonl"));
        Conversion c = convert(raw, *detectFormat(raw).format);
        QVERIFY(c.format == DatasetFormat::OpenAiMessages);
        QCOMPARE(c.kept(), std::size_t(2));
        QCOMPARE(c.examples[0].messages.size(), std::size_t(4));
        QVERIFY(hasProblem(c, 3, "two user messages in a row"));
        QVERIFY(hasProblem(c, 4, "no assistant message"));
        QVERIFY(hasProblem(c, 5, "tool result must follow an assistant tool call"));
    }

    void csvPromptCompletion() {
        RawDataset raw = readDatasetFile(dataset("pairs.csv"));
        QVERIFY(raw.kind == FileKind::Csv);
        QCOMPARE(raw.columns, (std::vector<std::string>{"prompt", "completion"}));
        Conversion c = convert(raw, *detectFormat(raw).format);
        QVERIFY(c.format == DatasetFormat::PromptCompletion);
        QCOMPARE(c.kept(), std::size_t(2));
        QCOMPARE(c.examples[1].prompt, std::string("Multi\nline, with comma"));
        QCOMPARE(c.examples[1].completion, std::string("He said \"yes\""));
        QCOMPARE(c.examples[1].line, std::size_t(3));
        QVERIFY(hasProblem(c, 5, "1 fields, the header has 2"));
        QVERIFY(hasProblem(c, 6, "text after a closing quote"));
    }

    void plainText() {
        RawDataset raw = readDatasetFile(dataset("text.jsonl"));
        Conversion c = convert(raw, *detectFormat(raw).format);
        QVERIFY(c.format == DatasetFormat::Text);
        QCOMPARE(c.kept(), std::size_t(2));
        QVERIFY(hasProblem(c, 2, "is empty"));
    }

    void unusableFilesGetClearErrors() {
        QTemporaryDir dir;
        auto write = [&](const QString& name, const QByteArray& bytes) {
            QFile f(dir.path() + "/" + name);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        };
        write("empty.jsonl", "\n  \n");
        write("data.parquet", "PAR1....");
        write("blob.jsonl", QByteArray("{\0\0\0binary", 10));
        auto error = [&](const char* name) -> QString {
            try {
                readDatasetFile((dir.path() + "/" + name).toStdString());
            } catch (const Error& e) {
                return QString::fromStdString(e.what());
            }
            return {};
        };
        QVERIFY(error("empty.jsonl").contains("is empty"));
        QVERIFY(error("data.parquet").contains("Convert to JSONL"));
        QVERIFY(error("blob.jsonl").contains("binary"));
        QVERIFY(error("missing.jsonl").contains("cannot open"));
    }

    void undetectableFormatExplains() {
        RawDataset raw = readDatasetText("{\"question\": \"q\", \"answer\": \"a\"}\n", "qa.jsonl", ".jsonl");
        Detection d = detectFormat(raw);
        QVERIFY(!d.format);
        QVERIFY(QString::fromStdString(d.explanation).contains("question, answer") ||
                QString::fromStdString(d.explanation).contains("answer, question"));
        QVERIFY_THROWS_EXCEPTION(Error, parseFormatName("parquet"));
        QVERIFY(parseFormatName("sharegpt") == DatasetFormat::ShareGpt);
    }

    void truncatedJsonArray() {
        RawDataset raw = readDatasetText("[{\"text\": \"a\"},\n{\"text\": \"b\"", "t.json", ".json");
        QCOMPARE(raw.records.size(), std::size_t(1));
        QVERIFY(!raw.problems.empty());
    }

    void builtinTemplatesAreKnown() {
        QCOMPARE(builtinTemplate("chatml").newSpecialTokens.size(), std::size_t(2));
        QVERIFY(builtinTemplate("alpaca").newSpecialTokens.empty());
        QVERIFY_THROWS_EXCEPTION(Error, builtinTemplate("vicuna-1.0"));
    }

    void splitIsDeterministicDisjointAndComplete() {
        Split a = splitExamples(100, {0.1, 7, true});
        QCOMPARE(a.eval.size(), std::size_t(10));
        QCOMPARE(a.train.size(), std::size_t(90));
        std::vector<std::size_t> all = a.train;
        all.insert(all.end(), a.eval.begin(), a.eval.end());
        std::sort(all.begin(), all.end());
        for (std::size_t i = 0; i < all.size(); ++i) QCOMPARE(all[i], i); // each example exactly once
        Split again = splitExamples(100, {0.1, 7, true});
        QCOMPARE(again.train, a.train);
        QCOMPARE(again.eval, a.eval);
        QVERIFY(splitExamples(100, {0.1, 8, true}).train != a.train);
        Split ordered = splitExamples(5, {0.0, 7, false});
        QCOMPARE(ordered.train, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
        QCOMPARE(splitExamples(3, {0.01, 1, true}).eval.size(),
                 std::size_t(1)); // a positive fraction holds out one
        QVERIFY_THROWS_EXCEPTION(Error, splitExamples(0, {}));
        QVERIFY_THROWS_EXCEPTION(Error, splitExamples(10, {1.0, 1, true}));
        QVERIFY_THROWS_EXCEPTION(Error, splitExamples(1, {0.5, 1, true}));
    }

    // Every element lands in every position about equally often across seeds (a biased shuffle would not).
    void shuffleIsUniform() {
        const std::size_t n = 5, trials = 20000;
        std::vector<std::vector<int>> counts(n, std::vector<int>(n, 0));
        for (std::uint64_t seed = 0; seed < trials; ++seed) {
            auto p = seededPermutation(n, seed);
            for (std::size_t pos = 0; pos < n; ++pos) ++counts[p[pos]][pos];
        }
        const double expected = double(trials) / n;
        for (const auto& row : counts)
            for (int c : row)
                QVERIFY2(std::abs(c - expected) < 0.06 * expected, qPrintable(QString::number(c)));
        SplitMix64 rng(1);
        for (int i = 0; i < 1000; ++i) QVERIFY(rng.below(3) < 3);
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "tst_dataset.moc"
