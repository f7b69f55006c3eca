// The main window: a sidebar of pages (System, Settings; later Models, Data, Train, Runs, Chat, Export) and a
// stack showing the selected one. Restores its geometry and last page.
#pragma once

#include <QMainWindow>

class QListWidget;
class QStackedWidget;

namespace hone {
class Settings;
class SystemService;
} // namespace hone

namespace hone::ui {

class SystemPage;
class SettingsPage;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(Settings* settings, SystemService* system, QWidget* parent = nullptr);

    SystemPage* systemPage() const { return systemPage_; }
    SettingsPage* settingsPage() const { return settingsPage_; }
    void showPage(int index);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void addPage(const QString& title, QWidget* page);

    Settings* settings_;
    QListWidget* sidebar_;
    QStackedWidget* stack_;
    SystemPage* systemPage_;
    SettingsPage* settingsPage_;
};

} // namespace hone::ui
