// safetensors reader/writer, sharded checkpoints, pickle refusal and config.json parsing, including every
// malformed-header case the reader must reject with a message naming the file and the tensor/field.
#include "common/error.h"
#include "common/test_support.h"
#include "model/model_config.h"
#include "model/safetensors_file.h"

#include <cstring>
#include <fstream>

using namespace hone;
using hone::test::fixture;

namespace {
template <typename F> QString errorOf(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}
std::vector<std::uint8_t> withHeader(const std::string& json, std::size_t dataBytes) {
    std::vector<std::uint8_t> b(8 + json.size() + dataBytes, 0);
    const std::uint64_t n = json.size();
    std::memcpy(b.data(), &n, 8);
    std::memcpy(b.data() + 8, json.data(), json.size());
    return b;
}
QString parseError(const std::string& json, std::size_t dataBytes) {
    const auto b = withHeader(json, dataBytes);
    return errorOf([&] { SafetensorsFile::fromMemory(b.data(), b.size(), "crafted.safetensors"); });
}
void writeFile(const QString& path, const std::string& text) {
    std::ofstream f(path.toStdString());
    f << text;
}
} // namespace

class TstSafetensors : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private Q_SLOTS:
    void readsFixture() {
        const QString p = fixture("models/stories260K/model.safetensors");
        HONE_REQUIRE_PATH(p);
        auto f = SafetensorsFile::open(p.toStdString());
        const SafetensorsTensor* e = f.find("model.embed_tokens.weight");
        QVERIFY(e);
        QCOMPARE(e->dtype, StDType::F32);
        QCOMPARE(e->shape, (std::vector<std::int64_t>{512, 64}));
    }

    void writerRoundTrip() {
        SafetensorsWriter w;
        w.addF32("a", {2, 3}, {1, 2, 3, 4, 5, 6});
        const std::uint16_t h[2] = {0x3C00, 0xC000};
        w.add("b", StDType::BF16, {2}, h, 4);
        w.setMetadata("format", "pt");
        const auto bytes = w.bytes();
        auto f = SafetensorsFile::fromMemory(bytes.data(), bytes.size());
        QCOMPARE(f.metadata().at("format"), std::string("pt"));
        QCOMPARE(f.find("a")->shape, (std::vector<std::int64_t>{2, 3}));
        float v;
        std::memcpy(&v, f.find("a")->data + 20, 4);
        QCOMPARE(v, 6.0f);
        QCOMPARE(f.find("b")->dtype, StDType::BF16);
        QVERIFY(errorOf([&] { w.add("c", StDType::F32, {3}, h, 4); }).contains("'c'"));
    }

    void malformedHeaders() {
        QVERIFY(errorOf([] {
                    std::uint8_t b[4] = {};
                    SafetensorsFile::fromMemory(b, 4, "tiny.safetensors");
                }).contains("tiny.safetensors"));
        { // header length beyond the file / beyond the limit
            auto b = withHeader("{}", 0);
            const std::uint64_t big = 1000;
            std::memcpy(b.data(), &big, 8);
            QVERIFY(errorOf([&] {
                        SafetensorsFile::fromMemory(b.data(), b.size(), "x");
                    }).contains("past the end"));
            const std::uint64_t huge = 1ull << 40;
            std::memcpy(b.data(), &huge, 8);
            QVERIFY(errorOf([&] { SafetensorsFile::fromMemory(b.data(), b.size(), "x"); }).contains("limit"));
        }
        QVERIFY(parseError("{\"a\": {\"dtype\": \"F32\", ", 0).contains("not valid JSON"));
        QVERIFY(parseError("[1, 2]", 0).contains("not a JSON object"));
        QVERIFY(parseError(R"({"w": {"dtype": "F7", "shape": [1], "data_offsets": [0, 4]}})", 4)
                    .contains("unknown dtype 'F7'"));
        QVERIFY(parseError(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})", 4)
                    .contains("'w' shape x dtype"));
        QVERIFY(parseError(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", 4)
                    .contains("past the end"));
        QVERIFY(parseError(R"({"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})", 8)
                    .contains("non-negative"));
        QVERIFY(parseError(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}})", 8)
                    .contains("begin > end"));
        QVERIFY(parseError(R"({"w": {"dtype": "F32", "shape": [1]}})", 8).contains("data_offsets"));
        const QString overlap = parseError(
            R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
            12);
        QVERIFY(overlap.contains("overlapping"));
        QVERIFY(overlap.contains("crafted.safetensors"));
        QVERIFY(parseError(R"({"__metadata__": {"k": 1}})", 0).contains("__metadata__"));
    }

    void everyTruncationRejected() {
        SafetensorsWriter w;
        w.addF32("a", {4}, {1, 2, 3, 4});
        const auto bytes = w.bytes();
        for (std::size_t n = 0; n < bytes.size(); ++n) {
            const QString e = errorOf([&] { SafetensorsFile::fromMemory(bytes.data(), n, "cut"); });
            QVERIFY2(!e.isEmpty(), qPrintable(QString("prefix %1 accepted").arg(n)));
        }
    }

    void shardedCheckpoint() {
        const QString dir = tmp_.path() + "/sharded";
        QDir().mkpath(dir);
        SafetensorsWriter a, b;
        a.addF32("x", {2}, {1, 2});
        b.addF32("y", {1}, {3});
        a.write((dir + "/model-00001-of-00002.safetensors").toStdString());
        b.write((dir + "/model-00002-of-00002.safetensors").toStdString());
        writeFile(
            dir + "/model.safetensors.index.json",
            R"({"metadata": {}, "weight_map": {"x": "model-00001-of-00002.safetensors", "y": "model-00002-of-00002.safetensors"}})");
        auto c = SafetensorsCheckpoint::openFolder(dir.toStdString());
        QVERIFY(c.find("x") && c.find("y"));
        QCOMPARE(c.find("y")->shape, (std::vector<std::int64_t>{1}));
        QVERIFY(QString::fromStdString(c.fileOf("y")).endsWith("model-00002-of-00002.safetensors"));
        QVERIFY(errorOf([&] { c.require("z"); }).contains("'z'"));
        writeFile(dir + "/model.safetensors.index.json",
                  R"({"weight_map": {"x": "model-00002-of-00002.safetensors"}})");
        QVERIFY(errorOf([&] { SafetensorsCheckpoint::openFolder(dir.toStdString()); }).contains("'x'"));
        writeFile(dir + "/model.safetensors.index.json", R"({"weight_map": {"x": "../evil.safetensors"}})");
        QVERIFY(errorOf([&] {
                    SafetensorsCheckpoint::openFolder(dir.toStdString());
                }).contains("plain file name"));
    }

    void pickleRefused() {
        const QString dir = tmp_.path() + "/pickle";
        QDir().mkpath(dir);
        writeFile(dir + "/pytorch_model.bin", "PK\x03\x04 not really");
        const QString e = errorOf([&] { SafetensorsCheckpoint::openFolder(dir.toStdString()); });
        QVERIFY(e.contains("pytorch_model.bin"));
        QVERIFY(e.contains("safetensors"));
    }

    void configParsing() {
        const QString p = fixture("archs/gemma3/hf");
        HONE_REQUIRE_PATH(p);
        const ModelConfig g3 = loadHfConfig(p.toStdString());
        QCOMPARE(g3.numLayers, 6);
        QCOMPARE(g3.layerSliding, (std::vector<bool>{true, true, true, true, true, false}));
        QCOMPARE(g3.ropeLocalTheta, 10000.0);
        QVERIFY(g3.qkNorm && g3.normPlusOne && g3.tieEmbeddings);
        const ModelConfig l3 = loadHfConfig(fixture("archs/llama3rope/hf").toStdString());
        QVERIFY(l3.ropeScaling == RopeScaling::Llama3);
        QCOMPARE(l3.ropeFactor, 8.0);
        Json bad = {{"model_type", "gpt2"}, {"hidden_size", 8}};
        const QString e = errorOf([&] { parseHfConfig(bad, "x/config.json"); });
        QVERIFY(e.contains("gpt2"));
        QVERIFY(e.contains("llama") && e.contains("gemma3_text") && e.contains("qwen3"));
        Json missing = {{"model_type", "llama"}, {"hidden_size", 8}};
        QVERIFY(errorOf([&] { parseHfConfig(missing, "x/config.json"); }).contains("intermediate_size"));
        Json gqa = {{"model_type", "llama"},  {"hidden_size", 8},         {"intermediate_size", 8},
                    {"num_hidden_layers", 1}, {"num_attention_heads", 4}, {"num_key_value_heads", 3},
                    {"vocab_size", 10}};
        QVERIFY(errorOf([&] { parseHfConfig(gqa, "x/config.json"); }).contains("num_key_value_heads"));
        // Gemma3ForConditionalGeneration: the text model is in text_config.
        Json nested = {{"model_type", "gemma3"},
                       {"architectures", {"Gemma3ForConditionalGeneration"}},
                       {"text_config",
                        {{"hidden_size", 16},
                         {"intermediate_size", 32},
                         {"num_hidden_layers", 6},
                         {"num_attention_heads", 2},
                         {"num_key_value_heads", 1},
                         {"head_dim", 8},
                         {"vocab_size", 10},
                         {"sliding_window_pattern", 6}}}};
        const ModelConfig c = parseHfConfig(nested, "n/config.json");
        QCOMPARE(c.hiddenSize, 16);
        QCOMPARE(c.layerSliding[5], false);
    }
};

QTEST_GUILESS_MAIN(TstSafetensors)
#include "tst_safetensors.moc"
