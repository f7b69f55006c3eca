// AdamW and gradient clipping.
#include "train/adamw_torch.h"

#include "common/error.h"

#include <cmath>

namespace hone {

AdamW::AdamW(std::vector<torch::Tensor> params, AdamWOptions options)
    : params_(std::move(params))
    , opt_(options) {
    for (const auto& p : params_) {
        expAvg_.push_back(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        expAvgSq_.push_back(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
    }
}

void AdamW::step(double lr) {
    torch::NoGradGuard noGrad;
    ++steps_;
    const double bc1 = 1.0 - std::pow(opt_.beta1, double(steps_));
    const double bc2 = 1.0 - std::pow(opt_.beta2, double(steps_));
    const double stepSize = lr / bc1;
    const double bc2Sqrt = std::sqrt(bc2);
    for (std::size_t i = 0; i < params_.size(); ++i) {
        torch::Tensor& p = params_[i];
        const torch::Tensor& g = p.grad();
        if (!g.defined()) continue;
        if (opt_.weightDecay != 0) p.mul_(1.0 - lr * opt_.weightDecay);
        expAvg_[i].mul_(opt_.beta1).add_(g, 1.0 - opt_.beta1);
        expAvgSq_[i].mul_(opt_.beta2).addcmul_(g, g, 1.0 - opt_.beta2);
        torch::Tensor denom = (expAvgSq_[i].sqrt() / bc2Sqrt).add_(opt_.eps);
        p.addcdiv_(expAvg_[i], denom, -stepSize);
    }
}

void AdamW::zeroGrad() {
    for (auto& p : params_)
        if (p.grad().defined()) p.mutable_grad() = torch::Tensor();
}

std::vector<std::pair<std::string, torch::Tensor>> AdamW::state() const {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    out.emplace_back("step", torch::tensor({steps_}, torch::kInt64));
    for (std::size_t i = 0; i < params_.size(); ++i) {
        out.emplace_back("exp_avg." + std::to_string(i), expAvg_[i]);
        out.emplace_back("exp_avg_sq." + std::to_string(i), expAvgSq_[i]);
    }
    return out;
}

void AdamW::loadState(const std::vector<std::pair<std::string, torch::Tensor>>& state) {
    std::size_t found = 0;
    for (const auto& [name, t] : state) {
        if (name == "step") {
            steps_ = t.item<std::int64_t>();
            ++found;
            continue;
        }
        const auto dot = name.find('.');
        if (dot == std::string::npos) throw Error("optimizer state has an unknown entry '" + name + "'");
        const std::string kind = name.substr(0, dot);
        const std::size_t i = std::stoul(name.substr(dot + 1));
        if (i >= params_.size() || (kind != "exp_avg" && kind != "exp_avg_sq"))
            throw Error("optimizer state entry '" + name + "' does not belong to this adapter");
        torch::Tensor& dst = kind == "exp_avg" ? expAvg_[i] : expAvgSq_[i];
        if (dst.sizes() != t.sizes())
            throw Error("optimizer state '" + name +
                        "' has the wrong shape for this adapter (resuming with another "
                        "rank or target modules?)");
        torch::NoGradGuard noGrad;
        dst.copy_(t);
        ++found;
    }
    if (found != 1 + 2 * params_.size())
        throw Error("optimizer state is incomplete (" + std::to_string(found) + " of " +
                    std::to_string(1 + 2 * params_.size()) + " entries)");
}

double clipGradNorm(const std::vector<torch::Tensor>& params, double maxNorm) {
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> norms;
    for (const auto& p : params)
        if (p.grad().defined()) norms.push_back(p.grad().to(torch::kFloat64).norm());
    if (norms.empty()) return 0.0;
    const double norm = torch::stack(norms).norm().item<double>(); // one device sync, not one per tensor
    if (maxNorm > 0 && norm > maxNorm && std::isfinite(norm)) {
        const double factor = maxNorm / (norm + 1e-6);
        for (const auto& p : params)
            if (p.grad().defined()) p.grad().mul_(factor);
    }
    return norm;
}

} // namespace hone
