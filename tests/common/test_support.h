// Helpers every Hone test uses: where the shared fixtures are, skipping vs. failing when they are missing
// (with CI=true a missing fixture or oracle fails the test), artifact and temporary-home folders.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QTemporaryDir>
#include <QtTest>

namespace hone::test {

// The shared fixtures folder (HONE_FIXTURES_DIR, set by CTest), or an empty string.
QString fixturesDir();
// Absolute path of a file or folder inside the fixtures (may not exist).
QString fixture(const QString& relative);
// True when running under CI (CI=true): missing fixtures and oracles must fail, not skip.
bool isCi();
// Folder for test artifacts (screenshots, reports); created on demand.
QString artifactsDir();
// The source tree root (HONE_SOURCE_DIR), for tests/data files.
QString sourceDir();
// Runs a command line through /bin/sh and returns its exit code; output goes to *out if given.
int runShell(const QString& command, QByteArray* out = nullptr, int timeoutMs = 120000);
// Fine-tunes `model` with the `hone` binary (HONE_BINARY_DIR) until it knows one conversation by heart: 32
// copies of `conversation` ({"messages": [...]}) rendered with `templateName`, 150 steps, rank 16, lr 3e-3,
// one thread. Returns the run folder (dir/run), or "" with the command's stderr in *error.
QString trainOnOneConversation(const QString& model, const QJsonObject& conversation,
                               const QString& templateName, const QString& dir, QString* error);

} // namespace hone::test

// Skips the current test (or fails it under CI=true) when `path` does not exist. Use inside a test function.
#define HONE_REQUIRE_PATH(path)                                                                              \
    do {                                                                                                     \
        const QString hone_p_ = (path);                                                                      \
        if (!QFileInfo::exists(hone_p_)) {                                                                   \
            if (hone::test::isCi()) QFAIL(qPrintable(QStringLiteral("missing under CI: ") + hone_p_));       \
            QSKIP(qPrintable(QStringLiteral("fixture not present, skipping: ") + hone_p_));                  \
        }                                                                                                    \
    } while (0)

// Skips (or fails under CI=true) when a condition that an oracle needs is false, with a message.
#define HONE_REQUIRE_ORACLE(cond, what)                                                                      \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            if (hone::test::isCi()) QFAIL(qPrintable(QStringLiteral("oracle missing under CI: ") + (what))); \
            QSKIP(qPrintable(QStringLiteral("oracle not available, skipping: ") + (what)));                  \
        }                                                                                                    \
    } while (0)
