// The Runs page over a real hone.db: runs made by the `hone train` CLI (one finished, one stopped by SIGINT,
// one started while the page is visible) plus edge rows written through RunStore (failed without metrics, a
// run folder outside the data folder). Checks the table's values against what the CLI printed, sorting,
// filtering, the overlaid loss curves, the details pane, resuming the stopped run through the real worker,
// and deleting (rows and folder, never a folder that is not certainly the run's). Both item models run under
// QAbstractItemModelTester throughout.
#include "common/test_support.h"
#include "services/settings.h"
#include "services/training_service.h"
#include "store/run_store.h"
#include "store/store.h"
#include "ui/runs_model.h"
#include "ui/runs_page.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QChart>
#include <QComboBox>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineEdit>
#include <QLineSeries>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <memory>
#include <unistd.h>

using namespace hone;
using hone::ui::RunsModel;

namespace {

// What one `hone train --json-progress` invocation printed.
struct CliRun {
    int exitCode = -1;
    qint64 runId = 0;
    QString status;
    QString runDir;
    double finalLoss = NAN;
    qint64 lastStep = 0;
    QSet<qint64> steps;
    QSet<qint64> checkpoints;
    QByteArray stderrText;
};

QString honeBinary() {
    return qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone";
}

QStringList trainArgs(const QString& home, int maxSteps) {
    return {"train",
            "--home",
            home,
            "--model",
            test::fixture("models/stories260K"),
            "--data",
            test::sourceDir() + "/tests/data/train/stories_alpaca.jsonl",
            "--template",
            "alpaca",
            "--max-steps",
            QString::number(maxSteps),
            "--batch-size",
            "4",
            "--threads",
            "1",
            "--save-every",
            "3",
            "--json-progress"};
}

void handleLine(CliRun& r, const QByteArray& line) {
    const QJsonObject e = QJsonDocument::fromJson(line).object();
    const QString ev = e.value("event").toString();
    if (ev == "start") {
        r.runId = e.value("run_id").toInteger();
        r.runDir = e.value("run_dir").toString();
    } else if (ev == "step") {
        r.lastStep = e.value("step").toInteger();
        r.steps.insert(r.lastStep);
    } else if (ev == "checkpoint") {
        r.checkpoints.insert(e.value("step").toInteger());
    } else if (ev == "done") {
        r.status = e.value("status").toString();
        if (e.contains("final_train_loss")) r.finalLoss = e.value("final_train_loss").toDouble();
        if (e.contains("run_id")) r.runId = e.value("run_id").toInteger();
    }
}

// Starts the CLI; with interruptAfterStep > 0 sends SIGINT once that step was reported.
std::unique_ptr<QProcess> startCli(const QStringList& args) {
    auto p = std::make_unique<QProcess>();
    p->setProgram(honeBinary());
    p->setArguments(args);
    p->start();
    return p;
}

CliRun finishCli(QProcess& p, int interruptAfterStep = 0) {
    CliRun r;
    bool sent = false;
    QElapsedTimer t;
    t.start();
    while (p.state() != QProcess::NotRunning && t.elapsed() < 240000) {
        p.waitForReadyRead(50);
        while (p.canReadLine()) handleLine(r, p.readLine());
        if (interruptAfterStep > 0 && !sent && r.lastStep >= interruptAfterStep) {
            ::kill(static_cast<pid_t>(p.processId()), SIGINT);
            sent = true;
        }
    }
    p.waitForFinished(10000);
    while (p.canReadLine()) handleLine(r, p.readLine());
    r.exitCode = p.exitCode();
    r.stderrText = p.readAllStandardError();
    return r;
}

QString cell(RunsModel* m, qint64 id, int column, int role = Qt::DisplayRole) {
    const int row = m->rowOfRun(id);
    if (row < 0) return QStringLiteral("<no row for run %1>").arg(id);
    return m->index(row, column).data(role).toString();
}

QLineSeries* series(QChart* chart, const QString& name) {
    for (QAbstractSeries* s : chart->series())
        if (s->objectName() == name) return qobject_cast<QLineSeries*>(s);
    return nullptr;
}

// A page with both of its item models under the tester.
struct TestedPage {
    TestedPage(Store* store, TrainingService* service)
        : page(store, service)
        , modelTester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest)
        , proxyTester(page.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest) {}
    ui::RunsPage page;
    QAbstractItemModelTester modelTester;
    QAbstractItemModelTester proxyTester;
};

} // namespace

class TestRunsPage : public QObject {
    Q_OBJECT

    AppPaths paths() const {
        AppPaths p;
        p.home = home_.path().toStdString();
        p.database = p.home + "/hone.db";
        p.settingsFile = p.home + "/settings.ini";
        p.source = "HONE_HOME";
        return p;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(home_.isValid() && outside_.isValid());
        HONE_REQUIRE_PATH(test::fixture("models/stories260K/config.json"));
        QVERIFY2(QFileInfo(honeBinary()).isExecutable(), qPrintable(honeBinary()));
        qputenv("HONE_CLI", honeBinary().toLocal8Bit());

        auto p1 = startCli(trainArgs(home_.path(), 6));
        short_ = finishCli(*p1);
        QVERIFY2(short_.exitCode == 0 && short_.status == "finished", short_.stderrText.constData());
        QCOMPARE(short_.steps.size(), 6);
        QVERIFY(short_.runId > 0 && std::isfinite(short_.finalLoss));

        auto p2 = startCli(trainArgs(home_.path(), 20));
        stopped_ = finishCli(*p2, 4);
        QVERIFY2(stopped_.status == "stopped", qPrintable(stopped_.status + ": " + stopped_.stderrText));
        QCOMPARE(stopped_.exitCode, 2);
        qInfo("SIGINT after step 4 stopped the run at step %lld of 20", stopped_.lastStep);
        QVERIFY(stopped_.lastStep >= 4 && stopped_.lastStep < 20);
        QVERIFY(!stopped_.checkpoints.isEmpty());

        store_ = std::make_unique<Store>(home_.path() + "/hone.db");
        store_->open();
        RunStore runs(*store_);
        RunRecord failed;
        failed.name = "broken-7b";
        failed.modelPath = "/models/llama-7b/";
        failed.datasetPath = "/data/chat.jsonl";
        failed.configJson = R"({"lr":0.001,"lora-rank":64,"batch-size":2,"grad-accum":8,"max-seq-len":512})";
        failedId_ = runs.createRun(failed);
        runs.setStatus(failedId_, RunStatus::Running);
        runs.setStatus(failedId_, RunStatus::Failed, "out of memory at step 0: lower --batch-size");

        // A run whose folder is not the data folder's: it holds a model's config.json and a user's file.
        QVERIFY(QDir(outside_.path()).mkpath("notarun"));
        outsideDir_ = outside_.path() + "/notarun";
        QFile keep(outsideDir_ + "/keep.txt");
        QVERIFY(keep.open(QIODevice::WriteOnly) && keep.write("precious") > 0);
        keep.close();
        QFile hfConfig(outsideDir_ + "/config.json");
        QVERIFY(hfConfig.open(QIODevice::WriteOnly) && hfConfig.write(R"({"model_type":"llama"})") > 0);
        hfConfig.close();
        RunRecord outside;
        outside.name = "elsewhere";
        outside.modelPath = "/models/qwen";
        outside.datasetPath = "/data/other.csv";
        outside.runDir = outsideDir_.toStdString();
        outsideId_ = runs.createRun(outside);
        runs.setStatus(outsideId_, RunStatus::Running);
        runs.appendMetrics(outsideId_, {{1, MetricKind::Train, 0.9, {}, {}, {}, {}, {}, {}},
                                        {2, MetricKind::Train, 0.5, {}, {}, {}, {}, {}, {}},
                                        {2, MetricKind::Eval, 0.7, {}, {}, {}, {}, {}, {}}});
        runs.setFinal(outsideId_, 0.25, 0.7, {});
        runs.setStatus(outsideId_, RunStatus::Finished);
        knownLosses_ = {{short_.runId, short_.finalLoss}, {outsideId_, 0.25}};
        // A stopped run reports the loss it reached too.
        if (std::isfinite(stopped_.finalLoss)) knownLosses_.push_back({stopped_.runId, stopped_.finalLoss});
    }

    void tableShowsRuns() {
        TestedPage t(store_.get(), nullptr);
        RunsModel* m = t.page.model();
        QCOMPARE(m->rowCount(), 4);
        QCOMPARE(m->columnCount(), int(RunsModel::ColumnCount));

        QCOMPARE(cell(m, short_.runId, 0, RunsModel::StatusRole), QStringLiteral("finished"));
        QCOMPARE(cell(m, stopped_.runId, 0, RunsModel::StatusRole), QStringLiteral("stopped"));
        QCOMPARE(cell(m, failedId_, 0, RunsModel::StatusRole), QStringLiteral("failed"));
        QCOMPARE(cell(m, short_.runId, RunsModel::StatusColumn), QStringLiteral("finished"));
        QCOMPARE(cell(m, short_.runId, RunsModel::TrainLossColumn),
                 QString::number(short_.finalLoss, 'f', 4));
        QCOMPARE(cell(m, short_.runId, RunsModel::StepsColumn), QStringLiteral("6/6"));
        if (std::isfinite(stopped_.finalLoss))
            QCOMPARE(cell(m, stopped_.runId, RunsModel::TrainLossColumn),
                     QString::number(stopped_.finalLoss, 'f', 4));
        QCOMPARE(cell(m, stopped_.runId, RunsModel::StepsColumn),
                 QStringLiteral("%1/20").arg(stopped_.lastStep));
        QCOMPARE(cell(m, short_.runId, RunsModel::ModelColumn), QStringLiteral("stories260K"));
        QCOMPARE(cell(m, short_.runId, RunsModel::DatasetColumn), QStringLiteral("stories_alpaca.jsonl"));
        QCOMPARE(cell(m, short_.runId, RunsModel::BatchColumn), QStringLiteral("4"));
        QCOMPARE(cell(m, short_.runId, RunsModel::LrColumn), QStringLiteral("0.0002"));
        // The rank the CLI wrote into the run folder's config.json.
        QFile cfg(short_.runDir + "/config.json");
        QVERIFY(cfg.open(QIODevice::ReadOnly));
        const QJsonObject saved = QJsonDocument::fromJson(cfg.readAll()).object();
        QCOMPARE(cell(m, short_.runId, RunsModel::RankColumn),
                 QString::number(saved.value("lora-rank").toInt()));
        QCOMPARE(cell(m, short_.runId, RunsModel::SeqLenColumn),
                 QString::number(saved.value("max-seq-len").toInt()));
        QVERIFY(!cell(m, short_.runId, RunsModel::DurationColumn).isEmpty());
        QVERIFY(!cell(m, short_.runId, RunsModel::CreatedColumn).isEmpty());
        QCOMPARE(cell(m, outsideId_, RunsModel::EvalLossColumn), QStringLiteral("0.7000"));

        QCOMPARE(cell(m, failedId_, RunsModel::ModelColumn), QStringLiteral("llama-7b"));
        QCOMPARE(cell(m, failedId_, RunsModel::BatchColumn), QStringLiteral("2 × 8"));
        QCOMPARE(cell(m, failedId_, RunsModel::RankColumn), QStringLiteral("64"));
        QCOMPARE(cell(m, failedId_, RunsModel::TrainLossColumn), QString());
        QCOMPARE(cell(m, failedId_, RunsModel::StepsColumn), QString());
        QVERIFY(cell(m, failedId_, RunsModel::StatusColumn, Qt::ToolTipRole).contains("out of memory"));
        // Newest first by default.
        QCOMPARE(t.page.proxy()->index(0, 0).data(RunsModel::RunIdRole).toLongLong(), outsideId_);
    }

    void sortsByFinalLoss() {
        TestedPage t(store_.get(), nullptr);
        auto* proxy = t.page.proxy();
        auto order = [&] {
            QList<qint64> ids;
            for (int r = 0; r < proxy->rowCount(); ++r)
                ids << proxy->index(r, 0).data(RunsModel::RunIdRole).toLongLong();
            return ids;
        };
        QList<std::pair<double, qint64>> known;
        for (auto [id, loss] : knownLosses_) known.push_back({loss, id});
        std::sort(known.begin(), known.end());
        QList<qint64> ascending, missing;
        for (const auto& k : known) ascending << k.second;
        for (qint64 id : {short_.runId, stopped_.runId, failedId_, outsideId_})
            if (!ascending.contains(id)) missing << id;
        QVERIFY(missing.contains(failedId_));
        const auto n = ascending.size();
        proxy->sort(RunsModel::TrainLossColumn, Qt::AscendingOrder);
        QList<qint64> ids = order();
        QCOMPARE(ids.size(), 4);
        QCOMPARE(ids.mid(0, n), ascending);
        // Runs without a final loss come last, whatever the order.
        QCOMPARE(QSet<qint64>(ids.begin() + n, ids.end()), QSet<qint64>(missing.begin(), missing.end()));
        proxy->sort(RunsModel::TrainLossColumn, Qt::DescendingOrder);
        ids = order();
        std::reverse(ascending.begin(), ascending.end());
        QCOMPARE(ids.mid(0, n), ascending);
        QCOMPARE(QSet<qint64>(ids.begin() + n, ids.end()), QSet<qint64>(missing.begin(), missing.end()));
        // Numbers sort as numbers (the rank 64 after 16 or 8), not as text.
        proxy->sort(RunsModel::RankColumn, Qt::DescendingOrder);
        QCOMPARE(order().first(), failedId_);
    }

    void filtersByStatusAndText() {
        TestedPage t(store_.get(), nullptr);
        auto* proxy = t.page.proxy();
        auto* status = t.page.findChild<QComboBox*>("runsStatusFilter");
        auto* text = t.page.findChild<QLineEdit*>("runsFilter");
        QVERIFY(status && text);
        status->setCurrentIndex(status->findData(QStringLiteral("failed")));
        QCOMPARE(proxy->rowCount(), 1);
        QCOMPARE(proxy->index(0, 0).data(RunsModel::RunIdRole).toLongLong(), failedId_);
        status->setCurrentIndex(status->findData(QStringLiteral("stopped")));
        QCOMPARE(proxy->rowCount(), 1);
        QCOMPARE(proxy->index(0, 0).data(RunsModel::RunIdRole).toLongLong(), stopped_.runId);
        status->setCurrentIndex(status->findData(QStringLiteral("finished")));
        QCOMPARE(proxy->rowCount(), 2);
        status->setCurrentIndex(0);
        QCOMPARE(proxy->rowCount(), 4);
        text->setText("LLAMA-7B");
        QCOMPARE(proxy->rowCount(), 1);
        text->setText("stories_alpaca");
        QCOMPARE(proxy->rowCount(), 2);
        status->setCurrentIndex(status->findData(QStringLiteral("failed")));
        QCOMPARE(proxy->rowCount(), 0);
    }

    // The filter, status filter and sort order chosen last time come back with the next page (app start).
    void remembersSortAndFilter() {
        Settings settings(paths());
        {
            TestedPage t(store_.get(), nullptr);
            t.page.rememberChoicesIn(&settings);
            auto* status = t.page.findChild<QComboBox*>("runsStatusFilter");
            auto* table = t.page.findChild<QTableView*>("runsTable");
            status->setCurrentIndex(status->findData(QStringLiteral("finished")));
            t.page.findChild<QLineEdit*>("runsFilter")->setText("stories_alpaca");
            table->sortByColumn(RunsModel::TrainLossColumn, Qt::AscendingOrder);
            QCOMPARE(t.page.proxy()->rowCount(), 1);
        }
        settings.sync();
        Settings reopened(paths());
        TestedPage t(store_.get(), nullptr);
        t.page.rememberChoicesIn(&reopened);
        QCOMPARE(t.page.findChild<QLineEdit*>("runsFilter")->text(), QStringLiteral("stories_alpaca"));
        QCOMPARE(t.page.findChild<QComboBox*>("runsStatusFilter")->currentData().toString(),
                 QStringLiteral("finished"));
        QCOMPARE(t.page.proxy()->rowCount(), 1);
        auto* header = t.page.findChild<QTableView*>("runsTable")->horizontalHeader();
        QCOMPARE(header->sortIndicatorSection(), int(RunsModel::TrainLossColumn));
        QCOMPARE(header->sortIndicatorOrder(), Qt::AscendingOrder);
        // Clearing them is remembered too.
        t.page.findChild<QLineEdit*>("runsFilter")->clear();
        t.page.findChild<QComboBox*>("runsStatusFilter")->setCurrentIndex(0);
        QCOMPARE(reopened.value("runs/filter").toString(), QString());
        QCOMPARE(reopened.value("runs/status").toString(), QString());
    }

    void overlaysSelectedRuns() {
        TestedPage t(store_.get(), nullptr);
        t.page.selectRuns({short_.runId, stopped_.runId});
        QCOMPARE(t.page.selectedRunIds().size(), 2);
        QChart* chart = t.page.lossChart();
        QLineSeries* a = series(chart, QStringLiteral("train-%1").arg(short_.runId));
        QLineSeries* b = series(chart, QStringLiteral("train-%1").arg(stopped_.runId));
        QVERIFY(a && b);
        QCOMPARE(a->count(), int(short_.steps.size()));
        QCOMPARE(b->count(), int(stopped_.steps.size()));
        QCOMPARE(chart->series().size(), 2); // no eval data in these runs
        QVERIFY(a->pen().color() != b->pen().color());
        QCOMPARE(chart->legend()->markers().size(), 2);
        QVERIFY(chart->legend()->isVisible());
        // The loss axis covers both curves, on round ticks whose labels all differ.
        auto* y = qobject_cast<QValueAxis*>(chart->axes(Qt::Vertical).first());
        QVERIFY(y);
        QStringList labels;
        for (int i = 0; i < y->tickCount(); ++i)
            labels << QString::asprintf(y->labelFormat().toLatin1().constData(),
                                        y->min() + (y->max() - y->min()) * i / (y->tickCount() - 1));
        for (QLineSeries* s : {a, b})
            for (const QPointF& p : s->points())
                QVERIFY2(p.y() >= y->min() && p.y() <= y->max(), qPrintable(labels.join(" | ")));
        QVERIFY2(labels.removeDuplicates() == 0, qPrintable(labels.join(" | ")));
        const double step = (y->max() - y->min()) / (y->tickCount() - 1);
        const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
        QVERIFY2(std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 ||
                     std::abs(mantissa - 5) < 1e-6,
                 qPrintable(labels.join(" | ")));

        // Details of the current (first) run.
        QCOMPARE(t.page.currentRunId(), short_.runId);
        QVERIFY(t.page.findChild<QPlainTextEdit*>("runConfig")->toPlainText().contains("\"lora-rank\""));
        QCOMPARE(t.page.findChild<QTableWidget*>("runMetrics")->rowCount(), int(short_.steps.size()));
        auto* ckpts = t.page.findChild<QTableWidget*>("runCheckpoints");
        QCOMPARE(ckpts->rowCount(), int(short_.checkpoints.size()));
        QVERIFY(ckpts->item(0, 1)->text().startsWith(short_.runDir));
        QVERIFY(t.page.findChild<QPlainTextEdit*>("runLog")->toPlainText().contains("no log file"));

        // A run with an eval curve: a dashed second series in the same colour.
        t.page.selectRuns({outsideId_});
        QLineSeries* train = series(chart, QStringLiteral("train-%1").arg(outsideId_));
        QLineSeries* eval = series(chart, QStringLiteral("eval-%1").arg(outsideId_));
        QVERIFY(train && eval);
        QCOMPARE(train->count(), 2);
        QCOMPARE(eval->count(), 1);
        QCOMPARE(eval->pen().style(), Qt::DashLine);
        QCOMPARE(eval->pen().color(), train->pen().color());

        // The failed run: no points, its error in the summary.
        t.page.selectRuns({failedId_});
        QCOMPARE(series(chart, QStringLiteral("train-%1").arg(failedId_))->count(), 0);
        QVERIFY(t.page.findChild<QLabel*>("runSummary")->text().contains("out of memory"));
        QCOMPARE(t.page.findChild<QTableWidget*>("runMetrics")->rowCount(), 0);
    }

    void cliRunsAppearWhileVisible() {
        TestedPage t(store_.get(), nullptr);
        t.page.resize(1200, 800);
        t.page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&t.page));
        t.page.selectRuns({short_.runId});
        const int before = t.page.model()->rowCount();
        auto p = startCli(trainArgs(home_.path(), 6));
        // Auto-refresh (every 2 s) picks the CLI's run up without a click.
        QTRY_VERIFY_WITH_TIMEOUT(t.page.model()->rowCount() == before + 1, 20000);
        const CliRun extra = finishCli(*p);
        QCOMPARE(extra.status, QStringLiteral("finished"));
        QTRY_COMPARE_WITH_TIMEOUT(cell(t.page.model(), extra.runId, 0, RunsModel::StatusRole),
                                  QStringLiteral("finished"), 10000);
        QCOMPARE(cell(t.page.model(), extra.runId, RunsModel::TrainLossColumn),
                 QString::number(extra.finalLoss, 'f', 4));
        // The selection survived the refreshes.
        QCOMPARE(t.page.selectedRunIds(), QList<qint64>{short_.runId});
        extraId_ = extra.runId;
        t.page.hide();
    }

    void resumesStoppedRun() {
        TrainingService service(paths(), TrainingService::Mode::WorkerProcess);
        TestedPage t(store_.get(), &service);
        auto* resume = t.page.findChild<QPushButton*>("resumeRun");
        t.page.selectRuns({failedId_});
        QVERIFY(!resume->isEnabled()); // no checkpoint
        t.page.selectRuns({short_.runId});
        QVERIFY(!resume->isEnabled()); // finished
        t.page.selectRuns({stopped_.runId});
        QVERIFY(resume->isEnabled());
        QSignalSpy finished(&service, &TrainingService::finished);
        QTest::mouseClick(resume, Qt::LeftButton);
        QVERIFY(service.isRunning());
        QVERIFY(!resume->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(finished.size() == 1, 180000);
        QCOMPARE(finished.first().at(0).toString(), QStringLiteral("finished"));
        t.page.refresh();
        QCOMPARE(cell(t.page.model(), stopped_.runId, 0, RunsModel::StatusRole), QStringLiteral("finished"));
        QCOMPARE(cell(t.page.model(), stopped_.runId, RunsModel::StepsColumn), QStringLiteral("20/20"));
        QVERIFY(!cell(t.page.model(), stopped_.runId, RunsModel::TrainLossColumn).isEmpty());
        QCOMPARE(series(t.page.lossChart(), QStringLiteral("train-%1").arg(stopped_.runId))->count(), 20);
        QVERIFY(!resume->isEnabled());
    }

    void deletesRunsAndOnlyTheirFolders() {
        TestedPage t(store_.get(), nullptr);
        ui::RunsPage& page = t.page;
        QString asked;
        bool answer = false;
        page.setConfirm([&](const QString&, const QString& text) {
            asked = text;
            return answer;
        });
        QVERIFY(QFileInfo(short_.runDir).isDir());
        page.selectRuns({short_.runId});
        QCOMPARE(page.deleteSelected(), 0); // declined
        QVERIFY(asked.contains(short_.runDir));
        QVERIFY(RunStore(*store_).exists(short_.runId));
        QVERIFY(QFileInfo(short_.runDir).isDir());

        answer = true;
        QCOMPARE(page.deleteSelected(), 1);
        QVERIFY(!RunStore(*store_).exists(short_.runId));
        QCOMPARE(page.model()->rowOfRun(short_.runId), -1);
        QVERIFY(!QFileInfo::exists(short_.runDir));
        QVERIFY(QFileInfo::exists(home_.path() + "/hone.db"));

        // A folder outside the data folder without a Hone config.json: the row goes, the folder stays.
        page.selectRuns({outsideId_});
        QCOMPARE(page.deleteSelected(), 1);
        QVERIFY(!RunStore(*store_).exists(outsideId_));
        QVERIFY(QFileInfo::exists(outsideDir_ + "/keep.txt"));
        QVERIFY2(page.statusText().contains(outsideDir_), qPrintable(page.statusText()));

        // A run that names the data folder itself as its folder.
        RunRecord bad;
        bad.name = "points-at-home";
        bad.modelPath = "/models/m";
        bad.runDir = home_.path().toStdString();
        const qint64 badId = RunStore(*store_).createRun(bad);
        RunStore(*store_).setStatus(badId, RunStatus::Stopped);
        page.refresh();
        page.selectRuns({badId});
        QCOMPARE(page.deleteSelected(), 1);
        QVERIFY(QFileInfo::exists(home_.path() + "/hone.db"));
        QVERIFY(QFileInfo(stopped_.runDir).isDir());

        // A run whose process is alive (this test's) cannot be deleted; one whose process is gone is marked
        // failed by the refresh and can.
        QProcess gone;
        gone.start("/bin/true");
        QVERIFY(gone.waitForFinished(10000));
        RunRecord live, dead;
        live.name = "live";
        live.modelPath = dead.modelPath = "/models/m";
        dead.name = "dead";
        RunStore store(*store_);
        const qint64 liveId = store.createRun(live), deadId = store.createRun(dead);
        store.setStatus(liveId, RunStatus::Running);
        store.setPid(liveId, QCoreApplication::applicationPid());
        store.setStatus(deadId, RunStatus::Running);
        store.setPid(deadId, gone.processId());
        page.refresh();
        QCOMPARE(cell(page.model(), liveId, 0, RunsModel::StatusRole), QStringLiteral("running"));
        QCOMPARE(cell(page.model(), deadId, 0, RunsModel::StatusRole), QStringLiteral("failed"));
        page.selectRuns({liveId, deadId});
        QVERIFY(!page.findChild<QPushButton*>("deleteRun")->isEnabled());
        QCOMPARE(page.deleteSelected(), 0);
        QVERIFY(store.exists(liveId));
        page.selectRuns({deadId});
        QVERIFY(page.findChild<QPushButton*>("deleteRun")->isEnabled());
        QCOMPARE(page.deleteSelected(), 1);
        QVERIFY(!store.exists(deadId));
        store.setStatus(liveId, RunStatus::Stopped);

        // The rules on their own.
        const QString data = home_.path();
        QVERIFY(ui::RunsPage::isDeletableRunDir(stopped_.runDir, data));
        QVERIFY(!ui::RunsPage::isDeletableRunDir(data, data));
        QVERIFY(!ui::RunsPage::isDeletableRunDir(data + "/runs", data));
        QVERIFY(!ui::RunsPage::isDeletableRunDir("/", data));
        QVERIFY(!ui::RunsPage::isDeletableRunDir(QDir::homePath(), data));
        QVERIFY(!ui::RunsPage::isDeletableRunDir(test::fixture("models/stories260K"), data));
        QVERIFY(!ui::RunsPage::isDeletableRunDir(outsideDir_, data));
        QVERIFY(!ui::RunsPage::isDeletableRunDir(QString(), data));
        QVERIFY(QFile::link(outsideDir_, data + "/runs/link-to-outside"));
        QVERIFY(!ui::RunsPage::isDeletableRunDir(data + "/runs/link-to-outside", data));
        QVERIFY(QFile::remove(data + "/runs/link-to-outside"));
        // A Hone run folder elsewhere (--out) is recognised by its config.json.
        QVERIFY(QDir(outside_.path()).mkpath("own-run"));
        QVERIFY(QFile::copy(stopped_.runDir + "/config.json", outside_.path() + "/own-run/config.json"));
        QVERIFY(ui::RunsPage::isDeletableRunDir(outside_.path() + "/own-run", data));
    }

    void screenshot() {
        TestedPage t(store_.get(), nullptr);
        t.page.resize(1400, 900);
        t.page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&t.page));
        t.page.selectRuns({stopped_.runId, extraId_});
        QCOMPARE(t.page.lossChart()->series().size(), 2);
        QTest::qWait(200);
        const QString shot = test::artifactsDir() + "/runs_page.png";
        QVERIFY(t.page.grab().save(shot));
        QVERIFY(QFileInfo(shot).size() > 10000);
    }

private:
    QTemporaryDir home_, outside_;
    std::unique_ptr<Store> store_;
    CliRun short_, stopped_;
    QString outsideDir_;
    qint64 failedId_ = 0, outsideId_ = 0, extraId_ = 0;
    QList<std::pair<qint64, double>> knownLosses_;
};

QTEST_MAIN(TestRunsPage)
#include "tst_runs_page.moc"
