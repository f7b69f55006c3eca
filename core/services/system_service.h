// The System page's data source: runs the doctor (probes, LibTorch facts, store health) off the GUI thread
// and hands the result back as a value through a queued signal.
#pragma once

#include "system/app_paths.h"

#include <QFutureWatcher>
#include <QJsonObject>
#include <QObject>

namespace hone {

// One report, as `hone doctor --json` prints it (torch_version, devices, blas, checks, ...).
struct SystemSnapshot {
    QJsonObject report;
    QString torchConfig; // LibTorch's build configuration text
};

class SystemService : public QObject {
    Q_OBJECT
public:
    explicit SystemService(AppPaths paths, QObject* parent = nullptr);
    ~SystemService() override;

    // Starts a refresh in the background; snapshotReady() follows. Ignored while one is running.
    void refresh();
    bool busy() const;
    // Synchronous variant (CLI, tests).
    static SystemSnapshot collect(const AppPaths& paths, const std::string& root = "/");

Q_SIGNALS:
    void snapshotReady(const hone::SystemSnapshot& snapshot);

private:
    AppPaths paths_;
    QFutureWatcher<SystemSnapshot> watcher_;
};

} // namespace hone

Q_DECLARE_METATYPE(hone::SystemSnapshot)
