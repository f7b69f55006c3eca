// `hone bench train`'s measured side: N LoRA training steps (forward, loss, backward, AdamW) of random token
// batches over a model folder, with the settings of the eager-PyTorch peer (../shared/peers/
// peer_lora_torch.py). Torch-free header: the CLI includes it without LibTorch.
#pragma once

#include "device/compute_device.h"

#include <cstdint>
#include <string>

namespace hone {

struct TrainBenchOptions {
    std::string modelDir; // Hugging Face folder (config.json + model.safetensors)
    DeviceSpec device = DeviceSpec::parse("cpu");
    DType dtype = DType::F32;
    int batch = 2;
    int seq = 256;
    int steps = 10; // timed steps, after one untimed warm-up step
    int rank = 16;  // LoRA on all seven projections
    double alpha = 32;
    double lr = 1e-3; // AdamW, no weight decay
    std::uint64_t seed = 1;
};

struct TrainBenchResult {
    double tokensPerS = 0; // batch * seq * steps / wall time of the timed steps
    double stepS = 0;      // mean wall time of a timed step
    double cpuS = 0;       // mean CPU time (all threads) of a timed step: steadier on a shared machine
    std::uint64_t peakRssBytes = 0;
    std::uint64_t peakDeviceBytes = 0; // GPU runs: LibTorch's allocator peak over the timed steps (0 unknown)
    // The step's unavoidable part, timed alone after the steps: the frozen base weights' products (forward
    // x W^T and backward dY W per fused projection, none for layer 0's q/k/v whose input is the frozen
    // embedding, and the output layer's two), best of 3. No LoRA step can be faster at these threads.
    double gemmFloorS = 0;
    double gemmFlop = 0;        // floating-point operations of those products
    double lossFirst = 0;       // loss of the warm-up step
    double lossLast = 0;        // loss of the last step
    std::int64_t trainable = 0; // adapter parameters
    std::uint64_t parameters = 0;
    int threads = 0;
};

// Loads the model on `device` in `dtype` and runs the steps; throws hone::Error on a bad folder or options.
TrainBenchResult runTrainBench(const TrainBenchOptions& options);

} // namespace hone
