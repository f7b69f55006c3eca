// The LoRA training forward pass over the frozen base weights. Projections stay fused as the loader stores
// them (q/k/v in one matrix, gate/up in another); the adapters of a fused group share one GEMM for their A
// matrices, and each B adds into its own slice of the output. Attention keeps K/V grouped (no repeat), masks
// with an additive causal (or, for packed rows, block-diagonal causal) bias and skips the keys after each
// block of queries. RMSNorm, SwiGLU, the LoRA projections and attention are fused autograd functions
// (train/fused_layer_ops_torch.h); the plain-op versions remain for what those do not cover (q/k norms,
// soft-capping, LoRA dropout, GELU). Only positions with a target reach the output projection, whose
// [tokens x vocab] logits never exist in full.
#include "train/lora_model_torch.h"

#include "common/error.h"
#include "data/batch_plan.h"
#include "device/torch_device.h"
#include "train/checkpoint_torch.h"
#include "train/chunked_cross_entropy_torch.h"
#include "train/fused_layer_ops_torch.h"

#include <torch/nn/functional/dropout.h>

#include <cmath>

namespace hone {

namespace F = torch::nn::functional;

struct LoraModel::Group {
    torch::Tensor weight, bias; // fused base projection [sum(out), in] in the compute dtype; bias optional
    struct Segment {
        std::string target;
        std::int64_t out = 0;
        int adapter = -1; // index into adapters, -1 when this slice has none
    };
    std::vector<Segment> segments;
    std::vector<LoraAdapter> adapters;
};

struct LoraModel::Layer {
    Group qkv, o, gateUp, down;
    std::vector<torch::Tensor> params() const {
        std::vector<torch::Tensor> p;
        for (const Group* g : {&qkv, &o, &gateUp, &down})
            for (const auto& a : g->adapters) {
                p.push_back(a.a);
                p.push_back(a.b);
            }
        return p;
    }
};

namespace {

torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& w, double eps) {
    return fusedRmsNorm(x, w, eps);
}

torch::Tensor rope(const torch::Tensor& t, const torch::Tensor& c, const torch::Tensor& s) {
    const auto half = t.size(-1) / 2;
    auto a = t.narrow(-1, 0, half), b = t.narrow(-1, half, half);
    return torch::cat({a * c - b * s, b * c + a * s}, -1);
}

std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
    std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (a * 16 + b + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

} // namespace

std::string peftModulePath(int layer, const std::string& target) {
    const bool attn = target == "q_proj" || target == "k_proj" || target == "v_proj" || target == "o_proj";
    return "base_model.model.model.layers." + std::to_string(layer) + (attn ? ".self_attn." : ".mlp.") +
           target;
}

LoraModel::LoraModel(std::shared_ptr<const Transformer> base, LoraModelOptions options)
    : base_(std::move(base))
    , opt_(std::move(options)) {
    const ModelConfig& c = base_->config();
    opt_.lora.validate();
    const auto targets = opt_.lora.expandedTargets();
    auto wanted = [&](const std::string& t) {
        return std::find(targets.begin(), targets.end(), t) != targets.end();
    };
    const auto dev = toTorchDevice(base_->device());
    const std::int64_t hid = c.hiddenSize, H = c.numHeads, KV = c.numKvHeads, D = c.headDim,
                       FF = c.intermediateSize;
    const auto& w = base_->weights();
    static const std::vector<std::string> order = {"q_proj",    "k_proj",  "v_proj",   "o_proj",
                                                   "gate_proj", "up_proj", "down_proj"};
    for (int l = 0; l < c.numLayers; ++l) {
        const auto& lw = w.layers[static_cast<std::size_t>(l)];
        auto layer = std::make_shared<Layer>();
        auto setup = [&](Group& g, torch::Tensor weight, torch::Tensor bias,
                         std::vector<std::pair<std::string, std::int64_t>> segs, std::int64_t in) {
            g.weight = std::move(weight);
            g.bias = std::move(bias);
            for (auto& [name, out] : segs) {
                Group::Segment s{name, out, -1};
                if (wanted(name)) {
                    opt_.lora.checkFits(peftModulePath(l, name).substr(17), in, out);
                    const auto ti = static_cast<std::uint64_t>(std::find(order.begin(), order.end(), name) -
                                                               order.begin());
                    g.adapters.push_back(makeLoraAdapter(
                        in, out, opt_.lora, dev, mixSeed(opt_.seed, static_cast<std::uint64_t>(l), ti)));
                    s.adapter = static_cast<int>(g.adapters.size()) - 1;
                }
                g.segments.push_back(s);
            }
        };
        setup(layer->qkv, lw.wqkv, lw.bqkv, {{"q_proj", H * D}, {"k_proj", KV * D}, {"v_proj", KV * D}}, hid);
        setup(layer->o, lw.wo, {}, {{"o_proj", hid}}, H * D);
        setup(layer->gateUp, lw.wgateUp, {}, {{"gate_proj", FF}, {"up_proj", FF}}, hid);
        setup(layer->down, lw.wdown, {}, {{"down_proj", hid}}, FF);
        layers_.push_back(layer);
    }
    if (opt_.newTokens < 0) throw Error("the number of added tokens cannot be negative");
    if (opt_.newTokens > 0) {
        auto o = torch::TensorOptions().dtype(torch::kFloat32).device(dev);
        newEmbed_ = torch::zeros({opt_.newTokens, hid}, o);
        newHead_ = c.tieEmbeddings ? newEmbed_ : torch::zeros({opt_.newTokens, hid}, o);
        initNewTokens();
        newEmbed_.set_requires_grad(true);
        if (!c.tieEmbeddings) newHead_.set_requires_grad(true);
    }
    auto toTensor = [&](const std::vector<double>& v) { return torch::tensor(v, torch::kFloat64).to(dev); };
    invFreqGlobal_ = toTensor(ropeInverseFrequencies(c, c.ropeTheta, true));
    invFreqLocal_ =
        c.ropeLocalTheta > 0 ? toTensor(ropeInverseFrequencies(c, c.ropeLocalTheta, false)) : invFreqGlobal_;
}

void LoraModel::initNewTokens() {
    if (opt_.newTokens == 0) return;
    torch::NoGradGuard noGrad;
    const auto& w = base_->weights();
    newEmbed_.copy_(w.embed.to(torch::kFloat32).mean(0, true).expand_as(newEmbed_));
    if (!base_->config().tieEmbeddings)
        newHead_.copy_(w.lmHead.to(torch::kFloat32).mean(0, true).expand_as(newHead_));
}

std::vector<torch::Tensor> LoraModel::parameters() const {
    std::vector<torch::Tensor> p;
    for (const auto& l : layers_) {
        auto lp = l->params();
        p.insert(p.end(), lp.begin(), lp.end());
    }
    if (newEmbed_.defined()) p.push_back(newEmbed_);
    if (newHead_.defined() && !base_->config().tieEmbeddings) p.push_back(newHead_);
    return p;
}

std::int64_t LoraModel::trainableCount() const {
    std::int64_t n = 0;
    for (const auto& t : parameters()) n += t.numel();
    return n;
}

torch::Tensor LoraModel::project(const Group& g, const torch::Tensor& x, bool training) const {
    const auto dt = x.scalar_type();
    const bool dropout = training && opt_.lora.dropout > 0 && !g.adapters.empty();
    if (!dropout) {
        LoraSlices lora;
        std::int64_t offset = 0;
        for (const auto& s : g.segments) {
            if (s.adapter >= 0) {
                const LoraAdapter& a = g.adapters[static_cast<std::size_t>(s.adapter)];
                lora.a.push_back(a.a);
                lora.b.push_back(a.b);
                lora.offsets.push_back(offset);
                lora.scale = a.scale;
            }
            offset += s.out;
        }
        return fusedLoraLinear(x, g.weight, g.bias, lora);
    }
    // With dropout every adapter sees its own mask of x, so the A matrices cannot share a GEMM.
    torch::Tensor y = g.bias.defined() ? torch::linear(x, g.weight, g.bias) : torch::linear(x, g.weight);
    std::vector<torch::Tensor> parts;
    parts.reserve(g.segments.size());
    for (const auto& s : g.segments) {
        if (s.adapter < 0) {
            auto shape = x.sizes().vec();
            shape.back() = s.out;
            parts.push_back(torch::zeros(shape, x.options()));
            continue;
        }
        const LoraAdapter& a = g.adapters[static_cast<std::size_t>(s.adapter)];
        auto h = torch::linear(F::dropout(x, F::DropoutFuncOptions().p(opt_.lora.dropout).training(true)),
                               a.a.to(dt));
        parts.push_back(torch::linear(h, (a.b * a.scale).to(dt)));
    }
    return y + (parts.size() == 1 ? parts[0] : torch::cat(parts, -1));
}

torch::Tensor LoraModel::layerForward(const Layer& L, int index, const torch::Tensor& x,
                                      const TrainBatch& batch, const torch::Tensor& cos,
                                      const torch::Tensor& sin, bool training) const {
    const ModelConfig& c = base_->config();
    const auto& lw = base_->weights().layers[static_cast<std::size_t>(index)];
    const std::int64_t B = x.size(0), T = x.size(1), H = c.numHeads, KV = c.numKvHeads, D = c.headDim,
                       G = H / KV;
    const auto dt = x.scalar_type();
    auto h = rmsNorm(x, lw.attnNorm, c.rmsEps);
    auto qkv = project(L.qkv, h, training);
    const double scale = c.attnScale > 0 ? c.attnScale : 1.0 / std::sqrt(static_cast<double>(D));
    const bool local = c.layerSliding.size() > static_cast<std::size_t>(index) &&
                       c.layerSliding[static_cast<std::size_t>(index)] && c.slidingWindow > 0 &&
                       T > c.slidingWindow;
    torch::Tensor o;
    if (!c.qkNorm && c.attnSoftcap <= 0) {
        auto bias = attentionBias(batch.blocked, T, local ? c.slidingWindow : 0, x.device());
        o = fusedCausalAttention(qkv, cos, sin, bias, AttentionShape{H, KV, D, scale});
    } else {
        auto q = qkv.narrow(-1, 0, H * D).view({B, T, H, D});
        auto k = qkv.narrow(-1, H * D, KV * D).view({B, T, KV, D});
        auto v = qkv.narrow(-1, (H + KV) * D, KV * D).view({B, T, KV, D});
        if (c.qkNorm) {
            q = rmsNorm(q, lw.qNorm, c.rmsEps);
            k = rmsNorm(k, lw.kNorm, c.rmsEps);
        }
        q = rope(q, cos, sin) * scale;
        k = rope(k, cos, sin);
        // Grouped layout: [B, KV, G*T, D] queries against [B, KV, T, D] keys.
        auto qg = q.view({B, T, KV, G, D}).permute({0, 2, 3, 1, 4}).reshape({B, KV, G * T, D});
        auto s = torch::matmul(qg, k.permute({0, 2, 3, 1}));
        if (dt != torch::kFloat32) s = s.to(torch::kFloat32);
        if (c.attnSoftcap > 0) s = torch::tanh(s / c.attnSoftcap) * c.attnSoftcap;
        auto blocked =
            batch.blocked.defined()
                ? batch.blocked
                : torch::ones({T, T}, torch::TensorOptions().dtype(torch::kBool).device(x.device())).triu(1);
        if (local) {
            auto qpos = torch::arange(T, torch::TensorOptions().device(x.device())).unsqueeze(1);
            auto kpos = torch::arange(T, torch::TensorOptions().device(x.device())).unsqueeze(0);
            blocked = blocked | ((qpos - kpos) >= c.slidingWindow);
        }
        s = s.view({B, KV, G, T, T}).masked_fill(blocked, -INFINITY);
        auto p = torch::softmax(s, -1).to(dt).view({B, KV, G * T, T});
        o = torch::matmul(p, v.permute({0, 2, 1, 3}))
                .view({B, KV, G, T, D})
                .permute({0, 3, 1, 2, 4})
                .reshape({B, T, H * D});
    }
    auto attn = project(L.o, o, training);
    if (c.sandwichNorms) attn = rmsNorm(attn, lw.postAttnNorm, c.rmsEps);
    auto y = x + attn;
    h = rmsNorm(y, lw.ffnNorm, c.rmsEps);
    auto gu = project(L.gateUp, h, training);
    const torch::Tensor act = c.activation == Activation::GeluTanh ? fusedGeGluTanh(gu) : fusedSwiGlu(gu);
    auto m = project(L.down, act, training);
    if (c.sandwichNorms) m = rmsNorm(m, lw.postFfnNorm, c.rmsEps);
    return y + m;
}

torch::Tensor LoraModel::hiddenStates(const TrainBatch& batch, bool training) const {
    const ModelConfig& c = base_->config();
    const auto& w = base_->weights();
    if (batch.ids.dim() != 2) throw Error("training batch: ids must be [batch, tokens]");
    const std::int64_t B = batch.ids.size(0), T = batch.ids.size(1), V = c.vocabSize;
    const auto dt = toTorchDType(base_->computeDType());
    auto ids = batch.ids.flatten();
    const std::int64_t maxId = ids.max().item<std::int64_t>();
    if (ids.min().item<std::int64_t>() < 0 || maxId >= vocabSize())
        throw Error("training batch: token id " + std::to_string(maxId) + " is outside the vocabulary of " +
                    std::to_string(vocabSize()));
    auto x = w.embed.index_select(0, ids.clamp_max(V - 1));
    if (opt_.newTokens > 0) {
        auto isNew = (ids >= V).unsqueeze(1);
        auto rows = newEmbed_.to(dt).index_select(0, (ids - V).clamp_min(0));
        x = torch::where(isNew, rows, x);
    }
    x = x.view({B, T, c.hiddenSize});
    if (c.scaleEmbeddings) {
        auto norm = torch::tensor(std::sqrt(static_cast<double>(c.hiddenSize)), torch::kFloat64).to(dt);
        x = x * norm.to(x.device());
    }
    auto table = [&](const torch::Tensor& inv) {
        auto ang = batch.positions.to(torch::kFloat64).unsqueeze(-1) * inv; // [B, T, D/2]
        return std::make_pair(torch::cos(ang).to(torch::kFloat32).to(dt).unsqueeze(2),
                              torch::sin(ang).to(torch::kFloat32).to(dt).unsqueeze(2));
    };
    auto [cosG, sinG] = table(invFreqGlobal_);
    torch::Tensor cosL = cosG, sinL = sinG;
    if (c.ropeLocalTheta > 0) std::tie(cosL, sinL) = table(invFreqLocal_);
    for (int l = 0; l < c.numLayers; ++l) {
        const bool local = c.layerSliding.size() > static_cast<std::size_t>(l) &&
                           c.layerSliding[static_cast<std::size_t>(l)];
        torch::Tensor cs = local ? cosL : cosG, sn = local ? sinL : sinG;
        const Layer& L = *layers_[static_cast<std::size_t>(l)];
        if (opt_.checkpointing && training) {
            // Captured by value: the function runs again during backward, after this frame is gone.
            auto layerPtr = layers_[static_cast<std::size_t>(l)];
            TrainBatch b = batch;
            const LoraModel* self = this;
            auto fn = [self, layerPtr, l, b, cs, sn](const torch::Tensor& in) {
                return self->layerForward(*layerPtr, l, in, b, cs, sn, true);
            };
            x = checkpointed(fn, x, L.params());
        } else {
            x = layerForward(L, l, x, batch, cs, sn, training);
        }
    }
    return rmsNorm(x, w.finalNorm, c.rmsEps);
}

torch::Tensor LoraModel::outputWeight() const {
    const auto& w = base_->weights();
    if (opt_.newTokens == 0) return w.lmHead;
    return torch::cat({w.lmHead, newHead_.to(w.lmHead.scalar_type())}, 0);
}

torch::Tensor LoraModel::loss(const TrainBatch& batch, double normalizer, bool training) const {
    auto h = hiddenStates(batch, training);
    const std::int64_t hid = h.size(-1);
    auto labels = batch.labels.flatten();
    auto idx = (labels != -100).nonzero().flatten();
    if (idx.numel() == 0) return (h.sum() * 0).to(torch::kFloat32);
    const bool all = idx.numel() == labels.numel();
    auto hsel = all ? h.reshape({-1, hid}) : h.reshape({-1, hid}).index_select(0, idx);
    auto tsel = all ? labels : labels.index_select(0, idx);
    const double norm = normalizer > 0 ? normalizer : static_cast<double>(idx.numel());
    // The frozen output weight needs no gradient: the loss's hidden-state gradient comes out of the forward
    // pass. Added-token rows (trained) and soft-capping take the recomputing version.
    if (opt_.newTokens == 0 && base_->config().finalSoftcap <= 0)
        return eagerChunkedCrossEntropy(hsel, outputWeight(), tsel, opt_.lossChunk, norm);
    ChunkedCrossEntropyOptions o;
    o.chunkTokens = opt_.lossChunk;
    o.softcap = base_->config().finalSoftcap;
    o.normalizer = norm;
    return chunkedCrossEntropy(hsel, outputWeight(), tsel, o);
}

torch::Tensor LoraModel::logits(const TrainBatch& batch) const {
    torch::NoGradGuard noGrad;
    auto h = hiddenStates(batch, false);
    auto z = torch::linear(h, outputWeight()).to(torch::kFloat32);
    const double cap = base_->config().finalSoftcap;
    if (cap > 0) z = torch::tanh(z / cap) * cap;
    return z;
}

std::vector<std::pair<std::string, torch::Tensor>> LoraModel::peftState() const {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
        const Layer& L = *layers_[l];
        for (const Group* g : {&L.qkv, &L.o, &L.gateUp, &L.down})
            for (const auto& s : g->segments) {
                if (s.adapter < 0) continue;
                const auto& a = g->adapters[static_cast<std::size_t>(s.adapter)];
                const std::string p = peftModulePath(static_cast<int>(l), s.target);
                out.emplace_back(p + ".lora_A.weight", a.a.detach().to(torch::kCPU).contiguous());
                out.emplace_back(p + ".lora_B.weight", a.b.detach().to(torch::kCPU).contiguous());
            }
    }
    if (opt_.newTokens > 0) {
        const auto& w = base_->weights();
        auto embed = torch::cat({w.embed.to(torch::kFloat32), newEmbed_.detach()}, 0).to(torch::kCPU);
        out.emplace_back("base_model.model.model.embed_tokens.weight", embed.contiguous());
        auto head = base_->config().tieEmbeddings
                        ? embed
                        : torch::cat({w.lmHead.to(torch::kFloat32), newHead_.detach()}, 0).to(torch::kCPU);
        out.emplace_back("base_model.model.lm_head.weight", head.contiguous());
    }
    return out;
}

void LoraModel::loadPeftState(const std::map<std::string, torch::Tensor>& state) {
    torch::NoGradGuard noGrad;
    auto take = [&](const std::string& name, torch::Tensor& dst, std::int64_t fromRow) {
        auto it = state.find(name);
        if (it == state.end())
            throw Error(
                "adapter tensor '" + name +
                "' is missing; the adapter was trained with other settings (rank, targets, added tokens)");
        torch::Tensor src = it->second;
        if (fromRow > 0 && src.dim() == 2) src = src.narrow(0, fromRow, src.size(0) - fromRow);
        if (src.sizes() != dst.sizes()) {
            std::string a, b;
            for (auto v : src.sizes()) a += (a.empty() ? "" : " x ") + std::to_string(v);
            for (auto v : dst.sizes()) b += (b.empty() ? "" : " x ") + std::to_string(v);
            throw Error("adapter tensor '" + name + "' has shape " + a +
                        " but this model and LoRA settings need " + b);
        }
        dst.copy_(src.to(dst.device(), dst.scalar_type()));
    };
    for (std::size_t l = 0; l < layers_.size(); ++l) {
        Layer& L = *layers_[l];
        for (Group* g : {&L.qkv, &L.o, &L.gateUp, &L.down})
            for (const auto& s : g->segments) {
                if (s.adapter < 0) continue;
                auto& a = g->adapters[static_cast<std::size_t>(s.adapter)];
                const std::string p = peftModulePath(static_cast<int>(l), s.target);
                take(p + ".lora_A.weight", a.a, 0);
                take(p + ".lora_B.weight", a.b, 0);
            }
    }
    if (opt_.newTokens > 0) {
        const std::int64_t V = base_->config().vocabSize;
        take("base_model.model.model.embed_tokens.weight", newEmbed_, V);
        if (!base_->config().tieEmbeddings) take("base_model.model.lm_head.weight", newHead_, V);
    }
}

TrainBatch makeTrainBatch(const data::MicroBatch& mb, const c10::Device& dev, bool packed) {
    const auto B = static_cast<std::int64_t>(mb.rows.size());
    const auto T = static_cast<std::int64_t>(mb.rows.front().ids.size());
    std::vector<std::int64_t> ids, pos, lab;
    ids.reserve(static_cast<std::size_t>(B * T));
    pos.reserve(ids.capacity());
    lab.reserve(ids.capacity());
    std::vector<std::int64_t> seg;
    bool multiDoc = false;
    for (const auto& r : mb.rows) {
        ids.insert(ids.end(), r.ids.begin(), r.ids.end());
        pos.insert(pos.end(), r.positions.begin(), r.positions.end());
        lab.insert(lab.end(), r.labels.begin(), r.labels.end());
        std::int64_t d = 0;
        for (auto len : r.docLengths) {
            for (int i = 0; i < len; ++i) seg.push_back(d);
            ++d;
        }
        if (r.docLengths.size() > 2 || (r.docLengths.size() == 2 && packed)) multiDoc = true;
    }
    auto opt64 = torch::TensorOptions().dtype(torch::kInt64);
    TrainBatch b;
    b.ids = torch::from_blob(ids.data(), {B, T}, opt64).clone().to(dev);
    b.positions = torch::from_blob(pos.data(), {B, T}, opt64).clone().to(dev);
    b.labels = torch::from_blob(lab.data(), {B, T}, opt64).clone().to(dev);
    b.targets = static_cast<std::int64_t>(mb.targetTokens);
    if (packed && multiDoc && static_cast<std::int64_t>(seg.size()) == B * T) {
        auto s = torch::from_blob(seg.data(), {B, T}, opt64).clone().to(dev);
        auto causal = torch::ones({T, T}, torch::TensorOptions().dtype(torch::kBool).device(dev)).triu(1);
        auto other = s.unsqueeze(2) != s.unsqueeze(1); // [B, T, T]
        b.blocked = (other | causal).view({B, 1, 1, T, T});
    }
    return b;
}

} // namespace hone
