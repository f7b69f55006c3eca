// Benchmark (not a ctest): decode speed of a chat reply streamed into the studio's Chat page (worker thread,
// queued text deltas, markdown view redrawn every 50 ms) against the same reply decoded headless (ChatSession
// with a callback), same model, template, greedy settings and length, alternating, 5 rounds each; prints the
// median tokens/s of each and their ratio. Usage: bench_chat_stream [MODEL_DIR] (default: stories260K).
#include "chat_session/chat_session.h"
#include "data/builtin_templates.h"
#include "infer/language_model.h"
#include "services/chat_service.h"
#include "ui/chat_page.h"

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEventLoop>
#include <QJsonObject>
#include <QPushButton>
#include <QSpinBox>
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
} // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QString model = argc > 1 ? QString::fromLocal8Bit(argv[1])
                                   : QStringLiteral(HONE_BENCH_FIXTURES "/models/stories260K");
    const int tokens = 400;
    const char* prompt = "Tell me a long story about a girl and her dog.";
    std::vector<double> gui, headless;
    int guiTokens = 0, headlessTokens = 0;

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
        page.load();
        wait.exec();
    }
    for (int round = 0; round < 5; ++round) {
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
    const double g = median(gui), h = median(headless);
    std::printf("reply: %d tokens (GUI) / %d tokens (headless), greedy, %s\n", guiTokens, headlessTokens,
                qPrintable(model));
    std::printf("decode tokens/s, median of 5: GUI streaming %.1f, headless %.1f, ratio GUI/headless %.3f\n",
                g, h, g / h);
    return 0;
}
