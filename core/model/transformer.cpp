// The shared forward pass: RMSNorm, RoPE (with scaling variants), grouped-query attention over a KV cache
// (queries reshaped into KV groups, K/V never repeated), SwiGLU/GeGLU MLP, optional soft-capping.
#include "model/transformer_torch.h"

#include "common/error.h"
#include "device/torch_device.h"

#include <cmath>

namespace hone {

namespace {
constexpr double kPi = 3.14159265358979323846;

// y = x W^T (+ b). A single F32 row goes through gemv, which streams W at close to memory bandwidth on the
// CPU (BLAS gemm with M = 1 is ~2.5x slower here); everything else through linear (gemm; oneDNN for BF16).
torch::Tensor project(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b = {}) {
    if (x.size(0) == 1 && x.scalar_type() == torch::kFloat32 && x.device().is_cpu()) {
        auto y = torch::mv(w, x[0]);
        if (b.defined()) y = y + b;
        return y.unsqueeze(0);
    }
    return b.defined() ? torch::linear(x, w, b) : torch::linear(x, w);
}
} // namespace

std::vector<double> ropeInverseFrequencies(const ModelConfig& c, double theta, bool applyScaling) {
    const int half = c.headDim / 2;
    std::vector<double> inv(static_cast<std::size_t>(half));
    for (int i = 0; i < half; ++i)
        inv[static_cast<std::size_t>(i)] = 1.0 / std::pow(theta, (2.0 * i) / c.headDim);
    if (!applyScaling) return inv;
    if (!c.ropeFreqFactors.empty()) {
        for (int i = 0; i < half; ++i)
            inv[static_cast<std::size_t>(i)] /= c.ropeFreqFactors[static_cast<std::size_t>(i)];
        return inv;
    }
    if (c.ropeScaling == RopeScaling::Linear) {
        for (auto& f : inv) f /= c.ropeFactor;
    } else if (c.ropeScaling == RopeScaling::Llama3) {
        const double oldCtx = c.ropeOriginalMaxPositions;
        const double lowWavelen = oldCtx / c.ropeLowFreqFactor;
        const double highWavelen = oldCtx / c.ropeHighFreqFactor;
        for (auto& f : inv) {
            const double wavelen = 2.0 * kPi / f;
            if (wavelen < highWavelen) continue;
            if (wavelen > lowWavelen) {
                f = f / c.ropeFactor;
            } else {
                const double smooth =
                    (oldCtx / wavelen - c.ropeLowFreqFactor) / (c.ropeHighFreqFactor - c.ropeLowFreqFactor);
                f = (1.0 - smooth) * f / c.ropeFactor + smooth * f;
            }
        }
    }
    return inv;
}

Transformer::Transformer(ModelConfig config, TransformerWeights weights, DeviceSpec device,
                         DType computeDType)
    : cfg_(std::move(config))
    , w_(std::move(weights))
    , device_(device)
    , dtype_(computeDType) {
    invFreqGlobal_ = ropeInverseFrequencies(cfg_, cfg_.ropeTheta, true);
    invFreqLocal_ =
        cfg_.ropeLocalTheta > 0 ? ropeInverseFrequencies(cfg_, cfg_.ropeLocalTheta, false) : invFreqGlobal_;
}

std::uint64_t Transformer::weightBytes() const {
    auto bytes = [](const torch::Tensor& t) -> std::uint64_t {
        return t.defined() ? static_cast<std::uint64_t>(t.numel() * t.element_size()) : 0;
    };
    std::uint64_t n = bytes(w_.lmHead) + bytes(w_.finalNorm); // embedding rows read per token are negligible
    for (const auto& l : w_.layers)
        n += bytes(l.attnNorm) + bytes(l.postAttnNorm) + bytes(l.ffnNorm) + bytes(l.postFfnNorm) +
             bytes(l.wqkv) + bytes(l.bqkv) + bytes(l.qNorm) + bytes(l.kNorm) + bytes(l.wo) +
             bytes(l.wgateUp) + bytes(l.wdown);
    return n;
}

std::uint64_t Transformer::parameterCount() const {
    auto n = [](const torch::Tensor& t) -> std::uint64_t {
        return t.defined() ? static_cast<std::uint64_t>(t.numel()) : 0;
    };
    std::uint64_t total = n(w_.embed) + n(w_.finalNorm) + (cfg_.tieEmbeddings ? 0 : n(w_.lmHead));
    for (const auto& l : w_.layers)
        total += n(l.attnNorm) + n(l.postAttnNorm) + n(l.ffnNorm) + n(l.postFfnNorm) + n(l.wqkv) + n(l.bqkv) +
                 n(l.qNorm) + n(l.kNorm) + n(l.wo) + n(l.wgateUp) + n(l.wdown);
    return total;
}

torch::Tensor Transformer::rmsNorm(const torch::Tensor& x, const torch::Tensor& w) const {
    auto xf = x.to(torch::kFloat32);
    auto r = torch::rsqrt(xf.pow(2).mean(-1, true) + cfg_.rmsEps);
    return (xf * r * w).to(x.scalar_type());
}

std::pair<torch::Tensor, torch::Tensor> Transformer::ropeTable(bool local, int start, int count,
                                                               int totalLength) const {
    std::vector<double> inv = local ? invFreqLocal_ : invFreqGlobal_;
    const bool scaled = !local || cfg_.ropeLocalTheta <= 0;
    if (scaled && cfg_.ropeScaling == RopeScaling::Dynamic && cfg_.ropeFreqFactors.empty() &&
        totalLength > cfg_.maxPositions) {
        const double base = (local && cfg_.ropeLocalTheta > 0) ? cfg_.ropeLocalTheta : cfg_.ropeTheta;
        const double d = cfg_.headDim;
        const double nb =
            base * std::pow(cfg_.ropeFactor * totalLength / cfg_.maxPositions - (cfg_.ropeFactor - 1.0),
                            d / (d - 2.0));
        ModelConfig tmp = cfg_;
        tmp.ropeScaling = RopeScaling::None;
        inv = ropeInverseFrequencies(tmp, nb, false);
    }
    const int half = cfg_.headDim / 2;
    std::vector<float> c(static_cast<std::size_t>(count * half)), s(c.size());
    for (int t = 0; t < count; ++t) {
        for (int i = 0; i < half; ++i) {
            const double a = static_cast<double>(start + t) * inv[static_cast<std::size_t>(i)];
            c[static_cast<std::size_t>(t * half + i)] = static_cast<float>(std::cos(a));
            s[static_cast<std::size_t>(t * half + i)] = static_cast<float>(std::sin(a));
        }
    }
    auto opts = torch::TensorOptions().dtype(torch::kFloat32);
    auto ct = torch::from_blob(c.data(), {count, half}, opts).clone();
    auto st = torch::from_blob(s.data(), {count, half}, opts).clone();
    const auto dev = toTorchDevice(device_);
    const auto dt = toTorchDType(dtype_);
    return {ct.to(dev, dt), st.to(dev, dt)};
}

void Transformer::ensureCapacity(KvCache& cache, int needed) const {
    if (needed <= cache.capacity && !cache.k.empty()) return;
    int cap = std::max(64, cache.capacity);
    while (cap < needed) cap *= 2;
    cap = std::min(cap, std::max(needed, cfg_.contextLength()));
    auto opts = torch::TensorOptions().dtype(toTorchDType(dtype_)).device(toTorchDevice(device_));
    const auto L = static_cast<std::size_t>(cfg_.numLayers);
    std::vector<torch::Tensor> nk(L), nv(L);
    for (std::size_t l = 0; l < L; ++l) {
        nk[l] = torch::zeros({cfg_.numKvHeads, cap, cfg_.headDim}, opts);
        nv[l] = torch::zeros({cfg_.numKvHeads, cap, cfg_.headDim}, opts);
        if (cache.length > 0 && l < cache.k.size()) {
            nk[l].narrow(1, 0, cache.length).copy_(cache.k[l].narrow(1, 0, cache.length));
            nv[l].narrow(1, 0, cache.length).copy_(cache.v[l].narrow(1, 0, cache.length));
        }
    }
    cache.k = std::move(nk);
    cache.v = std::move(nv);
    cache.capacity = cap;
}

torch::Tensor Transformer::forward(const std::vector<std::int32_t>& ids, KvCache& cache, bool allPositions,
                                   const TransformerAdapter* adapter) const {
    torch::NoGradGuard noGrad;
    const int T = static_cast<int>(ids.size());
    if (T == 0) throw Error("forward: no tokens to process");
    const int start = cache.length;
    const int total = start + T;
    if (total > cfg_.contextLength())
        throw Error("the sequence (" + std::to_string(total) +
                    " tokens) is longer than the model's context of " + std::to_string(cfg_.contextLength()) +
                    " tokens; shorten the prompt or lower --max-tokens");
    const int vocab = adapter && adapter->vocabSize > 0 ? adapter->vocabSize : cfg_.vocabSize;
    for (auto id : ids)
        if (id < 0 || id >= vocab)
            throw Error("token id " + std::to_string(id) + " is outside the vocabulary (0.." +
                        std::to_string(vocab - 1) + ")");
    const torch::Tensor& embed = adapter && adapter->embed.defined() ? adapter->embed : w_.embed;
    const torch::Tensor& lmHead = adapter && adapter->lmHead.defined() ? adapter->lmHead : w_.lmHead;
    // x Wᵀ (+ b), plus the adapter's (x Aᵀ) Bᵀ for this projection when it has one.
    auto proj = [&](const torch::Tensor& h, const torch::Tensor& w, const torch::Tensor& b,
                    const LoraDelta* d) {
        auto y = project(h, w, b);
        if (d && d->a.defined()) y = y + project(project(h, d->a), d->b);
        return y;
    };
    ensureCapacity(cache, total);
    const auto dev = toTorchDevice(device_);
    const int H = cfg_.numHeads, KV = cfg_.numKvHeads, D = cfg_.headDim, G = H / KV;

    std::vector<std::int64_t> ids64(ids.begin(), ids.end());
    auto idx = torch::from_blob(ids64.data(), {T}, torch::kInt64).clone().to(dev);
    auto x = embed.index_select(0, idx);
    if (cfg_.scaleEmbeddings) {
        // As transformers: the normaliser is rounded to the compute dtype first.
        auto norm = torch::tensor(std::sqrt(static_cast<double>(cfg_.hiddenSize)), torch::kFloat64)
                        .to(x.scalar_type());
        x = x * norm.to(dev);
    }

    auto [cosG, sinG] = ropeTable(false, start, T, total);
    torch::Tensor cosL, sinL;
    if (cfg_.ropeLocalTheta > 0)
        std::tie(cosL, sinL) = ropeTable(true, start, T, total);
    else
        cosL = cosG, sinL = sinG;
    auto rope = [&](const torch::Tensor& t, const torch::Tensor& c, const torch::Tensor& s) {
        auto a = t.narrow(-1, 0, D / 2), b = t.narrow(-1, D / 2, D / 2);
        return torch::cat({a * c - b * s, b * c + a * s}, -1);
    };

    // Causal (and sliding-window) masks, [T, S], additive.
    auto buildMask = [&](int window) {
        auto qpos = torch::arange(start, total, torch::kInt64).unsqueeze(1);
        auto kpos = torch::arange(0, total, torch::kInt64).unsqueeze(0);
        auto allowed = kpos <= qpos;
        if (window > 0) allowed = allowed & ((qpos - kpos) < window);
        auto m = torch::zeros({T, total}, torch::kFloat32).masked_fill(allowed.logical_not(), -INFINITY);
        return m.to(dev);
    };
    // A single new token attends to everything cached (no mask) unless the window cuts the cache.
    const torch::Tensor maskGlobal = T > 1 ? buildMask(0) : torch::Tensor();
    const torch::Tensor maskLocal = cfg_.slidingWindow > 0 && (T > 1 || total > cfg_.slidingWindow)
                                        ? buildMask(cfg_.slidingWindow)
                                        : maskGlobal;
    const double scale = cfg_.attnScale > 0 ? cfg_.attnScale : 1.0 / std::sqrt(static_cast<double>(D));

    for (int l = 0; l < cfg_.numLayers; ++l) {
        const auto& lw = w_.layers[static_cast<std::size_t>(l)];
        const bool local = cfg_.layerSliding[static_cast<std::size_t>(l)];
        const LayerAdapter* la = adapter ? &adapter->layers[static_cast<std::size_t>(l)] : nullptr;
        auto h = rmsNorm(x, lw.attnNorm);
        auto qkv = proj(h, lw.wqkv, lw.bqkv, la ? &la->qkv : nullptr);
        auto q = qkv.narrow(1, 0, H * D).view({T, H, D}).transpose(0, 1);
        auto k = qkv.narrow(1, H * D, KV * D).view({T, KV, D}).transpose(0, 1);
        auto v = qkv.narrow(1, (H + KV) * D, KV * D).view({T, KV, D}).transpose(0, 1);
        if (cfg_.qkNorm) {
            q = rmsNorm(q, lw.qNorm);
            k = rmsNorm(k, lw.kNorm);
        }
        q = rope(q, local ? cosL : cosG, local ? sinL : sinG);
        k = rope(k, local ? cosL : cosG, local ? sinL : sinG);
        auto& K = cache.k[static_cast<std::size_t>(l)];
        auto& V = cache.v[static_cast<std::size_t>(l)];
        K.narrow(1, start, T).copy_(k);
        V.narrow(1, start, T).copy_(v);
        auto Ks = K.narrow(1, 0, total), Vs = V.narrow(1, 0, total);
        // [KV, G*T, D] x [KV, D, S] -> [KV, G*T, S]
        auto qg = q.reshape({KV, G * T, D});
        auto scores = torch::matmul(qg, Ks.transpose(1, 2)).to(torch::kFloat32) * scale;
        if (cfg_.attnSoftcap > 0) scores = torch::tanh(scores / cfg_.attnSoftcap) * cfg_.attnSoftcap;
        const auto& mask = local ? maskLocal : maskGlobal;
        if (mask.defined()) scores = scores.view({KV, G, T, total}) + mask;
        auto p = torch::softmax(scores, -1).to(Vs.scalar_type()).view({KV, G * T, total});
        auto o = torch::matmul(p, Vs).view({H, T, D}).transpose(0, 1).reshape({T, H * D});
        auto attn = proj(o, lw.wo, {}, la ? &la->o : nullptr);
        if (cfg_.sandwichNorms) attn = rmsNorm(attn, lw.postAttnNorm);
        x = x + attn;
        h = rmsNorm(x, lw.ffnNorm);
        auto gu = proj(h, lw.wgateUp, {}, la ? &la->gateUp : nullptr);
        auto gate = gu.narrow(1, 0, cfg_.intermediateSize);
        auto up = gu.narrow(1, cfg_.intermediateSize, cfg_.intermediateSize);
        auto act = cfg_.activation == Activation::GeluTanh ? at::gelu(gate, "tanh") : torch::silu(gate);
        auto m = proj(act * up, lw.wdown, {}, la ? &la->down : nullptr);
        if (cfg_.sandwichNorms) m = rmsNorm(m, lw.postFfnNorm);
        x = x + m;
    }
    cache.length = total;
    if (!allPositions) x = x.narrow(0, T - 1, 1);
    x = rmsNorm(x, w_.finalNorm);
    auto logits = project(x, lmHead).to(torch::kFloat32);
    if (cfg_.finalSoftcap > 0) logits = torch::tanh(logits / cfg_.finalSoftcap) * cfg_.finalSoftcap;
    logits = logits.to(torch::kCPU).contiguous();
    return allPositions ? logits : logits.view({-1});
}

} // namespace hone
