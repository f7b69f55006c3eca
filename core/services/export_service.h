// Runs an export in the `hone export` worker process (the same binary and JSON interface as the CLI), so a
// long merge or quantisation never blocks the GUI and a crash there cannot take the studio with it. Progress
// lines from the worker's stderr and the final {"files", "check"} report arrive through queued signals.
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QStringList>

class QProcess;

namespace hone {

struct ExportRequest {
    qint64 runId = 0;       // a run of the store, or 0 with adapterDir
    QString checkpoint;     // "" = the run's final adapter, else a checkpoint step ("40")
    QString adapterDir;     // a PEFT adapter folder instead of a run
    QString modelPath;      // base model; "" = the run's own
    QStringList formats;    // peft, merged, gguf, ollama
    QString dtype;          // f32, f16, bf16; "" = the base's
    QStringList quantTypes; // e.g. q8_0, q4_k_m (gguf/ollama)
    QString outDir;
    // The `hone export` arguments for this request (without the program); throws nothing, validation is the
    // worker's (its error line is shown).
    QStringList arguments() const;
};

class ExportService : public QObject {
    Q_OBJECT
public:
    explicit ExportService(QObject* parent = nullptr);
    ~ExportService() override;

    // Starts the worker; false (and failed() with the reason) when one is already running or it cannot start.
    bool start(const ExportRequest& request);
    void cancel();
    bool isRunning() const;
    // $HONE_CLI, else `hone` next to the application.
    static QString workerProgram();

Q_SIGNALS:
    void progress(const QString& line);
    // The worker's JSON report: {"files": [...], "check": {...}}.
    void finished(const QJsonObject& report);
    void failed(const QString& message);

private:
    QProcess* process_ = nullptr;
    QByteArray stdout_, stderrTail_;
    QString lastLine_; // the worker's last stderr line (its `error: ...` on failure)
    bool cancelled_ = false;
};

} // namespace hone
