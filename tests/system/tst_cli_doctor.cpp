// `hone --version` and `hone doctor --json` on this machine: the stable machine interface, the truth about
// the CPU/BLAS/GPU, the exit code, and the one-line error when something blocks training.
#include "common/test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

namespace {

struct Result {
    int code = -1;
    QByteArray out, err;
};

Result runHone(const QStringList& args) {
    QProcess p;
    p.start(qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone", args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

} // namespace

class TestCliDoctor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void versionIsOneLine() {
        Result r = runHone({"--version"});
        QCOMPARE(r.code, 0);
        QVERIFY(
            QRegularExpression("^hone \\d+\\.\\d+\\.\\d+\\n$").match(QString::fromUtf8(r.out)).hasMatch());
    }

    void doctorJsonDescribesThisMachine() {
        QTemporaryDir home;
        Result r = runHone({"doctor", "--json", "--home", home.path()});
        QCOMPARE(r.code, 0);
        QJsonParseError err;
        const QJsonObject j = QJsonDocument::fromJson(r.out, &err).object();
        QCOMPARE(err.error, QJsonParseError::NoError);
        QVERIFY(!j.value("torch_version").toString().isEmpty());
        QCOMPARE(j.value("data_folder").toString(), QDir(home.path()).absolutePath());
        const QJsonArray devices = j.value("devices").toArray();
        QVERIFY(!devices.isEmpty());
        QCOMPARE(devices[0].toObject().value("type").toString(), QStringLiteral("cpu"));
        QVERIFY(devices[0].toObject().value("memory_bytes").toDouble() > 0);
        for (const auto& d : devices) {
            QVERIFY(d.toObject().contains("name"));
            QVERIFY(d.toObject().contains("memory_bytes"));
        }
        const QString blas = j.value("blas").toString();
        QVERIFY(!blas.isEmpty());
        // The set-up script selects the OpenMP OpenBLAS; CI must have it.
        if (hone::test::isCi()) QCOMPARE(blas, QStringLiteral("OpenBLAS (OpenMP)"));
        QStringList names;
        bool gpuOk = false;
        for (const auto& c : j.value("checks").toArray()) {
            const QJsonObject o = c.toObject();
            for (const char* key : {"name", "ok", "message", "fix"}) QVERIFY2(o.contains(key), key);
            names << o.value("name").toString();
            if (o.value("name").toString() == "gpu") {
                gpuOk = o.value("ok").toBool();
                if (!gpuOk)
                    QVERIFY(!o.value("message").toString().isEmpty() && !o.value("fix").toString().isEmpty());
            }
        }
        for (const char* n : {"libtorch", "gpu", "blas", "memory", "data_folder", "disk", "database"})
            QVERIFY2(names.contains(n), n);
        // The GPU check agrees with the device list.
        bool anyUsableGpu = false;
        for (const auto& d : devices)
            anyUsableGpu |= d.toObject().value("type") == "cuda" && d.toObject().value("usable").toBool();
        QCOMPARE(gpuOk, anyUsableGpu);
    }

    void blockingProblemExitsNonZeroWithOneErrorLine() {
        QTemporaryDir tmp;
        QFile file(tmp.path() + "/not-a-folder");
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        Result r = runHone({"doctor", "--home", tmp.path() + "/not-a-folder"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.out.contains("data_folder"));
        const QList<QByteArray> lines = r.err.trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        QVERIFY(lines[0].startsWith("error: "));
    }

    void unknownOptionIsAnError() {
        Result r = runHone({"doctor", "--bogus"});
        QVERIFY(r.code != 0);
        QVERIFY(r.err.startsWith("error: unknown option --bogus"));
    }
};

QTEST_GUILESS_MAIN(TestCliDoctor)
#include "tst_cli_doctor.moc"
