// The Chat page: load a model with an optional adapter (a run's, or any PEFT folder), a built-in template for
// models without one, sampling settings and tools (calculator, date/time, files in a folder, MCP servers);
// the conversation streams into a markdown view, tool calls and their results are listed with timings, tools
// with side effects ask first (with per-format counts of calls parsed, repaired and failed), best of N shows
// N sampled answers side by side with the majority vote's choice marked, and each reply's time to first
// token, tokens/s and KV-cache reuse are shown.
#pragma once

#include "services/chat_service.h"

#include <QJsonArray>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTextBrowser;
class QTimer;

namespace hone {
class Settings;
class Store;
} // namespace hone

namespace hone::ui {

class ChatPage : public QWidget {
    Q_OBJECT
public:
    // `store` (open) lists the runs whose adapters can be chosen; may be null.
    ChatPage(Settings* settings, Store* store, QWidget* parent = nullptr);

    ChatService* service() { return &service_; }
    // The setup the form describes.
    ChatSetup setup() const;
    void setModel(const QString& path);
    void setAdapter(const QString& path);
    // Loads the model (what the Load button does).
    void load();
    // Sends `text` as the user (what Send does); false when nothing is loaded or a reply is running.
    bool sendMessage(const QString& text);
    // The conversation as markdown (what the view shows).
    QString transcript() const { return transcript_; }
    QString statusText() const;
    QString statsText() const;
    // The per-format tool-call counts of this chat (parsed, repaired, failed) as the tool panel shows them.
    QString toolCallCountsText() const;
    // Reopens a stored chat: its model and adapter are loaded and its messages restored (the view shows
    // them); false when the store does not have it.
    bool openStoredChat(qint64 chatId);
    // The stored chat the conversation is saved into (0 until the first message).
    qint64 chatId() const { return chatId_; }
    // How tools with side effects are approved; the default asks with a message box (tests set their own).
    void setApprover(std::function<bool(const QString& tool, const QString& argumentsJson)> approver);

Q_SIGNALS:
    void loaded(bool ok);
    void replyDone();

private:
    void refreshAdapters();
    void refreshChats();
    void storeTurn(const QJsonArray& messages);
    void render();
    void setStatus(const QString& text, bool error);
    void setBusy(bool busy);
    void showBestOf(const QJsonArray& samples, int chosen, int votes);
    void showToolCallCounts(const QJsonObject& counts);

    Settings* settings_;
    Store* store_;
    ChatService service_;
    QString transcript_; // markdown of the finished part
    QString streaming_;  // the reply being streamed
    QTimer* renderTimer_;
    qint64 chatId_ = 0;
    QJsonArray restoreOnReady_; // messages of a stored chat, restored once its model is loaded
    bool restorePending_ = false;
    QListWidget* chats_;
    QPushButton* newChat_;

    QLineEdit* model_;
    QComboBox* adapter_;
    QComboBox* template_;
    QLineEdit* system_;
    QDoubleSpinBox* temperature_;
    QDoubleSpinBox* topP_;
    QSpinBox* topK_;
    QSpinBox* maxTokens_;
    QSpinBox* bestOf_;
    QCheckBox* calculator_;
    QCheckBox* datetime_;
    QCheckBox* runsTool_;
    QLineEdit* httpHosts_;
    QLineEdit* filesDir_;
    QLineEdit* mcpConfig_;
    QPushButton* load_;
    QLabel* status_;
    QTextBrowser* view_;
    QPlainTextEdit* input_;
    QPushButton* send_;
    QPushButton* stop_;
    QLabel* stats_;
    QTableWidget* calls_;
    QLabel* callCounts_;
    QWidget* bestOfRow_; // the last best-of reply's answers side by side; hidden otherwise
};

} // namespace hone::ui
