// Conversions from Hone's torch-free device/dtype types to LibTorch's. Include only from engine sources.
#pragma once

#include "device/compute_device.h"

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

namespace hone {

inline c10::Device toTorchDevice(const DeviceSpec& d) {
    if (d.kind == DeviceKind::Cuda)
        return c10::Device(c10::DeviceType::CUDA, static_cast<c10::DeviceIndex>(d.index));
    return c10::Device(c10::DeviceType::CPU);
}

inline c10::ScalarType toTorchDType(DType t) {
    switch (t) {
    case DType::BF16:
        return c10::ScalarType::BFloat16;
    case DType::F16:
        return c10::ScalarType::Half;
    case DType::F32:
        break;
    }
    return c10::ScalarType::Float;
}

} // namespace hone
