// Probes the linked LibTorch build through its public API.
#include "device/torch_runtime.h"

#include "train/gpu_kernel_backend.h"
#include "train/gpu_kernel_ops_torch.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <regex>

namespace hone {

namespace {
std::string findVersion(const std::string& config, const std::string& label) {
    std::smatch m;
    std::regex re(label + "\\s*([0-9]+(\\.[0-9]+)*)");
    if (std::regex_search(config, m, re)) return m[1].str();
    return {};
}
} // namespace

int torchGpuCount() {
    if (!at::hasCUDA()) return 0;
    return static_cast<int>(torch::cuda::device_count());
}

std::string torchGpuUnavailableReason() {
    if (!at::hasCUDA())
        return "this LibTorch (" + std::string(TORCH_VERSION) +
               ") is a CPU-only build, so no GPU can be used; build Hone against a CUDA or ROCm LibTorch "
               "(see the README's GPU section)";
    if (torch::cuda::device_count() == 0)
        return at::hasHIP() || at::globalContext().hasHIP()
                   ? "LibTorch was built for ROCm but sees no GPU (check /dev/kfd, /dev/dri and the "
                     "render/video "
                     "groups; `hone doctor` says which)"
                   : "LibTorch was built with CUDA but sees no GPU (is the NVIDIA driver loaded? does "
                     "nvidia-smi "
                     "work?)";
    return {};
}

TorchRuntimeInfo probeTorchRuntime() {
    TorchRuntimeInfo info;
    info.version = TORCH_VERSION;
    info.config = at::show_config();
    info.builtWithCuda = at::hasCUDA();
    info.builtWithRocm = info.config.find("USE_ROCM=ON") != std::string::npos ||
                         info.config.find("HIP Runtime") != std::string::npos;
    if (info.builtWithRocm) {
        std::string v = findVersion(info.config, "HIP Runtime");
        info.build = "ROCm" + (v.empty() ? std::string() : " " + v);
    } else if (info.builtWithCuda) {
        std::string v = findVersion(info.config, "CUDA Runtime");
        info.build = "CUDA" + (v.empty() ? std::string() : " " + v);
    } else {
        info.build = "CPU";
    }
    info.gpuCount = torchGpuCount();
    if (info.gpuCount == 0) info.gpuUnavailableReason = torchGpuUnavailableReason();
    info.threads = at::get_num_threads();
    std::string par = at::get_parallel_info();
    info.parallelBackend = par.find("OpenMP") != std::string::npos ? "OpenMP" : "native";
    return info;
}

TorchFacts torchFacts(const TorchRuntimeInfo& info) {
    TorchFacts f;
    f.version = info.version;
    f.build = info.build;
    f.builtWithCuda = info.builtWithCuda;
    f.builtWithRocm = info.builtWithRocm;
    f.gpuCount = info.gpuCount;
    f.gpuUnavailableReason = info.gpuUnavailableReason;
    f.threads = info.threads;
    f.parallelBackend = info.parallelBackend;
    f.honeKernelsBuilt = builtinGpuKernelBackend() != nullptr;
    f.honeKernels = gpuKernelSummary();
    // Switched off on purpose (HONE_KERNELS=off) is not "unusable": the summary says so instead.
    if (f.honeKernelsBuilt && info.gpuCount > 0 && kernelMode() == KernelMode::Auto &&
        !gpuk::useGpuKernels(torch::empty({1}, torch::kCUDA)))
        f.honeKernelsUnusable = gpuk::lastProbeFailure();
    return f;
}

} // namespace hone
