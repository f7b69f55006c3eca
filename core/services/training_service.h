// The training API the GUI uses: start / pause / resume / stop a LoRA run and follow its progress as queued
// signals. By default the run is a `hone train --json-progress` worker process (the GUI survives a crash or
// an out-of-memory kill of the trainer, and the run goes on after the window closes); in-process mode runs
// the same loop on a thread, with the same signals, for tests.
#pragma once

#include "system/app_paths.h"
#include "train/train_options.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>

class QProcess;
class QTemporaryDir;
class QThread;
class QTimer;

namespace hone {

class TrainControl;

class TrainingService : public QObject {
    Q_OBJECT
public:
    enum class Mode { WorkerProcess, InProcess };

    // `paths.home` is the data folder the worker records its runs in (--home). The worker binary is
    // $HONE_CLI, else `hone` next to the application.
    explicit TrainingService(AppPaths paths, Mode mode = Mode::WorkerProcess, QObject* parent = nullptr);
    // In-process: stops the run (within one step) and waits for it. Worker: the worker keeps training on its
    // own (its progress goes to the run store); this object just stops listening.
    ~TrainingService() override;

    Mode mode() const { return mode_; }
    // The worker binary this service starts.
    QString workerProgram() const;

    // Starts a run; ignored (with a warning) while one is running. Everything that goes wrong, including
    // invalid options, ends in finished("failed", ...), never in an exception.
    void start(const TrainOptions& options);
    // Continues a stopped or failed run from its newest checkpoint: a run id of the store (worker mode) or a
    // run folder.
    void resumeRun(const QString& runIdOrDir);
    // Pause takes effect at the next step boundary (pausedChanged(true) then); stop after the current
    // micro-batch, with a checkpoint, ending in finished("stopped", checkpoint).
    void pause();
    void resume();
    void stop();

    bool isRunning() const { return running_; }
    bool isPaused() const { return paused_; }
    // The worker's process id while it runs (0 otherwise and in-process).
    qint64 processId() const;
    // From the run's "start" event: its folder and its id in the store (0 when unknown).
    QString runDir() const { return runDir_; }
    qint64 runId() const { return runId_; }

Q_SIGNALS:
    void started(const QJsonObject& event);
    void dataReport(const QJsonObject& event);
    void stepReported(qint64 step, qint64 totalSteps, double loss, double lr, double gradNorm,
                      double tokensPerS, double etaS);
    void evalReported(qint64 step, double evalLoss);
    void checkpointSaved(qint64 step, const QString& path);
    void pausedChanged(bool paused);
    // status: finished | stopped | failed. adapterPath: the final adapter, or the newest checkpoint of a
    // stopped or failed run ("" when there is none). error: what went wrong and what to do ("" unless
    // failed).
    void finished(const QString& status, const QString& adapterPath, const QString& error);
    // Every progress event as the worker reports it (also the ones above).
    void event(const QJsonObject& event);

private:
    void launchWorker(const QStringList& args, const QByteArray& configJson);
    void launchInProcess(const TrainOptions& options, const std::string& resumeDir);
    void beginRun();
    void pollWorkerOutput();
    void onWorkerFinished(int exitCode, bool crashed);
    void handleLine(const QByteArray& line);
    void handleEvent(const QJsonObject& e);
    void endRun(const QString& status, const QString& adapter, const QString& error);
    void failNow(const QString& error);
    void signalWorker(int sig);
    QString workerStderrTail() const;

    AppPaths paths_;
    Mode mode_;
    bool running_ = false;
    bool paused_ = false;
    bool stopRequested_ = false;
    bool pausePending_ = false; // pause() before the worker could take signals
    bool workerReady_ = false;  // the worker printed its first event, so its signal handlers are in place
    QJsonObject done_;          // the run's "done" event, once seen
    QString runDir_;
    qint64 runId_ = 0;

    // Worker mode: the process writes its JSON lines and stderr into files of a private folder (not pipes,
    // so that it outlives this object without dying of SIGPIPE), which a timer reads.
    std::unique_ptr<QTemporaryDir> workDir_;
    QProcess* process_ = nullptr;
    QTimer* poll_ = nullptr;
    qint64 readOffset_ = 0;
    QByteArray partial_;

    // In-process mode.
    std::unique_ptr<TrainControl> control_;
    QThread* thread_ = nullptr;
};

} // namespace hone
