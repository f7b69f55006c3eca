// The Train page: the training form, Start / Pause / Resume / Stop, a progress bar with step, epoch and ETA,
// live charts (loss raw + smoothed with validation loss, learning rate, gradient norm, tokens/s, memory) and
// the run's final status. Runs go through TrainingService (a worker process reporting by queued signals);
// closing while a run trains asks whether to stop it (with a checkpoint) or let it go on in the background,
// and a run still training in the background is followed from the run store when the page opens.
#pragma once

#include <QFutureWatcher>
#include <QJsonObject>
#include <QString>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QTimer;

namespace hone {
class Settings;
class TrainingService;
} // namespace hone

namespace hone::ui {

class LiveChart;
class TrainForm;
struct BackgroundRunPoll;

class TrainPage : public QWidget {
    Q_OBJECT
public:
    // What confirmClose() does while a run is going: ask with a message box, or answer without one (tests).
    enum class ClosePolicy { Ask, StopWithCheckpoint, KeepInBackground, Cancel };

    TrainPage(Settings* settings, TrainingService* service, QWidget* parent = nullptr);
    ~TrainPage() override;

    TrainForm* form() const { return form_; }
    LiveChart* lossChart() const { return lossChart_; }
    LiveChart* lrChart() const { return lrChart_; }
    LiveChart* gradNormChart() const { return gradChart_; }
    LiveChart* tokensChart() const { return tokensChart_; }
    LiveChart* memoryChart() const { return memoryChart_; }
    // Series indices in lossChart(): raw training loss (its smoothed companion is kTrainLoss + 1), eval loss.
    static constexpr int kTrainLoss = 0;
    static constexpr int kEvalLoss = 2;

    // Starts a run with the form's options (no-op while one runs or the form is invalid).
    void start();
    void pause();
    void resume();
    void stop();
    bool isRunning() const;
    // The last final status ("finished", "stopped", "failed"; "" before the first run ends) and the status
    // line's text.
    QString lastStatus() const { return lastStatus_; }
    QString statusText() const;
    // A run of the store that trains in a background process this page follows (0 if none).
    qint64 attachedRunId() const { return attachedRunId_; }
    // Looks in the run store for a run still training in another process and follows its metrics (read off
    // the GUI thread, once a second); Pause / Resume / Stop then signal that process.
    bool attachToBackgroundRun();

    void setClosePolicy(ClosePolicy policy) { closePolicy_ = policy; }
    // Called before the window closes: true when it may close. While a run trains: Stop with checkpoint
    // (the worker saves one and ends), Keep training in the background (the worker goes on; the next start
    // re-attaches), or Cancel (false).
    bool confirmClose();

Q_SIGNALS:
    void runFinished(const QString& status);

private:
    void onStarted(const QJsonObject& e);
    void onEvent(const QJsonObject& e);
    void onPausedChanged(bool paused);
    void onFinished(const QString& status, const QString& adapter, const QString& error);
    void updateButtons();
    void setStatus(const QString& text, bool error = false);
    void showProgress(qint64 step, qint64 total, double epoch, double etaS);
    void addStep(const QJsonObject& e);
    void pollAttachedRun();
    void applyAttachedPoll();
    void signalAttachedRun(int sig);
    void clearCharts();

    Settings* settings_;
    TrainingService* service_;
    TrainForm* form_ = nullptr;
    LiveChart* lossChart_ = nullptr;
    LiveChart* lrChart_ = nullptr;
    LiveChart* gradChart_ = nullptr;
    LiveChart* tokensChart_ = nullptr;
    LiveChart* memoryChart_ = nullptr;
    QPushButton* startButton_ = nullptr;
    QPushButton* pauseButton_ = nullptr;
    QPushButton* resumeButton_ = nullptr;
    QPushButton* stopButton_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* progressLabel_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    QString lastStatus_;
    ClosePolicy closePolicy_ = ClosePolicy::Ask;
    bool stopping_ = false;

    // Following a background run through the store.
    qint64 attachedRunId_ = 0;
    qint64 attachedPid_ = 0;
    qint64 attachedLastTrainStep_ = 0;
    qint64 attachedLastEvalStep_ = 0;
    bool attachedPaused_ = false;
    QTimer* attachTimer_ = nullptr;
    QFutureWatcher<BackgroundRunPoll>* attachWatcher_ = nullptr;
};

} // namespace hone::ui
