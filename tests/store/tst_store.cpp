// The SQLite store for real: pragmas, migrations, per-thread connections, refusals that leave files
// untouched, and recovery after a writer is killed mid-stream.
#include "common/test_support.h"
#include "store/migrations.h"
#include "store/store.h"

#include "common/error.h"

#include <QCryptographicHash>
#include <QProcess>
#include <QSqlQuery>
#include <QThread>
#include <csignal>
#include <unistd.h>

using namespace hone;

namespace {

QByteArray fileHash(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

QString errorOf(Store& store) {
    try {
        store.open();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QVariant scalar(Store& store, const QString& sql) {
    QSqlQuery q(store.connection());
    if (!q.exec(sql) || !q.next()) return {};
    return q.value(0);
}

QString toolPath() {
    return qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/store_tool";
}

// Runs store_tool as an unprivileged user when the suite runs as root, so permission checks mean something.
QStringList unprivileged(const QStringList& cmd) {
    if (::geteuid() != 0) return cmd;
    return QStringList{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"} + cmd;
}

QString runTool(const QStringList& cmd) {
    QProcess p;
    p.start(cmd.first(), cmd.mid(1));
    p.waitForFinished(30000);
    return QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError()).trimmed();
}

} // namespace

class TestStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void createsWithWalAndForeignKeys() {
        QTemporaryDir dir;
        Store store(dir.path() + "/sub/hone.db");
        store.open();
        QCOMPARE(store.schemaVersion(), latestSchemaVersion());
        QCOMPARE(scalar(store, "PRAGMA journal_mode").toString(), QStringLiteral("wal"));
        QCOMPARE(scalar(store, "PRAGMA foreign_keys").toInt(), 1);
        store.setState("k", "v1");
        store.setState("k", "v2");
        QCOMPARE(store.state("k"), QStringLiteral("v2"));
        QCOMPARE(store.state("missing", "fallback"), QStringLiteral("fallback"));
        store.audit("test", "did", "something");
        QCOMPARE(scalar(store, "SELECT count(*) FROM audit").toInt(), 1);
    }

    void upgradesFromEveryOlderVersion() {
        for (int from = 0; from < latestSchemaVersion(); ++from) try {
                QTemporaryDir dir;
                const QString path = dir.path() + "/hone.db";
                {
                    Store old(path);
                    old.openAtVersion(from);
                    QCOMPARE(old.schemaVersion(), from);
                    if (from >= 1) old.setState("kept", QString::number(from));
                }
                Store store(path);
                store.open();
                QCOMPARE(store.schemaVersion(), latestSchemaVersion());
                if (from >= 1) QCOMPARE(store.state("kept"), QString::number(from));
                // Every table of the latest schema exists and is usable.
                store.audit("test", "after-upgrade");
                QCOMPARE(scalar(store, "SELECT count(*) FROM audit").toInt(), 1);
                QCOMPARE(scalar(store, "PRAGMA integrity_check").toString(), QStringLiteral("ok"));
            } catch (const Error& e) {
                QFAIL(qPrintable(QStringLiteral("upgrade from %1: %2").arg(from).arg(e.what())));
            }
    }

    void refusesNewerSchemaAndLeavesItAlone() {
        QTemporaryDir dir;
        const QString path = dir.path() + "/hone.db";
        {
            Store s(path);
            s.open();
            s.exec(QStringLiteral("PRAGMA user_version=%1").arg(latestSchemaVersion() + 5));
        }
        const QByteArray before = fileHash(path);
        Store store(path);
        const QString err = errorOf(store);
        QVERIFY2(err.contains("newer Hone"), qPrintable(err));
        QVERIFY(err.contains(path));
        QCOMPARE(fileHash(path), before);
        QVERIFY(!Store::inspect(path).ok);
    }

    void refusesCorruptFileAndLeavesItAlone() {
        QTemporaryDir dir;
        const QString path = dir.path() + "/hone.db";
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'x'));
        f.close();
        const QByteArray before = fileHash(path);
        Store store(path);
        const QString err = errorOf(store);
        QVERIFY2(err.contains("not a SQLite database"), qPrintable(err));
        QVERIFY(err.contains(path));
        QCOMPARE(fileHash(path), before);
        const Store::Health h = Store::inspect(path);
        QVERIFY(!h.ok && h.message.contains("not a SQLite database"));
        // Only an explicit request moves it aside, keeping the bytes.
        const QString kept = Store::moveAside(path);
        QCOMPARE(fileHash(kept), before);
        Store fresh(path);
        fresh.open();
        QCOMPARE(fresh.schemaVersion(), latestSchemaVersion());
    }

    void refusesDamagedPages() {
        QTemporaryDir dir;
        const QString path = dir.path() + "/hone.db";
        {
            Store s(path);
            s.open();
            for (int i = 0; i < 300; ++i) s.audit("t", "row", QString(200, QChar('a' + i % 26)));
            s.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.size() > 4 * 4096);
        for (qint64 page = 1; page * 4096 < f.size();
             ++page) { // scribble over b-tree page headers, keep the file header
            f.seek(page * 4096);
            f.write(QByteArray(12, '\x7f'));
        }
        f.close();
        Store store(path);
        const QString err = errorOf(store);
        QVERIFY2(err.contains("damaged") || err.contains("malformed"), qPrintable(err));
    }

    void refusesReadOnlyFileAndUnwritableFolder() {
        QTemporaryDir dir;
        QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                                      QFile::ReadOther | QFile::ExeOther));
        const QString path = dir.path() + "/hone.db";
        {
            Store s(path);
            s.open();
        }
        QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::ReadOther));
        const QString readOnly = runTool(unprivileged({toolPath(), "open", path}));
        QVERIFY2(readOnly.contains("read-only") || readOnly.contains("not writable"), qPrintable(readOnly));
        QVERIFY(readOnly.startsWith("error: "));
        QVERIFY(readOnly.contains(dir.path()));
        // A folder the user cannot write: says which folder and what to do.
        const QString missing = runTool(unprivileged({toolPath(), "open", dir.path() + "/new/hone.db"}));
        QVERIFY2(missing.startsWith("error: ") && missing.contains("data folder"), qPrintable(missing));
    }

    void walSurvivesAKilledWriter() {
        QTemporaryDir dir;
        const QString path = dir.path() + "/hone.db";
        QProcess writer;
        writer.start(toolPath(), {"write", path});
        QVERIFY(writer.waitForStarted());
        long committed = 0;
        QElapsedTimer t;
        t.start();
        while (committed < 500 && t.elapsed() < 30000) {
            writer.waitForReadyRead(1000);
            while (writer.canReadLine()) committed = writer.readLine().trimmed().toLong();
        }
        QVERIFY2(committed >= 500, "writer made no progress");
        ::kill(static_cast<pid_t>(writer.processId()), SIGKILL);
        writer.waitForFinished();
        QVERIFY(QFile::exists(path + "-wal"));
        Store store(path);
        store.open();
        QCOMPARE(scalar(store, "PRAGMA integrity_check").toString(), QStringLiteral("ok"));
        const int rows = scalar(store, "SELECT count(*) FROM audit").toInt();
        QVERIFY2(rows >= committed,
                 qPrintable(QStringLiteral("%1 rows < %2 committed").arg(rows).arg(committed)));
        QCOMPARE(rows % 10, 0); // transactions are all-or-nothing
    }

    void connectionPerThread() {
        QTemporaryDir dir;
        Store store(dir.path() + "/hone.db");
        store.open();
        QString otherName, error;
        QThread* worker = QThread::create([&] {
            try {
                otherName = store.connection().connectionName();
                store.audit("worker", "from-thread");
            } catch (const Error& e) {
                error = QString::fromStdString(e.what());
            }
        });
        worker->start();
        QVERIFY(worker->wait(10000));
        delete worker;
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(otherName != store.connection().connectionName());
        QCOMPARE(scalar(store, "SELECT count(*) FROM audit WHERE actor = 'worker'").toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
