// The store's schema history. Each migration moves `PRAGMA user_version` from N-1 to N; never edit a released
// migration, append a new one.
#pragma once

#include <QStringList>
#include <vector>

namespace hone {

struct Migration {
    int version;         // user_version after it ran
    const char* purpose; // one line, for logs
    QStringList statements;
};

const std::vector<Migration>& storeMigrations();
int latestSchemaVersion();

} // namespace hone
