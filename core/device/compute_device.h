// The compute device and dtype abstraction of the engine. Torch-free on purpose: Qt code and the CLI use it
// without parsing LibTorch headers. Everything in the engine takes its device and dtype from here; nothing
// hard-codes the CPU.
#pragma once

#include <string>

namespace hone {

enum class DeviceKind { Auto, Cpu, Cuda };

// A requested or resolved device: "auto", "cpu", "cuda" or "cuda:N".
struct DeviceSpec {
    DeviceKind kind = DeviceKind::Auto;
    int index = 0;

    static DeviceSpec parse(const std::string& text); // throws hone::Error with the accepted forms
    std::string str() const;
    bool operator==(const DeviceSpec&) const = default;
};

// Storage/compute dtypes Hone uses. F16 is a storage type on the CPU (LibTorch 1.13 has no Half matmul
// there), so CPU compute falls back to F32 for it; see computeDTypeFor().
enum class DType { F32, BF16, F16 };

DType parseDType(const std::string& text); // "f32|bf16|f16" (also float32, bfloat16, float16)
std::string dtypeName(DType d);

// Resolves "auto" to cuda:0 when LibTorch has a GPU, else cpu; checks that an explicit cuda:N exists and
// throws hone::Error (with the reason and what to do) when it does not.
DeviceSpec resolveDevice(const DeviceSpec& requested);

// The dtype arithmetic actually runs in on `device` for a requested dtype (F16 on CPU computes in F32).
DType computeDTypeFor(const DeviceSpec& device, DType requested);

// Sets LibTorch's intra-op threads (the Debian build defaults to half the cores). n <= 0 means all cores,
// or OMP_NUM_THREADS when set.
void configureThreads(int n = 0);

} // namespace hone
