// The training-step benchmark: random token batches through LoraModel + AdamW, timed after a warm-up step.
#include "train/train_bench.h"

#include "common/error.h"
#include "device/torch_device.h"
#include "infer/cli_support.h"
#include "model/transformer_torch.h"
#include "train/adamw_torch.h"
#include "train/gpu_kernel_backend.h"
#include "train/lora_model_torch.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <ctime>
#include <map>
#include <tuple>

namespace hone {

namespace {

double processCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// The frozen base weights' products of one LoRA step on `n` tokens, with the calls the trainer makes
// (train/fused_layer_ops.cpp: mm(x, W^T) forward, mm(dY, W) for the input gradient); best of 3 after a
// warm-up. Returns {seconds, flop}.
std::pair<double, double> gemmFloor(const Transformer& base, std::int64_t n, const torch::Device& device) {
    const TransformerWeights& w = base.weights();
    std::vector<std::pair<torch::Tensor, bool>> products; // weight, and whether its input gradient is needed
    for (std::size_t l = 0; l < w.layers.size(); ++l) {
        const LayerWeights& lw = w.layers[l];
        products.emplace_back(lw.wqkv, l > 0);
        products.emplace_back(lw.wo, true);
        products.emplace_back(lw.wgateUp, true);
        products.emplace_back(lw.wdown, true);
    }
    products.emplace_back(w.lmHead, true);
    std::map<std::int64_t, torch::Tensor> inputs; // one random [n, width] activation per width
    auto input = [&](std::int64_t width) -> const torch::Tensor& {
        auto it = inputs.find(width);
        if (it == inputs.end())
            it = inputs.emplace(width, torch::randn({n, width}).to(device, w.lmHead.scalar_type())).first;
        return it->second;
    };
    double flop = 0;
    for (const auto& [weight, backward] : products)
        flop += 2.0 * static_cast<double>(n * weight.size(0) * weight.size(1)) * (backward ? 2 : 1);
    using Clock = std::chrono::steady_clock;
    double best = 1e30;
    for (int rep = 0; rep < 4; ++rep) { // rep 0 warms up
        const auto t0 = Clock::now();
        torch::Tensor last;
        for (const auto& [weight, backward] : products) {
            last = torch::mm(input(weight.size(1)), weight.t());
            if (backward) last = torch::mm(input(weight.size(0)), weight);
        }
        (void)last.sum().item<double>(); // waits for a GPU
        if (rep > 0) best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return {best, flop};
}

} // namespace

TrainBenchResult runTrainBench(const TrainBenchOptions& o) {
    if (o.batch <= 0 || o.seq <= 0 || o.steps <= 0)
        throw Error("train bench: batch, sequence length and steps must be positive");
    torch::manual_seed(0);
    auto base = loadTransformer(o.modelDir, o.device, o.dtype);
    const torch::Device device = toTorchDevice(o.device);
    LoraModelOptions mo;
    mo.lora.rank = o.rank;
    mo.lora.alpha = o.alpha;
    mo.seed = o.seed;
    LoraModel model(base, mo);
    AdamW adam(model.parameters(), AdamWOptions{});
    const std::int64_t B = o.batch, T = o.seq, V = model.vocabSize();
    auto gen = at::detail::createCPUGenerator(o.seed);
    auto positions = torch::arange(T, torch::kInt64).unsqueeze(0).expand({B, T}).contiguous().to(device);

    TrainBenchResult r;
    r.trainable = model.trainableCount();
    r.parameters = base->parameterCount();
    r.threads = at::get_num_threads();
    using Clock = std::chrono::steady_clock;
    Clock::time_point start;
    double cpuStart = 0;
    for (int step = 0; step <= o.steps; ++step) {
        auto ids = torch::randint(V, {B, T + 1}, gen, torch::kInt64);
        if (step == 1) { // step 0 warms caches and allocators (loss.item() below synchronises a GPU)
            start = Clock::now();
            cpuStart = processCpuSeconds();
            if (device.is_cuda()) resetPeakDeviceMemory(device.index());
        }
        TrainBatch b;
        b.ids = ids.narrow(1, 0, T).contiguous().to(device);
        b.labels = ids.narrow(1, 1, T).contiguous().to(device);
        b.positions = positions;
        b.targets = B * T;
        auto loss = model.loss(b, static_cast<double>(B * T), true);
        adam.zeroGrad();
        loss.backward();
        adam.step(o.lr);
        const double l = loss.item<double>();
        if (step == 0) r.lossFirst = l;
        r.lossLast = l;
    }
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    r.stepS = secs / o.steps;
    r.cpuS = (processCpuSeconds() - cpuStart) / o.steps;
    r.tokensPerS = static_cast<double>(B * T * o.steps) / secs;
    r.peakRssBytes = peakRssBytes();
    if (device.is_cuda()) r.peakDeviceBytes = peakDeviceMemoryBytes(device.index());
    std::tie(r.gemmFloorS, r.gemmFlop) = gemmFloor(*base, B * T, device);
    return r;
}

} // namespace hone
