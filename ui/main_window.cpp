// Implementation of the main window.
#include "ui/main_window.h"

#include "services/settings.h"
#include "services/system_service.h"
#include "ui/arena_page.h"
#include "ui/chat_page.h"
#include "ui/data_page.h"
#include "ui/export_page.h"
#include "ui/models_page.h"
#include "ui/runs_page.h"
#include "ui/settings_page.h"
#include "ui/system_page.h"
#include "ui/tab_order.h"
#include "ui/train_form.h"
#include "ui/train_page.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QListWidget>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>

namespace hone::ui {

MainWindow::MainWindow(Settings* settings, SystemService* system, Store* store, TrainingService* training,
                       QWidget* parent)
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

    if (store && training) {
        modelsPage_ = new ModelsPage(settings);
        dataPage_ = new DataPage(settings);
        trainPage_ = new TrainPage(settings, training);
        runsPage_ = new RunsPage(store, training);
        runsPage_->rememberChoicesIn(settings);
        addPage(tr("Models"), modelsPage_);
        addPage(tr("Data"), dataPage_);
        addPage(tr("Train"), trainPage_);
        addPage(tr("Runs"), runsPage_);
        chatPage_ = new ChatPage(settings, store);
        addPage(tr("Chat"), chatPage_);
        arenaPage_ = new ArenaPage(settings, store);
        addPage(tr("Arena"), arenaPage_);
        exportPage_ = new ExportPage(settings, store);
        addPage(tr("Export"), exportPage_);
        // The flow: a chosen model goes to Data and Train, a chosen dataset to Train.
        connect(modelsPage_, &ModelsPage::modelChosen, this, [this](const QString& path) {
            dataPage_->setModel(path);
            trainPage_->form()->setModel(path);
            chatPage_->setModel(path);
            arenaPage_->setModel(path);
            showPage(pageIndex(dataPage_));
            statusBar()->showMessage(tr("Model: %1").arg(path), 6000);
        });
        connect(dataPage_, &DataPage::datasetChosen, this,
                [this](const QString& path, const QString& format, const QString& templateName) {
                    trainPage_->form()->setDataset(path, format, templateName);
                    showPage(pageIndex(trainPage_));
                });
        connect(trainPage_, &TrainPage::runFinished, runsPage_, &RunsPage::refresh);
        // The estimates compare with the GPU's memory once the System page's probe has listed the devices.
        if (system)
            connect(system, &SystemService::snapshotReady, modelsPage_,
                    [this](const SystemSnapshot& snapshot) {
                        modelsPage_->setDevices(snapshot.report.value(QStringLiteral("devices")).toArray());
                    });
    }
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
    restoreSplitters();
    showPage(settings_->value(QStringLiteral("ui/page"), 0).toInt());
    statusBar()->showMessage(tr("Data folder: %1").arg(settings_->dataFolder()));
    systemPage_->refresh();
    // A run that kept training after the last window closed: follow it again.
    if (trainPage_) trainPage_->attachToBackgroundRun();
}

int MainWindow::pageIndex(QWidget* page) const {
    return stack_->indexOf(page);
}

void MainWindow::addPage(const QString& title, QWidget* page) {
    const int index = stack_->addWidget(page);
    prepareKeyboardNavigation(page);
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

// Splitters have no names; a page's splitters are found in creation order, which is fixed by the code, so
// "page title / n" identifies each one across restarts.
QList<std::pair<QString, QSplitter*>> MainWindow::splitters() const {
    QList<std::pair<QString, QSplitter*>> out;
    for (int i = 0; i < stack_->count(); ++i) {
        const QList<QSplitter*> found = stack_->widget(i)->findChildren<QSplitter*>();
        for (qsizetype n = 0; n < found.size(); ++n)
            out.push_back({QStringLiteral("ui/splitters/%1/%2")
                               .arg(stack_->widget(i)->metaObject()->className())
                               .arg(n),
                           found[n]});
    }
    return out;
}

void MainWindow::saveSplitters() {
    for (const auto& [key, splitter] : splitters()) settings_->setValue(key, splitter->saveState());
}

void MainWindow::restoreSplitters() {
    for (const auto& [key, splitter] : splitters()) {
        const QByteArray state = settings_->value(key).toByteArray();
        if (!state.isEmpty()) splitter->restoreState(state);
    }
}

bool MainWindow::focusNextPrevChild(bool next) {
    // Tab walks the sidebar and then the current page in reading order.
    QWidget* target =
        nextInReadingOrder({sidebar_}, stack_->currentWidget(), QApplication::focusWidget(), next);
    if (!target) return QMainWindow::focusNextPrevChild(next);
    target->setFocus(next ? Qt::TabFocusReason : Qt::BacktabFocusReason);
    return true;
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (trainPage_ && !trainPage_->confirmClose()) {
        event->ignore();
        return;
    }
    settings_->setValue(QStringLiteral("ui/geometry"), saveGeometry());
    saveSplitters();
    settings_->setValue(QStringLiteral("ui/page"), stack_->currentIndex());
    try {
        settings_->sync();
    } catch (...) {
        // Losing the window position is not worth blocking the close.
    }
    event->accept();
}

} // namespace hone::ui
