// The Export page against the real `hone export` worker: a short stories260K run trained with `hone train`,
// exported as a PEFT adapter and a merged model from the page; the files appear, the post-export check is
// listed and passes; the form refuses what cannot work (no format, quantisations without GGUF, a file as the
// output folder) and a worker failure is shown next to the form. A screenshot is written as a test artifact.
#include "common/test_support.h"
#include "services/settings.h"
#include "store/store.h"
#include "system/app_paths.h"
#include "ui/export_page.h"

#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>

using namespace hone;

class TestExportPage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(home_.isValid() && out_.isValid());
        HONE_REQUIRE_PATH(test::fixture("models/stories260K/config.json"));
        const QString hone = qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone";
        QVERIFY2(QFileInfo(hone).isExecutable(), qPrintable(hone));
        qputenv("HONE_CLI", hone.toLocal8Bit());
        qputenv("HONE_HOME", home_.path().toLocal8Bit());
        QProcess train;
        train.start(hone, {"train", "--model", test::fixture("models/stories260K"), "--data",
                           test::sourceDir() + "/tests/data/train/stories_alpaca.jsonl", "--template",
                           "alpaca", "--max-steps", "4", "--batch-size", "4", "--threads", "1",
                           "--save-every", "2", "--json-progress"});
        QVERIFY(train.waitForFinished(180000));
        QVERIFY2(train.exitCode() == 0, train.readAllStandardError().constData());
        for (const QByteArray& line : train.readAllStandardOutput().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.value("event").toString() == QLatin1String("done")) runId_ = o.value("run_id").toInteger();
        }
        QVERIFY(runId_ > 0);
    }

    void formRefusesWhatCannotWork() {
        const AppPaths paths = resolveAppPaths();
        Settings settings(paths);
        Store store(QString::fromStdString(paths.database));
        store.open();
        ui::ExportPage page(&settings, &store);
        QVERIFY(page.selectRun(runId_));
        auto* exportB = page.findChild<QPushButton*>("exportButton");
        auto* validation = page.findChild<QLabel*>("exportValidation");
        auto* out = page.findChild<QLineEdit*>("exportOutEdit");
        out->setText(out_.filePath("refused"));
        page.findChild<QCheckBox*>("formatPeft")->setChecked(false);
        QVERIFY(!exportB->isEnabled());
        QVERIFY2(validation->text().contains("at least one format"), qPrintable(validation->text()));
        page.findChild<QCheckBox*>("formatMerged")->setChecked(true);
        page.findChild<QCheckBox*>("quant_q8_0")->setChecked(true);
        QVERIFY(!exportB->isEnabled());
        QVERIFY2(validation->text().contains("GGUF"), qPrintable(validation->text()));
        page.findChild<QCheckBox*>("quant_q8_0")->setChecked(false);
        QVERIFY(exportB->isEnabled());
        QFile file(out_.filePath("a-file"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        out->setText(file.fileName());
        QVERIFY(!exportB->isEnabled());
        QVERIFY2(validation->text().contains("is a file"), qPrintable(validation->text()));
        QVERIFY(!page.startExport());

        // A base model that is not there: the worker's error is shown, nothing is reported as exported.
        out->setText(out_.filePath("nomodel"));
        page.findChild<QLineEdit*>("exportModelEdit")->setText(out_.filePath("no-such-model"));
        QSignalSpy done(&page, &ui::ExportPage::exportFinished);
        QVERIFY(page.startExport());
        QVERIFY(done.wait(120000));
        QCOMPARE(done[0][0].toBool(), false);
        QVERIFY2(page.statusText().contains("no-such-model"), qPrintable(page.statusText()));
        QVERIFY(page.findChild<QListWidget*>("exportFiles")->count() == 0);
    }

    void exportsAndShowsTheCheck() {
        const AppPaths paths = resolveAppPaths();
        Settings settings(paths);
        Store store(QString::fromStdString(paths.database));
        store.open();
        ui::ExportPage page(&settings, &store);
        page.resize(1300, 850);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.selectRun(runId_));
        page.findChild<QCheckBox*>("formatPeft")->setChecked(true);
        page.findChild<QCheckBox*>("formatMerged")->setChecked(true);
        page.findChild<QCheckBox*>("formatGgufLora")->setChecked(true);
        const QString dir = out_.filePath("export");
        page.findChild<QLineEdit*>("exportOutEdit")->setText(dir);
        QSignalSpy done(&page, &ui::ExportPage::exportFinished);
        QTest::mouseClick(page.findChild<QPushButton*>("exportButton"), Qt::LeftButton);
        QVERIFY(done.wait(300000));
        QVERIFY2(done[0][0].toBool(), qPrintable(page.statusText()));
        const QJsonObject report = page.lastReport();
        QVERIFY(!report.value("files").toArray().isEmpty());
        auto* files = page.findChild<QListWidget*>("exportFiles");
        QCOMPARE(files->count(), report.value("files").toArray().size());
        for (int i = 0; i < files->count(); ++i) {
            QString f = files->item(i)->text();
            if (QFileInfo(f).isRelative()) f = dir + "/" + f;
            QVERIFY2(QFileInfo::exists(f), qPrintable(f));
        }
        auto* checks = page.findChild<QTableWidget*>("exportChecks");
        QVERIFY(checks->rowCount() > 0);
        for (int r = 0; r < checks->rowCount(); ++r)
            QVERIFY2(checks->item(r, 3)->text() != QStringLiteral("FAILED"),
                     qPrintable(checks->item(r, 0)->text() + " " + checks->item(r, 1)->text()));
        QVERIFY2(page.statusText().contains("every check passed"), qPrintable(page.statusText()));
        QVERIFY(QFileInfo::exists(dir + "/adapter-f16.gguf"));
        bool loraChecked = false;
        for (int r = 0; r < checks->rowCount(); ++r) loraChecked |= checks->item(r, 0)->text() == "gguf-lora";
        QVERIFY(loraChecked);
        QVERIFY(page.findChild<QPushButton*>("exportOpenFolder")->isEnabled());
        QVERIFY(page.grab().save(test::artifactsDir() + "/export_page.png"));
        // The next start offers the same output folder.
        ui::ExportPage again(&settings, &store);
        QCOMPARE(again.findChild<QLineEdit*>("exportOutEdit")->text(), dir);
    }

private:
    QTemporaryDir home_, out_;
    qint64 runId_ = 0;
};

QTEST_MAIN(TestExportPage)
#include "tst_export_page.moc"
