// Forward pass against independent references: stories260K greedy golden (HF, GGUF F32 and F16) and the six
// random-weight architectures' last-position logits (HF and GGUF).
#include "common/error.h"
#include "common/test_support.h"
#include "device/compute_device.h"
#include "infer/language_model.h"
#include "reference_logits.h"

using namespace hone;
using hone::test::fixture;

class TstForward : public QObject {
    Q_OBJECT

private:
    void checkGolden(const QString& model, double tol) {
        const QString golden = fixture("models/stories260K/GOLDEN_greedy_from_bos.json");
        HONE_REQUIRE_PATH(golden);
        HONE_REQUIRE_PATH(model);
        const Json g = hone::test::readJson(golden);
        auto lm = LanguageModel::load(model.toStdString());
        InferenceSession s(lm);
        const auto expected = hone::test::idsOf(g["greedy_ids"]);
        std::vector<std::int32_t> ids = {expected[0]};
        QCOMPARE(s.prefill(ids), 1);
        const double d = hone::test::maxTopDiff(s.logits(), g["first_step_top10"]);
        QVERIFY2(d < tol, qPrintable(QString("first-step top-10 max diff %1").arg(d)));
        for (std::size_t i = 1; i < expected.size(); ++i) {
            const int next = hone::test::argmax(s.logits());
            QCOMPARE(next, expected[i]);
            ids.push_back(next);
            if (i + 1 < expected.size()) QCOMPARE(s.append(next), 1);
        }
    }

    void checkArch(const QString& arch) {
        const QString dir = fixture("archs/" + arch);
        HONE_REQUIRE_PATH(dir + "/reference.json");
        const Json ref = hone::test::readJson(dir + "/reference.json");
        const auto prompt = hone::test::idsOf(ref["prompt_ids"]);
        std::vector<float> viaHf;
        for (const QString& model : {dir + "/hf", dir + "/model-f32.gguf"}) {
            auto lm = LanguageModel::load(model.toStdString());
            InferenceSession s(lm);
            QCOMPARE(s.prefill(prompt), static_cast<int>(prompt.size()));
            const double d = hone::test::maxTopDiff(s.logits(), ref["python_top20"]);
            QVERIFY2(d < 1e-4, qPrintable(model + QString(": top-20 max diff %1").arg(d)));
            if (viaHf.empty()) {
                viaHf = s.logits();
            } else {
                double worst = 0;
                for (std::size_t i = 0; i < viaHf.size(); ++i)
                    worst = std::max(worst, static_cast<double>(std::abs(viaHf[i] - s.logits()[i])));
                QVERIFY2(worst < 1e-4, qPrintable(QString("HF vs GGUF logits differ by %1").arg(worst)));
            }
        }
    }

private Q_SLOTS:
    void initTestCase() { configureThreads(); }
    void goldenHf() { checkGolden(fixture("models/stories260K"), 1e-4); }
    void goldenGgufF32() { checkGolden(fixture("models/stories260K-gguf/stories260K-f32.v3.gguf"), 1e-4); }
    void goldenGgufF16() { checkGolden(fixture("models/stories260K-gguf/stories260K-F16.gguf"), 5e-3); }
    void ggufV1Refused() {
        const QString v1 = fixture("models/stories260K-gguf/tinyllamas-stories-260k-f32.gguf");
        HONE_REQUIRE_PATH(v1);
        try {
            LanguageModel::load(v1.toStdString());
            QFAIL("v1 GGUF was accepted");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("version 1"));
            QVERIFY(QString(e.what()).contains("tinyllamas-stories-260k-f32.gguf"));
        }
    }
    void archs_data() {
        QTest::addColumn<QString>("arch");
        for (const char* a : {"llama", "llama3rope", "qwen2", "qwen3", "gemma2", "gemma3"})
            QTest::newRow(a) << QString(a);
    }
    void archs() {
        QFETCH(QString, arch);
        checkArch(arch);
    }
};

QTEST_GUILESS_MAIN(TstForward)
#include "tst_forward.moc"
