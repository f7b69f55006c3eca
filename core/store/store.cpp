// Implementation of the SQLite store on Qt Sql (QSQLITE driver).
#include "store/store.h"

#include "common/error.h"
#include "store/migrations.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutexLocker>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>

namespace hone {

namespace {
std::string s(const QString& q) {
    return q.toStdString();
}

QSqlQuery run(QSqlDatabase& db, const QString& sql, const QString& file) {
    QSqlQuery q(db);
    if (!q.exec(sql))
        throw Error("database " + s(file) + ": " + s(q.lastError().text()) + " (while running: " + s(sql) +
                    ")");
    return q;
}
} // namespace

Store::Store(QString path)
    : path_(std::move(path))
    , id_(QUuid::createUuid().toString(QUuid::WithoutBraces)) {}

Store::~Store() {
    QMutexLocker lock(&mutex_);
    // removeDatabase closes each connection; fetching them here would touch other threads' connections.
    for (const auto& name : connections_) QSqlDatabase::removeDatabase(name);
}

QString Store::connectionName() const {
    return QStringLiteral("hone-%1-%2").arg(id_).arg(reinterpret_cast<quintptr>(QThread::currentThread()));
}

void Store::checkFileBeforeOpen() {
    const QFileInfo file(path_);
    const QFileInfo dir(file.absolutePath());
    if (!dir.exists() && !QDir().mkpath(dir.absoluteFilePath()))
        throw Error("cannot create the data folder " + s(dir.absoluteFilePath()) +
                    ": choose a writable data folder (--home DIR, HONE_HOME or Settings)");
    if (!dir.isWritable())
        throw Error(
            "the data folder " + s(dir.absoluteFilePath()) + " is not writable, so " + s(file.fileName()) +
            " cannot be opened: fix its permissions (chmod u+w) or choose another data folder (--home DIR)");
    if (!file.exists()) return;
    if (file.isDir()) throw Error(s(path_) + " is a folder, not a database: move it away");
    if (!file.isWritable())
        throw Error(s(path_) + " is read-only: make it writable (chmod u+w \"" + s(path_) +
                    "\") or choose another data folder (--home DIR); Hone will not modify or replace it");
    // The header is not read here with a plain file handle: closing any other descriptor of a database file
    // drops every POSIX lock this process holds on it, which corrupts the database under other connections
    // of this process (SQLite's documented pitfall). SQLite's own "file is not a database" is mapped below.
}

void Store::open() {
    openUpTo(latestSchemaVersion());
}
void Store::openAtVersion(int version) {
    openUpTo(version);
}

void Store::openUpTo(int target) {
    checkFileBeforeOpen();
    QString verdict;
    try {
        QSqlDatabase db = connection();
        QSqlQuery check = run(db, QStringLiteral("PRAGMA quick_check"), path_);
        verdict = check.next() ? check.value(0).toString() : QStringLiteral("no answer");
    } catch (const Error& e) {
        if (std::string(e.what()).find("not a database") == std::string::npos) throw;
        throw Error(s(path_) +
                    " is not a SQLite database (corrupt or overwritten). Hone left it untouched: move it "
                    "aside (e.g. mv \"" +
                    s(path_) + "\" \"" + s(path_) + ".broken\") to start a new one, or restore a backup");
    }
    if (verdict != QLatin1String("ok"))
        throw Error(s(path_) + " is damaged (SQLite quick_check: " + s(verdict) +
                    "). Hone left it untouched: restore a backup, or move it aside to start a new one");
    const int current = schemaVersion();
    if (current > latestSchemaVersion())
        throw Error(s(path_) + " was written by a newer Hone (schema version " + std::to_string(current) +
                    ", this build knows up to " + std::to_string(latestSchemaVersion()) +
                    "): update Hone, or use another data folder (--home DIR). The file was not changed.");
    migrate(target);
}

QSqlDatabase Store::connection() {
    const QString name = connectionName();
    if (QSqlDatabase::contains(name)) return QSqlDatabase::database(name);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(path_);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        QString err = db.lastError().text();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
        throw Error("cannot open " + s(path_) + ": " + s(err));
    }
    try {
        QSqlQuery mode = run(db, QStringLiteral("PRAGMA journal_mode=WAL"), path_);
        if (mode.next() && mode.value(0).toString().toLower() != QLatin1String("wal"))
            throw Error("cannot switch " + s(path_) + " to WAL mode (got " + s(mode.value(0).toString()) +
                        "); is the folder on a network filesystem?");
        run(db, QStringLiteral("PRAGMA foreign_keys=ON"), path_);
        run(db, QStringLiteral("PRAGMA synchronous=NORMAL"), path_);
    } catch (...) {
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
        throw;
    }
    QMutexLocker lock(&mutex_);
    connections_ << name;
    return db;
}

int Store::schemaVersion() {
    QSqlDatabase db = connection();
    QSqlQuery q = run(db, QStringLiteral("PRAGMA user_version"), path_);
    return q.next() ? q.value(0).toInt() : 0;
}

void Store::migrate(int target) {
    QSqlDatabase db = connection();
    for (const Migration& m : storeMigrations()) {
        if (m.version <= schemaVersion() || m.version > target) continue;
        if (!db.transaction())
            throw Error("cannot start a transaction on " + s(path_) + ": " + s(db.lastError().text()));
        try {
            for (const QString& sql : m.statements) run(db, sql, path_);
            run(db, QStringLiteral("PRAGMA user_version=%1").arg(m.version), path_);
        } catch (...) {
            db.rollback();
            throw;
        }
        if (!db.commit())
            throw Error("cannot commit the schema upgrade of " + s(path_) + ": " + s(db.lastError().text()));
    }
}

void Store::exec(const QString& sql, const QVariantList& bind) {
    QSqlDatabase db = connection();
    QSqlQuery q(db);
    if (!q.prepare(sql)) throw Error("database " + s(path_) + ": " + s(q.lastError().text()));
    for (const QVariant& v : bind) q.addBindValue(v);
    if (!q.exec()) throw Error("database " + s(path_) + ": " + s(q.lastError().text()));
}

void Store::audit(const QString& actor, const QString& action, const QString& detail) {
    exec(QStringLiteral("INSERT INTO audit(actor, action, detail) VALUES (?, ?, COALESCE(?, ''))"),
         {actor, action, detail});
}

void Store::setState(const QString& key, const QString& value) {
    exec(QStringLiteral("INSERT INTO app_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                        "value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')"),
         {key, value});
}

QString Store::state(const QString& key, const QString& fallback) {
    QSqlDatabase db = connection();
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT value FROM app_state WHERE key = ?"));
    q.addBindValue(key);
    if (!q.exec()) throw Error("database " + s(path_) + ": " + s(q.lastError().text()));
    return q.next() ? q.value(0).toString() : fallback;
}

QString Store::moveAside(const QString& path) {
    const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    const QString target = path + QStringLiteral(".broken-") + stamp;
    if (!QFile::rename(path, target)) throw Error("cannot move " + s(path) + " aside to " + s(target));
    for (const char* suffix : {"-wal", "-shm"})
        if (QFile::exists(path + QLatin1String(suffix)))
            QFile::rename(path + QLatin1String(suffix), target + QLatin1String(suffix));
    return target;
}

Store::Health Store::inspect(const QString& path) {
    Health h;
    const QFileInfo file(path);
    h.exists = file.exists();
    if (!h.exists) {
        h.message = QStringLiteral("%1 does not exist yet; it is created on first use").arg(path);
        return h;
    }
    const QString name =
        QStringLiteral("hone-inspect-%1").arg(QUuid::createUuid().toString(QUuid::WithoutBraces));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=2000"));
        auto failWith = [&](const QString& msg) {
            h.ok = false;
            h.message = msg;
        };
        // No plain read of the header: closing that descriptor would drop this process's SQLite locks on the
        // file (see checkFileBeforeOpen).
        if (!file.isReadable()) {
            failWith(QStringLiteral("cannot read %1: permission denied").arg(path));
        } else if (!db.open()) {
            failWith(QStringLiteral("cannot open %1: %2").arg(path, db.lastError().text()));
        } else {
            QSqlQuery q(db);
            const bool ran = q.exec(QStringLiteral("PRAGMA quick_check"));
            if (!ran && q.lastError().text().contains(QLatin1String("not a database"))) {
                failWith(QStringLiteral("%1 is not a SQLite database (corrupt or overwritten)").arg(path));
            } else if (!ran || !q.next() || q.value(0).toString() != QLatin1String("ok")) {
                failWith(
                    QStringLiteral("%1 is damaged (quick_check: %2)")
                        .arg(path, q.lastError().isValid() ? q.lastError().text() : q.value(0).toString()));
            } else {
                QSqlQuery v(db);
                v.exec(QStringLiteral("PRAGMA user_version"));
                h.version = v.next() ? v.value(0).toInt() : 0;
                if (h.version > latestSchemaVersion())
                    failWith(QStringLiteral("%1 was written by a newer Hone (schema %2, this build knows up "
                                            "to %3): update Hone or use another data folder")
                                 .arg(path)
                                 .arg(h.version)
                                 .arg(latestSchemaVersion()));
                else if (!file.isWritable())
                    failWith(QStringLiteral(
                                 "%1 is read-only: make it writable (chmod u+w) or use another data folder")
                                 .arg(path));
                else
                    h.message = QStringLiteral("%1 is healthy (schema %2 of %3)")
                                    .arg(path)
                                    .arg(h.version)
                                    .arg(latestSchemaVersion());
            }
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return h;
}

} // namespace hone
