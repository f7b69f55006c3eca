// Schema migrations for hone.db.
#include "store/migrations.h"

namespace hone {

const std::vector<Migration>& storeMigrations() {
    static const std::vector<Migration> list = {
        {1,
         "key/value application state",
         {QStringLiteral("CREATE TABLE app_state (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, "
                         "updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))")}},
        {2,
         "audit log of user actions and settings changes",
         {QStringLiteral("CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
                         "actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '')"),
          QStringLiteral("CREATE INDEX audit_at ON audit(at)")}},
    };
    return list;
}

int latestSchemaVersion() {
    return storeMigrations().back().version;
}

} // namespace hone
