// The CPU reference kernels against independent computations written here: double-precision loops of the
// textbook formulas, central finite differences of those double forwards for every backward pass, bit
// patterns worked out by hand for the BF16/F16 conversions, and edge cases (length-1 rows, every row ignored,
// huge logits, bad shapes and targets).
#include "common/error.h"
#include "common/test_support.h"
#include "kernels/cpu/cross_entropy_ref.h"
#include "kernels/cpu/glu_ref.h"
#include "kernels/cpu/lora_ref.h"
#include "kernels/cpu/rmsnorm_ref.h"
#include "kernels/cpu/rope_ref.h"

#include <cmath>
#include <complex>
#include <functional>
#include <random>
#include <vector>

using namespace hone::kernels;

namespace {

using Vec = std::vector<double>;
using Loss = std::function<double(const Vec&)>;

std::vector<float> randomVec(std::size_t n, unsigned seed, float scale = 1.0f, float shift = 0.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd;
    std::vector<float> v(n);
    for (auto& x : v) x = shift + scale * nd(rng);
    return v;
}

Vec toDouble(const std::vector<float>& v) {
    return Vec(v.begin(), v.end());
}

// Central difference of `loss` with respect to p[i] (p is restored).
double centralDiff(Vec& p, std::size_t i, const Loss& loss, double h = 1e-6) {
    const double keep = p[i];
    p[i] = keep + h;
    const double up = loss(p);
    p[i] = keep - h;
    const double down = loss(p);
    p[i] = keep;
    return (up - down) / (2 * h);
}

// Every analytic gradient entry against the finite difference of `loss`, within abs + rel * |fd|.
void checkGradient(const char* what, Vec p, const Loss& loss, const std::vector<float>& analytic, double abs,
                   double rel = 0) {
    QCOMPARE(analytic.size(), p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
        const double fd = centralDiff(p, i, loss);
        QVERIFY2(std::abs(fd - analytic[i]) <= abs + rel * std::abs(fd),
                 qPrintable(QString("%1[%2]: analytic %3, finite difference %4")
                                .arg(what)
                                .arg(i)
                                .arg(analytic[i])
                                .arg(fd)));
    }
}

double dot(const Vec& a, const std::vector<float>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

// ---- independent double forwards ----

Vec rmsnormD(const Vec& x, const Vec& w, std::size_t rows, std::size_t cols, double eps) {
    Vec y(x.size());
    for (std::size_t r = 0; r < rows; ++r) {
        double ms = 0;
        for (std::size_t c = 0; c < cols; ++c) ms += x[r * cols + c] * x[r * cols + c] / double(cols);
        for (std::size_t c = 0; c < cols; ++c) y[r * cols + c] = x[r * cols + c] / std::sqrt(ms + eps) * w[c];
    }
    return y;
}

// RoPE as a complex rotation: pair (a, b) is a + ib, multiplied by e^{i angle} (backward: e^{-i angle}).
Vec ropeD(const Vec& x, const std::vector<float>& cos, const std::vector<float>& sin, const RopeShape& s,
          RopeLayout layout, bool backward) {
    Vec y = x;
    const std::size_t rot = s.rot ? s.rot : s.headDim, half = rot / 2;
    for (std::size_t t = 0; t < s.tokens; ++t)
        for (std::size_t h = 0; h < s.heads; ++h)
            for (std::size_t i = 0; i < half; ++i) {
                const std::size_t base = (t * s.heads + h) * s.headDim;
                const std::size_t ia = base + (layout == RopeLayout::RotateHalf ? i : 2 * i);
                const std::size_t ib = layout == RopeLayout::RotateHalf ? ia + half : ia + 1;
                const std::size_t p = (s.posOffset + t) * half + i;
                const std::complex<double> z(x[ia], x[ib]);
                const std::complex<double> turn(cos[p], backward ? -double(sin[p]) : double(sin[p]));
                y[ia] = (z * turn).real();
                y[ib] = (z * turn).imag();
            }
    return y;
}

double actD(GluKind k, double g) {
    if (k == GluKind::SwiGlu) return g / (1 + std::exp(-g));
    return 0.5 * g * (1 + std::tanh(std::sqrt(2 / M_PI) * (g + 0.044715 * g * g * g)));
}

Vec gluD(GluKind k, const Vec& gu, std::size_t rows, std::size_t f) {
    Vec out(rows * f);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t i = 0; i < f; ++i)
            out[r * f + i] = actD(k, gu[r * 2 * f + i]) * gu[r * 2 * f + f + i];
    return out;
}

// Per-row cross-entropy in double, two passes (max, then sum).
Vec crossEntropyD(const Vec& z, const std::vector<std::int64_t>& t, std::size_t rows, std::size_t vocab) {
    Vec loss(rows, 0.0);
    for (std::size_t r = 0; r < rows; ++r) {
        if (t[r] == kIgnoreIndex) continue;
        double m = -INFINITY;
        for (std::size_t i = 0; i < vocab; ++i) m = std::max(m, z[r * vocab + i]);
        double s = 0;
        for (std::size_t i = 0; i < vocab; ++i) s += std::exp(z[r * vocab + i] - m);
        loss[r] = m + std::log(s) - z[r * vocab + std::size_t(t[r])];
    }
    return loss;
}

// y = scale * x A^T B^T, [n, out].
Vec loraD(const Vec& x, const Vec& a, const Vec& b, double scale, const LoraShape& s) {
    Vec y(s.n * s.out, 0.0);
    for (std::size_t n = 0; n < s.n; ++n)
        for (std::size_t j = 0; j < s.rank; ++j) {
            double xa = 0;
            for (std::size_t k = 0; k < s.in; ++k) xa += x[n * s.in + k] * a[j * s.in + k];
            for (std::size_t o = 0; o < s.out; ++o) y[n * s.out + o] += scale * xa * b[o * s.rank + j];
        }
    return y;
}

std::vector<float> ropeTable(std::size_t positions, std::size_t half, bool sine) {
    std::vector<float> t(positions * half);
    for (std::size_t p = 0; p < positions; ++p)
        for (std::size_t i = 0; i < half; ++i) {
            const double angle = double(p) * std::pow(10000.0, -double(i) / double(half));
            t[p * half + i] = float(sine ? std::sin(angle) : std::cos(angle));
        }
    return t;
}

std::vector<std::uint16_t> toBf16(const std::vector<float>& v) {
    std::vector<std::uint16_t> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = f32ToBf16(v[i]);
    return out;
}
std::vector<float> fromBf16(const std::vector<std::uint16_t>& v) {
    std::vector<float> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = bf16ToF32(v[i]);
    return out;
}

} // namespace

class TestKernelsRef : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bf16Conversion() {
        QCOMPARE(f32ToBf16(1.0f), std::uint16_t(0x3F80));
        QCOMPARE(f32ToBf16(-2.0f), std::uint16_t(0xC000));
        QCOMPARE(f32ToBf16(3.140625f), std::uint16_t(0x4049));
        // 1 + 2^-8 is exactly halfway between 0x3F80 and 0x3F81: ties go to the even pattern.
        QCOMPARE(f32ToBf16(1.00390625f), std::uint16_t(0x3F80));
        QCOMPARE(f32ToBf16(1.01171875f), std::uint16_t(0x3F82)); // halfway 0x3F81/0x3F82
        QCOMPARE(f32ToBf16(1.0f + 0x1p-8f + 0x1p-20f), std::uint16_t(0x3F81));
        QCOMPARE(f32ToBf16(INFINITY), std::uint16_t(0x7F80));
        QVERIFY(std::isnan(bf16ToF32(f32ToBf16(NAN))));
        QCOMPARE(bf16ToF32(0x4049), 3.140625f);
        for (std::uint32_t b = 0; b < 0x10000; ++b) {
            const float f = bf16ToF32(std::uint16_t(b));
            if (std::isnan(f)) continue;
            QCOMPARE(f32ToBf16(f), std::uint16_t(b));
        }
    }

    void f16Conversion() {
        QCOMPARE(f32ToF16(1.0f), std::uint16_t(0x3C00));
        QCOMPARE(f32ToF16(-2.0f), std::uint16_t(0xC000));
        QCOMPARE(f32ToF16(0.1f), std::uint16_t(0x2E66));
        QCOMPARE(f32ToF16(65504.0f), std::uint16_t(0x7BFF));
        QCOMPARE(f32ToF16(65519.0f), std::uint16_t(0x7BFF));
        QCOMPARE(f32ToF16(65520.0f), std::uint16_t(0x7C00)); // halfway to 65536, ties to even = infinity
        QCOMPARE(f32ToF16(0x1p-14f), std::uint16_t(0x0400)); // smallest normal
        QCOMPARE(f32ToF16(0x1p-24f), std::uint16_t(0x0001)); // smallest subnormal
        QCOMPARE(f32ToF16(0x1p-25f), std::uint16_t(0x0000)); // halfway to 0: even
        QCOMPARE(f32ToF16(0x3p-26f), std::uint16_t(0x0001)); // 0.75 of the smallest subnormal
        QCOMPARE(f32ToF16(0x3p-25f), std::uint16_t(0x0002)); // 1.5 -> 2 (even)
        QCOMPARE(f32ToF16(1e-10f), std::uint16_t(0x0000));
        QCOMPARE(f32ToF16(-1e-10f), std::uint16_t(0x8000));
        QCOMPARE(f32ToF16(1.0f + 0x1p-11f), std::uint16_t(0x3C00)); // halfway, even
        QCOMPARE(f32ToF16(1.0f + 0x3p-11f), std::uint16_t(0x3C02)); // halfway, even (up)
        QVERIFY(std::isnan(f16ToF32(f32ToF16(NAN))));
        // Every pattern decodes to the value of its fields and encodes back to itself.
        for (std::uint32_t b = 0; b < 0x10000; ++b) {
            const std::uint32_t e = (b >> 10) & 31, m = b & 1023;
            if (e == 31) continue;
            const double v = (b & 0x8000 ? -1 : 1) *
                             (e ? std::ldexp(1024.0 + m, int(e) - 25) : std::ldexp(double(m), -24));
            QCOMPARE(double(f16ToF32(std::uint16_t(b))), v);
            QCOMPARE(f32ToF16(f16ToF32(std::uint16_t(b))), std::uint16_t(b));
        }
        QCOMPARE(f16ToF32(0x7C00), INFINITY);
    }

    void rmsnormForwardAndBackward() {
        for (const std::size_t cols : {std::size_t(37), std::size_t(1)}) {
            const std::size_t rows = 3;
            const float eps = 1e-6f;
            const auto x = randomVec(rows * cols, 1), w = randomVec(cols, 2, 0.1f, 1.0f),
                       g = randomVec(rows * cols, 3);
            std::vector<float> y(rows * cols), rstd(rows), dx(rows * cols), dw(cols);
            rmsnormForwardRef(DType::F32, x.data(), w.data(), y.data(), rstd.data(), rows, cols, eps);
            const Vec xd = toDouble(x), wd = toDouble(w), gd = toDouble(g);
            const Vec yd = rmsnormD(xd, wd, rows, cols, eps);
            for (std::size_t i = 0; i < y.size(); ++i) QVERIFY(std::abs(y[i] - yd[i]) < 1e-5);
            rmsnormBackwardRef(DType::F32, x.data(), w.data(), g.data(), dx.data(), dw.data(), rows, cols,
                               eps);
            checkGradient(
                "dx", xd, [&](const Vec& p) { return dot(rmsnormD(p, wd, rows, cols, eps), g); }, dx, 1e-4);
            checkGradient(
                "dw", wd, [&](const Vec& p) { return dot(rmsnormD(xd, p, rows, cols, eps), g); }, dw, 1e-4);
        }
    }

    void rmsnormBf16AndF16() {
        const std::size_t rows = 4, cols = 64;
        const auto x = fromBf16(toBf16(randomVec(rows * cols, 4, 3.0f))), w = randomVec(cols, 5, 0.1f, 1.0f);
        const Vec yd = rmsnormD(toDouble(x), toDouble(w), rows, cols, 1e-5);
        const auto xb = toBf16(x);
        std::vector<std::uint16_t> yb(rows * cols), yh(rows * cols), xh(rows * cols);
        for (std::size_t i = 0; i < x.size(); ++i) xh[i] = f32ToF16(x[i]); // bf16 values with 8 bits fit F16
        rmsnormForwardRef(DType::BF16, xb.data(), w.data(), yb.data(), nullptr, rows, cols, 1e-5f);
        rmsnormForwardRef(DType::F16, xh.data(), w.data(), yh.data(), nullptr, rows, cols, 1e-5f);
        for (std::size_t i = 0; i < yd.size(); ++i) {
            QVERIFY2(std::abs(bf16ToF32(yb[i]) - yd[i]) <= std::abs(yd[i]) * 0x1p-8 + 1e-30,
                     qPrintable(QString::number(i)));
            QVERIFY2(std::abs(f16ToF32(yh[i]) - yd[i]) <= std::abs(yd[i]) * 0x1p-11 + 0x1p-24,
                     qPrintable(QString::number(i)));
        }
        QVERIFY_THROWS_EXCEPTION(
            hone::Error, rmsnormForwardRef(DType::F32, x.data(), w.data(), yb.data(), nullptr, 1, 0, 1e-5f));
    }

    void ropeForwardBackward_data() {
        QTest::addColumn<int>("layout");
        QTest::addColumn<int>("rot");
        QTest::newRow("rotate-half") << int(RopeLayout::RotateHalf) << 0;
        QTest::newRow("interleaved") << int(RopeLayout::Interleaved) << 0;
        QTest::newRow("rotate-half partial") << int(RopeLayout::RotateHalf) << 4;
        QTest::newRow("interleaved partial") << int(RopeLayout::Interleaved) << 4;
    }
    void ropeForwardBackward() {
        QFETCH(int, layout);
        QFETCH(int, rot);
        const auto lay = RopeLayout(layout);
        RopeShape s;
        s.tokens = 5, s.heads = 3, s.headDim = 8, s.rot = std::size_t(rot), s.posOffset = 7,
        s.tablePositions = 20;
        const std::size_t half = (s.rot ? s.rot : s.headDim) / 2;
        const auto cos = ropeTable(s.tablePositions, half, false),
                   sin = ropeTable(s.tablePositions, half, true);
        const std::size_t n = s.tokens * s.heads * s.headDim;
        const auto x = randomVec(n, 6), g = randomVec(n, 7);
        std::vector<float> y(n), dx(n), back(n);
        ropeRef(DType::F32, x.data(), y.data(), cos.data(), sin.data(), s, lay, false);
        const Vec yd = ropeD(toDouble(x), cos, sin, s, lay, false);
        for (std::size_t i = 0; i < n; ++i)
            QVERIFY2(std::abs(y[i] - yd[i]) < 1e-6, qPrintable(QString::number(i)));
        ropeRef(DType::F32, g.data(), dx.data(), cos.data(), sin.data(), s, lay, true);
        checkGradient(
            "dx", toDouble(x), [&](const Vec& p) { return dot(ropeD(p, cos, sin, s, lay, false), g); }, dx,
            1e-6);
        // The rotation is orthogonal: backward undoes forward.
        ropeRef(DType::F32, y.data(), back.data(), cos.data(), sin.data(), s, lay, true);
        for (std::size_t i = 0; i < n; ++i) QVERIFY(std::abs(back[i] - x[i]) < 1e-5);
        // In place gives the same result.
        auto inplace = x;
        ropeRef(DType::F32, inplace.data(), inplace.data(), cos.data(), sin.data(), s, lay, false);
        QVERIFY(inplace == y);
    }

    void ropePositionsAndLayouts() {
        // Token t of a chunk starting at position 3 is token 3 + t of the same sequence roped from 0.
        RopeShape full;
        full.tokens = 6, full.heads = 2, full.headDim = 6, full.tablePositions = 6;
        const auto cos = ropeTable(6, 3, false), sin = ropeTable(6, 3, true);
        const std::size_t row = full.heads * full.headDim;
        const auto x = randomVec(full.tokens * row, 8);
        std::vector<float> y(x.size()), tail(3 * row);
        ropeRef(DType::F32, x.data(), y.data(), cos.data(), sin.data(), full, RopeLayout::RotateHalf, false);
        RopeShape part = full;
        part.tokens = 3, part.posOffset = 3;
        ropeRef(DType::F32, x.data() + 3 * row, tail.data(), cos.data(), sin.data(), part,
                RopeLayout::RotateHalf, false);
        for (std::size_t i = 0; i < tail.size(); ++i) QCOMPARE(tail[i], y[3 * row + i]);
        // Position 0 is the identity.
        QCOMPARE(y[0], x[0]);
        // Interleaved on x equals rotate-half on x with each head's elements de-interleaved.
        std::vector<float> perm(x.size()), yi(x.size()), yp(x.size());
        for (std::size_t h = 0; h < x.size() / 6; ++h)
            for (std::size_t i = 0; i < 3; ++i) {
                perm[h * 6 + i] = x[h * 6 + 2 * i];
                perm[h * 6 + 3 + i] = x[h * 6 + 2 * i + 1];
            }
        ropeRef(DType::F32, x.data(), yi.data(), cos.data(), sin.data(), full, RopeLayout::Interleaved,
                false);
        ropeRef(DType::F32, perm.data(), yp.data(), cos.data(), sin.data(), full, RopeLayout::RotateHalf,
                false);
        for (std::size_t h = 0; h < x.size() / 6; ++h)
            for (std::size_t i = 0; i < 3; ++i) {
                QCOMPARE(yi[h * 6 + 2 * i], yp[h * 6 + i]);
                QCOMPARE(yi[h * 6 + 2 * i + 1], yp[h * 6 + 3 + i]);
            }
        // Bad shapes are errors, not reads past the table.
        part.posOffset = 4;
        QVERIFY_THROWS_EXCEPTION(hone::Error, ropeRef(DType::F32, x.data(), tail.data(), cos.data(),
                                                      sin.data(), part, RopeLayout::RotateHalf, false));
        part.posOffset = 0, part.rot = 5;
        QVERIFY_THROWS_EXCEPTION(hone::Error, ropeRef(DType::F32, x.data(), tail.data(), cos.data(),
                                                      sin.data(), part, RopeLayout::RotateHalf, false));
    }

    void gluForwardBackward_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("swiglu") << int(GluKind::SwiGlu);
        QTest::newRow("geglu-tanh") << int(GluKind::GeGluTanh);
    }
    void gluForwardBackward() {
        QFETCH(int, kind);
        const auto k = GluKind(kind);
        for (const std::size_t f : {std::size_t(9), std::size_t(1)}) {
            const std::size_t rows = 3;
            const auto gu = randomVec(rows * 2 * f, 9, 2.0f), g = randomVec(rows * f, 10);
            std::vector<float> out(rows * f), dgu(rows * 2 * f);
            gluForwardRef(k, DType::F32, gu.data(), out.data(), rows, f);
            const Vec od = gluD(k, toDouble(gu), rows, f);
            for (std::size_t i = 0; i < out.size(); ++i)
                QVERIFY(std::abs(out[i] - od[i]) < 1e-5 * (1 + std::abs(od[i])));
            gluBackwardRef(k, DType::F32, gu.data(), g.data(), dgu.data(), rows, f);
            checkGradient(
                "dgu", toDouble(gu), [&](const Vec& p) { return dot(gluD(k, p, rows, f), g); }, dgu, 1e-4,
                1e-4);
        }
        // Far tails: silu(-100) = 0 and gelu(-100) = 0 without NaN; at +100 both are the identity.
        QCOMPARE(gluAct(k, 100.0f), 100.0f);
        QVERIFY(std::abs(gluAct(k, -100.0f)) < 1e-30f);
        QVERIFY(std::isfinite(gluActGrad(k, -100.0f)) && std::isfinite(gluActGrad(k, 100.0f)));
    }

    void gegluTanhIsCloseToErfGelu() {
        // The tanh form approximates x * Phi(x) to about 1e-3 (Hendrycks & Gimpel).
        for (double x = -6; x <= 6; x += 0.25) {
            const double exact = 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
            QVERIFY(std::abs(gluAct(GluKind::GeGluTanh, float(x)) - exact) < 2e-3);
        }
    }

    void crossEntropyForwardBackward() {
        const std::size_t rows = 5, vocab = 23;
        const auto z = randomVec(rows * vocab, 11, 3.0f);
        const std::vector<std::int64_t> t{3, kIgnoreIndex, 0, 22, 7};
        std::vector<float> loss(rows), lse(rows), grad(rows * vocab);
        crossEntropyForwardRef(DType::F32, z.data(), t.data(), loss.data(), lse.data(), rows, vocab,
                               kIgnoreIndex);
        const Vec ld = crossEntropyD(toDouble(z), t, rows, vocab);
        for (std::size_t r = 0; r < rows; ++r) QVERIFY(std::abs(loss[r] - ld[r]) < 1e-5 * (1 + ld[r]));
        QCOMPARE(loss[1], 0.0f);
        const float scale = 0.25f;
        crossEntropyBackwardRef(DType::F32, z.data(), t.data(), lse.data(), scale, grad.data(), rows, vocab,
                                kIgnoreIndex);
        checkGradient(
            "dlogits", toDouble(z),
            [&](const Vec& p) {
                double s = 0;
                for (double l : crossEntropyD(p, t, rows, vocab)) s += scale * l;
                return s;
            },
            grad, 1e-5);
        // In place: the gradient overwrites the logits.
        auto inplace = z;
        crossEntropyBackwardRef(DType::F32, inplace.data(), t.data(), lse.data(), scale, inplace.data(), rows,
                                vocab, kIgnoreIndex);
        QVERIFY(inplace == grad);
    }

    void crossEntropyEdgeCases() {
        // Every row ignored: zero loss, zero gradient.
        const std::size_t rows = 3, vocab = 4;
        auto z = randomVec(rows * vocab, 12);
        const std::vector<std::int64_t> ignored(rows, kIgnoreIndex);
        std::vector<float> loss(rows, 1), lse(rows), grad(rows * vocab, 1);
        crossEntropyForwardRef(DType::F32, z.data(), ignored.data(), loss.data(), lse.data(), rows, vocab,
                               kIgnoreIndex);
        crossEntropyBackwardRef(DType::F32, z.data(), ignored.data(), lse.data(), 1.0f, grad.data(), rows,
                                vocab, kIgnoreIndex);
        for (float l : loss) QCOMPARE(l, 0.0f);
        for (float g : grad) QCOMPARE(g, 0.0f);
        // Huge logits: exp(z) overflows F32 but the online max keeps every term finite.
        const std::vector<float> huge{3e38f, -3e38f, 1e30f, 3e38f - 1e32f};
        const std::vector<std::int64_t> t{2};
        crossEntropyForwardRef(DType::F32, huge.data(), t.data(), loss.data(), lse.data(), 1, 4,
                               kIgnoreIndex);
        QVERIFY(std::isfinite(loss[0]));
        // lse = 3e38 + log(1 + exp(-1e32)) = 3e38; loss = 3e38 - 1e30 in F32.
        QCOMPARE(lse[0], 3e38f);
        QCOMPARE(loss[0], 3e38f - 1e30f);
        crossEntropyBackwardRef(DType::F32, huge.data(), t.data(), lse.data(), 1.0f, grad.data(), 1, 4,
                                kIgnoreIndex);
        QCOMPARE(grad[0], 1.0f);
        QCOMPARE(grad[2], -1.0f);
        for (std::size_t i = 0; i < 4; ++i) QVERIFY(std::isfinite(grad[i]));
        // Two equal large logits: log(2) exactly, no overflow.
        const std::vector<float> pair{1e4f, 1e4f};
        const std::vector<std::int64_t> t0{0};
        crossEntropyForwardRef(DType::F32, pair.data(), t0.data(), loss.data(), nullptr, 1, 2, kIgnoreIndex);
        QVERIFY(std::abs(loss[0] - std::log(2.0)) < 1e-3);
        // A vocabulary of one: loss 0, gradient 0.
        const float one = 5.0f;
        float g1 = 1;
        crossEntropyForwardRef(DType::F32, &one, t0.data(), loss.data(), lse.data(), 1, 1, kIgnoreIndex);
        crossEntropyBackwardRef(DType::F32, &one, t0.data(), lse.data(), 1.0f, &g1, 1, 1, kIgnoreIndex);
        QCOMPARE(loss[0], 0.0f);
        QCOMPARE(g1, 0.0f);
        // A target outside the vocabulary that is not the ignore index is an error.
        const std::vector<std::int64_t> bad{0, 4, 0};
        QVERIFY_THROWS_EXCEPTION(hone::Error,
                                 crossEntropyForwardRef(DType::F32, z.data(), bad.data(), loss.data(),
                                                        lse.data(), rows, vocab, kIgnoreIndex));
        const std::vector<std::int64_t> neg{-1, 0, 0};
        QVERIFY_THROWS_EXCEPTION(hone::Error,
                                 crossEntropyForwardRef(DType::F32, z.data(), neg.data(), loss.data(),
                                                        lse.data(), rows, vocab, kIgnoreIndex));
    }

    void crossEntropyBf16() {
        const std::size_t rows = 3, vocab = 300;
        const auto zb = toBf16(randomVec(rows * vocab, 13, 4.0f));
        const auto z = fromBf16(zb);
        const std::vector<std::int64_t> t{299, 0, 150};
        std::vector<float> loss(rows), lse(rows);
        std::vector<std::uint16_t> grad(rows * vocab);
        crossEntropyForwardRef(DType::BF16, zb.data(), t.data(), loss.data(), lse.data(), rows, vocab,
                               kIgnoreIndex);
        const Vec ld = crossEntropyD(toDouble(z), t, rows, vocab);
        for (std::size_t r = 0; r < rows; ++r) QVERIFY(std::abs(loss[r] - ld[r]) < 1e-4 * (1 + ld[r]));
        crossEntropyBackwardRef(DType::BF16, zb.data(), t.data(), lse.data(), 1.0f, grad.data(), rows, vocab,
                                kIgnoreIndex);
        // Each row's gradient sums to zero (softmax sums to one) up to BF16 rounding.
        for (std::size_t r = 0; r < rows; ++r) {
            double s = 0;
            for (std::size_t i = 0; i < vocab; ++i) s += bf16ToF32(grad[r * vocab + i]);
            QVERIFY(std::abs(s) < 1e-2);
        }
    }

    void loraForwardBackward() {
        LoraShape s;
        s.n = 4, s.in = 7, s.out = 5, s.rank = 3, s.yStride = 9; // y is a 5-column slice of a 9-wide output
        const float scale = 2.0f;
        const auto x = randomVec(s.n * s.in, 14), a = randomVec(s.rank * s.in, 15),
                   b = randomVec(s.out * s.rank, 16);
        const auto base = randomVec(s.n * s.yStride, 17);
        std::vector<float> xa(s.n * s.rank), y = base;
        loraDownRef(DType::F32, x.data(), a.data(), xa.data(), s);
        loraUpAddRef(DType::F32, xa.data(), b.data(), scale, y.data(), s);
        const Vec yd = loraD(toDouble(x), toDouble(a), toDouble(b), scale, s);
        for (std::size_t n = 0; n < s.n; ++n)
            for (std::size_t o = 0; o < s.yStride; ++o) {
                const double want = base[n * s.yStride + o] + (o < s.out ? yd[n * s.out + o] : 0.0);
                QVERIFY2(std::abs(y[n * s.yStride + o] - want) < 1e-5,
                         qPrintable(QString("y[%1,%2]").arg(n).arg(o)));
            }
        // Backward of L = sum(g * y) over the slice.
        const auto gFull = randomVec(s.n * s.yStride, 18);
        std::vector<float> g(s.n * s.out);
        for (std::size_t n = 0; n < s.n; ++n)
            for (std::size_t o = 0; o < s.out; ++o) g[n * s.out + o] = gFull[n * s.yStride + o];
        std::vector<float> dxa(s.n * s.rank), da(a.size()), db(b.size()), dx(x.size(), 0.5f);
        loraBackwardRef(DType::F32, x.data(), a.data(), b.data(), xa.data(), gFull.data(), scale, dxa.data(),
                        da.data(), db.data(), dx.data(), s);
        const Vec xd = toDouble(x), ad = toDouble(a), bd = toDouble(b);
        for (auto& v : dx) v -= 0.5f; // dx was accumulated onto 0.5
        checkGradient(
            "dx", xd, [&](const Vec& p) { return dot(loraD(p, ad, bd, scale, s), g); }, dx, 1e-4);
        checkGradient(
            "dA", ad, [&](const Vec& p) { return dot(loraD(xd, p, bd, scale, s), g); }, da, 1e-4);
        checkGradient(
            "dB", bd, [&](const Vec& p) { return dot(loraD(xd, ad, p, scale, s), g); }, db, 1e-4);
        s.yStride = 2;
        QVERIFY_THROWS_EXCEPTION(hone::Error, loraDownRef(DType::F32, x.data(), a.data(), xa.data(), s));
    }
};

QTEST_GUILESS_MAIN(TestKernelsRef)
#include "tst_kernels_ref.moc"
