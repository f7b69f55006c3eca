// hone.db: opening (WAL, foreign keys), migrating by PRAGMA user_version, one connection per thread, and
// clear refusals for corrupt, read-only or newer-schema files. Never resets a database silently.
#pragma once

#include <QMutex>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace hone {

class Store {
public:
    // Does not touch the file; call open().
    explicit Store(QString path);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Creates the file if missing, checks it, migrates it to the latest schema. Throws hone::Error with a
    // message naming the file and what to do (corrupt, read-only, unwritable folder, newer schema).
    void open();
    // Opens and migrates only up to `version` (tests use it to build databases of older schemas).
    void openAtVersion(int version);

    const QString& path() const { return path_; }
    int schemaVersion();
    // The calling thread's connection (created on first use with the same pragmas).
    QSqlDatabase connection();

    // Runs one statement with positional bindings; throws hone::Error with the SQL error on failure.
    void exec(const QString& sql, const QVariantList& bind = {});
    void audit(const QString& actor, const QString& action, const QString& detail = {});
    void setState(const QString& key, const QString& value);
    QString state(const QString& key, const QString& fallback = {});

    // Moves a database that cannot be used aside (hone.db -> hone.db.broken-<time>, with its -wal/-shm) so a
    // fresh one can be created; returns the new name. Only ever called on the user's explicit request.
    static QString moveAside(const QString& path);

    // Read-only health check for `hone doctor`: never creates, migrates or writes the file.
    struct Health {
        bool ok = true;
        bool exists = false;
        int version = 0;
        QString message;
    };
    static Health inspect(const QString& path);

private:
    void openUpTo(int version);
    void checkFileBeforeOpen();
    void migrate(int target);
    QString connectionName() const;

    QString path_;
    QString id_;
    QMutex mutex_;
    QStringList connections_;
};

} // namespace hone
