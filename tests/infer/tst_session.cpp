// KV cache and prefix reuse: cached decoding equals recomputation, a follow-up prefill runs only the new
// tokens with identical logits; Mistral's sliding window checked against a Llama twin.
#include "common/error.h"
#include "common/test_support.h"
#include "device/compute_device.h"
#include "infer/generator.h"
#include "infer/language_model.h"
#include "infer/random_model.h"
#include "reference_logits.h"
#include <cmath>

using namespace hone;
using hone::test::fixture;

namespace {
double maxDiff(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return 1e9;
    double w = 0;
    for (std::size_t i = 0; i < a.size(); ++i) w = std::max(w, static_cast<double>(std::abs(a[i] - b[i])));
    return w;
}
std::vector<float> fresh(const std::shared_ptr<LanguageModel>& m, const std::vector<std::int32_t>& ids) {
    InferenceSession s(m);
    s.prefill(ids);
    return s.logits();
}
Json tinyConfig(const std::string& type, int layers, int window) {
    Json c = {{"architectures", {type == "mistral" ? "MistralForCausalLM" : "LlamaForCausalLM"}},
              {"model_type", type},
              {"hidden_size", 64},
              {"intermediate_size", 128},
              {"num_hidden_layers", layers},
              {"num_attention_heads", 4},
              {"num_key_value_heads", 2},
              {"vocab_size", 97},
              {"max_position_embeddings", 256},
              {"rms_norm_eps", 1e-5},
              {"rope_theta", 10000.0},
              {"tie_word_embeddings", false}};
    if (window > 0) c["sliding_window"] = window;
    return c;
}
} // namespace

class TstSession : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private Q_SLOTS:
    void initTestCase() {
        configureThreads();
        QVERIFY(tmp_.isValid());
    }

    void cachedDecodeEqualsRecompute() {
        const QString p = fixture("models/stories260K");
        HONE_REQUIRE_PATH(p);
        auto m = LanguageModel::load(p.toStdString());
        InferenceSession s(m);
        std::vector<std::int32_t> ids = {1, 403, 407};
        QCOMPARE(s.prefill(ids), 3);
        for (int step = 0; step < 8; ++step) {
            QVERIFY2(maxDiff(s.logits(), fresh(m, ids)) < 1e-4, "cached logits differ from recomputation");
            const int next = hone::test::argmax(s.logits());
            ids.push_back(next);
            QCOMPARE(s.append(next), 1);
        }
        QCOMPARE(s.cachedIds(), ids);
    }

    void prefixReuse() {
        const QString p = fixture("models/stories260K");
        HONE_REQUIRE_PATH(p);
        auto m = LanguageModel::load(p.toStdString());
        InferenceSession s(m);
        const std::vector<std::int32_t> turn1 = {1, 403, 407, 261, 378, 432, 383};
        std::vector<std::int32_t> turn2 = turn1;
        for (int id : {286, 261, 376, 298}) turn2.push_back(id);
        QCOMPARE(s.prefill(turn1), 7);
        QCOMPARE(s.prefill(turn2), 4); // only the new tokens
        QVERIFY(maxDiff(s.logits(), fresh(m, turn2)) < 1e-4);
        QCOMPARE(s.prefill(turn2), 1); // nothing new: the last token is recomputed for its logits
        QVERIFY(maxDiff(s.logits(), fresh(m, turn2)) < 1e-4);
        std::vector<std::int32_t> edited = turn2;
        edited[5] = 300; // diverges at position 5
        QCOMPARE(s.prefill(edited), static_cast<int>(edited.size()) - 5);
        QVERIFY(maxDiff(s.logits(), fresh(m, edited)) < 1e-4);
        std::vector<std::int32_t> shorter(turn1.begin(), turn1.begin() + 4);
        QCOMPARE(s.prefill(shorter), 1);
        QVERIFY(maxDiff(s.logits(), fresh(m, shorter)) < 1e-4);
    }

    void promptLongerThanContext() {
        const QString p = fixture("models/stories260K");
        HONE_REQUIRE_PATH(p);
        auto m = LanguageModel::load(p.toStdString());
        InferenceSession s(m);
        std::vector<std::int32_t> ids(513, 5);
        try {
            s.prefill(ids);
            QFAIL("a 513-token prompt was accepted by a 512-token model");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("context"));
            QVERIFY(QString(e.what()).contains("512"));
        }
        try {
            s.prefill({1, 600});
            QFAIL("an out-of-vocabulary id was accepted");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("600"));
        }
    }

    // Dynamic NTK scaling (transformers' "dynamic" rope_scaling): up to max_position_embeddings RoPE is
    // unchanged; past it, the base becomes theta * (factor * len / max - (factor - 1)) ^ (d / (d - 2)). A
    // model with dynamic scaling fed 12 tokens at once must equal the same weights with that base and no
    // scaling.
    void dynamicNtkRopeScaling() {
        const double factor = 2.0, theta = 10000.0, d = 16.0; // head_dim = 64 / 4
        const int maxPos = 8, len = 12;
        Json dyn = tinyConfig("llama", 2, 0);
        dyn["max_position_embeddings"] = maxPos;
        dyn["rope_scaling"] = {{"type", "dynamic"}, {"factor", factor}};
        Json plain = tinyConfig("llama", 2, 0);
        Json rebased = tinyConfig("llama", 2, 0);
        rebased["rope_theta"] = theta * std::pow(factor * len / maxPos - (factor - 1.0), d / (d - 2.0));
        const std::string a = (tmp_.path() + "/dyn").toStdString(),
                          b = (tmp_.path() + "/plain").toStdString(),
                          c = (tmp_.path() + "/rebased").toStdString();
        writeRandomModel(a, dyn, 11, 0.2f);
        writeRandomModel(b, plain, 11, 0.2f);
        writeRandomModel(c, rebased, 11, 0.2f);
        auto mDyn = LanguageModel::load(a), mPlain = LanguageModel::load(b),
             mRebased = LanguageModel::load(c);
        std::vector<std::int32_t> ids;
        for (int i = 0; i < len; ++i) ids.push_back((i * 7 + 3) % 97);
        const std::vector<std::int32_t> shortIds(ids.begin(), ids.begin() + maxPos);
        QVERIFY(maxDiff(fresh(mDyn, shortIds), fresh(mPlain, shortIds)) < 1e-6); // within max: unchanged
        QVERIFY(maxDiff(fresh(mDyn, ids), fresh(mRebased, ids)) < 1e-5);         // past it: rebased
        QVERIFY(maxDiff(fresh(mDyn, ids), fresh(mPlain, ids)) > 1e-4);           // and that differs
        InferenceSession s(mDyn);
        QCOMPARE(s.contextLength(), int(maxPos * factor));
    }

    // Mistral differs from Llama only in the sliding window. With one layer, attention at position t sees
    // tokens t-W+1..t, and RoPE scores depend only on relative positions, so Mistral's last logits over a
    // long sequence equal Llama's over just the last W tokens. Within the window both models agree exactly.
    void mistralSlidingWindow() {
        const int W = 4;
        const std::string mis = (tmp_.path() + "/mistral").toStdString(),
                          lla = (tmp_.path() + "/llama").toStdString();
        writeRandomModel(mis, tinyConfig("mistral", 1, W), 7, 0.2f);
        writeRandomModel(lla, tinyConfig("llama", 1, 0), 7, 0.2f);
        auto mm = LanguageModel::load(mis), ml = LanguageModel::load(lla);
        QCOMPARE(mm->config().slidingWindow, W);
        const std::vector<std::int32_t> seq = {3, 14, 15, 92, 65, 35, 89, 79, 32, 38};
        const std::vector<std::int32_t> head(seq.begin(), seq.begin() + W);
        QVERIFY(maxDiff(fresh(mm, head), fresh(ml, head)) < 1e-5); // inside the window: identical
        const std::vector<std::int32_t> tail(seq.end() - W, seq.end());
        QVERIFY(maxDiff(fresh(mm, seq), fresh(ml, tail)) < 1e-4); // window == truncated context
        QVERIFY(maxDiff(fresh(mm, seq), fresh(ml, seq)) > 1e-3);  // and the window does change the result
        // Cached decoding past the window equals recomputation.
        const std::string mis2 = (tmp_.path() + "/mistral2").toStdString();
        writeRandomModel(mis2, tinyConfig("mistral", 2, W), 9, 0.2f);
        auto m2 = LanguageModel::load(mis2);
        InferenceSession s(m2);
        std::vector<std::int32_t> ids(seq.begin(), seq.begin() + 2);
        s.prefill(ids);
        for (std::size_t i = 2; i < seq.size(); ++i) {
            ids.push_back(seq[i]);
            s.append(seq[i]);
            QVERIFY(maxDiff(s.logits(), fresh(m2, ids)) < 1e-4);
        }
    }

    void quantLoadersAgree() {
        const QString hf = fixture("gguf-quant/llama-random-hf"),
                      gg = fixture("gguf-quant/llama-random-f32.gguf");
        HONE_REQUIRE_PATH(hf);
        HONE_REQUIRE_PATH(gg);
        const std::vector<std::int32_t> ids = {1,   403, 407, 261, 378, 432, 383, 286,
                                               261, 376, 298, 315, 421, 395, 317, 426};
        auto a = fresh(LanguageModel::load(hf.toStdString()), ids);
        auto b = fresh(LanguageModel::load(gg.toStdString()), ids);
        QVERIFY2(maxDiff(a, b) < 1e-5, qPrintable(QString("HF vs GGUF differ by %1").arg(maxDiff(a, b))));
    }

    void quantizedGgufRuns() {
        const QString q = fixture("gguf-quant/Q4_K_M.gguf");
        HONE_REQUIRE_PATH(q);
        const Json ref = hone::test::readJson(fixture("gguf-quant/Q4_K_M.reference.json"));
        auto l = fresh(LanguageModel::load(q.toStdString()), hone::test::idsOf(ref["prompt_ids"]));
        // We multiply dequantised weights in F32; gguf-py dequant + float64 forward is the matching
        // reference.
        const double d = hone::test::maxTopDiff(l, ref["python_over_dequantized_top20"]);
        QVERIFY2(d < 1e-3, qPrintable(QString("Q4_K_M vs python over dequantized: %1").arg(d)));
    }

    void generateStops() {
        const QString p = fixture("models/stories260K");
        HONE_REQUIRE_PATH(p);
        auto m = LanguageModel::load(p.toStdString());
        struct IdText : TokenTextDecoder {
            std::string decode(const std::vector<std::int32_t>& ids) const override {
                std::string s;
                for (auto id : ids) s += "<" + std::to_string(id) + ">";
                return s;
            }
        } dec;
        SamplingParams sp;
        sp.temperature = 0;
        InferenceSession s(m);
        StopConditions stop;
        stop.maxTokens = 10;
        Sampler g1(sp);
        auto r = generate(s, {1}, g1, stop);
        QCOMPARE(r.ids, (std::vector<std::int32_t>{403, 407, 261, 378, 432, 383, 286, 261, 376, 298}));
        QCOMPARE(r.stopReason, std::string("max_tokens"));
        QCOMPARE(r.decodeSteps, 9);
        stop.stopIds = {378};
        Sampler g2(sp);
        r = generate(s, {1}, g2, stop);
        QCOMPARE(r.ids, (std::vector<std::int32_t>{403, 407, 261, 378}));
        QCOMPARE(r.stopReason, std::string("stop_token"));
        QCOMPARE(r.prefillProcessed, 1);
        stop.stopIds.clear();
        stop.stopStrings = {"<432>"};
        Sampler g3(sp);
        r = generate(s, {1}, g3, stop, &dec);
        QCOMPARE(r.ids.back(), 432);
        QCOMPARE(r.stopReason, std::string("stop_string"));
        Sampler g4(sp);
        QVERIFY_THROWS_EXCEPTION(Error, generate(s, {1}, g4, stop, nullptr));
    }

    void bf16Runs() {
        const QString p = fixture("models/stories260K");
        HONE_REQUIRE_PATH(p);
        ModelLoadOptions o;
        o.dtype = DType::BF16;
        auto m = LanguageModel::load(p.toStdString(), o);
        QCOMPARE(m->computeDType(), DType::BF16);
        auto l = fresh(m, {1});
        QCOMPARE(hone::test::argmax(l), 403);
    }
};

QTEST_GUILESS_MAIN(TstSession)
#include "tst_session.moc"
