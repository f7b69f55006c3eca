// Implementation of the studio's chat service: everything that touches the model runs in the worker thread.
#include "services/chat_service.h"

#include "agent/agent_loop.h"
#include "agent/tool_setup.h"
#include "chat_session/chat_session.h"
#include "chat_session/inference_adapter.h"
#include "common/error.h"
#include "data/builtin_templates.h"
#include "device/compute_device.h"
#include "infer/language_model.h"
#include "services/http_get_tool.h"
#include "services/runs_query_tool.h"
#include "tokenizer/tokenizer.h"
#include "toolcall/format_detect.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QThread>

namespace hone {

struct ChatWorker {
    std::shared_ptr<LanguageModel> model;
    std::shared_ptr<InferenceAdapter> adapter;
    std::unique_ptr<ChatSession> session;
    std::unique_ptr<ChatTools> tools;
    AgentOptions agent;
    toolcall::ToolCallCounters counters;
};

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

template <class J> QJsonObject toQt(const J& j) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(j.dump())).object();
}

} // namespace

ChatService::ChatService(QObject* parent)
    : QObject(parent)
    , thread_(new QThread(this)) {
    thread_->setObjectName(QStringLiteral("hone-chat"));
    thread_->start();
}

ChatService::~ChatService() {
    cancel();
    thread_->quit();
    thread_->wait();
}

void ChatService::setApprover(std::function<bool(const QString&, const QString&)> approver) {
    approver_ = std::move(approver);
}

bool ChatService::approve(const QString& tool, const QString& argumentsJson) {
    return approver_ && approver_(tool, argumentsJson);
}

void ChatService::open(const ChatSetup& setup) {
    if (busy_.exchange(true)) {
        Q_EMIT failed(tr("The chat is busy: wait for the reply or stop it first."));
        return;
    }
    open_ = false;
    auto* ctx = new QObject;
    ctx->moveToThread(thread_);
    QMetaObject::invokeMethod(ctx, [this, ctx, setup] {
        auto w = std::make_shared<ChatWorker>();
        try {
            configureThreads(setup.threads);
            ModelLoadOptions load;
            load.device = DeviceSpec::parse(setup.device.toStdString());
            w->model = LanguageModel::load(setup.modelPath.toStdString(), load);
            tok::Tokenizer tokenizer = tok::Tokenizer::load(setup.modelPath.toStdString());
            ChatSessionOptions options;
            SamplingParams base;
            base.temperature = 0.7;
            options.sampling = defaultSampling(setup.modelPath.toStdString(), base);
            if (setup.temperature >= 0) options.sampling.temperature = setup.temperature;
            if (setup.topP >= 0) options.sampling.topP = setup.topP;
            if (setup.topK >= 0) options.sampling.topK = setup.topK;
            if (setup.minP >= 0) options.sampling.minP = setup.minP;
            if (setup.repetitionPenalty >= 0) options.sampling.repeatPenalty = setup.repetitionPenalty;
            options.maxTokens = setup.maxTokens;
            if (!setup.templateName.isEmpty())
                options.templateSource = data::builtinTemplate(setup.templateName.toStdString()).jinja;
            std::string templateText;
            if (!setup.adapterPath.isEmpty()) {
                w->adapter = InferenceAdapter::load(setup.adapterPath.toStdString(), *w->model);
                templateText = w->adapter->templateSource();
                // A model without a template of its own chats through the one the adapter was trained with.
                if (!options.templateSource && !templateText.empty()) options.templateSource = templateText;
            }
            if (options.templateSource) templateText = *options.templateSource;
            if (templateText.empty()) templateText = tokenizer.chatTemplate();
            // "runs" and "http:HOST,..." are the Qt tools of this layer; the rest are the engine's.
            std::vector<std::string> specs;
            std::vector<std::shared_ptr<tools::Tool>> qtTools;
            for (const QString& t : setup.tools) {
                if (t == QStringLiteral("runs")) {
                    if (setup.databasePath.isEmpty()) throw Error("the runs tool needs Hone's database");
                    qtTools.push_back(std::make_shared<RunsQueryTool>(setup.databasePath));
                } else if (t.startsWith(QStringLiteral("http:"))) {
                    HttpGetOptions http;
                    http.allowedHosts = t.mid(5).split(QLatin1Char(';'), Qt::SkipEmptyParts);
                    qtTools.push_back(std::make_shared<HttpGetTool>(http));
                } else {
                    specs.push_back(t.toStdString());
                }
            }
            w->tools = buildChatTools(specs);
            for (auto& t : qtTools) w->tools->registry.add(std::move(t));
            options.tools = w->tools->registry.toJson();
            w->session = std::make_unique<ChatSession>(w->model, tokenizer, options);
            if (w->adapter) w->session->setAdapter(w->adapter);
            if (!setup.systemPrompt.isEmpty()) w->session->setSystem(setup.systemPrompt.toStdString());
            w->agent.format = toolcall::detectFormat(templateText);
            w->agent.templateRendersToolCalls = templateText.find("tool_calls") != std::string::npos;
            w->agent.maxSteps = setup.maxAgentSteps;
            w->agent.counters = &w->counters;
            if (w->agent.format == toolcall::Format::Hermes || w->agent.format == toolcall::Format::Qwen3)
                if (!w->tools->registry.tools().empty())
                    w->agent.constraint =
                        ToolConstraintSpec::make(w->session->tokenizer(), w->tools->registry.toJson());
            w->agent.approve = [this](const tools::ToolCall& call, const tools::Tool&) {
                bool ok = false;
                QMetaObject::invokeMethod(
                    this, [&] { ok = approve(qs(call.name), qs(call.arguments.dump())); },
                    Qt::BlockingQueuedConnection);
                return ok;
            };
            QString description = QStringLiteral("%1, %2 parameters on %3")
                                      .arg(qs(w->model->config().modelType))
                                      .arg(w->model->parameterCount())
                                      .arg(qs(w->model->device().str()));
            if (w->adapter)
                description +=
                    tr(", adapter %1 (rank %2)").arg(qs(w->adapter->folder())).arg(w->adapter->rank());
            if (!w->tools->registry.tools().empty())
                description += tr(", tools: %1").arg(qs([&] {
                    std::string names;
                    for (const auto& n : w->tools->registry.names()) names += (names.empty() ? "" : ", ") + n;
                    return names;
                }()));
            for (const auto& n : w->tools->notes) Q_EMIT note(qs(n));
            QMetaObject::invokeMethod(this, [this, w, description] {
                worker_ = w;
                open_ = true;
                busy_ = false;
                Q_EMIT ready(description);
            });
        } catch (const std::exception& e) {
            const QString why = QString::fromUtf8(e.what());
            QMetaObject::invokeMethod(this, [this, why] {
                busy_ = false;
                Q_EMIT failed(why);
            });
        }
        ctx->deleteLater();
    });
}

void ChatService::runTurn(std::function<void(ChatWorker& w)> job) {
    if (!open_ || !worker_) {
        Q_EMIT failed(tr("No model is open: choose one and press Load."));
        return;
    }
    if (busy_.exchange(true)) {
        Q_EMIT failed(tr("A reply is still running: wait for it or stop it."));
        return;
    }
    auto w = worker_;
    auto* ctx = new QObject;
    ctx->moveToThread(thread_);
    QMetaObject::invokeMethod(ctx, [this, ctx, w, job = std::move(job)] {
        try {
            job(*w);
        } catch (const std::exception& e) {
            busy_ = false;
            Q_EMIT failed(QString::fromUtf8(e.what()));
        }
        ctx->deleteLater();
    });
}

namespace {

// The messages from `from` on, as turnMessages carries them.
QJsonArray messagesFrom(const ChatSession& session, std::size_t from) {
    Json added = Json::array();
    const auto& all = session.messages();
    for (std::size_t i = from; i < all.size(); ++i)
        added.push_back({{"role", all[i].role},
                         {"content", all[i].content},
                         {"tool_calls", all[i].toolCalls},
                         {"timings", all[i].timings},
                         {"fields", all[i].fields}});
    return QJsonDocument::fromJson(QByteArray::fromStdString(added.dump())).array();
}

} // namespace

void ChatService::send(const QString& text) {
    runTurn([this, text](ChatWorker& w) {
        const auto onEvent = [this](const AgentEvent& e) {
            switch (e.kind) {
            case AgentEvent::Kind::Text:
                Q_EMIT textDelta(qs(e.text));
                break;
            case AgentEvent::Kind::ToolCall:
                Q_EMIT toolCall(qs(e.call.id), qs(e.call.name), qs(e.call.arguments.dump()));
                break;
            case AgentEvent::Kind::ToolResult:
                Q_EMIT toolResult(qs(e.call.id), qs(e.call.name), qs(e.result.content), e.result.isError,
                                  e.toolMs);
                break;
            case AgentEvent::Kind::TurnEnd:
                Q_EMIT replyStats(toQt(e.stats.toJson()));
                break;
            case AgentEvent::Kind::Note:
                Q_EMIT note(qs(e.text));
                break;
            }
        };
        const std::size_t before = w.session->messages().size();
        const AgentReply r =
            runAgentTurn(*w.session, w.tools->registry, text.toStdString(), w.agent, onEvent);
        Q_EMIT turnMessages(messagesFrom(*w.session, before));
        Q_EMIT toolCallCounts(toQt(w.counters.toJson()));
        busy_ = false;
        Q_EMIT replyFinished(qs(r.content), qs(r.reasoning), int(r.steps.size()));
    });
}

void ChatService::sendBestOf(const QString& text, int n) {
    if (n <= 1) {
        send(text);
        return;
    }
    runTurn([this, text, n](ChatWorker& w) {
        const std::size_t before = w.session->messages().size();
        const BestOfResult b = w.session->bestOf(text.toStdString(), n);
        QJsonArray samples;
        for (std::size_t i = 0; i < b.samples.size(); ++i) {
            const TurnResult& t = b.samples[i];
            const toolcall::ParseResult p = toolcall::parse(w.agent.format, t.text);
            samples.append(QJsonObject{{"content", qs(p.content)},
                                       {"reasoning", qs(p.reasoning)},
                                       {"answer", qs(b.answers[i])},
                                       {"generated_tokens", t.stats.generatedTokens},
                                       {"decode_tokens_per_s", t.stats.decodeTokensPerS},
                                       {"ttft_ms", t.stats.ttftMs},
                                       {"stop_reason", qs(t.stats.stopReason)}});
        }
        Q_EMIT bestOfFinished(samples, b.chosen, b.votes);
        const TurnResult& chosen = b.samples[static_cast<std::size_t>(b.chosen)];
        Q_EMIT replyStats(toQt(chosen.stats.toJson()));
        Q_EMIT turnMessages(messagesFrom(*w.session, before));
        busy_ = false;
        const QJsonObject c = samples[b.chosen].toObject();
        Q_EMIT replyFinished(c.value("content").toString(), c.value("reasoning").toString(), 1);
    });
}

void ChatService::restoreMessages(const QJsonArray& messages) {
    if (!worker_ || !worker_->session) {
        Q_EMIT failed(tr("No model is open: choose one and press Load."));
        return;
    }
    auto w = worker_;
    const std::string text = QJsonDocument(messages).toJson(QJsonDocument::Compact).toStdString();
    auto* ctx = new QObject;
    ctx->moveToThread(thread_);
    QMetaObject::invokeMethod(ctx, [w, text, ctx] {
        std::vector<ChatMessage> list;
        for (const Json& m : Json::parse(text)) {
            ChatMessage c{m.value("role", ""), m.value("content", ""), nullptr, nullptr, nullptr};
            if (m.contains("tool_calls")) c.toolCalls = m["tool_calls"];
            if (m.contains("fields")) c.fields = m["fields"];
            list.push_back(std::move(c));
        }
        w->session->setMessages(std::move(list));
        w->counters.reset(); // the counts are this chat's
        ctx->deleteLater();
    });
}

void ChatService::cancel() {
    if (worker_ && worker_->session && busy_) worker_->session->cancel();
}

} // namespace hone
