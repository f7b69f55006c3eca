// Peak-memory estimate of a LoRA training step from the model's shape and the run's settings, and the memory
// this process may still use (MemAvailable, and RLIMIT_AS minus what is already mapped). On the CPU the
// kernel kills a process that overcommits, so training refuses to start when the estimate does not fit and
// says what to lower. Torch-free.
#pragma once

#include "model/model_config.h"

#include <cstdint>
#include <string>

namespace hone {

struct TrainShape {
    int batchSize = 1;
    int seqLen = 1024;
    int loraRank = 16;
    int loraTargetsPerLayer = 7;
    int newTokens = 0;
    int bytesPerWeight = 4; // storage dtype of the base weights
    int bytesPerActivation = 4;
    bool checkpointing = false;
    std::int64_t lossChunk = 1024;
};

struct MemoryEstimate {
    std::uint64_t weights = 0;     // frozen base
    std::uint64_t trainable = 0;   // adapter + gradients + two AdamW moments (F32)
    std::uint64_t activations = 0; // saved for backward across the layers
    std::uint64_t transient = 0;   // one layer's working set, the loss chunk
    std::uint64_t runtime = 0;     // LibTorch, BLAS threads, the tokenised data
    std::uint64_t total() const { return weights + trainable + activations + transient + runtime; }
};

MemoryEstimate estimateTrainingMemory(const ModelConfig& c, const TrainShape& s);

struct MemoryBudget {
    std::uint64_t available = 0; // bytes this process can still allocate
    std::string limitedBy;       // "MemAvailable" or "RLIMIT_AS (ulimit -v)"
};
MemoryBudget cpuMemoryBudget();

} // namespace hone
