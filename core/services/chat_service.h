// The studio's chat: a model (+ optional LoRA adapter) loaded in a worker thread, one ChatSession with the
// agent loop and the chosen tools; user messages go in, text deltas, tool calls, tool results, notes and each
// reply's statistics come back through queued signals, so the GUI never waits on the model. Cancel stops the
// running reply at the next token. Tools with side effects ask the GUI (approver) before they run. Best of N
// samples N answers and lets a majority vote pick the one that continues; tool calls are counted per format.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace hone {

struct ChatSetup {
    QString modelPath;   // model folder or .gguf
    QString adapterPath; // PEFT/run/checkpoint folder; "" none
    QString systemPrompt;
    QString device = QStringLiteral("auto");
    // Sampling; a negative value keeps the model's generation_config.json default.
    double temperature = -1, topP = -1, minP = -1, repetitionPenalty = -1;
    int topK = -1;
    int maxTokens = 512;
    int threads = 0;      // LibTorch threads; 0 = all cores
    QStringList tools;    // calculator, datetime, files:DIR, mcp:CONFIG
    QString databasePath; // hone.db, for the runs tool
    int maxAgentSteps = 8;
    QString templateName; // a built-in template for models without one ("" = the model's / adapter's)
};

struct ChatWorker;

class ChatService : public QObject {
    Q_OBJECT
public:
    explicit ChatService(QObject* parent = nullptr);
    ~ChatService() override; // cancels a running reply and waits for the worker

    // Loads in the worker; ready() or failed() follows. Replaces any open chat.
    void open(const ChatSetup& setup);
    // Sends a user message; the reply streams through textDelta/toolCall/toolResult and ends with
    // replyFinished (or failed). Ignored (with failed()) while a reply is running or nothing is open.
    void send(const QString& text);
    // Best of N (n >= 2; 1 is send()): N answers to `text` sampled with the chat's next N seeds from one
    // prefill of the prompt, no tools run; bestOfFinished shows them all, then the majority answer's sample
    // continues the conversation and is reported like a normal reply (replyStats, turnMessages,
    // replyFinished).
    void sendBestOf(const QString& text, int n);
    void cancel();
    bool isBusy() const { return busy_.load(); }
    bool isOpen() const { return open_; }

    // Called in the GUI thread for a tool with side effects; return true to run it. Default: decline.
    void setApprover(std::function<bool(const QString& tool, const QString& argumentsJson)> approver);
    // Replaces the open chat's conversation (a stored chat reloaded, or [] for a new chat) and restarts the
    // tool-call counts: [{role, content, tool_calls?, fields?}].
    void restoreMessages(const QJsonArray& messages);

Q_SIGNALS:
    void ready(const QString& description);
    void failed(const QString& message);
    void textDelta(const QString& delta);
    void toolCall(const QString& id, const QString& name, const QString& argumentsJson);
    void toolResult(const QString& id, const QString& name, const QString& content, bool isError, double ms);
    void note(const QString& text);
    // One model reply's statistics (TurnStats JSON: prompt_tokens, prefilled, reused, ttft_ms, ...).
    void replyStats(const QJsonObject& stats);
    // The whole answer to the user's message (after any tool steps): final content and reasoning.
    void replyFinished(const QString& content, const QString& reasoning, int steps);
    // The messages the last user message added to the conversation (it included), for storing:
    // [{role, content, tool_calls, timings, fields}], JSON null where absent.
    void turnMessages(const QJsonArray& messages);
    // A best-of reply's samples, [{content, reasoning, answer (normalised for the vote), generated_tokens,
    // decode_tokens_per_s, ttft_ms, stop_reason}], the chosen one's index and how many samples agree with it.
    void bestOfFinished(const QJsonArray& samples, int chosen, int votes);
    // This chat's tool-call counters after each reply: {"hermes": {"parsed", "repaired", "failed"}, ...}.
    void toolCallCounts(const QJsonObject& counts);

private:
    // Runs `job` in the worker for a user message unless nothing is open or a reply is running.
    void runTurn(std::function<void(ChatWorker& w)> job);
    bool approve(const QString& tool, const QString& argumentsJson);

    QThread* thread_;
    std::shared_ptr<ChatWorker> worker_;
    std::atomic<bool> busy_{false};
    bool open_ = false;
    std::function<bool(const QString&, const QString&)> approver_;
};

} // namespace hone
