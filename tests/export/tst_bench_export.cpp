// Benchmark (label slow): `hone export` of a ~100M-parameter random Llama-family model with a rank-16 adapter
// on every projection, to a merged F32 folder, a merged BF16 folder and a Q8_0 GGUF (through a temporary F32
// merge), each in its own process. Prints the seconds and the peak RSS the export reports (VmHWM of its own
// address space) next to the F32 model's size: the merge streams, so its peak RSS stays near the process's
// own (`hone version` alone: ~160 MiB) plus one block, far from one copy of the model, let alone two.
#include "common/json.h"
#include "common/test_support.h"
#include "infer/random_model.h"
#include "peft_test_adapter.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>
#include <filesystem>

using namespace hone;
namespace fs = std::filesystem;

namespace {

std::uint64_t folderBytes(const fs::path& dir) {
    std::uint64_t n = 0;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".safetensors") n += e.file_size();
    return n;
}

QJsonObject exportJson(const QStringList& args, QByteArray* err) {
    QProcess p;
    p.start(qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone", args);
    p.waitForFinished(600000);
    *err = p.readAllStandardError();
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

} // namespace

class TestBenchExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exportRandom100M() {
        QTemporaryDir tmp;
        const std::string base = tmp.filePath("base").toStdString(),
                          adapter = tmp.filePath("adapter").toStdString();
        const Json cfg = benchLlamaConfig();
        writeRandomModel(base, cfg, 7, 0.02f);
        fs::create_directories(adapter);
        test::TestAdapter t;
        t.rank = 16;
        t.alpha = 32;
        test::writeTestAdapter(adapter, base, t);
        const double mib = 1024.0 * 1024.0;
        const double modelMiB = static_cast<double>(folderBytes(base)) / mib;
        std::printf("model: %.0f MiB F32, %d threads\n", modelMiB, 2);
        std::printf("%-12s %8s %13s %12s\n", "export", "seconds", "peak RSS MiB", "RSS / model");
        // Llama 2's tokenizer (32000 tokens) makes the random model exportable to GGUF.
        const QString tokDir = test::fixture("tokenizers/llama2");
        const bool gguf = QFileInfo::exists(tokDir + "/tokenizer.json");
        if (gguf)
            for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
                fs::copy_file((tokDir + "/" + f).toStdString(), base + "/" + f);
        std::vector<std::pair<std::string, QStringList>> cases = {
            {"merged f32", {"--format", "merged", "--dtype", "f32"}},
            {"merged bf16", {"--format", "merged", "--dtype", "bf16"}}};
        if (gguf) cases.push_back({"gguf q8_0", {"--format", "gguf", "--quant", "q8_0"}});
        for (const auto& [label, extra] : cases) {
            const QString out = tmp.filePath(QString::fromStdString(label).replace(' ', '-'));
            QByteArray err;
            const QJsonObject rep =
                exportJson(QStringList{"export", "--adapter", QString::fromStdString(adapter), "--model",
                                       QString::fromStdString(base), "--out", out, "--no-check", "--threads",
                                       "2", "--json"} +
                               extra,
                           &err);
            QVERIFY2(!rep.isEmpty(), err.constData());
            const double peak = rep["peak_rss_bytes"].toDouble() / mib;
            std::printf("%-12s %8.2f %13.0f %12.2f\n", label.c_str(), rep["seconds"].toDouble(), peak,
                        peak / modelMiB);
            // Streaming: well below one copy of the model on top of the process itself (`hone version` alone
            // peaks at ~160 MiB).
            QVERIFY2(peak > 0, err.constData());
            // GGUF's own memory is the GGUF exporter's (printed, not bounded here).
            if (label.rfind("merged", 0) == 0)
                QVERIFY2(peak < 0.5 * modelMiB + 100, qPrintable(QString::number(peak)));
            fs::remove_all(out.toStdString());
        }
        std::fflush(stdout);
    }
};

QTEST_GUILESS_MAIN(TestBenchExport)
#include "tst_bench_export.moc"
