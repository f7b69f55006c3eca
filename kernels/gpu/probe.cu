// hone_gpu_probe: asks the runtime whether this build's code objects fit a GPU, so the engine can choose
// Hone's kernels or LibTorch's ops before the first launch instead of failing inside a training step.
#include "common.cuh"

#if !defined(HONE_GPU_EMULATE)
namespace {
__global__ void honeProbeKernel(int* flag) {
    if (flag) *flag = 1;
}
} // namespace
#endif

extern "C" hone_gpu_status hone_gpu_probe(int device) {
#if defined(HONE_GPU_EMULATE)
    (void)device; // the emulation runs anywhere
    return hone::kernels::gpu::okStatus();
#else
    int previous = 0;
    if (honeGetDevice(&previous) != honeSuccess) {
        (void)honeGetLastError();
        return {HONE_GPU_LAUNCH_FAILED, "the GPU runtime found no usable device (driver missing or too old)"};
    }
    if (honeSetDevice(device) != honeSuccess) {
        (void)honeGetLastError();
        return {HONE_GPU_LAUNCH_FAILED, "the GPU runtime cannot select this device"};
    }
    honeFuncAttributes attributes{};
    const honeError_t e = honeFuncGetAttributes(&attributes, reinterpret_cast<const void*>(&honeProbeKernel));
    (void)honeSetDevice(previous);
    if (e != honeSuccess) {
        (void)honeGetLastError();
        return {HONE_GPU_NO_DEVICE_CODE,
                "Hone's kernels hold no code for this GPU's architecture: rebuild with it in HONE_CUDA_ARCHS "
                "(NVIDIA) or HONE_HIP_ARCHS (AMD)"};
    }
    return hone::kernels::gpu::okStatus();
#endif
}
