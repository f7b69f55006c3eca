// The dispatch switch between Hone's own GPU kernels (kernels/gpu, C ABI in kernels/gpu/launch.h) and the
// plain LibTorch ops. The engine's fused training ops ask it, per call, whether a tensor goes through Hone's
// kernels; when the answer is no they run LibTorch's ops, which work on every device.
//
// A backend is the table of the C ABI's functions plus how to reach LibTorch's current stream. A build made
// with HONE_GPU_KERNELS=CUDA or HIP has a built-in backend (the real kernels on `cuda` tensors; ROCm's
// LibTorch calls its GPUs `cuda` too); a CPU-only build has none. Tests install the same kernel sources
// compiled for the CPU emulation (kernels/gpu/emulate.h), which serve CPU tensors.
// HONE_KERNELS=off in the environment (or setKernelMode) forces the LibTorch path everywhere.
// Torch-free header.
#pragma once

#include "kernels/gpu/launch.h"

#include <cstdint>
#include <string>

namespace hone {

struct GpuKernelBackend {
    const char* name = "";          // "cuda", "hip", "cpu emulation"
    const char* architectures = ""; // what the code objects were built for, e.g. "sm_80 sm_90"
    bool servesCpuTensors = false;  // the emulation: "device" pointers are host pointers

    hone_gpu_status (*probe)(int device) = nullptr;
    void* (*currentStream)(int device) = nullptr; // LibTorch's current stream on `device` (null = default)

    decltype(&hone_gpu_rmsnorm_forward) rmsnormForward = nullptr;
    decltype(&hone_gpu_rmsnorm_backward) rmsnormBackward = nullptr;
    decltype(&hone_gpu_rope) rope = nullptr;
    decltype(&hone_gpu_glu_forward) gluForward = nullptr;
    decltype(&hone_gpu_glu_backward) gluBackward = nullptr;
    decltype(&hone_gpu_cross_entropy_forward) crossEntropyForward = nullptr;
    decltype(&hone_gpu_cross_entropy_backward) crossEntropyBackward = nullptr;
    decltype(&hone_gpu_lora_down) loraDown = nullptr;
    decltype(&hone_gpu_lora_up_add) loraUpAdd = nullptr;
    decltype(&hone_gpu_lora_backward) loraBackward = nullptr;
};

// The kernels compiled into this binary (HONE_GPU_KERNELS), or null in a CPU-only build.
const GpuKernelBackend* builtinGpuKernelBackend();

// The backend in use: the built-in one unless a test installed another (null restores the built-in).
const GpuKernelBackend* gpuKernelBackend();
void setGpuKernelBackend(const GpuKernelBackend* backend);

enum class KernelMode {
    Auto, // Hone's kernels wherever the backend serves the tensor's device and dtype
    Off,  // LibTorch's ops only
};
// Starts from HONE_KERNELS ("off"/"0"/"false" = Off; anything else, or unset, = Auto).
KernelMode kernelMode();
void setKernelMode(KernelMode mode);

// Peak bytes LibTorch's GPU allocator has held on `device` since the last reset (0 when unknown: a build
// without HONE_GPU_KERNELS does not link LibTorch's CUDA allocator API), and the reset.
std::uint64_t peakDeviceMemoryBytes(int device);
void resetPeakDeviceMemory(int device);

// One line for `hone doctor`: which kernels this build has and whether they are switched on.
std::string gpuKernelSummary();

// Forgets the per-device probe results (tests that swap backends).
void resetGpuKernelProbes();

} // namespace hone
