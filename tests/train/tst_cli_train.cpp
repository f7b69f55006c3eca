// `hone train` as users and the GUI's worker run it: the --json-progress lines (the stable machine
// interface) and the run's rows in hone.db; SIGKILL mid-step loses only the steps since the last checkpoint
// and `--resume RUN` continues exactly; --config YAML; RLIMIT_AS: refused with advice instead of being
// killed.
#include "common/test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <csignal>

namespace test = hone::test;

namespace {

QString honeBin() {
    return qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone";
}
QString stories() {
    return test::fixture("models/stories260K");
}
QString storiesData() {
    return test::sourceDir() + "/tests/data/train/stories_alpaca.jsonl";
}

QStringList commonArgs(const QString& home) {
    return {"train",       "--home",     home,     "--model",        stories(), "--data",
            storiesData(), "--template", "alpaca", "--batch-size",   "4",       "--lr",
            "3e-3",        "--threads",  "1",      "--json-progress"};
}

struct Run {
    int exitCode = -1;
    QList<QJsonObject> events;
    QByteArray err;
};

Run runHone(const QStringList& args, int timeoutMs = 120000) {
    QProcess p;
    p.start(honeBin(), args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    r.exitCode = p.exitCode();
    r.err = p.readAllStandardError();
    for (const QByteArray& line : p.readAllStandardOutput().split('\n')) {
        if (line.trimmed().isEmpty()) continue;
        QJsonParseError pe;
        auto doc = QJsonDocument::fromJson(line, &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
            qWarning("not a JSON object line: %s", line.constData());
            r.exitCode = -100;
            continue;
        }
        r.events.push_back(doc.object());
    }
    return r;
}

QList<double> stepLosses(const QList<QJsonObject>& events, int fromStep = 0) {
    QList<double> out;
    for (const auto& e : events)
        if (e["event"] == "step" && e["step"].toInt() > fromStep) out.push_back(e["loss"].toDouble());
    return out;
}

QJsonObject runsShow(const QString& home, qint64 id) {
    QProcess p;
    p.start(honeBin(), {"runs", "show", QString::number(id), "--json", "--home", home});
    p.waitForFinished(30000);
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

} // namespace

class TestCliTrain : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void jsonProgressLinesAndStoredRun() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir home;
        Run r = runHone(commonArgs(home.path()) + QStringList{"--max-steps", "6", "--eval-split", "0.1",
                                                              "--eval-every", "3", "--save-every", "3"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QStringList kinds;
        for (const auto& e : r.events) kinds << e["event"].toString();
        QCOMPARE(kinds.first(), QString("data"));
        QCOMPARE(kinds.count("step"), 6);
        QCOMPARE(kinds.count("checkpoint"), 2);
        QVERIFY(kinds.count("eval") >= 3); // baseline, step 3, step 6, final
        for (const auto& e : r.events) {
            if (e["event"] != "step") continue;
            for (const char* k :
                 {"step", "loss", "lr", "grad_norm", "tokens_per_s", "eta_s", "peak_mem_bytes"})
                QVERIFY2(e.contains(k), k);
            QVERIFY(e["tokens_per_s"].toDouble() > 0);
        }
        const QJsonObject done = r.events.last();
        QCOMPARE(done["event"].toString(), QString("done"));
        QCOMPARE(done["status"].toString(), QString("finished"));
        const qint64 id = done["run_id"].toInteger();
        QVERIFY(id > 0);
        QVERIFY(QFile::exists(done["adapter"].toString() + "/adapter_model.safetensors"));

        const QJsonObject show = runsShow(home.path(), id);
        const QJsonObject run = show["run"].toObject();
        QCOMPARE(run["status"].toString(), QString("finished"));
        QCOMPARE(run["last_step"].toInt(), 6);
        QCOMPARE(run["config"].toObject()["max-steps"].toInt(), 6);
        QCOMPARE(run["adapter_path"].toString(), done["adapter"].toString());
        QCOMPARE(run["device"].toString(), QString("cpu"));
        QCOMPARE(run["dataset_hash"].toString().size(), 16);
        QCOMPARE(run["versions"].toObject()["threads"].toInt(), 1);
        int train = 0, eval = 0;
        for (const auto& m : show["metrics"].toArray()) {
            if (m.toObject()["kind"] == "train") ++train;
            if (m.toObject()["kind"] == "eval") ++eval;
        }
        QCOMPARE(train, 6);
        QVERIFY(eval >= 2);
        QCOMPARE(show["checkpoints"].toArray().size(), 2);
    }

    void sigkillLosesOnlyTheStepsSinceTheLastCheckpoint() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir home;
        const QStringList args =
            commonArgs(home.path()) +
            QStringList{"--max-steps", "12", "--save-every", "4", "--lora-dropout", "0.1"};
        Run straight = runHone(args);
        QVERIFY2(straight.exitCode == 0, straight.err.constData());
        const QList<double> reference = stepLosses(straight.events);
        QCOMPARE(reference.size(), 12);

        // Kill -9 in the middle of step 10 (after checkpoint 8 and step 9 were reported).
        QProcess p;
        p.start(honeBin(), args);
        QVERIFY(p.waitForStarted());
        qint64 runId = 0;
        bool sawStep9 = false;
        QByteArray buffer;
        QElapsedTimer t;
        t.start();
        while (!sawStep9 && t.elapsed() < 120000) {
            p.waitForReadyRead(1000);
            buffer += p.readAllStandardOutput();
            int nl;
            while ((nl = buffer.indexOf('\n')) >= 0) {
                auto e = QJsonDocument::fromJson(buffer.left(nl)).object();
                buffer.remove(0, nl + 1);
                if (e["event"] == "start") runId = e["run_id"].toInteger();
                if (e["event"] == "step" && e["step"].toInt() == 9) sawStep9 = true;
            }
        }
        QVERIFY(sawStep9);
        ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
        p.waitForFinished();
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        QVERIFY(runId > 0);

        // The store notices the dead trainer.
        const QJsonObject killed = runsShow(home.path(), runId)["run"].toObject();
        QCOMPARE(killed["status"].toString(), QString("failed"));
        QVERIFY2(killed["error"].toString().contains("ended without reporting"),
                 qPrintable(killed["error"].toString()));

        Run resumed = runHone({"train", "--home", home.path(), "--resume", QString::number(runId),
                               "--threads", "1", "--json-progress"});
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        QCOMPARE(resumed.events[1]["event"].toString(), QString("start"));
        QCOMPARE(resumed.events[1]["step"].toInt(), 8);
        const QList<double> after = stepLosses(resumed.events);
        QCOMPARE(after.size(), 4);
        for (int i = 0; i < 4; ++i) QCOMPARE(after[i], reference[8 + i]); // exact: JSON keeps every bit
        const QJsonObject run = runsShow(home.path(), runId)["run"].toObject();
        QCOMPARE(run["status"].toString(), QString("finished"));
        QCOMPARE(run["last_step"].toInt(), 12);
    }

    // `hone bench train` times the step's unavoidable base-weight GEMMs alone: they must take less than the
    // whole step (a floor above the step means it measured the wrong products or the step skips work).
    void benchTrainMeasuresItsGemmFloor() {
        QProcess p;
        p.start(honeBin(),
                {"bench", "train", "--quick", "--no-peer", "--json", "--dtype", "f32", "--steps", "2"});
        QVERIFY(p.waitForFinished(300000));
        QCOMPARE(p.exitCode(), 0);
        const QJsonObject report = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        const QJsonObject ours = report["runs"].toArray().at(0).toObject()["ours"].toObject();
        const double floorS = ours["gemm_floor_s"].toDouble(), stepS = ours["step_s"].toDouble();
        qInfo("step %.3f s, GEMM floor %.3f s (%.0f GFLOP/s)", stepS, floorS, ours["gemm_gflops"].toDouble());
        QVERIFY2(floorS > 0 && floorS < stepS,
                 qPrintable(QString("floor %1 s, step %2 s").arg(floorS).arg(stepS)));
        QVERIFY(ours["gemm_gflops"].toDouble() > 1);
        QCOMPARE(ours["floor_share"].toDouble(), floorS / stepS);
    }

    void yamlConfigFile() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir home;
        const QString cfg = home.filePath("train.yaml");
        QFile f(cfg);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QString("# a LoRA on two projections\nmodel: %1\ndata: %2\ntemplate: alpaca\nmax_steps: 2\n"
                        "lora-rank: 4\ntargets: [q_proj, v_proj]\nthreads: 1\n")
                    .arg(stories(), storiesData())
                    .toUtf8());
        f.close();
        Run r = runHone({"train", "--home", home.path(), "--config", cfg, "--json-progress", "--lr", "1e-3"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString adapter = r.events.last()["adapter"].toString();
        QFile ac(adapter + "/adapter_config.json");
        QVERIFY(ac.open(QIODevice::ReadOnly));
        const QJsonObject c = QJsonDocument::fromJson(ac.readAll()).object();
        QCOMPARE(c["r"].toInt(), 4);
        QCOMPARE(c["target_modules"].toArray(), (QJsonArray{"q_proj", "v_proj"}));
        const QJsonObject run =
            runsShow(home.path(), r.events.last()["run_id"].toInteger())["run"].toObject();
        QCOMPARE(run["config"].toObject()["lr"].toDouble(), 1e-3); // the flag overrides the file

        QFile bad(home.filePath("bad.yaml"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("learning_rate: 1e-4\n");
        bad.close();
        Run e = runHone({"train", "--home", home.path(), "--config", home.filePath("bad.yaml")});
        QCOMPARE(e.exitCode, 1);
        QVERIFY2(e.err.contains("unknown setting 'learning_rate'"), e.err.constData());

        // --init-adapter reaches the trainer (the in-process behaviour is tst_init_adapter's).
        Run i = runHone(
            {"train", "--home", home.path(), "--config", cfg, "--init-adapter", home.filePath("none")});
        QCOMPARE(i.exitCode, 1);
        QVERIFY2(i.err.contains("--init-adapter " + home.filePath("none").toUtf8() + " does not exist"),
                 i.err.constData());
    }

    void dryRunReportsDataProblemsAndMemoryWithoutARun() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir home;
        Run r = runHone({"train", "--home", home.path(), "--dry-run", "--json-progress", "--model", stories(),
                         "--data", test::sourceDir() + "/tests/data/datasets/alpaca_mixed.jsonl",
                         "--template", "alpaca"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.events.size(), 2);
        const QJsonObject data = r.events[0];
        QCOMPARE(data["event"].toString(), QString("data"));
        QList<int> lines;
        for (const auto& p : data["problems"].toArray()) lines << p.toObject()["line"].toInt();
        QCOMPARE(lines, (QList<int>{3, 4, 5, 7}));
        QVERIFY(data["lengths"].toObject()["max"].toInt() > 0);
        QCOMPARE(r.events[1]["event"].toString(), QString("estimate"));
        QVERIFY(r.events[1]["fits"].toBool());
        QVERIFY(r.events[1]["total_bytes"].toDouble() > r.events[1]["weights_bytes"].toDouble());
        QVERIFY(!QFile::exists(home.filePath("hone.db")) || runsShow(home.path(), 1).isEmpty());
    }

    void addressSpaceLimitIsRefusedWithAdvice() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir home;
        auto limited = [&](const QString& extra) {
            QByteArray out;
            const QString cmd =
                QString("ulimit -v 3000000; exec '%1' train --no-store --out '%2/run' --model '%3' "
                        "--data '%4' --template alpaca --threads 1 --max-steps 2 %5 2>&1")
                    .arg(honeBin(), home.path(), stories(), storiesData(), extra);
            const int rc = test::runShell(cmd, &out);
            return std::make_pair(rc, out);
        };
        auto [rc, out] = limited("--batch-size 64 --max-seq-len 512 --packing");
        QCOMPARE(rc, 1); // refused, not killed by the kernel or by std::bad_alloc
        QVERIFY2(out.contains("not enough memory") && out.contains("RLIMIT_AS") &&
                     out.contains("--batch-size"),
                 out.constData());
        // Under the same limit a run that fits trains.
        auto [rc2, out2] = limited("--batch-size 4");
        QVERIFY2(rc2 == 0, out2.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliTrain)
#include "tst_cli_train.moc"
