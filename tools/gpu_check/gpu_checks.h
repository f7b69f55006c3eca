// The engine's GPU checks, Qt-free, shared by the GPU machine's check program (tools/gpu_check/main.cpp,
// run by scripts/gpu-machine-check.sh) and the CPU test of the glue (tests/train/tst_gpu_kernel_dispatch):
// every fused training op and a whole LoRA step run twice on one device, through Hone's kernels (the
// backend in use) and through LibTorch's ops (KernelMode::Off), and are compared.
#pragma once

#include "model/transformer_torch.h"
#include "train/gpu_kernel_abi_table.h"

#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

namespace hone::gpucheck {

struct ParityRow {
    std::string check; // "rmsnorm", "swiglu", "geglu", "lora_linear", "attention_rope", "cross_entropy", ...
    std::string dtype; // "f32", "bf16"
    double maxRelDiff = 0;  // over the output and every input gradient: max |a - b| / max |b|
    double tolerance = 0;   // what `pass` allows for this dtype
    long long launches = 0; // kernel launches in the kernels' run (0: the kernels did not run)
    bool pass() const { return launches > 0 && maxRelDiff <= tolerance; }
};

// The fused ops on `device` in `dt` (F32 or BF16), kernels vs LibTorch's ops.
std::vector<ParityRow> fusedOpParity(const torch::Device& device, torch::Dtype dt);

// LoRA (rank 4, the same random adapters for every call) on `base`, on base's device with the current
// kernel mode: the loss of a fixed two-row batch and the adapters' gradients, copied to the CPU.
std::vector<torch::Tensor> loraLossAndGrads(const std::shared_ptr<Transformer>& base);

// loraLossAndGrads through the kernels vs through LibTorch's ops, on base's device.
ParityRow loraStepParity(const std::shared_ptr<Transformer>& base, const std::string& dtypeName,
                         double tolerance);

// max over the list of max |a - b| / max |b| (infinity when the lists differ in length).
double maxRelDiff(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b);

std::string dtypeName(torch::Dtype dt);

// RoPE tables cos, sin [B, T, 1, D/2] (F32) for positions 0..T-1, base 10000.
std::pair<torch::Tensor, torch::Tensor> ropeTable(std::int64_t B, std::int64_t T, std::int64_t D);

// The kernels' sources compiled for the CPU emulation (link hone_kernels_emu) as a backend for CPU tensors.
inline GpuKernelBackend cpuEmulationBackend() {
    GpuKernelBackend b = launchAbiBackend();
    b.name = "cpu emulation";
    b.architectures = "the host CPU";
    b.servesCpuTensors = true;
    return b;
}

} // namespace hone::gpucheck
