// The Runs page: every run of the store (including the ones started from the `hone` CLI) in a sortable,
// filterable table; the loss curves of the selected runs overlaid in one chart; the current run's config,
// metrics, checkpoints and recorded events; resume a stopped or failed run from its last checkpoint; delete
// a run with its folder (only a folder that is certainly that run's). Refreshes every 2 s while visible.
#pragma once

#include <QList>
#include <QString>
#include <QWidget>
#include <functional>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableView;
class QTableWidget;
class QTimer;

namespace hone {
class Settings;
class Store;
class TrainingService;
} // namespace hone

namespace hone::ui {

class RunsModel;
class RunsFilterModel;

class RunsPage : public QWidget {
    Q_OBJECT
public:
    // Asked before deleting: return true to delete. The default asks with a QMessageBox; tests set their own.
    using ConfirmFn = std::function<bool(const QString& title, const QString& text)>;

    // `store` must be open; `service` may be null (then Resume stays disabled). Both outlive the page.
    RunsPage(Store* store, TrainingService* service, QWidget* parent = nullptr);
    ~RunsPage() override;

    RunsModel* model() const { return model_; }
    RunsFilterModel* proxy() const { return proxy_; }
    QChart* lossChart() const { return chart_; }

    // Marks runs of dead processes failed, re-reads the store, keeps the selection, updates chart and
    // details.
    void refresh();
    // Selects these runs in the table (those that are shown), the first one current.
    void selectRuns(const QList<qint64>& ids);
    QList<qint64> selectedRunIds() const;
    // The run whose details are shown (the current row), 0 when none.
    qint64 currentRunId() const { return detailsRun_; }

    void setConfirm(ConfirmFn confirm) { confirm_ = std::move(confirm); }
    // Restores the last filter text, status filter, sort column/order and column widths from `settings` and
    // saves them there whenever they change (so they come back on the next start). `settings` outlives the
    // page.
    void rememberChoicesIn(Settings* settings);
    // Resumes the current run (if Resume is enabled); returns whether the service was asked to.
    bool resumeCurrent();
    // Deletes the selected runs after confirmation; returns how many runs were deleted.
    int deleteSelected();
    // A message about the last action (also shown on the page).
    QString statusText() const;

    // Whether `dir` may be removed as the folder of a run: an existing, non-symlinked folder strictly inside
    // `dataFolder`/runs, or one whose config.json is a Hone training configuration. Never the data folder,
    // a folder containing it, a home or root folder.
    static bool isDeletableRunDir(const QString& dir, const QString& dataFolder, QString* why = nullptr);

Q_SIGNALS:
    // After every refresh (tests and the main window wait for it).
    void refreshed();

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void onSelectionChanged();
    void updateChart(const QList<qint64>& ids);
    void updateDetails(qint64 id);
    void updateButtons();
    void setStatus(const QString& text);
    QString dataFolder() const;

    Store* store_;
    TrainingService* service_;
    RunsModel* model_;
    RunsFilterModel* proxy_;
    QLineEdit* filter_;
    QComboBox* statusFilter_;
    QTableView* table_;
    QChart* chart_;
    QChartView* chartView_;
    QLabel* summary_;
    QTabWidget* tabs_;
    QPlainTextEdit* config_;
    QTableWidget* metrics_;
    QTableWidget* checkpoints_;
    QPlainTextEdit* log_;
    QPushButton* resume_;
    QPushButton* delete_;
    QPushButton* refresh_;
    QLabel* status_;
    QTimer* timer_;
    ConfirmFn confirm_;
    qint64 detailsRun_ = 0;
    QString chartKey_;   // what the chart shows (ids, steps, statuses), to redraw only on change
    QString detailsKey_; // same for the details pane
};

} // namespace hone::ui
