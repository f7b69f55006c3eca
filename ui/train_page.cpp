// TrainPage: the form, run controls, progress and live charts of a training run, and closing / re-attaching
// while a run trains in the background.
#include "ui/train_page.h"

#include "services/settings.h"
#include "services/training_service.h"
#include "store/run_store.h"
#include "store/store.h"
#include "ui/live_chart.h"
#include "ui/runs_model.h"
#include "ui/train_form.h"

#include <QFileInfo>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>
#include <csignal>
#include <exception>

namespace hone::ui {

namespace {

QString formatEta(double s) {
    if (!(s >= 0) || s > 1e7) return QStringLiteral("?");
    const long v = std::lround(s);
    if (v >= 3600)
        return QStringLiteral("%1h%2m").arg(v / 3600).arg((v % 3600) / 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1m%2s").arg(v / 60).arg(v % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

// What one poll of a background run read from the store (on a pool thread: a run's metrics grow without
// bound, and the GUI thread must not wait for SQLite).
struct BackgroundRunPoll {
    QString error;
    RunRecord run;
    std::vector<MetricRow> rows; // newer than the steps already shown
    bool alive = false;
};

namespace {

BackgroundRunPoll readAttachedRun(const QString& db, qint64 id, qint64 pid, qint64 lastTrain,
                                  qint64 lastEval) {
    BackgroundRunPoll p;
    try {
        Store store(db);
        store.open();
        RunStore runs(store);
        p.run = runs.run(id);
        for (MetricRow& m : runs.metrics(id)) {
            if (m.step > (m.kind == MetricKind::Train ? lastTrain : lastEval)) p.rows.push_back(std::move(m));
        }
        p.alive = RunStore::processAlive(pid);
    } catch (const std::exception& e) {
        p.error = QString::fromUtf8(e.what());
    }
    return p;
}

} // namespace

TrainPage::TrainPage(Settings* settings, TrainingService* service, QWidget* parent)
    : QWidget(parent)
    , settings_(settings)
    , service_(service) {
    form_ = new TrainForm(settings, this);

    startButton_ = new QPushButton(tr("Start"), this);
    startButton_->setObjectName(QStringLiteral("startButton"));
    startButton_->setToolTip(tr("Start training (Ctrl+Return)"));
    pauseButton_ = new QPushButton(tr("Pause"), this);
    pauseButton_->setObjectName(QStringLiteral("pauseButton"));
    pauseButton_->setToolTip(tr("Pause after the current step (Ctrl+P)"));
    resumeButton_ = new QPushButton(tr("Resume"), this);
    resumeButton_->setObjectName(QStringLiteral("resumeButton"));
    resumeButton_->setToolTip(tr("Continue the paused run (Ctrl+P)"));
    stopButton_ = new QPushButton(tr("Stop"), this);
    stopButton_->setObjectName(QStringLiteral("stopButton"));
    stopButton_->setToolTip(tr("Stop after the current step and save a checkpoint (Ctrl+.)"));
    connect(startButton_, &QPushButton::clicked, this, &TrainPage::start);
    connect(pauseButton_, &QPushButton::clicked, this, &TrainPage::pause);
    connect(resumeButton_, &QPushButton::clicked, this, &TrainPage::resume);
    connect(stopButton_, &QPushButton::clicked, this, &TrainPage::stop);
    auto* startKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    connect(startKey, &QShortcut::activated, this, [this] {
        if (startButton_->isEnabled()) start();
    });
    auto* stopKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period), this);
    connect(stopKey, &QShortcut::activated, this, [this] {
        if (stopButton_->isEnabled()) stop();
    });
    auto* pauseKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_P), this);
    connect(pauseKey, &QShortcut::activated, this, [this] {
        if (pauseButton_->isEnabled())
            pause();
        else if (resumeButton_->isEnabled())
            resume();
    });

    progress_ = new QProgressBar(this);
    progress_->setObjectName(QStringLiteral("trainProgress"));
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progressLabel_ = new QLabel(this);
    progressLabel_->setObjectName(QStringLiteral("progressLabel"));
    statusLabel_ = new QLabel(this);
    statusLabel_->setObjectName(QStringLiteral("trainStatus"));
    statusLabel_->setWordWrap(true);
    statusLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    lossChart_ = new LiveChart(tr("Loss"), this);
    lossChart_->setObjectName(QStringLiteral("lossChart"));
    lossChart_->addSeries(tr("training loss"), QColor(0x1e, 0x88, 0xe5), 0.05);
    lossChart_->addSeries(tr("validation loss"), QColor(0xe5, 0x39, 0x35));
    lrChart_ = new LiveChart(tr("Learning rate"), this);
    lrChart_->setObjectName(QStringLiteral("lrChart"));
    lrChart_->addSeries(tr("learning rate"), QColor(0x43, 0xa0, 0x47));
    gradChart_ = new LiveChart(tr("Gradient norm"), this);
    gradChart_->setObjectName(QStringLiteral("gradNormChart"));
    gradChart_->addSeries(tr("gradient norm"), QColor(0x8e, 0x24, 0xaa));
    tokensChart_ = new LiveChart(tr("Throughput"), this);
    tokensChart_->setObjectName(QStringLiteral("tokensChart"));
    tokensChart_->addSeries(tr("tokens/s"), QColor(0xfb, 0x8c, 0x00));
    memoryChart_ = new LiveChart(tr("Memory"), this);
    memoryChart_->setObjectName(QStringLiteral("memoryChart"));
    memoryChart_->addSeries(tr("peak memory (MiB)"), QColor(0x6d, 0x4c, 0x41));

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(startButton_);
    buttons->addWidget(pauseButton_);
    buttons->addWidget(resumeButton_);
    buttons->addWidget(stopButton_);
    buttons->addStretch(1);

    auto* charts = new QGridLayout;
    charts->addWidget(lossChart_, 0, 0, 1, 2);
    charts->addWidget(lrChart_, 1, 0);
    charts->addWidget(gradChart_, 1, 1);
    charts->addWidget(tokensChart_, 2, 0);
    charts->addWidget(memoryChart_, 2, 1);
    charts->setRowStretch(0, 2);
    charts->setRowStretch(1, 1);
    charts->setRowStretch(2, 1);

    auto* right = new QWidget(this);
    auto* rl = new QVBoxLayout(right);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addLayout(buttons);
    rl->addWidget(progress_);
    rl->addWidget(progressLabel_);
    rl->addLayout(charts, 1);
    rl->addWidget(statusLabel_);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(form_);
    split->addWidget(right);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({380, 820});
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(form_, &TrainForm::changed, this, &TrainPage::updateButtons);
    // The service reports from its own timer and threads through queued connections; these run on the GUI
    // thread and only append to buffers (the charts redraw on their own timers).
    connect(service_, &TrainingService::started, this, &TrainPage::onStarted);
    connect(service_, &TrainingService::event, this, &TrainPage::onEvent);
    connect(service_, &TrainingService::pausedChanged, this, &TrainPage::onPausedChanged);
    connect(service_, &TrainingService::finished, this, &TrainPage::onFinished);

    attachTimer_ = new QTimer(this);
    attachTimer_->setInterval(1000);
    connect(attachTimer_, &QTimer::timeout, this, &TrainPage::pollAttachedRun);
    attachWatcher_ = new QFutureWatcher<BackgroundRunPoll>(this);
    connect(attachWatcher_, &QFutureWatcher<BackgroundRunPoll>::finished, this,
            &TrainPage::applyAttachedPoll);

    if (service_->isRunning())
        setStatus(tr("Training…"));
    else if (!attachToBackgroundRun())
        setStatus(tr("Ready."));
    updateButtons();
}

TrainPage::~TrainPage() = default;

bool TrainPage::isRunning() const {
    return service_->isRunning();
}

QString TrainPage::statusText() const {
    return statusLabel_->text();
}

void TrainPage::setStatus(const QString& text, bool error) {
    statusLabel_->setText(text);
    statusLabel_->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

void TrainPage::updateButtons() {
    const bool attached = attachedRunId_ != 0;
    const bool running = service_->isRunning() || attached;
    const bool paused = attached ? attachedPaused_ : service_->isPaused();
    startButton_->setEnabled(!running && form_->isValid());
    pauseButton_->setEnabled(running && !paused && !stopping_);
    resumeButton_->setEnabled(running && paused && !stopping_);
    stopButton_->setEnabled(running && !stopping_);
    form_->setEnabled(!running);
}

void TrainPage::clearCharts() {
    for (LiveChart* c : {lossChart_, lrChart_, gradChart_, tokensChart_, memoryChart_}) c->clear();
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progressLabel_->clear();
}

void TrainPage::start() {
    if (service_->isRunning() || !form_->isValid()) return;
    // QSettings writes it out on its own; an explicit sync here costs an fsync (~10 ms) on the GUI thread.
    form_->remember();
    clearCharts();
    lastStatus_.clear();
    stopping_ = false;
    setStatus(tr("Preparing the data and loading the model…"));
    service_->start(form_->options());
    updateButtons();
}

void TrainPage::pause() {
    if (attachedRunId_ != 0) signalAttachedRun(SIGUSR1);
    if (!service_->isRunning() && attachedRunId_ == 0) return;
    if (service_->isRunning()) service_->pause();
    setStatus(tr("Pausing after the current step…"));
    pauseButton_->setEnabled(false);
}

void TrainPage::resume() {
    if (attachedRunId_ != 0) signalAttachedRun(SIGUSR2);
    if (!service_->isRunning() && attachedRunId_ == 0) return;
    if (service_->isRunning()) service_->resume();
    setStatus(tr("Training…"));
    resumeButton_->setEnabled(false);
}

void TrainPage::stop() {
    if (attachedRunId_ != 0) signalAttachedRun(SIGTERM);
    if (!service_->isRunning() && attachedRunId_ == 0) return;
    stopping_ = true;
    if (service_->isRunning()) service_->stop();
    setStatus(tr("Stopping: saving a checkpoint…"));
    updateButtons();
}

void TrainPage::onStarted(const QJsonObject& e) {
    const qint64 total = e.value("total_steps").toInteger();
    progress_->setRange(0, static_cast<int>(std::max<qint64>(1, total)));
    progress_->setValue(0);
    setStatus(tr("Training %1 steps on %2 → %3")
                  .arg(total)
                  .arg(e.value("device").toString(), e.value("run_dir").toString()));
    updateButtons();
}

void TrainPage::addStep(const QJsonObject& e) {
    const double step = e.value("step").toDouble();
    lossChart_->append(kTrainLoss, step, e.value("loss").toDouble());
    lrChart_->append(0, step, e.value("lr").toDouble());
    gradChart_->append(0, step, e.value("grad_norm").toDouble());
    tokensChart_->append(0, step, e.value("tokens_per_s").toDouble());
    if (e.contains("peak_mem_bytes"))
        memoryChart_->append(0, step, e.value("peak_mem_bytes").toDouble() / (1024.0 * 1024.0));
}

void TrainPage::showProgress(qint64 step, qint64 total, double epoch, double etaS) {
    if (total > 0) {
        progress_->setRange(0, static_cast<int>(total));
        progress_->setValue(static_cast<int>(std::min(step, total)));
    }
    progressLabel_->setText(tr("step %1 / %2 · epoch %3 · ETA %4")
                                .arg(step)
                                .arg(total)
                                .arg(epoch, 0, 'f', 2)
                                .arg(formatEta(etaS)));
}

void TrainPage::onEvent(const QJsonObject& e) {
    const QString ev = e.value("event").toString();
    if (ev == QLatin1String("step")) {
        addStep(e);
        showProgress(e.value("step").toInteger(), e.value("total_steps").toInteger(),
                     e.value("epoch").toDouble(), e.value("eta_s").toDouble());
    } else if (ev == QLatin1String("eval")) {
        lossChart_->append(kEvalLoss, e.value("step").toDouble(), e.value("eval_loss").toDouble());
    } else if (ev == QLatin1String("checkpoint") && !stopping_ && !service_->isPaused()) {
        setStatus(tr("Checkpoint saved at step %1: %2")
                      .arg(e.value("step").toInteger())
                      .arg(e.value("path").toString()));
    } else if (ev == QLatin1String("data")) {
        setStatus(tr("Data: %1 examples kept, %2 skipped; loading the model…")
                      .arg(e.value("kept").toInteger())
                      .arg(e.value("skipped").toInteger()));
    }
}

void TrainPage::onPausedChanged(bool paused) {
    if (service_->isRunning()) setStatus(paused ? tr("Paused.") : tr("Training…"));
    updateButtons();
}

void TrainPage::onFinished(const QString& status, const QString& adapter, const QString& error) {
    stopping_ = false;
    lastStatus_ = status;
    // Draw the last points now rather than at the next tick.
    for (LiveChart* c : {lossChart_, lrChart_, gradChart_, tokensChart_, memoryChart_}) c->refresh();
    if (status == QLatin1String("finished"))
        setStatus(tr("Finished. Adapter: %1").arg(adapter));
    else if (status == QLatin1String("stopped"))
        setStatus(adapter.isEmpty() ? tr("Stopped before the first checkpoint.")
                                    : tr("Stopped. Checkpoint: %1").arg(adapter));
    else
        setStatus(tr("Failed: %1").arg(error.isEmpty() ? tr("no reason reported") : error), true);
    updateButtons();
    Q_EMIT runFinished(status);
}

bool TrainPage::confirmClose() {
    if (!service_->isRunning()) return true;
    ClosePolicy choice = closePolicy_;
    if (choice == ClosePolicy::Ask) {
        QMessageBox box(QMessageBox::Question, tr("Training is running"),
                        tr("A training run is still going. Stop it (a checkpoint is saved, so it can be "
                           "resumed) or keep it training in the background? Hone follows it again when you "
                           "reopen the app."),
                        QMessageBox::NoButton, this);
        QPushButton* stopB = box.addButton(tr("Stop with checkpoint"), QMessageBox::DestructiveRole);
        QPushButton* keepB = box.addButton(tr("Keep training in the background"), QMessageBox::AcceptRole);
        box.addButton(QMessageBox::Cancel);
        box.setDefaultButton(keepB);
        box.exec();
        if (box.clickedButton() == stopB)
            choice = ClosePolicy::StopWithCheckpoint;
        else if (box.clickedButton() == keepB)
            choice = ClosePolicy::KeepInBackground;
        else
            choice = ClosePolicy::Cancel;
    }
    switch (choice) {
    case ClosePolicy::StopWithCheckpoint:
        // The worker takes the signal, saves a checkpoint and records the run as stopped on its own.
        stop();
        return true;
    case ClosePolicy::KeepInBackground:
        return true;
    case ClosePolicy::Cancel:
    case ClosePolicy::Ask:
        break;
    }
    return false;
}

bool TrainPage::attachToBackgroundRun() {
    if (!settings_ || service_->isRunning()) return false;
    const QString db = QString::fromStdString(settings_->paths().database);
    if (db.isEmpty() || !QFileInfo::exists(db)) return false;
    try {
        Store store(db);
        store.open();
        RunStore runs(store);
        for (const RunRecord& r : runs.listRuns()) {
            if ((r.status != RunStatus::Running && r.status != RunStatus::Paused) || !r.pid ||
                !RunStore::processAlive(*r.pid))
                continue;
            attachedRunId_ = r.id;
            attachedPid_ = *r.pid;
            attachedLastTrainStep_ = attachedLastEvalStep_ = 0;
            clearCharts();
            setStatus(tr("Run #%1 (%2) is training in the background (process %3); following its progress.")
                          .arg(r.id)
                          .arg(QString::fromStdString(r.name.empty() ? r.runDir : r.name))
                          .arg(attachedPid_));
            pollAttachedRun();
            attachTimer_->start();
            updateButtons();
            return true;
        }
    } catch (const std::exception& e) {
        setStatus(tr("Cannot read the run store: %1").arg(QString::fromUtf8(e.what())), true);
    }
    return false;
}

void TrainPage::signalAttachedRun(int sig) {
    // The worker takes SIGUSR1 / SIGUSR2 / SIGTERM as pause / resume / stop-with-checkpoint, as it does from
    // TrainingService; only a process the store still lists as this run's and that is alive gets one.
    if (attachedRunId_ == 0 || attachedPid_ <= 0 || !RunStore::processAlive(attachedPid_)) return;
    ::kill(static_cast<pid_t>(attachedPid_), sig);
}

void TrainPage::pollAttachedRun() {
    if (attachedRunId_ == 0 || attachWatcher_->isRunning()) return;
    attachWatcher_->setFuture(
        QtConcurrent::run(readAttachedRun, QString::fromStdString(settings_->paths().database),
                          attachedRunId_, attachedPid_, attachedLastTrainStep_, attachedLastEvalStep_));
}

void TrainPage::applyAttachedPoll() {
    if (attachedRunId_ == 0) return;
    const BackgroundRunPoll p = attachWatcher_->result();
    if (!p.error.isEmpty()) {
        attachTimer_->stop();
        attachedRunId_ = 0;
        setStatus(tr("Lost the background run: %1").arg(p.error), true);
        updateButtons();
        return;
    }
    const RunRecord& r = p.run;
    for (const MetricRow& m : p.rows) {
        const double step = static_cast<double>(m.step);
        if (m.kind == MetricKind::Train && m.step > attachedLastTrainStep_) {
            attachedLastTrainStep_ = m.step;
            if (m.loss) lossChart_->append(kTrainLoss, step, *m.loss);
            if (m.lr) lrChart_->append(0, step, *m.lr);
            if (m.gradNorm) gradChart_->append(0, step, *m.gradNorm);
            if (m.tokensPerS) tokensChart_->append(0, step, *m.tokensPerS);
            if (m.peakMemBytes)
                memoryChart_->append(0, step, static_cast<double>(*m.peakMemBytes) / (1024.0 * 1024.0));
            if (m.epoch && r.totalSteps) showProgress(m.step, *r.totalSteps, *m.epoch, -1);
        } else if (m.kind == MetricKind::Eval && m.step > attachedLastEvalStep_ && m.loss) {
            attachedLastEvalStep_ = m.step;
            lossChart_->append(kEvalLoss, step, *m.loss);
        }
    }
    if (r.lastStep && r.totalSteps) {
        progress_->setRange(0, static_cast<int>(std::max<std::int64_t>(1, *r.totalSteps)));
        progress_->setValue(static_cast<int>(std::min(*r.lastStep, *r.totalSteps)));
    }
    attachedPaused_ = r.status == RunStatus::Paused;
    if (isTerminal(r.status) || !p.alive) {
        attachTimer_->stop();
        attachedRunId_ = 0;
        attachedPaused_ = false;
        stopping_ = false;
        lastStatus_ = QString::fromStdString(runStatusName(r.status));
        setStatus(
            tr("Background run #%1 ended: %2%3")
                .arg(r.id)
                .arg(RunsModel::statusLabel(r.status))
                .arg(r.error.empty() ? QString() : QStringLiteral(" — ") + QString::fromStdString(r.error)),
            r.status == RunStatus::Failed);
        Q_EMIT runFinished(lastStatus_);
    }
    updateButtons();
}

} // namespace hone::ui
