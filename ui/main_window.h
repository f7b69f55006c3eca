// The main window: a sidebar of pages (Models, Data, Train, Runs when the store and the training service are
// given; System, Settings; later Chat, Export) and a stack showing the selected one. Models -> Data -> Train
// hand their choices on; closing while a run trains asks whether to stop it or keep it going. Restores its
// geometry and last page.
#pragma once

#include <QList>
#include <QMainWindow>
#include <QString>
#include <utility>

class QListWidget;
class QSplitter;
class QStackedWidget;

namespace hone {
class Settings;
class Store;
class SystemService;
class TrainingService;
} // namespace hone

namespace hone::ui {

class SystemPage;
class SettingsPage;
class ModelsPage;
class DataPage;
class TrainPage;
class RunsPage;
class ExportPage;
class ChatPage;
class ArenaPage;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // Without a store and a training service (tests of the basic window) only System and Settings exist.
    MainWindow(Settings* settings, SystemService* system, Store* store = nullptr,
               TrainingService* training = nullptr, QWidget* parent = nullptr);

    SystemPage* systemPage() const { return systemPage_; }
    SettingsPage* settingsPage() const { return settingsPage_; }
    ModelsPage* modelsPage() const { return modelsPage_; }
    DataPage* dataPage() const { return dataPage_; }
    TrainPage* trainPage() const { return trainPage_; }
    RunsPage* runsPage() const { return runsPage_; }
    ExportPage* exportPage() const { return exportPage_; }
    ChatPage* chatPage() const { return chatPage_; }
    ArenaPage* arenaPage() const { return arenaPage_; }
    int pageIndex(QWidget* page) const;
    void showPage(int index);

protected:
    void closeEvent(QCloseEvent* event) override;
    bool focusNextPrevChild(bool next) override;

private:
    void addPage(const QString& title, QWidget* page);
    QList<std::pair<QString, QSplitter*>> splitters() const; // settings key -> splitter, for every page
    void saveSplitters();
    void restoreSplitters();

    Settings* settings_;
    QListWidget* sidebar_;
    QStackedWidget* stack_;
    SystemPage* systemPage_;
    SettingsPage* settingsPage_;
    ModelsPage* modelsPage_ = nullptr;
    DataPage* dataPage_ = nullptr;
    TrainPage* trainPage_ = nullptr;
    RunsPage* runsPage_ = nullptr;
    ExportPage* exportPage_ = nullptr;
    ChatPage* chatPage_ = nullptr;
    ArenaPage* arenaPage_ = nullptr;
};

} // namespace hone::ui
