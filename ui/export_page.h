// The Export page: pick a run (or one of its checkpoints) and the formats — PEFT adapter, merged Hugging Face
// model, GGUF with quantisations, Ollama — and an output folder; the export runs in the `hone export` worker
// with its progress shown, then the post-export check (logits against the fine-tuned model, template tokens,
// stop tokens) is listed artifact by artifact, and the folder can be opened.
#pragma once

#include "services/export_service.h"

#include <QJsonObject>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace hone {
class Settings;
class Store;
} // namespace hone

namespace hone::ui {

class ExportPage : public QWidget {
    Q_OBJECT
public:
    // `store` must be open; both outlive the page.
    ExportPage(Settings* settings, Store* store, QWidget* parent = nullptr);

    // Re-reads the runs that have an adapter or a checkpoint.
    void refreshRuns();
    // Selects a run in the run list; false when it is not listed.
    bool selectRun(qint64 runId);
    // The request the form describes; `why` gets what is wrong when it is not valid.
    bool buildRequest(ExportRequest* request, QString* why) const;
    // Starts the export of the current form (what the Export button does); false with the reason shown when
    // the form is not valid.
    bool startExport();
    ExportService* service() { return &service_; }
    QJsonObject lastReport() const { return report_; }
    QString statusText() const;

Q_SIGNALS:
    void exportFinished(bool ok);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void onRunChanged();
    void updateValidity();
    void showReport(const QJsonObject& report);
    void setStatus(const QString& text, bool error);

    Settings* settings_;
    Store* store_;
    ExportService service_;
    QJsonObject report_;

    QComboBox* run_;
    QComboBox* checkpoint_;
    QLineEdit* model_;
    QCheckBox* peft_;
    QCheckBox* merged_;
    QCheckBox* gguf_;
    QCheckBox* ggufLora_;
    QCheckBox* ollama_;
    QComboBox* dtype_;
    QList<QCheckBox*> quants_;
    QLineEdit* out_;
    QPushButton* browse_;
    QPushButton* export_;
    QPushButton* cancel_;
    QLabel* validation_;
    QProgressBar* progress_;
    QLabel* status_;
    QPlainTextEdit* log_;
    QTableWidget* checks_;
    QListWidget* files_;
    QPushButton* openFolder_;
};

} // namespace hone::ui
