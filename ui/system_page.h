// The System page: LibTorch version and build, compute devices, BLAS, data folder and database, and every
// doctor check with its fix. Refreshes in the background (SystemService) and live every few seconds.
#pragma once

#include "services/system_service.h"

#include <QWidget>

class QLabel;
class QTableWidget;
class QPlainTextEdit;
class QPushButton;
class QTimer;

namespace hone::ui {

class SystemPage : public QWidget {
    Q_OBJECT
public:
    explicit SystemPage(SystemService* service, QWidget* parent = nullptr);

    // Rows currently shown (tests and screenshots wait for these).
    int deviceRows() const;
    int checkRows() const;
    void refresh();

Q_SIGNALS:
    void updated();

private:
    void show(const hone::SystemSnapshot& snap);

    SystemService* service_;
    QLabel* torch_;
    QLabel* blas_;
    QLabel* dataFolder_;
    QLabel* database_;
    QLabel* verdict_;
    QTableWidget* devices_;
    QTableWidget* checks_;
    QPlainTextEdit* config_;
    QPushButton* refreshButton_;
    QTimer* timer_;
};

} // namespace hone::ui
