// The LoRA training forward over the real stories260K model: a fresh adapter changes nothing; a random
// adapter applied on the fly equals the merged weights; packed documents do not see each other; gradient
// accumulation over uneven micro-batches equals one big batch; checkpointing (with dropout) gives the same
// gradients; added tokens train their rows; the PEFT state round-trips through a file.
#include "common/error.h"
#include "common/test_support.h"
#include "data/batch_plan.h"
#include "device/torch_device.h"
#include "model/transformer_torch.h"
#include "train/adapter_io_torch.h"
#include "train/lora_model_torch.h"

#include <QTemporaryDir>

using namespace hone;

namespace {

QString stories() {
    return test::fixture("models/stories260K");
}

std::shared_ptr<Transformer> loadBase() {
    return loadTransformer(stories().toStdString(), DeviceSpec::parse("cpu"), DType::F32);
}

TrainBatch rowBatch(const std::vector<std::vector<std::int64_t>>& rows) {
    const auto B = static_cast<std::int64_t>(rows.size());
    const auto T = static_cast<std::int64_t>(rows[0].size());
    std::vector<std::int64_t> flat, pos;
    for (const auto& r : rows) {
        flat.insert(flat.end(), r.begin(), r.end());
        for (std::int64_t i = 0; i < T; ++i) pos.push_back(i);
    }
    TrainBatch b;
    b.ids = torch::tensor(flat, torch::kInt64).view({B, T});
    b.positions = torch::tensor(pos, torch::kInt64).view({B, T});
    b.labels = torch::full({B, T}, -100, torch::kInt64);
    return b;
}

// Random non-zero A and B. `stddev` 0.2 moves the logits a lot; the gradient comparisons use a smaller one so
// F32 round-off is not amplified by an adapter that dominates the base weights.
void randomize(LoraModel& m, std::uint64_t seed, double stddev = 0.2) {
    torch::manual_seed(static_cast<std::int64_t>(seed));
    std::map<std::string, torch::Tensor> st;
    for (auto& [k, v] : m.peftState()) st[k] = torch::randn(v.sizes()) * stddev;
    m.loadPeftState(st);
}

// A copy of the base weights with W + scale * B A folded in (F32), from the model's PEFT state.
TransformerWeights mergedWeights(const Transformer& base, const LoraModel& m) {
    TransformerWeights w = base.weights();
    std::map<std::string, torch::Tensor> st;
    for (auto& [k, v] : m.peftState()) st[k] = v;
    const double scale = m.options().lora.scale();
    const ModelConfig& c = base.config();
    const std::int64_t H = c.numHeads, KV = c.numKvHeads, D = c.headDim, FF = c.intermediateSize;
    auto delta = [&](int l, const char* t) {
        const std::string p = peftModulePath(l, t);
        return torch::matmul(st.at(p + ".lora_B.weight"), st.at(p + ".lora_A.weight")) * scale;
    };
    for (int l = 0; l < c.numLayers; ++l) {
        auto& lw = w.layers[static_cast<std::size_t>(l)];
        auto qkv = lw.wqkv.clone();
        qkv.narrow(0, 0, H * D).add_(delta(l, "q_proj"));
        qkv.narrow(0, H * D, KV * D).add_(delta(l, "k_proj"));
        qkv.narrow(0, (H + KV) * D, KV * D).add_(delta(l, "v_proj"));
        lw.wqkv = qkv;
        lw.wo = lw.wo + delta(l, "o_proj");
        auto gu = lw.wgateUp.clone();
        gu.narrow(0, 0, FF).add_(delta(l, "gate_proj"));
        gu.narrow(0, FF, FF).add_(delta(l, "up_proj"));
        lw.wgateUp = gu;
        lw.wdown = lw.wdown + delta(l, "down_proj");
    }
    return w;
}

// max |a - b| relative to max |b|: F32 logits of 10-20 computed in another order differ by ~1e-5 absolute.
double relDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>() / std::max(1e-12, b.abs().max().item<double>());
}

// ||a - b|| / ||b|| over a list of tensors.
double relNorm(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
    double num = 0, den = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        num += (a[i] - b[i]).to(torch::kFloat64).pow(2).sum().item<double>();
        den += b[i].to(torch::kFloat64).pow(2).sum().item<double>();
    }
    return std::sqrt(num / std::max(den, 1e-300));
}

const std::vector<std::int64_t> kIds = {1,   403, 407, 261, 378, 316, 1353 % 512,
                                        280, 301, 282, 274, 299, 400, 13};

} // namespace

class TestLoraModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void freshAdapterGivesBaseLogits() {
        HONE_REQUIRE_PATH(stories());
        auto base = loadBase();
        LoraModelOptions o;
        o.lora.rank = 4;
        LoraModel m(base, o);
        auto ours = m.logits(rowBatch({kIds})).squeeze(0);
        KvCache cache;
        std::vector<std::int32_t> ids(kIds.begin(), kIds.end());
        auto ref = base->forward(ids, cache, true);
        const double diff = relDiff(ours, ref);
        QVERIFY2(diff < 1e-6, qPrintable(QString("max |diff| %1").arg(diff)));
    }

    void adapterOnTheFlyEqualsMergedModel() {
        HONE_REQUIRE_PATH(stories());
        auto base = loadBase();
        LoraModelOptions o;
        o.lora.rank = 8;
        o.lora.alpha = 16;
        LoraModel m(base, o);
        randomize(m, 7);
        auto ours = m.logits(rowBatch({kIds})).squeeze(0);
        Transformer merged(base->config(), mergedWeights(*base, m), base->device(), DType::F32);
        KvCache cache;
        std::vector<std::int32_t> ids(kIds.begin(), kIds.end());
        auto ref = merged.forward(ids, cache, true);
        auto baseLogits = m.logits(rowBatch({kIds})); // sanity: the adapter really changes the output
        KvCache c2;
        const double moved = (base->forward(ids, c2, true) - ref).abs().max().item<double>();
        QVERIFY2(moved > 0.1, qPrintable(QString("adapter changed logits by only %1").arg(moved)));
        const double diff = relDiff(ours, ref);
        QVERIFY2(diff < 1e-5, qPrintable(QString("max |diff| %1").arg(diff)));
        Q_UNUSED(baseLogits);
    }

    void rsloraScalesBySquareRoot() {
        HONE_REQUIRE_PATH(stories());
        auto base = loadBase();
        LoraModelOptions o;
        o.lora.rank = 4;
        o.lora.alpha = 8;
        o.lora.rslora = true;
        LoraModel m(base, o);
        QCOMPARE(m.options().lora.scale(), 4.0);
        randomize(m, 3);
        Transformer merged(base->config(), mergedWeights(*base, m), base->device(), DType::F32);
        KvCache cache;
        std::vector<std::int32_t> ids(kIds.begin(), kIds.end());
        const double diff = relDiff(m.logits(rowBatch({kIds})).squeeze(0), merged.forward(ids, cache, true));
        QVERIFY2(diff < 1e-5, qPrintable(QString("max |diff| %1").arg(diff)));
    }

    void packedDocumentsDoNotSeeEachOther() {
        HONE_REQUIRE_PATH(stories());
        auto base = loadBase();
        LoraModelOptions o;
        o.lora.rank = 4;
        LoraModel m(base, o);
        randomize(m, 11);
        std::vector<data::TokenizedExample> ex(2);
        ex[0].ids = {1, 403, 407, 261, 378, 316};
        ex[1].ids = {1, 280, 301, 282, 274};
        for (auto& e : ex) e.train.assign(e.ids.size(), 1);
        data::BatchPlanOptions bo;
        bo.packing = true;
        bo.maxSeqLen = 64;
        bo.shuffle = false;
        bo.padId = 0;
        auto plan = data::planEpoch(ex, bo, 0);
        QCOMPARE(plan.size(), std::size_t(1));
        QCOMPARE(plan[0].rows.size(), std::size_t(1));
        auto packed = m.logits(makeTrainBatch(plan[0], torch::kCPU, true)).squeeze(0);
        std::size_t offset = 0;
        for (auto idx : plan[0].exampleIndices) {
            const auto& e = ex[idx];
            auto alone =
                m.logits(rowBatch({std::vector<std::int64_t>(e.ids.begin(), e.ids.end())})).squeeze(0);
            auto part =
                packed.narrow(0, static_cast<std::int64_t>(offset), static_cast<std::int64_t>(e.ids.size()));
            const double diff = relDiff(part, alone);
            QVERIFY2(diff < 1e-5, qPrintable(QString("document %1 differs by %2").arg(idx).arg(diff)));
            offset += e.ids.size();
        }
        // Without the mask the second document would see the first: the test can tell the difference.
        auto unmasked = m.logits(rowBatch({std::vector<std::int64_t>(plan[0].rows[0].ids.begin(),
                                                                     plan[0].rows[0].ids.end())}))
                            .squeeze(0);
        QVERIFY((unmasked - packed).abs().max().item<double>() > 1e-3);
    }

    void gradientAccumulationEqualsOneBigBatch() {
        HONE_REQUIRE_PATH(stories());
        auto base = loadBase();
        LoraModelOptions o;
        o.lora.rank = 4;
        LoraModel m(base, o);
        randomize(m, 5, 0.02);
        // 8 examples with very different numbers of targets.
        std::vector<data::TokenizedExample> ex(8);
        for (int i = 0; i < 8; ++i) {
            const int len = 6 + 3 * i;
            for (int t = 0; t < len; ++t)
                ex[static_cast<std::size_t>(i)].ids.push_back((t * 37 + i * 11) % 500 + 3);
            ex[static_cast<std::size_t>(i)].train.assign(static_cast<std::size_t>(len), 0);
            for (int t = len / 2 + (i % 3); t < len; ++t)
                ex[static_cast<std::size_t>(i)].train[static_cast<std::size_t>(t)] = 1;
        }
        data::BatchPlanOptions bo;
        bo.shuffle = false;
        bo.maxSeqLen = 64;
        bo.padId = 0;
        auto params = m.parameters();
        auto gradsOf = [&](int batchSize) {
            bo.batchSize = batchSize;
            auto plan = data::planEpoch(ex, bo, 0);
            std::size_t targets = 0;
            for (const auto& mb : plan) targets += mb.targetTokens;
            double loss = 0;
            for (auto& p : params) p.mutable_grad() = torch::Tensor();
            for (const auto& mb : plan) {
                auto l = m.loss(makeTrainBatch(mb, torch::kCPU, false), static_cast<double>(targets), true);
                l.backward();
                loss += l.item<double>();
            }
            std::vector<torch::Tensor> g;
            for (auto& p : params) g.push_back(p.grad().clone());
            return std::make_pair(loss, g);
        };
        auto [lossBig, gBig] = gradsOf(8);
        auto [lossSmall, gSmall] = gradsOf(2);

        QVERIFY(std::abs(lossBig - lossSmall) < 1e-5 * std::abs(lossBig));
        const double worst = relNorm(gSmall, gBig);
        QVERIFY2(worst < 1e-5, qPrintable(QString("relative gradient difference %1").arg(worst)));
        // Averaging per micro-batch instead (HF's old bug) would differ by far more than that.
        bo.batchSize = 2;
        auto plan = data::planEpoch(ex, bo, 0);
        for (auto& p : params) p.mutable_grad() = torch::Tensor();
        for (const auto& mb : plan)
            (m.loss(makeTrainBatch(mb, torch::kCPU, false), static_cast<double>(mb.targetTokens), true) /
             static_cast<double>(plan.size()))
                .backward();
        std::vector<torch::Tensor> gNaive;
        for (auto& p : params) gNaive.push_back(p.grad().clone());
        const double naive = relNorm(gNaive, gBig);
        QVERIFY2(naive > 1e-2, qPrintable(QString("per-micro-batch mean should differ, got %1").arg(naive)));
    }

    void checkpointingGivesTheSameGradientsWithDropout() {
        HONE_REQUIRE_PATH(stories());
        auto base = loadBase();
        LoraModelOptions o;
        o.lora.rank = 4;
        o.lora.dropout = 0.2;
        LoraModel m(base, o);
        randomize(m, 9);
        auto b = rowBatch({kIds, kIds});
        b.labels = b.ids.roll(-1, 1);
        b.labels.select(1, b.labels.size(1) - 1).fill_(-100);
        auto params = m.parameters();
        auto run = [&](bool ckpt) {
            m.setCheckpointing(ckpt);
            torch::manual_seed(42);
            for (auto& p : params) p.mutable_grad() = torch::Tensor();
            auto l = m.loss(b, 0, true);
            l.backward();
            std::vector<torch::Tensor> g;
            for (auto& p : params) g.push_back(p.grad().clone());
            return std::make_pair(l.item<double>(), g);
        };
        auto [l1, g1] = run(false);
        auto [l2, g2] = run(true);
        QCOMPARE(l1, l2);
        for (std::size_t i = 0; i < g1.size(); ++i)
            QVERIFY2(torch::allclose(g1[i], g2[i], 1e-5, 1e-7), qPrintable(QString("param %1").arg(i)));
    }

    void addedTokensTrainTheirRows() {
        HONE_REQUIRE_PATH(stories());
        auto base = loadBase();
        LoraModelOptions o;
        o.lora.rank = 2;
        o.newTokens = 2;
        LoraModel m(base, o);
        QCOMPARE(m.vocabSize(), 514);
        auto b = rowBatch({{1, 512, 403, 513, 407}});
        b.labels = torch::tensor({512, 403, 513, 407, -100}, torch::kInt64).view({1, 5});
        auto l = m.loss(b, 0, true);
        l.backward();
        auto params = m.parameters();
        auto rows = params.back(); // the added rows (tied embeddings: one tensor)
        QCOMPARE(rows.size(0), 2);
        QVERIFY(rows.grad().defined());
        QVERIFY(rows.grad().abs().sum(1).min().item<double>() > 0); // both rows got a gradient
        auto st = m.peftState();
        bool found = false;
        for (auto& [k, v] : st)
            if (k == "base_model.model.model.embed_tokens.weight") {
                found = true;
                QCOMPARE(v.size(0), 514);
            }
        QVERIFY(found);
        QVERIFY_THROWS_EXCEPTION(hone::Error, m.logits(rowBatch({{1, 514}})));
    }

    void peftStateRoundTripsThroughAFile() {
        HONE_REQUIRE_PATH(stories());
        auto base = loadBase();
        LoraModelOptions o;
        o.lora.rank = 4;
        o.lora.targets = {"q_proj", "v_proj", "down_proj"};
        LoraModel a(base, o);
        randomize(a, 21);
        QTemporaryDir dir;
        const std::string file = dir.filePath("adapter_model.safetensors").toStdString();
        writeTensorsFile(file, a.peftState());
        auto loaded = readTensorsFile(file);
        QCOMPARE(loaded.size(), std::size_t(5 * 3 * 2));
        QVERIFY(loaded.count("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"));
        QVERIFY(loaded.count("base_model.model.model.layers.4.mlp.down_proj.lora_B.weight"));
        QCOMPARE(loaded.at("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight").sizes().vec(),
                 (std::vector<std::int64_t>{4, 64}));
        LoraModel b(base, o);
        b.loadPeftState(loaded);
        auto batch = rowBatch({kIds});
        QVERIFY(torch::equal(a.logits(batch), b.logits(batch)));
        // A wrong rank is refused with the tensor named.
        LoraModelOptions o2 = o;
        o2.lora.rank = 8;
        LoraModel c(base, o2);
        try {
            c.loadPeftState(loaded);
            QFAIL("a rank-4 adapter loaded into a rank-8 model");
        } catch (const hone::Error& e) {
            QVERIFY2(QString(e.what()).contains("lora_A.weight' has shape 4 x 64"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestLoraModel)
#include "tst_lora_model.moc"
