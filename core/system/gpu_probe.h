// GPUs on the machine as the OS sees them, independent of LibTorch: AMD through the KFD topology and DRM
// sysfs (plus /dev/kfd and /dev/dri/renderD* access), NVIDIA through /proc/driver/nvidia and the CUDA driver.
#pragma once

#include "system/system_root.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hone {

struct GpuDevice {
    std::string vendor; // "AMD" or "NVIDIA"
    std::string name;
    std::string gfxTarget; // AMD only, e.g. "gfx1100"
    std::uint64_t memoryBytes = 0;
    std::string renderNode; // AMD only, e.g. "/dev/dri/renderD128"
};

struct GpuProbe {
    std::vector<GpuDevice> gpus;
    // AMD / ROCm
    bool kfdPresent = false;
    bool kfdAccessible = false;
    std::vector<std::string> renderNodes;             // /dev/dri/renderD* present
    std::vector<std::string> renderNodesInaccessible; // of those, not read+writable by this user
    std::string rocmVersion;                          // /opt/rocm/.info/version, if installed
    // NVIDIA / CUDA
    std::string nvidiaKernelDriver; // from /proc/driver/nvidia/version, e.g. "535.104.05"
    int cudaDriverApiVersion = 0;   // cuDriverGetVersion(), e.g. 12040 for 12.4; 0 when unknown

    bool hasAmd() const;
    bool hasNvidia() const;
};

GpuProbe probeGpus(const SystemRoot& root);

// gfx_target_version from the KFD topology (e.g. 110000, 90010) to a target name ("gfx1100", "gfx90a").
std::string gfxTargetName(unsigned long version);

} // namespace hone
