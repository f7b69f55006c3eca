// LoRA adapters applied on the fly: logits with a seeded random PEFT adapter equal those of the same model
// with the adapter merged by hand into its weights (W + scale * B @ A); removing it gives the base logits bit
// for bit; switching adapters needs no reload; added tokens (grown embeddings) work; bad adapters are
// refused.
#include "chat_session/inference_adapter.h"
#include "common/error.h"
#include "common/test_support.h"
#include "device/compute_device.h"
#include "peft_writer.h"

#include <cstring>
#include <fstream>

using namespace hone;

namespace {

std::vector<float> toVector(const torch::Tensor& t) {
    auto c = t.contiguous();
    std::vector<float> v(static_cast<std::size_t>(c.numel()));
    std::memcpy(v.data(), c.data_ptr<float>(), v.size() * sizeof(float));
    return v;
}

// Largest |difference| of the all-position logits of `ids` through `model` with `adapter` and through
// `reference`, relative to the largest |logit| (F32 logits of this model carry ~3e-5 absolute rounding
// noise — batched vs token-by-token forward of the base itself — at logits up to ~19, so 1e-5 is relative).
double maxDiff(const Transformer& model, const TransformerAdapter* adapter, const Transformer& reference,
               const std::vector<std::int32_t>& ids) {
    KvCache a, b;
    auto la = model.forward(ids, a, true, adapter);
    auto lb = reference.forward(ids, b, true);
    if (la.sizes() != lb.sizes()) return 1e30;
    return (la - lb).abs().max().item<double>() / lb.abs().max().item<double>();
}

double relDiff(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return 1e30;
    double d = 0, m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        d = std::max(d, double(std::abs(a[i] - b[i])));
        m = std::max(m, double(std::abs(b[i])));
    }
    return d / m;
}

const std::vector<std::int32_t> kIds = {1, 403, 407, 261, 378, 285, 262, 354, 66, 292, 300, 13};

} // namespace

class TstInferenceAdapter : public QObject {
    Q_OBJECT
    std::shared_ptr<LanguageModel> model_;
    QTemporaryDir tmp_;
    std::string dir(const char* name) const { return tmp_.path().toStdString() + "/" + name; }

private Q_SLOTS:
    void initTestCase() {
        configureThreads(1);
        const QString path = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(path);
        model_ = LanguageModel::load(path.toStdString(), {DeviceSpec::parse("cpu"), DType::F32});
    }

    void matchesHandMergedWeights() {
        test::PeftSpec spec;
        auto merged = test::writePeftAdapter(dir("a"), model_->transformer(), spec);
        auto adapter = InferenceAdapter::load(dir("a"), *model_);
        QCOMPARE(adapter->rank(), 4);
        QCOMPARE(adapter->targets().size(), std::size_t(7));
        const double d = maxDiff(model_->transformer(), adapter->tensors().get(), *merged, kIds);
        qInfo("max |adapter - merged| / max |logit| = %g (base vs merged: %g)", d,
              maxDiff(model_->transformer(), nullptr, *merged, kIds));
        {
            // The F32 floor: the same base model, all positions at once vs one token at a time.
            KvCache all, one;
            auto la = model_->transformer().forward(kIds, all, true);
            double floor = 0;
            for (std::size_t i = 0; i < kIds.size(); ++i) {
                auto l = model_->transformer().forward({kIds[i]}, one);
                floor = std::max(floor, (l - la[static_cast<long>(i)]).abs().max().item<double>());
            }
            qInfo("F32 floor (batched vs token by token) = %g, max |logit| = %g", floor,
                  la.abs().max().item<double>());
        }
        QVERIFY2(d < 1e-5, qPrintable(QString::number(d)));
        // The adapter really changes the model (else the comparison above proves nothing).
        const double fromBase = maxDiff(model_->transformer(), nullptr, *merged, kIds);
        QVERIFY2(fromBase > 1e-2, qPrintable(QString::number(fromBase)));
    }

    void sessionSwitchAndRemove() {
        test::PeftSpec one, two;
        two.seed = 9;
        two.rank = 2;
        two.alpha = 3;
        two.rslora = true;
        two.targets = {"q_proj", "v_proj", "down_proj"};
        auto mergedOne = test::writePeftAdapter(dir("one"), model_->transformer(), one);
        auto mergedTwo = test::writePeftAdapter(dir("two"), model_->transformer(), two);
        auto a1 = InferenceAdapter::load(dir("one"), *model_);
        auto a2 = InferenceAdapter::load(dir("two"), *model_);

        InferenceSession base(model_);
        base.prefill(kIds);
        const auto baseLogits = base.logits();

        auto reference = [&](const Transformer& t) {
            KvCache c;
            return toVector(t.forward(kIds, c));
        };
        InferenceSession s(model_);
        s.setAdapter(a1->tensors());
        s.prefill(kIds);
        const auto r1 = reference(*mergedOne);
        QVERIFY(relDiff(s.logits(), r1) < 1e-5);
        s.setAdapter(a2->tensors());                    // switch without reloading the base
        QCOMPARE(s.cachedIds().size(), std::size_t(0)); // K/V of the other adapter are dropped
        QCOMPARE(s.prefill(kIds), int(kIds.size()));
        const auto r2 = reference(*mergedTwo);
        QVERIFY(relDiff(s.logits(), r2) < 1e-5);
        s.setAdapter(nullptr);
        s.prefill(kIds);
        QCOMPARE(s.logits().size(), baseLogits.size());
        QVERIFY(std::memcmp(s.logits().data(), baseLogits.data(), baseLogits.size() * sizeof(float)) == 0);
    }

    void addedTokens() {
        test::PeftSpec spec;
        spec.targets = {"q_proj", "o_proj"};
        spec.addedTokens = {"<|im_start|>", "<|im_end|>"};
        spec.templateName = "chatml";
        spec.chatTemplate = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
                            "{% endfor %}";
        auto merged = test::writePeftAdapter(dir("tok"), model_->transformer(), spec);
        auto adapter = InferenceAdapter::load(dir("tok"), *model_);
        const int V = model_->config().vocabSize;
        QCOMPARE(adapter->vocabSize(), V + 2);
        QCOMPARE(adapter->templateName(), std::string("chatml"));
        auto ids = kIds;
        ids.push_back(V + 1);
        ids.push_back(V);
        ids.push_back(300);
        const double d = maxDiff(model_->transformer(), adapter->tensors().get(), *merged, ids);
        QVERIFY2(d < 1e-5, qPrintable(QString::number(d)));
        // The tokenizer learns the tokens at the ids the adapter was trained with.
        const auto tok = adapter->adaptTokenizer(tok::Tokenizer::load(model_->path()));
        const auto enc = tok.encode("<|im_start|>user", {false, true});
        QVERIFY(!enc.empty());
        QCOMPARE(enc.front(), V);
        QCOMPARE(tok.tokenToId("<|im_end|>").value_or(-1), V + 1);
        // Without the adapter, the added ids are outside the vocabulary: a clear error, not a crash.
        InferenceSession s(model_);
        try {
            s.prefill(ids);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("outside the vocabulary") != std::string::npos, e.what());
        }
    }

    // The trainer's own LoRA forward (LoraModel, with two added tokens) and the adapter it saves, applied
    // on the fly here, give the same logits: the file layout and the scale agree end to end.
    void matchesTrainerForward() {
        LoraModelOptions lo;
        lo.lora.rank = 4;
        lo.lora.alpha = 16;
        lo.newTokens = 2;
        auto base = loadTransformer(model_->path(), DeviceSpec::parse("cpu"), DType::F32);
        LoraModel trained(base, lo);
        trained.initNewTokens();
        torch::manual_seed(5);
        std::map<std::string, torch::Tensor> st;
        for (auto& [k, v] : trained.peftState())
            st[k] = k.find("lora_") != std::string::npos ? torch::randn(v.sizes()) * 0.02 : v;
        trained.loadPeftState(st);
        const std::string d = dir("trained");
        std::filesystem::create_directories(d);
        writeTensorsFile(d + "/adapter_model.safetensors", trained.peftState());
        std::ofstream(d + "/adapter_config.json")
            << peftAdapterConfig(4, 16, 0, false, lo.lora.expandedTargets(), model_->path(), true).dump();
        auto adapter = InferenceAdapter::load(d, *model_);
        auto ids = kIds;
        ids.push_back(model_->config().vocabSize + 1);
        std::vector<std::int64_t> ids64(ids.begin(), ids.end()), pos(ids.size());
        for (std::size_t i = 0; i < pos.size(); ++i) pos[i] = static_cast<std::int64_t>(i);
        TrainBatch b;
        const auto T = static_cast<std::int64_t>(ids.size());
        b.ids = torch::tensor(ids64, torch::kInt64).view({1, T});
        b.positions = torch::tensor(pos, torch::kInt64).view({1, T});
        b.labels = torch::full({1, T}, -100, torch::kInt64);
        auto reference = trained.logits(b)[0];
        KvCache cache;
        auto mine = model_->transformer().forward(ids, cache, true, adapter->tensors().get());
        QCOMPARE(mine.sizes(), reference.sizes());
        const double d2 =
            (mine - reference).abs().max().item<double>() / reference.abs().max().item<double>();
        qInfo("max |on the fly - trainer forward| / max |logit| = %g", d2);
        QVERIFY2(d2 < 1e-5, qPrintable(QString::number(d2)));
    }

    void runFolderResolves() {
        test::PeftSpec spec;
        test::writePeftAdapter(dir("run/adapter"), model_->transformer(), spec);
        QCOMPARE(InferenceAdapter::resolveFolder(dir("run")), dir("run/adapter"));
        test::writePeftAdapter(dir("run2/checkpoints/checkpoint-20"), model_->transformer(), spec);
        test::writePeftAdapter(dir("run2/checkpoints/checkpoint-100"), model_->transformer(), spec);
        QCOMPARE(InferenceAdapter::resolveFolder(dir("run2")), dir("run2/checkpoints/checkpoint-100"));
    }

    void badAdaptersAreRefused() {
        auto expectError = [&](const std::string& d, const char* needle) {
            try {
                InferenceAdapter::load(d, *model_);
                QFAIL(qPrintable(QString("no error for ") + QString::fromStdString(d)));
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
            }
        };
        expectError(dir("nowhere"), "does not exist");
        std::filesystem::create_directories(dir("empty"));
        expectError(dir("empty"), "no adapter_config.json");
        // A rank-4 A for q_proj whose input width does not match this model.
        std::filesystem::create_directories(dir("shape"));
        NamedTensors t = {{peftModulePath(0, "q_proj") + ".lora_A.weight", torch::ones({4, 65})},
                          {peftModulePath(0, "q_proj") + ".lora_B.weight", torch::ones({64, 4})}};
        writeTensorsFile(dir("shape") + "/adapter_model.safetensors", t);
        std::ofstream(dir("shape") + "/adapter_config.json")
            << R"({"peft_type":"LORA","r":4,"lora_alpha":8})";
        expectError(dir("shape"), "pick the base model");
        // A layer the model does not have.
        std::filesystem::create_directories(dir("layer"));
        t = {{peftModulePath(7, "q_proj") + ".lora_A.weight", torch::ones({4, 64})},
             {peftModulePath(7, "q_proj") + ".lora_B.weight", torch::ones({64, 4})}};
        writeTensorsFile(dir("layer") + "/adapter_model.safetensors", t);
        std::ofstream(dir("layer") + "/adapter_config.json")
            << R"({"peft_type":"LORA","r":4,"lora_alpha":8})";
        expectError(dir("layer"), "layers.7");
        std::ofstream(dir("layer") + "/adapter_config.json") << R"({"peft_type":"IA3"})";
        expectError(dir("layer"), "not LORA");
        std::filesystem::create_directories(dir("nofile"));
        std::ofstream(dir("nofile") + "/adapter_config.json") << R"({"peft_type":"LORA"})";
        expectError(dir("nofile"), "adapter_model.safetensors is missing");
    }
};

QTEST_GUILESS_MAIN(TstInferenceAdapter)
#include "tst_inference_adapter.moc"
