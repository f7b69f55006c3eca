// The doctor's checks. Each names what it found, and on failure what to do about it.
#include "system/doctor.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace hone {

namespace {
constexpr std::uint64_t GiB = 1024ull * 1024 * 1024;

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

DoctorCheck ok(std::string name, std::string message) {
    DoctorCheck c;
    c.name = std::move(name);
    c.message = std::move(message);
    return c;
}

DoctorCheck fail(std::string name, Severity sev, bool blocks, std::string message, std::string fix) {
    DoctorCheck c;
    c.name = std::move(name);
    c.ok = false;
    c.severity = sev;
    c.blocksTraining = blocks;
    c.message = std::move(message);
    c.fix = std::move(fix);
    return c;
}

void checkGpu(const DoctorInput& in, std::vector<DoctorCheck>& out) {
    const bool hardware = !in.gpus.gpus.empty() || in.gpus.kfdPresent || !in.gpus.nvidiaKernelDriver.empty();
    if (in.torch.gpuCount > 0) {
        out.push_back(ok("gpu", "LibTorch (" + in.torch.build + ") sees " +
                                    std::to_string(in.torch.gpuCount) +
                                    " GPU(s); training and chat run on cuda:0 by default"));
        return;
    }
    if (!hardware) {
        out.push_back(
            fail("gpu", Severity::Warning, false,
                 "no GPU found: no AMD (/dev/kfd, KFD topology) or NVIDIA (/proc/driver/nvidia) device on "
                 "this machine, and " +
                     in.torch.gpuUnavailableReason,
                 "Hone trains and chats on the CPU (slower). With a GPU, install its driver and build Hone "
                 "against the matching LibTorch (README, GPU section)."));
        return;
    }
    std::string what = in.gpus.gpus.empty() ? std::string("a GPU driver") : in.gpus.gpus.front().name;
    out.push_back(
        fail("gpu", Severity::Error, true,
             "this machine has " + what + " but LibTorch cannot use it: " + in.torch.gpuUnavailableReason +
                 " — training would silently fall back to the CPU",
             in.torch.builtWithCuda ? "fix the device access problems listed below, then rerun `hone doctor`"
                                    : "build Hone against a CUDA (NVIDIA) or ROCm (AMD) LibTorch: see the "
                                      "README's GPU section, or pass --device cpu to train on the CPU"));
}

void checkAmd(const DoctorInput& in, std::vector<DoctorCheck>& out) {
    const auto& g = in.gpus;
    if (!g.hasAmd() && !g.kfdPresent) return;
    if (!g.kfdPresent)
        out.push_back(
            fail("amd_kfd", Severity::Error, true,
                 "/dev/kfd is missing: the amdgpu kernel driver's compute "
                 "interface (KFD) is not loaded",
                 "install/load the amdgpu driver (e.g. `sudo modprobe amdgpu`; on some kernels install "
                 "amdgpu-dkms) and reboot"));
    else if (!g.kfdAccessible)
        out.push_back(fail(
            "amd_kfd", Severity::Error, true, "/dev/kfd exists but this user cannot open it for read/write",
            "add yourself to the render group: `sudo usermod -aG render,video $USER`, then log out and in"));
    else
        out.push_back(ok("amd_kfd", "/dev/kfd present and accessible"));

    if (g.renderNodes.empty())
        out.push_back(
            fail("amd_render_nodes", Severity::Error, true, "no /dev/dri/renderD* nodes found",
                 "check that the amdgpu driver is loaded (`lsmod | grep amdgpu`) and that /dev/dri is "
                 "visible (containers: pass --device /dev/dri)"));
    else if (!g.renderNodesInaccessible.empty())
        out.push_back(fail("amd_render_nodes", Severity::Error, true,
                           "cannot open " + join(g.renderNodesInaccessible, ", ") + " for read/write",
                           "`sudo usermod -aG render,video $USER`, then log out and in"));
    else
        out.push_back(ok("amd_render_nodes", join(g.renderNodes, ", ") + " accessible"));

    std::vector<std::string> missing;
    for (const char* grp : {"render", "video"})
        if (!has(in.groups, grp)) missing.push_back(grp);
    if (missing.empty())
        out.push_back(ok("amd_groups", "user '" + in.userName + "' is in the render and video groups"));
    else
        out.push_back(fail("amd_groups", Severity::Warning, false,
                           "user '" + in.userName + "' is not in the " + join(missing, " and ") +
                               " group(s); ROCm usually needs them to open the GPU",
                           "`sudo usermod -aG render,video $USER`, then log out and in"));

    for (const auto& gpu : g.gpus) {
        if (gpu.vendor != "AMD") continue;
        bool supported = false;
        std::string override = hsaOverrideFor(gpu.gfxTarget, &supported);
        bool inTorch = in.torch.gpuArchList.empty() || has(in.torch.gpuArchList, gpu.gfxTarget);
        std::string name = "amd_gfx_target";
        if (supported && inTorch) {
            out.push_back(
                ok(name, gpu.name + " is " + gpu.gfxTarget + ", a ROCm-supported target" +
                             (in.torch.gpuArchList.empty() ? "" : " that this LibTorch has kernels for")));
        } else if (!in.hsaOverride.empty()) {
            out.push_back(ok(name, gpu.name + " is " + gpu.gfxTarget + "; HSA_OVERRIDE_GFX_VERSION=" +
                                       in.hsaOverride + " is set, so ROCm treats it as a supported target"));
        } else if (!override.empty()) {
            out.push_back(
                fail(name, Severity::Error, true,
                     gpu.name + " is " + gpu.gfxTarget +
                         ", which ROCm/LibTorch ship no kernels for; the nearest supported target works",
                     "export HSA_OVERRIDE_GFX_VERSION=" + override + " before starting Hone"));
        } else {
            out.push_back(fail(
                name, Severity::Error, true,
                gpu.name + " is " + gpu.gfxTarget + ", which this LibTorch has no kernels for" +
                    (in.torch.gpuArchList.empty() ? ""
                                                  : " (it has: " + join(in.torch.gpuArchList, " ") + ")"),
                "use a LibTorch/ROCm build that includes " + gpu.gfxTarget + ", or --device cpu"));
        }
    }
    if (!g.rocmVersion.empty())
        out.push_back(ok("rocm_version", "ROCm " + g.rocmVersion + " installed in /opt/rocm"));
}

// "12.4" -> 12040, as cuDriverGetVersion reports.
int cudaVersionNumber(const std::string& build) {
    int major = 0, minor = 0;
    auto sp = build.find(' ');
    if (sp == std::string::npos || std::sscanf(build.c_str() + sp + 1, "%d.%d", &major, &minor) < 1) return 0;
    return major * 1000 + minor * 10;
}

void checkNvidia(const DoctorInput& in, std::vector<DoctorCheck>& out) {
    if (!in.gpus.hasNvidia()) return;
    const int driver = in.gpus.cudaDriverApiVersion;
    std::string driverText =
        driver ? std::to_string(driver / 1000) + "." + std::to_string((driver % 1000) / 10) : "unknown";
    if (!in.torch.builtWithCuda || in.torch.builtWithRocm) {
        out.push_back(fail("cuda_driver", Severity::Error, true,
                           "NVIDIA driver " + in.gpus.nvidiaKernelDriver + " (CUDA " + driverText +
                               ") found, but this LibTorch is a " + in.torch.build + " build",
                           "build Hone against a CUDA LibTorch whose CUDA version is <= " + driverText +
                               " (README, GPU section)"));
        return;
    }
    int runtime = cudaVersionNumber(in.torch.build);
    if (driver && runtime && driver < runtime)
        out.push_back(fail("cuda_driver", Severity::Error, true,
                           "the NVIDIA driver supports CUDA " + driverText + " but LibTorch was built for " +
                               in.torch.build,
                           "update the NVIDIA driver, or use a LibTorch built for CUDA <= " + driverText));
    else
        out.push_back(ok("cuda_driver", "NVIDIA driver " + in.gpus.nvidiaKernelDriver + " supports CUDA " +
                                            driverText + "; LibTorch uses " + in.torch.build));
}

void checkBlas(const DoctorInput& in, std::vector<DoctorCheck>& out) {
    const std::string fixOpenMp =
        "sudo update-alternatives --set libblas.so.3-x86_64-linux-gnu "
        "/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 (install libopenblas0-openmp first)";
    switch (in.blas.kind) {
    case BlasKind::OpenBlasOpenMp:
    case BlasKind::Mkl:
    case BlasKind::Blis:
        out.push_back(ok("blas", in.blas.name + " loaded (" + in.blas.path + ")" +
                                     (in.blas.config.empty() ? "" : "; " + in.blas.config)));
        break;
    case BlasKind::Reference:
        out.push_back(fail("blas", Severity::Warning, false,
                           "the reference BLAS is loaded (" + in.blas.path +
                               "): float32 matrix products run ~30x slower than with OpenBLAS",
                           fixOpenMp));
        break;
    case BlasKind::OpenBlasPthread:
    case BlasKind::OpenBlasSerial:
        out.push_back(fail("blas", Severity::Warning, false,
                           in.blas.name + " is loaded; its threads compete with LibTorch's OpenMP threads",
                           fixOpenMp));
        break;
    case BlasKind::Other:
        out.push_back(ok("blas", in.blas.name));
        break;
    case BlasKind::None:
        out.push_back(fail("blas", Severity::Warning, false, "no BLAS library is loaded in this process",
                           "install libopenblas0-openmp and select it with update-alternatives"));
        break;
    }
}

void checkResources(const DoctorInput& in, std::vector<DoctorCheck>& out) {
    const auto avail = in.host.memAvailableBytes;
    if (avail == 0)
        out.push_back(
            fail("memory", Severity::Warning, false, "could not read available memory (/proc/meminfo)", ""));
    else if (avail < 2 * GiB)
        out.push_back(fail("memory", Severity::Warning, false,
                           formatBytes(avail) + " of RAM available (of " +
                               formatBytes(in.host.memTotalBytes) + "); even small models need a few GiB",
                           "close other programs, or train with a smaller batch / sequence length"));
    else
        out.push_back(ok("memory", formatBytes(avail) + " of " + formatBytes(in.host.memTotalBytes) +
                                       " RAM available"));

    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path folder = in.dataFolder;
    const bool writable = in.dataFolderWritable;
    if (fs::exists(folder, ec) && !fs::is_directory(folder, ec))
        out.push_back(fail("data_folder", Severity::Error, true,
                           in.dataFolder + " exists but is not a folder",
                           "move that file away, or choose another data folder (--home DIR or HONE_HOME)"));
    else if (!writable)
        out.push_back(fail(
            "data_folder", Severity::Error, true, "cannot write to the data folder " + in.dataFolder,
            "fix its permissions (chmod u+w), or choose another data folder with --home DIR or HONE_HOME"));
    else
        out.push_back(ok("data_folder", in.dataFolder + " is writable"));

    if (!in.disk.known)
        out.push_back(
            fail("disk", Severity::Warning, false, "could not read free space for " + in.dataFolder, ""));
    else if (in.disk.freeBytes < 1 * GiB)
        out.push_back(
            fail("disk", Severity::Error, true,
                 "only " + formatBytes(in.disk.freeBytes) + " free where the data folder lives (" +
                     in.dataFolder + "): checkpoints and exports will not fit",
                 "free some space, or move the data folder to a bigger disk (Settings, or --home DIR)"));
    else if (in.disk.freeBytes < 10 * GiB)
        out.push_back(fail("disk", Severity::Warning, false,
                           formatBytes(in.disk.freeBytes) +
                               " free for the data folder; a 7B model export needs ~15 GiB",
                           "free some space, or move the data folder to a bigger disk"));
    else
        out.push_back(ok("disk", formatBytes(in.disk.freeBytes) + " free for the data folder"));

    if (in.databaseOk.has_value()) {
        if (*in.databaseOk)
            out.push_back(ok("database", in.databaseMessage));
        else
            out.push_back(
                fail("database", Severity::Error, true, in.databaseMessage,
                     "see the message: move the file aside or restore a backup; Hone never resets it"));
    }
}

// Hone's fused GPU kernels: never a blocker (LibTorch's ops run the same training), but worth knowing.
void checkHoneKernels(const DoctorInput& in, std::vector<DoctorCheck>& out) {
    const std::string name = "hone_kernels";
    const TorchFacts& t = in.torch;
    if (!t.honeKernelsBuilt) {
        if (t.gpuCount > 0)
            out.push_back(
                fail(name, Severity::Info, false,
                     "this build has no Hone GPU kernels; training on the GPU uses LibTorch's ops",
                     "for the fused kernels, build with -DHONE_GPU_KERNELS=CUDA (NVIDIA) or HIP (AMD) "
                     "against this LibTorch (README, \"Building for a GPU\")"));
        else
            out.push_back(ok(name, "Hone's GPU kernels: " + t.honeKernels));
        return;
    }
    if (!t.honeKernelsUnusable.empty()) {
        out.push_back(fail(name, Severity::Warning, false,
                           "Hone's GPU kernels cannot run on this GPU: " + t.honeKernelsUnusable +
                               "; training uses LibTorch's ops instead (slower)",
                           "rebuild with this GPU's architecture in HONE_CUDA_ARCHS or HONE_HIP_ARCHS"));
        return;
    }
    out.push_back(ok(name, "Hone's GPU kernels: " + t.honeKernels +
                               (t.gpuCount > 0 ? ", usable on this GPU" : " (no GPU to run them on now)")));
}

} // namespace

bool DoctorReport::blocksTraining() const {
    return std::any_of(checks.begin(), checks.end(),
                       [](const DoctorCheck& c) { return !c.ok && c.blocksTraining; });
}

std::string hsaOverrideFor(const std::string& gfx, bool* supported) {
    static const std::vector<std::string> official = {"gfx900",  "gfx906",  "gfx908",  "gfx90a",  "gfx940",
                                                      "gfx941",  "gfx942",  "gfx1030", "gfx1100", "gfx1101",
                                                      "gfx1102", "gfx1200", "gfx1201"};
    *supported = has(official, gfx);
    if (*supported) return {};
    if (gfx.rfind("gfx103", 0) == 0) return "10.3.0";
    if (gfx.rfind("gfx110", 0) == 0 || gfx.rfind("gfx115", 0) == 0) return "11.0.0";
    if (gfx.rfind("gfx120", 0) == 0) return "12.0.0";
    if (gfx == "gfx902" || gfx == "gfx909" || gfx == "gfx90c") return "9.0.0";
    return {};
}

std::string formatBytes(std::uint64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

DoctorInput gatherDoctorInput(const SystemRoot& root, const TorchFacts& torch,
                              const std::string& dataFolder) {
    DoctorInput in;
    in.host = probeHost(root);
    in.gpus = probeGpus(root);
    in.blas = probeBlas(root);
    in.torch = torch;
    in.dataFolder = dataFolder;
    in.disk = diskSpace(dataFolder);
    {
        namespace fs = std::filesystem;
        std::error_code ec;
        fs::path probe = dataFolder; // the folder, or the nearest parent it would be created in
        while (!probe.empty() && !fs::exists(probe, ec)) probe = probe.parent_path();
        in.dataFolderWritable = !probe.empty() && root.identity().mayReadWrite(probe.string(), true);
    }
    in.userName = currentUserName();
    in.groups = userGroups(root, in.userName);
    if (const char* o = std::getenv("HSA_OVERRIDE_GFX_VERSION")) in.hsaOverride = o;
    return in;
}

DoctorReport runDoctor(const DoctorInput& in) {
    DoctorReport r;
    r.checks.push_back(ok("libtorch", "LibTorch " + in.torch.version + " (" + in.torch.build + " build), " +
                                          std::to_string(in.torch.threads) + " thread(s), " +
                                          in.torch.parallelBackend));
    checkGpu(in, r.checks);
    checkAmd(in, r.checks);
    checkNvidia(in, r.checks);
    checkHoneKernels(in, r.checks);
    checkBlas(in, r.checks);
    checkResources(in, r.checks);
    return r;
}

} // namespace hone
