// Keyboard navigation of hone-studio's main window: on every page, Tab from the sidebar visits every visible,
// enabled control of the page exactly once, in reading order (pane by pane, top to bottom, left to right),
// without getting stuck in a table or text view, and comes back to the sidebar; Shift+Tab walks the same way
// backwards; Ctrl+1..9 switch pages. The window's layout (geometry, page, splitters) comes back on restart.
#include "common/test_support.h"
#include "services/settings.h"
#include "services/system_service.h"
#include "services/training_service.h"
#include "store/store.h"
#include "system/app_paths.h"
#include "ui/data_page.h"
#include "ui/main_window.h"
#include "ui/tab_order.h"

#include <QApplication>
#include <QLabel>
#include <QListWidget>
#include <QSplitter>
#include <QStackedWidget>
#include <QTemporaryDir>

#include <memory>

using namespace hone;

namespace {

QString describe(const QWidget* w) {
    if (!w) return QStringLiteral("(none)");
    const QString name = w->objectName().isEmpty() ? QStringLiteral("?") : w->objectName();
    return QStringLiteral("%1 '%2'").arg(QString::fromLatin1(w->metaObject()->className()), name);
}

// The widget that has focus, or the one it delegates to.
QWidget* focused() {
    return QApplication::focusWidget();
}

// The studio's services and main window as hone-studio builds them, on the test's data folder.
struct Studio {
    AppPaths paths = resolveAppPaths();
    Settings settings{paths};
    SystemService system{paths};
    Store store{QString::fromStdString(paths.database)};
    TrainingService training{paths};
    std::unique_ptr<ui::MainWindow> window;
    Studio() {
        store.open();
        window = std::make_unique<ui::MainWindow>(&settings, &system, &store, &training);
    }
};

} // namespace

class TestKeyboard : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(home_.isValid() && config_.isValid());
        qputenv("HONE_HOME", home_.path().toLocal8Bit());
        qputenv("XDG_CONFIG_HOME", config_.path().toLocal8Bit());
        qputenv("HF_HUB_CACHE", home_.filePath("hf-cache").toLocal8Bit());
    }

    void tabVisitsEveryControlInReadingOrder() {
        Studio studio;
        ui::MainWindow& window = *studio.window;
        window.resize(1400, 950);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QApplication::setActiveWindow(&window);
        auto* sidebar = window.findChild<QListWidget*>("sidebar");
        auto* stack = window.findChild<QStackedWidget*>();
        QVERIFY(sidebar && stack);
        QCOMPARE(stack->count(), 9);

        for (int page = 0; page < stack->count(); ++page) {
            // Ctrl+N switches pages from the keyboard.
            QTest::keyClick(&window, Qt::Key(Qt::Key_1 + page), Qt::ControlModifier);
            QTRY_COMPARE(stack->currentIndex(), page);
            QWidget* current = stack->currentWidget();
            QList<QWidget*> expected;
            for (QWidget* w : ui::readingOrder(current))
                if (w->isVisibleTo(&window) && w->isEnabled()) expected << w;
            QVERIFY2(!expected.isEmpty(), qPrintable(sidebar->item(page)->text()));

            sidebar->setFocus(Qt::TabFocusReason);
            QTRY_COMPARE(focused(), static_cast<QWidget*>(sidebar));
            QList<QWidget*> visited;
            for (int i = 0; i < 300; ++i) {
                QTest::keyClick(focused(), Qt::Key_Tab);
                QWidget* f = focused();
                if (f == sidebar || !f) break;
                QVERIFY2(!visited.contains(f),
                         qPrintable(QStringLiteral("page %1: Tab came back to %2 before "
                                                   "the sidebar (a loop)")
                                        .arg(sidebar->item(page)->text(), describe(f))));
                visited << f;
            }
            // On a mismatch, show where the two orders part.
            qsizetype at = 0;
            while (at < visited.size() && at < expected.size() && visited[at] == expected[at]) ++at;
            QStringList got, want;
            for (qsizetype i = std::max<qsizetype>(0, at - 1); i < at + 3; ++i) {
                if (i < visited.size()) got << describe(visited[i]);
                if (i < expected.size()) want << describe(expected[i]);
            }
            QVERIFY2(visited == expected,
                     qPrintable(QStringLiteral("page %1, Tab stop %2 of %3 (expected %4)\n got: %5\nwant: %6")
                                    .arg(sidebar->item(page)->text())
                                    .arg(at)
                                    .arg(visited.size())
                                    .arg(expected.size())
                                    .arg(got.join(", "), want.join(", "))));
            QCOMPARE(focused(), static_cast<QWidget*>(sidebar));
            // Spot checks written by hand from the pages' layouts.
            const auto stop = [&](const char* name) {
                for (qsizetype i = 0; i < visited.size(); ++i)
                    if (visited[i]->objectName() == QLatin1String(name)) return i;
                return qsizetype(-1);
            };
            if (sidebar->item(page)->text() == QStringLiteral("Train")) {
                QCOMPARE(stop("modelEdit"), 0);
                QVERIFY(stop("modelEdit") < stop("dataEdit") && stop("dataEdit") < stop("rankSpin") &&
                        stop("rankSpin") < stop("lrEdit") && stop("lrEdit") < stop("batchSpin"));
            }
            if (sidebar->item(page)->text() == QStringLiteral("Runs")) {
                QCOMPARE(stop("runsFilter"), 0);
                QVERIFY(stop("runsStatusFilter") == 1 && stop("runsTable") > stop("deleteRun"));
            }

            // Shift+Tab walks back through the same controls.
            QList<QWidget*> back;
            for (int i = 0; i < expected.size(); ++i) {
                QTest::keyClick(focused(), Qt::Key_Backtab, Qt::ShiftModifier);
                back.prepend(focused());
            }
            QVERIFY2(back == expected, qPrintable(sidebar->item(page)->text()));
        }
    }

    // A label's mnemonic (Alt+letter) works only with a buddy; without one QLabel shows the '&' itself.
    void everyMnemonicLabelHasABuddy() {
        Studio studio;
        ui::MainWindow& window = *studio.window;
        int checked = 0;
        for (const QLabel* label : window.findChildren<QLabel*>()) {
            QString text = label->text();
            text.replace(QStringLiteral("&&"), QString());
            if (label->textFormat() == Qt::RichText || Qt::mightBeRichText(text) || !text.contains('&'))
                continue;
            ++checked;
            QVERIFY2(label->buddy(), qPrintable(QStringLiteral("label '%1' (%2) has a mnemonic but no buddy")
                                                    .arg(label->text(), describe(label->parentWidget()))));
        }
        QVERIFY(checked >= 10); // the pages' form labels were seen
    }

    // The window's layout comes back on the next start: geometry, current page and every splitter's sizes.
    void layoutRestoredOnRestart() {
        const AppPaths paths = resolveAppPaths();
        Store store(QString::fromStdString(paths.database));
        store.open();
        QList<int> sizes;
        {
            Settings settings(paths);
            SystemService system(paths);
            TrainingService training(paths);
            ui::MainWindow window(&settings, &system, &store, &training);
            window.resize(1300, 900);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.showPage(1);
            auto* splitter = window.dataPage()->findChild<QSplitter*>();
            QVERIFY(splitter && splitter->count() == 2);
            splitter->setSizes({150, 600});
            sizes = splitter->sizes();
            QVERIFY(window.close());
        }
        Settings settings(paths);
        SystemService system(paths);
        TrainingService training(paths);
        ui::MainWindow window(&settings, &system, &store, &training);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.findChild<QStackedWidget*>()->currentIndex(), 1);
        QCOMPARE(window.size(), QSize(1300, 900));
        QCOMPARE(window.dataPage()->findChild<QSplitter*>()->sizes(), sizes);
    }

private:
    QTemporaryDir home_, config_;
};

QTEST_MAIN(TestKeyboard)
#include "tst_keyboard.moc"
