// Helper process for the store tests: `store_tool open PATH` opens (and migrates) a database and prints
// "ok <version>" or "error: <message>"; `store_tool write PATH` appends rows in committed transactions
// forever, printing the number committed after each, until it is killed.
#include "common/error.h"
#include "store/store.h"

#include <QCoreApplication>
#include <cstdio>

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (argc != 3) {
        std::fprintf(stderr, "usage: store_tool open|write PATH\n");
        return 2;
    }
    const QString mode = QString::fromLocal8Bit(argv[1]);
    hone::Store store(QString::fromLocal8Bit(argv[2]));
    try {
        store.open();
        if (mode == QLatin1String("open")) {
            std::printf("ok %d\n", store.schemaVersion());
            return 0;
        }
        QSqlDatabase db = store.connection();
        for (long i = 1;; ++i) {
            db.transaction();
            for (int k = 0; k < 10; ++k)
                store.audit(QStringLiteral("writer"), QStringLiteral("row"), QString::number(i * 10 + k));
            if (!db.commit()) throw hone::Error("commit failed");
            std::printf("%ld\n", i * 10);
            std::fflush(stdout);
        }
    } catch (const hone::Error& e) {
        std::printf("error: %s\n", e.what());
        return 1;
    }
}
