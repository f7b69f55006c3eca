// What the linked LibTorch can do: version, build flavour (CPU/CUDA/ROCm), GPUs it sees, threads, BLAS.
// Torch-free header; `hone doctor` and the System page report from it.
#pragma once

#include "system/doctor.h"

#include <string>

namespace hone {

struct TorchRuntimeInfo {
    std::string version;              // e.g. "1.13.0"
    std::string build;                // "CPU", "CUDA x.y" or "ROCm x.y"
    bool builtWithCuda = false;       // LibTorch has the CUDA backend (also true for ROCm builds)
    bool builtWithRocm = false;       // the CUDA backend is HIP underneath
    int gpuCount = 0;                 // GPUs LibTorch can use now
    int threads = 1;                  // intra-op threads currently configured
    std::string parallelBackend;      // OpenMP / native
    std::string gpuUnavailableReason; // empty when gpuCount > 0
    std::string config;               // at::show_config(), for the System page's details
};

TorchRuntimeInfo probeTorchRuntime();
int torchGpuCount();
// Why LibTorch has no GPU, phrased for a user (what is missing and what to do).
std::string torchGpuUnavailableReason();

// The facts `hone doctor` needs from LibTorch.
TorchFacts torchFacts(const TorchRuntimeInfo& info);

} // namespace hone
