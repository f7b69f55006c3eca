// ggml quantisers and llama.cpp's preset type rules: per-tensor types and quantised bytes against files
// llama-quantize wrote (gguf-quant fixtures), round trips through the dequantiser on awkward data, bad input,
// and a throughput print.
#include "common/error.h"
#include "common/test_support.h"
#include "model/ggml_dequant.h"
#include "model/ggml_quant.h"
#include "model/gguf_file.h"
#include "model/model_config.h"
#include "model/quant_preset.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace hone;
using hone::test::fixture;

namespace {

constexpr std::uint32_t t(GgmlType g) {
    return static_cast<std::uint32_t>(g);
}

const GgmlType kWritable[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q8_0,
                              GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1,
                              GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K};

template <typename F> QString errorOf(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

std::vector<float> f32Data(const GgufTensor& ten) {
    std::vector<float> v(ten.elements);
    std::memcpy(v.data(), ten.data, v.size() * 4);
    return v;
}

std::vector<float> dequant(std::uint32_t type, const std::uint8_t* bytes, std::size_t n) {
    std::vector<float> y(n);
    dequantizeRow(type, bytes, y.data(), n);
    return y;
}

double rmse(const std::vector<float>& a, const std::vector<float>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    return std::sqrt(s / double(a.size()));
}

std::vector<float> gaussian(std::size_t n, float sigma, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, sigma);
    std::vector<float> x(n);
    for (float& v : x) v = normal(rng);
    return x;
}

// The context as the exporter builds it: from the model's config (here read back from the F32 GGUF).
PresetContext contextOf(const GgufFile& f) {
    ModelConfig cfg = configFromGguf(f);
    cfg.tieEmbeddings = f.findTensor("output.weight") == nullptr;
    return presetContextFor(f.getString("general.architecture"), cfg);
}

// Largest |error| allowed for one block of `type` whose values span [lo, hi] (amax = max |x|). These follow
// from the formats: half a quantisation step, a clipped extreme level where the format has one, the f16
// rounding of scales (relative 2^-11) and half the f16 subnormal spacing (2^-25) times the largest level
// (times the largest 6/8-bit sub-block scale for the K-quants), which is what tiny blocks are left with.
double errorBound(GgmlType type, double lo, double hi) {
    const double amax = std::max(std::fabs(lo), std::fabs(hi));
    const double range = hi - std::min(lo, 0.0);
    const double h = 1.0 / 2048, sub = 1.0 / 16777216;
    switch (type) {
    case GgmlType::Q8_0:
        return amax / 254 + amax * h + 128 * sub;
    case GgmlType::Q4_0:
        return amax / 8 + amax * h + 8 * sub;
    case GgmlType::Q5_0:
        return amax / 16 + amax * h + 16 * sub;
    case GgmlType::Q4_1:
        return (hi - lo) / 30 + (std::fabs(lo) + (hi - lo)) * h + 16 * sub;
    case GgmlType::Q5_1:
        return (hi - lo) / 62 + (std::fabs(lo) + (hi - lo)) * h + 32 * sub;
    // K-quants: a step of the (min-anchored) sub-block fit plus the 6/8-bit rounding of the sub-block scales
    // against the super-block's largest one; generous, but a wrong bit layout lands far outside.
    case GgmlType::Q4_K:
        return range / 10 + 512 * sub;
    case GgmlType::Q5_K:
        return range / 20 + 1024 * sub;
    case GgmlType::Q6_K:
        return amax / 24 + 2048 * sub;
    default:
        return 0;
    }
}

} // namespace

class TstGgmlQuant : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void layoutHelpers() {
        QCOMPARE(ggmlRowBytes(t(GgmlType::Q4_K), 4096), std::size_t(16 * 144));
        QCOMPARE(ggmlRowBytes(t(GgmlType::Q8_0), 64), std::size_t(2 * 34));
        QCOMPARE(ggmlRowBytes(t(GgmlType::Q6_K), 256), std::size_t(210));
        QCOMPARE(ggmlRowBytes(t(GgmlType::F16), 3), std::size_t(6));
        QVERIFY(ggmlTypeFitsRow(t(GgmlType::Q5_0), 96));
        QVERIFY(!ggmlTypeFitsRow(t(GgmlType::Q5_K), 96));
        QVERIFY(!ggmlTypeFitsRow(t(GgmlType::Q8_0), 0));
        QVERIFY(!ggmlTypeFitsRow(99, 256));
        for (GgmlType g : kWritable) QVERIFY(ggmlCanQuantize(t(g)));
        QVERIFY(!ggmlCanQuantize(t(GgmlType::IQ2_XXS)));
        QVERIFY(!ggmlCanQuantize(t(GgmlType::Q8_1)));
    }

    // Against llama-quantize's output for each preset: every tensor's type equals the preset rule's choice
    // (per tensor and for the whole file at once), and quantising the F32 weights with that type gives
    // llama.cpp's bytes (Q8_0, Q4_0, Q4_K, Q5_K, Q6_K all turned out byte-equal, so that is asserted; a
    // differing tensor also reports whether its RMSE is within 5% of llama.cpp's).
    void presetMatchesLlamaCpp_data() {
        QTest::addColumn<QString>("preset");
        for (const char* p : {"Q8_0", "Q4_0", "Q4_K_M", "Q5_K_M", "Q6_K"}) QTest::newRow(p) << QString(p);
    }
    void presetMatchesLlamaCpp() {
        QFETCH(QString, preset);
        const QString src = fixture("gguf-quant/llama-random-f32.gguf");
        const QString q = fixture("gguf-quant/" + preset + ".gguf");
        HONE_REQUIRE_PATH(src);
        HONE_REQUIRE_PATH(q);
        const auto f32 = GgufFile::open(src.toStdString());
        const auto ref = GgufFile::open(q.toStdString());
        const PresetContext ctx = contextOf(f32);
        QCOMPARE(ctx.nLayers, 2);
        QCOMPARE(ctx.nHeadKv, 2);
        QVERIFY(!ctx.tiedOutput);
        QCOMPARE(quantPresetFileType(preset.toStdString()), std::uint32_t(ref.getU64("general.file_type")));
        std::vector<PresetTensor> all;
        for (const auto& ten : f32.tensors()) all.push_back({ten.name, ten.dims});
        const auto batch = chooseTensorTypes(preset.toStdString(), all, ctx);
        QCOMPARE(ref.tensors().size(), all.size());
        int quantised = 0;
        QStringList differing;
        for (std::size_t i = 0; i < all.size(); ++i) {
            const GgufTensor* r = ref.findTensor(all[i].name);
            QVERIFY2(r, all[i].name.c_str());
            const auto one = chooseTensorType(preset.toStdString(), all[i].name, all[i].dims, ctx);
            const QByteArray what = QByteArray::fromStdString(
                all[i].name + ": ours " + ggmlTypeName(one.type) + ", llama.cpp " + ggmlTypeName(r->type));
            QVERIFY2(one.type == r->type, what.constData());
            QVERIFY2(batch[i].type == r->type, what.constData());
            QVERIFY(one.fallbackNote.empty());
            if (r->type == t(GgmlType::F32)) continue;
            ++quantised;
            const GgufTensor& s = f32.tensors()[i];
            QCOMPARE(s.type, t(GgmlType::F32));
            const auto x = f32Data(s);
            const std::int64_t cols = std::int64_t(s.dims[0]);
            const auto ours = quantizeRows(r->type, x.data(), std::int64_t(s.elements) / cols, cols);
            QCOMPARE(ours.size(), std::size_t(r->nbytes));
            if (std::memcmp(ours.data(), r->data, ours.size()) == 0) continue;
            const double mine = rmse(dequant(r->type, ours.data(), x.size()), x);
            const double theirs = rmse(dequant(r->type, r->data, x.size()), x);
            differing << QString::fromStdString(all[i].name + " " + ggmlTypeName(r->type)) +
                             QString(" rmse %1 vs llama.cpp %2").arg(mine).arg(theirs);
            QVERIFY2(mine <= theirs * 1.05, qPrintable(differing.last()));
        }
        QCOMPARE(quantised, 2 + 2 * 7); // output, token_embd and 7 matrices per layer
        QVERIFY2(differing.isEmpty(), qPrintable("not byte-equal: " + differing.join("; ")));
    }

    // Q4_1, Q5_0 and Q5_1 (no llama-quantize fixture uses them; they are the K-quant fallbacks): blocks whose
    // bytes follow by hand from ggml's formulas, levels 0..31 (0..15) in element order.
    void legacyBlocksByHand() {
        std::vector<float> x(32);
        // Q5_0: x = j - 16: the largest magnitude is -16, so d = -16 / -16 = 1 and q = trunc(x + 16.5) = j.
        for (int j = 0; j < 32; ++j) x[j] = float(j - 16);
        std::vector<std::uint8_t> want = {0x00, 0x3C, 0x00,
                                          0x00, 0xFF, 0xFF}; // f16 1.0; fifth bits of 16..31
        for (int j = 0; j < 16; ++j) want.push_back(std::uint8_t(j | (j << 4)));
        QCOMPARE(quantizeRows(t(GgmlType::Q5_0), x.data(), 1, 32), want);
        // Q5_1: x = 1 + j / 2: min 1, d = 15.5 / 31 = 0.5, q = trunc((x - 1) * 2 + 0.5) = j.
        for (int j = 0; j < 32; ++j) x[j] = 1.0f + 0.5f * float(j);
        want = {0x00, 0x38, 0x00, 0x3C, 0x00, 0x00, 0xFF, 0xFF}; // f16 0.5, f16 1.0, fifth bits
        for (int j = 0; j < 16; ++j) want.push_back(std::uint8_t(j | (j << 4)));
        QCOMPARE(quantizeRows(t(GgmlType::Q5_1), x.data(), 1, 32), want);
        // Q4_1: x = (j mod 16) / 4 - 2: min -2, d = 3.75 / 15 = 0.25, q = j mod 16.
        for (int j = 0; j < 32; ++j) x[j] = float(j % 16) * 0.25f - 2.0f;
        want = {0x00, 0x34, 0x00, 0xC0}; // f16 0.25, f16 -2.0
        for (int j = 0; j < 16; ++j) want.push_back(std::uint8_t(j | (j << 4)));
        QCOMPARE(quantizeRows(t(GgmlType::Q4_1), x.data(), 1, 32), want);
    }

    // quantize -> dequantize stays within the format's error bound, on data meant to hit the edge cases.
    void roundTrip_data() {
        QTest::addColumn<int>("type");
        for (GgmlType g : kWritable) QTest::newRow(ggmlTypeName(t(g)).c_str()) << int(g);
    }
    void roundTrip() {
        QFETCH(int, type);
        const auto g = static_cast<GgmlType>(type);
        const std::int64_t cols = 512;
        std::mt19937 rng(1234 + type);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
        struct Case {
            const char* name;
            std::vector<float> x;
        };
        std::vector<Case> cases;
        auto gen = [&](const char* name, auto&& f) {
            std::vector<float> v(cols);
            for (std::int64_t i = 0; i < cols; ++i) v[i] = f(i);
            cases.push_back({name, std::move(v)});
        };
        gen("normal", [&](std::int64_t) { return 0.02f * normal(rng); });
        gen("uniform", [&](std::int64_t) { return uni(rng); });
        gen("positive", [&](std::int64_t) { return 2.0f + uni(rng); });
        gen("negative", [&](std::int64_t) { return -3.0f + 0.5f * uni(rng); });
        gen("zeros", [&](std::int64_t) { return 0.0f; });
        gen("constant", [&](std::int64_t) { return 0.375f; });
        gen("constant-negative", [&](std::int64_t) { return -1.25f; });
        gen("huge", [&](std::int64_t) { return 3.0e4f * uni(rng); });
        gen("tiny", [&](std::int64_t) { return 1.0e-6f * normal(rng); });
        gen("very-tiny", [&](std::int64_t) { return 1.0e-20f * normal(rng); });
        gen("denormal", [&](std::int64_t i) { return (i % 3 ? 1.0f : -1.0f) * 1.0e-40f * float(i % 7); });
        gen("denormal-mixed", [&](std::int64_t i) { return i % 5 ? 1.0e-41f * float(i) : 0.1f * uni(rng); });
        gen("outlier", [&](std::int64_t i) { return i == 77 ? 40.0f : 0.01f * normal(rng); });
        gen("sparse", [&](std::int64_t i) { return i % 9 == 0 ? uni(rng) : 0.0f; });
        gen("steps", [&](std::int64_t i) { return float(i % 16) / 15.0f - 0.5f; });

        const std::uint32_t ty = t(g);
        std::uint64_t be = 1, bb = 0;
        QVERIFY(ggmlTypeLayout(ty, &be, &bb));
        for (const auto& c : cases) {
            const auto bytes = quantizeRows(ty, c.x.data(), 1, cols);
            QCOMPARE(bytes.size(), ggmlRowBytes(ty, cols));
            const auto y = dequant(ty, bytes.data(), std::size_t(cols));
            const bool constant = std::all_of(c.x.begin(), c.x.end(), [&](float v) { return v == c.x[0]; });
            for (std::int64_t b0 = 0; b0 < cols; b0 += std::int64_t(be)) {
                double lo = c.x[b0], hi = c.x[b0];
                for (std::uint64_t j = 0; j < be; ++j) {
                    lo = std::min(lo, double(c.x[b0 + j]));
                    hi = std::max(hi, double(c.x[b0 + j]));
                }
                for (std::uint64_t j = 0; j < be; ++j) {
                    const std::int64_t i = b0 + std::int64_t(j);
                    const double x = c.x[i], got = y[i], err = std::fabs(got - x);
                    double bound;
                    if (g == GgmlType::F32)
                        bound = 0;
                    else if (g == GgmlType::F16)
                        bound = std::fabs(x) / 2048 + 1.0 / 33554432;
                    else if (g == GgmlType::BF16)
                        bound = std::fabs(x) / 256 + 4.6e-41; // + half the bf16 subnormal step 2^-133
                    else if (constant)
                        bound = std::fabs(x) / 512 + 128.0 / 16777216; // f16 scales only
                    else
                        bound = errorBound(g, lo, hi);
                    const QByteArray what = QStringLiteral("%1 case %2: x[%3]=%4 -> %5 (bound %6)")
                                                .arg(ggmlTypeName(ty).c_str(), c.name)
                                                .arg(i)
                                                .arg(x, 0, 'g', 9)
                                                .arg(got, 0, 'g', 9)
                                                .arg(bound)
                                                .toUtf8();
                    QVERIFY2(std::isfinite(got), what.constData());
                    QVERIFY2(err <= bound, what.constData());
                    if (c.x[0] == 0.0f && constant) QVERIFY2(got == 0.0, what.constData());
                }
            }
        }
    }

    // Row-parallel output equals the one-thread output, and rows are independent of each other.
    void threadsAndRows() {
        const std::int64_t rows = 37, cols = 512;
        const auto x = gaussian(std::size_t(rows * cols), 0.05f, 7);
        for (GgmlType g : kWritable) {
            const auto one = quantizeRows(t(g), x.data(), rows, cols, 1);
            const auto many = quantizeRows(t(g), x.data(), rows, cols, 4);
            QVERIFY(one == many);
            const std::size_t rb = ggmlRowBytes(t(g), cols);
            const auto row5 = quantizeRows(t(g), x.data() + 5 * cols, 1, cols);
            QVERIFY(std::equal(row5.begin(), row5.end(), one.begin() + std::ptrdiff_t(5 * rb)));
        }
    }

    void badInput() {
        std::vector<float> x(512, 0.5f);
        std::vector<std::uint8_t> out(4096);
        QString e = errorOf([&] { quantizeRows(t(GgmlType::IQ2_XXS), x.data(), 1, 256, out.data()); });
        QVERIFY2(e.contains("IQ2_XXS") && e.contains("Q4_K"), qPrintable(e));
        QVERIFY(!errorOf([&] { quantizeRows(99, x.data(), 1, 256, out.data()); }).isEmpty());
        QVERIFY(!errorOf([&] { ggmlRowBytes(99, 256); }).isEmpty());
        e = errorOf([&] { quantizeRows(t(GgmlType::Q4_K), x.data(), 1, 160, out.data()); });
        QVERIFY2(e.contains("160") && e.contains("256"), qPrintable(e));
        e = errorOf([&] { ggmlRowBytes(t(GgmlType::Q8_0), 48); });
        QVERIFY2(e.contains("48") && e.contains("32"), qPrintable(e));
        QVERIFY(!errorOf([&] { quantizeRows(t(GgmlType::Q8_0), x.data(), 1, 0, out.data()); }).isEmpty());
        QVERIFY(!errorOf([&] { quantizeRows(t(GgmlType::Q8_0), x.data(), -1, 32, out.data()); }).isEmpty());

        // NaN / inf anywhere: an error naming row and column, for every type.
        for (GgmlType g : kWritable) {
            std::vector<float> bad(2 * 256, 0.25f);
            bad[256 + 17] = std::numeric_limits<float>::quiet_NaN();
            e = errorOf([&] { quantizeRows(t(g), bad.data(), 2, 256, 1); });
            QVERIFY2(e.contains("row 1") && e.contains("column 17"), qPrintable(e));
            bad[256 + 17] = -std::numeric_limits<float>::infinity();
            QVERIFY(!errorOf([&] { quantizeRows(t(g), bad.data(), 2, 256, 1); }).isEmpty());
        }
        // Values whose half-precision scale (or F16 value) would overflow.
        std::vector<float> big(256, 1.0f);
        big[3] = 5.0e8f; // beyond every format's largest scale x level (Q6_K: 65504 * 128 * 32 = 2.7e8)
        for (GgmlType g : {GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q5_1, GgmlType::Q4_K, GgmlType::Q6_K}) {
            e = errorOf([&] { quantizeRows(t(g), big.data(), 1, 256, 1); });
            QVERIFY2(e.contains("F32") && e.contains("5e+08"), qPrintable(e));
        }
        big[3] = 1.0e7f; // fine for Q4_K (scale 1e7 / 15 / 63 fits a half), not for Q8_0 (1e7 / 127 does not)
        QVERIFY(errorOf([&] { quantizeRows(t(GgmlType::Q4_K), big.data(), 1, 256, 1); }).isEmpty());
        QVERIFY(!errorOf([&] { quantizeRows(t(GgmlType::Q8_0), big.data(), 1, 256, 1); }).isEmpty());
        big[3] = 1.0e12f;
        QVERIFY(!errorOf([&] { quantizeRows(t(GgmlType::Q5_K), big.data(), 1, 256, 1); }).isEmpty());
        big[3] = 1.0e5f;
        QVERIFY(errorOf([&] { quantizeRows(t(GgmlType::F16), big.data(), 1, 256, 1); }).contains("BF16"));
        QVERIFY(errorOf([&] { quantizeRows(t(GgmlType::BF16), big.data(), 1, 256, 1); }).isEmpty());
        big[3] = 3.0e38f;
        QVERIFY(errorOf([&] { quantizeRows(t(GgmlType::F32), big.data(), 1, 256, 1); }).isEmpty());
    }

    void f32ToBf16RoundsToNearestEven() {
        QCOMPARE(f32ToBf16(1.0f), std::uint16_t(0x3F80));
        // 1 + 2^-8 lies halfway between bf16 1.0 and 1.0078125: ties go to the even mantissa (1.0).
        QCOMPARE(f32ToBf16(1.0f + 1.0f / 256), std::uint16_t(0x3F80));
        QCOMPARE(f32ToBf16(1.0f + 3.0f / 256), std::uint16_t(0x3F82));
        QCOMPARE(f32ToBf16(-2.0f), std::uint16_t(0xC000));
        QVERIFY(std::isnan(bf16ToF32(f32ToBf16(std::numeric_limits<float>::quiet_NaN()))));
    }

    void presetNames() {
        QCOMPARE(canonicalQuantPreset("q4_k_m"), std::string("Q4_K_M"));
        QCOMPARE(canonicalQuantPreset("bf16"), std::string("BF16"));
        QCOMPARE(quantPresetBaseType("q5_k_m"), t(GgmlType::Q5_K));
        QCOMPARE(quantPresetFileType("F16"), 1u);
        QCOMPARE(quantPresetNames().size(), std::size_t(8));
        const QString e = errorOf([] { canonicalQuantPreset("Q3_K_XL"); });
        QVERIFY2(e.contains("Q3_K_XL") && e.contains("Q4_K_M") && e.contains("BF16"), qPrintable(e));
        QVERIFY(!errorOf([] { chooseTensorType("q2", "blk.0.attn_q.weight", {256, 256}, {}); }).isEmpty());
        // The layer rules need the layer count; without it: an error, not a silent guess.
        const QString n = errorOf([] { chooseTensorType("Q4_K_M", "blk.0.attn_v.weight", {256, 256}, {}); });
        QVERIFY2(n.contains("nLayers") && n.contains("blk.0.attn_v.weight"), qPrintable(n));
        QCOMPARE(chooseTensorType("Q4_K_M", "blk.0.attn_q.weight", {256, 256}, {}).type, t(GgmlType::Q4_K));
    }

    // Rules worked out by hand from llama.cpp's llama_tensor_get_type (not from this code).
    void presetRules() {
        PresetContext ctx;
        ctx.arch = "llama";
        ctx.nLayers = 32;
        ctx.nHead = 32;
        ctx.nHeadKv = 8;
        // use_more_bits(i, 32): i < 4, i >= 28, or (i - 4) % 3 == 2.
        const std::vector<int> more = {0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31};
        std::vector<PresetTensor> all;
        for (int i = 31; i >= 0; --i) { // deliberately out of llama.cpp's order
            const std::string b = "blk." + std::to_string(i) + ".";
            all.push_back({b + "attn_v.weight", {4096, 1024}});
            all.push_back({b + "ffn_down.weight", {14336, 4096}});
            all.push_back({b + "attn_norm.weight", {4096}});
        }
        all.push_back({"token_embd.weight", {4096, 128256}});
        all.push_back({"output.weight", {4096, 128256}});
        for (const char* p : {"Q4_K_M", "Q5_K_M"}) {
            const auto base = quantPresetBaseType(p);
            const auto batch = chooseTensorTypes(p, all, ctx);
            for (std::size_t k = 0; k + 2 < all.size(); k += 3) {
                const int layer = 31 - int(k / 3);
                const bool m = std::find(more.begin(), more.end(), layer) != more.end();
                const auto want = m ? t(GgmlType::Q6_K) : base;
                QCOMPARE(batch[k].type, want);
                QCOMPARE(batch[k + 1].type, want);
                QCOMPARE(batch[k + 2].type, t(GgmlType::F32));
                QCOMPARE(chooseTensorType(p, all[k].name, all[k].dims, ctx).type, want);
                QCOMPARE(chooseTensorType(p, all[k + 1].name, all[k + 1].dims, ctx).type, want);
            }
            QCOMPARE(batch[batch.size() - 2].type, base); // untied token_embd keeps the base type
            QCOMPARE(batch[batch.size() - 1].type, t(GgmlType::Q6_K)); // output
        }
        // Tied embeddings: token_embd is treated as the output (Q6_K), unless the preset is Q8_0.
        PresetContext tied = ctx;
        tied.tiedOutput = true;
        QCOMPARE(chooseTensorType("Q4_K_M", "token_embd.weight", {4096, 1000}, tied).type, t(GgmlType::Q6_K));
        QCOMPARE(chooseTensorType("Q4_0", "token_embd.weight", {4096, 1000}, tied).type, t(GgmlType::Q6_K));
        QCOMPARE(chooseTensorType("Q8_0", "token_embd.weight", {4096, 1000}, tied).type, t(GgmlType::Q8_0));
        QCOMPARE(chooseTensorType("Q4_K_M", "token_embd.weight", {4096, 1000}, ctx).type, t(GgmlType::Q4_K));
        // F16/BF16/F32: matrices take the preset type, 1-D tensors and norms stay F32.
        QCOMPARE(chooseTensorType("f16", "blk.0.attn_q.weight", {4096, 4096}, ctx).type, t(GgmlType::F16));
        QCOMPARE(chooseTensorType("bf16", "output.weight", {4096, 1000}, ctx).type, t(GgmlType::BF16));
        QCOMPARE(chooseTensorType("f16", "output_norm.weight", {4096}, ctx).type, t(GgmlType::F32));
        QCOMPARE(chooseTensorType("f16", "blk.0.attn_q.bias", {4096}, ctx).type, t(GgmlType::F32));
        QCOMPARE(chooseTensorType("Q4_K_M", "blk.0.attn_q.bias", {4096, 2}, ctx).type, t(GgmlType::F32));
        QCOMPARE(chooseTensorType("Q4_K_M", "blk.0.ffn_gate_inp.weight", {4096, 8}, ctx).type,
                 t(GgmlType::F32));
        QCOMPARE(chooseTensorType("Q6_K", "blk.3.attn_k.weight", {4096, 1024}, ctx).type, t(GgmlType::Q6_K));
        // A 70B llama (80 layers, GQA): attn_v outside use_more_bits goes from Q4_K to Q5_K.
        PresetContext big = ctx;
        big.nLayers = 80;
        big.nHead = 64;
        QCOMPARE(chooseTensorType("Q4_K_M", "blk.10.attn_v.weight", {8192, 1024}, big).type,
                 t(GgmlType::Q5_K));
        QCOMPARE(chooseTensorType("Q4_K_M", "blk.12.attn_v.weight", {8192, 1024}, big).type,
                 t(GgmlType::Q6_K));
        // Eight experts: attn_v and attn_k to Q8_0.
        PresetContext moe = ctx;
        moe.nExpert = 8;
        QCOMPARE(chooseTensorType("Q4_K_M", "blk.5.attn_v.weight", {4096, 1024}, moe).type,
                 t(GgmlType::Q8_0));
        QCOMPARE(chooseTensorType("Q4_K_M", "blk.5.attn_k.weight", {4096, 1024}, moe).type,
                 t(GgmlType::Q8_0));
    }

    // Rows the K-quant block does not divide fall back like llama.cpp (Q4_K->Q5_0, Q5_K->Q5_1, Q6_K->Q8_0),
    // and the caller is told; where even 32 does not divide the row, F16.
    void presetFallbacks() {
        PresetContext ctx;
        ctx.arch = "qwen2";
        ctx.nLayers = 24;
        struct Want {
            const char* preset;
            const char* name;
            std::uint64_t cols;
            GgmlType type;
        };
        const Want wants[] = {
            {"Q4_K_M", "blk.5.ffn_up.weight", 4896, GgmlType::Q5_0},
            {"Q5_K_M", "blk.5.ffn_up.weight", 4896, GgmlType::Q5_1},
            {"Q6_K", "blk.5.ffn_up.weight", 4896, GgmlType::Q8_0},
            {"Q4_K_M", "blk.0.ffn_down.weight", 4896, GgmlType::Q8_0}, // Q6_K (use_more_bits) -> Q8_0
            {"Q4_K_M", "output.weight", 4896, GgmlType::Q8_0}, // output: Q8_0 when 256 does not divide
            {"Q4_K_M", "blk.5.ffn_up.weight", 1000, GgmlType::F16},
            {"Q8_0", "blk.5.ffn_up.weight", 1000, GgmlType::F16},
            {"Q4_0", "output.weight", 1000, GgmlType::F16},
        };
        for (const auto& w : wants) {
            const auto c = chooseTensorType(w.preset, w.name, {w.cols, 64}, ctx);
            QCOMPARE(ggmlTypeName(c.type), ggmlTypeName(t(w.type)));
            if (std::string(w.name) == "output.weight" && w.type == GgmlType::Q8_0) {
                QVERIFY(c.fallbackNote.empty()); // the output rule itself picks Q8_0, no fallback
            } else {
                QVERIFY2(c.fallbackNote.find(w.name) != std::string::npos &&
                             c.fallbackNote.find(std::to_string(w.cols)) != std::string::npos,
                         c.fallbackNote.c_str());
            }
            QVERIFY(ggmlTypeFitsRow(c.type, std::int64_t(w.cols)));
        }
        QVERIFY(chooseTensorType("Q4_K_M", "blk.5.ffn_up.weight", {4608, 64}, ctx).fallbackNote.empty());
    }

    // F32 input throughput per type (one thread and all threads), printed for the report.
    void throughput() {
        const std::int64_t rows = 256, cols = 4096;
        const auto x = gaussian(std::size_t(rows * cols), 0.02f, 99);
        const double mb = double(x.size()) * 4 / 1e6;
        for (GgmlType g : kWritable) {
            std::vector<std::uint8_t> out(ggmlRowBytes(t(g), cols) * std::size_t(rows));
            double rate[2];
            const unsigned threads[2] = {1, 0};
            for (int k = 0; k < 2; ++k) {
                const auto t0 = std::chrono::steady_clock::now();
                quantizeRows(t(g), x.data(), rows, cols, out.data(), threads[k]);
                const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                rate[k] = mb / std::max(s, 1e-9);
            }
            qInfo("quantize %-5s %8.1f MB/s F32 input (1 thread), %8.1f MB/s (all threads)",
                  ggmlTypeName(t(g)).c_str(), rate[0], rate[1]);
            QVERIFY(rate[0] > 0);
        }
    }
};

QTEST_GUILESS_MAIN(TstGgmlQuant)
#include "tst_ggml_quant.moc"
