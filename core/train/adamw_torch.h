// AdamW (decoupled weight decay, bias correction) over a list of F32 parameters, with its state exposed as
// named tensors so checkpoints can store it and a resumed run continues bit for bit. Engine-internal header.
#pragma once

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

namespace hone {

struct AdamWOptions {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weightDecay = 0.0;
};

class AdamW {
public:
    AdamW(std::vector<torch::Tensor> params, AdamWOptions options);

    // One update with learning rate `lr` from the parameters' current .grad() (parameters without a
    // gradient are skipped).
    void step(double lr);
    void zeroGrad();
    std::int64_t steps() const { return steps_; }
    const std::vector<torch::Tensor>& params() const { return params_; }

    // State for checkpoints: "step", "exp_avg.<i>", "exp_avg_sq.<i>".
    std::vector<std::pair<std::string, torch::Tensor>> state() const;
    // Restores state(); throws hone::Error when names or shapes do not match this optimizer.
    void loadState(const std::vector<std::pair<std::string, torch::Tensor>>& state);

private:
    std::vector<torch::Tensor> params_, expAvg_, expAvgSq_;
    AdamWOptions opt_;
    std::int64_t steps_ = 0;
};

// sqrt(sum of squared gradient norms) over `params`, and, when it exceeds maxNorm > 0, scales the gradients
// down to maxNorm. Returns the norm before clipping.
double clipGradNorm(const std::vector<torch::Tensor>& params, double maxNorm);

} // namespace hone
