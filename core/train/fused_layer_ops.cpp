// The fused training ops as LibTorch autograd functions. Each op has up to three paths, chosen per call:
// Hone's GPU kernels where the dispatch switch (train/gpu_kernel_ops_torch.h) says they serve the tensor,
// the single-pass CPU loops (train/fused_cpu_kernels.h) for CPU tensors, and device-generic LibTorch ops
// everywhere else (the fallback). The savings come from doing less: fewer saved tensors, no zero-filled
// slice gradients or concatenations, gradients written straight into their slice of a fused tensor,
// attention blocks that skip masked keys.
#include "train/fused_layer_ops_torch.h"

#include "common/error.h"
#include "train/fused_cpu_kernels.h"
#include "train/gpu_kernel_ops_torch.h"

#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

namespace hone {

namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Reductions and softmax run in F32, or F64 for F64 inputs (the tests' gradient checks).
c10::ScalarType opmath(const Tensor& t) {
    return t.scalar_type() == torch::kFloat64 ? torch::kFloat64 : torch::kFloat32;
}

// The single-pass CPU loops take F32 and BF16 tensors in CPU memory (made contiguous by the caller).
bool cpuKernel(const Tensor& t, cpu::Elem& elem) {
    if (!t.device().is_cpu()) return false;
    if (t.scalar_type() == torch::kFloat32)
        elem = cpu::Elem::F32;
    else if (t.scalar_type() == torch::kBFloat16)
        elem = cpu::Elem::BF16;
    else
        return false;
    return true;
}

// ---- RMSNorm ----

class RmsNormFunction : public torch::autograd::Function<RmsNormFunction> {
public:
    static Tensor forward(AutogradContext* ctx, const Tensor& x, const Tensor& w, double eps) {
        const std::int64_t n = x.size(-1);
        auto rowShape = x.sizes().vec();
        rowShape.back() = 1;
        Tensor y, rstd;
        cpu::Elem elem{};
        const bool gpu = gpuk::useGpuKernels(x);
        if (gpu || cpuKernel(x, elem)) {
            const Tensor x2 = x.reshape({-1, n}).contiguous(), w32 = w.to(torch::kFloat32).contiguous();
            y = torch::empty_like(x2);
            rstd = torch::empty({x2.size(0)}, x.options().dtype(torch::kFloat32));
            if (gpu)
                gpuk::rmsNormForward(x2, w32, y, rstd, eps);
            else
                cpu::rmsNormForward(elem, x2.data_ptr(), n, w32.data_ptr<float>(), y.data_ptr(), n,
                                    rstd.data_ptr<float>(), x2.size(0), n, static_cast<float>(eps));
            y = y.view(x.sizes());
            rstd = rstd.view(rowShape);
        } else {
            // Mixed-dtype ops read x in its own dtype and compute in F32: no converted copy of x is made.
            const auto ot = opmath(x);
            rstd =
                at::linalg_vector_norm(x, 2, {-1}, true, ot).square_().div_(static_cast<double>(n)).add_(eps);
            rstd.rsqrt_();
            y = torch::empty_like(x);
            torch::mul_out(y, x * rstd, w.to(ot));
        }
        ctx->save_for_backward({x, w, rstd});
        return y;
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        auto saved = ctx->get_saved_variables();
        const Tensor &x = saved[0], &w = saved[1], &rstd = saved[2];
        const std::int64_t n = x.size(-1);
        cpu::Elem elem{};
        const bool gpu = gpuk::useGpuKernels(x);
        if ((gpu || cpuKernel(x, elem)) && grads[0].scalar_type() == x.scalar_type()) {
            const Tensor x2 = x.reshape({-1, n}).contiguous(), dy = grads[0].reshape({-1, n}).contiguous();
            const Tensor w32 = w.to(torch::kFloat32).contiguous(), r = rstd.contiguous();
            Tensor dx = torch::empty_like(x2);
            if (gpu)
                gpuk::rmsNormBackward(x2, w32, r, dy, dx);
            else
                cpu::rmsNormBackward(elem, x2.data_ptr(), n, w32.data_ptr<float>(), r.data_ptr<float>(),
                                     dy.data_ptr(), n, dx.data_ptr(), n, x2.size(0), n);
            return {dx.view(x.sizes()), Tensor(), Tensor()};
        }
        const auto ot = opmath(x);
        // d/dx of x r w with r = (mean(x^2) + eps)^-1/2: r (g w) - x r^3 mean(g w x).
        Tensor gw = grads[0] * w.to(ot);
        Tensor coef = (gw * x).mean(-1, true).mul_(rstd.pow(3));
        return {gw.mul_(rstd).addcmul_(x, coef, -1).to(x.scalar_type()), Tensor(), Tensor()};
    }
};

// ---- gated linear units (SwiGLU, GeGLU-tanh) ----

constexpr int kSwiGlu = 0, kGeGluTanh = 1; // kernels/gpu/launch.h's kinds

class GluFunction : public torch::autograd::Function<GluFunction> {
public:
    static Tensor forward(AutogradContext* ctx, const Tensor& gu, std::int64_t kind) {
        const std::int64_t f = gu.size(-1) / 2;
        ctx->save_for_backward({gu});
        ctx->saved_data["kind"] = kind;
        auto shape = gu.sizes().vec();
        shape.back() = f;
        cpu::Elem elem{};
        const bool gpu = gpuk::useGpuKernels(gu);
        if (gpu || (kind == kSwiGlu && cpuKernel(gu, elem))) { // the CPU loop is SwiGLU's only
            const Tensor g2 = gu.reshape({-1, 2 * f}).contiguous();
            Tensor out = torch::empty({g2.size(0), f}, gu.options());
            if (gpu)
                gpuk::gluForward(static_cast<int>(kind), g2, out);
            else
                cpu::swiGluForward(elem, g2.data_ptr(), 2 * f, out.data_ptr(), f, g2.size(0), f);
            return out.view(shape);
        }
        const Tensor g = gu.narrow(-1, 0, f), u = gu.narrow(-1, f, f);
        return (kind == kSwiGlu ? torch::silu(g) : at::gelu(g, "tanh")).mul_(u);
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const Tensor gu = ctx->get_saved_variables()[0];
        const std::int64_t kind = ctx->saved_data["kind"].toInt();
        const std::int64_t f = gu.size(-1) / 2;
        const Tensor& dy = grads[0];
        cpu::Elem elem{};
        const bool gpu = gpuk::useGpuKernels(gu);
        if ((gpu || (kind == kSwiGlu && cpuKernel(gu, elem))) && dy.scalar_type() == gu.scalar_type()) {
            const Tensor g2 = gu.reshape({-1, 2 * f}).contiguous(), d2 = dy.reshape({-1, f}).contiguous();
            Tensor dgu = torch::empty_like(g2);
            if (gpu)
                gpuk::gluBackward(static_cast<int>(kind), g2, d2, dgu);
            else
                cpu::swiGluBackward(elem, g2.data_ptr(), 2 * f, d2.data_ptr(), f, dgu.data_ptr(), 2 * f,
                                    g2.size(0), f);
            return {dgu.view(gu.sizes()), Tensor()};
        }
        // Written straight into the two halves; the activations' backward is one pass computing in F32.
        Tensor dgu = torch::empty_like(gu);
        const Tensor g = gu.narrow(-1, 0, f), u = gu.narrow(-1, f, f);
        Tensor dg = dgu.narrow(-1, 0, f), du = dgu.narrow(-1, f, f);
        if (kind == kSwiGlu) {
            at::silu_backward_out(dg, dy * u, g);
            at::silu_out(du, g).mul_(dy);
        } else {
            at::gelu_backward_out(dg, dy * u, g, "tanh");
            at::gelu_out(du, g, "tanh").mul_(dy);
        }
        return {dgu, Tensor()};
    }
};

// ---- LoRA over a fused projection ----

class LoraLinearFunction : public torch::autograd::Function<LoraLinearFunction> {
public:
    // x [N, in]; bias: none or one tensor (LibTorch 1.13 takes no undefined tensors as inputs); as / bs: the
    // adapters (F32 leaves); offsets: output column of each B's slice.
    static Tensor forward(AutogradContext* ctx, const Tensor& x, const Tensor& weight, torch::TensorList bias,
                          torch::TensorList as, torch::TensorList bs, std::vector<std::int64_t> offsets,
                          double scale) {
        const auto dt = x.scalar_type();
        Tensor y = bias.empty() ? torch::mm(x, weight.t()) : torch::addmm(bias[0], x, weight.t());
        const std::int64_t r = as[0].size(0);
        Tensor aCat = as.size() == 1 ? as[0] : torch::cat(as, 0); // [n r, in]
        Tensor xa;                                                // [N, n r]
        // Hone's kernels take the adapters and x A^T in F32 (the adapters' own dtype).
        const bool gpu = gpuk::useGpuKernels(x) && aCat.scalar_type() == torch::kFloat32 &&
                         bs[0].scalar_type() == torch::kFloat32;
        if (gpu) {
            aCat = aCat.contiguous();
            xa = torch::empty({x.size(0), aCat.size(0)}, x.options().dtype(torch::kFloat32));
            gpuk::loraDown(x, aCat, xa);
            for (std::size_t i = 0; i < bs.size(); ++i) {
                const auto idx = static_cast<std::int64_t>(i);
                gpuk::loraUpAdd(xa.narrow(1, idx * r, r).contiguous(), bs[i].contiguous(), scale,
                                y.narrow(1, offsets[i], bs[i].size(0)));
            }
        } else {
            aCat = aCat.to(dt);
            xa = torch::mm(x, aCat.t());
            // The small products are computed transposed (y_i^T += B_i (x A_i^T)^T, dB_i = ((x A_i^T)^T
            // dy_i)^T): as [out, r] x [r, N] and [r, N] x [N, out] they run ~1.5-2x faster than the [N, r] x
            // [r, out] and [out, N] x [N, r] forms (oneDNN, OpenBLAS, 1-2 threads here).
            const Tensor xaT = xa.t();
            for (std::size_t i = 0; i < bs.size(); ++i) {
                const auto idx = static_cast<std::int64_t>(i);
                Tensor yiT = y.narrow(1, offsets[i], bs[i].size(0)).t();
                yiT.addmm_(bs[i].to(dt), xaT.narrow(0, idx * r, r), 1.0, scale);
            }
        }
        ctx->saved_data["gpu"] = gpu;
        std::vector<Tensor> saved{x, weight, aCat, xa};
        saved.insert(saved.end(), bs.begin(), bs.end());
        ctx->save_for_backward(saved);
        ctx->saved_data["offsets"] = offsets;
        ctx->saved_data["scale"] = scale;
        ctx->saved_data["n"] = static_cast<std::int64_t>(bs.size());
        ctx->saved_data["bias"] = !bias.empty();
        return y;
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        auto saved = ctx->get_saved_variables();
        const Tensor &x = saved[0], &weight = saved[1], &aCat = saved[2], &xa = saved[3];
        const auto offsets = ctx->saved_data["offsets"].toIntVector();
        const double scale = ctx->saved_data["scale"].toDouble();
        const auto n = static_cast<std::size_t>(ctx->saved_data["n"].toInt());
        const auto dt = x.scalar_type();
        const std::int64_t r = aCat.size(0) / static_cast<std::int64_t>(n);
        const Tensor dy = grads[0].contiguous();
        if (ctx->saved_data["gpu"].toBool() && dy.scalar_type() == dt) {
            // Base dX first; each adapter's kernel then adds its dxa A into it.
            Tensor dx = ctx->needs_input_grad(0) ? torch::mm(dy, weight) : Tensor();
            tensor_list out{dx, Tensor()};
            if (ctx->saved_data["bias"].toBool()) out.push_back(Tensor());
            std::vector<Tensor> dbs;
            for (std::size_t i = 0; i < n; ++i) {
                const auto idx = static_cast<std::int64_t>(i);
                const Tensor a = aCat.narrow(0, idx * r, r), b = saved[4 + i].contiguous();
                const Tensor xai = xa.narrow(1, idx * r, r).contiguous();
                Tensor dxa = torch::empty_like(xai), da = torch::empty_like(a), db = torch::empty_like(b);
                gpuk::loraBackward(x, a, b, xai, dy.narrow(1, offsets[i], b.size(0)), scale, dxa, da, db, dx);
                out.push_back(da);
                dbs.push_back(db);
            }
            for (auto& d : dbs) out.push_back(std::move(d));
            out.push_back(Tensor());
            out.push_back(Tensor());
            return out;
        }
        Tensor dxa = torch::empty_like(xa); // scale dy_i B_i, [N, n r]
        std::vector<Tensor> dbs;
        for (std::size_t i = 0; i < n; ++i) {
            const Tensor& b = saved[4 + i];
            const auto idx = static_cast<std::int64_t>(i);
            Tensor dyi = dy.narrow(1, offsets[i], b.size(0));
            dxa.narrow(1, idx * r, r).copy_(torch::mm(dyi, b.to(dt)).mul_(scale));
            dbs.push_back(torch::mm(xa.narrow(1, idx * r, r).t(), dyi).mul_(scale).t().to(b.scalar_type()));
        }
        Tensor dx;
        if (ctx->needs_input_grad(0)) dx = torch::mm(dy, weight).addmm_(dxa, aCat);
        Tensor daCat = torch::mm(dxa.t(), x).to(saved[4].scalar_type()); // the adapters' dtype
        tensor_list out{dx, Tensor()};
        if (ctx->saved_data["bias"].toBool()) out.push_back(Tensor());
        for (std::size_t i = 0; i < n; ++i)
            out.push_back(daCat.narrow(0, static_cast<std::int64_t>(i) * r, r));
        for (auto& d : dbs) out.push_back(std::move(d));
        out.push_back(Tensor());
        out.push_back(Tensor());
        return out;
    }
};

// ---- attention ----

// Rotates the halves of `src` [.., D] into `dst` (same shape, any strides): dst = rope(src) with
// `sign` = +1, or its transpose (the backward) with sign = -1.
void ropeInto(const Tensor& dst, const Tensor& src, const Tensor& cos, const Tensor& sin, double sign) {
    const std::int64_t h = src.size(-1) / 2;
    const Tensor a = src.narrow(-1, 0, h), b = src.narrow(-1, h, h);
    Tensor da = dst.narrow(-1, 0, h), db = dst.narrow(-1, h, h);
    // forward: [a c - b s, b c + a s]; transpose: [a c + b s, b c - a s].
    torch::mul_out(da, a, cos).addcmul_(b, sin, -sign);
    torch::mul_out(db, b, cos).addcmul_(a, sin, sign);
}

// RoPE through the GPU kernel on token-major [B T, heads, D] copies of q and k (`backward`: the transpose).
// The tables cos, sin [B or 1, T, 1, D/2] become the kernel's per-token F32 tables [B T, D/2]; q's carry the
// attention scale, as in ropeInto's callers.
void ropeQkOnGpu(const Tensor& qt, const Tensor& kt, const Tensor& cos, const Tensor& sin, double scale,
                 bool backward) {
    const std::int64_t tokens = qt.size(0);
    auto flat = [&](const Tensor& t) {
        const std::int64_t T = t.size(1), half = t.size(-1);
        return t.to(torch::kFloat32).expand({tokens / T, T, 1, half}).reshape({tokens, half}).contiguous();
    };
    const Tensor c = flat(cos), s = flat(sin);
    gpuk::rope(qt, qt, c * scale, s * scale, backward);
    gpuk::rope(kt, kt, c, s, backward);
}

constexpr std::int64_t kQueryBlock = 64; // query rows per attention block (times the group size)

class AttentionFunction : public torch::autograd::Function<AttentionFunction> {
public:
    // Layouts inside: q [B, KV, T, G, D] (roped, scaled), k and v [B, KV, T, D], all contiguous, so the
    // queries of a block of positions are consecutive rows of q viewed as [B KV, T G, D].
    static Tensor forward(AutogradContext* ctx, const Tensor& qkv, const Tensor& cos, const Tensor& sin,
                          const Tensor& bias, std::int64_t H, std::int64_t KV, std::int64_t D, double scale) {
        const std::int64_t B = qkv.size(0), T = qkv.size(1), G = H / KV;
        const auto dt = qkv.scalar_type();
        Tensor q, k;
        if (gpuk::useGpuKernels(qkv)) { // rotated in token-major copies, then laid out for the GEMMs
            Tensor qt = qkv.narrow(-1, 0, H * D).contiguous().view({B * T, H, D});
            Tensor kt = qkv.narrow(-1, H * D, KV * D).contiguous().view({B * T, KV, D});
            ropeQkOnGpu(qt, kt, cos, sin, scale, false);
            q = qt.view({B, T, KV, G, D}).permute({0, 2, 1, 3, 4}).contiguous();
            k = kt.view({B, T, KV, D}).permute({0, 2, 1, 3}).contiguous();
        } else {
            q = torch::empty({B, KV, T, G, D}, qkv.options());
            k = torch::empty({B, KV, T, D}, qkv.options());
            ropeInto(q.permute({0, 2, 1, 3, 4}), qkv.narrow(-1, 0, H * D).view({B, T, KV, G, D}),
                     (cos * scale).unsqueeze(2), (sin * scale).unsqueeze(2), 1);
            ropeInto(k.permute({0, 2, 1, 3}), qkv.narrow(-1, H * D, KV * D).view({B, T, KV, D}), cos, sin, 1);
        }
        Tensor v =
            qkv.narrow(-1, (H + KV) * D, KV * D).view({B, T, KV, D}).permute({0, 2, 1, 3}).contiguous();
        const Tensor q3 = q.view({B * KV, T * G, D}), k3 = k.view({B * KV, T, D}),
                     v3 = v.view({B * KV, T, D});
        const Tensor bias5 = bias.to(opmath(qkv)).view({-1, 1, T, 1, T});
        Tensor o = torch::empty({B, KV, T, G, D}, qkv.options());
        const Tensor o3 = o.view({B * KV, T * G, D});
        std::vector<Tensor> saved{q, k, v, cos, sin};
        for (std::int64_t t0 = 0; t0 < T; t0 += kQueryBlock) {
            const std::int64_t t1 = std::min(T, t0 + kQueryBlock), tb = t1 - t0;
            // Keys after the block's last query are masked for every row of it: not computed at all.
            Tensor s = torch::bmm(q3.narrow(1, t0 * G, tb * G), k3.narrow(1, 0, t1).transpose(1, 2));
            Tensor sf = s.to(opmath(qkv));
            sf.view({B, KV, tb, G, t1}).add_(bias5.narrow(2, t0, tb).narrow(4, 0, t1));
            Tensor p = torch::softmax(sf, -1).to(dt);
            o3.narrow(1, t0 * G, tb * G).copy_(torch::bmm(p, v3.narrow(1, 0, t1)));
            saved.push_back(p);
        }
        ctx->save_for_backward(saved);
        ctx->saved_data["shape"] = std::vector<std::int64_t>{H, KV, D};
        ctx->saved_data["scale"] = scale;
        return o.permute({0, 2, 1, 3, 4}).reshape({B, T, H * D});
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        auto saved = ctx->get_saved_variables();
        const Tensor &q = saved[0], &k = saved[1], &v = saved[2], &cos = saved[3], &sin = saved[4];
        const auto shape = ctx->saved_data["shape"].toIntVector();
        const std::int64_t H = shape[0], KV = shape[1], D = shape[2], G = H / KV;
        const double scale = ctx->saved_data["scale"].toDouble();
        const std::int64_t B = q.size(0), T = q.size(2);
        const auto ot = opmath(q);
        const Tensor dO = grads[0].reshape({B, T, KV, G, D}).permute({0, 2, 1, 3, 4}).contiguous();
        const Tensor q3 = q.view({B * KV, T * G, D}), k3 = k.view({B * KV, T, D}),
                     v3 = v.view({B * KV, T, D});
        const Tensor dO3 = dO.view({B * KV, T * G, D});
        Tensor dq = torch::empty_like(q), dk = torch::zeros_like(k), dv = torch::zeros_like(v);
        const Tensor dq3 = dq.view({B * KV, T * G, D}), dk3 = dk.view({B * KV, T, D}),
                     dv3 = dv.view({B * KV, T, D});
        std::size_t block = 5;
        for (std::int64_t t0 = 0; t0 < T; t0 += kQueryBlock, ++block) {
            const std::int64_t t1 = std::min(T, t0 + kQueryBlock), tb = t1 - t0;
            const Tensor& p = saved[block];
            const Tensor dOb = dO3.narrow(1, t0 * G, tb * G);
            dv3.narrow(1, 0, t1).baddbmm_(p.transpose(1, 2), dOb);
            // Softmax backward: ds = p (dp - rowsum(p dp)).
            Tensor pf = p.to(ot);
            Tensor ds = torch::bmm(dOb, v3.narrow(1, 0, t1).transpose(1, 2)).to(ot).mul_(pf);
            ds.addcmul_(pf, ds.sum(-1, true), -1);
            const Tensor dsd = ds.to(q.scalar_type());
            dq3.narrow(1, t0 * G, tb * G).copy_(torch::bmm(dsd, k3.narrow(1, 0, t1)));
            dk3.narrow(1, 0, t1).baddbmm_(dsd.transpose(1, 2), q3.narrow(1, t0 * G, tb * G));
        }
        Tensor dqkv = torch::empty({B, T, (H + 2 * KV) * D}, q.options());
        if (gpuk::useGpuKernels(q)) {
            Tensor dqt = dq.permute({0, 2, 1, 3, 4}).contiguous().view({B * T, H, D});
            Tensor dkt = dk.permute({0, 2, 1, 3}).contiguous().view({B * T, KV, D});
            ropeQkOnGpu(dqt, dkt, cos, sin, scale, true);
            dqkv.narrow(-1, 0, H * D).copy_(dqt.view({B, T, H * D}));
            dqkv.narrow(-1, H * D, KV * D).copy_(dkt.view({B, T, KV * D}));
        } else {
            ropeInto(dqkv.narrow(-1, 0, H * D).view({B, T, KV, G, D}), dq.permute({0, 2, 1, 3, 4}),
                     (cos * scale).unsqueeze(2), (sin * scale).unsqueeze(2), -1);
            ropeInto(dqkv.narrow(-1, H * D, KV * D).view({B, T, KV, D}), dk.permute({0, 2, 1, 3}), cos, sin,
                     -1);
        }
        dqkv.narrow(-1, (H + KV) * D, KV * D).view({B, T, KV, D}).copy_(dv.permute({0, 2, 1, 3}));
        return {dqkv, Tensor(), Tensor(), Tensor(), Tensor(), Tensor(), Tensor(), Tensor()};
    }
};

// ---- loss ----

class EagerCrossEntropyFunction : public torch::autograd::Function<EagerCrossEntropyFunction> {
public:
    static Tensor forward(AutogradContext* ctx, const Tensor& hidden, const Tensor& weight,
                          const Tensor& targets, std::int64_t chunk, double normalizer, std::int64_t ignore,
                          bool wantGrad) {
        const std::int64_t n = hidden.size(0);
        Tensor total = torch::zeros({}, hidden.options().dtype(torch::kFloat64));
        Tensor grad = wantGrad ? torch::zeros_like(hidden) : Tensor();
        // The path is the same for every chunk: Hone's GPU kernels, the CPU loops, or LibTorch's ops.
        const bool sameType = weight.scalar_type() == hidden.scalar_type();
        const bool gpu = sameType && gpuk::useGpuKernels(hidden);
        cpu::Elem elem{};
        const bool cpuLoop = !gpu && sameType && ignore < 0 && cpuKernel(hidden, elem);
        for (std::int64_t s = 0; s < n; s += chunk) {
            const std::int64_t e = std::min(n, s + chunk);
            const Tensor t = targets.slice(0, s, e);
            const Tensor valid = t != ignore;
            if (!valid.any().item<bool>()) continue;
            const Tensor h = hidden.slice(0, s, e);
            if (gpu) {
                // The kernels: one pass for loss and log-sum-exp, one for the gradient, in place.
                Tensor z = torch::mm(h, weight.t()).contiguous();
                const Tensor tc = t.contiguous();
                Tensor rowLoss = torch::empty({e - s}, z.options().dtype(torch::kFloat32));
                Tensor lse = torch::empty_like(rowLoss);
                gpuk::crossEntropyForward(z, tc, rowLoss, lse, ignore);
                total += rowLoss.sum(torch::kFloat64);
                if (wantGrad) {
                    gpuk::crossEntropyBackward(z, tc, lse, 1.0 / normalizer, z, ignore);
                    grad.slice(0, s, e).copy_(torch::mm(z, weight));
                }
                continue;
            }
            if (cpuLoop) {
                // One pass over the logits in their own dtype for the loss, one for the gradient.
                const Tensor z = torch::mm(h, weight.t()).contiguous(), tc = t.contiguous();
                Tensor rowLoss = torch::empty({e - s}, z.options().dtype(torch::kFloat32));
                Tensor g = wantGrad ? torch::empty_like(z) : Tensor();
                cpu::crossEntropyRows(elem, z.data_ptr(), z.size(1), tc.data_ptr<std::int64_t>(),
                                      static_cast<float>(1.0 / normalizer), wantGrad ? g.data_ptr() : nullptr,
                                      z.size(1), rowLoss.data_ptr<float>(), e - s, z.size(1));
                total += rowLoss.sum(torch::kFloat64);
                if (wantGrad) grad.slice(0, s, e).copy_(torch::mm(g, weight));
                continue;
            }
            Tensor z = torch::mm(h, weight.t()).to(opmath(hidden)); // [c, V]
            const Tensor lse = torch::logsumexp(z, 1, true);
            const Tensor tc = t.clamp_min(0).unsqueeze(1);
            total += ((lse.squeeze(1) - z.gather(1, tc).squeeze(1)) * valid).sum().to(torch::kFloat64);
            if (!wantGrad) continue;
            // d loss / d logits = (softmax - onehot) / normalizer on valid rows, computed in place.
            z.sub_(lse).exp_();
            z.scatter_add_(1, tc, -torch::ones({e - s, 1}, z.options()));
            z.mul_((valid.to(z.scalar_type()) / normalizer).unsqueeze(1));
            grad.slice(0, s, e).copy_(torch::mm(z.to(hidden.scalar_type()), weight));
        }
        ctx->save_for_backward({grad});
        return (total / normalizer).to(torch::kFloat32);
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        Tensor g = ctx->get_saved_variables()[0];
        if (!g.defined()) throw Error("cross-entropy: backward through a loss computed without gradients");
        return {g * grads[0].to(g.scalar_type()), Tensor(), Tensor(), Tensor(), Tensor(), Tensor(), Tensor()};
    }
};

} // namespace

Tensor fusedRmsNorm(const Tensor& x, const Tensor& w, double eps) {
    return RmsNormFunction::apply(x, w, eps);
}

Tensor fusedSwiGlu(const Tensor& gateUp) {
    return GluFunction::apply(gateUp, kSwiGlu);
}

Tensor fusedGeGluTanh(const Tensor& gateUp) {
    return GluFunction::apply(gateUp, kGeGluTanh);
}

Tensor fusedLoraLinear(const Tensor& x, const Tensor& weight, const Tensor& bias, const LoraSlices& lora) {
    const Tensor x2 = x.reshape({-1, x.size(-1)});
    Tensor y;
    if (lora.a.empty())
        y = bias.defined() ? torch::addmm(bias, x2, weight.t()) : torch::mm(x2, weight.t());
    else
        y = LoraLinearFunction::apply(gpuk::useGpuKernels(x2) ? x2.contiguous() : x2, weight,
                                      bias.defined() ? torch::TensorList(bias) : torch::TensorList(),
                                      torch::TensorList(lora.a), torch::TensorList(lora.b), lora.offsets,
                                      lora.scale);
    auto shape = x.sizes().vec();
    shape.back() = weight.size(0);
    return y.view(shape);
}

Tensor fusedCausalAttention(const Tensor& qkv, const Tensor& cos, const Tensor& sin, const Tensor& bias,
                            const AttentionShape& s) {
    if (qkv.dim() != 3 || qkv.size(2) != (s.heads + 2 * s.kvHeads) * s.headDim || s.heads % s.kvHeads != 0)
        throw Error("fused attention: qkv does not match the head layout");
    return AttentionFunction::apply(qkv.contiguous(), cos, sin, bias, s.heads, s.kvHeads, s.headDim, s.scale);
}

Tensor attentionBias(const Tensor& blocked, std::int64_t T, std::int64_t window,
                     const torch::Device& device) {
    const auto bopt = torch::TensorOptions().dtype(torch::kBool).device(device);
    Tensor mask = blocked.defined() ? blocked.reshape({-1, T, T}) : torch::ones({1, T, T}, bopt).triu(1);
    if (window > 0) {
        auto pos = torch::arange(T, torch::TensorOptions().device(device));
        mask = mask | ((pos.unsqueeze(1) - pos.unsqueeze(0)) >= window);
    }
    return torch::zeros(mask.sizes(), torch::TensorOptions().dtype(torch::kFloat32).device(device))
        .masked_fill_(mask, -INFINITY);
}

Tensor eagerChunkedCrossEntropy(const Tensor& hidden, const Tensor& weight, const Tensor& targets,
                                std::int64_t chunkTokens, double normalizer, std::int64_t ignoreIndex) {
    if (hidden.dim() != 2 || weight.dim() != 2 || hidden.size(1) != weight.size(1))
        throw Error("cross-entropy: hidden [N, H] and weight [V, H] do not fit");
    if (chunkTokens <= 0 || normalizer <= 0)
        throw Error("cross-entropy: chunk and normalizer must be positive");
    const bool wantGrad = torch::GradMode::is_enabled() && hidden.requires_grad();
    return EagerCrossEntropyFunction::apply(hidden, weight, targets, chunkTokens, normalizer, ignoreIndex,
                                            wantGrad);
}

} // namespace hone
