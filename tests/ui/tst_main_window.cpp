// The main window opens on the System page, which fills in from a real doctor run (CPU device, BLAS, checks);
// the Settings page validates and saves; the German translation loads; screenshots go to the artifacts
// folder.
#include "common/test_support.h"
#include "services/settings.h"
#include "services/system_service.h"
#include "ui/main_window.h"
#include "ui/settings_page.h"
#include "ui/system_page.h"
#include "ui/translation.h"

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableWidget>

using namespace hone;

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(home_.isValid() && config_.isValid());
        qputenv("HONE_HOME", home_.path().toLocal8Bit());
        qputenv("XDG_CONFIG_HOME", config_.path().toLocal8Bit());
    }

    void systemPageShowsThisMachine() {
        const AppPaths paths = resolveAppPaths();
        Settings settings(paths);
        SystemService system(paths);
        ui::MainWindow window(&settings, &system);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        ui::SystemPage* page = window.systemPage();
        QTRY_VERIFY_WITH_TIMEOUT(page->deviceRows() > 0, 60000);
        auto* devices = page->findChild<QTableWidget*>("devicesTable");
        QCOMPARE(devices->item(0, 0)->text(), QStringLiteral("cpu"));
        QVERIFY(!devices->item(0, 1)->text().isEmpty());
        const QString blas = page->findChild<QLabel*>("blasLabel")->text();
        QVERIFY2(!blas.isEmpty() && blas != "none", qPrintable(blas));
        if (test::isCi()) QCOMPARE(blas, QStringLiteral("OpenBLAS (OpenMP)"));
        QCOMPARE(page->findChild<QLabel*>("dataFolderLabel")->text(), home_.path());
        QVERIFY(page->checkRows() >= 6);
        auto* checks = page->findChild<QTableWidget*>("checksTable");
        QStringList names;
        for (int r = 0; r < checks->rowCount(); ++r) names << checks->item(r, 1)->text();
        QVERIFY(names.contains("gpu") && names.contains("blas") && names.contains("disk"));
        const QString shot = test::artifactsDir() + "/system_page.png";
        QVERIFY(window.grab().save(shot));
        QVERIFY(QFileInfo(shot).size() > 10000);

        window.showPage(1);
        QVERIFY(window.grab().save(test::artifactsDir() + "/settings_page.png"));
        window.close();
        // The last page is remembered for the next start.
        ui::MainWindow reopened(&settings, &system);
        QCOMPARE(reopened.findChild<QStackedWidget*>()->currentIndex(), 1);
    }

    void settingsPageValidatesAndSaves() {
        const AppPaths paths = resolveAppPaths();
        Settings settings(paths);
        ui::SettingsPage page(&settings);
        auto* device = page.findChild<QComboBox*>("deviceCombo");
        auto* status = page.findChild<QLabel*>("settingsStatus");
        device->setCurrentText("quantum:0");
        QVERIFY(!page.save());
        QVERIFY(status->text().contains("quantum:0"));
        QCOMPARE(Settings(paths).defaultDevice(), QStringLiteral("auto"));
        device->setCurrentText("cpu");
        page.findChild<QComboBox*>("languageCombo")->setCurrentIndex(2);
        QTest::mouseClick(page.findChild<QPushButton*>("saveSettings"), Qt::LeftButton);
        QCOMPARE(Settings(paths).defaultDevice(), QStringLiteral("cpu"));
        QCOMPARE(Settings(paths).language(), QStringLiteral("de"));
    }

    void germanTranslationLoads() {
        QCOMPARE(ui::installTranslation(*qApp, "de"), QStringLiteral("de"));
        const AppPaths paths = resolveAppPaths();
        Settings settings(paths);
        ui::SettingsPage page(&settings);
        QStringList texts;
        for (auto* l : page.findChildren<QLabel*>()) texts << l->text();
        QVERIFY2(texts.contains("&Datenordner:"), qPrintable(texts.join(" | ")));
        SystemService system(paths);
        ui::MainWindow window(&settings, &system);
        window.showPage(0);
        QTRY_VERIFY_WITH_TIMEOUT(window.systemPage()->deviceRows() > 0, 60000);
        QVERIFY(window.grab().save(test::artifactsDir() + "/system_page_de.png"));
        QCOMPARE(ui::installTranslation(*qApp, "xx"), QString());
    }

private:
    QTemporaryDir home_, config_;
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
