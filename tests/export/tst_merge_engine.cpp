// The merged model against the unmerged one on the engine: a merged F32 folder reloaded with
// LanguageModel::load gives the logits of the base + adapter LoRA forward pass (core/train LoraModel) within
// 1e-5 on Llama and Qwen2 (biases, fused projections), while the adapter moves the logits far more than that;
// a BF16 merge stays within its looser tolerance; the template and stop-id checks agree for the base's own.
// The same for GGUF LoRA adapters (llama.cpp's --lora format) read back by the export check.
#include "common/test_support.h"
#include "export/export_check.h"
#include "export/gguf_lora_export.h"
#include "export/merge_model.h"
#include "export/peft_adapter.h"
#include "infer/language_model.h"
#include "peft_test_adapter.h"

#include <QTemporaryDir>

#include <cmath>
#include <filesystem>

using namespace hone;
namespace fs = std::filesystem;

namespace {

double maxDiffToBase(const std::string& baseDir, const ExportChecker& checker) {
    ModelLoadOptions lo;
    lo.device = DeviceSpec::parse("cpu");
    auto lm = LanguageModel::load(baseDir, lo);
    InferenceSession s(lm);
    double d = 0;
    const auto& ids = checker.probeIds();
    for (std::size_t t = 0; t < ids.size(); ++t) {
        s.prefill(std::vector<std::int32_t>(ids.begin(), ids.begin() + static_cast<long>(t) + 1));
        for (std::size_t i = 0; i < s.logits().size(); ++i)
            d = std::max(d, double(std::fabs(s.logits()[i] - checker.referenceLogits()[t][i])));
    }
    return d;
}

void mergedMatchesLora(const QString& arch) {
    const std::string base = test::fixture("archs/" + arch + "/hf").toStdString();
    HONE_REQUIRE_PATH(QString::fromStdString(base));
    QTemporaryDir tmp;
    const std::string adir = tmp.filePath("adapter").toStdString();
    fs::create_directories(adir);
    test::TestAdapter t;
    t.rank = 8;
    t.alpha = 16;
    test::writeTestAdapter(adir, base, t);
    const auto adapter = PeftAdapter::open(adir);
    const std::string out = tmp.filePath("merged").toStdString();
    mergeAdapter(base, adapter, out, {"f32", 300'000, 2, {}}); // several shards
    ExportChecker checker(base, adapter);
    QVERIFY(checker.probeIds().size() > 4);
    const ArtifactCheck c = checker.checkMerged(out, "f32");
    QVERIFY2(c.maxAbsDiff < 1e-5, qPrintable(QString("max |diff| %1").arg(c.maxAbsDiff)));
    QCOMPARE(c.top1Agreement, 1.0);
    QVERIFY(c.logitsOk);
    QVERIFY2(c.templateTokensMatch, c.note.c_str());
    QVERIFY2(c.eosAgreement, c.note.c_str());
    // The adapter matters: the base alone is far from the reference.
    const double fromBase = maxDiffToBase(base, checker);
    QVERIFY2(fromBase > 1e-3, qPrintable(QString("base vs reference %1").arg(fromBase)));

    const std::string bf16 = tmp.filePath("bf16").toStdString();
    mergeAdapter(base, adapter, bf16, {"bf16", 5'000'000'000ull, 2, {}});
    const ArtifactCheck b = checker.checkMerged(bf16, "bf16");
    QVERIFY2(b.logitsOk,
             qPrintable(QString("bf16 max |diff| %1 tolerance %2").arg(b.maxAbsDiff).arg(b.tolerance)));
    QVERIFY(b.maxAbsDiff > c.maxAbsDiff);
    QVERIFY(b.toJson().contains("tolerance"));
}

// A GGUF LoRA adapter read back and applied as llama.cpp applies it gives the reference logits (F32 within
// 1e-5, F16 within its tolerance); an adapter file made from other weights fails the same check.
void ggufLoraMatchesLora(const QString& arch) {
    const std::string base = test::fixture("archs/" + arch + "/hf").toStdString();
    HONE_REQUIRE_PATH(QString::fromStdString(base));
    QTemporaryDir tmp;
    auto writeAdapter = [&](const char* name, std::uint64_t seed) {
        const std::string dir = tmp.filePath(name).toStdString();
        fs::create_directories(dir);
        test::TestAdapter t;
        t.rank = 4;
        t.alpha = 16;
        t.seed = seed;
        test::writeTestAdapter(dir, base, t);
        return dir;
    };
    const std::string adir = writeAdapter("adapter", 3), other = writeAdapter("other", 4);
    const auto adapter = PeftAdapter::open(adir);
    ExportChecker checker(base, adapter);
    GgufLoraExportOptions o;
    o.outType = "f32";
    const std::string f32 = tmp.filePath("a-f32.gguf").toStdString();
    exportGgufLora(adir, base, f32, o);
    const ArtifactCheck c = checker.checkGgufLora(f32, "f32");
    QCOMPARE(QString::fromStdString(c.kind), QString("gguf-lora"));
    QVERIFY2(c.maxAbsDiff < 1e-5, qPrintable(QString("max |diff| %1").arg(c.maxAbsDiff)));
    QVERIFY2(c.ok(), c.note.c_str());
    QVERIFY(c.toJson()["template_tokens_match"].is_null()); // the adapter has no template to check
    QVERIFY(maxDiffToBase(base, checker) > 1e-3);           // the adapter matters

    o.outType = "f16";
    const std::string f16 = tmp.filePath("a-f16.gguf").toStdString();
    exportGgufLora(adir, base, f16, o);
    const ArtifactCheck h = checker.checkGgufLora(f16, "f16");
    QVERIFY2(h.logitsOk,
             qPrintable(QString("f16 max |diff| %1 tolerance %2").arg(h.maxAbsDiff).arg(h.tolerance)));
    QVERIFY(h.maxAbsDiff > c.maxAbsDiff);

    o.outType = "f32";
    const std::string wrong = tmp.filePath("other.gguf").toStdString();
    exportGgufLora(other, base, wrong, o);
    const ArtifactCheck w = checker.checkGgufLora(wrong, "f32");
    QVERIFY2(!w.logitsOk, qPrintable(QString("other adapter max |diff| %1").arg(w.maxAbsDiff)));
    QVERIFY(!w.ok());
}

} // namespace

class TestMergeEngine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void llamaMergedEqualsLoraForward() { mergedMatchesLora("llama"); }
    void qwen2MergedEqualsLoraForward() { mergedMatchesLora("qwen2"); }
    void llamaGgufLoraEqualsLoraForward() { ggufLoraMatchesLora("llama"); } // Q/K permutation undone
    void qwen2GgufLoraEqualsLoraForward() { ggufLoraMatchesLora("qwen2"); }
};

QTEST_GUILESS_MAIN(TestMergeEngine)
#include "tst_merge_engine.moc"
