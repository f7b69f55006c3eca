// The chunked cross-entropy autograd function. Forward keeps only the inputs; backward recomputes each
// chunk's logits, turns them into (softmax - onehot) and multiplies back, so peak memory is one chunk of
// logits.
#include "train/chunked_cross_entropy_torch.h"

#include "common/error.h"

#include <torch/csrc/autograd/custom_function.h>

namespace hone {

namespace {

struct ChunkLogits {
    torch::Tensor logits; // F32, capped if softcap > 0
    torch::Tensor tanhz;  // tanh(z / cap) when capped (for the derivative)
};

ChunkLogits chunkLogits(const torch::Tensor& h, const torch::Tensor& w, double softcap) {
    ChunkLogits c;
    torch::Tensor z = torch::matmul(h, w.t()).to(torch::kFloat32);
    if (softcap > 0) {
        c.tanhz = torch::tanh(z / softcap);
        c.logits = c.tanhz * softcap;
    } else {
        c.logits = z;
    }
    return c;
}

class ChunkedCrossEntropyFunction : public torch::autograd::Function<ChunkedCrossEntropyFunction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& hidden,
                                 const torch::Tensor& weight, const torch::Tensor& targets,
                                 std::int64_t chunk, double softcap, double normalizer,
                                 std::int64_t ignoreIndex) {
        torch::NoGradGuard noGrad;
        const std::int64_t n = hidden.size(0);
        torch::Tensor total = torch::zeros({}, hidden.options().dtype(torch::kFloat64));
        for (std::int64_t s = 0; s < n; s += chunk) {
            const std::int64_t e = std::min(n, s + chunk);
            torch::Tensor t = targets.slice(0, s, e);
            torch::Tensor valid = t != ignoreIndex;
            if (!valid.any().item<bool>()) continue;
            ChunkLogits c = chunkLogits(hidden.slice(0, s, e), weight, softcap);
            torch::Tensor lse = torch::logsumexp(c.logits, 1);
            torch::Tensor picked = c.logits.gather(1, t.clamp_min(0).unsqueeze(1)).squeeze(1);
            total += ((lse - picked) * valid).sum().to(torch::kFloat64);
        }
        ctx->save_for_backward({hidden, weight, targets});
        ctx->saved_data["chunk"] = chunk;
        ctx->saved_data["softcap"] = softcap;
        ctx->saved_data["normalizer"] = normalizer;
        ctx->saved_data["ignore"] = ignoreIndex;
        return (total / normalizer).to(torch::kFloat32);
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list gradOutputs) {
        auto saved = ctx->get_saved_variables();
        const torch::Tensor& hidden = saved[0];
        const torch::Tensor& weight = saved[1];
        const torch::Tensor& targets = saved[2];
        const std::int64_t chunk = ctx->saved_data["chunk"].toInt();
        const double softcap = ctx->saved_data["softcap"].toDouble();
        const double normalizer = ctx->saved_data["normalizer"].toDouble();
        const std::int64_t ignoreIndex = ctx->saved_data["ignore"].toInt();
        const bool wantHidden = ctx->needs_input_grad(0);
        const bool wantWeight = ctx->needs_input_grad(1);
        torch::Tensor scale = (gradOutputs[0].to(torch::kFloat32) / normalizer);
        torch::Tensor gradHidden = wantHidden ? torch::zeros_like(hidden) : torch::Tensor();
        torch::Tensor gradWeight = wantWeight
                                       ? torch::zeros(weight.sizes(), weight.options().dtype(torch::kFloat32))
                                       : torch::Tensor();
        const std::int64_t n = hidden.size(0);
        for (std::int64_t s = 0; s < n; s += chunk) {
            const std::int64_t e = std::min(n, s + chunk);
            torch::Tensor t = targets.slice(0, s, e);
            torch::Tensor valid = (t != ignoreIndex);
            if (!valid.any().item<bool>()) continue;
            torch::Tensor h = hidden.slice(0, s, e);
            ChunkLogits c = chunkLogits(h, weight, softcap);
            // d loss / d logits = softmax - onehot, for valid rows only.
            torch::Tensor g = torch::softmax(c.logits, 1);
            g.scatter_add_(1, t.clamp_min(0).unsqueeze(1), -torch::ones({e - s, 1}, g.options()));
            g.mul_(valid.unsqueeze(1).to(g.scalar_type())).mul_(scale);
            if (softcap > 0) g.mul_(1 - c.tanhz * c.tanhz);
            torch::Tensor gc = g.to(hidden.scalar_type());
            if (wantHidden)
                gradHidden.slice(0, s, e).copy_(torch::matmul(gc, weight.to(hidden.scalar_type())));
            if (wantWeight) gradWeight.add_(torch::matmul(g.t(), h.to(torch::kFloat32)));
        }
        if (wantWeight) gradWeight = gradWeight.to(weight.scalar_type());
        return {gradHidden,      gradWeight,      torch::Tensor(), torch::Tensor(),
                torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

torch::Tensor chunkedCrossEntropy(const torch::Tensor& hidden, const torch::Tensor& weight,
                                  const torch::Tensor& targets, const ChunkedCrossEntropyOptions& options) {
    if (hidden.dim() != 2 || weight.dim() != 2 || hidden.size(1) != weight.size(1))
        throw Error("chunked cross-entropy: hidden [N, H] and weight [V, H] do not fit");
    if (targets.dim() != 1 || targets.size(0) != hidden.size(0))
        throw Error("chunked cross-entropy: one target per hidden row is needed");
    if (options.chunkTokens <= 0) throw Error("chunked cross-entropy: chunk size must be positive");
    double normalizer = options.normalizer;
    if (normalizer <= 0)
        normalizer = std::max<double>(1.0, (targets != options.ignoreIndex).sum().item<double>());
    return ChunkedCrossEntropyFunction::apply(hidden, weight, targets.to(torch::kInt64), options.chunkTokens,
                                              options.softcap, normalizer, options.ignoreIndex);
}

} // namespace hone
