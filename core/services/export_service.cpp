// Implementation of the export worker runner.
#include "services/export_service.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonDocument>
#include <QProcess>

namespace hone {

QStringList ExportRequest::arguments() const {
    QStringList a{QStringLiteral("export")};
    if (runId > 0) a << QStringLiteral("--run") << QString::number(runId);
    if (!checkpoint.isEmpty()) a << QStringLiteral("--checkpoint") << checkpoint;
    if (!adapterDir.isEmpty()) a << QStringLiteral("--adapter") << adapterDir;
    if (!modelPath.isEmpty()) a << QStringLiteral("--model") << modelPath;
    a << QStringLiteral("--format") << formats.join(QLatin1Char(','));
    if (!dtype.isEmpty()) a << QStringLiteral("--dtype") << dtype;
    if (!quantTypes.isEmpty()) a << QStringLiteral("--quant") << quantTypes.join(QLatin1Char(','));
    a << QStringLiteral("--out") << outDir << QStringLiteral("--json");
    return a;
}

ExportService::ExportService(QObject* parent)
    : QObject(parent) {}

ExportService::~ExportService() {
    if (process_ && process_->state() != QProcess::NotRunning) {
        process_->disconnect(this);
        process_->kill(); // an export left half-done writes only temp names; the worker removes them on start
        process_->waitForFinished(5000);
    }
}

QString ExportService::workerProgram() {
    const QString env = qEnvironmentVariable("HONE_CLI");
    if (!env.isEmpty()) return env;
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("hone"));
}

bool ExportService::isRunning() const {
    return process_ && process_->state() != QProcess::NotRunning;
}

bool ExportService::start(const ExportRequest& request) {
    if (isRunning()) {
        Q_EMIT failed(tr("An export is already running: wait for it or cancel it."));
        return false;
    }
    if (process_) process_->deleteLater();
    process_ = new QProcess(this);
    stdout_.clear();
    stderrTail_.clear();
    cancelled_ = false;
    process_->setStandardInputFile(QProcess::nullDevice());
    connect(process_, &QProcess::readyReadStandardOutput, this,
            [this] { stdout_ += process_->readAllStandardOutput(); });
    connect(process_, &QProcess::readyReadStandardError, this, [this] {
        stderrTail_ += process_->readAllStandardError();
        // Whole lines (a progress bar may rewrite its line with \r: take the newest part).
        qsizetype nl;
        while ((nl = stderrTail_.indexOf('\n')) >= 0) {
            QByteArray line = stderrTail_.left(nl);
            stderrTail_.remove(0, nl + 1);
            const qsizetype cr = line.lastIndexOf('\r');
            if (cr >= 0) line = line.mid(cr + 1);
            if (!line.trimmed().isEmpty()) Q_EMIT progress(QString::fromUtf8(line.trimmed()));
            lastLine_ = QString::fromUtf8(line.trimmed());
        }
    });
    connect(process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        stdout_ += process_->readAllStandardOutput();
        if (cancelled_) {
            Q_EMIT failed(tr("Export cancelled."));
            return;
        }
        if (status == QProcess::CrashExit) {
            Q_EMIT failed(tr("The export worker crashed: %1").arg(lastLine_));
            return;
        }
        const QJsonDocument doc = QJsonDocument::fromJson(stdout_.trimmed());
        if (code != 0 || !doc.isObject()) {
            QString why = lastLine_;
            if (why.startsWith(QStringLiteral("error: "))) why = why.mid(7);
            Q_EMIT failed(why.isEmpty() ? tr("The export failed (exit code %1).").arg(code) : why);
            return;
        }
        Q_EMIT finished(doc.object());
    });
    connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError err) {
        if (err == QProcess::FailedToStart)
            Q_EMIT failed(tr("Cannot start the export worker %1: %2. Set HONE_CLI to the hone binary.")
                              .arg(workerProgram(), process_->errorString()));
    });
    process_->start(workerProgram(), request.arguments());
    return true;
}

void ExportService::cancel() {
    if (!isRunning()) return;
    cancelled_ = true;
    process_->terminate();
}

} // namespace hone
