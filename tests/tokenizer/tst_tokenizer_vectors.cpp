// Reproduces the reference token ids of Hugging Face tokenizers (fixtures/vectors/tokenizer/*.out, made by
// the Rust library) and of llama.cpp (fixtures/vectors/llama.cpp-vocab/*.out, GGUF-embedded vocabularies).
#include "common/mapped_file.h"
#include "common/test_support.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab_test_format.h"

#include <QDir>

using namespace hone;

namespace {

std::vector<std::string> splitLines(const std::string& s) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < s.size()) {
        const std::size_t nl = s.find('\n', pos);
        if (nl == std::string::npos) {
            lines.push_back(s.substr(pos));
            break;
        }
        lines.push_back(s.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return lines;
}

// Returns the number of mismatching records; prints the first few.
int compareVectors(const tok::Tokenizer& t, const QString& inpPath, const QString& outPath, int* total) {
    const auto records = tok::splitVocabTestRecords(readTextFile(inpPath.toStdString()));
    const auto expected = splitLines(readTextFile(outPath.toStdString()));
    *total = static_cast<int>(records.size());
    if (records.size() != expected.size()) {
        qWarning("%s: %zu records but %zu expected lines", qPrintable(inpPath), records.size(),
                 expected.size());
        return static_cast<int>(std::max(records.size(), expected.size()));
    }
    int bad = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto ids = t.encode(records[i], {.addSpecialTokens = false, .parseSpecial = false});
        const std::string got = tok::formatVocabTestLine(ids);
        if (got != expected[i]) {
            if (++bad <= 5)
                qWarning("record %zu %s\n  text:     %s\n  expected:%s\n  got:     %s", i,
                         qPrintable(outPath), records[i].c_str(), expected[i].c_str(), got.c_str());
        }
    }
    return bad;
}

} // namespace

class TstTokenizerVectors : public QObject {
    Q_OBJECT
private slots:
    void hfVectors_data() {
        QTest::addColumn<QString>("tokenizer");
        QTest::addColumn<QString>("out");
        QTest::newRow("qwen3") << "tokenizers/qwen3"
                               << "qwen3.out";
        QTest::newRow("llama3") << "tokenizers/llama3"
                                << "llama3.out";
        QTest::newRow("mistral-7b-v0.1") << "tokenizers/mistral-7b-v0.1"
                                         << "mistral7b-v0.1.out";
        QTest::newRow("stories260K") << "models/stories260K"
                                     << "stories260K.out";
    }
    void hfVectors() {
        QFETCH(QString, tokenizer);
        QFETCH(QString, out);
        const QString dir = hone::test::fixture(tokenizer);
        const QString inp = hone::test::fixture("vectors/tokenizer/common.inp");
        const QString outPath = hone::test::fixture("vectors/tokenizer/" + out);
        HONE_REQUIRE_PATH(dir + "/tokenizer.json");
        HONE_REQUIRE_PATH(outPath);
        const auto t = tok::Tokenizer::load(dir.toStdString());
        int total = 0;
        const int bad = compareVectors(t, inp, outPath, &total);
        QVERIFY(total >= 40);
        QCOMPARE(bad, 0);
    }

    // llama.cpp's vocab test files. Rows whose .gguf is not in the fixtures (only .inp/.out were published)
    // are skipped by name, except llama-bpe and qwen2, whose vocabularies are the llama3 / qwen3
    // tokenizer.json.
    void ggufVectors_data() {
        QTest::addColumn<QString>("name");
        const QDir dir(hone::test::fixture("vectors/llama.cpp-vocab"));
        for (const QString& inp : dir.entryList({"*.gguf.inp"}, QDir::Files, QDir::Name)) {
            const QString name = inp.chopped(9); // drop ".gguf.inp"
            QTest::newRow(qPrintable(name)) << name;
        }
        if (!dir.exists()) QTest::newRow("missing") << QString("missing");
    }
    void ggufVectors() {
        QFETCH(QString, name);
        const QString base = hone::test::fixture("vectors/llama.cpp-vocab/" + name + ".gguf");
        HONE_REQUIRE_PATH(base + ".inp");
        if (!QFileInfo::exists(base)) {
            // Same vocabulary as a fixture tokenizer.json (fixtures README): check the HF path against
            // llama.cpp.
            const QString same = name.endsWith("llama-bpe") ? "tokenizers/llama3"
                                 : name.endsWith("qwen2")   ? "tokenizers/qwen3"
                                                            : "";
            if (same.isEmpty()) QSKIP(qPrintable("no " + name + ".gguf in the fixtures (only .inp/.out)"));
            HONE_REQUIRE_PATH(hone::test::fixture(same));
            const auto t = tok::Tokenizer::load(hone::test::fixture(same).toStdString());
            int total = 0;
            QCOMPARE(compareVectors(t, base + ".inp", base + ".out", &total), 0);
            QVERIFY(total >= 40);
            return;
        }
        const auto t = tok::Tokenizer::load(base.toStdString());
        int total = 0;
        const int bad = compareVectors(t, base + ".inp", base + ".out", &total);
        QVERIFY(total >= 40);
        QCOMPARE(bad, 0);
    }
};

QTEST_GUILESS_MAIN(TstTokenizerVectors)
#include "tst_tokenizer_vectors.moc"
