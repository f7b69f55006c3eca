// The Runs table: every run of the SQLite store as one row (status, model, dataset, key hyper-parameters,
// steps, final losses, duration), refreshed in place so views keep their selection; plus the proxy that
// sorts it (numbers as numbers, missing values last) and filters it by text and status.
#pragma once

#include "store/run_store.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QString>
#include <vector>

namespace hone {
class Store;
}

namespace hone::ui {

class RunsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        IdColumn,
        NameColumn,
        StatusColumn,
        ModelColumn,
        DatasetColumn,
        LrColumn,
        RankColumn,
        BatchColumn,
        SeqLenColumn,
        StepsColumn,
        TrainLossColumn,
        EvalLossColumn,
        DurationColumn,
        CreatedColumn,
        ColumnCount
    };
    enum Role {
        RunIdRole = Qt::UserRole + 1, // qint64, every column
        StatusRole,                   // the status name ("finished", ...), every column
        SortRole,                     // the column's value to sort by (invalid when missing)
    };

    // The store must be open; it outlives the model.
    explicit RunsModel(Store* store, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Re-reads the runs: removed runs' rows are removed, new ones inserted, changed ones updated (no model
    // reset, so selections and persistent indexes survive). Throws hone::Error when the store fails.
    void refresh();

    // The translated name of a status, as the table shows it.
    static QString statusLabel(RunStatus status);

    const RunRecord& runAt(int row) const { return rows_[static_cast<std::size_t>(row)].run; }
    int rowOfRun(qint64 id) const; // -1 when absent

private:
    struct Row {
        RunRecord run;
        QVariant lr, rank, batch, gradAccum, seqLen; // from config_json; invalid when missing
    };
    static Row makeRow(RunRecord run);
    QVariant display(const Row& r, int column) const;
    static QVariant sortValue(const Row& r, int column);

    Store* store_;
    std::vector<Row> rows_;
};

// Sorting by RunsModel::SortRole (runs without a value sort after the others) and filtering by a
// case-insensitive text (name, model path, dataset path) and a status name ("" for all).
class RunsFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit RunsFilterModel(QObject* parent = nullptr);

    void setTextFilter(const QString& text);
    void setStatusFilter(const QString& statusName);
    QString textFilter() const { return text_; }
    QString statusFilter() const { return status_; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QString text_;
    QString status_;
};

// "1h 02m", "3m 05s", "12s" (empty for a negative duration).
QString formatDuration(qint64 seconds);

} // namespace hone::ui
