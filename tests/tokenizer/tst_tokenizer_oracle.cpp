// Differential test against the real Hugging Face tokenizers library (Rust, npm @anush008/tokenizers, run
// once through tests/oracles/hf_tokenizer_oracle.js with every case batched): identical ids with and without
// special tokens and identical decoded text, over adversarial and seeded random texts, for the fixture
// tokenizers and synthetic variants covering the other pipeline stages.
#include "common/json.h"
#include "common/mapped_file.h"
#include "common/test_support.h"
#include "oracle_cases.h"
#include "oracle_variants.h"
#include "tokenizer/tokenizer.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <random>

using namespace hone;

namespace {

std::string b64(const std::string& s) {
    return QByteArray(s.data(), static_cast<int>(s.size())).toBase64().toStdString();
}

std::string showIds(const std::vector<int32_t>& v) {
    std::string s;
    for (auto i : v) s += std::to_string(i) + " ";
    return s;
}

std::string escaped(const std::string& s) {
    return Json(s).dump(-1, ' ', true, Json::error_handler_t::replace);
}

} // namespace

class TstTokenizerOracle : public QObject {
    Q_OBJECT
private slots:
    void matchesHuggingFace() {
        const QString fixtures = hone::test::fixturesDir();
        HONE_REQUIRE_PATH(fixtures + "/tokenizers/llama3/tokenizer.json");
        const QString script = hone::test::sourceDir() + "/tests/oracles/hf_tokenizer_oracle.js";
        const QString module = hone::test::sourceDir() + "/tests/oracles/node_modules/@anush008/tokenizers";
        HONE_REQUIRE_ORACLE(hone::test::runShell("node --version") == 0, "node");
        HONE_REQUIRE_ORACLE(QFileInfo::exists(module), "npm install --prefix tests/oracles");

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const auto variants = hone::test::makeVariants(fixtures.toStdString());
        std::vector<std::string> texts = hone::test::adversarialTexts();
        for (auto& t : hone::test::randomTexts(20261126, 300)) texts.push_back(std::move(t));

        Json req;
        req["tokenizers"] = Json::array();
        std::vector<tok::Tokenizer> toks;
        for (const auto& v : variants) {
            const QString path = tmp.filePath(QString::fromStdString(v.name) + ".json");
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(v.json.data(), static_cast<qint64>(v.json.size()));
            f.close();
            req["tokenizers"].push_back(path.toStdString());
            toks.push_back(tok::Tokenizer::fromJson(v.json));
        }
        req["texts_b64"] = Json::array();
        for (const auto& t : texts) req["texts_b64"].push_back(b64(t));
        std::mt19937 rng(7);
        std::vector<std::vector<int32_t>> randomIds;
        for (int i = 0; i < 40; ++i) {
            std::vector<int32_t> ids;
            const int n = 1 + static_cast<int>(rng() % 12);
            for (int k = 0; k < n; ++k) ids.push_back(static_cast<int32_t>(rng() % 520));
            randomIds.push_back(ids);
        }
        req["decode"] = randomIds;
        const QString reqPath = tmp.filePath("request.json");
        {
            QFile f(reqPath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            const std::string s = req.dump();
            f.write(s.data(), static_cast<qint64>(s.size()));
        }
        QByteArray out;
        const int rc = hone::test::runShell("node '" + script + "' '" + reqPath + "'", &out, 240000);
        QVERIFY2(rc == 0, out.left(2000).constData());
        const Json resp = Json::parse(out.toStdString(), nullptr, false);
        QVERIFY2(!resp.is_discarded() && resp.contains("results"), "oracle printed no JSON");
        QCOMPARE(resp["results"].size(), variants.size());

        int mismatches = 0, checks = 0;
        for (std::size_t v = 0; v < variants.size(); ++v) {
            const int before = mismatches;
            const Json& r = resp["results"][v];
            const auto& t = toks[v];
            for (std::size_t i = 0; i < texts.size(); ++i) {
                const auto with = t.encode(texts[i], {.addSpecialTokens = true});
                const auto without = t.encode(texts[i], {.addSpecialTokens = false});
                const auto refWith = r["with"][i].get<std::vector<int32_t>>();
                const auto refWithout = r["without"][i].get<std::vector<int32_t>>();
                const std::string dec = t.decode(refWith, false), decSkip = t.decode(refWith, true);
                checks += 4;
                auto report = [&](const char* what, const std::string& got, const std::string& want) {
                    if (++mismatches - before <= 4)
                        qWarning("[%s] %s on %s\n  hf:   %s\n  hone: %s", variants[v].name.c_str(), what,
                                 escaped(texts[i]).c_str(), want.c_str(), got.c_str());
                };
                if (with != refWith) report("encode(add_special)", showIds(with), showIds(refWith));
                if (without != refWithout) report("encode", showIds(without), showIds(refWithout));
                if (dec != r["decoded"][i].get<std::string>())
                    report("decode", escaped(dec), escaped(r["decoded"][i].get<std::string>()));
                if (decSkip != r["decoded_skip"][i].get<std::string>())
                    report("decode(skip_special)", escaped(decSkip),
                           escaped(r["decoded_skip"][i].get<std::string>()));
            }
            for (std::size_t i = 0; i < randomIds.size(); ++i) {
                std::vector<int32_t> ids;
                for (auto id : randomIds[i])
                    if (static_cast<std::size_t>(id) < t.vocabSize()) ids.push_back(id);
                const std::string got = t.decode(ids, false);
                ++checks;
                if (got != r["decoded_random"][i].get<std::string>() && ++mismatches - before <= 4)
                    qWarning("[%s] decode(random %s)\n  hf:   %s\n  hone: %s", variants[v].name.c_str(),
                             showIds(ids).c_str(), escaped(r["decoded_random"][i].get<std::string>()).c_str(),
                             escaped(got).c_str());
            }
            if (mismatches > before)
                qWarning("[%s]: %d mismatches", variants[v].name.c_str(), mismatches - before);
        }
        qInfo("%d checks over %zu tokenizers x %zu texts, %d mismatches", checks, variants.size(),
              texts.size(), mismatches);
        QCOMPARE(mismatches, 0);
    }
};

QTEST_GUILESS_MAIN(TstTokenizerOracle)
#include "tst_tokenizer_oracle.moc"
