// Sampling: greedy, seeded reproducibility, and each processor's effect on hand-made logits.
#include "common/error.h"
#include "common/test_support.h"
#include "infer/generator.h"
#include "infer/sampler.h"

#include <cmath>
#include <map>
#include <set>

using namespace hone;

namespace {
constexpr float kInf = std::numeric_limits<float>::infinity();
std::set<int> survivors(const std::vector<float>& l) {
    std::set<int> s;
    for (std::size_t i = 0; i < l.size(); ++i)
        if (l[i] != -kInf) s.insert(static_cast<int>(i));
    return s;
}
// A processor that bans one token (how constrained decoding plugs in).
class Ban : public LogitsProcessor {
public:
    explicit Ban(int id)
        : id_(id) {}
    void apply(std::vector<float>& l, const std::vector<std::int32_t>&) override {
        l[static_cast<std::size_t>(id_)] = -kInf;
    }
    std::string name() const override { return "ban"; }
    int id_;
};
} // namespace

class TstSampler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void greedy() {
        SamplingParams p;
        p.temperature = 0;
        Sampler s(p);
        QCOMPARE(s.sample({0.1f, 2.0f, 1.9f, -3.0f}, {}), 1);
    }
    void topK() {
        std::vector<float> l = {1, 5, 3, 4, 2};
        TopKProcessor(2).apply(l, {});
        QCOMPARE(survivors(l), (std::set<int>{1, 3}));
    }
    void topP() {
        // probabilities ~ 0.64, 0.24, 0.09, 0.03 for logits 3, 2, 1, 0
        std::vector<float> l = {3, 2, 1, 0};
        TopPProcessor(0.8).apply(l, {});
        QCOMPARE(survivors(l), (std::set<int>{0, 1}));
        std::vector<float> l2 = {3, 2, 1, 0};
        TopPProcessor(0.5).apply(l2, {});
        QCOMPARE(survivors(l2), (std::set<int>{0}));
    }
    void minP() {
        // p ratio to the max: exp(-0.5) = 0.61, exp(-2) = 0.135, exp(-3) = 0.05
        std::vector<float> l = {3, 2.5f, 1, 0};
        MinPProcessor(0.1).apply(l, {});
        QCOMPARE(survivors(l), (std::set<int>{0, 1, 2}));
        std::vector<float> l2 = {3, 2.5f, 1, 0};
        MinPProcessor(0.5).apply(l2, {});
        QCOMPARE(survivors(l2), (std::set<int>{0, 1}));
    }
    void temperature() {
        std::vector<float> l = {2, -4};
        TemperatureProcessor(2.0).apply(l, {});
        QCOMPARE(l[0], 1.0f);
        QCOMPARE(l[1], -2.0f);
    }
    void penalties() {
        std::vector<float> l = {2, -2, 1, 1};
        RepetitionPenaltyProcessor(2.0, 0, 0, 0).apply(l, {0, 1, 0});
        QCOMPARE(l[0], 1.0f);  // positive logits divided
        QCOMPARE(l[1], -4.0f); // negative logits multiplied
        QCOMPARE(l[2], 1.0f);  // unseen untouched
        std::vector<float> l2 = {2, 2, 2};
        RepetitionPenaltyProcessor(1.0, 0.5, 0.25, 0).apply(l2, {0, 0, 0, 1});
        QCOMPARE(l2[0], 2.0f - 0.5f - 0.75f); // presence once + frequency per occurrence
        QCOMPARE(l2[1], 2.0f - 0.5f - 0.25f);
        QCOMPARE(l2[2], 2.0f);
        std::vector<float> l3 = {2, 2};
        RepetitionPenaltyProcessor(2.0, 0, 0, 1).apply(l3, {0, 1}); // window of the last 1 token
        QCOMPARE(l3[0], 2.0f);
        QCOMPARE(l3[1], 1.0f);
    }
    void seededReproducible() {
        std::vector<float> l = {1.0f, 1.1f, 0.9f, 1.05f, 0.5f, 1.2f};
        SamplingParams p;
        p.temperature = 1.0;
        p.seed = 1234;
        auto draw = [&](std::uint64_t seed) {
            SamplingParams q = p;
            q.seed = seed;
            Sampler s(q);
            std::vector<int> out;
            for (int i = 0; i < 200; ++i) out.push_back(s.sample(l, {}));
            return out;
        };
        QCOMPARE(draw(1234), draw(1234));
        QVERIFY(draw(1234) != draw(99));
        // The draws follow the distribution: every token appears, the likeliest most often.
        std::map<int, int> counts;
        for (int id : draw(5)) ++counts[id];
        QCOMPARE(counts.size(), std::size_t(6));
        QVERIFY(counts[5] > counts[4]);
    }
    void chainExtraProcessorFirst() {
        SamplingParams p;
        p.temperature = 0;
        Sampler s(p);
        s.addProcessor(std::make_shared<Ban>(1));
        QCOMPARE(s.sample({0.1f, 2.0f, 1.9f}, {}), 2);
    }
    void invalidParams() {
        SamplingParams p;
        p.topP = 0;
        QVERIFY_THROWS_EXCEPTION(Error, Sampler{p});
    }
};

QTEST_GUILESS_MAIN(TstSampler)
#include "tst_sampler.moc"
