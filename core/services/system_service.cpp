// Background doctor runs for the GUI.
#include "services/system_service.h"

#include "device/torch_runtime.h"
#include "services/store_facts.h"
#include "system/doctor_json.h"

#include <QJsonDocument>
#include <QtConcurrent/QtConcurrentRun>

namespace hone {

SystemService::SystemService(AppPaths paths, QObject* parent)
    : QObject(parent)
    , paths_(std::move(paths)) {
    qRegisterMetaType<hone::SystemSnapshot>();
    connect(&watcher_, &QFutureWatcher<SystemSnapshot>::finished, this,
            [this] { Q_EMIT snapshotReady(watcher_.result()); });
}

SystemService::~SystemService() {
    watcher_.waitForFinished();
}

bool SystemService::busy() const {
    return watcher_.isRunning();
}

void SystemService::refresh() {
    if (watcher_.isRunning()) return;
    const AppPaths paths = paths_;
    watcher_.setFuture(QtConcurrent::run([paths] { return collect(paths); }));
}

SystemSnapshot SystemService::collect(const AppPaths& paths, const std::string& root) {
    TorchRuntimeInfo info = probeTorchRuntime();
    DoctorInput in = gatherDoctorInput(SystemRoot(root), torchFacts(info), paths.home);
    addStoreFacts(in, paths);
    DoctorReport report = runDoctor(in);
    SystemSnapshot snap;
    const std::string json = doctorToJson(in, report).dump();
    snap.report = QJsonDocument::fromJson(QByteArray::fromStdString(json)).object();
    snap.torchConfig = QString::fromStdString(info.config);
    return snap;
}

} // namespace hone
