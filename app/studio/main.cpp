// main() of hone-studio: resolves the data folder, loads settings, theme and translation, opens the store
// (with a clear choice when it cannot), and shows the main window.
#include "services/settings.h"
#include "services/system_service.h"
#include "services/training_service.h"
#include "store/store.h"
#include "system/app_paths.h"
#include "ui/main_window.h"
#include "ui/system_page.h"
#include "ui/theme.h"
#include "ui/translation.h"

#include "common/error.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>

namespace {

// Opens the store; on failure explains and offers to keep the old file aside and start a new one.
bool openStore(hone::Store& store) {
    for (;;) {
        try {
            store.open();
            return true;
        } catch (const hone::Error& e) {
            QMessageBox box(QMessageBox::Critical, QObject::tr("Hone cannot open its database"),
                            QString::fromStdString(e.what()));
            QPushButton* aside =
                box.addButton(QObject::tr("Keep the old file aside and start a new database"),
                              QMessageBox::DestructiveRole);
            box.addButton(QObject::tr("Quit"), QMessageBox::RejectRole);
            box.exec();
            if (box.clickedButton() != aside) return false;
            try {
                const QString kept = hone::Store::moveAside(store.path());
                QMessageBox::information(nullptr, QObject::tr("Database moved aside"),
                                         QObject::tr("The old database was kept as %1.").arg(kept));
            } catch (const hone::Error& moveError) {
                QMessageBox::critical(nullptr, QObject::tr("Hone"), QString::fromStdString(moveError.what()));
                return false;
            }
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Hone"));
    QApplication::setApplicationVersion(QStringLiteral(HONE_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/hone.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Hone: fine-tune and chat with open LLMs"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption home(QStringLiteral("home"), QStringLiteral("Data folder (overrides HONE_HOME)."),
                            QStringLiteral("DIR"));
    parser.addOption(home);
    QCommandLineOption smoke(
        QStringLiteral("smoke-test"),
        QStringLiteral("Start, wait for the System page, save a screenshot to FILE and quit "
                       "(used to check an installed package)."),
        QStringLiteral("FILE"));
    parser.addOption(smoke);
    parser.process(app);
    if (parser.isSet(home)) qputenv("HONE_HOME", parser.value(home).toLocal8Bit());

    const hone::AppPaths paths = hone::resolveAppPaths();
    hone::Settings settings(paths);
    hone::ui::applyTheme(app, settings.theme());
    hone::ui::installTranslation(app, settings.language());

    hone::Store store(QString::fromStdString(paths.database));
    if (!openStore(store)) return 1;
    try {
        store.audit(QStringLiteral("studio"), QStringLiteral("start"), QStringLiteral(HONE_VERSION));
    } catch (const hone::Error&) {
        // An audit line is not worth refusing to start; the store itself opened fine.
    }

    hone::SystemService system(paths);
    // Training runs in `hone train` worker processes (next to this binary) that outlive the window.
    hone::TrainingService training(paths);
    hone::ui::MainWindow window(&settings, &system, &store, &training);
    window.show();
    if (parser.isSet(smoke)) {
        const QString shot = parser.value(smoke);
        QObject::connect(window.systemPage(), &hone::ui::SystemPage::updated, &app,
                         [&window, shot] { QApplication::exit(window.grab().save(shot) ? 0 : 1); });
        QTimer::singleShot(90000, &app, [] { QApplication::exit(1); });
    }
    return app.exec();
}
