// The training memory estimate and the CPU memory budget.
#include "train/memory_estimate.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/resource.h>

namespace hone {

MemoryEstimate estimateTrainingMemory(const ModelConfig& c, const TrainShape& s) {
    MemoryEstimate e;
    const std::uint64_t hid = c.hiddenSize, H = c.numHeads, KV = c.numKvHeads, D = c.headDim,
                        FF = c.intermediateSize, V = c.vocabSize, L = c.numLayers;
    const std::uint64_t perLayer = hid * (H + 2 * KV) * D + H * D * hid + 3 * hid * FF;
    const std::uint64_t embed = V * hid * (c.tieEmbeddings ? 1 : 2);
    e.weights = (perLayer * L + embed) * static_cast<std::uint64_t>(s.bytesPerWeight);
    const std::uint64_t r = static_cast<std::uint64_t>(s.loraRank);
    // Average in+out of a targeted projection, times rank, times targets.
    const std::uint64_t loraParams =
        L * r * static_cast<std::uint64_t>(s.loraTargetsPerLayer) * (2 * hid + 2 * FF) / 2 +
        static_cast<std::uint64_t>(s.newTokens) * hid * 2;
    e.trainable = loraParams * 4 * 4; // weights, gradients, exp_avg, exp_avg_sq
    const std::uint64_t tokens =
        static_cast<std::uint64_t>(s.batchSize) * static_cast<std::uint64_t>(s.seqLen);
    const std::uint64_t a = static_cast<std::uint64_t>(s.bytesPerActivation);
    // Saved per token and layer: norms and residuals (~8 hidden), q/k/v and their rotated copies, the MLP's
    // gate/up/activation, and the attention probabilities (F32) over the sequence.
    const std::uint64_t perTokenLayer = (8 * hid + 4 * (H + 2 * KV) * D + 5 * FF + 4 * r * 7) * a +
                                        H * static_cast<std::uint64_t>(s.seqLen) * 4 * 2;
    const std::uint64_t layerSet = tokens * perTokenLayer;
    if (s.checkpointing) {
        e.activations = tokens * hid * a * L;
        e.transient = layerSet * 2;
    } else {
        e.activations = layerSet * L;
        e.transient = layerSet / 2;
    }
    const std::uint64_t chunk = std::min<std::uint64_t>(tokens, static_cast<std::uint64_t>(s.lossChunk));
    e.transient += chunk * (V + static_cast<std::uint64_t>(s.newTokens)) * 4 * 3 + tokens * hid * 4 * 2;
    e.runtime = std::uint64_t(400) << 20;
    return e;
}

MemoryBudget cpuMemoryBudget() {
    MemoryBudget b;
    std::uint64_t avail = 0;
    {
        std::ifstream f("/proc/meminfo");
        std::string key;
        std::uint64_t kb = 0;
        std::string unit;
        while (f >> key >> kb >> unit)
            if (key == "MemAvailable:") {
                avail = kb * 1024;
                break;
            }
    }
    b.available = avail;
    b.limitedBy = "MemAvailable";
    rlimit lim{};
    if (getrlimit(RLIMIT_AS, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
        std::uint64_t vm = 0;
        std::ifstream f("/proc/self/status");
        std::string line;
        while (std::getline(f, line))
            if (line.rfind("VmSize:", 0) == 0) {
                std::istringstream in(line.substr(7));
                in >> vm;
                vm *= 1024;
            }
        const std::uint64_t cur = static_cast<std::uint64_t>(lim.rlim_cur);
        const std::uint64_t left = cur > vm ? cur - vm : 0;
        if (left < b.available || avail == 0) {
            b.available = left;
            b.limitedBy = "RLIMIT_AS (ulimit -v)";
        }
    }
    return b;
}

} // namespace hone
