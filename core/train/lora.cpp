// LoRA linear, initialisation and merging.
#include "train/lora_torch.h"

#include <ATen/CPUGeneratorImpl.h>
#include <cmath>
#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/linear.h>

namespace hone {

namespace F = torch::nn::functional;

LoraAdapter makeLoraAdapter(long long in, long long out, const LoraConfig& config,
                            const torch::Device& device, std::uint64_t seed) {
    config.checkFits("layer", in, out);
    LoraAdapter ad;
    // PEFT: kaiming_uniform_(A, a=sqrt(5)) -> bound = gain * sqrt(3 / fan_in), gain = sqrt(2 / (1 + 5)),
    // which is 1 / sqrt(fan_in).
    const double bound = 1.0 / std::sqrt(double(in));
    auto gen = at::detail::createCPUGenerator(seed);
    ad.a = torch::empty({config.rank, in}, torch::kFloat32).uniform_(-bound, bound, gen).to(device);
    ad.b = torch::zeros({out, config.rank}, torch::TensorOptions().dtype(torch::kFloat32).device(device));
    ad.a.set_requires_grad(true);
    ad.b.set_requires_grad(true);
    ad.scale = config.scale();
    ad.dropout = config.dropout;
    return ad;
}

torch::Tensor loraLinear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                         const LoraAdapter& adapter, bool training) {
    torch::Tensor base =
        F::linear(x, weight.to(x.scalar_type()), bias.defined() ? bias.to(x.scalar_type()) : bias);
    if (!adapter.enabled || !adapter.a.defined()) return base;
    torch::Tensor h = x;
    if (training && adapter.dropout > 0)
        h = F::dropout(h, F::DropoutFuncOptions().p(adapter.dropout).training(true));
    torch::Tensor delta =
        F::linear(F::linear(h, adapter.a.to(x.scalar_type())), adapter.b.to(x.scalar_type()));
    return base + delta * adapter.scale;
}

torch::Tensor mergeLora(const torch::Tensor& weight, const LoraAdapter& adapter) {
    torch::NoGradGuard noGrad;
    torch::Tensor w = weight.to(torch::kFloat32);
    if (!adapter.enabled || !adapter.a.defined()) return w.clone();
    return w + torch::matmul(adapter.b.to(torch::kFloat32), adapter.a.to(torch::kFloat32)) * adapter.scale;
}

} // namespace hone
