// The engine's glue to Hone's GPU kernels and its dispatch switch, without a GPU: the kernels' own sources,
// compiled for the CPU emulation (kernels/gpu/emulate.h), are installed as the backend for CPU tensors.
// - Every fused training op (RMSNorm, SwiGLU, GeGLU, LoRA over a fused projection, RoPE inside attention,
//   the eager cross-entropy) gives the same outputs and gradients through the kernels as through the
//   LibTorch path it falls back to, in F32 and BF16 (tools/gpu_check's comparisons, which the GPU machine
//   runs on `cuda`).
// - A LoRA loss and its adapter gradients on the real stories260K model are the same both ways.
// - The switch: a backend that fails every launch proves which path ran; HONE_KERNELS=off (KernelMode::Off),
//   an unsupported dtype, a device the backend does not serve and a probe that finds no code for the GPU
//   all fall back to LibTorch's ops, and a failed launch is a hone::Error that says what to do.
#include "common/error.h"
#include "common/test_support.h"
#include "device/torch_device.h"
#include "gpu_checks.h"
#include "model/transformer_torch.h"
#include "train/fused_layer_ops_torch.h"
#include "train/gpu_kernel_ops_torch.h"
#include "train/trainer.h"

#include <torch/csrc/autograd/autograd.h>

#include <QTemporaryDir>
#include <QtTest>

using namespace hone;

namespace {

double relDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return gpucheck::maxRelDiff({a}, {b});
}

hone_gpu_status simulatedFailure() {
    return {HONE_GPU_LAUNCH_FAILED, "simulated launch failure"};
}

// Every launch fails: whichever op reaches a kernel throws, so a test sees which path ran.
GpuKernelBackend failingBackend() {
    GpuKernelBackend b = gpucheck::cpuEmulationBackend();
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

} // namespace

class TestGpuKernelDispatch : public QObject {
    Q_OBJECT
    GpuKernelBackend emu_ = gpucheck::cpuEmulationBackend();

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
    // Outputs and every input gradient, through the (emulated) kernels vs LibTorch's path; each op must
    // have launched kernels (a switch that never chose them would compare the fallback with itself).
    void opsMatchTheLibTorchPath() {
        QFETCH(int, dtype);
        setGpuKernelBackend(&emu_);
        const auto rows = gpucheck::fusedOpParity(torch::kCPU, static_cast<torch::Dtype>(dtype));
        QCOMPARE(rows.size(), std::size_t(6));
        for (const auto& r : rows)
            QVERIFY2(r.pass(),
                     qPrintable(QString("%1 %2: relative difference %3 (allowed %4), %5 launches")
                                    .arg(QString::fromStdString(r.check), QString::fromStdString(r.dtype))
                                    .arg(r.maxRelDiff)
                                    .arg(r.tolerance)
                                    .arg(r.launches)));
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
        setGpuKernelBackend(&emu_);
        const gpucheck::ParityRow r = gpucheck::loraStepParity(base, "f32", 1e-4);
        QVERIFY2(
            r.pass(),
            qPrintable(QString("relative difference %1, %2 launches").arg(r.maxRelDiff).arg(r.launches)));
        QVERIFY(r.launches > 50); // every layer's norms, RoPE, GLU and LoRA products, and the loss
        QVERIFY(gpucheck::loraLossAndGrads(base)[0].item<double>() > 1.0); // a real loss, not zeros
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
            const auto [cos, sin] = gpucheck::ropeTable(1, 3, 4);
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

    // A kernel that fails in the middle of a run ends it as "failed" with the kernel's message and keeps the
    // last checkpoint (the run can be resumed with HONE_KERNELS=off).
    void aFailingKernelStopsTheRunAndKeepsTheCheckpoint() {
        const QString model = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(model);
        QTemporaryDir out;
        TrainOptions o;
        o.modelPath = model.toStdString();
        o.dataPath = (test::sourceDir() + "/tests/data/train/stories_alpaca.jsonl").toStdString();
        o.templateName = "alpaca";
        o.lora.rank = 4;
        o.batchSize = 4;
        o.maxSeqLen = 128;
        o.maxSteps = 6;
        o.saveEvery = 2;
        o.threads = 1;
        o.outDir = out.path().toStdString();
        const GpuKernelBackend failing = failingBackend();
        int checkpoints = 0;
        TrainResult r = runTraining(
            o,
            [&](const Json& e) {
                if (e.value("event", "") == "checkpoint" && ++checkpoints == 1) setGpuKernelBackend(&failing);
            },
            nullptr);
        QCOMPARE(QString::fromStdString(r.status), QString("failed"));
        QCOMPARE(r.steps, std::int64_t(2));
        const QString error = QString::fromStdString(r.error);
        QVERIFY2(error.contains("error at step 3: GPU kernel") && error.contains("HONE_KERNELS=off") &&
                     error.contains("last checkpoint"),
                 qPrintable(error));
        QVERIFY(!r.adapterDir.empty());
        QVERIFY(QFileInfo::exists(QString::fromStdString(r.adapterDir) + "/adapter_model.safetensors"));
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
