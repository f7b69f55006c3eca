// The whole studio flow through the real main window and the real `hone` worker: pick the stories260K model
// on the Models page, load tests/data/train/stories_alpaca.jsonl on the Data page with the alpaca template,
// start a short run on the Train page and see loss points arrive, find it in Runs, stop it, resume it from
// Runs and see it finish. Screenshots of every page are written as test artifacts.
#include "common/test_support.h"
#include "services/settings.h"
#include "services/system_service.h"
#include "services/training_service.h"
#include "store/run_store.h"
#include "store/store.h"
#include "system/app_paths.h"
#include "ui/data_page.h"
#include "ui/live_chart.h"
#include "ui/main_window.h"
#include "ui/models_page.h"
#include "ui/runs_model.h"
#include "ui/runs_page.h"
#include "ui/train_form.h"
#include "ui/train_page.h"

#include <QComboBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTemporaryDir>

using namespace hone;

class TestStudioFlow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(home_.isValid() && config_.isValid());
        qputenv("HONE_HOME", home_.path().toLocal8Bit());
        qputenv("XDG_CONFIG_HOME", config_.path().toLocal8Bit());
        qputenv("HF_HUB_CACHE", home_.filePath("hf-cache").toLocal8Bit());
        qputenv("HONE_CLI", (qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone").toLocal8Bit());
    }

    void pickModelLoadDataTrainStopResume() {
        const QString model = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(model);
        const QString data = test::sourceDir() + "/tests/data/train/stories_alpaca.jsonl";
        const AppPaths paths = resolveAppPaths();
        Settings settings(paths);
        SystemService system(paths);
        Store store(QString::fromStdString(paths.database));
        store.open();
        TrainingService training(paths);
        ui::MainWindow window(&settings, &system, &store, &training);
        window.trainPage()->setClosePolicy(ui::TrainPage::ClosePolicy::StopWithCheckpoint);
        window.runsPage()->setConfirm([](const QString&, const QString&) { return true; });
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* stack = window.findChild<QStackedWidget*>();
        QVERIFY(stack);

        // Models: add the fixture's folder, select it, press "Use this model".
        ui::ModelsPage* models = window.modelsPage();
        window.showPage(window.pageIndex(models));
        models->addFolder(model);
        QTRY_VERIFY_WITH_TIMEOUT(!models->isScanning() && models->selectModel(model), 30000);
        window.grab().save(test::artifactsDir() + "/flow_models.png");
        auto* use = models->findChild<QPushButton*>("useModelButton");
        QVERIFY(use && use->isEnabled());
        QTest::mouseClick(use, Qt::LeftButton);
        QCOMPARE(stack->currentWidget(), static_cast<QWidget*>(window.dataPage()));

        // Data: the alpaca template (the model has none), then the dataset.
        ui::DataPage* dataPage = window.dataPage();
        auto* tpl = dataPage->findChild<QComboBox*>("templateCombo");
        QVERIFY(tpl);
        tpl->setCurrentIndex(tpl->findData(QStringLiteral("alpaca")));
        QSignalSpy chosen(dataPage, &ui::DataPage::datasetChosen);
        dataPage->openDataset(data);
        QTRY_VERIFY_WITH_TIMEOUT(chosen.count() >= 1, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(!dataPage->isLoading(), 60000);
        QCOMPARE(dataPage->rowsModel()->rowCount(), 320);
        window.grab().save(test::artifactsDir() + "/flow_data.png");
        QCOMPARE(stack->currentWidget(), static_cast<QWidget*>(window.trainPage()));

        // Train: the form holds the choices; a short, single-threaded run.
        ui::TrainPage* train = window.trainPage();
        TrainOptions o = train->form()->options();
        QCOMPARE(QString::fromStdString(o.modelPath), model);
        QCOMPARE(QString::fromStdString(o.dataPath), data);
        QCOMPARE(QString::fromStdString(o.templateName), QString("alpaca"));
        o.maxSteps = 400;
        o.batchSize = 4;
        o.threads = 1;
        o.saveEvery = 5;
        o.lr = 3e-3;
        train->form()->setOptions(o);
        train->start();
        QTRY_VERIFY_WITH_TIMEOUT(train->lossChart()->pointCount(ui::TrainPage::kTrainLoss) >= 3, 60000);
        const int before = train->lossChart()->pointCount(ui::TrainPage::kTrainLoss);
        QTRY_VERIFY_WITH_TIMEOUT(train->lossChart()->pointCount(ui::TrainPage::kTrainLoss) > before + 2,
                                 30000);
        window.grab().save(test::artifactsDir() + "/flow_train.png");

        // Runs: the running run is listed.
        ui::RunsPage* runs = window.runsPage();
        window.showPage(window.pageIndex(runs));
        runs->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(runs->model()->rowCount() == 1, 10000);

        // Stop (with a checkpoint), then resume from the Runs page and let it finish.
        train->stop();
        QTRY_COMPARE_WITH_TIMEOUT(train->lastStatus(), QString("stopped"), 60000);
        runs->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(runs->model()
                                     ->data(runs->model()->index(0, ui::RunsModel::StatusColumn))
                                     .toString()
                                     .contains("topped", Qt::CaseInsensitive),
                                 10000);
        const qint64 id =
            runs->model()
                ->data(runs->model()->index(0, ui::RunsModel::IdColumn), ui::RunsModel::RunIdRole)
                .toLongLong();
        runs->selectRuns({id});
        QSignalSpy finished(&training, &TrainingService::finished);
        QVERIFY(runs->resumeCurrent());
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 300000);
        QCOMPARE(finished.first().at(0).toString(), QString("finished"));
        // The run store (read through a connection of its own) has the resumed run finished.
        // Known issue: the page's own connection can still show "stopped" here (a stale SQLite read snapshot
        // on the GUI thread's connection, under investigation for the studio issue), so the page is not
        // checked.
        {
            Store other(QString::fromStdString(paths.database));
            try {
                other.open();
            } catch (const std::exception& e) {
                QFAIL(e.what());
            }
            RunStore fresh(other);
            QCOMPARE(QString::fromStdString(runStatusName(fresh.run(id).status)), QString("finished"));
            QCOMPARE(fresh.run(id).lastStep.value_or(0), std::int64_t(400));
        }
        runs->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(runs->model()
                                     ->data(runs->model()->index(0, ui::RunsModel::StatusColumn))
                                     .toString()
                                     .contains("inished", Qt::CaseInsensitive),
                                 10000);
        window.grab().save(test::artifactsDir() + "/flow_runs.png");
    }

private:
    QTemporaryDir home_, config_;
};

QTEST_MAIN(TestStudioFlow)
#include "tst_studio_flow.moc"
