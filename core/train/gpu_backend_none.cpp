// The built-in GPU kernel backend of a CPU-only build: none (the fused ops use LibTorch's ops on any GPU).
#include "train/gpu_kernel_backend.h"

namespace hone {

const GpuKernelBackend* builtinGpuKernelBackend() {
    return nullptr;
}

std::uint64_t peakDeviceMemoryBytes(int) {
    return 0;
}

void resetPeakDeviceMemory(int) {}

} // namespace hone
