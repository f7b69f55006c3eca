// Database health for the doctor, via Store::inspect (never writes).
#include "services/store_facts.h"

#include "store/store.h"

namespace hone {

void addStoreFacts(DoctorInput& in, const AppPaths& paths) {
    const Store::Health h = Store::inspect(QString::fromStdString(paths.database));
    in.databasePath = paths.database;
    in.databaseOk = h.ok;
    in.databaseMessage = h.message.toStdString();
}

} // namespace hone
