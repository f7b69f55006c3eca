// Training runs for the GUI: a `hone train --json-progress` worker process (default) or runTraining on a
// thread, both turned into the same queued signals.
#include "services/training_service.h"

#include "train/trainer.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QtGlobal>

#include <atomic>
#include <csignal>
#include <cstring>
#include <unistd.h>

namespace hone {

namespace {

constexpr int kPollMs = 50;

QJsonObject toQt(const Json& j) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(j.dump())).object();
}

QString describeSignal(int sig) {
    QString s = QStringLiteral("killed by signal %1").arg(sig);
    if (const char* name = ::strsignal(sig)) s += QStringLiteral(" (%1)").arg(QString::fromLocal8Bit(name));
    if (sig == SIGKILL) s += QStringLiteral(", which is what the system does when it runs out of memory");
    return s;
}

bool isNumber(const QString& s) {
    if (s.isEmpty()) return false;
    for (QChar c : s)
        if (!c.isDigit()) return false;
    return true;
}

} // namespace

TrainingService::TrainingService(AppPaths paths, Mode mode, QObject* parent)
    : QObject(parent)
    , paths_(std::move(paths))
    , mode_(mode) {}

TrainingService::~TrainingService() {
    if (thread_) {
        control_->requestStop();
        thread_->wait();
        delete thread_;
        thread_ = nullptr;
    }
    if (process_ && process_->state() != QProcess::NotRunning) {
        // Let the worker finish on its own: a QProcess kills its child when destroyed, so this one is left
        // alive (and reaps the child whenever it ends). Its output files stay for it to write into.
        process_->disconnect(this);
        process_->setParent(nullptr);
        process_ = nullptr;
        if (workDir_) workDir_->setAutoRemove(false);
    }
}

QString TrainingService::workerProgram() const {
    const QString env = qEnvironmentVariable("HONE_CLI");
    if (!env.isEmpty()) return env;
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("hone"));
}

qint64 TrainingService::processId() const {
    return process_ && process_->state() == QProcess::Running ? process_->processId() : 0;
}

void TrainingService::beginRun() {
    running_ = true;
    paused_ = false;
    stopRequested_ = false;
    pausePending_ = false;
    workerReady_ = false;
    done_ = {};
    runDir_.clear();
    runId_ = 0;
    readOffset_ = 0;
    partial_.clear();
}

void TrainingService::start(const TrainOptions& options) {
    if (running_) {
        qWarning("TrainingService::start: a run is already in progress");
        return;
    }
    beginRun();
    if (mode_ == Mode::InProcess) {
        TrainOptions o = options;
        if (o.outDir.empty()) {
            static std::atomic<int> counter{0};
            o.outDir =
                paths_.home + "/runs/run-" +
                QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")).toStdString() +
                "-" + std::to_string(QCoreApplication::applicationPid()) + "-" + std::to_string(++counter);
        }
        launchInProcess(o, {});
        return;
    }
    launchWorker({}, QByteArray::fromStdString(options.toJson().dump(2)));
}

void TrainingService::resumeRun(const QString& runIdOrDir) {
    if (running_) {
        qWarning("TrainingService::resumeRun: a run is already in progress");
        return;
    }
    beginRun();
    if (mode_ == Mode::InProcess) {
        if (isNumber(runIdOrDir)) {
            failNow(
                QStringLiteral("in-process training resumes a run folder, not a run id (%1): pass the run's "
                               "folder")
                    .arg(runIdOrDir));
            return;
        }
        launchInProcess(TrainOptions{}, runIdOrDir.toStdString()); // the run's stored options
        return;
    }
    launchWorker({QStringLiteral("--resume"), runIdOrDir}, QByteArray());
}

void TrainingService::launchWorker(const QStringList& args, const QByteArray& configJson) {
    const QString program = workerProgram();
    if (!QFileInfo(program).isExecutable()) {
        failNow(QStringLiteral("the training worker %1 is missing or not executable; reinstall Hone or set "
                               "HONE_CLI to the hone binary")
                    .arg(program));
        return;
    }
    workDir_ = std::make_unique<QTemporaryDir>(QDir::temp().filePath(QStringLiteral("hone-train-XXXXXX")));
    if (!workDir_->isValid()) {
        failNow(QStringLiteral("cannot create a temporary folder for the training worker: %1")
                    .arg(workDir_->errorString()));
        return;
    }
    QStringList argv = {QStringLiteral("train")};
    if (!configJson.isNull()) {
        const QString cfg = workDir_->filePath(QStringLiteral("config.json"));
        QFile f(cfg);
        if (!f.open(QIODevice::WriteOnly) || f.write(configJson) != configJson.size() || !f.flush()) {
            failNow(
                QStringLiteral("cannot write the training configuration %1: %2").arg(cfg, f.errorString()));
            return;
        }
        argv << QStringLiteral("--config") << cfg;
    }
    argv += args;
    argv << QStringLiteral("--json-progress") << QStringLiteral("--home")
         << QString::fromStdString(paths_.home);

    process_ = new QProcess(this);
    process_->setProgram(program);
    process_->setArguments(argv);
    process_->setStandardInputFile(QProcess::nullDevice());
    process_->setStandardOutputFile(workDir_->filePath(QStringLiteral("progress.jsonl")));
    process_->setStandardErrorFile(workDir_->filePath(QStringLiteral("stderr.log")));
    // Its own session: a Ctrl+C or hang-up meant for the GUI does not stop the run.
    process_->setChildProcessModifier([] { ::setsid(); });
    connect(process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        onWorkerFinished(code, status == QProcess::CrashExit);
    });
    connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError err) {
        if (err != QProcess::FailedToStart || !running_) return;
        const QString msg = QStringLiteral("cannot start the training worker %1: %2")
                                .arg(process_->program(), process_->errorString());
        process_->deleteLater();
        process_ = nullptr;
        endRun(QStringLiteral("failed"), {}, msg);
    });
    poll_ = new QTimer(this);
    poll_->setInterval(kPollMs);
    connect(poll_, &QTimer::timeout, this, &TrainingService::pollWorkerOutput);
    poll_->start();
    process_->start();
}

void TrainingService::launchInProcess(const TrainOptions& options, const std::string& resumeDir) {
    control_ = std::make_unique<TrainControl>();
    TrainControl* control = control_.get();
    auto post = [this](const QJsonObject& e) {
        QMetaObject::invokeMethod(
            this, [this, e] { handleEvent(e); }, Qt::QueuedConnection);
    };
    thread_ = QThread::create([options, resumeDir, control, post] {
        try {
            runTraining(
                options, [&](const Json& e) { post(toQt(e)); }, control, resumeDir);
        } catch (const std::exception& e) {
            // Setup errors: the worker reports them as a failed "done" line, so this does too.
            post(QJsonObject{{"event", "done"},
                             {"status", "failed"},
                             {"adapter", QJsonValue()},
                             {"error", QString::fromUtf8(e.what())}});
        }
    });
    connect(thread_, &QThread::finished, this, [this] {
        thread_->deleteLater();
        thread_ = nullptr;
        if (done_.isEmpty())
            endRun(QStringLiteral("failed"), {},
                   QStringLiteral("the training ended without reporting a result"));
        else
            endRun(done_.value("status").toString(), done_.value("adapter").toString(),
                   done_.value("error").toString());
    });
    thread_->start();
}

void TrainingService::pause() {
    if (!running_ || stopRequested_) return;
    if (mode_ == Mode::InProcess) {
        control_->requestPause();
    } else if (workerReady_) {
        signalWorker(SIGUSR1);
    } else {
        // Until its first event the worker may not have its handlers yet, and SIGUSR1 would kill it.
        pausePending_ = true;
    }
}

void TrainingService::resume() {
    if (!running_) return;
    if (mode_ == Mode::InProcess) {
        control_->requestResume();
    } else if (pausePending_) {
        pausePending_ = false;
    } else {
        signalWorker(SIGUSR2);
    }
}

void TrainingService::stop() {
    if (!running_ || stopRequested_) return;
    stopRequested_ = true;
    pausePending_ = false;
    if (mode_ == Mode::InProcess) {
        if (control_) control_->requestStop();
    } else {
        // Before its handlers are in place SIGTERM ends the worker at once, which is a stop as well.
        signalWorker(SIGTERM);
    }
}

void TrainingService::signalWorker(int sig) {
    const qint64 pid = processId();
    if (pid > 0) ::kill(static_cast<pid_t>(pid), sig);
}

void TrainingService::pollWorkerOutput() {
    if (!workDir_) return;
    QFile f(workDir_->filePath(QStringLiteral("progress.jsonl")));
    if (!f.open(QIODevice::ReadOnly)) return;
    if (f.size() <= readOffset_ || !f.seek(readOffset_)) return;
    const QByteArray chunk = f.readAll();
    readOffset_ += chunk.size();
    partial_ += chunk;
    qsizetype nl;
    while ((nl = partial_.indexOf('\n')) >= 0) {
        const QByteArray line = partial_.left(nl);
        partial_.remove(0, nl + 1);
        handleLine(line);
        if (!running_) return;
    }
}

void TrainingService::handleLine(const QByteArray& line) {
    if (line.trimmed().isEmpty()) return;
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) return; // not a progress line
    handleEvent(doc.object());
}

void TrainingService::handleEvent(const QJsonObject& e) {
    if (!running_) return;
    const QString ev = e.value("event").toString();
    if (!workerReady_) {
        workerReady_ = true;
        if (pausePending_) {
            pausePending_ = false;
            signalWorker(SIGUSR1);
        }
    }
    Q_EMIT event(e);
    if (ev == QLatin1String("data")) {
        Q_EMIT dataReport(e);
    } else if (ev == QLatin1String("start")) {
        runDir_ = e.value("run_dir").toString();
        runId_ = e.value("run_id").toInteger();
        Q_EMIT started(e);
    } else if (ev == QLatin1String("step")) {
        Q_EMIT stepReported(e.value("step").toInteger(), e.value("total_steps").toInteger(),
                            e.value("loss").toDouble(), e.value("lr").toDouble(),
                            e.value("grad_norm").toDouble(), e.value("tokens_per_s").toDouble(),
                            e.value("eta_s").toDouble());
    } else if (ev == QLatin1String("eval")) {
        Q_EMIT evalReported(e.value("step").toInteger(), e.value("eval_loss").toDouble());
    } else if (ev == QLatin1String("checkpoint")) {
        Q_EMIT checkpointSaved(e.value("step").toInteger(), e.value("path").toString());
    } else if (ev == QLatin1String("paused") || ev == QLatin1String("resumed")) {
        const bool p = ev == QLatin1String("paused");
        if (p != paused_) {
            paused_ = p;
            Q_EMIT pausedChanged(p);
        }
    } else if (ev == QLatin1String("done")) {
        done_ = e;
        if (runId_ == 0) runId_ = e.value("run_id").toInteger();
    }
}

QString TrainingService::workerStderrTail() const {
    if (!workDir_) return {};
    QFile f(workDir_->filePath(QStringLiteral("stderr.log")));
    if (!f.open(QIODevice::ReadOnly)) return {};
    if (f.size() > 8192) f.seek(f.size() - 8192);
    QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (lines.size() > 8) lines = lines.mid(lines.size() - 8);
    return lines.join(QLatin1Char('\n'));
}

void TrainingService::onWorkerFinished(int exitCode, bool crashed) {
    if (!running_) return;
    pollWorkerOutput();
    if (running_ && !partial_.isEmpty()) {
        handleLine(partial_); // a last line without its newline
        partial_.clear();
    }
    if (!running_) return;
    const QString tail = workerStderrTail();
    if (!done_.isEmpty()) {
        QString error = done_.value("error").toString();
        const QString status = done_.value("status").toString(QStringLiteral("failed"));
        if (status == QLatin1String("failed") && error.isEmpty()) error = tail;
        endRun(status, done_.value("adapter").toString(), error);
        return;
    }
    if (stopRequested_ && (crashed || exitCode == 2)) {
        // Stopped before the worker could take the signal gracefully: nothing was trained yet.
        endRun(QStringLiteral("stopped"), {}, {});
        return;
    }
    // A setup error the worker reported before it could print a result line.
    const QString lastLine = tail.section(QLatin1Char('\n'), -1);
    if (!crashed && exitCode != 0 && lastLine.startsWith(QLatin1String("error: "))) {
        endRun(QStringLiteral("failed"), {}, lastLine.mid(7));
        return;
    }
    QString msg =
        QStringLiteral("the training process ended unexpectedly (%1); resume from the last checkpoint")
            .arg(crashed ? describeSignal(exitCode) : QStringLiteral("exit code %1").arg(exitCode));
    if (!tail.isEmpty()) msg += QStringLiteral("\nlast output:\n") + tail;
    endRun(QStringLiteral("failed"), {}, msg);
}

void TrainingService::failNow(const QString& error) {
    // Delivered like every other result: queued, after start() has returned.
    QTimer::singleShot(0, this, [this, error] { endRun(QStringLiteral("failed"), {}, error); });
}

void TrainingService::endRun(const QString& status, const QString& adapter, const QString& error) {
    if (!running_) return;
    running_ = false;
    if (poll_) {
        poll_->stop();
        poll_->deleteLater();
        poll_ = nullptr;
    }
    if (process_) {
        process_->deleteLater();
        process_ = nullptr;
    }
    workDir_.reset();
    const bool wasPaused = paused_;
    paused_ = false;
    if (wasPaused) Q_EMIT pausedChanged(false);
    Q_EMIT finished(status, adapter, error);
}

} // namespace hone
