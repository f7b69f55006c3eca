// The Runs page (see runs_page.h).
#include "ui/runs_page.h"

#include "common/error.h"
#include "services/settings.h"
#include "services/training_service.h"
#include "store/run_store.h"
#include "store/store.h"
#include "ui/chart_axis.h"
#include "ui/runs_model.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageBox>
#include <QPen>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <set>

namespace hone::ui {

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

const QList<QColor>& curveColours() {
    static const QList<QColor> colours = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e),
                                          QColor(0x2c, 0xa0, 0x2c), QColor(0xd6, 0x27, 0x28),
                                          QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                                          QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f),
                                          QColor(0xbc, 0xbd, 0x22), QColor(0x17, 0xbe, 0xcf)};
    return colours;
}

QString optNumber(const std::optional<double>& v, int precision = 4) {
    return v ? QString::number(*v, 'g', precision) : QString();
}

QTableWidgetItem* item(const QString& text) {
    auto* it = new QTableWidgetItem(text);
    it->setFlags(it->flags() & ~Qt::ItemIsEditable);
    return it;
}

// A config.json written by the trainer for a run (TrainOptions::toJson), not a model's config.json.
bool isHoneRunConfig(const QString& path) {
    QFile f(path);
    if (f.size() > (1 << 20) || !f.open(QIODevice::ReadOnly)) return false;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    for (const char* key : {"model", "data", "lora-rank", "max-steps", "batch-size", "out"})
        if (!o.contains(QLatin1String(key))) return false;
    return !o.contains(QLatin1String("model_type")) && !o.contains(QLatin1String("architectures"));
}

bool isActive(const RunRecord& r) {
    if (isTerminal(r.status)) return false;
    return r.pid && RunStore::processAlive(*r.pid);
}

} // namespace

RunsPage::RunsPage(Store* store, TrainingService* service, QWidget* parent)
    : QWidget(parent)
    , store_(store)
    , service_(service) {
    model_ = new RunsModel(store_, this);
    proxy_ = new RunsFilterModel(this);
    proxy_->setSourceModel(model_);

    filter_ = new QLineEdit(this);
    filter_->setObjectName(QStringLiteral("runsFilter"));
    filter_->setPlaceholderText(tr("Filter by name, model or dataset"));
    filter_->setClearButtonEnabled(true);
    statusFilter_ = new QComboBox(this);
    statusFilter_->setObjectName(QStringLiteral("runsStatusFilter"));
    statusFilter_->addItem(tr("All statuses"), QString());
    for (RunStatus s : {RunStatus::Running, RunStatus::Paused, RunStatus::Queued, RunStatus::Finished,
                        RunStatus::Stopped, RunStatus::Failed}) {
        const QString name = qs(runStatusName(s));
        statusFilter_->addItem(RunsModel::statusLabel(s), name);
    }
    refresh_ = new QPushButton(tr("&Refresh"), this);
    refresh_->setObjectName(QStringLiteral("refreshRuns"));
    resume_ = new QPushButton(tr("Re&sume"), this);
    resume_->setObjectName(QStringLiteral("resumeRun"));
    resume_->setToolTip(tr("Continue a stopped or failed run from its last checkpoint"));
    delete_ = new QPushButton(tr("&Delete…"), this);
    delete_->setObjectName(QStringLiteral("deleteRun"));
    delete_->setToolTip(tr("Delete the selected runs with their folders"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(filter_, 1);
    bar->addWidget(statusFilter_);
    bar->addStretch();
    bar->addWidget(refresh_);
    bar->addWidget(resume_);
    bar->addWidget(delete_);

    table_ = new QTableView(this);
    table_->setObjectName(QStringLiteral("runsTable"));
    table_->setModel(proxy_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->setSortingEnabled(true);
    table_->sortByColumn(RunsModel::IdColumn, Qt::DescendingOrder);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    chart_ = new QChart;
    chart_->legend()->setVisible(true);
    chart_->legend()->setAlignment(Qt::AlignBottom);
    chartView_ = new QChartView(chart_, this);
    chartView_->setObjectName(QStringLiteral("lossChart"));
    chartView_->setRenderHint(QPainter::Antialiasing);
    chartView_->setMinimumSize(320, 240);

    summary_ = new QLabel(this);
    summary_->setObjectName(QStringLiteral("runSummary"));
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName(QStringLiteral("runDetails"));
    config_ = new QPlainTextEdit(this);
    config_->setObjectName(QStringLiteral("runConfig"));
    config_->setReadOnly(true);
    metrics_ = new QTableWidget(0, 8, this);
    metrics_->setObjectName(QStringLiteral("runMetrics"));
    metrics_->setHorizontalHeaderLabels({tr("Step"), tr("Kind"), tr("Loss"), tr("LR"), tr("Grad norm"),
                                         tr("Tokens/s"), tr("Peak memory (MiB)"), tr("Epoch")});
    metrics_->verticalHeader()->hide();
    checkpoints_ = new QTableWidget(0, 3, this);
    checkpoints_->setObjectName(QStringLiteral("runCheckpoints"));
    checkpoints_->setHorizontalHeaderLabels({tr("Step"), tr("Path"), tr("Saved")});
    checkpoints_->verticalHeader()->hide();
    checkpoints_->horizontalHeader()->setStretchLastSection(true);
    log_ = new QPlainTextEdit(this);
    log_->setObjectName(QStringLiteral("runLog"));
    log_->setReadOnly(true);
    tabs_->addTab(config_, tr("Config"));
    tabs_->addTab(metrics_, tr("Metrics"));
    tabs_->addTab(checkpoints_, tr("Checkpoints"));
    tabs_->addTab(log_, tr("Log"));

    auto* details = new QWidget(this);
    auto* detailsLayout = new QVBoxLayout(details);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addWidget(summary_);
    detailsLayout->addWidget(tabs_, 1);

    auto* lower = new QSplitter(Qt::Horizontal, this);
    lower->addWidget(chartView_);
    lower->addWidget(details);
    lower->setStretchFactor(0, 3);
    lower->setStretchFactor(1, 2);
    lower->setSizes({600, 400});
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(table_);
    split->addWidget(lower);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);

    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("runsStatus"));
    status_->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(split, 1);
    layout->addWidget(status_);

    confirm_ = [this](const QString& title, const QString& text) {
        return QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::No,
                                     QMessageBox::No) == QMessageBox::Yes;
    };

    connect(filter_, &QLineEdit::textChanged, proxy_, &RunsFilterModel::setTextFilter);
    connect(statusFilter_, &QComboBox::currentIndexChanged, this,
            [this](int) { proxy_->setStatusFilter(statusFilter_->currentData().toString()); });
    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &RunsPage::onSelectionChanged);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &RunsPage::onSelectionChanged);
    connect(refresh_, &QPushButton::clicked, this, &RunsPage::refresh);
    connect(resume_, &QPushButton::clicked, this, &RunsPage::resumeCurrent);
    connect(delete_, &QPushButton::clicked, this, &RunsPage::deleteSelected);
    auto* del = new QShortcut(QKeySequence::Delete, table_);
    del->setContext(Qt::WidgetShortcut);
    connect(del, &QShortcut::activated, this, [this] {
        if (delete_->isEnabled()) deleteSelected();
    });
    connect(table_, &QTableView::doubleClicked, this, [this] { tabs_->setCurrentWidget(config_); });
    if (service_) {
        connect(service_, &TrainingService::started, this, &RunsPage::refresh);
        connect(service_, &TrainingService::finished, this,
                [this](const QString& status, const QString&, const QString& error) {
                    setStatus(error.isEmpty() ? tr("The run ended: %1.").arg(status)
                                              : tr("The run ended: %1: %2").arg(status, error));
                    refresh();
                });
    }

    timer_ = new QTimer(this);
    timer_->setInterval(2000);
    connect(timer_, &QTimer::timeout, this, [this] {
        if (isVisible()) refresh();
    });

    refresh();
}

RunsPage::~RunsPage() = default;

QString RunsPage::dataFolder() const {
    return QFileInfo(store_->path()).absolutePath();
}

void RunsPage::rememberChoicesIn(Settings* settings) {
    if (!settings) return;
    auto* header = table_->horizontalHeader();
    const QByteArray state = settings->value(QStringLiteral("runs/header")).toByteArray();
    if (!state.isEmpty()) header->restoreState(state); // also the sort indicator
    const int column = settings->value(QStringLiteral("runs/sortColumn"), -1).toInt();
    if (column >= 0 && column < proxy_->columnCount())
        table_->sortByColumn(column, settings->value(QStringLiteral("runs/sortOrder")).toInt() == 0
                                         ? Qt::AscendingOrder
                                         : Qt::DescendingOrder);
    filter_->setText(settings->value(QStringLiteral("runs/filter")).toString());
    const int status = statusFilter_->findData(settings->value(QStringLiteral("runs/status")).toString());
    if (status >= 0) statusFilter_->setCurrentIndex(status);

    connect(filter_, &QLineEdit::textChanged, this,
            [settings](const QString& text) { settings->setValue(QStringLiteral("runs/filter"), text); });
    connect(statusFilter_, &QComboBox::currentIndexChanged, this, [this, settings](int) {
        settings->setValue(QStringLiteral("runs/status"), statusFilter_->currentData().toString());
    });
    const auto saveHeader = [header, settings] {
        settings->setValue(QStringLiteral("runs/header"), header->saveState());
        settings->setValue(QStringLiteral("runs/sortColumn"), header->sortIndicatorSection());
        settings->setValue(QStringLiteral("runs/sortOrder"), int(header->sortIndicatorOrder()));
    };
    connect(header, &QHeaderView::sortIndicatorChanged, this, saveHeader);
    connect(header, &QHeaderView::sectionResized, this, saveHeader);
}

QString RunsPage::statusText() const {
    return status_->text();
}

void RunsPage::setStatus(const QString& text) {
    status_->setText(text);
}

void RunsPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    refresh();
    timer_->start();
}

void RunsPage::hideEvent(QHideEvent* event) {
    QWidget::hideEvent(event);
    timer_->stop();
}

void RunsPage::refresh() {
    try {
        RunStore runs(*store_);
        runs.markStaleRunning();
        const bool first = model_->rowCount() == 0;
        model_->refresh();
        if (first && model_->rowCount() > 0) table_->resizeColumnsToContents();
    } catch (const std::exception& e) {
        setStatus(tr("Cannot read the runs: %1").arg(QString::fromUtf8(e.what())));
    }
    onSelectionChanged();
    Q_EMIT refreshed();
}

QList<qint64> RunsPage::selectedRunIds() const {
    QModelIndexList rows = table_->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    QList<qint64> ids;
    for (const QModelIndex& i : rows) ids << i.data(RunsModel::RunIdRole).toLongLong();
    return ids;
}

void RunsPage::selectRuns(const QList<qint64>& ids) {
    QItemSelection selection;
    QModelIndex first;
    for (qint64 id : ids) {
        const int sourceRow = model_->rowOfRun(id);
        if (sourceRow < 0) continue;
        const QModelIndex p = proxy_->mapFromSource(model_->index(sourceRow, 0));
        if (!p.isValid()) continue;
        if (!first.isValid()) first = p;
        selection.select(p, p.siblingAtColumn(RunsModel::ColumnCount - 1));
    }
    auto* sm = table_->selectionModel();
    sm->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (first.isValid()) sm->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
    onSelectionChanged();
}

void RunsPage::onSelectionChanged() {
    const QList<qint64> ids = selectedRunIds();
    qint64 current = 0;
    const QModelIndex cur = table_->selectionModel()->currentIndex();
    if (cur.isValid() && table_->selectionModel()->isRowSelected(cur.row(), cur.parent()))
        current = cur.data(RunsModel::RunIdRole).toLongLong();
    else if (!ids.isEmpty())
        current = ids.first();
    updateChart(ids);
    updateDetails(current);
    updateButtons();
}

void RunsPage::updateChart(const QList<qint64>& ids) {
    QString key = QStringLiteral("chart;");
    for (qint64 id : ids) {
        const int row = model_->rowOfRun(id);
        if (row < 0) continue;
        const RunRecord& r = model_->runAt(row);
        key += QStringLiteral("%1:%2:%3;").arg(id).arg(qs(r.updatedAt)).arg(r.lastStep.value_or(-1));
    }
    if (key == chartKey_) return;
    chartKey_ = key;

    chart_->removeAllSeries();
    for (QAbstractAxis* axis : chart_->axes()) {
        chart_->removeAxis(axis);
        delete axis;
    }
    if (ids.isEmpty()) {
        chart_->setTitle(tr("Select runs to compare their loss curves"));
        return;
    }
    chart_->setTitle(tr("Loss (solid: train, dashed: eval)"));
    auto* x = new QValueAxis;
    x->setTitleText(tr("Step"));
    x->setLabelFormat(QStringLiteral("%d"));
    auto* y = new QValueAxis;
    y->setTitleText(tr("Loss"));
    chart_->addAxis(x, Qt::AlignBottom);
    chart_->addAxis(y, Qt::AlignLeft);
    double minX = 0, maxX = 1, minY = INFINITY, maxY = -INFINITY;
    try {
        RunStore runs(*store_);
        int n = 0;
        for (qint64 id : ids) {
            const int row = model_->rowOfRun(id);
            if (row < 0) continue;
            const RunRecord& r = model_->runAt(row);
            const QColor colour = curveColours()[n++ % curveColours().size()];
            auto* train = new QLineSeries;
            train->setObjectName(QStringLiteral("train-%1").arg(id));
            train->setName(QStringLiteral("#%1 %2").arg(id).arg(qs(r.name)));
            auto* eval = new QLineSeries;
            eval->setObjectName(QStringLiteral("eval-%1").arg(id));
            eval->setName(tr("#%1 %2 (eval)").arg(id).arg(qs(r.name)));
            for (const MetricRow& m : runs.metrics(id)) {
                if (!m.loss || !std::isfinite(*m.loss)) continue;
                (m.kind == MetricKind::Train ? train : eval)->append(double(m.step), *m.loss);
                maxX = std::max(maxX, double(m.step));
                minY = std::min(minY, *m.loss);
                maxY = std::max(maxY, *m.loss);
            }
            QPen pen(colour);
            pen.setWidthF(2.0);
            train->setPen(pen);
            chart_->addSeries(train);
            train->attachAxis(x);
            train->attachAxis(y);
            if (eval->count() > 0) {
                pen.setStyle(Qt::DashLine);
                eval->setPen(pen);
                chart_->addSeries(eval);
                eval->attachAxis(x);
                eval->attachAxis(y);
            } else {
                delete eval;
            }
        }
    } catch (const std::exception& e) {
        setStatus(tr("Cannot read the metrics: %1").arg(QString::fromUtf8(e.what())));
    }
    if (!(minY <= maxY)) minY = 0, maxY = 1;
    x->setRange(minX, maxX);
    applyRoundRange(y, minY, maxY, true, true);
}

void RunsPage::updateDetails(qint64 id) {
    const int row = id ? model_->rowOfRun(id) : -1;
    if (row < 0) {
        if (detailsRun_ == 0 && !detailsKey_.isEmpty()) return;
        detailsRun_ = 0;
        detailsKey_ = QStringLiteral("none");
        summary_->setText(tr("Select a run to see its configuration, metrics, checkpoints and events."));
        config_->clear();
        metrics_->setRowCount(0);
        checkpoints_->setRowCount(0);
        log_->clear();
        return;
    }
    const RunRecord& r = model_->runAt(row);
    const QString key = QStringLiteral("%1:%2:%3:%4")
                            .arg(id)
                            .arg(qs(r.updatedAt))
                            .arg(r.lastStep.value_or(-1))
                            .arg(qs(runStatusName(r.status)));
    if (key == detailsKey_) return;
    detailsKey_ = key;
    detailsRun_ = id;

    QString summary = tr("<b>Run #%1 %2</b> — %3")
                          .arg(id)
                          .arg(qs(r.name).toHtmlEscaped(), RunsModel::statusLabel(r.status));
    summary += QStringLiteral("<br>") + tr("Folder: %1").arg(qs(r.runDir).toHtmlEscaped());
    if (!r.adapterPath.empty())
        summary += QStringLiteral("<br>") + tr("Adapter: %1").arg(qs(r.adapterPath).toHtmlEscaped());
    if (!r.device.empty())
        summary += QStringLiteral("<br>") + tr("Device: %1").arg(qs(r.device).toHtmlEscaped());
    if (!r.error.empty())
        summary += QStringLiteral("<br><span style='color:#c62828'>") +
                   tr("Error: %1").arg(qs(r.error).toHtmlEscaped()) + QStringLiteral("</span>");
    summary_->setText(summary);

    const QJsonDocument cfg = QJsonDocument::fromJson(QByteArray::fromStdString(r.configJson));
    config_->setPlainText(cfg.isNull() ? qs(r.configJson)
                                       : QString::fromUtf8(cfg.toJson(QJsonDocument::Indented)));

    std::vector<MetricRow> metrics;
    std::vector<CheckpointRow> checkpoints;
    try {
        RunStore runs(*store_);
        metrics = runs.metrics(id);
        checkpoints = runs.checkpoints(id);
    } catch (const std::exception& e) {
        setStatus(tr("Cannot read run %1: %2").arg(id).arg(QString::fromUtf8(e.what())));
    }

    metrics_->setRowCount(static_cast<int>(metrics.size()));
    for (int i = 0; i < static_cast<int>(metrics.size()); ++i) {
        const MetricRow& m = metrics[static_cast<std::size_t>(i)];
        metrics_->setItem(i, 0, item(QString::number(m.step)));
        metrics_->setItem(i, 1, item(m.kind == MetricKind::Train ? tr("train") : tr("eval")));
        metrics_->setItem(i, 2, item(optNumber(m.loss, 5)));
        metrics_->setItem(i, 3, item(optNumber(m.lr, 3)));
        metrics_->setItem(i, 4, item(optNumber(m.gradNorm, 4)));
        metrics_->setItem(i, 5, item(m.tokensPerS ? QString::number(*m.tokensPerS, 'f', 0) : QString()));
        metrics_->setItem(
            i, 6,
            item(m.peakMemBytes ? QString::number(double(*m.peakMemBytes) / (1 << 20), 'f', 1) : QString()));
        metrics_->setItem(i, 7, item(optNumber(m.epoch, 3)));
    }

    checkpoints_->setRowCount(static_cast<int>(checkpoints.size()));
    for (int i = 0; i < static_cast<int>(checkpoints.size()); ++i) {
        const CheckpointRow& c = checkpoints[static_cast<std::size_t>(i)];
        checkpoints_->setItem(i, 0, item(QString::number(c.step)));
        auto* path = item(qs(c.path));
        if (!QFileInfo::exists(qs(c.path))) {
            path->setForeground(QColor(0x7f, 0x7f, 0x7f));
            path->setToolTip(tr("This checkpoint is no longer on disk"));
        }
        checkpoints_->setItem(i, 1, path);
        checkpoints_->setItem(i, 2, item(qs(c.createdAt)));
    }

    // There is no log file for runs yet: the events recorded in the store stand in for it.
    QStringList log;
    log << tr("Runs have no log file yet; these are the events recorded in the database for this run.")
        << QString();
    log << tr("%1  created").arg(qs(r.createdAt));
    if (!r.startedAt.empty()) log << tr("%1  started on %2").arg(qs(r.startedAt), qs(r.device));
    for (const MetricRow& m : metrics) {
        if (m.kind == MetricKind::Eval)
            log << tr("%1  step %2: eval loss %3").arg(qs(m.at)).arg(m.step).arg(optNumber(m.loss, 5));
        else
            log << tr("%1  step %2: loss %3, lr %4")
                       .arg(qs(m.at))
                       .arg(m.step)
                       .arg(optNumber(m.loss, 5), optNumber(m.lr, 3));
    }
    for (const CheckpointRow& c : checkpoints)
        log << tr("%1  checkpoint at step %2: %3").arg(qs(c.createdAt)).arg(c.step).arg(qs(c.path));
    if (!r.finishedAt.empty()) log << tr("%1  %2").arg(qs(r.finishedAt), RunsModel::statusLabel(r.status));
    if (!r.error.empty()) log << tr("error: %1").arg(qs(r.error));
    if (!r.adapterPath.empty()) log << tr("adapter: %1").arg(qs(r.adapterPath));
    log_->setPlainText(log.join(QLatin1Char('\n')));
}

void RunsPage::updateButtons() {
    bool canResume = false;
    if (service_ && !service_->isRunning() && detailsRun_) {
        const int row = model_->rowOfRun(detailsRun_);
        if (row >= 0) {
            const RunRecord& r = model_->runAt(row);
            if (r.status == RunStatus::Stopped || r.status == RunStatus::Failed)
                canResume = checkpoints_->rowCount() > 0;
        }
    }
    resume_->setEnabled(canResume);
    resume_->setToolTip(canResume
                            ? tr("Continue this run from its last checkpoint")
                            : tr("Only a stopped or failed run with a checkpoint can be resumed, while no "
                                 "other run is being trained from this window"));

    const QList<qint64> ids = selectedRunIds();
    bool canDelete = !ids.isEmpty();
    for (qint64 id : ids) {
        const int row = model_->rowOfRun(id);
        if (row < 0 || isActive(model_->runAt(row)) ||
            (service_ && service_->isRunning() && service_->runId() == id))
            canDelete = false;
    }
    delete_->setEnabled(canDelete);
}

bool RunsPage::resumeCurrent() {
    updateButtons();
    if (!resume_->isEnabled() || !detailsRun_) return false;
    const qint64 id = detailsRun_;
    service_->resumeRun(QString::number(id));
    setStatus(tr("Resuming run #%1 from its last checkpoint…").arg(id));
    updateButtons();
    return true;
}

bool RunsPage::isDeletableRunDir(const QString& dir, const QString& dataFolder, QString* why) {
    auto no = [why](const QString& reason) {
        if (why) *why = reason;
        return false;
    };
    if (dir.trimmed().isEmpty()) return no(tr("no folder is recorded for the run"));
    const QFileInfo fi(dir);
    if (!fi.exists()) return no(tr("the folder does not exist"));
    if (fi.isSymLink()) return no(tr("the folder is a symbolic link"));
    if (!fi.isDir()) return no(tr("it is not a folder"));
    const QString canonical = fi.canonicalFilePath();
    const QString data = QFileInfo(dataFolder).canonicalFilePath();
    const QString home = QFileInfo(QDir::homePath()).canonicalFilePath();
    if (canonical.isEmpty() || QDir(canonical).isRoot() || canonical == home)
        return no(tr("it is a root or home folder"));
    if (!data.isEmpty() && (canonical == data || data.startsWith(canonical + QLatin1Char('/'))))
        return no(tr("it is (or contains) the data folder"));
    if (QFileInfo::exists(canonical + QStringLiteral("/hone.db"))) return no(tr("it holds a Hone database"));
    const QString runsRoot = QFileInfo(data + QStringLiteral("/runs")).canonicalFilePath();
    if (!data.isEmpty() && !runsRoot.isEmpty() && canonical.startsWith(runsRoot + QLatin1Char('/')))
        return true;
    if (isHoneRunConfig(canonical + QStringLiteral("/config.json"))) return true;
    return no(tr("it is outside the data folder's runs/ and has no config.json of a Hone run"));
}

int RunsPage::deleteSelected() {
    const QList<qint64> ids = selectedRunIds();
    if (ids.isEmpty()) return 0;
    updateButtons();
    if (!delete_->isEnabled()) {
        setStatus(tr("A selected run is still running; stop it before deleting it."));
        return 0;
    }
    const QString folder = dataFolder();
    struct Plan {
        qint64 id;
        QString dir;
        bool removeDir;
        QString why;
    };
    std::vector<Plan> plans;
    QStringList lines;
    for (qint64 id : ids) {
        const int row = model_->rowOfRun(id);
        if (row < 0) continue;
        const RunRecord& r = model_->runAt(row);
        Plan p{id, qs(r.runDir), false, {}};
        p.removeDir = isDeletableRunDir(p.dir, folder, &p.why);
        lines << (p.removeDir
                      ? tr("#%1 %2 and its folder %3").arg(id).arg(qs(r.name), p.dir)
                      : tr("#%1 %2 (its folder %3 is kept: %4)").arg(id).arg(qs(r.name), p.dir, p.why));
        plans.push_back(p);
    }
    const QString text =
        tr("Delete %n run(s)? Their metrics and checkpoints are deleted too; this cannot be undone.", nullptr,
           int(plans.size())) +
        QStringLiteral("\n\n") + lines.join(QLatin1Char('\n'));
    if (!confirm_ || !confirm_(tr("Delete runs"), text)) {
        setStatus(tr("Nothing was deleted."));
        return 0;
    }
    int deleted = 0;
    QStringList problems, kept;
    try {
        RunStore runs(*store_);
        for (const Plan& p : plans) {
            runs.deleteRun(p.id);
            ++deleted;
            if (p.removeDir) {
                if (!QDir(p.dir).removeRecursively()) problems << tr("could not remove all of %1").arg(p.dir);
            } else if (!p.dir.isEmpty() && QFileInfo::exists(p.dir)) {
                kept << tr("kept %1 (%2)").arg(p.dir, p.why);
            }
        }
    } catch (const std::exception& e) {
        problems << QString::fromUtf8(e.what());
    }
    QString msg = tr("Deleted %n run(s).", nullptr, deleted);
    if (!kept.isEmpty()) msg += QLatin1Char(' ') + kept.join(QStringLiteral("; ")) + QLatin1Char('.');
    if (!problems.isEmpty())
        msg += QLatin1Char(' ') + tr("Problems: %1.").arg(problems.join(QStringLiteral("; ")));
    refresh();
    setStatus(msg);
    return deleted;
}

} // namespace hone::ui
