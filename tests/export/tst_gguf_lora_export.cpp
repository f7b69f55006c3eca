// exportGgufLora: the llama.cpp LoRA adapter layout, proven against the merge: base GGUF tensor + scale * B @
// A (read back from the adapter GGUF) must equal the merged model's GGUF tensor.
#include "common/error.h"
#include "common/test_support.h"
#include "export/gguf_export.h"
#include "export/gguf_lora_export.h"
#include "export/merge_model.h"
#include "export/peft_adapter.h"
#include "model/ggml_dequant.h"
#include "model/gguf_file.h"
#include "peft_test_adapter.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace hone;

namespace {

std::string archDir(const char* arch) {
    return test::fixture(QString("archs/") + arch).toStdString();
}

std::vector<float> rowsF32(const GgufTensor& t) {
    std::vector<float> out(t.elements);
    const std::size_t cols = t.dims[0], rows = t.elements / cols;
    const std::size_t rowBytes = t.nbytes / rows;
    for (std::size_t r = 0; r < rows; ++r)
        dequantizeRow(t.type, t.data + r * rowBytes, out.data() + r * cols, cols);
    return out;
}

bool throwsContaining(const std::function<void()>& f, const QString& needle) {
    try {
        f();
    } catch (const Error& e) {
        if (QString(e.what()).contains(needle)) return true;
        qWarning() << "message was:" << e.what();
    }
    return false;
}

} // namespace

class TstGgufLoraExport : public QObject {
    Q_OBJECT

    // Exports a seeded adapter for `arch` and checks names, shapes, metadata and base + delta == merged.
    void checkAgainstMerge(const char* arch, const std::string& outType, double tolerance) {
        const std::string root = archDir(arch);
        HONE_REQUIRE_PATH(QString::fromStdString(root + "/hf"));
        QTemporaryDir tmp;
        const std::string adapterDir = tmp.path().toStdString() + "/adapter";
        std::filesystem::create_directories(adapterDir);
        test::TestAdapter t;
        t.rank = 4;
        t.alpha = 8;
        t.seed = 7;
        test::writeTestAdapter(adapterDir, root + "/hf", t);
        const std::string loraPath = tmp.path().toStdString() + "/adapter.gguf";
        GgufLoraExportOptions opt;
        opt.outType = outType;
        const GgufLoraExportReport rep = exportGgufLora(adapterDir, root + "/hf", loraPath, opt);
        QVERIFY(std::filesystem::exists(loraPath));
        QVERIFY(!std::filesystem::exists(loraPath + ".tmp"));

        const GgufFile lora = GgufFile::open(loraPath);
        const GgufFile base = GgufFile::open(root + "/model-f32.gguf");
        QCOMPARE(lora.getString("general.type"), std::string("adapter"));
        QCOMPARE(lora.getString("adapter.type"), std::string("lora"));
        QCOMPARE(lora.getString("general.architecture"), base.getString("general.architecture"));
        QCOMPARE(lora.getF64("adapter.lora.alpha"), 8.0);

        // Merge the same adapter and export it the way the merged model ships.
        const std::string merged = tmp.path().toStdString() + "/merged";
        mergeAdapter(root + "/hf", PeftAdapter::open(adapterDir), merged, {"f32", 5'000'000'000ull, 1, {}});
        GgufExportOptions gopt;
        gopt.outType = "F32";
        exportGguf(merged, tmp.path().toStdString() + "/merged.gguf", gopt);
        const GgufFile mergedGguf = GgufFile::open(tmp.path().toStdString() + "/merged.gguf");

        int pairs = 0;
        for (const GgufTensor& bt : base.tensors()) {
            const GgufTensor* a = lora.findTensor(bt.name + ".lora_a");
            const GgufTensor* b = lora.findTensor(bt.name + ".lora_b");
            QCOMPARE(a == nullptr, b == nullptr);
            if (!a) continue;
            ++pairs;
            // llama.cpp's checks: a [in, r], b [r, out], the base [in, out].
            QCOMPARE(a->dims.size(), std::size_t(2));
            QCOMPARE(a->dims[0], bt.dims[0]);
            QCOMPARE(a->dims[1], std::uint64_t(4));
            QCOMPARE(b->dims[0], std::uint64_t(4));
            QCOMPARE(b->dims[1], bt.dims[1]);
            QCOMPARE(a->type, rep.type);
            const std::vector<float> w = rowsF32(bt), av = rowsF32(*a), bv = rowsF32(*b),
                                     m = rowsF32(*mergedGguf.findTensor(bt.name));
            const std::size_t in = bt.dims[0], out = bt.dims[1], r = 4;
            const double scale = 8.0 / 4.0;
            double worst = 0;
            for (std::size_t o = 0; o < out; ++o)
                for (std::size_t i = 0; i < in; ++i) {
                    double d = 0;
                    for (std::size_t k = 0; k < r; ++k) d += double(bv[o * r + k]) * av[k * in + i];
                    worst = std::max(worst, std::abs(w[o * in + i] + scale * d - m[o * in + i]));
                }
            if (worst > tolerance)
                QFAIL(qPrintable(QString::fromStdString(bt.name) + " differs by " + QString::number(worst)));
        }
        QCOMPARE(pairs, int(rep.tensors.size() / 2));
        QVERIFY(pairs > 0);
    }

private slots:
    void llamaF32MatchesMerge() { checkAgainstMerge("llama", "F32", 1e-5); }
    void qwen2F32MatchesMerge() { checkAgainstMerge("qwen2", "F32", 1e-5); }
    // F16 rounds A and B (values ~0.2, rank 4): the product stays within a few 1e-4.
    void llamaF16MatchesMerge() { checkAgainstMerge("llama", "f16", 2e-3); }

    void refusesBadInput() {
        const std::string root = archDir("llama");
        HONE_REQUIRE_PATH(QString::fromStdString(root + "/hf"));
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString() + "/adapter";
        std::filesystem::create_directories(dir);
        test::writeTestAdapter(dir, root + "/hf", {});
        const std::string out = tmp.path().toStdString() + "/a.gguf";
        QVERIFY(throwsContaining([&] { exportGgufLora(dir, root + "/hf", out, {"Q4_K_M"}); }, "F32 or F16"));
        QVERIFY(throwsContaining([&] { exportGgufLora(dir, tmp.path().toStdString(), out); }, "config.json"));
        QVERIFY(throwsContaining([&] { exportGgufLora(tmp.path().toStdString(), root + "/hf", out); },
                                 "adapter_config.json"));
        // An adapter made for another base (wrong in-dimension).
        const std::string wrong = tmp.path().toStdString() + "/wrong";
        std::filesystem::create_directories(wrong);
        test::TestAdapter t;
        t.forceIn = 3;
        test::writeTestAdapter(wrong, root + "/hf", t);
        QVERIFY(throwsContaining([&] { exportGgufLora(wrong, root + "/hf", out); }, "does not fit"));
        QVERIFY(!std::filesystem::exists(out));
    }

    void refusesReplacedEmbedding() {
        const std::string root = archDir("llama");
        HONE_REQUIRE_PATH(QString::fromStdString(root + "/hf"));
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        test::writeTestAdapter(dir, root + "/hf", {});
        // Add a whole embed_tokens (modules_to_save, as after adding tokens) next to the LoRA pairs.
        const SafetensorsFile src = SafetensorsFile::open(dir + "/adapter_model.safetensors");
        const auto baseCk = SafetensorsCheckpoint::openFolder(root + "/hf");
        const auto& emb = baseCk.require("model.embed_tokens.weight");
        SafetensorsWriter w;
        for (const auto& t : src.tensors()) w.add(t.name, t.dtype, t.shape, t.data, t.nbytes());
        w.add("base_model.model.model.embed_tokens.weight", emb.dtype, emb.shape, emb.data, emb.nbytes());
        w.write(dir + "/adapter_model.safetensors.new");
        std::filesystem::rename(dir + "/adapter_model.safetensors.new", dir + "/adapter_model.safetensors");
        QVERIFY(
            throwsContaining([&] { exportGgufLora(dir, root + "/hf", dir + "/a.gguf"); }, "embed_tokens"));
    }
};

QTEST_GUILESS_MAIN(TstGgufLoraExport)
#include "tst_gguf_lora_export.moc"
