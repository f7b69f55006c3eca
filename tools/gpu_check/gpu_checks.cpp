// The engine's GPU checks: the fused ops and a LoRA step through Hone's kernels vs LibTorch's ops.
#include "gpu_checks.h"

#include "device/torch_device.h"
#include "train/fused_layer_ops_torch.h"
#include "train/gpu_kernel_backend.h"
#include "train/gpu_kernel_ops_torch.h"
#include "train/lora_model_torch.h"

#include <torch/csrc/autograd/autograd.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

namespace hone::gpucheck {

namespace {

using torch::Tensor;
using Tensors = std::vector<Tensor>;

double relDiff(const Tensor& a, const Tensor& b) {
    const auto a64 = a.detach().to(torch::kCPU, torch::kFloat64),
               b64 = b.detach().to(torch::kCPU, torch::kFloat64);
    return (a64 - b64).abs().max().item<double>() / std::max(1e-12, b64.abs().max().item<double>());
}

// Runs `f` through the kernels (KernelMode::Auto) and through LibTorch's ops (Off); compares what it returns.
ParityRow compare(const std::string& name, torch::Dtype dt, double tol, const std::function<Tensors()>& f) {
    const KernelMode before = kernelMode();
    setKernelMode(KernelMode::Auto);
    const long long l0 = gpuk::launchCount();
    const Tensors viaKernels = f();
    ParityRow row{name, dtypeName(dt), 0, tol, gpuk::launchCount() - l0};
    setKernelMode(KernelMode::Off);
    const Tensors viaLibTorch = f();
    setKernelMode(before);
    row.maxRelDiff = maxRelDiff(viaKernels, viaLibTorch);
    return row;
}

// `out` and the gradients of sum(out * probe) for every tensor of `wrt` (a fixed random probe, made on the
// CPU so every device sees the same numbers).
Tensors withGrads(const Tensor& out, const Tensors& wrt) {
    torch::manual_seed(99);
    const Tensor probe = torch::randn(out.sizes()).to(out.device());
    Tensors all = torch::autograd::grad({(out.to(torch::kFloat32) * probe).sum()}, wrt);
    all.insert(all.begin(), out.detach());
    return all;
}

// The output of op(inputs) and every input's gradient; inputs are `seeds` (made on the CPU) in `dt` on
// `device`.
Tensors outputAndGrads(const std::function<Tensor(Tensors&)>& op, const Tensors& seeds, torch::Dtype dt,
                       const torch::Device& device) {
    Tensors in;
    for (const auto& s : seeds) in.push_back(s.to(device, dt).detach().requires_grad_(true));
    return withGrads(op(in), in);
}

} // namespace

std::pair<Tensor, Tensor> ropeTable(std::int64_t B, std::int64_t T, std::int64_t D) {
    auto pos = torch::arange(T, torch::kFloat64).unsqueeze(0).expand({B, T});
    auto inv = 1.0 / torch::pow(10000.0, torch::arange(0, D, 2, torch::kFloat64) / static_cast<double>(D));
    auto ang = pos.unsqueeze(-1) * inv;
    return {torch::cos(ang).to(torch::kFloat32).unsqueeze(2),
            torch::sin(ang).to(torch::kFloat32).unsqueeze(2)};
}

std::string dtypeName(torch::Dtype dt) {
    return dt == torch::kFloat32    ? "f32"
           : dt == torch::kBFloat16 ? "bf16"
           : dt == torch::kFloat16  ? "f16"
                                    : "other";
}

std::vector<ParityRow> fusedOpParity(const torch::Device& device, torch::Dtype dt) {
    const double tol = dt == torch::kFloat32 ? 2e-5 : 3e-2;
    std::vector<ParityRow> rows;
    torch::manual_seed(1);

    const Tensor x = torch::randn({3, 5, 40}), w = torch::rand({40}) + 0.5;
    rows.push_back(compare("rmsnorm", dt, tol, [&] {
        return outputAndGrads([&](Tensors& in) { return fusedRmsNorm(in[0], w.to(device, dt), 1e-5); }, {x},
                              dt, device);
    }));

    const Tensor gu = torch::randn({4, 6, 2 * 24}) * 2;
    rows.push_back(compare("swiglu", dt, tol, [&] {
        return outputAndGrads([](Tensors& in) { return fusedSwiGlu(in[0]); }, {gu}, dt, device);
    }));
    rows.push_back(compare("geglu_tanh", dt, tol, [&] {
        return outputAndGrads([](Tensors& in) { return fusedGeGluTanh(in[0]); }, {gu}, dt, device);
    }));

    // A fused projection of slices 16, 8, 8 with F32 adapters on the first and the last.
    const std::int64_t inDim = 32, r = 4;
    const Tensor xl = torch::randn({2, 7, inDim}), wl = torch::randn({32, inDim}) * 0.2;
    const Tensors adapterSeeds = {torch::randn({r, inDim}) * 0.2, torch::randn({16, r}) * 0.2,
                                  torch::randn({r, inDim}) * 0.2, torch::randn({8, r}) * 0.2};
    rows.push_back(compare("lora_linear", dt, tol, [&] { // x in dt, the adapters in F32
        Tensors wrt{xl.to(device, dt).requires_grad_(true)};
        for (const auto& s : adapterSeeds) wrt.push_back(s.to(device).requires_grad_(true));
        LoraSlices lora{{wrt[1], wrt[3]}, {wrt[2], wrt[4]}, {0, 24}, 1.5};
        return withGrads(fusedLoraLinear(wrt[0], wl.to(device, dt), Tensor(), lora), wrt);
    }));

    // Grouped-query attention (4 query heads over 2 KV heads, head dim 8, two causal rows): RoPE's kernels.
    const std::int64_t B = 2, T = 9, H = 4, KV = 2, D = 8;
    const Tensor qkv = torch::randn({B, T, (H + 2 * KV) * D});
    const auto [cos, sin] = ropeTable(B, T, D);
    const Tensor bias = attentionBias({}, T, 0, device);
    const AttentionShape shape{H, KV, D, 1.0 / std::sqrt(static_cast<double>(D))};
    rows.push_back(compare("attention_rope", dt, tol, [&] {
        return outputAndGrads(
            [&](Tensors& in) {
                return fusedCausalAttention(in[0], cos.to(device, dt), sin.to(device, dt), bias, shape);
            },
            {qkv}, dt, device);
    }));

    // The eager cross-entropy in chunks of 5, three ignored rows.
    const std::int64_t N = 13, Hd = 16, V = 37;
    const Tensor h = torch::randn({N, Hd}), wv = torch::randn({V, Hd}) * 0.5;
    Tensor t = torch::randint(V, {N}, torch::kInt64);
    t.narrow(0, 2, 3).fill_(-100);
    rows.push_back(compare("cross_entropy", dt, dt == torch::kFloat32 ? 1e-5 : 1e-2, [&] {
        Tensor hin = h.to(device, dt).requires_grad_(true);
        Tensor loss = eagerChunkedCrossEntropy(hin, wv.to(device, dt), t.to(device), 5, 11.0);
        Tensor g = torch::autograd::grad({loss * 3.0}, {hin})[0];
        return Tensors{loss.detach().reshape({1}), g};
    }));
    return rows;
}

Tensors loraLossAndGrads(const std::shared_ptr<Transformer>& base) {
    LoraModelOptions o;
    o.lora.rank = 4;
    LoraModel m(base, o);
    torch::manual_seed(3);
    std::map<std::string, Tensor> st;
    for (auto& [k, v] : m.peftState()) st[k] = torch::randn(v.sizes()) * 0.05;
    m.loadPeftState(st);
    const std::int64_t V = base->config().vocabSize, T = 14;
    const Tensor ids = (torch::arange(2 * T, torch::kInt64) * 37 + 11).remainder(V - 3).add(3).view({2, T});
    const torch::Device device = toTorchDevice(base->device());
    TrainBatch batch;
    batch.ids = ids.to(device);
    batch.positions = torch::arange(T, torch::kInt64).repeat({2, 1}).to(device);
    Tensor labels = ids.roll(-1, 1).clone();
    labels.select(1, T - 1).fill_(-100);
    batch.labels = labels.to(device);
    Tensor loss = m.loss(batch, 2.0 * (T - 1), true);
    loss.backward();
    Tensors out{loss.detach().reshape({1}).cpu()};
    for (auto& p : m.parameters()) out.push_back(p.grad().cpu());
    return out;
}

ParityRow loraStepParity(const std::shared_ptr<Transformer>& base, const std::string& dtypeLabel,
                         double tolerance) {
    ParityRow row = compare("lora_step", torch::kFloat32, tolerance, [&] { return loraLossAndGrads(base); });
    row.dtype = dtypeLabel;
    return row;
}

double maxRelDiff(const Tensors& a, const Tensors& b) {
    if (a.size() != b.size()) return INFINITY;
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, relDiff(a[i], b[i]));
    return worst;
}

} // namespace hone::gpucheck
