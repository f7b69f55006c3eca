// The run store on real SQLite files: migration from older schemas, run/metric/checkpoint round trips,
// all-or-nothing metric batches, resume rewrites, cascades, stale-run detection and concurrent writers
// (threads and processes). The test binary doubles as the writer process (HONE_TST_WRITER set).
#include "common/test_support.h"
#include "store/migrations.h"
#include "store/run_store.h"
#include "store/store.h"

#include "common/error.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSqlQuery>
#include <QThread>
#include <cmath>
#include <cstdio>
#include <set>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace hone;

namespace {

QVariant scalar(Store& store, const QString& sql) {
    QSqlQuery q(store.connection());
    if (!q.exec(sql) || !q.next()) return {};
    return q.value(0);
}

RunRecord sampleRun(const std::string& name = "alpaca-r16") {
    RunRecord r;
    r.name = name;
    r.modelPath = "/models/tiny-llama";
    r.modelIdentity = R"({"architecture":"LlamaForCausalLM","params":1100000,"dtype":"bf16"})";
    r.datasetPath = "/data/alpaca.jsonl";
    r.datasetHash = "sha256:abcd";
    r.templateName = "chatml";
    r.templateHash = "sha256:ef01";
    r.configJson = R"({"lr":0.0002,"lora-rank":16,"lora-alpha":32})";
    r.versionsJson = R"({"hone":"0.1.0","torch":"1.13"})";
    r.device = "cpu";
    r.runDir = "/runs/1";
    return r;
}

std::vector<MetricRow> trainRows(std::int64_t from, std::int64_t to, double loss) {
    std::vector<MetricRow> rows;
    for (std::int64_t s = from; s <= to; ++s) {
        MetricRow m;
        m.step = s;
        m.loss = loss;
        m.lr = 1e-4;
        rows.push_back(m);
    }
    return rows;
}

// The pid of a process that has exited and been reaped.
pid_t deadPid() {
    pid_t pid = 0;
    char name[] = "true";
    char* argv[] = {name, nullptr};
    if (::posix_spawnp(&pid, "true", nullptr, nullptr, argv, environ) != 0) return 0;
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

// Child mode: HONE_TST_WRITER="PATH;RUN;BASE;BATCHES;ROWS" appends BATCHES batches of ROWS train rows with
// steps BASE.., updating the run's progress after each (contended row), then prints "done".
int writerMain() {
    const QStringList a = qEnvironmentVariable("HONE_TST_WRITER").split(';');
    if (a.size() != 5) return 2;
    try {
        Store store(a[0]);
        store.open();
        RunStore runs(store);
        const std::int64_t run = a[1].toLongLong(), base = a[2].toLongLong();
        const int batches = a[3].toInt(), rows = a[4].toInt();
        for (int b = 0; b < batches; ++b) {
            const std::int64_t first = base + std::int64_t(b) * rows;
            runs.appendMetrics(run, trainRows(first, first + rows - 1, 1.0 + b));
            runs.setProgress(run, first + rows - 1, base + std::int64_t(batches) * rows);
        }
        std::printf("done\n");
        return 0;
    } catch (const Error& e) {
        std::printf("error: %s\n", e.what());
        return 1;
    }
}

} // namespace

class TestRunStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void migratesOlderDatabasesKeepingTheirData() {
        QVERIFY(latestSchemaVersion() >= 3);
        for (int from = 0; from <= 2; ++from) {
            QTemporaryDir dir;
            const QString path = dir.path() + "/hone.db";
            {
                Store old(path);
                old.openAtVersion(from);
                if (from >= 1) old.setState("kept", "yes");
                if (from >= 2) old.audit("user", "before-upgrade", "v2 row");
                QVERIFY(!scalar(old, "SELECT count(*) FROM runs").isValid()); // no runs table yet
            }
            Store store(path);
            store.open();
            QCOMPARE(store.schemaVersion(), latestSchemaVersion());
            if (from >= 1) QCOMPARE(store.state("kept"), QStringLiteral("yes"));
            if (from >= 2)
                QCOMPARE(scalar(store, "SELECT detail FROM audit WHERE action = 'before-upgrade'").toString(),
                         QStringLiteral("v2 row"));
            RunStore runs(store);
            const auto id = runs.createRun(sampleRun());
            runs.appendMetrics(id, trainRows(1, 3, 2.0));
            QCOMPARE(runs.metrics(id).size(), std::size_t(3));
            QCOMPARE(scalar(store, "PRAGMA foreign_key_check").isValid(), false);
            QCOMPARE(scalar(store, "PRAGMA integrity_check").toString(), QStringLiteral("ok"));
        }
    }

    void createListShowRoundTrip() {
        QTemporaryDir dir;
        Store store(dir.path() + "/hone.db");
        store.open();
        RunStore runs(store);
        const RunRecord in = sampleRun();
        const auto a = runs.createRun(in);
        RunRecord other = sampleRun("50%_off");
        other.modelPath = "/models/Qwen2-0.5B";
        other.datasetPath.clear();
        other.device.clear();
        const auto b = runs.createRun(other);
        QVERIFY(b > a);

        RunRecord r = runs.run(a);
        QCOMPARE(r.id, a);
        QCOMPARE(r.name, in.name);
        QCOMPARE(r.status, RunStatus::Queued);
        QCOMPARE(r.modelPath, in.modelPath);
        QCOMPARE(r.modelIdentity, in.modelIdentity);
        QCOMPARE(r.datasetPath, in.datasetPath);
        QCOMPARE(r.datasetHash, in.datasetHash);
        QCOMPARE(r.templateName, in.templateName);
        QCOMPARE(r.templateHash, in.templateHash);
        QCOMPARE(r.configJson, in.configJson);
        QCOMPARE(r.versionsJson, in.versionsJson);
        QCOMPARE(r.device, in.device);
        QCOMPARE(r.runDir, in.runDir);
        QVERIFY(!r.pid && !r.lastStep && !r.finalTrainLoss && r.startedAt.empty() && r.finishedAt.empty());
        QVERIFY(QRegularExpression("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$")
                    .match(QString::fromStdString(r.createdAt))
                    .hasMatch());
        QVERIFY(runs.run(b).datasetPath.empty()); // NULL reads back as empty
        QCOMPARE(scalar(store, QStringLiteral("SELECT dataset_path IS NULL FROM runs WHERE id = %1").arg(b))
                     .toInt(),
                 1);

        runs.setPid(a, 4242);
        runs.setStatus(a, RunStatus::Running);
        runs.setProgress(a, 10, 100);
        r = runs.run(a);
        QCOMPARE(r.status, RunStatus::Running);
        QCOMPARE(r.pid.value_or(0), 4242);
        QCOMPARE(r.lastStep.value_or(0), 10);
        QCOMPARE(r.totalSteps.value_or(0), 100);
        QVERIFY(!r.startedAt.empty());
        QVERIFY(r.finishedAt.empty());
        const std::string started = r.startedAt;
        runs.setStatus(a, RunStatus::Paused);
        runs.setStatus(a, RunStatus::Running); // resume keeps the first start
        QCOMPARE(runs.run(a).startedAt, started);
        runs.setFinal(a, 1.25, std::nullopt, "/runs/1/adapter");
        runs.setStatus(a, RunStatus::Finished);
        r = runs.run(a);
        QCOMPARE(r.status, RunStatus::Finished);
        QVERIFY(!r.finishedAt.empty() && r.finishedAt >= r.startedAt);
        QCOMPARE(r.finalTrainLoss.value_or(0), 1.25);
        QVERIFY(!r.finalEvalLoss);
        QCOMPARE(r.adapterPath, std::string("/runs/1/adapter"));
        runs.setStatus(b, RunStatus::Failed, "out of memory");
        QCOMPARE(runs.run(b).error, std::string("out of memory"));

        // Metrics: every column, NULLs, both kinds, order (train then eval, by step).
        MetricRow full;
        full.step = 2;
        full.loss = 1.5;
        full.lr = 2e-4;
        full.gradNorm = 0.75;
        full.tokensPerS = 1234.5;
        full.peakMemBytes = std::int64_t(5) << 32;
        full.epoch = 0.125;
        full.at = "2024-01-02T03:04:05.678Z";
        MetricRow sparse;
        sparse.step = 1;
        MetricRow eval;
        eval.step = 2;
        eval.kind = MetricKind::Eval;
        eval.loss = 1.75;
        runs.appendMetrics(a, {full, eval, sparse});
        const auto all = runs.metrics(a);
        QCOMPARE(all.size(), std::size_t(3));
        QCOMPARE(all[0].step, 1);
        QVERIFY(!all[0].loss && !all[0].lr && !all[0].peakMemBytes && !all[0].at.empty());
        QCOMPARE(all[1].step, 2);
        QCOMPARE(all[1].kind, MetricKind::Train);
        QCOMPARE(all[1].loss.value_or(0), 1.5);
        QCOMPARE(all[1].lr.value_or(0), 2e-4);
        QCOMPARE(all[1].gradNorm.value_or(0), 0.75);
        QCOMPARE(all[1].tokensPerS.value_or(0), 1234.5);
        QCOMPARE(all[1].peakMemBytes.value_or(0), std::int64_t(5) << 32);
        QCOMPARE(all[1].epoch.value_or(0), 0.125);
        QCOMPARE(all[1].at, full.at);
        QCOMPARE(all[2].kind, MetricKind::Eval);
        QCOMPARE(runs.metrics(a, MetricKind::Eval).size(), std::size_t(1));
        QCOMPARE(runs.metrics(a, MetricKind::Train).size(), std::size_t(2));
        QVERIFY(runs.metrics(b).empty());

        runs.addCheckpoint(a, 20, "/runs/1/checkpoint-20");
        runs.addCheckpoint(a, 10, "/runs/1/checkpoint-10");
        const auto cps = runs.checkpoints(a);
        QCOMPARE(cps.size(), std::size_t(2));
        QCOMPARE(cps[0].step, 10);
        QCOMPARE(cps[1].path, std::string("/runs/1/checkpoint-20"));
        QVERIFY(!cps[0].createdAt.empty());

        // Lists: newest first, filters by status and by text (LIKE wildcards in the text are literal).
        auto listed = runs.listRuns();
        QCOMPARE(listed.size(), std::size_t(2));
        QCOMPARE(listed[0].id, b);
        QCOMPARE(listed[1].id, a);
        RunFilter f;
        f.status = RunStatus::Finished;
        listed = runs.listRuns(f);
        QCOMPARE(listed.size(), std::size_t(1));
        QCOMPARE(listed[0].id, a);
        f = {};
        f.text = "qwen2"; // case-insensitive, in the model path
        QCOMPARE(runs.listRuns(f).size(), std::size_t(1));
        f.text = "%_";
        listed = runs.listRuns(f);
        QCOMPARE(listed.size(), std::size_t(1));
        QCOMPARE(listed[0].id, b);
        f.text = "ALPACA.jsonl";
        QCOMPARE(runs.listRuns(f).size(), std::size_t(1));
        f.status = RunStatus::Running;
        QVERIFY(runs.listRuns(f).empty());
    }

    void unknownIdsAndBadInputAreClearErrors() {
        QTemporaryDir dir;
        Store store(dir.path() + "/hone.db");
        store.open();
        RunStore runs(store);
        const std::string expected = "no run with id 77; `hone runs list` shows the runs";
        auto errorOf = [](auto&& f) -> std::string {
            try {
                f();
            } catch (const Error& e) {
                return e.what();
            }
            return {};
        };
        QCOMPARE(errorOf([&] { runs.run(77); }), expected);
        QCOMPARE(errorOf([&] { runs.setStatus(77, RunStatus::Running); }), expected);
        QCOMPARE(errorOf([&] { runs.setProgress(77, 1, 2); }), expected);
        QCOMPARE(errorOf([&] { runs.appendMetrics(77, trainRows(1, 2, 1.0)); }), expected);
        QCOMPARE(errorOf([&] { runs.addCheckpoint(77, 1, "x"); }), expected);
        QCOMPARE(errorOf([&] { runs.deleteRun(77); }), expected);
        QVERIFY(scalar(store, "SELECT count(*) FROM run_metrics").toInt() == 0);
        RunRecord bad = sampleRun();
        bad.configJson = "[1, 2]";
        QVERIFY(errorOf([&] { runs.createRun(bad); }).find("JSON object") != std::string::npos);
        bad.configJson = "{lr: 1";
        QVERIFY(errorOf([&] { runs.createRun(bad); }).find("not valid JSON") != std::string::npos);
        bad = sampleRun();
        bad.modelPath.clear();
        QVERIFY(errorOf([&] { runs.createRun(bad); }).find("model path") != std::string::npos);
        QVERIFY(runs.listRuns().empty());
        QVERIFY(errorOf([] { parseRunStatus("done"); }).find("queued, running") != std::string::npos);
        QCOMPARE(parseRunStatus("stopped"), RunStatus::Stopped);
    }

    void tenThousandRowsAreOneFastTransaction() {
        QTemporaryDir dir;
        Store store(dir.path() + "/hone.db");
        store.open();
        RunStore runs(store);
        const auto id = runs.createRun(sampleRun());
        std::vector<MetricRow> rows = trainRows(1, 10000, 0.5);
        for (auto& m : rows) {
            m.gradNorm = 1.0;
            m.tokensPerS = 900.0;
            m.peakMemBytes = 1 << 30;
            m.epoch = double(m.step) / 10000;
        }
        QElapsedTimer t;
        t.start();
        runs.appendMetrics(id, rows);
        const qint64 ms = t.elapsed();
        QVERIFY2(ms < 2000, qPrintable(QStringLiteral("10k rows took %1 ms").arg(ms)));
        QCOMPARE(scalar(store, "SELECT count(*) FROM run_metrics").toInt(), 10000);
        QCOMPARE(runs.metrics(id).back().step, 10000);

        // All or nothing: a failure at the last row leaves none of the batch behind.
        const auto other = runs.createRun(sampleRun("second"));
        store.exec("CREATE TEMP TRIGGER fail_last BEFORE INSERT ON run_metrics WHEN NEW.step = 10000 "
                   "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
        bool threw = false;
        try {
            runs.appendMetrics(other, rows);
        } catch (const Error& e) {
            threw = QString::fromStdString(e.what()).contains("injected failure");
        }
        QVERIFY(threw);
        QCOMPARE(
            scalar(store, QStringLiteral("SELECT count(*) FROM run_metrics WHERE run_id = %1").arg(other))
                .toInt(),
            0);
        store.exec("DROP TRIGGER temp.fail_last");
        runs.appendMetrics(other,
                           trainRows(1, 5, 1.0)); // the connection is usable again (no open transaction)
        QCOMPARE(runs.metrics(other).size(), std::size_t(5));
    }

    void resumeRewritesStepsAfterTheCheckpoint() {
        QTemporaryDir dir;
        Store store(dir.path() + "/hone.db");
        store.open();
        RunStore runs(store);
        const auto id = runs.createRun(sampleRun());
        runs.appendMetrics(id, trainRows(1, 100, 1.0));
        for (int s : {25, 50, 75, 100}) runs.addCheckpoint(id, s, "/runs/1/checkpoint-" + std::to_string(s));
        // Resume from step 50: later checkpoints go, steps 51.. are written again with new values.
        QCOMPARE(runs.deleteCheckpointsAfter(id, 50), 2);
        QCOMPARE(runs.checkpoints(id).back().step, 50);
        runs.appendMetrics(id, trainRows(51, 80, 2.0));
        const auto rows = runs.metrics(id, MetricKind::Train);
        QCOMPARE(rows.size(), std::size_t(100));
        for (const auto& m : rows) {
            const double expected = (m.step > 50 && m.step <= 80) ? 2.0 : 1.0;
            QCOMPARE(m.loss.value_or(-1), expected);
        }
        QCOMPARE(runs.deleteMetricsAfter(id, 80), 20);
        QCOMPARE(runs.metrics(id).back().step, 80);
        // Eval rows at the same step are distinct from train rows.
        MetricRow e;
        e.kind = MetricKind::Eval;
        e.step = 50;
        e.loss = 3.0;
        runs.appendMetrics(id, {e});
        QCOMPARE(runs.metrics(id).size(), std::size_t(81));
    }

    void deletingARunCascades() {
        QTemporaryDir dir;
        Store store(dir.path() + "/hone.db");
        store.open();
        RunStore runs(store);
        const auto a = runs.createRun(sampleRun("a"));
        const auto b = runs.createRun(sampleRun("b"));
        for (auto id : {a, b}) {
            runs.appendMetrics(id, trainRows(1, 10, 1.0));
            runs.addCheckpoint(id, 10, "/x");
        }
        runs.deleteRun(a);
        QVERIFY(!runs.exists(a));
        QCOMPARE(scalar(store, QStringLiteral("SELECT count(*) FROM run_metrics WHERE run_id = %1").arg(a))
                     .toInt(),
                 0);
        QCOMPARE(
            scalar(store, QStringLiteral("SELECT count(*) FROM run_checkpoints WHERE run_id = %1").arg(a))
                .toInt(),
            0);
        QCOMPARE(runs.metrics(b).size(), std::size_t(10));
        QCOMPARE(runs.checkpoints(b).size(), std::size_t(1));
        QCOMPARE(runs.listRuns().size(), std::size_t(1));
    }

    void staleRunningRunsBecomeFailed() {
        QTemporaryDir dir;
        Store store(dir.path() + "/hone.db");
        store.open();
        RunStore runs(store);
        const pid_t dead = deadPid();
        QVERIFY(dead > 0);
        QVERIFY(!RunStore::processAlive(dead));
        QVERIFY(RunStore::processAlive(::getpid()));

        auto make = [&](const char* name, RunStatus st, std::optional<std::int64_t> pid) {
            const auto id = runs.createRun(sampleRun(name));
            if (pid) runs.setPid(id, *pid);
            runs.setStatus(id, st);
            return id;
        };
        const auto crashed = make("crashed", RunStatus::Running, dead);
        const auto alive = make("alive", RunStatus::Running, ::getpid());
        const auto finished = make("finished", RunStatus::Finished, dead);
        const auto noPid = make("no-pid", RunStatus::Running, std::nullopt);

        // A zombie (exited, not reaped) is not alive either.
        const pid_t zombie = ::fork();
        if (zombie == 0) ::_exit(0);
        QVERIFY(zombie > 0);
        QElapsedTimer t;
        t.start();
        while (RunStore::processAlive(zombie) && t.elapsed() < 5000) QThread::msleep(10);
        QVERIFY(!RunStore::processAlive(zombie));
        const auto zombieRun = make("zombie", RunStatus::Running, zombie);

        const auto marked = runs.markStaleRunning();
        ::waitpid(zombie, nullptr, 0);
        QCOMPARE(std::set<std::int64_t>(marked.begin(), marked.end()),
                 (std::set<std::int64_t>{crashed, zombieRun}));
        const RunRecord r = runs.run(crashed);
        QCOMPARE(r.status, RunStatus::Failed);
        QCOMPARE(r.error,
                 std::string("the training process ended without reporting (killed or crashed); resume "
                             "from the last checkpoint"));
        QVERIFY(!r.finishedAt.empty());
        QCOMPARE(runs.run(alive).status, RunStatus::Running);
        QCOMPARE(runs.run(finished).status, RunStatus::Finished);
        QCOMPARE(runs.run(noPid).status, RunStatus::Running);
        QVERIFY(runs.markStaleRunning().empty()); // idempotent
    }

    void concurrentThreadsLoseNothing() {
        QTemporaryDir dir;
        const QString path = dir.path() + "/hone.db";
        Store main(path);
        main.open();
        RunStore mainRuns(main);
        const auto id = mainRuns.createRun(sampleRun());
        constexpr int kThreads = 3, kBatches = 60, kRows = 50;
        QStringList errors;
        QMutex errorsMutex;
        std::vector<QThread*> threads;
        for (int k = 0; k < kThreads; ++k)
            threads.push_back(QThread::create([&, k] {
                try {
                    Store own(path); // its own Store, so its own SQLite connection
                    own.open();
                    RunStore runs(own);
                    for (int b = 0; b < kBatches; ++b) {
                        const std::int64_t first = std::int64_t(k) * 1000000 + b * kRows;
                        runs.appendMetrics(id, trainRows(first, first + kRows - 1, 1.0));
                        runs.setProgress(id, first, 0);
                    }
                } catch (const Error& e) {
                    QMutexLocker lock(&errorsMutex);
                    errors << QString::fromStdString(e.what());
                }
            }));
        for (auto* th : threads) th->start();
        for (auto* th : threads) {
            QVERIFY(th->wait(60000));
            delete th;
        }
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
        QCOMPARE(scalar(main, "SELECT count(*) FROM run_metrics").toInt(), kThreads * kBatches * kRows);
        QCOMPARE(scalar(main, "SELECT count(DISTINCT step) FROM run_metrics").toInt(),
                 kThreads * kBatches * kRows);
    }

    void concurrentProcessesLoseNothing() {
        QTemporaryDir dir;
        const QString path = dir.path() + "/hone.db";
        Store main(path);
        main.open();
        RunStore runs(main);
        const auto id = runs.createRun(sampleRun());
        constexpr int kBatches = 100, kRows = 40;
        std::vector<std::unique_ptr<QProcess>> writers;
        for (int k = 0; k < 2; ++k) {
            auto p = std::make_unique<QProcess>();
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(
                "HONE_TST_WRITER",
                QStringLiteral("%1;%2;%3;%4;%5").arg(path).arg(id).arg(k * 1000000).arg(kBatches).arg(kRows));
            p->setProcessEnvironment(env);
            p->start(QCoreApplication::applicationFilePath(), {});
            QVERIFY(p->waitForStarted());
            writers.push_back(std::move(p));
        }
        // This process writes too, while they run.
        for (int b = 0; b < kBatches; ++b) {
            const std::int64_t first = 5000000 + std::int64_t(b) * kRows;
            runs.appendMetrics(id, trainRows(first, first + kRows - 1, 3.0));
            runs.addCheckpoint(id, first, "/ck");
        }
        for (auto& p : writers) {
            QVERIFY(p->waitForFinished(120000));
            const QString out = QString::fromUtf8(p->readAllStandardOutput()).trimmed();
            QCOMPARE(p->exitCode(), 0);
            QCOMPARE(out, QStringLiteral("done"));
        }
        QCOMPARE(scalar(main, "SELECT count(*) FROM run_metrics").toInt(), 3 * kBatches * kRows);
        for (int k = 0; k < 2; ++k)
            QCOMPARE(
                scalar(main, QStringLiteral("SELECT count(*) FROM run_metrics WHERE step >= %1 AND step < %2")
                                 .arg(k * 1000000)
                                 .arg(k * 1000000 + kBatches * kRows))
                    .toInt(),
                kBatches * kRows);
        QCOMPARE(runs.checkpoints(id).size(), std::size_t(kBatches));
        QCOMPARE(scalar(main, "PRAGMA integrity_check").toString(), QStringLiteral("ok"));
    }
};

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet("HONE_TST_WRITER")) return writerMain();
    TestRunStore test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_run_store.moc"
