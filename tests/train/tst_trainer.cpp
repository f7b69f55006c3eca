// The training loop in-process on the real stories260K model: fine-tuning on tests/data/train lowers the
// validation loss by at least 25% and moves greedy output toward the data; a stopped and resumed run
// continues bit for bit; divergence stops the run with a report and keeps the last checkpoint; bad settings
// and data are refused with clear messages before any step; added tokens (chatml) train.
#include "chat/template.h"
#include "common/error.h"
#include "common/test_support.h"
#include "data/builtin_templates.h"
#include "device/torch_device.h"
#include "model/safetensors_file.h"
#include "model/transformer_torch.h"
#include "tokenizer/tokenizer.h"
#include "train/adapter_io_torch.h"
#include "train/lora_model_torch.h"
#include "train/trainer.h"
#include "train_test_support.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <filesystem>

using namespace hone;

namespace {

QString stories() {
    return test::fixture("models/stories260K");
}
std::string storiesData() {
    return (test::sourceDir() + "/tests/data/train/stories_alpaca.jsonl").toStdString();
}

TrainOptions baseOptions(const QString& out) {
    TrainOptions o;
    o.modelPath = stories().toStdString();
    o.dataPath = storiesData();
    o.templateName = "alpaca";
    o.lora.rank = 8;
    o.lora.alpha = 16;
    o.lr = 3e-3;
    o.batchSize = 8;
    o.maxSeqLen = 256;
    o.threads = 1;
    o.seed = 3;
    o.outDir = out.toStdString();
    return o;
}

struct Collected {
    std::vector<Json> events;
    std::vector<double> stepLosses;
    std::vector<double> evalLosses;
    void operator()(const Json& e) {
        events.push_back(e);
        if (e["event"] == "step") stepLosses.push_back(e["loss"].get<double>());
        if (e["event"] == "eval") evalLosses.push_back(e["eval_loss"].get<double>());
    }
};

std::string greedy(const LoraModel& m, const tok::Tokenizer& tok, const std::string& instruction,
                   int maxNew) {
    jinja::Template tpl(data::builtinTemplate("alpaca").jinja);
    OrderedJson ctx;
    ctx["messages"] = OrderedJson::array({{{"role", "user"}, {"content", instruction}}});
    ctx["add_generation_prompt"] = true;
    ctx["bos_token"] = "<s>";
    ctx["eos_token"] = "</s>";
    tok::EncodeOptions eo;
    eo.addSpecialTokens = false;
    auto ids32 = tok.encode(tpl.render(ctx), eo);
    std::vector<std::int64_t> ids(ids32.begin(), ids32.end());
    const std::size_t promptLen = ids.size();
    for (int i = 0; i < maxNew; ++i) {
        TrainBatch b;
        const auto T = static_cast<std::int64_t>(ids.size());
        b.ids = torch::tensor(ids, torch::kInt64).view({1, T});
        b.positions = torch::arange(T, torch::kInt64).view({1, T});
        const auto next = m.logits(b)[0][T - 1].argmax().item<std::int64_t>();
        if (next == tok.eosId().value_or(-1)) break;
        ids.push_back(next);
    }
    std::vector<std::int32_t> out(ids.begin() + static_cast<std::ptrdiff_t>(promptLen), ids.end());
    return tok.decode(out);
}

} // namespace

class TestTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fineTuningLowersValidationLossAndMovesGreedyOutput() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir dir;
        TrainOptions o = baseOptions(dir.path());
        o.maxSteps = 120;
        o.evalSplit = 0.1;
        o.evalEvery = 40;
        o.schedule = "cosine";
        o.warmupSteps = 5;
        Collected c;
        TrainResult r = runTraining(o, std::ref(c), nullptr);
        QCOMPARE(QString::fromStdString(r.status), QString("finished"));
        QCOMPARE(r.steps, std::int64_t(120));
        QVERIFY(c.evalLosses.size() >= 2);
        const double before = c.evalLosses.front(), after = c.evalLosses.back();
        qInfo("validation loss %.4f -> %.4f (%.0f%% lower)", before, after, 100 * (1 - after / before));
        QVERIFY2(after <= 0.75 * before, qPrintable(QString("%1 -> %2").arg(before).arg(after)));
        QVERIFY(QFile::exists(QString::fromStdString(r.adapterDir + "/adapter_model.safetensors")));
        QVERIFY(QFile::exists(QString::fromStdString(r.adapterDir + "/adapter_config.json")));
        Json cfg = Json::parse(readAll(r.adapterDir + "/adapter_config.json"));
        QCOMPARE(QString::fromStdString(cfg["peft_type"].get<std::string>()), QString("LORA"));
        QCOMPARE(cfg["r"].get<int>(), 8);

        // Greedy output: the base model tells a TinyStories story; the tuned one follows the data's pattern.
        auto base = loadTransformer(o.modelPath, DeviceSpec::parse("cpu"), DType::F32);
        auto tok = tok::Tokenizer::load(o.modelPath);
        LoraModelOptions mo;
        mo.lora = o.lora;
        LoraModel fresh(base, mo);
        LoraModel tuned(base, mo);
        tuned.loadPeftState(readTensorsFile(r.adapterDir + "/adapter_model.safetensors"));
        const std::string prompt = "Tell a story about a red cat named Tom.";
        const std::string before1 = greedy(fresh, tok, prompt, 48);
        const std::string after1 = greedy(tuned, tok, prompt, 48);
        qInfo("base:  %s", before1.c_str());
        qInfo("tuned: %s", after1.c_str());
        QVERIFY2(after1.find("liked to play in the") != std::string::npos, after1.c_str());
        QVERIFY2(after1.find("Tom") != std::string::npos, after1.c_str());
        QVERIFY2(before1.find("liked to play in the") == std::string::npos, before1.c_str());
    }

    void stoppedAndResumedRunContinuesBitForBit() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir a, b;
        TrainOptions o = baseOptions(a.path());
        o.maxSteps = 12;
        o.lora.dropout = 0.1; // the RNG state must be restored too
        o.saveEvery = 4;
        Collected straight;
        QCOMPARE(QString::fromStdString(runTraining(o, std::ref(straight), nullptr).status),
                 QString("finished"));
        QCOMPARE(straight.stepLosses.size(), std::size_t(12));

        o.outDir = b.path().toStdString();
        TrainControl ctl;
        Collected first;
        auto stopAfter6 = [&](const Json& e) {
            first(e);
            if (e["event"] == "step" && e["step"] == 6) ctl.requestStop();
        };
        TrainResult r1 = runTraining(o, stopAfter6, &ctl);
        QCOMPARE(QString::fromStdString(r1.status), QString("stopped"));
        QCOMPARE(r1.steps, std::int64_t(6));
        QVERIFY(r1.adapterDir.find("checkpoint-6") != std::string::npos);
        QCOMPARE(QString::fromStdString(latestCheckpoint(o.outDir)), QString::fromStdString(r1.adapterDir));

        Collected second;
        TrainOptions ignored;
        ignored.threads = 1;
        TrainResult r2 = runTraining(ignored, std::ref(second), nullptr, o.outDir);
        QCOMPARE(QString::fromStdString(r2.status), QString("finished"));
        QCOMPARE(second.stepLosses.size(), std::size_t(6));
        for (std::size_t i = 0; i < 6; ++i) {
            QCOMPARE(first.stepLosses[i], straight.stepLosses[i]);
            // Bit for bit, not approximately.
            QVERIFY2(second.stepLosses[i] == straight.stepLosses[6 + i],
                     qPrintable(QString("step %1: %2 vs %3")
                                    .arg(7 + i)
                                    .arg(second.stepLosses[i], 0, 'g', 17)
                                    .arg(straight.stepLosses[6 + i], 0, 'g', 17)));
        }
        // A finished run has nothing to resume, and says so instead of rewriting its results.
        QVERIFY_THROWS_EXCEPTION(hone::Error, runTraining(ignored, {}, nullptr, o.outDir));
        test::compareTensorFiles(o.outDir + "/adapter/adapter_model.safetensors",
                                 a.path().toStdString() + "/adapter/adapter_model.safetensors");
    }

    void divergenceStopsWithAReportAndKeepsTheCheckpoint() {
        HONE_REQUIRE_PATH(stories());
        // A copy of the model trains 3 steps; then its q/k rows of layer 0 are set to the largest finite
        // floats (as an overflowing half-precision export would leave them), so the resumed step overflows to
        // inf/NaN. The trainer must stop with a report, keep checkpoint 3 and write no adapter.
        QTemporaryDir dir;
        const QString model = dir.filePath("model");
        QDir().mkpath(model);
        for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"})
            QVERIFY(QFile::copy(stories() + "/" + f, model + "/" + f));
        TrainOptions o = baseOptions(dir.filePath("run"));
        o.modelPath = model.toStdString();
        o.maxSteps = 10;
        o.saveEvery = 1;
        TrainControl ctl;
        auto stopAt3 = [&](const Json& e) {
            if (e["event"] == "step" && e["step"] == 3) ctl.requestStop();
        };
        QCOMPARE(QString::fromStdString(runTraining(o, stopAt3, &ctl).status), QString("stopped"));
        {
            const std::string file = (model + "/model.safetensors").toStdString();
            std::uint64_t begin = 0, headerLen = 0;
            {
                SafetensorsFile f = SafetensorsFile::open(file);
                const SafetensorsTensor* q = f.find("model.layers.0.self_attn.q_proj.weight");
                QVERIFY(q);
                begin = q->begin;
            }
            QFile raw(QString::fromStdString(file));
            QVERIFY(raw.open(QIODevice::ReadWrite));
            raw.read(reinterpret_cast<char*>(&headerLen), 8);
            std::vector<float> huge(64 * 16, 3.0e38f); // the first 16 rows
            raw.seek(static_cast<qint64>(8 + headerLen + begin));
            raw.write(reinterpret_cast<const char*>(huge.data()),
                      static_cast<qint64>(huge.size() * sizeof(float)));
        }
        Collected c;
        TrainOptions ignored;
        ignored.threads = 1;
        TrainResult r = runTraining(ignored, std::ref(c), nullptr, o.outDir);
        QCOMPARE(QString::fromStdString(r.status), QString("failed"));
        QVERIFY2(r.error.find("training diverged at step 4") != std::string::npos, r.error.c_str());
        QVERIFY2(r.error.find("Lower --lr") != std::string::npos, r.error.c_str());
        QVERIFY2(r.adapterDir.find("checkpoint-3") != std::string::npos, r.adapterDir.c_str());
        auto last = readTensorsFile(r.adapterDir + "/adapter_model.safetensors");
        for (auto& [k, v] : last) QVERIFY2(torch::isfinite(v).all().item<bool>(), k.c_str());
        QVERIFY(!QFile::exists(dir.filePath("run/adapter/adapter_model.safetensors")));
        QVERIFY(!QFile::exists(dir.filePath("run/checkpoints/checkpoint-4")));
        QCOMPARE(QString::fromStdString(c.events.back()["status"].get<std::string>()), QString("failed"));
    }

    void badInputIsRefusedBeforeTraining() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir dir;
        auto write = [&](const char* name, const QByteArray& text) {
            QFile f(dir.filePath(name));
            f.open(QIODevice::WriteOnly);
            f.write(text);
            return dir.filePath(name).toStdString();
        };
        TrainOptions o = baseOptions(dir.filePath("run"));
        auto expect = [&](TrainOptions t, const char* needle) {
            const std::string e = test::trainingErrorOf(t);
            QVERIFY2(e.find(needle) != std::string::npos,
                     (std::string("expected '") + needle + "' in: " + e).c_str());
        };
        TrainOptions t = o;
        t.dataPath = write("empty.jsonl", "");
        expect(t, "empty");
        t.dataPath = write("odd.jsonl", "{\"foo\": 1}\n{\"bar\": 2}\n");
        expect(t, "cannot tell the dataset format");
        t.dataPath = write("missing.jsonl", "{\"instruction\": \"x\"}\n{\"output\": 3}\n");
        t.format = "alpaca";
        expect(t, "no usable rows");
        t = o;
        t.lora.rank = 0;
        expect(t, "LoRA rank must be at least 1");
        t = o;
        t.lora.rank = 65;
        expect(t, "is larger than");
        t = o;
        t.lr = 0;
        expect(t, "learning rate must be positive");
        t = o;
        t.lora.targets = {"qkv_proj"};
        expect(t, "matches no layer");
        t = o;
        t.templateName = "";
        expect(t, "has no chat template");
        t = o;
        t.maxSeqLen = 16;
        expect(t, "every row was skipped");
        t = o;
        t.batchSize = 4096;
        t.maxSeqLen = 512;
        t.packing = true;
        expect(t, "not enough memory");
        QVERIFY(!QFile::exists(dir.filePath("run/config.json"))); // nothing written for refused runs
    }

    void chatmlTemplateAddsAndTrainsNewTokens() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir dir;
        TrainOptions o = baseOptions(dir.path());
        o.templateName = "chatml";
        o.maxSteps = 3;
        Collected c;
        TrainResult r = runTraining(o, std::ref(c), nullptr);
        QCOMPARE(QString::fromStdString(r.status), QString("finished"));
        QCOMPARE(c.events.front()["added_tokens"].get<int>(), 2);
        Json meta = Json::parse(readAll(r.adapterDir + "/hone_adapter.json"));
        QCOMPARE(meta["added_tokens"].size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(meta["added_tokens"][0]["content"].get<std::string>()),
                 QString("<|im_start|>"));
        auto st = readTensorsFile(r.adapterDir + "/adapter_model.safetensors");
        QCOMPARE(st.at("base_model.model.model.embed_tokens.weight").size(0), 514);
        Json cfg = Json::parse(readAll(r.adapterDir + "/adapter_config.json"));
        QCOMPARE(cfg["modules_to_save"].size(), std::size_t(2));
    }

    void bf16ComputeTrainsWithF32AdapterAndOptimizer() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir dir;
        TrainOptions o = baseOptions(dir.path());
        o.dtype = "bf16";
        o.maxSteps = 15;
        Collected c;
        TrainResult r = runTraining(o, std::ref(c), nullptr);
        QCOMPARE(QString::fromStdString(r.status), QString("finished"));
        QCOMPARE(QString::fromStdString(c.events[1]["dtype"].get<std::string>()), QString("bf16"));
        QVERIFY2(c.stepLosses.back() < 0.5 * c.stepLosses.front(),
                 qPrintable(QString("%1 -> %2").arg(c.stepLosses.front()).arg(c.stepLosses.back())));
        for (auto& [k, v] : readTensorsFile(r.adapterDir + "/adapter_model.safetensors"))
            QCOMPARE(v.scalar_type(), torch::kFloat32);
        for (auto& [k, v] : readTensorsFile(latestCheckpoint(o.outDir) + "/optimizer.safetensors"))
            if (k.rfind("exp_avg", 0) == 0) QCOMPARE(v.scalar_type(), torch::kFloat32);
    }

    void packingTrainsAndReportsFewerSteps() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir a, b;
        TrainOptions o = baseOptions(a.path());
        o.epochs = 1;
        o.batchSize = 2;
        Collected padded, packed;
        runTraining(o, std::ref(padded), nullptr);
        o.outDir = b.path().toStdString();
        o.packing = true;
        o.maxSeqLen = 512;
        runTraining(o, std::ref(packed), nullptr);
        // 320 examples of ~125 tokens: 160 padded micro-batches, about a quarter as many packed ones.
        QCOMPARE(padded.stepLosses.size(), std::size_t(160));
        QVERIFY2(packed.stepLosses.size() < 50, qPrintable(QString::number(packed.stepLosses.size())));
        QVERIFY(packed.stepLosses.back() < packed.stepLosses.front());
    }

private:
    static std::string readAll(const std::string& path) {
        QFile f(QString::fromStdString(path));
        f.open(QIODevice::ReadOnly);
        return f.readAll().toStdString();
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
