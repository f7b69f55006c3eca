// The torch-free LoRA merge against arithmetic done here: a fresh adapter (B = 0) merges to the base byte for
// byte; a random adapter's merged tensors equal W + scale * B @ A computed in double; BF16/F16 outputs equal
// the F32 merge rounded to nearest even; a small shard size gives several shards whose index Hone loads; the
// biases and untouched tensors of Qwen2 stay as they were; tokens the adapter added reach config.json and the
// tokenizer files. Bad input (a wrong base, broken adapter folders, an unwritable output) is refused with a
// message and leaves no output behind.
#include "common/error.h"
#include "common/json.h"
#include "common/mapped_file.h"
#include "common/test_support.h"
#include "export/merge_model.h"
#include "export/ollama_modelfile.h"
#include "export/peft_adapter.h"
#include "model/ggml_dequant.h"
#include "model/safetensors_file.h"
#include "peft_test_adapter.h"
#include "tokenizer/tokenizer.h"

#include <QTemporaryDir>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

using namespace hone;
namespace fs = std::filesystem;

namespace {

template <typename F> QString errorOf(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

std::string llama() {
    return test::fixture("archs/llama/hf").toStdString();
}
std::string qwen2() {
    return test::fixture("archs/qwen2/hf").toStdString();
}

std::vector<float> floats(const SafetensorsTensor& t) {
    std::vector<float> v(static_cast<std::size_t>(t.elements()));
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (t.dtype == StDType::F32) {
            std::memcpy(&v[i], t.data + 4 * i, 4);
        } else {
            std::uint16_t h;
            std::memcpy(&h, t.data + 2 * i, 2);
            v[i] = t.dtype == StDType::BF16 ? bf16ToF32(h) : fp16ToF32(h);
        }
    }
    return v;
}

// Round to nearest even, written out here (independent of the exporter's rounding).
std::uint16_t bf16Of(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    return static_cast<std::uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

bool sameBytes(const SafetensorsTensor& a, const SafetensorsTensor& b) {
    return a.dtype == b.dtype && a.shape == b.shape && a.nbytes() == b.nbytes() &&
           std::memcmp(a.data, b.data, a.nbytes()) == 0;
}

std::string makeAdapter(const QTemporaryDir& tmp, const std::string& base, const test::TestAdapter& t,
                        const char* name = "adapter") {
    const std::string dir = tmp.filePath(name).toStdString();
    fs::create_directories(dir);
    test::writeTestAdapter(dir, base, t);
    return dir;
}

} // namespace

class TestMerge : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void freshAdapterMergesToTheBaseByteForByte() {
        HONE_REQUIRE_PATH(QString::fromStdString(llama()));
        QTemporaryDir tmp;
        test::TestAdapter t;
        t.zeroB = true;
        const auto adapter = PeftAdapter::open(makeAdapter(tmp, llama(), t));
        const std::string out = tmp.filePath("merged").toStdString();
        const MergeReport rep = mergeAdapter(llama(), adapter, out);
        QCOMPARE(rep.dtype, std::string("f32"));
        QCOMPARE(rep.mergedTensors, 2 * 7);
        const auto base = SafetensorsCheckpoint::openFolder(llama());
        const auto merged = SafetensorsCheckpoint::openFolder(out);
        QCOMPARE(merged.names(), base.names());
        for (const auto& n : base.names()) QVERIFY2(sameBytes(base.require(n), merged.require(n)), n.c_str());
        for (const char* f : {"tokenizer.json", "tokenizer_config.json", "generation_config.json"})
            QCOMPARE(readTextFile(out + "/" + f), readTextFile(llama() + "/" + f));
        QCOMPARE(Json::parse(readTextFile(out + "/config.json")),
                 Json::parse(readTextFile(llama() + "/config.json")));
        QVERIFY(!fs::exists(out + "/model.safetensors.index.json"));
    }

    void randomAdapterEqualsWPlusScaledBA() {
        HONE_REQUIRE_PATH(QString::fromStdString(llama()));
        QTemporaryDir tmp;
        test::TestAdapter t;
        t.rank = 8;
        t.alpha = 16; // scale 2
        const std::string adir = makeAdapter(tmp, llama(), t);
        const auto adapter = PeftAdapter::open(adir);
        const std::string out = tmp.filePath("merged").toStdString();
        mergeAdapter(llama(), adapter, out, {"f32", 5'000'000'000ull, 2, {}});
        const auto base = SafetensorsCheckpoint::openFolder(llama());
        const auto merged = SafetensorsCheckpoint::openFolder(out);
        const auto ad = SafetensorsFile::open(adir + "/adapter_model.safetensors");
        for (const char* m : {"model.layers.1.self_attn.k_proj", "model.layers.0.mlp.down_proj"}) {
            const std::string pm = std::string("base_model.model.") + m;
            const auto w = floats(base.require(std::string(m) + ".weight"));
            const auto got = floats(merged.require(std::string(m) + ".weight"));
            const auto a = floats(*ad.find(pm + ".lora_A.weight"));
            const auto b = floats(*ad.find(pm + ".lora_B.weight"));
            const auto& shape = base.require(std::string(m) + ".weight").shape;
            const std::int64_t out_ = shape[0], in = shape[1];
            double maxDiff = 0, maxDelta = 0;
            for (std::int64_t o = 0; o < out_; ++o)
                for (std::int64_t i = 0; i < in; ++i) {
                    double d = 0;
                    for (int k = 0; k < 8; ++k) d += double(b[o * 8 + k]) * double(a[k * in + i]);
                    const double want = double(w[o * in + i]) + 2.0 * d;
                    maxDiff = std::max(maxDiff, std::fabs(want - got[o * in + i]));
                    maxDelta = std::max(maxDelta, std::fabs(2.0 * d));
                }
            QVERIFY2(maxDiff < 1e-5, qPrintable(QString("%1: %2").arg(m).arg(maxDiff)));
            QVERIFY(maxDelta > 1e-2); // the adapter really changes the weight
        }
        // Norms and embeddings untouched.
        for (const char* n : {"model.norm.weight", "model.embed_tokens.weight", "lm_head.weight"})
            QVERIFY(sameBytes(base.require(n), merged.require(n)));
    }

    void bf16AndF16AreTheF32MergeRounded() {
        HONE_REQUIRE_PATH(QString::fromStdString(llama()));
        QTemporaryDir tmp;
        const auto adapter = PeftAdapter::open(makeAdapter(tmp, llama(), {}));
        const std::string f32 = tmp.filePath("f32").toStdString(), bf16 = tmp.filePath("bf16").toStdString(),
                          f16 = tmp.filePath("f16").toStdString();
        mergeAdapter(llama(), adapter, f32, {"f32", 5'000'000'000ull, 1, {}});
        QCOMPARE(mergeAdapter(llama(), adapter, bf16, {"bf16", 5'000'000'000ull, 2, {}}).dtype,
                 std::string("bf16"));
        mergeAdapter(llama(), adapter, f16, {"float16", 5'000'000'000ull, 2, {}});
        QCOMPARE(Json::parse(readTextFile(bf16 + "/config.json"))["torch_dtype"], Json("bfloat16"));
        QCOMPARE(Json::parse(readTextFile(f16 + "/config.json"))["torch_dtype"], Json("float16"));
        const auto a = SafetensorsCheckpoint::openFolder(f32), b = SafetensorsCheckpoint::openFolder(bf16),
                   h = SafetensorsCheckpoint::openFolder(f16);
        for (const auto& n : a.names()) {
            const auto& t32 = a.require(n);
            const auto& tb = b.require(n);
            const auto& th = h.require(n);
            QCOMPARE(int(tb.dtype), int(StDType::BF16));
            QCOMPARE(int(th.dtype), int(StDType::F16));
            const auto v = floats(t32);
            const auto vh = floats(th);
            for (std::size_t i = 0; i < v.size(); ++i) {
                std::uint16_t got;
                std::memcpy(&got, tb.data + 2 * i, 2);
                if (got != bf16Of(v[i]))
                    QFAIL(qPrintable(QString::fromStdString(n) + " bf16 element " + QString::number(i)));
                // F16 nearest: no other half value is closer (ties aside).
                const double err = std::fabs(double(vh[i]) - v[i]);
                const double ulp =
                    std::ldexp(1.0, std::max(-24, std::ilogb(std::max(std::fabs(v[i]), 6.1e-5f)) - 10));
                if (err > ulp / 2 + 1e-12)
                    QFAIL(qPrintable(QString::fromStdString(n) + " f16 element " + QString::number(i)));
            }
        }
    }

    void smallShardsWriteAnIndexHoneLoads() {
        HONE_REQUIRE_PATH(QString::fromStdString(llama()));
        QTemporaryDir tmp;
        const auto adapter = PeftAdapter::open(makeAdapter(tmp, llama(), {}));
        const std::string out = tmp.filePath("sharded").toStdString();
        const MergeReport rep = mergeAdapter(llama(), adapter, out, {"", 400'000, 2, {}});
        const Json index = Json::parse(readTextFile(out + "/model.safetensors.index.json"));
        const auto base = SafetensorsCheckpoint::openFolder(llama());
        QCOMPARE(index["weight_map"].size(), base.names().size());
        std::set<std::string> shards;
        std::uint64_t total = 0;
        for (auto it = index["weight_map"].begin(); it != index["weight_map"].end(); ++it) {
            const std::string file = it.value().get<std::string>();
            shards.insert(file);
            const auto f = SafetensorsFile::open(out + "/" + file);
            const auto* t = f.find(it.key());
            QVERIFY2(t, it.key().c_str());
            total += t->nbytes();
        }
        QVERIFY(shards.size() >= 3);
        QVERIFY(shards.count("model-00001-of-0000" + std::to_string(shards.size()) + ".safetensors"));
        QCOMPARE(index["metadata"]["total_size"].get<std::uint64_t>(), total);
        QCOMPARE(rep.weightBytes, total);
        for (const auto& s : shards) QVERIFY(fs::file_size(out + "/" + s) <= 400'000 + 200'000);
        const auto merged = SafetensorsCheckpoint::openFolder(out);
        QCOMPARE(merged.names(), base.names());
    }

    void qwen2BiasesStayAndOnlyTargetsChange() {
        HONE_REQUIRE_PATH(QString::fromStdString(qwen2()));
        QTemporaryDir tmp;
        test::TestAdapter t;
        t.targets = {"q_proj", "v_proj"};
        const auto adapter = PeftAdapter::open(makeAdapter(tmp, qwen2(), t));
        QCOMPARE(adapter.targetModules(), (std::vector<std::string>{"q_proj", "v_proj"}));
        const std::string out = tmp.filePath("merged").toStdString();
        QCOMPARE(mergeAdapter(qwen2(), adapter, out).mergedTensors, 4);
        const auto base = SafetensorsCheckpoint::openFolder(qwen2());
        const auto merged = SafetensorsCheckpoint::openFolder(out);
        int changed = 0;
        for (const auto& n : base.names()) {
            const bool same = sameBytes(base.require(n), merged.require(n));
            const bool target =
                n.find("q_proj.weight") != std::string::npos || n.find("v_proj.weight") != std::string::npos;
            QVERIFY2(same != target, n.c_str());
            changed += !same;
        }
        QCOMPARE(changed, 4);
        QVERIFY(base.find("model.layers.0.self_attn.q_proj.bias"));
    }

    void addedTokensResizeTheVocabularyAndTokenizer() {
        HONE_REQUIRE_PATH(QString::fromStdString(llama()));
        QTemporaryDir tmp;
        const std::string adir = makeAdapter(tmp, llama(), {});
        // Rewrite the adapter with two added ChatML tokens: full embed_tokens / lm_head with 514 rows.
        const auto base = SafetensorsCheckpoint::openFolder(llama());
        const auto src = SafetensorsFile::open(adir + "/adapter_model.safetensors");
        SafetensorsWriter w;
        for (const auto& t : src.tensors()) w.add(t.name, t.dtype, t.shape, t.data, t.nbytes());
        std::vector<float> embed = floats(base.require("model.embed_tokens.weight"));
        std::vector<float> head = floats(base.require("lm_head.weight"));
        for (int r = 0; r < 2 * 128; ++r) {
            embed.push_back(0.01f * float(r % 7));
            head.push_back(-0.02f * float(r % 5));
        }
        w.addF32("base_model.model.model.embed_tokens.weight", {514, 128}, embed);
        w.addF32("base_model.model.lm_head.weight", {514, 128}, head);
        w.write(adir + "/adapter_model.safetensors");
        const std::string tpl = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + "
                                "message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}";
        const Json hone = {
            {"format", "hone-adapter"},
            {"template", "chatml"},
            {"chat_template", tpl},
            {"added_tokens",
             {{{"id", 512}, {"content", "<|im_start|>"}}, {{"id", 513}, {"content", "<|im_end|>"}}}},
            {"base_model", llama()}};
        std::ofstream(adir + "/hone_adapter.json") << hone.dump(2);
        const auto adapter = PeftAdapter::open(adir);
        QCOMPARE(adapter.embeddingRows(), std::int64_t(514));
        const std::string out = tmp.filePath("merged").toStdString();
        const MergeReport rep = mergeAdapter(llama(), adapter, out);
        QCOMPARE(rep.addedTokens, 2);
        QCOMPARE(rep.replacedTensors, 2);
        QCOMPARE(Json::parse(readTextFile(out + "/config.json"))["vocab_size"].get<int>(), 514);
        const auto merged = SafetensorsCheckpoint::openFolder(out);
        QCOMPARE(merged.require("model.embed_tokens.weight").shape, (std::vector<std::int64_t>{514, 128}));
        QCOMPARE(floats(merged.require("lm_head.weight")), head);
        const auto tok = tok::Tokenizer::load(out);
        QCOMPARE(tok.vocabSize(), std::size_t(514));
        QCOMPARE(tok.tokenToId("<|im_end|>").value_or(-1), 513);
        QCOMPARE(tok.encode("<|im_start|>user", {false, true}).front(), 512);
        QCOMPARE(tok.chatTemplate(), tpl);
        const Json gen = Json::parse(readTextFile(out + "/generation_config.json"));
        QVERIFY(gen["eos_token_id"].is_array());
        QVERIFY(std::find(gen["eos_token_id"].begin(), gen["eos_token_id"].end(), Json(513)) !=
                gen["eos_token_id"].end());
    }

    void wrongBaseIsRefusedWithTheNames() {
        HONE_REQUIRE_PATH(QString::fromStdString(llama()));
        QTemporaryDir tmp;
        test::TestAdapter t;
        t.forceIn = 96;
        t.targets = {"q_proj"};
        const auto adapter = PeftAdapter::open(makeAdapter(tmp, llama(), t));
        const std::string out = tmp.filePath("merged").toStdString();
        const QString err = errorOf([&] { mergeAdapter(llama(), adapter, out); });
        QVERIFY2(err.contains("does not fit the base model"), qPrintable(err));
        QVERIFY2(err.contains("model.layers.0.self_attn.q_proj.weight: adapter 128x96"), qPrintable(err));
        QVERIFY2(err.contains("model.layers.1.self_attn.q_proj.weight"), qPrintable(err));
        QVERIFY2(err.contains("base 128x128"), qPrintable(err));
        QVERIFY(!fs::exists(out));
        // A module the base does not have.
        const std::string other = tmp.filePath("other").toStdString();
        fs::create_directories(other);
        SafetensorsWriter w;
        w.addF32("base_model.model.model.layers.7.self_attn.q_proj.lora_A.weight", {1, 128},
                 std::vector<float>(128));
        w.addF32("base_model.model.model.layers.7.self_attn.q_proj.lora_B.weight", {128, 1},
                 std::vector<float>(128));
        w.write(other + "/adapter_model.safetensors");
        std::ofstream(other + "/adapter_config.json") << R"({"peft_type": "LORA", "r": 1, "lora_alpha": 2})";
        const QString err2 = errorOf([&] { mergeAdapter(llama(), PeftAdapter::open(other), out); });
        QVERIFY2(err2.contains("model.layers.7.self_attn.q_proj.weight") && err2.contains("no such tensor"),
                 qPrintable(err2));
    }

    void handWrittenPeftAdapterImportsAndExportsComplete() {
        HONE_REQUIRE_PATH(QString::fromStdString(qwen2()));
        QTemporaryDir tmp;
        test::TestAdapter t;
        t.rank = 2;
        t.alpha = 4;
        t.targets = {"o_proj", "down_proj"};
        const std::string adir = makeAdapter(tmp, qwen2(), t);
        // Keep only what a minimal PEFT config needs, plus rsLoRA and an alpha_pattern entry.
        std::ofstream(adir + "/adapter_config.json")
            << R"({"peft_type": "LORA", "r": 2, "lora_alpha": 4, "use_rslora": true, "alpha_pattern": {"down_proj": 8}})";
        const auto adapter = PeftAdapter::open(adir);
        QCOMPARE(adapter.pairs().size(), std::size_t(4));
        for (const auto& p : adapter.pairs()) {
            const double want =
                (p.module.find("down_proj") != std::string::npos ? 8.0 : 4.0) / std::sqrt(2.0);
            QVERIFY(std::fabs(p.scale - want) < 1e-12);
        }
        adapter.checkBase(SafetensorsCheckpoint::openFolder(qwen2()), false);
        const std::string out = tmp.filePath("peft").toStdString();
        const auto files = exportPeftAdapter(adapter, out, "Qwen/Qwen2-0.5B");
        QCOMPARE(files.size(), std::size_t(3));
        const Json cfg = Json::parse(readTextFile(out + "/adapter_config.json"));
        for (const char* k :
             {"peft_type", "task_type", "r", "lora_alpha", "lora_dropout", "use_rslora", "target_modules",
              "bias", "base_model_name_or_path", "modules_to_save", "fan_in_fan_out", "inference_mode"})
            QVERIFY2(cfg.contains(k), k);
        QCOMPARE(cfg["task_type"], Json("CAUSAL_LM"));
        QCOMPARE(cfg["target_modules"], Json({"down_proj", "o_proj"}));
        QCOMPARE(cfg["base_model_name_or_path"], Json("Qwen/Qwen2-0.5B"));
        QCOMPARE(cfg["use_rslora"], Json(true));
        QCOMPARE(readTextFile(out + "/adapter_model.safetensors"),
                 readTextFile(adir + "/adapter_model.safetensors"));
        QVERIFY(readTextFile(out + "/README.md").find("PeftModel.from_pretrained") != std::string::npos);
        // The exported folder reads back the same.
        QCOMPARE(PeftAdapter::open(out).pairs().size(), std::size_t(4));
    }

    void brokenAdapterFoldersAreRefused() {
        QTemporaryDir tmp;
        const std::string d = tmp.path().toStdString();
        QVERIFY(errorOf([&] { PeftAdapter::open(d + "/missing"); }).contains("does not exist"));
        QVERIFY(errorOf([&] { PeftAdapter::open(d); }).contains("no adapter_config.json"));
        std::ofstream(d + "/adapter_config.json") << R"({"peft_type": "LORA", "r": 4})";
        std::ofstream(d + "/adapter_model.bin") << "pickle";
        QVERIFY(errorOf([&] { PeftAdapter::open(d); }).contains("safe_serialization=True"));
        SafetensorsWriter w;
        w.addF32("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", {4, 8},
                 std::vector<float>(32));
        w.write(d + "/adapter_model.safetensors");
        QVERIFY2(errorOf([&] { PeftAdapter::open(d); }).contains("has lora_A but no lora_B"),
                 qPrintable(errorOf([&] { PeftAdapter::open(d); })));
        w.addF32("base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector", {8},
                 std::vector<float>(8));
        w.write(d + "/adapter_model.safetensors");
        QVERIFY(errorOf([&] { PeftAdapter::open(d); }).contains("lora_magnitude_vector"));
        std::ofstream(d + "/adapter_config.json") << R"({"peft_type": "IA3", "r": 4})";
        QVERIFY(errorOf([&] { PeftAdapter::open(d); }).contains("only LoRA"));
        std::ofstream(d + "/adapter_config.json") << R"({"peft_type": "LORA", "r": 0})";
        QVERIFY(errorOf([&] { PeftAdapter::open(d); }).contains("positive integer"));
        std::ofstream(d + "/adapter_config.json") << "{not json";
        QVERIFY(errorOf([&] { PeftAdapter::open(d); }).contains("not valid JSON"));
    }

    void unwritableOutputLeavesNothing() {
        HONE_REQUIRE_PATH(QString::fromStdString(llama()));
        QTemporaryDir tmp;
        const auto adapter = PeftAdapter::open(makeAdapter(tmp, llama(), {}));
        // A regular file where the parent folder should be (refused even for root).
        const std::string blocker = tmp.filePath("blocker").toStdString();
        std::ofstream(blocker) << "x";
        const QString err = errorOf([&] { mergeAdapter(llama(), adapter, blocker + "/merged"); });
        QVERIFY2(err.contains("cannot create the output folder"), qPrintable(err));
        if (::geteuid() != 0) {
            const std::string ro = tmp.filePath("ro").toStdString();
            fs::create_directories(ro);
            fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
            QVERIFY(
                errorOf([&] { mergeAdapter(llama(), adapter, ro + "/merged"); }).contains("cannot write"));
            QVERIFY(fs::is_empty(ro));
            fs::permissions(ro, fs::perms::owner_all);
        }
        // A base folder without config.json.
        QVERIFY(errorOf([&] {
                    mergeAdapter(tmp.path().toStdString(), adapter, tmp.filePath("m").toStdString());
                }).contains("no config.json"));
        QVERIFY(!fs::exists(tmp.filePath("m").toStdString()));
        QVERIFY(errorOf([&] { canonicalExportDType("q4"); }).contains("f32, f16 or bf16"));
    }

    void ollamaModelfileForTheTemplateFamilies() {
        const auto chatml = makeOllamaModelfile("./model-q8_0.gguf", "{{ '<|im_start|>' + message['role'] }}",
                                                {"<|im_end|>", "</s>"});
        QCOMPARE(chatml.family, std::string("chatml"));
        QVERIFY(chatml.text.find("FROM ./model-q8_0.gguf\n") != std::string::npos);
        QVERIFY(chatml.text.find("TEMPLATE \"\"\"{{- range .Messages }}<|im_start|>{{ .Role }}\n") !=
                std::string::npos);
        QCOMPARE(chatml.stops, (std::vector<std::string>{"<|im_start|>", "<|im_end|>", "</s>"}));
        QVERIFY(chatml.text.find("PARAMETER stop \"<|im_end|>\"\n") != std::string::npos);
        QCOMPARE(chatTemplateFamily("<|start_header_id|>{{ role }}<|end_header_id|>"), std::string("llama3"));
        QCOMPARE(chatTemplateFamily("[INST] {{ m }} [/INST]"), std::string("mistral"));
        QCOMPARE(chatTemplateFamily("<start_of_turn>user"), std::string("gemma"));
        QCOMPARE(chatTemplateFamily("### Instruction:\n"), std::string("alpaca"));
        const auto unknown = makeOllamaModelfile("./m.gguf", "{{ messages }}", {"<eos>"});
        QVERIFY(unknown.usesEmbeddedTemplate);
        QVERIFY(unknown.text.find("TEMPLATE") == std::string::npos);
        QCOMPARE(ollamaCreateCommand("My Model", "/tmp/a b/Modelfile"),
                 std::string("ollama create my-model -f '/tmp/a b/Modelfile'"));
    }
};

QTEST_GUILESS_MAIN(TestMerge)
#include "tst_merge.moc"
