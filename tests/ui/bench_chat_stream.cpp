// Benchmark (not a ctest): decode speed of a chat reply streamed into the studio's Chat page (worker thread,
// queued text deltas, markdown view redrawn every 50 ms) against the same reply decoded headless (ChatSession
// with a callback), same model, template, greedy settings and length, alternating; prints the median tokens/s
// of each and their ratio. Usage: bench_chat_stream [MODEL_DIR] (default: stories260K, then a random 124M
// Llama with Llama 2's tokenizer).
#include "chat_session/chat_session.h"
#include "data/builtin_templates.h"
#include "device/compute_device.h"
#include "infer/language_model.h"
#include "infer/random_model.h"
#include "services/chat_service.h"
#include "ui/chat_page.h"

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace hone;

namespace {
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}
// Streams `rounds` greedy replies of `tokens` tokens into the Chat page and decodes the same reply headless,
// alternating; prints the medians and their ratio.
void compare(const QString& model, int tokens, int rounds) {
    const char* prompt = "Tell me a long story about a girl and her dog.";
    std::vector<double> gui, headless;
    int guiTokens = 0, headlessTokens = 0;
    // The studio's chat runs the model on all cores (ChatPage::setup), as `hone chat` does;
    // HONE_BENCH_GUI_THREADS=N runs both sides on N threads instead.
    const int guiThreads = qEnvironmentVariableIntValue("HONE_BENCH_GUI_THREADS");
    const int threads = guiThreads > 0 ? guiThreads : QThread::idealThreadCount();

    auto lm = LanguageModel::load(model.toStdString());
    ui::ChatPage page(nullptr, nullptr);
    page.resize(1200, 800);
    page.show();
    page.setModel(model);
    auto* tpl = page.findChild<QComboBox*>("chatTemplateCombo");
    tpl->setCurrentIndex(tpl->findData(QStringLiteral("alpaca")));
    page.findChild<QSpinBox*>("chatMaxTokens")->setValue(tokens);
    page.findChild<QDoubleSpinBox*>("chatTemperature")->setValue(0.0);
    {
        QEventLoop wait;
        QObject::connect(&page, &ui::ChatPage::loaded, &wait, &QEventLoop::quit);
        if (guiThreads > 0) {
            ChatSetup setup = page.setup();
            setup.threads = guiThreads;
            page.service()->open(setup);
        } else {
            page.load();
        }
        wait.exec();
    }
    for (int round = 0; round < rounds; ++round) {
        // GUI: the page streams the reply.
        QJsonObject stats;
        QMetaObject::Connection c = QObject::connect(page.service(), &ChatService::replyStats,
                                                     [&](const QJsonObject& s) { stats = s; });
        QEventLoop wait;
        QObject::connect(&page, &ui::ChatPage::replyDone, &wait, &QEventLoop::quit);
        page.findChild<QPushButton*>("chatNewButton")->click(); // a fresh conversation each round
        page.sendMessage(prompt);
        wait.exec();
        QObject::disconnect(c);
        gui.push_back(stats.value("decode_tokens_per_s").toDouble());
        guiTokens = stats.value("generated_tokens").toInt();

        // Headless: the same reply with a callback that only collects the text.
        {
            configureThreads(threads);
            ChatSessionOptions o;
            o.templateSource = data::builtinTemplate("alpaca").jinja;
            SamplingParams base; // as ChatService builds them: the model's generation_config, then the page's
            base.temperature = 0.7;
            o.sampling = defaultSampling(model.toStdString(), base);
            o.sampling.temperature = 0;
            o.maxTokens = tokens;
            ChatSession chat(lm, tok::Tokenizer::load(model.toStdString()), o);
            std::string text;
            const TurnResult r = chat.send(prompt, [&](const std::string& d) {
                text += d;
                return true;
            });
            headless.push_back(r.stats.decodeTokensPerS);
            headlessTokens = r.stats.generatedTokens;
        }
    }
    const double g = median(gui), h = median(headless);
    std::printf("reply: %d tokens (GUI) / %d tokens (headless), greedy, %s\n", guiTokens, headlessTokens,
                qPrintable(model));
    std::printf("decode tokens/s on %d threads, median of %d: GUI streaming %.1f, headless %.1f, ratio "
                "GUI/headless %.3f\n",
                threads, rounds, g, h, g / h);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    if (argc > 1) {
        compare(QString::fromLocal8Bit(argv[1]), 400, 5);
        return 0;
    }
    // The worst case: a 260K-parameter model decodes a token in about a millisecond, so the GUI's share of
    // each token is as large as it gets.
    compare(QStringLiteral(HONE_BENCH_FIXTURES "/models/stories260K"), 400, 5);
    // A model of the size people chat with is far slower per token: a random 12-layer Llama (hidden 768,
    // 124M parameters with Llama 2's 32000-token tokenizer).
    const QString tokDir = QStringLiteral(HONE_BENCH_FIXTURES "/tokenizers/llama2");
    if (!QFileInfo::exists(tokDir + "/tokenizer.json")) return 0;
    QTemporaryDir tmp;
    const std::string dir = tmp.filePath("llama-124m").toStdString();
    const Json cfg = benchLlamaConfig(12, 32000, false);
    writeRandomModel(dir, cfg, 7, 0.02f);
    for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
        QFile::copy(tokDir + "/" + f, QString::fromStdString(dir) + "/" + f);
    compare(QString::fromStdString(dir), 100, 3);
    return 0;
}
