// The Data page: open a dataset (button or drag-and-drop), see its detected format (overridable), its rows,
// the selected row rendered with the chat template and coloured by what is trained on, a token-length
// histogram against the max length, and every per-line problem. Work runs in DatasetPreviewService.
#pragma once

#include "services/dataset_preview.h"

#include <QAbstractTableModel>
#include <QWidget>

class QChartView;
class QComboBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QPushButton;
class QSpinBox;
class QTableView;
class QTextBrowser;

namespace hone {
class Settings;
}

namespace hone::ui {

// The rows of a dataset preview: line, kind, token length, a short preview of the fields.
class DatasetRowsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { LineColumn, KindColumn, TokensColumn, PreviewColumn, ColumnCount };
    explicit DatasetRowsModel(QObject* parent = nullptr);

    void setRows(std::vector<PreviewRow> rows, int maxSeqLen);
    void setMaxSeqLen(int maxSeqLen);
    const PreviewRow& row(int r) const { return rows_[std::size_t(r)]; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<PreviewRow> rows_;
    int maxSeqLen_ = 2048;
};

class DataPage : public QWidget {
    Q_OBJECT
public:
    explicit DataPage(Settings* settings, QWidget* parent = nullptr);

    // For tests and the main window.
    const DatasetPreview& preview() const { return service_->current(); }
    const RenderedExample& rendered() const { return rendered_; }
    DatasetRowsModel* rowsModel() const { return rows_; }
    bool isLoading() const { return service_->isLoading(); }
    QString statusText() const;
    QStringList problemTexts() const; // as listed
    std::size_t histogramTotal() const { return histogramTotal_; }
    std::size_t histogramOverMax() const { return histogramOver_; }
    int maxSeqLen() const;
    // Selects the row of a dataset line (and renders it); false when that line is not a row.
    bool selectLine(std::size_t line);

public Q_SLOTS:
    void setModel(const QString& modelDir);
    void openDataset(const QString& path);

Q_SIGNALS:
    // A dataset loaded with a usable format: the file, the format ("" = detected) and template ("" =
    // model's).
    void datasetChosen(QString path, QString format, QString templateName);
    void previewUpdated(); // after each load
    void rowRendered();    // after each rendered row

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void reload();
    void chooseFile();
    void showPreview(const DatasetPreview& p);
    void showRendered(const RenderedExample& r);
    void paintRendered();
    void updateLengthViews();
    void problemActivated(QListWidgetItem* item);
    void rowSelected();
    QString formatChoice() const;
    QString templateChoice() const;

    Settings* settings_;
    DatasetPreviewService* service_;
    QString path_;
    QString modelDir_;
    RenderedExample rendered_;
    std::size_t histogramTotal_ = 0;
    std::size_t histogramOver_ = 0;

    QPushButton* openButton_;
    QLabel* pathLabel_;
    QComboBox* format_;
    QComboBox* template_;
    QSpinBox* maxLen_;
    QLabel* status_;
    QLabel* modelLabel_;
    QTableView* table_;
    DatasetRowsModel* rows_;
    QLabel* renderMessage_;
    QTextBrowser* renderedView_;
    QLabel* legend_;
    QChartView* chart_;
    QLabel* lengthSummary_;
    QListWidget* problems_;
};

} // namespace hone::ui
