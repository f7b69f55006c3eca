// `--init-adapter`: a run whose LoRA starts from an existing adapter. With a learning rate too small to move
// a float, the new run's adapter is the old one bit for bit (shape taken from the adapter, not the run's
// defaults), and its first loss is the trained adapter's, far below a fresh run's; a PEFT adapter written by
// hand starts a run the same way; adapters for another base or with other added tokens are refused by name.
#include "common/error.h"
#include "common/mapped_file.h"
#include "common/test_support.h"
#include "train/adapter_io_torch.h"
#include "train/trainer.h"
#include "train_test_support.h"

#include "../export/peft_test_adapter.h"

#include <QTemporaryDir>

#include <filesystem>
#include <torch/torch.h>

using namespace hone;

namespace {

QString stories() {
    return test::fixture("models/stories260K");
}

TrainOptions runOptions(const QString& out, std::int64_t steps) {
    TrainOptions o;
    o.modelPath = stories().toStdString();
    o.dataPath = (test::sourceDir() + "/tests/data/train/stories_alpaca.jsonl").toStdString();
    o.templateName = "alpaca";
    o.batchSize = 4;
    o.maxSeqLen = 256;
    o.threads = 1;
    o.seed = 5;
    o.maxSteps = steps;
    o.outDir = out.toStdString();
    return o;
}

// The first step's loss and the events of a run.
struct Run {
    TrainResult result;
    std::vector<double> losses;
    Json start;
};

Run train(const TrainOptions& o) {
    Run r;
    r.result = runTraining(
        o,
        [&](const Json& e) {
            if (e["event"] == "step") r.losses.push_back(e["loss"].get<double>());
            if (e["event"] == "start") r.start = e;
        },
        nullptr);
    return r;
}

} // namespace

class TestInitAdapter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void continuesFromARunsAdapter() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir tmp;
        TrainOptions a = runOptions(tmp.filePath("a"), 8);
        a.lora.rank = 4;
        a.lora.alpha = 8;
        a.lora.targets = {"q_proj", "v_proj", "down_proj"};
        a.lr = 5e-3;
        const Run ra = train(a);
        QCOMPARE(QString::fromStdString(ra.result.status), QString("finished"));

        // From the run folder; the run's own LoRA settings (rank 16, all projections) give way to the
        // adapter's.
        TrainOptions b = runOptions(tmp.filePath("b"), 2);
        b.initAdapter = a.outDir;
        b.lora.rank = 16;
        b.lr = 1e-30; // positive, and too small to change any float
        const Run rb = train(b);
        QCOMPARE(QString::fromStdString(rb.result.status), QString("finished"));
        test::compareTensorFiles(ra.result.adapterDir + "/adapter_model.safetensors",
                                 rb.result.adapterDir + "/adapter_model.safetensors");
        const Json cfg = Json::parse(readTextFile(rb.result.adapterDir + "/adapter_config.json"));
        QCOMPARE(cfg["r"].get<int>(), 4);
        QCOMPARE(cfg["lora_alpha"].get<double>(), 8.0);
        const Json saved = Json::parse(readTextFile(b.outDir + "/config.json"));
        QCOMPARE(QString::fromStdString(saved["init-adapter"].get<std::string>()),
                 QString::fromStdString(a.outDir));
        QCOMPARE(saved["lora-rank"].get<int>(), 4);
        QCOMPARE(QString::fromStdString(rb.start["init_adapter"].get<std::string>()),
                 QString::fromStdString(a.outDir));

        // The same first batch without the adapter: the base model's loss, well above the adapter's.
        TrainOptions c = runOptions(tmp.filePath("c"), 1);
        c.lora = a.lora;
        c.lr = 1e-30;
        const Run rc = train(c);
        qInfo("first-step loss: fresh %.4f, from the adapter %.4f (run A's last step %.4f)",
              rc.losses.front(), rb.losses.front(), ra.losses.back());
        QVERIFY2(rb.losses.front() < rc.losses.front() - 0.1,
                 qPrintable(QString("%1 vs %2").arg(rb.losses.front()).arg(rc.losses.front())));
    }

    void startsFromAPeftAdapterWrittenElsewhere() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("peft").toStdString();
        std::filesystem::create_directories(dir);
        test::TestAdapter t;
        t.rank = 2;
        t.alpha = 4;
        t.targets = {"k_proj", "gate_proj"};
        test::writeTestAdapter(dir, stories().toStdString(), t);
        TrainOptions o = runOptions(tmp.filePath("run"), 1);
        o.initAdapter = dir;
        o.lr = 1e-30;
        const Run r = train(o);
        test::compareTensorFiles(dir + "/adapter_model.safetensors",
                                 r.result.adapterDir + "/adapter_model.safetensors");
    }

    void refusesAdaptersThatDoNotFit() {
        HONE_REQUIRE_PATH(stories());
        QTemporaryDir tmp;
        // Made for a base with another hidden size: the tensor and both shapes are named.
        const std::string other = tmp.filePath("other").toStdString();
        std::filesystem::create_directories(other);
        test::TestAdapter t;
        t.targets = {"q_proj"};
        t.forceIn = 96;
        test::writeTestAdapter(other, stories().toStdString(), t);
        TrainOptions o = runOptions(tmp.filePath("run"), 1);
        o.initAdapter = other;
        const std::string e = test::trainingErrorOf(o);
        QVERIFY2(e.find("q_proj.weight: adapter 64x96 (lora_A 4x96") != std::string::npos &&
                     e.find("base 64x64") != std::string::npos,
                 e.c_str());
        QVERIFY(!std::filesystem::exists(o.outDir + "/adapter"));

        // Trained with ChatML's two added tokens, continued with a template that adds none.
        TrainOptions chatml = runOptions(tmp.filePath("chatml"), 1);
        chatml.templateName = "chatml";
        chatml.lora.rank = 2;
        QCOMPARE(QString::fromStdString(train(chatml).result.status), QString("finished"));
        TrainOptions alpaca = runOptions(tmp.filePath("alpaca"), 1);
        alpaca.initAdapter = chatml.outDir;
        const std::string e2 = test::trainingErrorOf(alpaca);
        QVERIFY2(e2.find("2 added token") != std::string::npos &&
                     e2.find("--template chatml") != std::string::npos,
                 e2.c_str());
        // Without a template of its own the run takes the adapter's, and its token rows carry over.
        TrainOptions same = runOptions(tmp.filePath("same"), 1);
        same.templateName.clear();
        same.initAdapter = chatml.outDir;
        same.lr = 1e-30;
        const Run rs = train(same);
        test::compareTensorFiles(chatml.outDir + "/adapter/adapter_model.safetensors",
                                 rs.result.adapterDir + "/adapter_model.safetensors");

        TrainOptions missing = runOptions(tmp.filePath("m"), 1);
        missing.initAdapter = tmp.filePath("nowhere").toStdString();
        QVERIFY(test::trainingErrorOf(missing).find("does not exist") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestInitAdapter)
#include "tst_init_adapter.moc"
