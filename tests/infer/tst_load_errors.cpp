// Loading bad model folders fails with a clear message naming the file and the tensor or field; Gemma 3's
// multimodal layout (text_config, language_model. prefix) loads to the same logits as the text-only layout.
#include "common/error.h"
#include "common/test_support.h"
#include "device/compute_device.h"
#include "infer/language_model.h"
#include "infer/random_model.h"
#include "model/safetensors_file.h"
#include "reference_logits.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

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
Json tinyLlama() {
    return {{"architectures", {"LlamaForCausalLM"}},
            {"model_type", "llama"},
            {"hidden_size", 32},
            {"intermediate_size", 64},
            {"num_hidden_layers", 1},
            {"num_attention_heads", 2},
            {"num_key_value_heads", 1},
            {"vocab_size", 50},
            {"max_position_embeddings", 64}};
}
// Copies a checkpoint, letting `edit` rename, drop or replace tensors (return false to drop).
void rewrite(
    const std::string& from, const std::string& to,
    const std::function<bool(std::string& name, StDType& dt, std::vector<std::uint8_t>& bytes)>& edit) {
    auto src = SafetensorsFile::open(from);
    SafetensorsWriter w;
    for (const auto& t : src.tensors()) {
        std::string name = t.name;
        StDType dt = t.dtype;
        std::vector<std::uint8_t> bytes(t.data, t.data + t.nbytes());
        if (!edit(name, dt, bytes)) continue;
        w.add(name, dt, t.shape, bytes.data(), bytes.size());
    }
    w.write(to);
}
void writeText(const std::string& path, const std::string& s) {
    std::ofstream f(path);
    f << s;
}
} // namespace

class TstLoadErrors : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::string dir(const char* name) { return (tmp_.path() + "/" + name).toStdString(); }

private Q_SLOTS:
    void initTestCase() { configureThreads(); }

    void shapeDisagreesWithConfig() {
        const std::string d = dir("shape");
        writeRandomModel(d, tinyLlama(), 1);
        Json c = tinyLlama();
        c["intermediate_size"] = 48;
        writeText(d + "/config.json", c.dump());
        const QString e = errorOf([&] { LanguageModel::load(d); });
        QVERIFY2(e.contains("model.safetensors"), qPrintable(e));
        QVERIFY(e.contains("model.layers.0.mlp.gate_proj.weight"));
        QVERIFY(e.contains("[64, 32]") && e.contains("[48, 32]"));
    }

    void missingTensor() {
        const std::string d = dir("missing");
        writeRandomModel(d, tinyLlama(), 1);
        rewrite(d + "/model.safetensors", d + "/model.safetensors.tmp",
                [](std::string& n, StDType&, std::vector<std::uint8_t>&) {
                    return n != "model.layers.0.self_attn.k_proj.weight";
                });
        std::filesystem::rename(d + "/model.safetensors.tmp", d + "/model.safetensors");
        const QString e = errorOf([&] { LanguageModel::load(d); });
        QVERIFY2(e.contains("model.layers.0.self_attn.k_proj.weight") && e.contains("missing"),
                 qPrintable(e));
        QVERIFY(e.contains(QString::fromStdString(d)));
    }

    void nanWeights() {
        const std::string d = dir("nan");
        writeRandomModel(d, tinyLlama(), 1);
        rewrite(d + "/model.safetensors", d + "/m.tmp",
                [](std::string& n, StDType&, std::vector<std::uint8_t>& b) {
                    if (n == "model.layers.0.mlp.up_proj.weight") {
                        const float nan = std::nanf("");
                        std::memcpy(b.data() + 12, &nan, 4);
                    }
                    return true;
                });
        std::filesystem::rename(d + "/m.tmp", d + "/model.safetensors");
        const QString e = errorOf([&] { LanguageModel::load(d); });
        QVERIFY2(e.contains("model.layers.0.mlp.up_proj.weight") && e.contains("NaN"), qPrintable(e));
        QVERIFY(e.contains("model.safetensors"));
    }

    void unsupportedWeightDtype() {
        const std::string d = dir("dtype");
        writeRandomModel(d, tinyLlama(), 1);
        rewrite(d + "/model.safetensors", d + "/m.tmp",
                [](std::string& n, StDType& dt, std::vector<std::uint8_t>&) {
                    if (n == "model.norm.weight") dt = StDType::I32;
                    return true;
                });
        std::filesystem::rename(d + "/m.tmp", d + "/model.safetensors");
        const QString e = errorOf([&] { LanguageModel::load(d); });
        QVERIFY2(e.contains("model.norm.weight") && e.contains("I32"), qPrintable(e));
    }

    void pickleOnly() {
        const std::string d = dir("pickle");
        std::filesystem::create_directories(d);
        writeText(d + "/config.json", tinyLlama().dump());
        writeText(d + "/pytorch_model.bin", "pickle");
        const QString e = errorOf([&] { LanguageModel::load(d); });
        QVERIFY2(e.contains("pytorch_model.bin") && e.contains("safetensors"), qPrintable(e));
    }

    void unknownModelType() {
        const std::string d = dir("unknown");
        Json c = tinyLlama();
        c["model_type"] = "falcon";
        writeRandomModel(d, tinyLlama(), 1);
        writeText(d + "/config.json", c.dump());
        const QString e = errorOf([&] { LanguageModel::load(d); });
        QVERIFY2(e.contains("falcon") && e.contains("mistral") && e.contains("gemma2"), qPrintable(e));
        QVERIFY(e.contains("config.json"));
    }

    void gemma3ConditionalGenerationLayout() {
        const QString src = fixture("archs/gemma3");
        HONE_REQUIRE_PATH(src + "/hf/model.safetensors");
        const std::string d = dir("gemma3mm");
        std::filesystem::create_directories(d);
        rewrite((src + "/hf/model.safetensors").toStdString(), d + "/model.safetensors",
                [](std::string& n, StDType&, std::vector<std::uint8_t>&) {
                    if (n.rfind("model.", 0) == 0) n = "language_model." + n;
                    return true;
                });
        Json text = hone::test::readJson(src + "/hf/config.json");
        Json outer = {{"architectures", {"Gemma3ForConditionalGeneration"}},
                      {"model_type", "gemma3"},
                      {"text_config", text}};
        writeText(d + "/config.json", outer.dump());
        const Json ref = hone::test::readJson(src + "/reference.json");
        InferenceSession s(LanguageModel::load(d));
        s.prefill(hone::test::idsOf(ref["prompt_ids"]));
        QVERIFY(hone::test::maxTopDiff(s.logits(), ref["python_top20"]) < 1e-4);
    }
};

QTEST_GUILESS_MAIN(TstLoadErrors)
#include "tst_load_errors.moc"
