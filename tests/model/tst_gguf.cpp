// GgufFile: metadata/tensor access on real files, writer round trip, ggml dequantisation (bit-exact against
// gguf-py output, and hand-built blocks of every supported type), and rejection of malformed files.
#include "common/error.h"
#include "common/test_support.h"
#include "model/ggml_dequant.h"
#include "model/gguf_file.h"
#include "model/gguf_writer.h"
#include "model/safetensors_file.h"

#include <cmath>
#include <cstring>

using namespace hone;
using hone::test::fixture;

namespace {

std::vector<std::uint8_t> block(std::size_t n) {
    return std::vector<std::uint8_t>(n, 0);
}
void putHalf(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t h) {
    std::memcpy(b.data() + at, &h, 2);
}

std::vector<float> deq(GgmlType t, const std::vector<std::uint8_t>& b, std::size_t n) {
    std::vector<float> y(n);
    dequantizeRow(static_cast<std::uint32_t>(t), b.data(), y.data(), n);
    return y;
}

template <typename F> QString errorOf(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

GgufWriter smallModel() {
    GgufWriter w;
    w.setString("general.architecture", "llama");
    w.setU32("llama.block_count", 2);
    w.setF32("llama.rope.freq_base", 10000.0f);
    w.setStringArray("tokenizer.ggml.tokens", {"<unk>", "a", "bc"});
    w.setF32Array("tokenizer.ggml.scores", {0.0f, -1.5f, 2.25f});
    w.setI32Array("tokenizer.ggml.token_type", {2, 1, 1});
    std::vector<float> v = {1, 2, 3, 4, 5, 6, 7, 8};
    std::vector<std::uint8_t> bytes(v.size() * 4);
    std::memcpy(bytes.data(), v.data(), bytes.size());
    w.addTensor("a.weight", 0, {4, 2}, bytes);
    w.addTensor("b.weight", 0, {8}, bytes);
    return w;
}

} // namespace

class TstGguf : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void realFileMetadata() {
        const QString p = fixture("models/stories260K-gguf/stories260K-f32.v3.gguf");
        HONE_REQUIRE_PATH(p);
        auto f = GgufFile::open(p.toStdString());
        QCOMPARE(f.version(), 3u);
        QCOMPARE(f.getString("general.architecture"), std::string("llama"));
        QCOMPARE(f.getU64("llama.block_count"), 5ull);
        QCOMPARE(f.getI64("llama.embedding_length"), 64ll);
        QVERIFY(std::abs(f.getF64("llama.attention.layer_norm_rms_epsilon") - 1e-5) < 1e-9);
        QCOMPARE(f.getStringArray("tokenizer.ggml.tokens").size(), std::size_t(512));
        QCOMPARE(f.getF32Array("tokenizer.ggml.scores").size(), std::size_t(512));
        QCOMPARE(f.getI32Array("tokenizer.ggml.token_type").size(), std::size_t(512));
        QCOMPARE(f.tensors().size(), std::size_t(48));
        const GgufTensor* e = f.findTensor("token_embd.weight");
        QVERIFY(e);
        QCOMPARE(e->shape(), (std::vector<std::int64_t>{512, 64}));
        QCOMPARE(e->nbytes, 512ull * 64 * 4);
        QVERIFY(errorOf([&] { f.getString("llama.block_count"); }).contains("llama.block_count"));
        QVERIFY(errorOf([&] { f.getU64("no.such.key"); }).contains("no.such.key"));
    }

    void writerRoundTrip() {
        const auto bytes = smallModel().serialize();
        auto f = GgufFile::fromMemory(bytes.data(), bytes.size(), "small.gguf");
        QCOMPARE(f.getStringArray("tokenizer.ggml.tokens"), (std::vector<std::string>{"<unk>", "a", "bc"}));
        QCOMPARE(f.getF32Array("tokenizer.ggml.scores"), (std::vector<float>{0.0f, -1.5f, 2.25f}));
        QCOMPARE(f.getI32Array("tokenizer.ggml.token_type"), (std::vector<std::int32_t>{2, 1, 1}));
        QCOMPARE(f.getF64("llama.rope.freq_base"), 10000.0);
        QCOMPARE(f.getF64("llama.block_count"), 2.0); // integers widen to double
        const GgufTensor* b = f.findTensor("b.weight");
        QVERIFY(b);
        QCOMPARE(b->offset % f.alignment(), 0ull);
        const auto v = dequantize(*b);
        QCOMPARE(v[7], 8.0f);
    }

    void dequantMatchesReference_data() {
        QTest::addColumn<QString>("type");
        for (const char* t : {"Q8_0", "Q4_0", "Q4_K_M", "Q5_K_M", "Q6_K"}) QTest::newRow(t) << QString(t);
    }
    void dequantMatchesReference() {
        QFETCH(QString, type);
        const QString g = fixture("gguf-quant/" + type + ".gguf");
        const QString r = fixture("gguf-quant/" + type + ".dequant.safetensors");
        HONE_REQUIRE_PATH(g);
        HONE_REQUIRE_PATH(r);
        auto gf = GgufFile::open(g.toStdString());
        auto ref = SafetensorsFile::open(r.toStdString());
        QVERIFY(!ref.tensors().empty());
        for (const auto& rt : ref.tensors()) {
            const GgufTensor* t = gf.findTensor(rt.name);
            QVERIFY2(t, rt.name.c_str());
            QCOMPARE(t->shape(), rt.shape);
            const auto got = dequantize(*t);
            QCOMPARE(got.size() * 4, static_cast<std::size_t>(rt.nbytes()));
            QVERIFY2(
                std::memcmp(got.data(), rt.data, rt.nbytes()) == 0,
                qPrintable(QString::fromStdString(rt.name + " (" + ggmlTypeName(t->type) + ") differs")));
        }
    }

    void handBuiltBlocks() {
        { // Q8_0: d = 0.5, signed bytes
            auto b = block(34);
            putHalf(b, 0, 0x3800);
            b[2] = 0x80;
            b[3] = 0x7F;
            b[5] = 0xFF;
            auto y = deq(GgmlType::Q8_0, b, 32);
            QCOMPARE(y[0], -64.0f);
            QCOMPARE(y[1], 63.5f);
            QCOMPARE(y[2], 0.0f);
            QCOMPARE(y[3], -0.5f);
        }
        { // Q4_0: d = 2, nibble 0 -> -8, 15 -> 7; low nibbles first half, high nibbles second half
            auto b = block(18);
            putHalf(b, 0, 0x4000);
            b[2] = 0xF0;
            b[3] = 0x88;
            auto y = deq(GgmlType::Q4_0, b, 32);
            QCOMPARE(y[0], -16.0f);
            QCOMPARE(y[16], 14.0f);
            QCOMPARE(y[1], 0.0f);
            QCOMPARE(y[17], 0.0f);
        }
        { // Q4_1: d = 0.25, m = -1
            auto b = block(20);
            putHalf(b, 0, 0x3400);
            putHalf(b, 2, 0xBC00);
            b[4] = 0xF0;
            auto y = deq(GgmlType::Q4_1, b, 32);
            QCOMPARE(y[0], -1.0f);
            QCOMPARE(y[16], 2.75f);
            QCOMPARE(y[5], -1.0f);
        }
        { // Q5_0: d = 1, fifth bits from qh (bit j for element j, bit j+16 for element j+16)
            auto b = block(22);
            putHalf(b, 0, 0x3C00);
            const std::uint32_t qh = 1u | (1u << 16) | (1u << 31);
            std::memcpy(b.data() + 2, &qh, 4);
            b[6] = 0x0F;
            b[6 + 15] = 0xF0;
            auto y = deq(GgmlType::Q5_0, b, 32);
            QCOMPARE(y[0], 15.0f);
            QCOMPARE(y[16], 0.0f);
            QCOMPARE(y[1], -16.0f);
            QCOMPARE(y[17], -16.0f);
            QCOMPARE(y[15], -16.0f);
            QCOMPARE(y[31], 15.0f);
        }
        { // Q5_1: d = 0.5, m = 1
            auto b = block(24);
            putHalf(b, 0, 0x3800);
            putHalf(b, 2, 0x3C00);
            const std::uint32_t qh = 1u | (1u << 16) | (1u << 31);
            std::memcpy(b.data() + 4, &qh, 4);
            b[8] = 0x0F;
            b[8 + 15] = 0xF0;
            auto y = deq(GgmlType::Q5_1, b, 32);
            QCOMPARE(y[0], 16.5f);
            QCOMPARE(y[16], 9.0f);
            QCOMPARE(y[1], 1.0f);
            QCOMPARE(y[31], 16.5f);
        }
        // K-quant 6-bit scales: sub-block 0: sc 1, m 2; sub-block 1: sc 5, m 0; sub-block 2: sc 3, m 4;
        // sub-block 4: sc 16|3 = 19, m 32|5 = 37 (high bits from the top bits of bytes 0 and 4).
        auto kscales = [](std::vector<std::uint8_t>& b, std::size_t at) {
            b[at + 0] = 0x41;
            b[at + 4] = 0x82;
            b[at + 8] = 0x53;
            b[at + 1] = 5;
            b[at + 2] = 3;
            b[at + 6] = 4;
        };
        { // Q4_K: d = 1, dmin = 0.5; y = d*sc*q - dmin*m
            auto b = block(144);
            putHalf(b, 0, 0x3C00);
            putHalf(b, 2, 0x3800);
            kscales(b, 4);
            b[16 + 0] = 0x21;  // sub-block 0 gets 1, sub-block 1 gets 2
            b[16 + 64] = 0x0F; // sub-block 4 gets 15
            auto y = deq(GgmlType::Q4_K, b, 256);
            QCOMPARE(y[0], 0.0f);
            QCOMPARE(y[32], 10.0f);
            QCOMPARE(y[1], -1.0f);
            QCOMPARE(y[128], 266.5f);
            QCOMPARE(y[129], -18.5f);
        }
        { // Q5_K: as Q4_K plus a fifth bit per element from qh (bit pairs per 64-element group)
            auto b = block(176);
            putHalf(b, 0, 0x3C00);
            putHalf(b, 2, 0x3800);
            kscales(b, 4);
            b[16 + 0] = 0x01 | 0x04; // qh[0]: group 0 low half, group 1 low half
            b[48 + 0] = 0x21;
            b[48 + 32] = 0x07;
            auto y = deq(GgmlType::Q5_K, b, 256);
            QCOMPARE(y[0], 16.0f);
            QCOMPARE(y[32], 10.0f);
            QCOMPARE(y[64], 67.0f);
            QCOMPARE(y[1], -1.0f);
        }
        { // Q6_K: 6-bit signed quants (q - 32), int8 scales (negative allowed), d at the end
            auto b = block(210);
            putHalf(b, 208, 0x3800);
            auto* sc = reinterpret_cast<std::int8_t*>(b.data() + 192);
            sc[0] = -3;
            sc[2] = 2;
            sc[4] = 7;
            b[0] = 0x1F;   // ql[0]
            b[128] = 0x03; // qh[0]
            auto y = deq(GgmlType::Q6_K, b, 256);
            QCOMPARE(y[0], -46.5f);
            QCOMPARE(y[32], -32.0f);
            QCOMPARE(y[64], -108.5f);
        }
        { // F16 / BF16 edge values
            auto b = block(8);
            putHalf(b, 0, 0x7BFF);
            putHalf(b, 2, 0x0001);
            putHalf(b, 4, 0x8000);
            putHalf(b, 6, 0xFC00);
            auto y = deq(GgmlType::F16, b, 4);
            QCOMPARE(y[0], 65504.0f);
            QCOMPARE(y[1], std::ldexp(1.0f, -24));
            QVERIFY(std::signbit(y[2]));
            QVERIFY(std::isinf(y[3]) && y[3] < 0);
            putHalf(b, 0, 0xC000);
            QCOMPARE(deq(GgmlType::BF16, b, 1)[0], -2.0f);
            for (float x : {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 3.0e-07f})
                QCOMPARE(fp16ToF32(f32ToFp16(x)), fp16ToF32(f32ToFp16(fp16ToF32(f32ToFp16(x)))));
            QCOMPARE(fp16ToF32(f32ToFp16(1.0f)), 1.0f);
        }
        QVERIFY(errorOf([] {
                    auto b = block(84);
                    deq(static_cast<GgmlType>(10), b, 256);
                }).contains("Q2_K"));
    }

    void v1Refused() {
        GgufWriter w = smallModel();
        w.setVersion(1);
        const auto bytes = w.serialize();
        QVERIFY(errorOf([&] {
                    GgufFile::fromMemory(bytes.data(), bytes.size(), "old.gguf");
                }).contains("version 1"));
    }

    void everyTruncationRejected() {
        const auto bytes = smallModel().serialize();
        for (std::size_t n = 0; n < bytes.size(); ++n) {
            const QString e = errorOf([&] { GgufFile::fromMemory(bytes.data(), n, "cut.gguf"); });
            QVERIFY2(!e.isEmpty(), qPrintable(QString("prefix of %1 bytes accepted").arg(n)));
            QVERIFY(e.contains("cut.gguf"));
        }
    }

    void malformedRejected() {
        const auto good = smallModel().serialize();
        auto mutate = [&](std::size_t at, std::uint64_t value, int width) {
            auto b = good;
            std::memcpy(b.data() + at, &value, static_cast<std::size_t>(width));
            return errorOf([&] { GgufFile::fromMemory(b.data(), b.size(), "bad.gguf"); });
        };
        QVERIFY(mutate(0, 0x46554746, 4).contains("not a GGUF"));
        QVERIFY(mutate(8, 1ull << 40, 8).contains("tensor count")); // oversized tensor count
        QVERIFY(mutate(16, 1ull << 40, 8).contains("metadata count"));
        QVERIFY(mutate(24, 1ull << 50, 8).contains("metadata key")); // first key length
        // Tensor directory: find "b.weight" and corrupt its offset / type / dims.
        const std::string needle = "b.weight";
        auto it = std::search(good.begin(), good.end(), needle.begin(), needle.end());
        QVERIFY(it != good.end());
        const std::size_t nameEnd = static_cast<std::size_t>(it - good.begin()) + needle.size();
        const std::size_t dim0 = nameEnd + 4, typeAt = dim0 + 8, offAt = typeAt + 4;
        QVERIFY(mutate(offAt, 0, 8).contains("overlap"));
        QVERIFY(mutate(offAt, 1u << 20, 8).contains("past the end"));
        QVERIFY(mutate(offAt, 33, 8).contains("not aligned"));
        QVERIFY(mutate(typeAt, 99, 4).contains("unknown ggml type"));
        QVERIFY(mutate(typeAt, 2, 4).contains("block size")); // Q4_0 with 8 elements
        QVERIFY(mutate(dim0, 0, 8).contains("invalid dimension"));
        QVERIFY(mutate(dim0, 1ull << 30, 8).contains("past the end"));
        // A nested array.
        GgufWriter w;
        auto b = w.serialize();
        std::vector<std::uint8_t> nested = {'G', 'G', 'U', 'F', 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   1,
                                            0,   0,   0,   0,   0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 'k', 9,
                                            0,   0,   0,   9,   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        QVERIFY(errorOf([&] {
                    GgufFile::fromMemory(nested.data(), nested.size(), "n.gguf");
                }).contains("nested"));
        QVERIFY(!b.empty());
    }
};

QTEST_GUILESS_MAIN(TstGguf)
#include "tst_gguf.moc"
