// Implementation of the main window.
#include "ui/main_window.h"

#include "services/settings.h"
#include "ui/settings_page.h"
#include "ui/system_page.h"

#include <QAction>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QListWidget>
#include <QStackedWidget>
#include <QStatusBar>

namespace hone::ui {

MainWindow::MainWindow(Settings* settings, SystemService* system, QWidget* parent)
    : QMainWindow(parent)
    , settings_(settings) {
    setWindowTitle(tr("Hone"));
    auto* central = new QWidget;
    auto* layout = new QHBoxLayout(central);
    sidebar_ = new QListWidget;
    sidebar_->setObjectName(QStringLiteral("sidebar"));
    sidebar_->setFixedWidth(170);
    stack_ = new QStackedWidget;
    layout->addWidget(sidebar_);
    layout->addWidget(stack_, 1);
    setCentralWidget(central);

    systemPage_ = new SystemPage(system);
    settingsPage_ = new SettingsPage(settings);
    addPage(tr("System"), systemPage_);
    addPage(tr("Settings"), settingsPage_);
    connect(sidebar_, &QListWidget::currentRowChanged, stack_, &QStackedWidget::setCurrentIndex);
    connect(settingsPage_, &SettingsPage::saved, this,
            [this] { statusBar()->showMessage(tr("Settings saved"), 4000); });

    auto* quit = new QAction(tr("&Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    addAction(quit);

    resize(1100, 760);
    restoreGeometry(settings_->value(QStringLiteral("ui/geometry")).toByteArray());
    showPage(settings_->value(QStringLiteral("ui/page"), 0).toInt());
    statusBar()->showMessage(tr("Data folder: %1").arg(settings_->dataFolder()));
    systemPage_->refresh();
}

void MainWindow::addPage(const QString& title, QWidget* page) {
    const int index = stack_->addWidget(page);
    sidebar_->addItem(title);
    if (index < 9) {
        auto* action = new QAction(this);
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + index)));
        connect(action, &QAction::triggered, this, [this, index] { showPage(index); });
        addAction(action);
    }
}

void MainWindow::showPage(int index) {
    if (index < 0 || index >= stack_->count()) index = 0;
    sidebar_->setCurrentRow(index);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    settings_->setValue(QStringLiteral("ui/geometry"), saveGeometry());
    settings_->setValue(QStringLiteral("ui/page"), stack_->currentIndex());
    try {
        settings_->sync();
    } catch (...) {
        // Losing the window position is not worth blocking the close.
    }
    event->accept();
}

} // namespace hone::ui
