// RoPE inverse frequencies for each scaling type, checked against the formulas written out independently here
// (linear: theta^(-2i/d) / factor; llama3: per-band rule of Meta's reference; GGUF rope_freqs: division).
#include "common/test_support.h"
#include "model/transformer_torch.h"

#include <cmath>

using namespace hone;

namespace {
ModelConfig base() {
    ModelConfig c;
    c.headDim = 128;
    c.ropeTheta = 500000.0;
    return c;
}
} // namespace

class TstRope : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void plain() {
        const auto f = ropeInverseFrequencies(base(), 10000.0, true);
        QCOMPARE(f.size(), std::size_t(64));
        QCOMPARE(f[0], 1.0);
        QVERIFY(std::abs(f[1] - std::pow(10000.0, -2.0 / 128)) < 1e-15);
    }
    void linear() {
        auto c = base();
        c.ropeScaling = RopeScaling::Linear;
        c.ropeFactor = 4.0;
        const auto plainF = ropeInverseFrequencies(base(), 10000.0, true);
        const auto f = ropeInverseFrequencies(c, 10000.0, true);
        for (std::size_t i = 0; i < f.size(); ++i) QVERIFY(std::abs(f[i] - plainF[i] / 4.0) < 1e-18);
        const auto unscaled = ropeInverseFrequencies(c, 10000.0, false); // Gemma 3 local layers
        QCOMPARE(unscaled, plainF);
    }
    void llama3() {
        auto c = base();
        c.ropeScaling = RopeScaling::Llama3;
        c.ropeFactor = 8.0;
        c.ropeLowFreqFactor = 1.0;
        c.ropeHighFreqFactor = 4.0;
        c.ropeOriginalMaxPositions = 8192;
        const auto plainF = ropeInverseFrequencies(base(), 500000.0, true);
        const auto f = ropeInverseFrequencies(c, 500000.0, true);
        int high = 0, low = 0, mid = 0;
        for (std::size_t i = 0; i < f.size(); ++i) {
            const double wavelen = 2 * M_PI / plainF[i];
            if (wavelen < 8192.0 / 4.0) { // high frequency: unchanged
                QCOMPARE(f[i], plainF[i]);
                ++high;
            } else if (wavelen > 8192.0) { // low frequency: divided by the factor
                QVERIFY(std::abs(f[i] - plainF[i] / 8.0) < 1e-18);
                ++low;
            } else { // in between: interpolated, strictly between the two
                QVERIFY(f[i] < plainF[i] && f[i] > plainF[i] / 8.0);
                ++mid;
            }
        }
        QVERIFY(high > 0 && low > 0 && mid > 0);
    }
    void ggufRopeFreqsOverride() {
        auto c = base();
        c.ropeScaling = RopeScaling::Llama3; // ignored when the GGUF factors are present
        c.ropeFreqFactors.assign(64, 2.0f);
        c.ropeFreqFactors[0] = 1.0f;
        const auto plainF = ropeInverseFrequencies(base(), 500000.0, true);
        const auto f = ropeInverseFrequencies(c, 500000.0, true);
        QCOMPARE(f[0], plainF[0]);
        QVERIFY(std::abs(f[5] - plainF[5] / 2.0) < 1e-18);
    }
};

QTEST_GUILESS_MAIN(TstRope)
#include "tst_rope.moc"
