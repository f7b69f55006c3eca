// TrainingService against the built `hone train` worker and in-process on stories260K: the progress stream,
// stop / resume from the checkpoint, pause, a killed worker, bad options, and a worker that outlives the
// service.
#include "common/test_support.h"
#include "services/training_service.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <cmath>
#include <csignal>
#include <memory>
#include <unistd.h>

using hone::TrainingService;

namespace {

struct Step {
    qint64 step, total;
    double loss, eta;
};

// Everything one service reports, recorded as it arrives.
struct Recorder {
    explicit Recorder(TrainingService& s)
        : finished(&s, &TrainingService::finished)
        , started(&s, &TrainingService::started)
        , data(&s, &TrainingService::dataReport)
        , checkpoints(&s, &TrainingService::checkpointSaved)
        , paused(&s, &TrainingService::pausedChanged) {
        QObject::connect(&s, &TrainingService::stepReported, &s,
                         [this](qint64 step, qint64 total, double loss, double, double, double, double eta) {
                             steps.push_back({step, total, loss, eta});
                         });
        QObject::connect(&s, &TrainingService::event, &s,
                         [this](const QJsonObject& e) { events.push_back(e); });
    }
    QString status() const { return finished.isEmpty() ? QString() : finished.last().at(0).toString(); }
    QString adapter() const { return finished.isEmpty() ? QString() : finished.last().at(1).toString(); }
    QString error() const { return finished.isEmpty() ? QString() : finished.last().at(2).toString(); }
    QStringList eventNames() const {
        QStringList names;
        for (const auto& e : events) names << e.value("event").toString();
        return names;
    }

    QSignalSpy finished, started, data, checkpoints, paused;
    std::vector<Step> steps;
    std::vector<QJsonObject> events;
};

} // namespace

class TestTrainingService : public QObject {
    Q_OBJECT

    hone::AppPaths pathsIn(const QTemporaryDir& home) const {
        hone::AppPaths p;
        p.home = home.path().toStdString();
        p.database = p.home + "/hone.db";
        p.settingsFile = p.home + "/settings.ini";
        p.source = "HONE_HOME";
        return p;
    }

    hone::TrainOptions options(std::int64_t maxSteps) const {
        hone::TrainOptions o;
        o.modelPath = hone::test::fixture("models/stories260K").toStdString();
        o.dataPath = (hone::test::sourceDir() + "/tests/data/train/stories_alpaca.jsonl").toStdString();
        o.templateName = "alpaca";
        o.maxSteps = maxSteps;
        o.batchSize = 4;
        o.threads = 1;
        return o;
    }

private Q_SLOTS:
    void initTestCase() {
        HONE_REQUIRE_PATH(hone::test::fixture("models/stories260K/model.safetensors"));
        const QString cli = qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone";
        QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli));
        qputenv("HONE_CLI", cli.toLocal8Bit());
    }

    void workerTrainsToTheEnd() {
        QTemporaryDir home;
        TrainingService s(pathsIn(home));
        QCOMPARE(s.mode(), TrainingService::Mode::WorkerProcess);
        Recorder r(s);
        s.start(options(8));
        QVERIFY(s.isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!r.finished.isEmpty(), 60000);
        QCOMPARE(r.status(), QStringLiteral("finished"));
        QVERIFY2(r.error().isEmpty(), qPrintable(r.error()));
        QVERIFY(!s.isRunning());
        QVERIFY2(QFileInfo::exists(r.adapter() + "/adapter_model.safetensors"), qPrintable(r.adapter()));
        QVERIFY(r.adapter().startsWith(home.path() + "/runs/")); // --home is the service's data folder
        QCOMPARE(r.data.count(), 1);
        QCOMPARE(r.data.first().at(0).toJsonObject().value("kept").toInt(), 320);
        QCOMPARE(r.started.count(), 1);
        QCOMPARE(s.runDir(), r.started.first().at(0).toJsonObject().value("run_dir").toString());
        QVERIFY(r.adapter().startsWith(s.runDir()));
        QVERIFY(s.runId() > 0); // recorded in the store
        QCOMPARE(r.steps.size(), std::size_t(8));
        for (std::size_t i = 0; i < r.steps.size(); ++i) {
            QCOMPARE(r.steps[i].step, qint64(i + 1));
            QCOMPARE(r.steps[i].total, qint64(8));
            QVERIFY(std::isfinite(r.steps[i].loss) && r.steps[i].loss > 0);
        }
        QVERIFY(r.steps.front().eta > 0);
        QVERIFY(r.steps.back().eta < r.steps.front().eta);
        QCOMPARE(r.steps.back().eta, 0.0);
        QCOMPARE(r.eventNames().last(), QStringLiteral("done"));
        QCOMPARE(r.paused.count(), 0);
    }

    void workerStopThenResumeToTheEnd() {
        QTemporaryDir home;
        TrainingService s(pathsIn(home));
        Recorder r(s);
        const qint64 total = 60;
        s.start(options(total));
        QTRY_VERIFY_WITH_TIMEOUT(r.steps.size() >= 2 || !r.finished.isEmpty(), 30000);
        s.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!r.finished.isEmpty(), 30000);
        QCOMPARE(r.status(), QStringLiteral("stopped"));
        const qint64 stoppedAt = r.steps.back().step;
        QVERIFY2(stoppedAt < total, "the run ended before the stop reached it");
        // Within one step of the request: the stop went out after step 2, so at most a poll's worth later.
        QVERIFY2(stoppedAt <= 2 + 5, qPrintable(QString::number(stoppedAt)));
        QCOMPARE(r.checkpoints.count(), 1);
        QCOMPARE(r.checkpoints.last().at(0).toLongLong(), stoppedAt);
        QCOMPARE(r.adapter(), r.checkpoints.last().at(1).toString());
        QVERIFY2(QFileInfo::exists(r.adapter() + "/trainer_state.json"), qPrintable(r.adapter()));
        QVERIFY(!s.isRunning());

        const QString checkpoint = r.adapter();
        const qint64 runId = s.runId();
        QVERIFY(runId > 0);
        Recorder r2(s);
        s.resumeRun(QString::number(runId));
        QTRY_VERIFY_WITH_TIMEOUT(!r2.finished.isEmpty(), 60000);
        QCOMPARE(r2.status(), QStringLiteral("finished"));
        QVERIFY2(r2.error().isEmpty(), qPrintable(r2.error()));
        QCOMPARE(r2.started.count(), 1);
        const QJsonObject start = r2.started.first().at(0).toJsonObject();
        QCOMPARE(start.value("step").toInteger(), stoppedAt);
        QCOMPARE(start.value("resumed_from").toString(), checkpoint);
        QCOMPARE(s.runId(), runId);
        QVERIFY(!r2.steps.empty());
        QCOMPARE(r2.steps.front().step, stoppedAt + 1);
        QCOMPARE(r2.steps.back().step, total);
        QCOMPARE(qint64(r2.steps.size()), total - stoppedAt);
        QVERIFY(QFileInfo::exists(r2.adapter() + "/adapter_model.safetensors"));
    }

    void workerPausesAndResumes() {
        QTemporaryDir home;
        TrainingService s(pathsIn(home));
        Recorder r(s);
        s.start(options(100000));
        QTRY_VERIFY_WITH_TIMEOUT(!r.steps.empty() || !r.finished.isEmpty(), 30000);
        s.pause();
        QTRY_VERIFY_WITH_TIMEOUT(r.paused.count() == 1 || !r.finished.isEmpty(), 10000);
        QCOMPARE(r.paused.first().at(0).toBool(), true);
        QVERIFY(s.isPaused());
        const std::size_t during = r.steps.size();
        QTest::qWait(1000);
        QCOMPARE(r.steps.size(), during);
        s.resume();
        QTRY_VERIFY_WITH_TIMEOUT(r.paused.count() == 2, 10000);
        QCOMPARE(r.paused.last().at(0).toBool(), false);
        QTRY_VERIFY_WITH_TIMEOUT(r.steps.size() >= during + 2, 10000);
        QCOMPARE(r.steps[during].step, r.steps[during - 1].step + 1);
        s.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!r.finished.isEmpty(), 30000);
        QCOMPARE(r.status(), QStringLiteral("stopped"));
    }

    void workerPausedThenStopped() {
        QTemporaryDir home;
        TrainingService s(pathsIn(home));
        Recorder r(s);
        s.start(options(100000));
        s.pause(); // before the worker can take signals: delivered once it reports
        QTRY_VERIFY_WITH_TIMEOUT(r.paused.count() == 1 || !r.finished.isEmpty(), 30000);
        QVERIFY(s.isPaused());
        s.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!r.finished.isEmpty(), 30000);
        QCOMPARE(r.status(), QStringLiteral("stopped"));
        QVERIFY(!s.isPaused());
        QCOMPARE(r.paused.last().at(0).toBool(), false);
    }

    void killedWorkerIsAFailureTheGuiSurvives() {
        QTemporaryDir home;
        TrainingService s(pathsIn(home));
        Recorder r(s);
        s.start(options(100000));
        QTRY_VERIFY_WITH_TIMEOUT(!r.steps.empty() || !r.finished.isEmpty(), 30000);
        const qint64 pid = s.processId();
        QVERIFY(pid > 0);
        QCOMPARE(::kill(static_cast<pid_t>(pid), SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!r.finished.isEmpty(), 30000);
        QCOMPARE(r.status(), QStringLiteral("failed"));
        QVERIFY2(r.error().contains("ended unexpectedly"), qPrintable(r.error()));
        QVERIFY2(r.error().contains("signal 9"), qPrintable(r.error()));
        QVERIFY2(r.error().contains("resume from the last checkpoint"), qPrintable(r.error()));
        QVERIFY(!s.isRunning());
        QCOMPARE(s.processId(), qint64(0));
    }

    void inProcessGivesTheSameStream() {
        QTemporaryDir homeA, homeB;
        TrainingService worker(pathsIn(homeA));
        TrainingService inproc(pathsIn(homeB), TrainingService::Mode::InProcess);
        Recorder rw(worker), ri(inproc);
        worker.start(options(5));
        QTRY_VERIFY_WITH_TIMEOUT(!rw.finished.isEmpty(), 60000);
        inproc.start(options(5));
        QVERIFY(inproc.isRunning());
        QCOMPARE(inproc.processId(), qint64(0));
        QTRY_VERIFY_WITH_TIMEOUT(!ri.finished.isEmpty(), 60000);
        QCOMPARE(ri.status(), QStringLiteral("finished"));
        QCOMPARE(rw.status(), QStringLiteral("finished"));
        QVERIFY(QFileInfo::exists(ri.adapter() + "/adapter_model.safetensors"));
        QVERIFY(ri.adapter().startsWith(homeB.path() + "/runs/"));
        QCOMPARE(ri.eventNames(), rw.eventNames());
        QCOMPARE(ri.steps.size(), std::size_t(5));
        for (std::size_t i = 0; i < ri.steps.size(); ++i) {
            QCOMPARE(ri.steps[i].step, qint64(i + 1));
            // Same seed and data: the same losses.
            QVERIFY2(std::abs(ri.steps[i].loss - rw.steps[i].loss) < 1e-4,
                     qPrintable(QString("%1 vs %2").arg(ri.steps[i].loss).arg(rw.steps[i].loss)));
        }
        QCOMPARE(ri.steps.back().eta, 0.0);
        for (std::size_t i = 0; i < ri.events.size(); ++i) {
            QStringList a = ri.events[i].keys(), b = rw.events[i].keys();
            b.removeAll("run_id"); // the worker's store id
            QCOMPARE(a, b);
        }
    }

    void inProcessStopsWithinAStepPausesAndResumes() {
        QTemporaryDir home;
        TrainingService s(pathsIn(home), TrainingService::Mode::InProcess);
        Recorder r(s);
        const qint64 total = 40;
        s.start(options(total));
        QTRY_VERIFY_WITH_TIMEOUT(!r.steps.empty() || !r.finished.isEmpty(), 30000);
        s.pause();
        QTRY_VERIFY_WITH_TIMEOUT(r.paused.count() == 1 || !r.finished.isEmpty(), 10000);
        const std::size_t during = r.steps.size();
        QTest::qWait(500);
        QCOMPARE(r.steps.size(), during);
        s.resume();
        QTRY_VERIFY_WITH_TIMEOUT(r.steps.size() >= during + 1 || !r.finished.isEmpty(), 10000);
        QCOMPARE(r.paused.count(), 2);
        s.stop();
        const qint64 askedAt = r.steps.back().step;
        QTRY_VERIFY_WITH_TIMEOUT(!r.finished.isEmpty(), 30000);
        QCOMPARE(r.status(), QStringLiteral("stopped"));
        // Events are queued, so the loop may be a step or two further than what had arrived.
        QVERIFY2(r.steps.back().step <= askedAt + 2, qPrintable(QString::number(r.steps.back().step)));
        QVERIFY(r.steps.back().step < total);
        QCOMPARE(r.checkpoints.count(), 1);
        QVERIFY(QFileInfo::exists(r.adapter() + "/trainer_state.json"));

        // In-process resume takes the run folder.
        const qint64 stoppedAt = r.steps.back().step;
        Recorder r2(s);
        s.resumeRun(s.runDir());
        QTRY_VERIFY_WITH_TIMEOUT(!r2.finished.isEmpty(), 60000);
        QCOMPARE(r2.status(), QStringLiteral("finished"));
        QCOMPARE(r2.steps.front().step, stoppedAt + 1);
        QCOMPARE(r2.steps.back().step, total);
    }

    void inProcessServiceDestroyedMidRunStopsIt() {
        QTemporaryDir home;
        auto s = std::make_unique<TrainingService>(pathsIn(home), TrainingService::Mode::InProcess);
        QString runDir;
        {
            Recorder r(*s);
            s->start(options(100000));
            QTRY_VERIFY_WITH_TIMEOUT(!r.steps.empty() || !r.finished.isEmpty(), 30000);
            QVERIFY(r.finished.isEmpty());
            runDir = s->runDir();
        }
        QElapsedTimer t;
        t.start();
        s.reset();
        QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed())));
        QVERIFY(!runDir.isEmpty());
        QVERIFY(!QDir(runDir + "/checkpoints").entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty());
    }

    void badOptionsFailWithTheReason_data() {
        QTest::addColumn<bool>("inProcess");
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("expected");
        for (bool inProcess : {false, true}) {
            const char* mode = inProcess ? "in-process" : "worker";
            QTest::addRow("%s lr 0", mode) << inProcess << "lr"
                                           << "learning rate must be positive";
            QTest::addRow("%s missing data", mode) << inProcess << "data"
                                                   << "/nonexistent/train.jsonl";
            QTest::addRow("%s missing model", mode) << inProcess << "model"
                                                    << "/nonexistent/model";
        }
    }
    void badOptionsFailWithTheReason() {
        QFETCH(bool, inProcess);
        QFETCH(QString, what);
        QFETCH(QString, expected);
        QTemporaryDir home;
        TrainingService s(pathsIn(home), inProcess ? TrainingService::Mode::InProcess
                                                   : TrainingService::Mode::WorkerProcess);
        Recorder r(s);
        hone::TrainOptions o = options(5);
        if (what == "lr") o.lr = 0;
        if (what == "data") o.dataPath = "/nonexistent/train.jsonl";
        if (what == "model") o.modelPath = "/nonexistent/model";
        s.start(o);
        QTRY_VERIFY_WITH_TIMEOUT(!r.finished.isEmpty(), 30000);
        QCOMPARE(r.finished.count(), 1);
        QCOMPARE(r.status(), QStringLiteral("failed"));
        QVERIFY2(r.error().contains(expected), qPrintable(r.error()));
        QVERIFY(!r.error().contains("unexpectedly"));
        QVERIFY(r.adapter().isEmpty());
        QVERIFY(r.steps.empty());
        QVERIFY(!s.isRunning());
    }

    void missingWorkerBinaryFails() {
        QTemporaryDir home;
        const QByteArray saved = qgetenv("HONE_CLI");
        qputenv("HONE_CLI", "/nonexistent/hone");
        TrainingService s(pathsIn(home));
        Recorder r(s);
        s.start(options(5));
        qputenv("HONE_CLI", saved);
        QVERIFY(r.finished.isEmpty()); // delivered queued, like every result
        QTRY_VERIFY_WITH_TIMEOUT(!r.finished.isEmpty(), 5000);
        QCOMPARE(r.status(), QStringLiteral("failed"));
        QVERIFY2(r.error().contains("/nonexistent/hone"), qPrintable(r.error()));
        QVERIFY(!s.isRunning());
    }

    void workerOutlivesTheService() {
        QTemporaryDir home;
        auto s = std::make_unique<TrainingService>(pathsIn(home));
        QString runDir;
        qint64 pid = 0;
        {
            Recorder r(*s);
            s->start(options(30));
            QTRY_VERIFY_WITH_TIMEOUT(!r.steps.empty() || !r.finished.isEmpty(), 30000);
            QVERIFY(r.finished.isEmpty());
            runDir = s->runDir();
            pid = s->processId();
        }
        QVERIFY(pid > 0);
        s.reset(); // the window closes
        QTest::qWait(200);
        QCOMPARE(::kill(static_cast<pid_t>(pid), 0), 0); // still training
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(runDir + "/adapter/adapter_model.safetensors"), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(::kill(static_cast<pid_t>(pid), 0) != 0, 10000);
    }
};

QTEST_GUILESS_MAIN(TestTrainingService)
#include "tst_training_service.moc"
