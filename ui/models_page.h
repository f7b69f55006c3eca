// The Models page: the models on this machine (HF cache, added folders, GGUF files) with their shape and any
// problem, a details pane with config highlights and a memory estimate for LoRA training and chat, and a
// Download box that fetches a model from the Hugging Face hub into the shared cache.
#pragma once

#include "services/hf_download.h"
#include "services/model_catalog.h"

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QJsonObject>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;

namespace hone {
class Settings;
}

namespace hone::ui {

// The catalog's rows for a QTableView: one per model, problems in the Status column (and red).
class ModelTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Architecture, Parameters, Dtype, Context, Size, ChatTemplate, Status, ColumnCount };
    static constexpr int PathRole = Qt::UserRole + 1;

    explicit ModelTableModel(QObject* parent = nullptr);
    void setEntries(const QList<hone::ModelEntry>& entries);
    const QList<hone::ModelEntry>& entries() const { return entries_; }
    int rowOf(const QString& path) const; // -1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<hone::ModelEntry> entries_;
};

class ModelsPage : public QWidget {
    Q_OBJECT
public:
    explicit ModelsPage(Settings* settings, QWidget* parent = nullptr);

    ModelTableModel* model() const { return model_; }
    ModelCatalog* catalog() { return &catalog_; }
    HfDownload* downloader() const { return download_; }
    // Rescans in the background; `scanned` follows.
    void refresh();
    bool isScanning() const { return scanning_; }
    // Remembers the folder (or a single .gguf file) and rescans.
    void addFolder(const QString& folder);
    // Selects the model at `path` (shows its details); false when it is not listed.
    bool selectModel(const QString& path);
    QString selectedPath() const;

    // The machine's devices as `hone doctor --json` lists them (the System page's snapshot): the estimate is
    // compared with the memory of the GPU the settings choose ("auto": the first usable one).
    void setDevices(const QJsonArray& devices);

    static QString formatBytes(double bytes);
    static QString formatCount(double n);

Q_SIGNALS:
    void scanned();
    void modelChosen(const QString& path);

private:
    void showDetails();
    void updateEstimate();
    void listFiles();
    void startDownload();
    void showDownloadError(const QString& message);
    const ModelEntry* current() const;
    QJsonObject chosenGpu(const QString& device) const;

    Settings* settings_;
    ModelCatalog catalog_;
    ModelTableModel* model_;
    HfDownload* download_;
    bool scanning_ = false;
    bool rescan_ = false;
    QString pendingSelect_; // select this model once the next scan lists it (a finished download)
    QJsonArray devices_;

    QTableView* table_;
    QLabel* scanStatus_;
    QLabel* title_;
    QLabel* problem_;
    QLabel* highlights_;
    QSpinBox* batch_;
    QSpinBox* seqLen_;
    QSpinBox* rank_;
    QComboBox* dtype_;
    QLabel* trainEstimate_;
    QLabel* chatEstimate_;
    QLabel* fit_;
    QPushButton* use_;

    QLineEdit* modelId_;
    QLineEdit* revision_;
    QLineEdit* token_;
    QPushButton* listButton_;
    QPushButton* downloadButton_;
    QPushButton* cancelButton_;
    QListWidget* files_;
    QProgressBar* progress_;
    QLabel* speed_;
    QLabel* downloadStatus_;
};

} // namespace hone::ui
