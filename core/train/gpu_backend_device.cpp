// The built-in GPU kernel backend of a HONE_GPU_KERNELS=CUDA or HIP build: the kernels of kernels/gpu
// (library hone_kernels_gpu) on LibTorch's `cuda` tensors, launched on LibTorch's current stream. ROCm's
// LibTorch keeps the CUDA names for its HIP streams, so this file is the same for both vendors.
#include "train/gpu_kernel_abi_table.h"

#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAStream.h>

#ifndef HONE_GPU_ARCHITECTURES
#define HONE_GPU_ARCHITECTURES "unknown architectures"
#endif
#ifndef HONE_GPU_VENDOR
#define HONE_GPU_VENDOR "cuda"
#endif

namespace hone {

namespace {

void* currentStream(int device) {
    return c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(device)).stream();
}

GpuKernelBackend makeBackend() {
    GpuKernelBackend b = launchAbiBackend();
    b.name = HONE_GPU_VENDOR;
    b.architectures = HONE_GPU_ARCHITECTURES;
    b.currentStream = &currentStream;
    return b;
}

} // namespace

const GpuKernelBackend* builtinGpuKernelBackend() {
    static const GpuKernelBackend backend = makeBackend();
    return &backend;
}

std::uint64_t peakDeviceMemoryBytes(int device) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device));
    return static_cast<std::uint64_t>(stats.allocated_bytes[0].peak); // [0]: all pools together
}

void resetPeakDeviceMemory(int device) {
    c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(device));
}

} // namespace hone
