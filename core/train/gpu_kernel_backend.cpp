// The dispatch switch's state: the backend in use, the kernel mode and the per-device probe results.
#include "train/gpu_kernel_backend.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace hone {

namespace {

std::atomic<const GpuKernelBackend*> gOverride{nullptr}; // a test's backend; null: the built-in one

KernelMode modeFromEnvironment() {
    const char* v = std::getenv("HONE_KERNELS");
    if (v && (!std::strcmp(v, "off") || !std::strcmp(v, "0") || !std::strcmp(v, "false")))
        return KernelMode::Off;
    return KernelMode::Auto;
}

std::atomic<KernelMode>& modeSlot() {
    static std::atomic<KernelMode> mode{modeFromEnvironment()};
    return mode;
}

} // namespace

const GpuKernelBackend* gpuKernelBackend() {
    const GpuKernelBackend* b = gOverride.load();
    return b ? b : builtinGpuKernelBackend();
}

void setGpuKernelBackend(const GpuKernelBackend* backend) {
    gOverride = backend;
    resetGpuKernelProbes();
}

KernelMode kernelMode() {
    return modeSlot().load();
}

void setKernelMode(KernelMode mode) {
    modeSlot() = mode;
}

std::string gpuKernelSummary() {
    const GpuKernelBackend* b = builtinGpuKernelBackend();
    if (!b)
        return "not in this build (CPU-only; build with -DHONE_GPU_KERNELS=CUDA or HIP against a GPU "
               "LibTorch)";
    std::string s = std::string(b->name) + " kernels for " + b->architectures;
    if (kernelMode() == KernelMode::Off) s += ", switched off by HONE_KERNELS=off (LibTorch's ops are used)";
    return s;
}

} // namespace hone
