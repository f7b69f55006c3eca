// `hone tokenize` / `hone detokenize`: the stable machine interface (--json, --lines in llama.cpp's .out
// format,
// --no-special, errors as one `error:` line and a non-zero exit), run as the built binary.
#include "common/json.h"
#include "common/mapped_file.h"
#include "common/test_support.h"

#include <QTemporaryDir>

namespace {
QString honeBin() {
    return qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone";
}
QString q(const QString& s) {
    return "'" + s + "'";
}
} // namespace

class TstTokenizeCli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { HONE_REQUIRE_PATH(honeBin()); }

    void linesReproducesVectors() {
        HONE_REQUIRE_PATH(honeBin());
        const QString model = hone::test::fixture("tokenizers/llama3");
        HONE_REQUIRE_PATH(model);
        QByteArray out;
        const int rc = hone::test::runShell(honeBin() + " tokenize --model " + q(model) + " --lines " +
                                                q(hone::test::fixture("vectors/tokenizer/common.inp")),
                                            &out);
        QCOMPARE(rc, 0);
        const std::string want =
            hone::readTextFile(hone::test::fixture("vectors/tokenizer/llama3.out").toStdString());
        QCOMPARE(out.toStdString(), want);
    }

    void ggufLines() {
        HONE_REQUIRE_PATH(honeBin());
        const QString gguf = hone::test::fixture("vectors/llama.cpp-vocab/ggml-vocab-llama-spm.gguf");
        HONE_REQUIRE_PATH(gguf);
        QByteArray out;
        QCOMPARE(hone::test::runShell(
                     honeBin() + " tokenize --model " + q(gguf) + " --lines " + q(gguf + ".inp"), &out),
                 0);
        QCOMPARE(out.toStdString(), hone::readTextFile((gguf + ".out").toStdString()));
    }

    void jsonAndSpecial() {
        HONE_REQUIRE_PATH(honeBin());
        const QString model = hone::test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(model);
        QByteArray out;
        QCOMPARE(hone::test::runShell(
                     honeBin() + " tokenize --model " + q(model) + " --text 'Once upon a time' --json", &out),
                 0);
        const hone::Json with = hone::Json::parse(out.toStdString());
        QCOMPARE(hone::test::runShell(honeBin() + " tokenize --model " + q(model) +
                                          " --text 'Once upon a time' --json --no-special --verbose",
                                      &out),
                 0);
        const hone::Json without = hone::Json::parse(out.toStdString());
        // The Llama post-processor adds <s> (id 1) in front; --no-special adds nothing.
        QCOMPARE(with["ids"].size(), without["ids"].size() + 1);
        QCOMPARE(with["ids"][0].get<int>(), 1);
        QCOMPARE(without["pieces"].size(), without["ids"].size());
        QCOMPARE(without["pieces"][0].get<std::string>(), std::string("\u2581Once"));
        // Special tokens written in the text are still recognised with --no-special.
        QCOMPARE(hone::test::runShell(honeBin() + " tokenize --model " + q(model) +
                                          " --text '<s>x' --json --no-special",
                                      &out),
                 0);
        QCOMPARE(hone::Json::parse(out.toStdString())["ids"][0].get<int>(), 1);

        std::string ids;
        for (const auto& id : with["ids"]) ids += (ids.empty() ? "" : ",") + std::to_string(id.get<int>());
        QCOMPARE(hone::test::runShell(honeBin() + " detokenize --model " + q(model) + " --ids " +
                                          QString::fromStdString(ids) + " --json --skip-special",
                                      &out),
                 0);
        QCOMPARE(hone::Json::parse(out.toStdString())["text"].get<std::string>(),
                 std::string("Once upon a time"));
    }

    void errors() {
        HONE_REQUIRE_PATH(honeBin());
        QByteArray out;
        const int rc = hone::test::runShell(
            honeBin() + " tokenize --model /nonexistent/model --text x --json 2>&1", &out);
        QVERIFY(rc != 0);
        QVERIFY2(out.startsWith("error: ") && out.count('\n') == 1, out.constData());
        QTemporaryDir dir;
        QFile bad(dir.filePath("tokenizer.json"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(R"({"model":{"type":"BPE","vocab":{"a":0},"merges":["a b"]}})");
        bad.close();
        QVERIFY(hone::test::runShell(honeBin() + " tokenize --model " + q(dir.path()) + " --text x 2>&1",
                                     &out) != 0);
        QVERIFY2(out.startsWith("error: ") && out.contains("merge"), out.constData());
        const QString model = hone::test::fixture("models/stories260K");
        QVERIFY(hone::test::runShell(honeBin() + " detokenize --model " + q(model) + " --ids 1,abc 2>&1",
                                     &out) != 0);
        QVERIFY2(out.startsWith("error: "), out.constData());
    }
};

QTEST_GUILESS_MAIN(TstTokenizeCli)
#include "tst_tokenize_cli.moc"
