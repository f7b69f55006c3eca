// The fused training ops against the plain LibTorch expressions they replace, differentiated by autograd:
// outputs and every input gradient in F64 (RMSNorm, SwiGLU, LoRA over a fused projection with a slice without
// adapter, grouped-query attention with partial query blocks, packed-document masks and a sliding window, the
// eager-gradient cross-entropy); the CPU loops (RMSNorm, SwiGLU, cross-entropy) for F32 and BF16, and the
// attention in BF16, within rounding.
#include "common/test_support.h"
#include "train/fused_layer_ops_torch.h"

#include <torch/csrc/autograd/autograd.h>
#include <torch/nn/functional/loss.h>

#include <QtTest>

using namespace hone;
namespace F = torch::nn::functional;

namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kFloat64);

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// Gradients of sum(out * probe) with respect to `inputs`.
std::vector<torch::Tensor> grads(const torch::Tensor& out, const torch::Tensor& probe,
                                 const std::vector<torch::Tensor>& inputs) {
    return torch::autograd::grad({(out * probe).sum()}, inputs);
}

torch::Tensor leaf(std::vector<std::int64_t> shape, double scale = 1.0) {
    return (torch::randn(shape, kF64) * scale).requires_grad_(true);
}

torch::Tensor rope(const torch::Tensor& t, const torch::Tensor& c, const torch::Tensor& s) {
    const auto half = t.size(-1) / 2;
    auto a = t.narrow(-1, 0, half), b = t.narrow(-1, half, half);
    return torch::cat({a * c - b * s, b * c + a * s}, -1);
}

// Plain attention: K/V repeated per query head, masked softmax over all keys.
torch::Tensor referenceAttention(const torch::Tensor& qkv, const torch::Tensor& cos, const torch::Tensor& sin,
                                 const torch::Tensor& bias, const AttentionShape& s) {
    const std::int64_t B = qkv.size(0), T = qkv.size(1), H = s.heads, KV = s.kvHeads, D = s.headDim;
    auto q = rope(qkv.narrow(-1, 0, H * D).view({B, T, H, D}), cos, sin).transpose(1, 2);
    auto k = rope(qkv.narrow(-1, H * D, KV * D).view({B, T, KV, D}), cos, sin).transpose(1, 2);
    auto v = qkv.narrow(-1, (H + KV) * D, KV * D).view({B, T, KV, D}).transpose(1, 2);
    k = k.repeat_interleave(H / KV, 1);
    v = v.repeat_interleave(H / KV, 1);
    auto att =
        torch::matmul(q, k.transpose(-1, -2)) * s.scale + bias.to(qkv.scalar_type()).view({-1, 1, T, T});
    return torch::matmul(torch::softmax(att, -1), v).transpose(1, 2).reshape({B, T, H * D});
}

std::pair<torch::Tensor, torch::Tensor> ropeTable(std::int64_t B, std::int64_t T, std::int64_t D,
                                                  torch::Dtype dt) {
    auto pos = torch::arange(T, kF64).unsqueeze(0).expand({B, T});
    auto inv = 1.0 / torch::pow(10000.0, torch::arange(0, D, 2, kF64) / static_cast<double>(D));
    auto ang = pos.unsqueeze(-1) * inv; // [B, T, D/2]
    return {torch::cos(ang).to(dt).unsqueeze(2), torch::sin(ang).to(dt).unsqueeze(2)};
}

} // namespace

class TestFusedLayerOps : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(7); }

    void rmsNormMatchesPlainOps() {
        auto x = leaf({3, 5, 16}, 2.0);
        auto w = torch::rand({16}, kF64) + 0.5;
        auto probe = torch::randn({3, 5, 16}, kF64);
        auto ref = x * torch::rsqrt(x.pow(2).mean(-1, true) + 1e-5) * w;
        auto out = fusedRmsNorm(x, w, 1e-5);
        QVERIFY(maxDiff(out, ref) < 1e-12);
        QVERIFY(maxDiff(grads(out, probe, {x})[0], grads(ref, probe, {x})[0]) < 1e-12);
    }

    void swiGluMatchesPlainOps() {
        auto gu = leaf({4, 6, 20}, 3.0);
        auto probe = torch::randn({4, 6, 10}, kF64);
        auto ref = torch::silu(gu.narrow(-1, 0, 10)) * gu.narrow(-1, 10, 10);
        auto out = fusedSwiGlu(gu);
        QVERIFY(maxDiff(out, ref) < 1e-12);
        QVERIFY(maxDiff(grads(out, probe, {gu})[0], grads(ref, probe, {gu})[0]) < 1e-12);
    }

    // The single-pass CPU loops (F32 and BF16 storage) against the F64 expressions, outputs and gradients
    // within the storage type's rounding; 37 columns exercise the vector remainder loops.
    void cpuKernelsMatchF64_data() {
        QTest::addColumn<bool>("bf16");
        QTest::newRow("f32") << false;
        QTest::newRow("bf16") << true;
    }
    void cpuKernelsMatchF64() {
        QFETCH(bool, bf16);
        const auto dt = bf16 ? torch::kBFloat16 : torch::kFloat32;
        const double tol = bf16 ? 2e-2 : 2e-5;
        auto rel = [&](const torch::Tensor& a, const torch::Tensor& b) {
            return maxDiff(a, b) / b.abs().max().item<double>();
        };
        {
            auto x = (torch::randn({3, 11, 37}, kF64) * 3).to(dt).to(torch::kFloat64).requires_grad_(true);
            auto w = torch::rand({37}, kF64) + 0.5;
            auto probe = torch::randn({3, 11, 37}, kF64).to(dt).to(torch::kFloat64);
            auto ref = x * torch::rsqrt(x.pow(2).mean(-1, true) + 1e-6) * w;
            auto xd = x.detach().to(dt).requires_grad_(true);
            auto out = fusedRmsNorm(xd, w.to(torch::kFloat32), 1e-6);
            QCOMPARE(out.scalar_type(), dt);
            QVERIFY2(rel(out, ref) < tol, qPrintable(QString::number(rel(out, ref))));
            auto g = grads(out, probe.to(dt), {xd})[0];
            auto gr = grads(ref, probe, {x})[0];
            QVERIFY2(rel(g, gr) < tol, qPrintable(QString::number(rel(g, gr))));
        }
        {
            // Gate values up to +-40 reach the saturated ends of the sigmoid.
            auto gu = (torch::randn({5, 2, 74}, kF64) * 12).to(dt).to(torch::kFloat64).requires_grad_(true);
            auto probe = torch::randn({5, 2, 37}, kF64).to(dt).to(torch::kFloat64);
            auto ref = torch::silu(gu.narrow(-1, 0, 37)) * gu.narrow(-1, 37, 37);
            auto gd = gu.detach().to(dt).requires_grad_(true);
            auto out = fusedSwiGlu(gd);
            QCOMPARE(out.scalar_type(), dt);
            QVERIFY2(rel(out, ref) < tol, qPrintable(QString::number(rel(out, ref))));
            auto g = grads(out, probe.to(dt), {gd})[0];
            auto gr = grads(ref, probe, {gu})[0];
            QVERIFY2(rel(g, gr) < tol, qPrintable(QString::number(rel(g, gr))));
        }
    }

    void cpuCrossEntropyMatchesF64_data() { cpuKernelsMatchF64_data(); }
    void cpuCrossEntropyMatchesF64() {
        QFETCH(bool, bf16);
        const auto dt = bf16 ? torch::kBFloat16 : torch::kFloat32;
        const std::int64_t N = 23, Hd = 16, V = 75; // V not a multiple of the 16 lanes
        auto h = (torch::randn({N, Hd}, kF64) * 2).to(dt).to(torch::kFloat64).requires_grad_(true);
        auto w = torch::randn({V, Hd}, kF64).to(dt).to(torch::kFloat64);
        auto t = torch::randint(V, {N}, torch::kInt64);
        t.narrow(0, 3, 4).fill_(-100);
        const double normalizer = 31;
        auto ref = F::cross_entropy(torch::matmul(h, w.t()), t,
                                    F::CrossEntropyFuncOptions().ignore_index(-100).reduction(torch::kSum)) /
                   normalizer;
        auto hd = h.detach().to(dt).requires_grad_(true);
        auto out = eagerChunkedCrossEntropy(hd, w.to(dt), t, 7, normalizer);
        const double lossTol = bf16 ? 2e-2 : 1e-5; // BF16: the logits are rounded before the softmax
        QVERIFY2(std::abs(out.item<double>() - ref.item<double>()) < lossTol * std::abs(ref.item<double>()),
                 qPrintable(QString::number(out.item<double>() - ref.item<double>())));
        auto g = torch::autograd::grad({out * 2.5}, {hd})[0];
        auto gr = torch::autograd::grad({ref * 2.5}, {h})[0];
        QCOMPARE(g.scalar_type(), dt);
        const double rel = maxDiff(g, gr) / gr.abs().max().item<double>();
        QVERIFY2(rel < (bf16 ? 3e-2 : 1e-5), qPrintable(QString::number(rel)));
        QCOMPARE(g.narrow(0, 3, 4).abs().max().item<double>(), 0.0); // ignored rows
    }

    void loraLinearMatchesPlainOps() {
        // Three output slices (7, 5, 9); the middle one has no adapter.
        const std::int64_t in = 12, r = 3;
        auto x = leaf({2, 4, in});
        auto w = torch::randn({21, in}, kF64), bias = torch::randn({21}, kF64);
        auto a0 = leaf({r, in}), b0 = leaf({7, r}), a2 = leaf({r, in}), b2 = leaf({9, r});
        const double scale = 1.7;
        auto probe = torch::randn({2, 4, 21}, kF64);
        auto delta = torch::cat({torch::matmul(torch::matmul(x, a0.t()), b0.t()) * scale,
                                 torch::zeros({2, 4, 5}, kF64),
                                 torch::matmul(torch::matmul(x, a2.t()), b2.t()) * scale},
                                -1);
        auto ref = torch::matmul(x, w.t()) + bias + delta;
        LoraSlices lora{{a0, a2}, {b0, b2}, {0, 12}, scale};
        auto out = fusedLoraLinear(x, w, bias, lora);
        QCOMPARE(out.sizes(), ref.sizes());
        QVERIFY(maxDiff(out, ref) < 1e-12);
        auto g = grads(out, probe, {x, a0, b0, a2, b2});
        auto gr = grads(ref, probe, {x, a0, b0, a2, b2});
        for (std::size_t i = 0; i < g.size(); ++i)
            QVERIFY2(maxDiff(g[i], gr[i]) < 1e-11, qPrintable(QString::number(i)));
    }

    void attentionMatchesPlainOps_data() {
        QTest::addColumn<bool>("packed");
        QTest::addColumn<int>("window");
        QTest::newRow("causal") << false << 0;
        QTest::newRow("packed documents") << true << 0;
        QTest::newRow("sliding window") << false << 37;
    }
    void attentionMatchesPlainOps() {
        QFETCH(bool, packed);
        QFETCH(int, window);
        // T = 150 is two full query blocks and a partial one; 6 query heads share 2 K/V heads.
        const std::int64_t B = 2, T = 150, H = 6, KV = 2, D = 8;
        const AttentionShape shape{H, KV, D, 0.3};
        auto qkv = leaf({B, T, (H + 2 * KV) * D});
        auto [cos, sin] = ropeTable(B, T, D, torch::kFloat64);
        torch::Tensor blocked;
        if (packed) { // row 0: documents of 40, 70 and 40 tokens; row 1: one document
            auto seg = torch::zeros({B, T}, torch::kInt64);
            seg[0].narrow(0, 40, 70).fill_(1);
            seg[0].narrow(0, 110, 40).fill_(2);
            auto causal = torch::ones({T, T}, torch::kBool).triu(1);
            blocked = ((seg.unsqueeze(2) != seg.unsqueeze(1)) | causal).view({B, 1, 1, T, T});
        }
        auto bias = attentionBias(blocked, T, window, torch::kCPU);
        auto probe = torch::randn({B, T, H * D}, kF64);
        auto ref = referenceAttention(qkv, cos, sin, bias, shape);
        auto out = fusedCausalAttention(qkv, cos, sin, bias, shape);
        QVERIFY(maxDiff(out, ref) < 1e-12);
        QVERIFY(maxDiff(grads(out, probe, {qkv})[0], grads(ref, probe, {qkv})[0]) < 1e-11);
    }

    void attentionInBf16StaysWithinRounding() {
        const std::int64_t B = 1, T = 100, H = 4, KV = 1, D = 16;
        const AttentionShape shape{H, KV, D, 0.25};
        auto qkv = torch::randn({B, T, (H + 2 * KV) * D}, kF64);
        auto [cos, sin] = ropeTable(B, T, D, torch::kFloat64);
        auto bias = attentionBias({}, T, 0, torch::kCPU);
        auto ref = referenceAttention(qkv, cos, sin, bias, shape);
        auto [c16, s16] = ropeTable(B, T, D, torch::kBFloat16);
        auto out = fusedCausalAttention(qkv.to(torch::kBFloat16), c16, s16, bias, shape);
        QCOMPARE(out.scalar_type(), torch::kBFloat16);
        QVERIFY2(maxDiff(out, ref) < 0.05, qPrintable(QString::number(maxDiff(out, ref))));
    }

    void eagerCrossEntropyMatchesFullLogits() {
        const std::int64_t N = 23, Hd = 6, V = 11;
        auto h = leaf({N, Hd});
        auto w = torch::randn({V, Hd}, kF64);
        auto t = torch::randint(V, {N}, torch::kInt64);
        t.narrow(0, 3, 4).fill_(-100);
        const double normalizer = 31;
        auto ref = F::cross_entropy(torch::matmul(h, w.t()), t,
                                    F::CrossEntropyFuncOptions().ignore_index(-100).reduction(torch::kSum)) /
                   normalizer;
        auto out = eagerChunkedCrossEntropy(h, w, t, 7, normalizer);
        QVERIFY(std::abs(out.item<double>() - ref.item<double>()) < 1e-6); // the loss comes back in F32
        auto g = torch::autograd::grad({out * 2.5}, {h})[0];
        auto gr = torch::autograd::grad({ref * 2.5}, {h})[0];
        QVERIFY(maxDiff(g, gr) < 1e-12);
        torch::NoGradGuard noGrad; // without gradients it is only the loss
        QVERIFY(std::abs(eagerChunkedCrossEntropy(h, w, t, 5, normalizer).item<double>() -
                         ref.item<double>()) < 1e-6);
    }
};

QTEST_GUILESS_MAIN(TestFusedLayerOps)
#include "tst_fused_layer_ops.moc"
