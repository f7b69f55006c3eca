// The Settings page: data folder, default device and dtype, language and theme. Saved to QSettings; the
// data folder and language apply on the next start (the page says so).
#pragma once

#include "services/settings.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;

namespace hone::ui {

class SettingsPage : public QWidget {
    Q_OBJECT
public:
    SettingsPage(Settings* settings, QWidget* parent = nullptr);

    // Validates and stores the form; returns false (and shows why next to the form) on a bad value.
    bool save();
    void load();

Q_SIGNALS:
    void saved();

private:
    Settings* settings_;
    QLineEdit* dataFolder_;
    QComboBox* device_;
    QComboBox* dtype_;
    QComboBox* language_;
    QComboBox* theme_;
    QLabel* status_;
};

} // namespace hone::ui
