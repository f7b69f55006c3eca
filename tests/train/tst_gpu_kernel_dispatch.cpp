// The engine's glue to Hone's GPU kernels and its dispatch switch, without a GPU: the kernels' own sources,
// compiled for the CPU emulation (kernels/gpu/emulate.h), are installed as the backend for CPU tensors.
// - Every fused training op (RMSNorm, SwiGLU, GeGLU, LoRA over a fused projection, RoPE inside attention,
//   the eager cross-entropy) gives the same outputs and gradients through the kernels as through the
//   LibTorch path it falls back to, in F32 and BF16.
// - A LoRA loss and its adapter gradients on the real stories260K model are the same both ways.
// - The switch: a backend that fails every launch proves which path ran; HONE_KERNELS=off (KernelMode::Off),
//   an unsupported dtype, a device the backend does not serve and a probe that finds no code for the GPU
//   all fall back to LibTorch's ops, and a failed launch is a hone::Error that says what to do.
#include "common/error.h"
#include "common/test_support.h"
#include "device/torch_device.h"
#include "model/transformer_torch.h"
#include "train/fused_layer_ops_torch.h"
#include "train/gpu_kernel_abi_table.h"
#include "train/gpu_kernel_ops_torch.h"
#include "train/lora_model_torch.h"

#include <torch/csrc/autograd/autograd.h>

#include <QtTest>

using namespace hone;

namespace {

double relDiff(const torch::Tensor& a, const torch::Tensor& b) {
    const auto a64 = a.to(torch::kFloat64), b64 = b.to(torch::kFloat64);
    return (a64 - b64).abs().max().item<double>() / std::max(1e-12, b64.abs().max().item<double>());
}

GpuKernelBackend emulationBackend() {
    GpuKernelBackend b = launchAbiBackend();
    b.name = "cpu emulation";
    b.architectures = "the host CPU";
    b.servesCpuTensors = true;
    return b;
}

hone_gpu_status simulatedFailure() {
    return {HONE_GPU_LAUNCH_FAILED, "simulated launch failure"};
}

// Every launch fails: whichever op reaches a kernel throws, so a test sees which path ran.
GpuKernelBackend failingBackend() {
    GpuKernelBackend b = emulationBackend();
    b.rmsnormForward = [](auto...) { return simulatedFailure(); };
    b.rmsnormBackward = [](auto...) { return simulatedFailure(); };
    b.rope = [](auto...) { return simulatedFailure(); };
    b.gluForward = [](auto...) { return simulatedFailure(); };
    b.gluBackward = [](auto...) { return simulatedFailure(); };
    b.crossEntropyForward = [](auto...) { return simulatedFailure(); };
    b.crossEntropyBackward = [](auto...) { return simulatedFailure(); };
    b.loraDown = [](auto...) { return simulatedFailure(); };
    b.loraUpAdd = [](auto...) { return simulatedFailure(); };
    b.loraBackward = [](auto...) { return simulatedFailure(); };
    return b;
}

// Runs `f` once through the kernels (emulated) and once through the fallback; returns both results.
template <typename F> auto bothWays(const GpuKernelBackend& kernels, F f) {
    setGpuKernelBackend(&kernels);
    auto viaKernels = f();
    setGpuKernelBackend(nullptr); // the built-in: none in this CPU build
    auto viaLibTorch = f();
    return std::make_pair(viaKernels, viaLibTorch);
}

// Output and input gradients of op(inputs) under a fixed random probe, inputs made from `seeds` in `dt`.
std::vector<torch::Tensor> outputAndGrads(const std::function<torch::Tensor(std::vector<torch::Tensor>&)>& op,
                                          const std::vector<torch::Tensor>& seeds, torch::Dtype dt) {
    std::vector<torch::Tensor> in;
    for (const auto& s : seeds) in.push_back(s.to(dt).detach().requires_grad_(true));
    auto out = op(in);
    torch::manual_seed(99);
    auto probe = torch::randn(out.sizes()).to(out.scalar_type());
    auto g = torch::autograd::grad({(out.to(torch::kFloat32) * probe.to(torch::kFloat32)).sum()}, in);
    std::vector<torch::Tensor> all{out.detach()};
    for (auto& t : g) all.push_back(t);
    return all;
}

double tolerance(torch::Dtype dt) {
    return dt == torch::kFloat32 ? 2e-5 : 3e-2;
}

void expectSame(const char* what, const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b,
                double tol) {
    QCOMPARE(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double d = relDiff(a[i], b[i]);
        QVERIFY2(d < tol,
                 qPrintable(
                     QString("%1, tensor %2 (0 = output): relative difference %3").arg(what).arg(i).arg(d)));
    }
}

std::pair<torch::Tensor, torch::Tensor> ropeTable(std::int64_t B, std::int64_t T, std::int64_t D) {
    auto pos = torch::arange(T, torch::kFloat64).unsqueeze(0).expand({B, T});
    auto inv = 1.0 / torch::pow(10000.0, torch::arange(0, D, 2, torch::kFloat64) / static_cast<double>(D));
    auto ang = pos.unsqueeze(-1) * inv;
    return {torch::cos(ang).to(torch::kFloat32).unsqueeze(2),
            torch::sin(ang).to(torch::kFloat32).unsqueeze(2)};
}

} // namespace

class TestGpuKernelDispatch : public QObject {
    Q_OBJECT
    GpuKernelBackend emu_ = emulationBackend();

private Q_SLOTS:
    void init() {
        setKernelMode(KernelMode::Auto);
        setGpuKernelBackend(nullptr);
        torch::manual_seed(1);
    }
    void cleanup() {
        setKernelMode(KernelMode::Auto);
        setGpuKernelBackend(nullptr);
    }

    void thisBuildHasNoBuiltInKernels() {
        QVERIFY(builtinGpuKernelBackend() == nullptr);
        QVERIFY(QString::fromStdString(gpuKernelSummary()).contains("not in this build"));
        QVERIFY(!gpuk::useGpuKernels(torch::ones({2})));
    }

    void opsMatchTheLibTorchPath_data() {
        QTest::addColumn<int>("dtype");
        QTest::newRow("f32") << static_cast<int>(torch::kFloat32);
        QTest::newRow("bf16") << static_cast<int>(torch::kBFloat16);
    }
    void opsMatchTheLibTorchPath() {
        QFETCH(int, dtype);
        const auto dt = static_cast<torch::Dtype>(dtype);
        const double tol = tolerance(dt);

        const auto x = torch::randn({3, 5, 40}), w = torch::rand({40}) + 0.5;
        auto [rk, rl] = bothWays(emu_, [&] {
            return outputAndGrads([&](auto& in) { return fusedRmsNorm(in[0], w.to(dt), 1e-5); }, {x}, dt);
        });
        expectSame("rmsnorm", rk, rl, tol);

        const auto gu = torch::randn({4, 6, 2 * 24}) * 2;
        auto [sk, sl] = bothWays(
            emu_, [&] { return outputAndGrads([](auto& in) { return fusedSwiGlu(in[0]); }, {gu}, dt); });
        expectSame("swiglu", sk, sl, tol);
        auto [gk, gl] = bothWays(
            emu_, [&] { return outputAndGrads([](auto& in) { return fusedGeGluTanh(in[0]); }, {gu}, dt); });
        expectSame("geglu", gk, gl, tol);

        // A fused projection of slices 16, 8, 8 with adapters on the first and last (F32 adapters, as the
        // trainer keeps them), and the input gradient.
        const std::int64_t inDim = 32, r = 4;
        const auto xl = torch::randn({2, 7, inDim}), wl = torch::randn({32, inDim}) * 0.2;
        const auto a0 = torch::randn({r, inDim}) * 0.2, b0 = torch::randn({16, r}) * 0.2;
        const auto a2 = torch::randn({r, inDim}) * 0.2, b2 = torch::randn({8, r}) * 0.2;
        auto [lk, ll] = bothWays(emu_, [&] {
            std::vector<torch::Tensor> adapters{
                a0.clone().requires_grad_(true), b0.clone().requires_grad_(true),
                a2.clone().requires_grad_(true), b2.clone().requires_grad_(true)};
            auto xin = xl.to(dt).requires_grad_(true);
            LoraSlices lora{{adapters[0], adapters[2]}, {adapters[1], adapters[3]}, {0, 24}, 1.5};
            auto out = fusedLoraLinear(xin, wl.to(dt), torch::Tensor(), lora);
            torch::manual_seed(5);
            auto probe = torch::randn(out.sizes());
            std::vector<torch::Tensor> wrt{xin};
            wrt.insert(wrt.end(), adapters.begin(), adapters.end());
            auto g = torch::autograd::grad({(out.to(torch::kFloat32) * probe).sum()}, wrt);
            g.insert(g.begin(), out.detach());
            return g;
        });
        expectSame("lora linear", lk, ll, tol);

        // Grouped-query attention (4 query heads over 2 KV heads, head dim 8) over two causal sequences.
        const std::int64_t B = 2, T = 9, H = 4, KV = 2, D = 8;
        const auto qkv = torch::randn({B, T, (H + 2 * KV) * D});
        auto [cos, sin] = ropeTable(B, T, D);
        const auto bias = attentionBias({}, T, 0, torch::kCPU);
        const AttentionShape shape{H, KV, D, 1.0 / std::sqrt(static_cast<double>(D))};
        auto [ak, al] = bothWays(emu_, [&] {
            return outputAndGrads(
                [&](auto& in) { return fusedCausalAttention(in[0], cos.to(dt), sin.to(dt), bias, shape); },
                {qkv}, dt);
        });
        expectSame("attention (rope)", ak, al, tol);

        // The eager cross-entropy with ignored rows, in chunks of 5.
        const std::int64_t N = 13, Hd = 16, V = 37;
        const auto h = torch::randn({N, Hd}), wv = torch::randn({V, Hd}) * 0.5;
        auto t = torch::randint(V, {N}, torch::kInt64);
        t.narrow(0, 2, 3).fill_(-100);
        auto [ck, cl] = bothWays(emu_, [&] {
            auto hin = h.to(dt).requires_grad_(true);
            auto loss = eagerChunkedCrossEntropy(hin, wv.to(dt), t, 5, 11.0);
            auto g = torch::autograd::grad({loss * 3.0}, {hin})[0];
            return std::vector<torch::Tensor>{loss.detach().reshape({1}), g};
        });
        expectSame("cross-entropy", ck, cl, dt == torch::kFloat32 ? 1e-5 : 1e-2);
    }

    void geGluFallbackMatchesThePlainExpression() {
        auto gu = (torch::randn({3, 2 * 10}, torch::kFloat64) * 2).requires_grad_(true);
        auto ref = at::gelu(gu.narrow(-1, 0, 10), "tanh") * gu.narrow(-1, 10, 10);
        auto out = fusedGeGluTanh(gu);
        QVERIFY(relDiff(out, ref) < 1e-12);
        auto probe = torch::randn(out.sizes(), torch::kFloat64);
        auto g = torch::autograd::grad({(out * probe).sum()}, {gu})[0];
        auto gr = torch::autograd::grad({(ref * probe).sum()}, {gu})[0];
        QVERIFY(relDiff(g, gr) < 1e-12);
    }

    // The whole LoRA forward, loss and backward on a real model, both ways.
    void loraStepOnStoriesMatches() {
        const QString dir = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(dir);
        auto base = loadTransformer(dir.toStdString(), DeviceSpec::parse("cpu"), DType::F32);
        LoraModelOptions o;
        o.lora.rank = 4;
        LoraModel m(base, o);
        torch::manual_seed(3);
        std::map<std::string, torch::Tensor> st;
        for (auto& [k, v] : m.peftState()) st[k] = torch::randn(v.sizes()) * 0.05;
        m.loadPeftState(st);
        const std::vector<std::int64_t> ids = {1,   403, 407, 261, 378, 316, 329, 280, 301, 282,
                                               274, 299, 400, 13,  1,   261, 378, 316, 280, 301,
                                               282, 274, 299, 400, 13,  407, 403, 261};
        TrainBatch batch;
        batch.ids = torch::tensor(ids, torch::kInt64).view({2, 14});
        batch.positions = torch::arange(14, torch::kInt64).repeat({2, 1});
        batch.labels = batch.ids.roll(-1, 1).clone();
        batch.labels.select(1, 13).fill_(-100);
        auto params = m.parameters();
        auto [kernels, libtorch] = bothWays(emu_, [&] {
            for (auto& p : params) p.mutable_grad() = torch::Tensor();
            auto loss = m.loss(batch, 26.0, true);
            loss.backward();
            std::vector<torch::Tensor> out{loss.detach().reshape({1})};
            for (auto& p : params) out.push_back(p.grad().clone());
            return out;
        });
        QVERIFY(kernels[0].item<double>() > 1.0); // a real loss, not zeros
        expectSame("stories260K LoRA loss and adapter gradients", kernels, libtorch, 1e-4);
    }

    void theSwitchChoosesThePath() {
        const GpuKernelBackend failing = failingBackend();
        const auto x = torch::randn({4, 16});
        const auto w = torch::ones({16});
        setGpuKernelBackend(&failing);
        try {
            fusedRmsNorm(x, w, 1e-5);
            QFAIL("the kernel path should have run and failed");
        } catch (const Error& e) {
            const QString m = e.what();
            QVERIFY2(m.contains("GPU kernel rmsnorm forward failed: simulated launch failure") &&
                         m.contains("HONE_KERNELS=off"),
                     qPrintable(m));
        }
        // The other ops reach their kernels too.
        QVERIFY_EXCEPTION_THROWN(fusedSwiGlu(torch::randn({2, 8})), Error);
        QVERIFY_EXCEPTION_THROWN(eagerChunkedCrossEntropy(torch::randn({3, 4}), torch::randn({5, 4}),
                                                          torch::zeros({3}, torch::kInt64), 2, 1),
                                 Error);

        {
            auto a = torch::randn({2, 4}, torch::requires_grad()),
                 b = torch::randn({3, 2}, torch::requires_grad());
            LoraSlices lora{{a}, {b}, {0}, 1.0};
            QVERIFY_EXCEPTION_THROWN(fusedLoraLinear(torch::randn({5, 4}), torch::randn({3, 4}), {}, lora),
                                     Error);
            const auto [cos, sin] = ropeTable(1, 3, 4);
            QVERIFY_EXCEPTION_THROWN(fusedCausalAttention(torch::randn({1, 3, 16}), cos, sin,
                                                          attentionBias({}, 3, 0, torch::kCPU),
                                                          {2, 1, 4, 0.5}),
                                     Error);
        }

        // Falls back: F64 (the kernels take F32/BF16/F16), mode Off, a backend for GPU tensors only.
        QVERIFY(relDiff(fusedRmsNorm(x.to(torch::kFloat64), w, 1e-5),
                        x * torch::rsqrt(x.pow(2).mean(-1, true) + 1e-5)) < 1e-6);
        setKernelMode(KernelMode::Off);
        fusedRmsNorm(x, w, 1e-5);
        fusedSwiGlu(torch::randn({2, 8}));
        setKernelMode(KernelMode::Auto);
        GpuKernelBackend gpuOnly = failingBackend();
        gpuOnly.servesCpuTensors = false;
        setGpuKernelBackend(&gpuOnly);
        fusedRmsNorm(x, w, 1e-5);
        QVERIFY(!gpuk::useGpuKernels(x));

        // A probe that finds no code for the device: LibTorch's ops, and the reason is kept for `hone
        // doctor`.
        GpuKernelBackend noCode = failingBackend();
        noCode.probe = [](int) {
            return hone_gpu_status{HONE_GPU_NO_DEVICE_CODE, "no code for this architecture (test)"};
        };
        setGpuKernelBackend(&noCode);
        fusedRmsNorm(x, w, 1e-5);
        QVERIFY(!gpuk::useGpuKernels(x));
        QVERIFY(QString::fromStdString(gpuk::lastProbeFailure()).contains("no code for this architecture"));
    }

    void theGlueRejectsTensorsThatDoNotFit() {
        setGpuKernelBackend(&emu_);
        const auto x = torch::randn({4, 16});
        QVERIFY_EXCEPTION_THROWN(
            gpuk::rmsNormForward(x.t(), torch::ones({4}), torch::empty({16, 4}), torch::empty({16}), 1e-5),
            Error); // not contiguous
        QVERIFY_EXCEPTION_THROWN(gpuk::loraDown(x, torch::randn({2, 8}), torch::empty({4, 2})), Error);
        QVERIFY_EXCEPTION_THROWN(gpuk::crossEntropyForward(torch::randn({3, 5}),
                                                           torch::zeros({3}, torch::kInt32),
                                                           torch::empty({3}), torch::empty({3}), -100),
                                 Error); // int32 targets
    }
};

QTEST_GUILESS_MAIN(TestGpuKernelDispatch)
#include "tst_gpu_kernel_dispatch.moc"
