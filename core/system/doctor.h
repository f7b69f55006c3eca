// `hone doctor`: turns what the probes found into checks, each with a message and an actionable fix.
// Pure logic over plain data, so tests can feed it fake trees and fake LibTorch facts.
#pragma once

#include "system/blas_probe.h"
#include "system/gpu_probe.h"
#include "system/host_probe.h"

#include <optional>
#include <string>
#include <vector>

namespace hone {

// What the linked LibTorch reported (filled by the engine; see device/torch_runtime.h).
struct TorchFacts {
    std::string version;
    std::string build; // "CPU", "CUDA 12.1", "ROCm 6.0"
    bool builtWithCuda = false;
    bool builtWithRocm = false;
    int gpuCount = 0;
    std::string gpuUnavailableReason;
    int threads = 1;
    std::string parallelBackend;
    std::vector<std::string> gpuArchList; // archs LibTorch has kernels for; empty when unknown
    // Hone's own GPU kernels (train/gpu_kernel_backend.h): whether this build has them, what for, and why
    // they cannot run on GPU 0 (empty when they can, or when there is no GPU or no kernels).
    bool honeKernelsBuilt = false;
    std::string honeKernels;
    std::string honeKernelsUnusable;
};

struct DoctorInput {
    HostInfo host;
    GpuProbe gpus;
    BlasInfo blas;
    TorchFacts torch;
    std::string dataFolder;
    bool dataFolderWritable = false; // creatable or writable by the identity
    DiskSpace disk;
    std::string userName;
    std::vector<std::string> groups;
    std::string hsaOverride; // HSA_OVERRIDE_GFX_VERSION, if set
    // Filled by callers that can open the store (Qt builds); unset means "not checked".
    std::optional<bool> databaseOk;
    std::string databasePath;
    std::string databaseMessage;
};

enum class Severity { Info, Warning, Error };

struct DoctorCheck {
    std::string name;
    bool ok = true;
    Severity severity = Severity::Info; // how bad it is when !ok
    bool blocksTraining = false;        // a failed check that stops training (non-zero exit)
    std::string message;
    std::string fix; // empty when ok
};

struct DoctorReport {
    std::vector<DoctorCheck> checks;
    bool blocksTraining() const;
};

// Collects host, GPU, BLAS, disk and group facts from `root` (the real "/" or a fake tree).
DoctorInput gatherDoctorInput(const SystemRoot& root, const TorchFacts& torch, const std::string& dataFolder);

DoctorReport runDoctor(const DoctorInput& in);

// The ROCm target advice: empty when `gfx` is officially supported, else the HSA_OVERRIDE_GFX_VERSION value
// that makes ROCm treat it as the nearest supported target ("" if none is known).
std::string hsaOverrideFor(const std::string& gfx, bool* supported);

std::string formatBytes(std::uint64_t bytes);

} // namespace hone
