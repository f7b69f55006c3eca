// The Arena: the same prompt to two configurations of one model side by side — base against a fine-tuned
// adapter, or two checkpoints — each streaming into its own pane with its statistics, then a vote (left,
// right, tie, both bad) stored in hone.db with both replies, and the running tally shown.
#pragma once

#include "services/chat_service.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTextBrowser;

namespace hone {
class Settings;
class Store;
} // namespace hone

namespace hone::ui {

class ArenaPage : public QWidget {
    Q_OBJECT
public:
    // `store` (open) gives the adapters to choose from and keeps the votes; both outlive the page.
    ArenaPage(Settings* settings, Store* store, QWidget* parent = nullptr);

    void setModel(const QString& path);
    // Chooses a side's adapter by folder ("" = the base model); the folder is added when not listed.
    void setAdapter(int side, const QString& folder);
    // Loads both sides (what Load does); loaded(bool) follows once both are ready or one failed.
    void load();
    // Sends the prompt to both sides (what Send does); false when not loaded or still busy.
    bool sendPrompt(const QString& text);
    // Stores the vote for the last pair of replies ("left", "right", "tie", "both_bad"); false when there is
    // no finished pair or it was voted on already.
    bool vote(const QString& winner);
    QString replyText(int side) const;
    QString statusText() const;
    QString tallyText() const;
    ChatService* service(int side) { return side == 0 ? &left_ : &right_; }

Q_SIGNALS:
    void loaded(bool ok);
    void bothReplied();

private:
    void wire(int side);
    void refreshAdapters();
    void updateTally();
    void setStatus(const QString& text, bool error);
    QString label(int side) const;

    Settings* settings_;
    Store* store_;
    ChatService left_, right_;
    QString reply_[2];
    bool done_[2] = {false, false};
    bool ready_[2] = {false, false};
    bool voted_ = true;
    QString prompt_;

    QLineEdit* model_;
    QComboBox* template_;
    QComboBox* adapter_[2];
    QPushButton* load_;
    QPlainTextEdit* input_;
    QPushButton* send_;
    QTextBrowser* view_[2];
    QLabel* stats_[2];
    QPushButton* voteButtons_[4];
    QLabel* status_;
    QLabel* tally_;
};

} // namespace hone::ui
