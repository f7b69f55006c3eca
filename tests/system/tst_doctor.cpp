// Doctor checks over fake /sys, /dev, /proc and /etc trees: AMD device access and groups, gfx targets and the
// HSA override advice, NVIDIA driver/runtime match, BLAS detection, data folder and disk.
#include "common/test_support.h"
#include "system/doctor.h"
#include "system/doctor_json.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <unistd.h>

using namespace hone;

namespace {

// A fake machine root in a temporary folder.
class FakeTree {
public:
    FakeTree() { QVERIFY(dir_.isValid()); }
    std::string root() const { return dir_.path().toStdString(); }
    void write(const QString& absolute, const QByteArray& text, QFile::Permissions perms = {}) {
        const QString p = dir_.path() + absolute;
        QDir().mkpath(QFileInfo(p).absolutePath());
        QFile f(p);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
        f.close();
        if (perms) QVERIFY(f.setPermissions(perms));
    }
    void chgrp(const QString& absolute, unsigned gid) {
        QVERIFY(::chown((dir_.path() + absolute).toLocal8Bit().constData(), static_cast<uid_t>(-1), gid) ==
                0);
    }
    // An AMD GPU with the given gfx_target_version, exposed through KFD topology node 1 and renderD128.
    void amdGpu(unsigned long gfx) {
        write("/sys/class/kfd/kfd/topology/nodes/0/properties", "cpu_cores_count 16\ngfx_target_version 0\n");
        write("/sys/class/kfd/kfd/topology/nodes/1/properties",
              QByteArray("cpu_cores_count 0\ngfx_target_version ") + QByteArray::number(qulonglong(gfx)) +
                  "\ndrm_render_minor 128\n");
        write("/sys/class/drm/renderD128/device/product_name", "Radeon RX 7900 XTX\n");
        write("/sys/class/drm/renderD128/device/mem_info_vram_total", "25753026560\n");
    }

private:
    QTemporaryDir dir_;
};

// An ordinary user (uid 1000) in group 1000 only. The suite runs as root in CI; the fake trees need root to
// set device-node groups, so the tests that do skip otherwise.
Identity ordinaryUser() {
    Identity id;
    id.uid = 1000;
    id.gids = {1000};
    return id;
}

TorchFacts cpuTorch() {
    TorchFacts t;
    t.version = "1.13.0";
    t.build = "CPU";
    t.threads = 2;
    t.parallelBackend = "OpenMP";
    t.gpuUnavailableReason = "this LibTorch is a CPU-only build";
    return t;
}

const DoctorCheck* find(const DoctorReport& r, const std::string& name) {
    for (const auto& c : r.checks)
        if (c.name == name) return &c;
    return nullptr;
}

DoctorInput gather(const FakeTree& tree, const TorchFacts& torch, const QString& dataFolder) {
    // Running as root (CI): hand the data folder to the ordinary user the checks evaluate.
    if (::geteuid() == 0 && QFileInfo(dataFolder).isDir() &&
        ::chown(dataFolder.toLocal8Bit().constData(), 1000, 1000) != 0)
        qWarning("cannot chown %s", qPrintable(dataFolder));
    DoctorInput in =
        gatherDoctorInput(SystemRoot(tree.root(), ordinaryUser()), torch, dataFolder.toStdString());
    in.userName = "alice";
    in.groups = userGroups(SystemRoot(tree.root(), ordinaryUser()), "alice");
    return in;
}

} // namespace

class TestDoctor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void gfxTargetNames() {
        QCOMPARE(gfxTargetName(110000), std::string("gfx1100"));
        QCOMPARE(gfxTargetName(90010), std::string("gfx90a"));
        QCOMPARE(gfxTargetName(100300), std::string("gfx1030"));
        QCOMPARE(gfxTargetName(90402), std::string("gfx942"));
    }

    void noGpuIsAWarningNotABlocker() {
        FakeTree tree;
        tree.write("/proc/meminfo", "MemTotal:       16384000 kB\nMemAvailable:   8192000 kB\n");
        tree.write("/proc/cpuinfo",
                   "processor\t: 0\nmodel name\t: Test CPU 9000\nphysical id\t: 0\ncore id\t: 0\n"
                   "processor\t: 1\nmodel name\t: Test CPU 9000\nphysical id\t: 0\ncore id\t: 0\n");
        QTemporaryDir data;
        DoctorInput in = gather(tree, cpuTorch(), data.path());
        QCOMPARE(in.host.cpuModel, std::string("Test CPU 9000"));
        QCOMPARE(in.host.logicalCpus, 2);
        QCOMPARE(in.host.physicalCores, 1);
        QCOMPARE(in.host.memAvailableBytes, 8192000ull * 1024);
        DoctorReport r = runDoctor(in);
        const DoctorCheck* gpu = find(r, "gpu");
        QVERIFY(gpu && !gpu->ok);
        QVERIFY(gpu->severity == Severity::Warning);
        QVERIFY(QString::fromStdString(gpu->message).contains("no GPU found"));
        QVERIFY(QString::fromStdString(gpu->message).contains("CPU-only"));
        QVERIFY(!find(r, "amd_kfd"));
        QVERIFY(!r.blocksTraining());
        const Json j = doctorToJson(in, r);
        QCOMPARE(j["devices"].size(), std::size_t(1));
        QCOMPARE(j["devices"][0]["type"].get<std::string>(), std::string("cpu"));
        QCOMPARE(j["devices"][0]["memory_bytes"].get<std::uint64_t>(), 16384000ull * 1024);
    }

    void amdWithoutDeviceAccessBlocks() {
        if (::geteuid() != 0) QSKIP("needs root to give fake device nodes another group");
        FakeTree tree;
        tree.amdGpu(110000);
        tree.write("/dev/kfd", "",
                   QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::WriteGroup);
        tree.write("/dev/dri/renderD128", "",
                   QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::WriteGroup);
        tree.chgrp("/dev/kfd", 4242);
        tree.chgrp("/dev/dri/renderD128", 4242);
        tree.write("/etc/group", "render:x:4242:bob\nvideo:x:44:alice\n");
        QTemporaryDir data;
        DoctorInput in = gather(tree, cpuTorch(), data.path());
        QCOMPARE(in.gpus.gpus.size(), std::size_t(1));
        QCOMPARE(in.gpus.gpus[0].gfxTarget, std::string("gfx1100"));
        QCOMPARE(in.gpus.gpus[0].name, std::string("Radeon RX 7900 XTX"));
        QCOMPARE(in.gpus.gpus[0].memoryBytes, 25753026560ull);
        DoctorReport r = runDoctor(in);
        const DoctorCheck* kfd = find(r, "amd_kfd");
        QVERIFY(kfd && !kfd->ok && kfd->blocksTraining);
        QVERIFY(QString::fromStdString(kfd->fix).contains("usermod -aG render,video"));
        const DoctorCheck* nodes = find(r, "amd_render_nodes");
        QVERIFY(nodes && !nodes->ok);
        QVERIFY(QString::fromStdString(nodes->message).contains("/dev/dri/renderD128"));
        const DoctorCheck* groups = find(r, "amd_groups");
        QVERIFY(groups && !groups->ok);
        QVERIFY(QString::fromStdString(groups->message).contains("render"));
        QVERIFY(!QString::fromStdString(groups->message).contains("video"));
        // A GPU that LibTorch cannot use is the silent CPU fallback: it blocks.
        const DoctorCheck* gpu = find(r, "gpu");
        QVERIFY(gpu && !gpu->ok && gpu->blocksTraining);
        QVERIFY(r.blocksTraining());
    }

    void amdWithAccessAndRocmTorchPasses() {
        if (::geteuid() != 0) QSKIP("needs root to give fake device nodes another group");
        FakeTree tree;
        tree.amdGpu(90010);
        tree.write("/dev/kfd", "",
                   QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::WriteGroup);
        tree.write("/dev/dri/renderD128", "",
                   QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::WriteGroup);
        tree.chgrp("/dev/kfd", 1000);
        tree.chgrp("/dev/dri/renderD128", 1000);
        tree.write("/etc/group", "render:x:1000:alice\nvideo:x:44:alice\n");
        tree.write("/opt/rocm/.info/version", "6.0.2-115\n");
        TorchFacts t = cpuTorch();
        t.build = "ROCm 6.0";
        t.builtWithCuda = t.builtWithRocm = true;
        t.gpuCount = 1;
        t.gpuUnavailableReason.clear();
        QTemporaryDir data;
        DoctorReport r = runDoctor(gather(tree, t, data.path()));
        for (const char* name :
             {"gpu", "amd_kfd", "amd_render_nodes", "amd_groups", "amd_gfx_target", "rocm_version"}) {
            const DoctorCheck* c = find(r, name);
            QVERIFY2(c, name);
            QVERIFY2(c->ok, (std::string(name) + ": " + c->message).c_str());
        }
        QVERIFY(QString::fromStdString(find(r, "amd_gfx_target")->message).contains("gfx90a"));
        QVERIFY(!r.blocksTraining());
    }

    // Hone's GPU kernels: reported, never blocking; the fix says how to build them or for which GPU.
    void honeKernelsAreReportedNotRequired() {
        FakeTree tree;
        QTemporaryDir data;
        TorchFacts t = cpuTorch();
        t.honeKernels = "not in this build (CPU-only)";
        const DoctorCheck* c = nullptr;
        DoctorReport r = runDoctor(gather(tree, t, data.path()));
        QVERIFY((c = find(r, "hone_kernels")) && c->ok);

        t.build = "CUDA 12.4";
        t.builtWithCuda = true;
        t.gpuCount = 1;
        r = runDoctor(gather(tree, t, data.path()));
        QVERIFY((c = find(r, "hone_kernels")) && !c->ok && !c->blocksTraining);
        QCOMPARE(c->severity, Severity::Info);
        QVERIFY(QString::fromStdString(c->fix).contains("-DHONE_GPU_KERNELS=CUDA"));

        t.honeKernelsBuilt = true;
        t.honeKernels = "cuda kernels for sm_80 sm_90";
        t.honeKernelsUnusable = "no code for this GPU's architecture";
        r = runDoctor(gather(tree, t, data.path()));
        QVERIFY((c = find(r, "hone_kernels")) && !c->ok && !c->blocksTraining);
        QCOMPARE(c->severity, Severity::Warning);
        QVERIFY(QString::fromStdString(c->message).contains("no code for this GPU's architecture"));
        QVERIFY(QString::fromStdString(c->fix).contains("HONE_CUDA_ARCHS"));

        t.honeKernelsUnusable.clear();
        r = runDoctor(gather(tree, t, data.path()));
        QVERIFY((c = find(r, "hone_kernels")) && c->ok);
        QVERIFY(QString::fromStdString(c->message).contains("sm_80 sm_90, usable on this GPU"));
    }

    void unsupportedGfxGetsOverrideAdvice() {
        FakeTree tree;
        tree.amdGpu(100301); // gfx1031 (RX 6700 XT): not in ROCm's list, works as 10.3.0
        QTemporaryDir data;
        DoctorInput in = gather(tree, cpuTorch(), data.path());
        DoctorReport r = runDoctor(in);
        const DoctorCheck* gfx = find(r, "amd_gfx_target");
        QVERIFY(gfx && !gfx->ok);
        QCOMPARE(QString::fromStdString(gfx->fix),
                 QStringLiteral("export HSA_OVERRIDE_GFX_VERSION=10.3.0 before starting Hone"));
        in.hsaOverride = "10.3.0";
        r = runDoctor(in);
        QVERIFY(find(r, "amd_gfx_target")->ok);
        bool supported = true;
        QCOMPARE(hsaOverrideFor("gfx1103", &supported), std::string("11.0.0"));
        QVERIFY(!supported);
        QCOMPARE(hsaOverrideFor("gfx1100", &supported), std::string());
        QVERIFY(supported);
    }

    void nvidiaDriverOlderThanRuntimeBlocks() {
        FakeTree tree;
        tree.write(
            "/proc/driver/nvidia/version",
            "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\n");
        tree.write("/proc/driver/nvidia/gpus/0000:01:00.0/information",
                   "Model: \t\t NVIDIA GeForce RTX 4090\nIRQ: 1\n");
        TorchFacts t = cpuTorch();
        t.build = "CUDA 12.4";
        t.builtWithCuda = true;
        QTemporaryDir data;
        DoctorInput in = gather(tree, t, data.path());
        QCOMPARE(in.gpus.nvidiaKernelDriver, std::string("535.104.05"));
        QCOMPARE(in.gpus.gpus.size(), std::size_t(1));
        QCOMPARE(in.gpus.gpus[0].name, std::string("NVIDIA GeForce RTX 4090"));
        in.gpus.cudaDriverApiVersion = 12020; // driver 535 supports CUDA 12.2
        DoctorReport r = runDoctor(in);
        const DoctorCheck* cuda = find(r, "cuda_driver");
        QVERIFY(cuda && !cuda->ok && cuda->blocksTraining);
        QVERIFY(QString::fromStdString(cuda->message).contains("12.2"));
        QVERIFY(QString::fromStdString(cuda->message).contains("CUDA 12.4"));
        in.gpus.cudaDriverApiVersion = 12040;
        in.torch.gpuCount = 1;
        r = runDoctor(in);
        QVERIFY(find(r, "cuda_driver")->ok);
        QVERIFY(find(r, "gpu")->ok);
    }

    void blasKindFromMemoryMap() {
        FakeTree tree;
        tree.write("/proc/self/maps",
                   "7f00-7f01 r-xp 00000000 fe:00 1 /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0\n");
        QTemporaryDir data;
        DoctorReport r = runDoctor(gather(tree, cpuTorch(), data.path()));
        const DoctorCheck* blas = find(r, "blas");
        QVERIFY(blas && !blas->ok);
        QVERIFY(QString::fromStdString(blas->message).contains("reference BLAS"));
        QVERIFY(QString::fromStdString(blas->fix).contains("openblas-openmp"));

        FakeTree good;
        good.write(
            "/proc/self/maps",
            "7f00-7f01 r-xp 00000000 fe:00 1 /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3\n");
        BlasInfo b = probeBlas(SystemRoot(good.root()));
        QVERIFY(b.kind == BlasKind::OpenBlasOpenMp);
        QCOMPARE(b.name, std::string("OpenBLAS (OpenMP)"));
    }

    void unwritableDataFolderBlocks() {
        FakeTree tree;
        QTemporaryDir data;
        const QString locked = data.path() + "/locked";
        QVERIFY(QDir().mkpath(locked));
        QVERIFY(QFile::setPermissions(locked, QFile::ReadOwner | QFile::ExeOwner | QFile::ReadGroup |
                                                  QFile::ExeGroup));
        DoctorReport r = runDoctor(gather(tree, cpuTorch(), locked + "/hone"));
        const DoctorCheck* folder = find(r, "data_folder");
        QVERIFY(folder && !folder->ok && folder->blocksTraining);
        QVERIFY(QString::fromStdString(folder->fix).contains("--home"));
        QVERIFY(r.blocksTraining());
        QFile::setPermissions(locked, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    void lowDiskIsReported() {
        FakeTree tree;
        QTemporaryDir data;
        DoctorInput in = gather(tree, cpuTorch(), data.path());
        QVERIFY(in.disk.known);
        in.disk.freeBytes = 512ull << 20;
        DoctorReport r = runDoctor(in);
        const DoctorCheck* disk = find(r, "disk");
        QVERIFY(disk && !disk->ok && disk->blocksTraining);
        QVERIFY(QString::fromStdString(disk->message).contains("512.0 MiB"));
    }
};

QTEST_GUILESS_MAIN(TestDoctor)
#include "tst_doctor.moc"
