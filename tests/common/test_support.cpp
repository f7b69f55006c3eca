// Implementation of the shared test helpers.
#include "common/test_support.h"

#include <QDir>
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

} // namespace hone::test
