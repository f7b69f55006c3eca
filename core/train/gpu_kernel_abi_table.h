// A GpuKernelBackend filled with the C ABI functions of kernels/gpu/launch.h, as linked into this program:
// the real kernels (hone_kernels_gpu) in a GPU build, or the same sources compiled for the CPU emulation in
// tests. The caller sets the name, architectures, stream and whether CPU tensors are served.
#pragma once

#include "train/gpu_kernel_backend.h"

namespace hone {

inline GpuKernelBackend launchAbiBackend() {
    GpuKernelBackend b;
    b.probe = &hone_gpu_probe;
    b.rmsnormForward = &hone_gpu_rmsnorm_forward;
    b.rmsnormBackward = &hone_gpu_rmsnorm_backward;
    b.rope = &hone_gpu_rope;
    b.gluForward = &hone_gpu_glu_forward;
    b.gluBackward = &hone_gpu_glu_backward;
    b.crossEntropyForward = &hone_gpu_cross_entropy_forward;
    b.crossEntropyBackward = &hone_gpu_cross_entropy_backward;
    b.loraDown = &hone_gpu_lora_down;
    b.loraUpAdd = &hone_gpu_lora_up_add;
    b.loraBackward = &hone_gpu_lora_backward;
    return b;
}

} // namespace hone
