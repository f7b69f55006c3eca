// `hone export` end to end: train stories260K for a few steps with the ChatML template (two added tokens),
// export the run as a PEFT folder and a merged F32 folder with --json; the check reports logits within 1e-5,
// the template tokens and stop ids in agreement, and the exports are rows of hone.db. GGUF + Ollama through
// the same command. Bad input exits 1 with one error line and leaves no output folder.
#include "common/test_support.h"
#include "peft_test_adapter.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <filesystem>
#include <fstream>

namespace test = hone::test;

namespace {

QString honeBin() {
    return qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone";
}
QString stories() {
    return test::fixture("models/stories260K");
}

struct Result {
    int code = -1;
    QByteArray out, err;
};

Result runHone(const QStringList& args, int timeoutMs = 300000) {
    QProcess p;
    p.start(honeBin(), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

// Trains once per test process; returns the run id (0 on failure).
qint64 trainedRun(const QString& home) {
    const Result r = runHone({"train",
                              "--home",
                              home,
                              "--model",
                              stories(),
                              "--data",
                              test::sourceDir() + "/tests/data/train/stories_alpaca.jsonl",
                              "--template",
                              "chatml",
                              "--batch-size",
                              "4",
                              "--lr",
                              "3e-3",
                              "--threads",
                              "1",
                              "--max-steps",
                              "3",
                              "--lora-rank",
                              "4",
                              "--json-progress"});
    if (r.code != 0) {
        qWarning("train failed: %s", r.err.constData());
        return 0;
    }
    const auto lines = r.out.trimmed().split('\n');
    return QJsonDocument::fromJson(lines.last()).object()["run_id"].toInteger();
}

// A seeded test adapter for stories260K in tmp/adapter.
std::string storiesAdapter(const QTemporaryDir& tmp, const hone::test::TestAdapter& t) {
    const std::string dir = tmp.filePath("adapter").toStdString();
    std::filesystem::create_directories(dir);
    hone::test::writeTestAdapter(dir, stories().toStdString(), t);
    return dir;
}

} // namespace

class TestCliExport : public QObject {
    Q_OBJECT
    QTemporaryDir home_;
    qint64 run_ = 0;

private Q_SLOTS:
    void initTestCase() {
        if (!QFileInfo::exists(stories())) return;
        run_ = trainedRun(home_.path());
    }

    void runToPeftAndMergedWithCheckAndStore() {
        HONE_REQUIRE_PATH(stories());
        QVERIFY(run_ > 0);
        QTemporaryDir out;
        const Result r =
            runHone({"export", "--home", home_.path(), "--run", QString::number(run_), "--format",
                     "peft,merged", "--out", out.path(), "--json", "--threads", "1"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject rep = QJsonDocument::fromJson(r.out).object();
        QVERIFY(rep["ok"].toBool());
        const QJsonArray files = rep["files"].toArray();
        QVERIFY(files.contains(out.path() + "/peft/adapter_model.safetensors"));
        QVERIFY(files.contains(out.path() + "/peft/adapter_config.json"));
        QVERIFY(files.contains(out.path() + "/merged/model.safetensors"));
        for (const auto& f : files) QVERIFY2(QFileInfo::exists(f.toString()), qPrintable(f.toString()));
        const QJsonObject merged = rep["check"].toObject()["merged"].toObject();
        // ~1e-5 relative to the logits' scale (stories260K's reach about 20; the floor of the training vs
        // inference forward passes with a zero adapter is of the same size).
        const double scale = std::max(1.0, merged["reference_max_abs"].toDouble());
        QVERIFY2(
            merged["max_abs_diff"].toDouble() < 1e-5 * scale,
            qPrintable(QString("%1 (logits up to %2)").arg(merged["max_abs_diff"].toDouble()).arg(scale)));
        QCOMPARE(merged["top1_agreement"].toDouble(), 1.0);
        QVERIFY(merged["template_tokens_match"].toBool());
        QVERIFY(merged["eos_agreement"].toBool());
        QVERIFY(r.err.contains("merge "));

        // The exported PEFT config and the merged folder's added tokens.
        QFile cfgFile(out.path() + "/peft/adapter_config.json");
        QVERIFY(cfgFile.open(QIODevice::ReadOnly));
        const QJsonObject cfg = QJsonDocument::fromJson(cfgFile.readAll()).object();
        QCOMPARE(cfg["r"].toInt(), 4);
        QCOMPARE(cfg["base_model_name_or_path"].toString(), QDir(stories()).absolutePath());
        QCOMPARE(cfg["modules_to_save"].toArray().size(), 2);
        QFile mc(out.path() + "/merged/config.json");
        QVERIFY(mc.open(QIODevice::ReadOnly));
        QFile bc(stories() + "/config.json");
        QVERIFY(bc.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(mc.readAll()).object()["vocab_size"].toInt(),
                 QJsonDocument::fromJson(bc.readAll()).object()["vocab_size"].toInt() + 2);

        // Recorded in the store.
        {
            auto db = QSqlDatabase::addDatabase("QSQLITE", "exports");
            db.setDatabaseName(home_.path() + "/hone.db");
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec("SELECT format, path, dtype, check_json FROM exports WHERE run_id = " +
                           QString::number(run_) + " ORDER BY id"));
            QStringList formats;
            while (q.next()) {
                formats << q.value(0).toString();
                if (q.value(0).toString() == "merged") {
                    QCOMPARE(q.value(1).toString(), out.path() + "/merged");
                    QCOMPARE(q.value(2).toString(), QString("f32"));
                    const auto check = QJsonDocument::fromJson(q.value(3).toString().toUtf8()).object();
                    QCOMPARE(check["max_abs_diff"].toDouble(), merged["max_abs_diff"].toDouble());
                }
            }
            QCOMPARE(formats, (QStringList{"peft", "merged"}));
        }
        QSqlDatabase::removeDatabase("exports");

        // The exported PEFT folder imports again (--adapter) and merges to the same bytes in bf16 and f32.
        QTemporaryDir again;
        const Result r2 =
            runHone({"export", "--home", home_.path(), "--adapter", out.path() + "/peft", "--format",
                     "merged,gguf", "--dtype", "bf16", "--quant", "f32", "--out", again.path(), "--json"});
        QVERIFY2(r2.code == 0, r2.err.constData());
        const QJsonObject checks2 = QJsonDocument::fromJson(r2.out).object()["check"].toObject();
        const QJsonObject c2 = checks2["merged"].toObject();
        QCOMPARE(c2["type"].toString(), QString("bf16"));
        QVERIFY(c2["logits_ok"].toBool());
        QVERIFY(c2["max_abs_diff"].toDouble() > merged["max_abs_diff"].toDouble());
        // The F32 GGUF comes from an F32 merge, not from the BF16 folder: as close as the F32 merged folder.
        const QJsonObject g2 = checks2["gguf:f32"].toObject();
        QVERIFY2(g2["max_abs_diff"].toDouble() < 1e-5 * scale,
                 qPrintable(QString::number(g2["max_abs_diff"].toDouble())));
        QVERIFY(!QDir(again.path())
                     .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)
                     .join(",")
                     .contains(".merged"));
    }

    void ggufAndOllama() {
        HONE_REQUIRE_PATH(stories());
        QVERIFY(run_ > 0);
        QTemporaryDir out;
        const Result r =
            runHone({"export", "--home", home_.path(), "--run", QString::number(run_), "--format",
                     "gguf,ollama", "--quant", "f32,q8_0", "--out", out.path(), "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject rep = QJsonDocument::fromJson(r.out).object();
        const QJsonObject f32 = rep["check"].toObject()["gguf:f32"].toObject();
        QVERIFY2(f32["max_abs_diff"].toDouble() < 1e-5 * std::max(1.0, f32["reference_max_abs"].toDouble()),
                 qPrintable(QString::number(f32["max_abs_diff"].toDouble())));
        QVERIFY(f32["logits_ok"].toBool());
        QVERIFY(f32["template_tokens_match"].toBool());
        QVERIFY(f32["eos_agreement"].toBool());
        const QJsonObject q8 = rep["check"].toObject()["gguf:q8_0"].toObject();
        QVERIFY(q8.contains("kl"));
        QVERIFY(q8["top1_agreement"].toDouble() >= 0.5);
        QFile mf(out.path() + "/Modelfile");
        QVERIFY(mf.open(QIODevice::ReadOnly));
        const QByteArray text = mf.readAll();
        QVERIFY(text.contains("FROM ./model-f32.gguf\n"));
        QVERIFY(text.contains("<|im_start|>{{ .Role }}"));
        QVERIFY(text.contains("PARAMETER stop \"<|im_end|>\""));
        QVERIFY(rep["ollama_command"].toString().startsWith("ollama create "));
        QVERIFY(!QDir(out.path())
                     .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)
                     .join(",")
                     .contains(".merged"));
    }

    void checkpointOfARun() {
        HONE_REQUIRE_PATH(stories());
        QVERIFY(run_ > 0);
        QTemporaryDir out;
        const Result r = runHone({"export", "--home", home_.path(), "--run", QString::number(run_),
                                  "--checkpoint", "3", "--format", "peft", "--out", out.path()});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains(out.path().toUtf8() + "/peft/adapter_model.safetensors"));
        QFile info(out.path() + "/peft/hone_adapter.json");
        QVERIFY(info.open(QIODevice::ReadOnly));
        const QJsonObject j = QJsonDocument::fromJson(info.readAll()).object();
        QCOMPARE(j["step"].toInt(), 3);
        QCOMPARE(j["template"].toString(), QString("chatml"));
    }

    void importedAdapterTheReferenceCannotHoldSkipsTheCheck() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir tmp;
        hone::test::TestAdapter t;
        t.rank = 4;
        t.targets = {"q_proj", "down_proj"};
        const std::string dir = storiesAdapter(tmp, t);
        // Rank 2 for down_proj through rank_pattern (PEFT's per-module ranks): the merge follows the tensors,
        // the reference LoRA model (one rank) cannot hold it.
        std::ofstream(dir + "/adapter_config.json")
            << R"({"peft_type": "LORA", "r": 2, "lora_alpha": 8, "target_modules": ["q_proj", "down_proj"],)"
            << R"( "rank_pattern": {"q_proj": 4}})";
        const Result r =
            runHone({"export", "--home", tmp.path(), "--adapter", QString::fromStdString(dir), "--model",
                     stories(), "--format", "merged", "--out", tmp.filePath("out"), "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject rep = QJsonDocument::fromJson(r.out).object();
        QVERIFY(rep["check"].toObject()["skipped"].toString().contains("shape"));
        QVERIFY(r.err.contains("check skipped: "));
        QVERIFY(QFileInfo::exists(tmp.filePath("out/merged/model.safetensors")));
    }

    // llama.cpp's --lora format: written next to nothing else, read back and applied over the base by the
    // check (F32 exact); an adapter with added tokens (the ChatML run) is refused and leaves no folder.
    void ggufLoraAdapter() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir tmp;
        hone::test::TestAdapter t;
        t.alpha = 8;
        t.seed = 11;
        const std::string dir = storiesAdapter(tmp, t);
        const Result r = runHone({"export", "--home", tmp.path(), "--adapter", QString::fromStdString(dir),
                                  "--model", stories(), "--format", "gguf-lora", "--dtype", "f32", "--out",
                                  tmp.filePath("out"), "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject rep = QJsonDocument::fromJson(r.out).object();
        QVERIFY(rep["files"].toArray().contains(tmp.filePath("out") + "/adapter-f32.gguf"));
        const QJsonObject c = rep["check"].toObject()["gguf-lora"].toObject();
        QVERIFY2(c["ok"].toBool(), qPrintable(QJsonDocument(c).toJson()));
        QVERIFY(c["eos_agreement"].isNull()); // the base GGUF's stop tokens apply
        QVERIFY(c["max_abs_diff"].toDouble() < 1e-5 * std::max(1.0, c["reference_max_abs"].toDouble()));
        QVERIFY(r.err.contains("--lora " + tmp.filePath("out").toUtf8() + "/adapter-f32.gguf"));

        if (run_ > 0) {
            const Result refused = runHone({"export", "--home", home_.path(), "--run", QString::number(run_),
                                            "--format", "gguf-lora", "--out", tmp.filePath("refused")});
            QCOMPARE(refused.code, 1);
            QVERIFY2(refused.err.contains("cannot carry new or retrained") &&
                         refused.err.contains("--format gguf"),
                     refused.err.constData());
            QVERIFY(!QFileInfo::exists(tmp.filePath("refused")));
        }
    }

    void badInputExitsWithOneErrorLine() {
        QTemporaryDir tmp;
        auto expectError = [&](const QStringList& args, const char* text) {
            const Result r = runHone(QStringList{"export", "--home", tmp.path()} + args);
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.startsWith("error: ") && r.err.contains(text), r.err.constData());
        };
        const QString out = tmp.filePath("out");
        expectError({"--run", "7", "--format", "peft", "--out", out}, "no runs recorded");
        expectError({"--adapter", tmp.filePath("nope"), "--format", "peft", "--out", out}, "does not exist");
        expectError({"--adapter", tmp.path(), "--format", "safetensors", "--out", out},
                    "unknown export format 'safetensors'");
        expectError({"--format", "peft", "--out", out}, "give --run ID");
        QVERIFY(!QFileInfo::exists(out));
        if (run_ > 0) {
            expectError({"--home", home_.path(), "--run", "999", "--format", "peft", "--out", out},
                        "no run with id 999");
            expectError({"--home", home_.path(), "--run", QString::number(run_), "--checkpoint", "77",
                         "--format", "peft", "--out", out},
                        "no checkpoint at step 77");
            QFile blocker(tmp.filePath("file"));
            QVERIFY(blocker.open(QIODevice::WriteOnly));
            blocker.close();
            expectError({"--home", home_.path(), "--run", QString::number(run_), "--format", "merged",
                         "--out", tmp.filePath("file") + "/sub"},
                        "cannot create the output folder");
            QVERIFY(!QFileInfo::exists(out));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliExport)
#include "tst_cli_export.moc"
