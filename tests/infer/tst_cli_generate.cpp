// `hone generate` and `hone logits` through the built binary: JSON shape, golden ids, raw logits file,
// errors.
#include "common/json.h"
#include "common/mapped_file.h"
#include "common/test_support.h"

#include <QProcess>
#include <cstring>

using hone::Json;
using hone::test::fixture;

namespace {
struct Run {
    int code;
    QByteArray out, err;
};
Run hone_(const QStringList& args) {
    QProcess p;
    p.start(qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone", args);
    p.waitForFinished(120000);
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}
} // namespace

class TstCliGenerate : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void generateGolden() {
        const QString model = fixture("models/stories260K");
        HONE_REQUIRE_PATH(model);
        const Json g = Json::parse(
            hone::readTextFile(fixture("models/stories260K/GOLDEN_greedy_from_bos.json").toStdString()));
        auto r = hone_({"generate", "--model", model, "--ids", "1", "--max-tokens", "64", "--temperature",
                        "0", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const Json j = Json::parse(r.out.toStdString());
        std::vector<int> expect = g["greedy_ids"].get<std::vector<int>>();
        expect.erase(expect.begin()); // the prompt is not part of the output
        QCOMPARE(j["ids"].get<std::vector<int>>(), expect);
        for (const char* k : {"prefill_tokens_per_s", "decode_tokens_per_s", "ttft_ms", "peak_rss_bytes"}) {
            QVERIFY2(j.contains(k) && j[k].is_number(), k);
            QVERIFY2(j[k].get<double>() > 0, k);
        }
        if (j.contains("text")) QVERIFY(j["text"].get<std::string>().find("Lily") != std::string::npos);
    }
    void generateSampledSeeded() {
        const QString model = fixture("models/stories260K-gguf/stories260K-f32.v3.gguf");
        HONE_REQUIRE_PATH(model);
        const QStringList args = {"generate", "--model",       model,  "--ids",   "1,403", "--max-tokens",
                                  "12",       "--temperature", "0.9",  "--top-k", "40",    "--top-p",
                                  "0.95",     "--min-p",       "0.02", "--seed",  "7",     "--repeat-penalty",
                                  "1.1",      "--json"};
        auto a = hone_(args), b = hone_(args);
        QVERIFY2(a.code == 0, a.err.constData());
        QCOMPARE(Json::parse(a.out.toStdString())["ids"], Json::parse(b.out.toStdString())["ids"]);
        QCOMPARE(Json::parse(a.out.toStdString())["ids"].size(), std::size_t(12));
    }
    void logitsTopAndRaw() {
        const QString model = fixture("models/stories260K");
        HONE_REQUIRE_PATH(model);
        QTemporaryDir tmp;
        const QString out = tmp.path() + "/l.f32";
        auto r = hone_({"logits", "--model", model, "--ids", "1", "--top", "10", "--out", out, "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const Json j = Json::parse(r.out.toStdString());
        QCOMPARE(j["top"].size(), std::size_t(10));
        QCOMPARE(j["top"][0][0].get<int>(), 403);
        QVERIFY(std::abs(j["top"][0][1].get<double>() - 17.023515199841494) < 1e-4);
        for (std::size_t i = 1; i < 10; ++i)
            QVERIFY(j["top"][i - 1][1].get<double>() >= j["top"][i][1].get<double>());
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray raw = f.readAll();
        QCOMPARE(raw.size(), 512 * 4);
        float l403;
        std::memcpy(&l403, raw.constData() + 403 * 4, 4);
        QCOMPARE(l403, j["top"][0][1].get<float>());
    }
    void promptText() {
        const QString model = fixture("models/stories260K");
        HONE_REQUIRE_PATH(model + "/tokenizer.json");
        auto r = hone_({"generate", "--model", model, "--prompt", "Once upon a time", "--max-tokens", "8",
                        "--temperature", "0", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const Json j = Json::parse(r.out.toStdString());
        QCOMPARE(j["ids"].size(), std::size_t(8));
        QVERIFY(j["text"].is_string() && !j["text"].get<std::string>().empty());
        QVERIFY(j["prompt_tokens"].get<int>() >= 4);
    }
    void benchQuick() {
        const QString model = fixture("models/stories260K");
        HONE_REQUIRE_PATH(model);
        auto r = hone_({"bench", "generate", "--quick", "--json", "--stories", model});
        QVERIFY2(r.code == 0, r.err.constData());
        const Json j = Json::parse(r.out.toStdString());
        QVERIFY(j["copy_bandwidth_bytes_per_s"].get<double>() > 1e8);
        QCOMPARE(j["results"].size(), std::size_t(4));
        for (const auto& row : j["results"]) {
            QVERIFY(row["decode_tokens_per_s"].get<double>() > 0);
            QVERIFY(row["fraction_of_bandwidth_limit"].get<double>() > 0);
            QVERIFY(row["peak_rss_bytes"].get<double>() > 0);
        }
    }
    void errors() {
        auto r = hone_({"generate", "--model", "/nonexistent/model", "--ids", "1", "--json"});
        QVERIFY(r.code != 0);
        QVERIFY(r.err.startsWith("error: "));
        QVERIFY(r.err.contains("/nonexistent/model"));
        const QString model = fixture("models/stories260K");
        HONE_REQUIRE_PATH(model);
        r = hone_({"logits", "--model", model, "--ids", "1,x"});
        QVERIFY(r.code != 0);
        QVERIFY(r.err.contains("--ids"));
    }
};

QTEST_GUILESS_MAIN(TstCliGenerate)
#include "tst_cli_generate.moc"
