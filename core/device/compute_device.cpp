// Device parsing/resolution and thread set-up on LibTorch.
#include "device/compute_device.h"

#include "common/error.h"
#include "device/torch_runtime.h"

#include <ATen/Parallel.h>
#include <cstdlib>
#include <thread>

namespace hone {

DeviceSpec DeviceSpec::parse(const std::string& text) {
    if (text.empty() || text == "auto") return {DeviceKind::Auto, 0};
    if (text == "cpu") return {DeviceKind::Cpu, 0};
    if (text == "cuda" || text == "gpu") return {DeviceKind::Cuda, 0};
    if (text.rfind("cuda:", 0) == 0 && text.size() > 5) {
        int idx = 0;
        for (char c : text.substr(5)) {
            if (c < '0' || c > '9' || idx > 1000)
                throw Error("bad device '" + text + "': expected auto, cpu, cuda or cuda:N");
            idx = idx * 10 + (c - '0');
        }
        return {DeviceKind::Cuda, idx};
    }
    throw Error("unknown device '" + text + "': expected auto, cpu, cuda or cuda:N");
}

std::string DeviceSpec::str() const {
    switch (kind) {
    case DeviceKind::Auto:
        return "auto";
    case DeviceKind::Cpu:
        return "cpu";
    case DeviceKind::Cuda:
        return "cuda:" + std::to_string(index);
    }
    return "auto";
}

DType parseDType(const std::string& text) {
    if (text == "f32" || text == "float32" || text == "fp32") return DType::F32;
    if (text == "bf16" || text == "bfloat16") return DType::BF16;
    if (text == "f16" || text == "float16" || text == "fp16" || text == "half") return DType::F16;
    throw Error("unknown dtype '" + text + "': expected f32, bf16 or f16");
}

std::string dtypeName(DType d) {
    switch (d) {
    case DType::F32:
        return "f32";
    case DType::BF16:
        return "bf16";
    case DType::F16:
        return "f16";
    }
    return "f32";
}

DeviceSpec resolveDevice(const DeviceSpec& requested) {
    const int gpus = torchGpuCount();
    if (requested.kind == DeviceKind::Auto)
        return gpus > 0 ? DeviceSpec{DeviceKind::Cuda, 0} : DeviceSpec{DeviceKind::Cpu, 0};
    if (requested.kind == DeviceKind::Cuda) {
        if (gpus == 0)
            throw Error("device " + requested.str() + " requested but " + torchGpuUnavailableReason() +
                        "; use --device cpu, or run `hone doctor` for what to fix");
        if (requested.index >= gpus)
            throw Error("device " + requested.str() + " does not exist: LibTorch sees " +
                        std::to_string(gpus) + " GPU(s) (cuda:0..cuda:" + std::to_string(gpus - 1) + ")");
    }
    return requested;
}

DType computeDTypeFor(const DeviceSpec& device, DType requested) {
    if (requested == DType::F16 && device.kind != DeviceKind::Cuda) return DType::F32;
    return requested;
}

void configureThreads(int n) {
    if (n <= 0) {
        if (const char* omp = std::getenv("OMP_NUM_THREADS")) n = std::atoi(omp);
    }
    if (n <= 0) n = static_cast<int>(std::thread::hardware_concurrency());
    if (n <= 0) n = 1;
    at::set_num_threads(n);
}

} // namespace hone
