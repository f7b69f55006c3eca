// The Train page against the real `hone train` worker on the stories260K fixture: charts receive points while
// training runs, pause stops them, resume continues, stop ends the run as "stopped"; the form validates every
// change and its memory estimate follows the batch size; closing asks a real modal question (answered from
// the keyboard) and confirmClose also answers by policy.
#include "common/test_support.h"
#include "services/settings.h"
#include "services/training_service.h"
#include "store/run_store.h"
#include "ui/live_chart.h"
#include "ui/train_form.h"
#include "ui/train_page.h"

#include <QApplication>
#include <QChart>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QValueAxis>
#include <QtTest>

#include <csignal>
#include <memory>

using namespace hone;

class TestTrainPage : public QObject {
    Q_OBJECT
private:
    QTemporaryDir home_;
    AppPaths paths_;
    QString model_, data_;

    TrainOptions baseOptions(std::int64_t maxSteps) const {
        TrainOptions o;
        o.modelPath = model_.toStdString();
        o.dataPath = data_.toStdString();
        o.templateName = "alpaca";
        o.maxSteps = maxSteps;
        o.batchSize = 4;
        o.threads = 1;
        o.maxSeqLen = 256;
        o.lr = 1e-3;
        o.device = "cpu";
        return o;
    }

    // Once a modal message box is up (polled from the event loop that its exec() runs), records its text and
    // buttons and presses `key` on it.
    static void answerModal(Qt::Key key, QString* text, QStringList* buttons) {
        auto* timer = new QTimer;
        timer->setInterval(50);
        QObject::connect(timer, &QTimer::timeout, [timer, key, text, buttons] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box) return;
            timer->stop();
            timer->deleteLater();
            *text = box->text();
            buttons->clear();
            for (QAbstractButton* b : box->buttons()) buttons->append(b->text().remove('&'));
            QTest::keyClick(box, key);
        });
        timer->start();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(home_.isValid());
        qputenv("HONE_HOME", home_.path().toLocal8Bit());
        qputenv("HONE_CLI", (qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone").toLocal8Bit());
        paths_.home = home_.path().toStdString();
        paths_.database = (home_.path() + "/hone.db").toStdString();
        paths_.settingsFile = (home_.path() + "/settings.ini").toStdString();
        paths_.source = "HONE_HOME";
        model_ = test::fixture("models/stories260K");
        data_ = test::sourceDir() + "/tests/data/train/stories_alpaca.jsonl";
    }

    void liveChartDecimatesAndSmooths() {
        ui::LiveChart chart(QStringLiteral("test"));
        chart.resize(600, 300);
        chart.show();
        const int raw = chart.addSeries("loss", Qt::blue, 0.1);
        QCOMPARE(chart.seriesCount(), 2);
        for (int i = 0; i < 20000; ++i) chart.append(raw, i, (i % 2) ? 1.0 : 3.0);
        chart.refresh();
        QCOMPARE(chart.pointCount(raw), 20000);
        QCOMPARE(chart.pointCount(raw + 1), 20000);
        // About two points per pixel column, never all 20k.
        QVERIFY2(chart.displayedPointCount(raw) > 0 && chart.displayedPointCount(raw) < 3000,
                 qPrintable(QString::number(chart.displayedPointCount(raw))));
        // Min/max decimation keeps the extremes of the alternating signal.
        auto* line = qobject_cast<QLineSeries*>(chart.chart()->series().at(raw));
        double lo = 1e9, hi = -1e9;
        for (const QPointF& p : line->points()) {
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
        }
        QCOMPARE(lo, 1.0);
        QCOMPARE(hi, 3.0);
        // The EMA of an alternating 1/3 signal settles near 2.
        auto* ema = qobject_cast<QLineSeries*>(chart.chart()->series().at(raw + 1));
        QVERIFY(std::abs(ema->points().last().y() - 2.0) < 0.2);
        chart.clear();
        chart.refresh();
        QCOMPARE(chart.pointCount(raw), 0);
        QCOMPARE(chart.displayedPointCount(raw), 0);
    }

    // The y labels of a narrow range (peak memory moving by a fraction of a MiB, a learning rate decaying in
    // its fourth significant digit) are all different, cover the data, and sit on a round step.
    void liveChartLabelsStayDistinct() {
        const QList<QPair<double, double>> ranges = {{198.1, 199.0}, {0.002984, 0.003002}, {8000, 15000},
                                                     {0.9, 1.8},     {1e-7, 3e-7},         {5.0, 5.0}};
        for (const auto& [lo, hi] : ranges) {
            ui::LiveChart chart(QStringLiteral("range"));
            chart.resize(300, 200);
            chart.show();
            const int s = chart.addSeries("value");
            for (int i = 0; i <= 10; ++i) chart.append(s, i, lo + (hi - lo) * i / 10.0);
            chart.refresh();
            auto* axis = qobject_cast<QValueAxis*>(chart.chart()->axes(Qt::Vertical).first());
            QVERIFY(axis);
            QVERIFY2(axis->min() <= lo && axis->max() >= hi, qPrintable(QString::number(lo)));
            QStringList labels;
            const QByteArray format = axis->labelFormat().toLatin1();
            for (int t = 0; t < axis->tickCount(); ++t) {
                const double v = axis->min() + (axis->max() - axis->min()) * t / (axis->tickCount() - 1);
                labels << QString::asprintf(format.constData(), v);
            }
            QVERIFY2(labels.removeDuplicates() == 0, qPrintable(labels.join(" | ")));
            QVERIFY2(axis->tickCount() >= 5 && axis->tickCount() <= 7, qPrintable(labels.join(" | ")));
        }
    }

    void defaultsFollowModelSize() {
        // Llama 2 7B's shape: 6.74 B parameters.
        ModelConfig c;
        c.hiddenSize = 4096;
        c.intermediateSize = 11008;
        c.numLayers = 32;
        c.numHeads = 32;
        c.numKvHeads = 32;
        c.headDim = 128;
        c.vocabSize = 32000;
        c.maxPositions = 4096;
        const std::int64_t params = ui::approxParameterCount(c);
        QVERIFY2(params > 6'700'000'000 && params < 6'800'000'000, qPrintable(QString::number(params)));
        const TrainOptions big = ui::defaultsForModelSize(TrainOptions{}, params, c.contextLength());
        QCOMPARE(big.batchSize, 1);
        QVERIFY(big.gradientCheckpointing && big.gradAccum > 1);
        QVERIFY(big.lr <= 1e-4);
        QCOMPARE(big.maxSeqLen, 1024);
        const TrainOptions small = ui::defaultsForModelSize(TrainOptions{}, 500'000'000, 32768);
        QVERIFY(small.batchSize > big.batchSize && !small.gradientCheckpointing);
        QCOMPARE(small.maxSeqLen, 2048);
        QCOMPARE(small.lora.alpha, 2.0 * small.lora.rank);
        // Never longer than the model's context.
        QCOMPARE(ui::defaultsForModelSize(TrainOptions{}, 500'000'000, 512).maxSeqLen, 512);
    }

    void formValidatesAndEstimatesMemory() {
        HONE_REQUIRE_PATH(model_);
        Settings settings(paths_);
        ui::TrainForm form(&settings);
        form.setModel(model_);
        form.setDataset(data_, "alpaca", "alpaca");
        QVERIFY2(form.isValid(), qPrintable(form.validationMessage()));
        // stories260K is tiny: the small-model defaults.
        QCOMPARE(form.options().lora.rank, 8);
        QCOMPARE(form.options().maxSeqLen, 512);
        auto* label = form.findChild<QLabel*>("validationLabel");

        form.findChild<QLineEdit*>("lrEdit")->setText("0");
        QVERIFY(!form.isValid());
        QVERIFY2(label->text().contains("learning rate"), qPrintable(label->text()));
        form.findChild<QLineEdit*>("lrEdit")->setText("abc");
        QVERIFY(label->text().contains("not a number"));
        form.findChild<QLineEdit*>("lrEdit")->setText("2e-4");
        QVERIFY(form.isValid());
        QCOMPARE(form.options().lr, 2e-4);

        form.findChild<QSpinBox*>("rankSpin")->setValue(0);
        QVERIFY(!form.isValid());
        QVERIFY2(label->text().contains("rank"), qPrintable(label->text()));
        form.findChild<QSpinBox*>("rankSpin")->setValue(8);
        QVERIFY(form.isValid());

        const QString before = form.memoryText();
        const auto bytesBefore = form.estimatedBytes();
        QVERIFY(bytesBefore > 0);
        form.findChild<QSpinBox*>("batchSpin")->setValue(form.options().batchSize * 8);
        QVERIFY(form.estimatedBytes() > bytesBefore);
        QVERIFY(form.memoryText() != before);

        // Every option goes through the form unchanged.
        TrainOptions o = baseOptions(123);
        o.lora.alpha = 7;
        o.lora.dropout = 0.05;
        o.lora.rslora = true;
        o.lora.targets = {"q_proj", "v_proj"};
        o.schedule = "cosine";
        o.warmupSteps = 5;
        o.weightDecay = 0.01;
        o.adamEps = 1e-6;
        o.gradAccum = 3;
        o.packing = true;
        o.seed = 7;
        o.evalSplit = 0.1;
        o.evalEvery = 10;
        o.saveEvery = 20;
        o.keepCheckpoints = 2;
        o.runName = "roundtrip";
        o.initAdapter = "/tmp/some-run/adapter";
        form.setOptions(o);
        QCOMPARE(QString::fromStdString(form.options().toJson().dump()),
                 QString::fromStdString(o.toJson().dump()));

        // Every input explains itself.
        int inputs = 0;
        for (QWidget* w : form.findChildren<QWidget*>()) {
            if (!qobject_cast<QLineEdit*>(w) && !qobject_cast<QAbstractSpinBox*>(w) &&
                !qobject_cast<QComboBox*>(w) && !qobject_cast<QCheckBox*>(w))
                continue;
            if (w->objectName().isEmpty() || w->objectName().startsWith("qt_"))
                continue; // a combo's own editor
            ++inputs;
            QVERIFY2(!w->toolTip().isEmpty(), qPrintable(w->objectName()));
        }
        QVERIFY(inputs >= 36);

        // Remembered for the next form.
        form.remember();
        ui::TrainForm again(&settings);
        QCOMPARE(again.options().runName, std::string("roundtrip"));
        QCOMPARE(again.options().maxSteps, std::int64_t(123));
    }

    void startDisabledWhileInvalid() {
        Settings settings(paths_);
        TrainingService service(paths_);
        ui::TrainPage page(&settings, &service);
        page.form()->setOptions(baseOptions(40));
        auto* start = page.findChild<QPushButton*>("startButton");
        QVERIFY(start->isEnabled());
        page.form()->findChild<QLineEdit*>("lrEdit")->setText("0");
        QVERIFY(!start->isEnabled());
        page.form()->findChild<QLineEdit*>("lrEdit")->setText("1e-3");
        page.form()->findChild<QSpinBox*>("rankSpin")->setValue(0);
        QVERIFY(!start->isEnabled());
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(!service.isRunning());
    }

    void trainsWithLiveChartsPauseResumeStop() {
        HONE_REQUIRE_PATH(model_);
        Settings settings(paths_);
        TrainingService service(paths_);
        ui::TrainPage page(&settings, &service);
        page.resize(1280, 860);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        // Enough steps that the run is still going while the test pauses and resumes it.
        page.form()->setOptions(baseOptions(100000));
        QVERIFY2(page.form()->isValid(), qPrintable(page.form()->validationMessage()));
        auto* start = page.findChild<QPushButton*>("startButton");
        auto* pauseB = page.findChild<QPushButton*>("pauseButton");
        auto* resumeB = page.findChild<QPushButton*>("resumeButton");
        auto* stopB = page.findChild<QPushButton*>("stopButton");
        QVERIFY(!pauseB->isEnabled() && !resumeB->isEnabled() && !stopB->isEnabled());
        QSignalSpy finished(&page, &ui::TrainPage::runFinished);

        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(service.isRunning());
        QVERIFY(!start->isEnabled() && stopB->isEnabled());
        ui::LiveChart* loss = page.lossChart();
        QTRY_VERIFY_WITH_TIMEOUT(loss->pointCount(ui::TrainPage::kTrainLoss) >= 3, 60000);
        const int first = loss->pointCount(ui::TrainPage::kTrainLoss);
        // Points keep arriving, and the chart draws them.
        QTRY_VERIFY_WITH_TIMEOUT(loss->pointCount(ui::TrainPage::kTrainLoss) > first + 2, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(loss->displayedPointCount(ui::TrainPage::kTrainLoss) > 0, 5000);
        QVERIFY(page.lrChart()->pointCount(0) > 0 && page.gradNormChart()->pointCount(0) > 0 &&
                page.tokensChart()->pointCount(0) > 0 && page.memoryChart()->pointCount(0) > 0);
        QVERIFY(page.findChild<QLabel*>("progressLabel")->text().contains("ETA"));
        QVERIFY(page.findChild<QProgressBar*>("trainProgress")->value() > 0);

        // Pause: no new points for a second.
        QTest::keyClick(&page, Qt::Key_P, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(service.isPaused(), 30000);
        QVERIFY(resumeB->isEnabled() && !pauseB->isEnabled());
        const int paused = loss->pointCount(ui::TrainPage::kTrainLoss);
        QTest::qWait(1000);
        QCOMPARE(loss->pointCount(ui::TrainPage::kTrainLoss), paused);
        QVERIFY(page.grab().save(test::artifactsDir() + "/train_page.png"));

        // Resume: points again.
        QTest::mouseClick(resumeB, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(loss->pointCount(ui::TrainPage::kTrainLoss) > paused + 2, 30000);

        // The real question: a modal box with the three choices, answered from the keyboard. Escape cancels
        // (the window stays, the run goes on); Return takes the default, keep training in the background.
        page.setClosePolicy(ui::TrainPage::ClosePolicy::Ask);
        QStringList buttons;
        QString question;
        answerModal(Qt::Key_Escape, &question, &buttons);
        QVERIFY(!page.confirmClose());
        QVERIFY2(question.contains("still going"), qPrintable(question));
        QVERIFY2(buttons.contains("Stop with checkpoint") &&
                     buttons.contains("Keep training in the background") && buttons.contains("Cancel"),
                 qPrintable(buttons.join('|')));
        QVERIFY(service.isRunning());
        answerModal(Qt::Key_Return, &question, &buttons);
        QVERIFY(page.confirmClose());
        QVERIFY(service.isRunning() && !service.isPaused());

        // The same answers by policy; Cancel keeps the window, Stop stops with a checkpoint.
        page.setClosePolicy(ui::TrainPage::ClosePolicy::Cancel);
        QVERIFY(!page.confirmClose());
        QVERIFY(service.isRunning());
        page.setClosePolicy(ui::TrainPage::ClosePolicy::StopWithCheckpoint);
        QVERIFY(page.confirmClose());
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 60000);
        QCOMPARE(page.lastStatus(), QStringLiteral("stopped"));
        QVERIFY2(page.statusText().contains("Checkpoint"), qPrintable(page.statusText()));
        QVERIFY(start->isEnabled() && !stopB->isEnabled());
        QVERIFY(page.confirmClose()); // nothing running: closes without asking
    }

    void finishesShortRun() {
        HONE_REQUIRE_PATH(model_);
        Settings settings(paths_);
        TrainingService service(paths_);
        ui::TrainPage page(&settings, &service);
        TrainOptions o = baseOptions(40);
        o.evalSplit = 0.1;
        o.evalEvery = 10;
        page.form()->setOptions(o);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QSignalSpy finished(&page, &ui::TrainPage::runFinished);
        // Ctrl+Return starts.
        QTest::keyClick(&page, Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(service.isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 120000);
        QVERIFY2(page.lastStatus() == QStringLiteral("finished"), qPrintable(page.statusText()));
        QCOMPARE(page.lossChart()->pointCount(ui::TrainPage::kTrainLoss), 40);
        QCOMPARE(page.lossChart()->pointCount(ui::TrainPage::kTrainLoss + 1), 40); // the smoothed companion
        // Validation every 10 steps (and at the end, which is step 40 again).
        QVERIFY(page.lossChart()->pointCount(ui::TrainPage::kEvalLoss) >= 4);
        QCOMPARE(page.findChild<QProgressBar*>("trainProgress")->value(), 40);
        QVERIFY(page.findChild<QLabel*>("progressLabel")->text().contains("40 / 40"));
    }

    void reattachesToBackgroundRun() {
        HONE_REQUIRE_PATH(model_);
        Settings settings(paths_);
        auto service = std::make_unique<TrainingService>(paths_);
        {
            ui::TrainPage page(&settings, service.get());
            page.form()->setOptions(baseOptions(100000));
            page.start();
            QTRY_VERIFY_WITH_TIMEOUT(page.lossChart()->pointCount(ui::TrainPage::kTrainLoss) >= 2, 60000);
            page.setClosePolicy(ui::TrainPage::ClosePolicy::KeepInBackground);
            QVERIFY(page.confirmClose());
        }
        const qint64 pid = service->processId();
        QVERIFY(pid > 0);
        service.reset(); // the window is gone; the worker trains on
        TrainingService fresh(paths_);
        ui::TrainPage reopened(&settings, &fresh);
        QVERIFY2(reopened.attachedRunId() > 0, qPrintable(reopened.statusText()));
        QVERIFY(!reopened.findChild<QPushButton*>("startButton")->isEnabled());
        const int n = reopened.lossChart()->pointCount(ui::TrainPage::kTrainLoss);
        QTRY_VERIFY_WITH_TIMEOUT(reopened.lossChart()->pointCount(ui::TrainPage::kTrainLoss) > n, 30000);
        // Stop signals the background worker, which saves a checkpoint and records the run as stopped.
        auto* stopB = reopened.findChild<QPushButton*>("stopButton");
        QVERIFY(stopB->isEnabled());
        QTest::mouseClick(stopB, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(reopened.attachedRunId() == 0, 60000);
        QCOMPARE(reopened.lastStatus(), QStringLiteral("stopped"));
        QVERIFY(!RunStore::processAlive(pid) ||
                QTest::qWaitFor([&] { return !RunStore::processAlive(pid); }, 10000));
    }
};

QTEST_MAIN(TestTrainPage)
#include "tst_train_page.moc"
