// Implementation of the shared test helpers.
#include "common/test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>

namespace hone::test {

QString fixturesDir() {
    return QDir::cleanPath(qEnvironmentVariable("HONE_FIXTURES_DIR"));
}

QString fixture(const QString& relative) {
    return fixturesDir() + QLatin1Char('/') + relative;
}

bool isCi() {
    return qEnvironmentVariable("CI") == QLatin1String("true");
}

QString artifactsDir() {
    QString dir = qEnvironmentVariable("HONE_TEST_ARTIFACTS");
    if (dir.isEmpty()) dir = QDir::tempPath() + QStringLiteral("/hone-test-artifacts");
    QDir().mkpath(dir);
    return dir;
}

QString sourceDir() {
    return qEnvironmentVariable("HONE_SOURCE_DIR");
}

int runShell(const QString& command, QByteArray* out, int timeoutMs) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), command});
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        if (out) *out = p.readAll();
        return -1;
    }
    if (out) *out = p.readAll();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

QString trainOnOneConversation(const QString& model, const QJsonObject& conversation,
                               const QString& templateName, const QString& dir, QString* error) {
    const QString data = dir + "/one_conversation.jsonl";
    QFile f(data);
    if (!f.open(QIODevice::WriteOnly)) {
        *error = "cannot write " + data;
        return {};
    }
    for (int i = 0; i < 32; ++i) f.write(QJsonDocument(conversation).toJson(QJsonDocument::Compact) + "\n");
    f.close();
    QProcess train;
    train.start(qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone", {"train",
                                                                        "--home",
                                                                        dir + "/train-home",
                                                                        "--no-store",
                                                                        "--model",
                                                                        model,
                                                                        "--data",
                                                                        data,
                                                                        "--template",
                                                                        templateName,
                                                                        "--max-steps",
                                                                        "150",
                                                                        "--batch-size",
                                                                        "4",
                                                                        "--lr",
                                                                        "3e-3",
                                                                        "--lora-rank",
                                                                        "16",
                                                                        "--threads",
                                                                        "1",
                                                                        "--max-seq-len",
                                                                        "256",
                                                                        "--out",
                                                                        dir + "/run",
                                                                        "--json-progress"});
    if (!train.waitForFinished(300000) || train.exitStatus() != QProcess::NormalExit ||
        train.exitCode() != 0) {
        *error = "hone train failed: " + QString::fromUtf8(train.readAllStandardError());
        return {};
    }
    return dir + "/run";
}

} // namespace hone::test
