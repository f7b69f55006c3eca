// Implementation of the Arena page.
#include "ui/arena_page.h"

#include "common/error.h"
#include "data/builtin_templates.h"
#include "services/settings.h"
#include "store/chat_store.h"
#include "store/run_store.h"
#include "store/store.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <map>

namespace hone::ui {

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

const char* const kWinners[4] = {"left", "right", "tie", "both_bad"};

} // namespace

ArenaPage::ArenaPage(Settings* settings, Store* store, QWidget* parent)
    : QWidget(parent)
    , settings_(settings)
    , store_(store) {
    model_ = new QLineEdit;
    model_->setObjectName(QStringLiteral("arenaModelEdit"));
    model_->setPlaceholderText(tr("model folder or .gguf file"));
    template_ = new QComboBox;
    template_->setObjectName(QStringLiteral("arenaTemplateCombo"));
    template_->addItem(tr("model's or adapter's own"), QString());
    for (const auto& t : data::builtinTemplates()) template_->addItem(qs(t.name), qs(t.name));
    load_ = new QPushButton(tr("&Load both"));
    load_->setObjectName(QStringLiteral("arenaLoadButton"));
    auto* top = new QFormLayout;
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(model_, 1);
    modelRow->addWidget(template_);
    modelRow->addWidget(load_);
    auto* modelLabel = new QLabel(tr("&Model:")); // a layout row gets no buddy from QFormLayout
    modelLabel->setBuddy(model_);
    top->addRow(modelLabel, modelRow);

    auto* panes = new QGridLayout;
    for (int side = 0; side < 2; ++side) {
        adapter_[side] = new QComboBox;
        adapter_[side]->setObjectName(side == 0 ? QStringLiteral("arenaLeftAdapter")
                                                : QStringLiteral("arenaRightAdapter"));
        view_[side] = new QTextBrowser;
        view_[side]->setObjectName(side == 0 ? QStringLiteral("arenaLeftView")
                                             : QStringLiteral("arenaRightView"));
        stats_[side] = new QLabel;
        panes->addWidget(new QLabel(side == 0 ? tr("Left:") : tr("Right:")), 0, side * 2);
        panes->addWidget(adapter_[side], 0, side * 2 + 1);
        panes->addWidget(view_[side], 1, side * 2, 1, 2);
        panes->addWidget(stats_[side], 2, side * 2, 1, 2);
    }
    input_ = new QPlainTextEdit;
    input_->setObjectName(QStringLiteral("arenaInput"));
    input_->setPlaceholderText(tr("Prompt for both sides (Ctrl+Return sends)"));
    input_->setTabChangesFocus(true);
    input_->setMaximumHeight(90);
    send_ = new QPushButton(tr("&Send to both"));
    send_->setObjectName(QStringLiteral("arenaSendButton"));
    auto* sendRow = new QHBoxLayout;
    sendRow->addWidget(input_, 1);
    sendRow->addWidget(send_);
    const QString voteText[4] = {tr("Left is better"), tr("Right is better"), tr("Tie"), tr("Both bad")};
    auto* voteRow = new QHBoxLayout;
    for (int i = 0; i < 4; ++i) {
        voteButtons_[i] = new QPushButton(voteText[i]);
        voteButtons_[i]->setObjectName(QStringLiteral("vote_%1").arg(QLatin1String(kWinners[i])));
        voteButtons_[i]->setEnabled(false);
        voteRow->addWidget(voteButtons_[i]);
        const QString winner = QLatin1String(kWinners[i]);
        connect(voteButtons_[i], &QPushButton::clicked, this, [this, winner] { vote(winner); });
    }
    voteRow->addStretch();
    status_ = new QLabel(tr("Choose a model and an adapter for each side, then Load both."));
    status_->setObjectName(QStringLiteral("arenaStatus"));
    status_->setWordWrap(true);
    tally_ = new QLabel;
    tally_->setObjectName(QStringLiteral("arenaTally"));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(panes, 1);
    layout->addLayout(sendRow);
    layout->addLayout(voteRow);
    layout->addWidget(status_);
    layout->addWidget(tally_);

    connect(load_, &QPushButton::clicked, this, &ArenaPage::load);
    connect(send_, &QPushButton::clicked, this, [this] {
        if (sendPrompt(input_->toPlainText())) input_->clear();
    });
    auto* sendKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    connect(sendKey, &QShortcut::activated, send_, &QPushButton::click);
    wire(0);
    wire(1);
    refreshAdapters();
    updateTally();
}

void ArenaPage::wire(int side) {
    ChatService* s = service(side);
    connect(s, &ChatService::ready, this, [this, side](const QString&) {
        ready_[side] = true;
        if (ready_[0] && ready_[1]) {
            load_->setEnabled(true);
            setStatus(tr("Both sides are loaded: send a prompt."), false);
            Q_EMIT loaded(true);
        }
    });
    connect(s, &ChatService::failed, this, [this, side](const QString& message) {
        setStatus(tr("%1: %2").arg(side == 0 ? tr("Left") : tr("Right"), message), true);
        load_->setEnabled(true);
        if (!ready_[side]) Q_EMIT loaded(false);
        done_[side] = true;
    });
    connect(s, &ChatService::textDelta, this, [this, side](const QString& delta) {
        reply_[side] += delta;
        view_[side]->setMarkdown(reply_[side]);
    });
    connect(s, &ChatService::replyStats, this, [this, side](const QJsonObject& st) {
        stats_[side]->setText(tr("TTFT %1 ms · %2 tok/s")
                                  .arg(st.value("ttft_ms").toDouble(), 0, 'f', 0)
                                  .arg(st.value("decode_tokens_per_s").toDouble(), 0, 'f', 1));
    });
    connect(s, &ChatService::replyFinished, this, [this, side](const QString& content, const QString&, int) {
        reply_[side] = content;
        view_[side]->setMarkdown(content);
        done_[side] = true;
        if (done_[0] && done_[1]) {
            voted_ = false;
            for (auto* b : voteButtons_) b->setEnabled(true);
            send_->setEnabled(true);
            setStatus(tr("Which reply is better?"), false);
            Q_EMIT bothReplied();
        }
    });
}

void ArenaPage::refreshAdapters() {
    for (auto* combo : adapter_) {
        combo->clear();
        combo->addItem(tr("base model"), QString());
    }
    if (!store_) return;
    try {
        RunStore runs(*store_);
        for (const RunRecord& r : runs.listRuns()) {
            if (r.adapterPath.empty() || !QFileInfo::exists(qs(r.adapterPath))) continue;
            for (auto* combo : adapter_)
                combo->addItem(tr("run #%1 %2").arg(r.id).arg(qs(r.name)), qs(r.adapterPath));
        }
    } catch (const hone::Error&) {
        // Base against base still works.
    }
}

void ArenaPage::setModel(const QString& path) {
    model_->setText(path);
}

void ArenaPage::setAdapter(int side, const QString& folder) {
    QComboBox* combo = adapter_[side == 0 ? 0 : 1];
    int at = combo->findData(folder);
    if (at < 0) {
        combo->addItem(QFileInfo(folder).fileName(), folder);
        at = combo->count() - 1;
    }
    combo->setCurrentIndex(at);
}

QString ArenaPage::label(int side) const {
    const QComboBox* combo = adapter_[side];
    return combo->currentData().toString().isEmpty() ? QStringLiteral("base") : combo->currentText();
}

void ArenaPage::load() {
    if (model_->text().trimmed().isEmpty()) {
        setStatus(tr("Choose a model folder or a .gguf file first."), true);
        Q_EMIT loaded(false);
        return;
    }
    load_->setEnabled(false);
    setStatus(tr("Loading both sides…"), false);
    for (int side = 0; side < 2; ++side) {
        ChatSetup s;
        s.modelPath = model_->text().trimmed();
        s.adapterPath = adapter_[side]->currentData().toString();
        s.templateName = template_->currentData().toString();
        if (settings_) s.device = settings_->defaultDevice();
        ready_[side] = false;
        service(side)->open(s);
    }
}

bool ArenaPage::sendPrompt(const QString& text) {
    const QString prompt = text.trimmed();
    if (prompt.isEmpty() || !ready_[0] || !ready_[1] || left_.isBusy() || right_.isBusy()) {
        if (!ready_[0] || !ready_[1]) setStatus(tr("Load both sides first."), true);
        return false;
    }
    prompt_ = prompt;
    for (int side = 0; side < 2; ++side) {
        reply_[side].clear();
        view_[side]->clear();
        done_[side] = false;
    }
    voted_ = true;
    for (auto* b : voteButtons_) b->setEnabled(false);
    send_->setEnabled(false);
    setStatus(tr("Both sides are answering…"), false);
    left_.send(prompt);
    right_.send(prompt);
    return true;
}

bool ArenaPage::vote(const QString& winner) {
    if (voted_ || !done_[0] || !done_[1] || !store_) return false;
    ArenaVote v;
    v.prompt = prompt_.toStdString();
    v.leftLabel = label(0).toStdString();
    v.rightLabel = label(1).toStdString();
    v.leftText = reply_[0].toStdString();
    v.rightText = reply_[1].toStdString();
    v.winner = winner.toStdString();
    try {
        addArenaVote(*store_, v);
    } catch (const hone::Error& e) {
        setStatus(tr("The vote could not be stored: %1").arg(QString::fromUtf8(e.what())), true);
        return false;
    }
    voted_ = true;
    for (auto* b : voteButtons_) b->setEnabled(false);
    setStatus(tr("Vote stored. Send another prompt."), false);
    updateTally();
    return true;
}

void ArenaPage::updateTally() {
    if (!store_) return;
    try {
        std::map<std::string, int> count;
        const auto votes = listArenaVotes(*store_);
        for (const auto& v : votes) ++count[v.winner];
        tally_->setText(tr("%1 votes so far: left %2, right %3, tie %4, both bad %5")
                            .arg(votes.size())
                            .arg(count["left"])
                            .arg(count["right"])
                            .arg(count["tie"])
                            .arg(count["both_bad"]));
    } catch (const hone::Error&) {
        tally_->clear();
    }
}

void ArenaPage::setStatus(const QString& text, bool error) {
    status_->setStyleSheet(error ? QStringLiteral("color: #c02020;") : QString());
    status_->setText(text);
}

QString ArenaPage::replyText(int side) const {
    return reply_[side == 0 ? 0 : 1];
}

QString ArenaPage::statusText() const {
    return status_->text();
}

QString ArenaPage::tallyText() const {
    return tally_->text();
}

} // namespace hone::ui
