// LoRA against finite differences and against merged weights; AdamW against LibTorch's own AdamW and across a
// save/restore of its state; schedules against Hugging Face's formulas; the chunked cross-entropy against the
// full-logits reference (loss and gradients) and its peak-memory saving.
#include "common/test_support.h"
#include "train/adamw_torch.h"
#include "train/checkpoint_torch.h"
#include "train/chunked_cross_entropy_torch.h"
#include "train/lora_torch.h"
#include "train/lr_schedule.h"

#include "common/error.h"

#include <fstream>
#include <torch/nn/functional/linear.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adamw.h>

using namespace hone;
namespace F = torch::nn::functional;

namespace {

// Peak RSS since the last reset (Linux: writing 5 to clear_refs resets VmHWM).
long long resetPeak() {
    std::ofstream("/proc/self/clear_refs") << "5";
    return 0;
}
long long peakRssKb() {
    std::ifstream in("/proc/self/status");
    std::string key;
    while (in >> key) {
        if (key == "VmHWM:") {
            long long kb;
            in >> kb;
            return kb;
        }
        std::getline(in, key);
    }
    return -1;
}
long long currentRssKb() {
    std::ifstream in("/proc/self/status");
    std::string key;
    while (in >> key) {
        if (key == "VmRSS:") {
            long long kb;
            in >> kb;
            return kb;
        }
        std::getline(in, key);
    }
    return -1;
}

} // namespace

class TestTrainMath : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(1234); }

    void loraGradientMatchesFiniteDifferences() {
        auto opts = torch::TensorOptions().dtype(torch::kFloat64);
        torch::Tensor x = torch::randn({3, 5}, opts).set_requires_grad(true);
        torch::Tensor w = torch::randn({4, 5}, opts);
        torch::Tensor bias = torch::randn({4}, opts);
        LoraAdapter ad;
        ad.a = torch::randn({2, 5}, opts).set_requires_grad(true);
        ad.b = torch::randn({4, 2}, opts).set_requires_grad(true);
        ad.scale = 1.5;
        torch::Tensor c = torch::randn({3, 4}, opts);
        auto loss = [&] { return (loraLinear(x, w, bias, ad, false).pow(2) * c).sum(); };
        loss().backward();
        for (torch::Tensor* p : {&x, &ad.a, &ad.b}) {
            torch::Tensor analytic = p->grad().clone();
            torch::Tensor numeric = torch::zeros_like(*p);
            torch::NoGradGuard ng;
            for (int64_t i = 0; i < p->numel(); ++i) {
                const double h = 1e-6;
                auto flat = p->view(-1);
                const double orig = flat[i].item<double>();
                flat[i] = orig + h;
                const double up = loss().item<double>();
                flat[i] = orig - h;
                const double down = loss().item<double>();
                flat[i] = orig;
                numeric.view(-1)[i] = (up - down) / (2 * h);
            }
            QVERIFY2(torch::allclose(analytic, numeric, 1e-6, 1e-6),
                     qPrintable(QString("max diff %1").arg((analytic - numeric).abs().max().item<double>())));
        }
        QVERIFY(!w.requires_grad()); // the base weight never gets a gradient
    }

    void freshAdapterChangesNothing() {
        LoraConfig cfg;
        cfg.rank = 4;
        torch::Tensor w = torch::randn({8, 16});
        LoraAdapter ad = makeLoraAdapter(16, 8, cfg, torch::kCPU, 7);
        QVERIFY(ad.b.abs().sum().item<float>() == 0);
        QVERIFY(ad.a.abs().max().item<float>() <= 1.0f / 4.0f + 1e-7f); // PEFT bound 1/sqrt(in)
        QVERIFY(ad.a.abs().max().item<float>() > 0);
        torch::Tensor x = torch::randn({5, 16});
        QVERIFY(torch::equal(loraLinear(x, w, {}, ad, true), F::linear(x, w)));
        QVERIFY(torch::equal(mergeLora(w, ad), w));
        // Reproducible from the seed, different for another seed.
        QVERIFY(torch::equal(makeLoraAdapter(16, 8, cfg, torch::kCPU, 7).a, ad.a));
        QVERIFY(!torch::equal(makeLoraAdapter(16, 8, cfg, torch::kCPU, 8).a, ad.a));
    }

    void adapterOnTheFlyEqualsMergedWeights() {
        LoraConfig cfg;
        cfg.rank = 8;
        cfg.alpha = 16;
        torch::Tensor w = torch::randn({32, 24});
        LoraAdapter ad = makeLoraAdapter(24, 32, cfg, torch::kCPU, 3);
        {
            torch::NoGradGuard ng;
            ad.b.normal_(0, 0.5); // non-zero B: catches scale, transpose and A/B mix-ups
        }
        torch::Tensor x = torch::randn({10, 24});
        torch::Tensor onTheFly = loraLinear(x, w, {}, ad, false);
        torch::Tensor merged = F::linear(x, mergeLora(w, ad));
        QVERIFY2(torch::allclose(onTheFly, merged, 1e-5, 1e-5),
                 qPrintable(QString::number((onTheFly - merged).abs().max().item<double>())));
        cfg.rslora = true;
        QCOMPARE(cfg.scale(), 16.0 / std::sqrt(8.0));
    }

    void loraConfigRejectsBadSettings() {
        LoraConfig c;
        c.rank = 0;
        QVERIFY_THROWS_EXCEPTION(Error, c.validate());
        c = {};
        c.alpha = -1;
        QVERIFY_THROWS_EXCEPTION(Error, c.validate());
        c = {};
        c.targets = parseLoraTargets("q_proj, attention");
        QVERIFY_THROWS_EXCEPTION(Error, c.validate());
        c = {};
        c.targets = {"all-linear"};
        c.validate();
        QCOMPARE(c.expandedTargets().size(), std::size_t(7));
        c.rank = 64;
        QVERIFY_THROWS_EXCEPTION(Error, c.checkFits("q_proj", 32, 512));
    }

    void adamwMatchesLibTorch() {
        torch::Tensor init = torch::randn({6, 5});
        torch::Tensor p1 = init.clone().set_requires_grad(true), p2 = init.clone().set_requires_grad(true);
        AdamW mine({p1}, {0.9, 0.999, 1e-8, 0.01});
        torch::optim::AdamW ref(std::vector<torch::Tensor>{p2},
                                torch::optim::AdamWOptions(1e-2).weight_decay(0.01));
        torch::Tensor target = torch::randn({6, 5});
        for (int i = 0; i < 20; ++i) {
            for (torch::Tensor* p : {&p1, &p2}) {
                if (p->grad().defined()) p->mutable_grad().zero_();
                ((*p - target).pow(3).sum()).backward();
            }
            mine.step(1e-2);
            ref.step();
        }
        QVERIFY2(torch::allclose(p1, p2, 1e-6, 1e-6),
                 qPrintable(QString::number((p1 - p2).abs().max().item<double>())));
    }

    void adamwStateRoundTripIsBitExact() {
        torch::Tensor init = torch::randn({4, 4});
        torch::Tensor target = torch::randn({4, 4});
        auto train = [&](AdamW& opt, torch::Tensor& p, int steps) {
            for (int i = 0; i < steps; ++i) {
                opt.zeroGrad();
                ((p - target).pow(2).sum()).backward();
                opt.step(3e-3);
            }
        };
        torch::Tensor straight = init.clone().set_requires_grad(true);
        AdamW a({straight}, {});
        train(a, straight, 10);

        torch::Tensor first = init.clone().set_requires_grad(true);
        AdamW b({first}, {});
        train(b, first, 5);
        auto saved = b.state();
        std::vector<std::pair<std::string, torch::Tensor>> copy;
        for (auto& [n, t] : saved) copy.emplace_back(n, t.clone());
        torch::Tensor resumed = first.detach().clone().set_requires_grad(true);
        AdamW c({resumed}, {});
        c.loadState(copy);
        QCOMPARE(c.steps(), std::int64_t(5));
        train(c, resumed, 5);
        QVERIFY(torch::equal(resumed, straight));
        copy.pop_back();
        AdamW d({resumed}, {});
        QVERIFY_THROWS_EXCEPTION(Error, d.loadState(copy));
    }

    void gradientClipping() {
        torch::Tensor p = torch::zeros({2}).set_requires_grad(true);
        p.mutable_grad() = torch::tensor({3.0f, 4.0f});
        QCOMPARE(clipGradNorm({p}, 1.0), 5.0);
        QVERIFY(std::abs(p.grad().norm().item<double>() - 1.0) < 1e-5);
    }

    void schedulesFollowHuggingFace() {
        LrSchedule s{ScheduleKind::Linear, 1.0, 10, 100};
        QCOMPARE(s.at(0), 0.0);
        QCOMPARE(s.at(5), 0.5);
        QCOMPARE(s.at(10), 1.0);
        QCOMPARE(s.at(55), 0.5);
        QCOMPARE(s.at(100), 0.0);
        s.kind = ScheduleKind::Cosine;
        QVERIFY(std::abs(s.at(55) - 0.5) < 1e-12);
        QVERIFY(std::abs(s.at(100)) < 1e-12);
        s.kind = ScheduleKind::Constant;
        QCOMPARE(s.at(3), 0.3);
        QCOMPARE(s.at(99), 1.0);
        s.peakLr = 0;
        QVERIFY_THROWS_EXCEPTION(Error, s.validate());
        QVERIFY_THROWS_EXCEPTION(Error, parseScheduleKind("exponential"));
    }

    void chunkedCrossEntropyMatchesFullLogits_data() {
        QTest::addColumn<int>("chunk");
        QTest::addColumn<double>("softcap");
        QTest::newRow("chunk 1") << 1 << 0.0;
        QTest::newRow("chunk 7") << 7 << 0.0;
        QTest::newRow("one chunk") << 1000 << 0.0;
        QTest::newRow("softcap 30, chunk 5") << 5 << 30.0;
    }
    void chunkedCrossEntropyMatchesFullLogits() {
        QFETCH(int, chunk);
        QFETCH(double, softcap);
        auto opts = torch::TensorOptions().dtype(torch::kFloat64);
        torch::Tensor h1 = (torch::randn({23, 16}, opts) * 3).set_requires_grad(true);
        torch::Tensor w1 = torch::randn({50, 16}, opts).set_requires_grad(true);
        torch::Tensor targets = torch::randint(0, 50, {23}, torch::kInt64);
        targets.index_put_({torch::tensor({0, 4, 5, 22})}, -100);
        torch::Tensor h2 = h1.detach().clone().set_requires_grad(true);
        torch::Tensor w2 = w1.detach().clone().set_requires_grad(true);

        ChunkedCrossEntropyOptions o;
        o.chunkTokens = chunk;
        o.softcap = softcap;
        o.normalizer = 7.0; // e.g. target tokens across accumulated micro-batches
        torch::Tensor mine = chunkedCrossEntropy(h1, w1, targets, o);
        torch::Tensor logits = torch::matmul(h2, w2.t());
        if (softcap > 0) logits = torch::tanh(logits / softcap) * softcap;
        torch::Tensor ref =
            F::cross_entropy(logits, targets,
                             F::CrossEntropyFuncOptions().ignore_index(-100).reduction(torch::kSum)) /
            7.0;
        QVERIFY2(std::abs(mine.item<double>() - ref.item<double>()) < 1e-5,
                 qPrintable(QString("%1 vs %2").arg(mine.item<double>()).arg(ref.item<double>())));
        (mine * 2).backward();
        (ref * 2).backward();
        QVERIFY2(torch::allclose(h1.grad(), h2.grad(), 1e-5, 1e-6),
                 qPrintable(QString::number((h1.grad() - h2.grad()).abs().max().item<double>())));
        QVERIFY2(torch::allclose(w1.grad(), w2.grad(), 1e-5, 1e-6),
                 qPrintable(QString::number((w1.grad() - w2.grad()).abs().max().item<double>())));
        // Ignored rows get exactly zero gradient.
        QCOMPARE(h1.grad()[4].abs().sum().item<double>(), 0.0);
    }

    void chunkedCrossEntropyFrozenWeightGetsNoGradient() {
        torch::Tensor h = torch::randn({9, 8}).set_requires_grad(true);
        torch::Tensor w = torch::randn({20, 8});
        torch::Tensor t = torch::randint(0, 20, {9}, torch::kInt64);
        chunkedCrossEntropy(h, w, t, {}).backward();
        QVERIFY(h.grad().defined());
        QVERIFY(!w.grad().defined());
        QVERIFY_THROWS_EXCEPTION(Error, chunkedCrossEntropy(h, torch::randn({20, 7}), t, {}));
    }

    // Checkpointed layers give the same gradients as running them normally, dropout included (the RNG is
    // replayed in the recomputation).
    void checkpointingGivesIdenticalGradients() {
        torch::Tensor w = torch::randn({16, 16});
        LoraConfig cfg;
        cfg.rank = 4;
        cfg.dropout = 0.3;
        auto run = [&](bool checkpoint) {
            torch::manual_seed(99);
            LoraAdapter ad = makeLoraAdapter(16, 16, cfg, torch::kCPU, 5);
            {
                torch::NoGradGuard ng;
                ad.b.normal_(0, 0.1);
            }
            torch::Tensor x = torch::randn({6, 16}).set_requires_grad(true);
            CheckpointFn layer = [&](const torch::Tensor& in) {
                torch::Tensor h = torch::gelu(loraLinear(in, w, {}, ad, true));
                return torch::dropout(h, 0.2, true) + in;
            };
            torch::Tensor y = checkpoint ? checkpointed(layer, x, {ad.a, ad.b}) : layer(x);
            torch::Tensor y2 =
                checkpoint ? checkpointed(layer, y, {ad.a, ad.b}) : layer(y); // two stacked layers
            y2.pow(2).sum().backward();
            return std::vector<torch::Tensor>{y2.detach(), x.grad(), ad.a.grad(), ad.b.grad()};
        };
        auto plain = run(false);
        auto ckpt = run(true);
        for (std::size_t i = 0; i < plain.size(); ++i)
            QVERIFY2(torch::allclose(plain[i], ckpt[i], 1e-6, 1e-6),
                     qPrintable(QString("tensor %1 differs").arg(i)));
    }

    // The point of chunking: peak memory of a loss step with a 32k vocabulary stays far below the full
    // [tokens x vocab] logits path (which keeps logits, log-softmax and its gradient alive at once).
    void chunkedCrossEntropySavesMemory() {
        const std::int64_t tokens = 1024, vocab = 32000, hidden = 64;
        torch::Tensor w = torch::randn({vocab, hidden}) * 0.02;
        torch::Tensor t = torch::randint(0, vocab, {tokens}, torch::kInt64);
        auto measure = [&](bool chunked) {
            torch::Tensor h = torch::randn({tokens, hidden}).set_requires_grad(true);
            const long long base = currentRssKb();
            resetPeak();
            if (chunked) {
                ChunkedCrossEntropyOptions o;
                o.chunkTokens = 128;
                chunkedCrossEntropy(h, w, t, o).backward();
            } else {
                F::cross_entropy(torch::matmul(h, w.t()), t).backward();
            }
            return peakRssKb() - base;
        };
        measure(true); // warm up allocator and code paths
        const long long full = measure(false);
        const long long chunked = measure(true);
        const long long logitsKb = tokens * vocab * 4 / 1024;
        qInfo("peak RSS over the step: full logits %lld KiB, chunked %lld KiB (one logits tensor: %lld KiB)",
              full, chunked, logitsKb);
        QVERIFY2(full > logitsKb, "the full path should hold at least one logits tensor");
        QVERIFY2(chunked * 4 < full, "chunking should cut the loss step's peak memory at least 4x");
    }
};

QTEST_GUILESS_MAIN(TestTrainMath)
#include "tst_train_math.moc"
