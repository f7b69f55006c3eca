// Implementation of the Chat page.
#include "ui/chat_page.h"

#include "common/error.h"
#include "data/builtin_templates.h"
#include "services/settings.h"
#include "store/chat_store.h"
#include "store/run_store.h"
#include "store/store.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace hone::ui {

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

// A user or tool text shown literally inside the markdown view.
QString quoted(const QString& text) {
    QString out;
    for (const QString& line : text.split(QLatin1Char('\n')))
        out += QStringLiteral("> ") + line + QLatin1Char('\n');
    return out;
}

} // namespace

ChatPage::ChatPage(Settings* settings, Store* store, QWidget* parent)
    : QWidget(parent)
    , settings_(settings)
    , store_(store) {
    model_ = new QLineEdit;
    model_->setObjectName(QStringLiteral("chatModelEdit"));
    model_->setPlaceholderText(tr("model folder or .gguf file"));
    auto* browseModel = new QPushButton(tr("Browse…"));
    browseModel->setObjectName(QStringLiteral("chatModelBrowse"));
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(model_, 1);
    modelRow->addWidget(browseModel);
    adapter_ = new QComboBox;
    adapter_->setObjectName(QStringLiteral("chatAdapterCombo"));
    adapter_->setEditable(true);
    adapter_->setToolTip(tr("A run's adapter, a checkpoint or any PEFT folder; applied on the fly"));
    template_ = new QComboBox;
    template_->setObjectName(QStringLiteral("chatTemplateCombo"));
    template_->addItem(tr("model's or adapter's own"), QString());
    for (const auto& t : data::builtinTemplates()) template_->addItem(qs(t.name), qs(t.name));
    system_ = new QLineEdit;
    system_->setObjectName(QStringLiteral("chatSystemEdit"));
    system_->setPlaceholderText(tr("optional system prompt"));

    temperature_ = new QDoubleSpinBox;
    temperature_->setObjectName(QStringLiteral("chatTemperature"));
    temperature_->setRange(-0.01, 2.0);
    temperature_->setSingleStep(0.1);
    temperature_->setSpecialValueText(tr("model default"));
    temperature_->setValue(-0.01);
    topP_ = new QDoubleSpinBox;
    topP_->setObjectName(QStringLiteral("chatTopP"));
    topP_->setRange(-0.01, 1.0);
    topP_->setSingleStep(0.05);
    topP_->setSpecialValueText(tr("model default"));
    topP_->setValue(-0.01);
    topK_ = new QSpinBox;
    topK_->setObjectName(QStringLiteral("chatTopK"));
    topK_->setRange(-1, 1000);
    topK_->setSpecialValueText(tr("model default"));
    topK_->setValue(-1);
    maxTokens_ = new QSpinBox;
    maxTokens_->setObjectName(QStringLiteral("chatMaxTokens"));
    maxTokens_->setRange(1, 32768);
    maxTokens_->setValue(512);
    bestOf_ = new QSpinBox;
    bestOf_->setObjectName(QStringLiteral("chatBestOf"));
    bestOf_->setRange(1, 8);
    bestOf_->setValue(1);
    bestOf_->setSpecialValueText(tr("1 (normal chat)"));
    bestOf_->setToolTip(tr("Sample this many answers to each message from one prefill of the prompt and show "
                           "them side by side; the answer most samples agree on continues the chat (no tools "
                           "run). Needs a temperature above 0 for the answers to differ."));

    calculator_ = new QCheckBox(tr("Calculator"));
    calculator_->setObjectName(QStringLiteral("toolCalculator"));
    datetime_ = new QCheckBox(tr("Date and time"));
    datetime_->setObjectName(QStringLiteral("toolDatetime"));
    runsTool_ = new QCheckBox(tr("Hone's runs (read-only)"));
    runsTool_->setObjectName(QStringLiteral("toolRuns"));
    runsTool_->setEnabled(store != nullptr);
    httpHosts_ = new QLineEdit;
    httpHosts_->setObjectName(QStringLiteral("toolHttpHosts"));
    httpHosts_->setPlaceholderText(tr("hosts HTTP GET may reach, e.g. example.com;*.wikipedia.org"));
    filesDir_ = new QLineEdit;
    filesDir_->setObjectName(QStringLiteral("toolFilesDir"));
    filesDir_->setPlaceholderText(tr("folder the model may read (empty: none)"));
    mcpConfig_ = new QLineEdit;
    mcpConfig_->setObjectName(QStringLiteral("toolMcpConfig"));
    mcpConfig_->setPlaceholderText(tr("MCP config file ({\"mcpServers\": {...}}), empty: none"));
    mcpConfig_->setToolTip(
        tr("A JSON file with \"mcpServers\": {name: {command, args, env, cwd}}: the MCP "
           "servers to start. Their tools ask before they run unless the server marks them "
           "read-only."));
    auto* browseMcp = new QPushButton(tr("Browse…"));
    browseMcp->setObjectName(QStringLiteral("toolMcpBrowse"));
    browseMcp->setToolTip(tr("Choose the MCP config file"));
    auto* mcpRow = new QHBoxLayout;
    mcpRow->addWidget(mcpConfig_, 1);
    mcpRow->addWidget(browseMcp);
    connect(browseMcp, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("MCP config file"), mcpConfig_->text(),
                                                          tr("JSON files (*.json);;All files (*)"));
        if (!file.isEmpty()) mcpConfig_->setText(file);
    });
    load_ = new QPushButton(tr("&Load"));
    load_->setObjectName(QStringLiteral("chatLoadButton"));

    auto* setupBox = new QGroupBox(tr("Model"));
    auto* setupForm = new QFormLayout(setupBox);
    auto* modelLabel = new QLabel(tr("&Model:")); // a layout row gets no buddy from QFormLayout
    modelLabel->setBuddy(model_);
    setupForm->addRow(modelLabel, modelRow);
    setupForm->addRow(tr("&Adapter:"), adapter_);
    setupForm->addRow(tr("&Template:"), template_);
    setupForm->addRow(tr("S&ystem:"), system_);
    auto* samplingBox = new QGroupBox(tr("Sampling"));
    auto* samplingForm = new QFormLayout(samplingBox);
    samplingForm->addRow(tr("Temperature:"), temperature_);
    samplingForm->addRow(tr("Top-p:"), topP_);
    samplingForm->addRow(tr("Top-k:"), topK_);
    samplingForm->addRow(tr("Max tokens:"), maxTokens_);
    samplingForm->addRow(tr("Best of:"), bestOf_);
    auto* toolsBox = new QGroupBox(tr("Tools"));
    auto* toolsForm = new QFormLayout(toolsBox);
    toolsForm->addRow(calculator_);
    toolsForm->addRow(datetime_);
    toolsForm->addRow(runsTool_);
    toolsForm->addRow(tr("Files:"), filesDir_);
    toolsForm->addRow(tr("HTTP:"), httpHosts_);
    toolsForm->addRow(tr("MCP:"), mcpRow);
    callCounts_ = new QLabel(tr("Tool calls: none yet"));
    callCounts_->setObjectName(QStringLiteral("chatToolCallCounts"));
    callCounts_->setWordWrap(true);
    callCounts_->setToolTip(tr("Tool calls of this chat per format: read cleanly, read after repairing a "
                               "near-miss (e.g. a missing brace or quote), and not readable"));
    status_ = new QLabel(tr("Choose a model and press Load."));
    status_->setObjectName(QStringLiteral("chatStatus"));
    status_->setWordWrap(true);

    chats_ = new QListWidget;
    chats_->setObjectName(QStringLiteral("chatList"));
    chats_->setToolTip(tr("Stored chats: double-click (or Enter) reopens one with its model and adapter"));
    chats_->setMaximumHeight(140);
    newChat_ = new QPushButton(tr("&New chat"));
    newChat_->setObjectName(QStringLiteral("chatNewButton"));
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->addWidget(new QLabel(tr("Chats")));
    leftLayout->addWidget(chats_);
    leftLayout->addWidget(newChat_);
    leftLayout->addWidget(setupBox);
    leftLayout->addWidget(samplingBox);
    leftLayout->addWidget(toolsBox);
    leftLayout->addWidget(load_);
    leftLayout->addWidget(status_);
    leftLayout->addStretch();

    view_ = new QTextBrowser;
    view_->setObjectName(QStringLiteral("chatView"));
    view_->setOpenExternalLinks(true);
    input_ = new QPlainTextEdit;
    input_->setObjectName(QStringLiteral("chatInput"));
    input_->setPlaceholderText(tr("Message (Ctrl+Return sends)"));
    input_->setTabChangesFocus(true);
    input_->setMaximumHeight(110);
    send_ = new QPushButton(tr("&Send"));
    send_->setObjectName(QStringLiteral("chatSendButton"));
    send_->setToolTip(tr("Send (Ctrl+Return)"));
    stop_ = new QPushButton(tr("Sto&p"));
    stop_->setObjectName(QStringLiteral("chatStopButton"));
    stop_->setToolTip(tr("Stop the reply (Escape)"));
    stop_->setEnabled(false);
    stats_ = new QLabel;
    stats_->setObjectName(QStringLiteral("chatStats"));
    auto* sendRow = new QHBoxLayout;
    sendRow->addWidget(stats_, 1);
    sendRow->addWidget(stop_);
    sendRow->addWidget(send_);
    calls_ = new QTableWidget(0, 4);
    calls_->setObjectName(QStringLiteral("chatToolCalls"));
    calls_->setHorizontalHeaderLabels({tr("Tool"), tr("Arguments"), tr("Result"), tr("ms")});
    calls_->horizontalHeader()->setStretchLastSection(false);
    calls_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    calls_->verticalHeader()->hide();
    calls_->setEditTriggers(QAbstractItemView::NoEditTriggers);

    bestOfRow_ = new QWidget;
    bestOfRow_->setObjectName(QStringLiteral("chatBestOfRow"));
    new QHBoxLayout(bestOfRow_);
    bestOfRow_->hide();

    auto* right = new QSplitter(Qt::Vertical);
    auto* conversation = new QWidget;
    auto* convLayout = new QVBoxLayout(conversation);
    convLayout->setContentsMargins(0, 0, 0, 0);
    convLayout->addWidget(view_, 1);
    convLayout->addWidget(bestOfRow_);
    convLayout->addWidget(input_);
    convLayout->addLayout(sendRow);
    right->addWidget(conversation);
    auto* callsPanel = new QWidget;
    auto* callsLayout = new QVBoxLayout(callsPanel);
    callsLayout->setContentsMargins(0, 0, 0, 0);
    callsLayout->addWidget(calls_, 1);
    callsLayout->addWidget(callCounts_);
    right->addWidget(callsPanel);
    right->setStretchFactor(0, 4);
    right->setStretchFactor(1, 1);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);

    // Streaming text is drawn at most every 50 ms: re-laying out markdown per token would stall the GUI.
    renderTimer_ = new QTimer(this);
    renderTimer_->setSingleShot(true);
    renderTimer_->setInterval(50);
    connect(renderTimer_, &QTimer::timeout, this, &ChatPage::render);

    connect(browseModel, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Model folder"), model_->text());
        if (!dir.isEmpty()) model_->setText(dir);
    });
    connect(load_, &QPushButton::clicked, this, &ChatPage::load);
    connect(send_, &QPushButton::clicked, this, [this] {
        if (sendMessage(input_->toPlainText())) input_->clear();
    });
    auto* sendKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    connect(sendKey, &QShortcut::activated, send_, &QPushButton::click);
    auto* stopKey = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    connect(stopKey, &QShortcut::activated, stop_, &QPushButton::click);
    connect(stop_, &QPushButton::clicked, &service_, &ChatService::cancel);

    connect(&service_, &ChatService::ready, this, [this](const QString& description) {
        setBusy(false);
        transcript_.clear();
        streaming_.clear();
        calls_->setRowCount(0);
        bestOfRow_->hide();
        showToolCallCounts({}); // a new session counts from zero
        if (restorePending_) {
            // A stored chat: its conversation comes back into the session and the view.
            restorePending_ = false;
            service_.restoreMessages(restoreOnReady_);
            for (const auto& v : restoreOnReady_) {
                const QJsonObject m = v.toObject();
                const QString role = m.value("role").toString();
                if (role == QLatin1String("user"))
                    transcript_ +=
                        tr("**You:**\n\n") + quoted(m.value("content").toString()) + QLatin1Char('\n');
                else if (role == QLatin1String("assistant"))
                    transcript_ +=
                        tr("**Assistant:** ") + m.value("content").toString() + QStringLiteral("\n\n");
                else if (role == QLatin1String("tool"))
                    transcript_ += tr("**Tool result:**\n\n") + quoted(m.value("content").toString()) +
                                   QLatin1Char('\n');
            }
        } else {
            chatId_ = 0; // a new chat starts with the next message
        }
        render();
        setStatus(tr("Loaded: %1").arg(description), false);
        Q_EMIT loaded(true);
    });
    connect(&service_, &ChatService::failed, this, [this](const QString& message) {
        const bool wasLoading = !service_.isOpen();
        setBusy(false);
        if (!streaming_.isEmpty()) {
            transcript_ += streaming_ + QStringLiteral("\n\n");
            streaming_.clear();
        }
        render();
        setStatus(message, true);
        if (wasLoading) Q_EMIT loaded(false);
    });
    connect(&service_, &ChatService::textDelta, this, [this](const QString& delta) {
        streaming_ += delta;
        if (!renderTimer_->isActive()) renderTimer_->start();
    });
    connect(&service_, &ChatService::toolCall, this,
            [this](const QString& id, const QString& name, const QString& args) {
                // The raw call text the model wrote is replaced by the call itself.
                streaming_.clear();
                const int row = calls_->rowCount();
                calls_->insertRow(row);
                auto* tool = new QTableWidgetItem(name);
                tool->setData(Qt::UserRole, id);
                calls_->setItem(row, 0, tool);
                calls_->setItem(row, 1, new QTableWidgetItem(args));
                calls_->setItem(row, 2, new QTableWidgetItem(tr("running…")));
                calls_->setItem(row, 3, new QTableWidgetItem);
                transcript_ += tr("**Tool call:** `%1` %2\n\n").arg(name, args);
                render();
            });
    connect(&service_, &ChatService::toolResult, this,
            [this](const QString& id, const QString& name, const QString& content, bool isError, double ms) {
                for (int row = calls_->rowCount() - 1; row >= 0; --row) {
                    if (calls_->item(row, 0)->data(Qt::UserRole).toString() != id ||
                        calls_->item(row, 0)->text() != name)
                        continue;
                    calls_->item(row, 2)->setText(content);
                    calls_->item(row, 2)->setForeground(isError ? QColor(0xc0, 0x20, 0x20) : QColor());
                    calls_->item(row, 3)->setText(QString::number(ms, 'f', 0));
                    break;
                }
                transcript_ += tr("**Result of `%1`:**\n\n").arg(name) + quoted(content) + QLatin1Char('\n');
                render();
            });
    connect(&service_, &ChatService::note, this,
            [this](const QString& text) { transcript_ += QStringLiteral("*%1*\n\n").arg(text); });
    connect(&service_, &ChatService::replyStats, this, [this](const QJsonObject& s) {
        stats_->setText(tr("TTFT %1 ms · %2 tok/s · prompt %3 tokens, %4 prefilled, %5 reused from the cache")
                            .arg(s.value("ttft_ms").toDouble(), 0, 'f', 0)
                            .arg(s.value("decode_tokens_per_s").toDouble(), 0, 'f', 1)
                            .arg(s.value("prompt_tokens").toInt())
                            .arg(s.value("prefilled").toInt())
                            .arg(s.value("reused").toInt()));
    });
    connect(&service_, &ChatService::replyFinished, this,
            [this](const QString& content, const QString& reasoning, int) {
                streaming_.clear();
                if (!reasoning.isEmpty())
                    transcript_ += tr("*Thinking:*\n\n") + quoted(reasoning) + QLatin1Char('\n');
                transcript_ += tr("**Assistant:** ") + content + QStringLiteral("\n\n");
                setBusy(false);
                render();
                setStatus(tr("Ready."), false);
                Q_EMIT replyDone();
            });
    connect(&service_, &ChatService::turnMessages, this, &ChatPage::storeTurn);
    connect(&service_, &ChatService::bestOfFinished, this, &ChatPage::showBestOf);
    connect(&service_, &ChatService::toolCallCounts, this, &ChatPage::showToolCallCounts);
    connect(chats_, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { openStoredChat(item->data(Qt::UserRole).toLongLong()); });
    connect(newChat_, &QPushButton::clicked, this, [this] {
        chatId_ = 0;
        chats_->clearSelection();
        if (service_.isOpen() && !service_.isBusy()) {
            service_.restoreMessages({});
            transcript_.clear();
            calls_->setRowCount(0);
            bestOfRow_->hide();
            showToolCallCounts({});
            render();
        }
    });
    setApprover({});
    refreshAdapters();
    refreshChats();
}

void ChatPage::refreshChats() {
    chats_->clear();
    if (!store_) return;
    try {
        for (const ChatRecord& c : listChats(*store_)) {
            auto* item = new QListWidgetItem(
                QStringLiteral("%1 · %2").arg(qs(c.title), QFileInfo(qs(c.modelPath)).fileName()));
            item->setData(Qt::UserRole, QVariant::fromValue<qint64>(c.id));
            item->setToolTip(qs(c.modelPath) +
                             (c.adapterPath.empty() ? QString() : " + " + qs(c.adapterPath)));
            chats_->addItem(item);
            if (c.id == chatId_) chats_->setCurrentItem(item);
        }
    } catch (const hone::Error& e) {
        setStatus(tr("The stored chats cannot be read: %1").arg(QString::fromUtf8(e.what())), true);
    }
}

void ChatPage::storeTurn(const QJsonArray& messages) {
    if (!store_ || messages.isEmpty()) return;
    try {
        if (chatId_ == 0) {
            const ChatSetup s = setup();
            ChatRecord c;
            QString title = messages.first().toObject().value("content").toString().simplified();
            if (title.size() > 60) title = title.left(57) + QStringLiteral("…");
            c.title = title.toStdString();
            c.modelPath = s.modelPath.toStdString();
            c.adapterPath = s.adapterPath.toStdString();
            c.settingsJson = QJsonDocument(QJsonObject{{"template", s.templateName},
                                                       {"system", s.systemPrompt},
                                                       {"max_tokens", s.maxTokens},
                                                       {"tools", QJsonArray::fromStringList(s.tools)}})
                                 .toJson(QJsonDocument::Compact)
                                 .toStdString();
            chatId_ = createChat(*store_, c);
        }
        const auto text = [](const QJsonValue& v) {
            return v.isNull() || v.isUndefined() ? std::string()
                                                 : QJsonDocument::fromVariant(v.toVariant())
                                                       .toJson(QJsonDocument::Compact)
                                                       .toStdString();
        };
        for (const auto& v : messages) {
            const QJsonObject m = v.toObject();
            StoredMessage sm;
            sm.role = m.value("role").toString().toStdString();
            sm.content = m.value("content").toString().toStdString();
            sm.toolCallsJson = text(m.value("tool_calls"));
            QJsonObject timings = m.value("timings").toObject();
            if (m.value("fields").isObject()) timings.insert(QStringLiteral("fields"), m.value("fields"));
            sm.timingsJson = timings.isEmpty() ? std::string() : text(timings);
            appendMessage(*store_, chatId_, sm);
        }
        refreshChats();
    } catch (const hone::Error& e) {
        setStatus(tr("The chat could not be saved: %1").arg(QString::fromUtf8(e.what())), true);
    }
}

bool ChatPage::openStoredChat(qint64 chatId) {
    if (!store_ || service_.isBusy()) return false;
    try {
        const ChatRecord c = loadChat(*store_, chatId);
        QJsonArray msgs;
        for (const StoredMessage& m : chatMessages(*store_, chatId)) {
            QJsonObject o{{"role", qs(m.role)}, {"content", qs(m.content)}};
            if (!m.toolCallsJson.empty())
                o.insert("tool_calls",
                         QJsonDocument::fromJson(QByteArray::fromStdString(m.toolCallsJson)).array());
            if (!m.timingsJson.empty()) {
                const QJsonObject t =
                    QJsonDocument::fromJson(QByteArray::fromStdString(m.timingsJson)).object();
                if (t.value("fields").isObject()) o.insert("fields", t.value("fields"));
            }
            msgs.append(o);
        }
        setModel(qs(c.modelPath));
        setAdapter(qs(c.adapterPath));
        const QJsonObject settings =
            QJsonDocument::fromJson(QByteArray::fromStdString(c.settingsJson)).object();
        const int tpl = template_->findData(settings.value("template").toString());
        if (tpl >= 0) template_->setCurrentIndex(tpl);
        system_->setText(settings.value("system").toString());
        chatId_ = chatId;
        restoreOnReady_ = msgs;
        restorePending_ = true;
        load();
        return true;
    } catch (const hone::Error& e) {
        setStatus(QString::fromUtf8(e.what()), true);
        return false;
    }
}

void ChatPage::setApprover(std::function<bool(const QString&, const QString&)> approver) {
    if (!approver)
        approver = [this](const QString& tool, const QString& args) {
            return QMessageBox::question(this, tr("Run a tool?"),
                                         tr("The model wants to run %1, which can change things outside the "
                                            "chat, with:\n\n%2\n\nRun it?")
                                             .arg(tool, args),
                                         QMessageBox::Yes | QMessageBox::No,
                                         QMessageBox::No) == QMessageBox::Yes;
        };
    service_.setApprover(std::move(approver));
}

void ChatPage::refreshAdapters() {
    adapter_->clear();
    adapter_->addItem(tr("none"), QString());
    if (!store_) return;
    try {
        RunStore runs(*store_);
        for (const RunRecord& r : runs.listRuns()) {
            if (r.adapterPath.empty() || !QFileInfo::exists(qs(r.adapterPath))) continue;
            adapter_->addItem(tr("run #%1 %2").arg(r.id).arg(qs(r.name)), qs(r.adapterPath));
        }
    } catch (const hone::Error&) {
        // No runs to offer; a folder can still be typed in.
    }
}

void ChatPage::setModel(const QString& path) {
    model_->setText(path);
}

void ChatPage::setAdapter(const QString& path) {
    const int at = adapter_->findData(path);
    if (at >= 0)
        adapter_->setCurrentIndex(at);
    else
        adapter_->setEditText(path);
}

ChatSetup ChatPage::setup() const {
    ChatSetup s;
    s.modelPath = model_->text().trimmed();
    const QVariant chosen = adapter_->currentData();
    s.adapterPath = adapter_->currentIndex() >= 0 &&
                            adapter_->currentText() == adapter_->itemText(adapter_->currentIndex())
                        ? chosen.toString()
                        : adapter_->currentText().trimmed();
    s.templateName = template_->currentData().toString();
    s.systemPrompt = system_->text();
    s.temperature = temperature_->value() < 0 ? -1 : temperature_->value();
    s.topP = topP_->value() < 0 ? -1 : topP_->value();
    s.topK = topK_->value();
    s.maxTokens = maxTokens_->value();
    if (settings_) s.device = settings_->defaultDevice();
    // All cores: streaming into the view costs the model no measurable time at equal threads, while leaving
    // a core to the GUI cost a 124M model a third of its speed on two cores (bench_chat_stream).
    s.threads = 0;
    if (calculator_->isChecked()) s.tools << QStringLiteral("calculator");
    if (datetime_->isChecked()) s.tools << QStringLiteral("datetime");
    if (runsTool_->isChecked() && store_) {
        s.tools << QStringLiteral("runs");
        s.databasePath = store_->path();
    }
    if (!httpHosts_->text().trimmed().isEmpty())
        s.tools << QStringLiteral("http:") + httpHosts_->text().trimmed();
    if (!filesDir_->text().trimmed().isEmpty())
        s.tools << QStringLiteral("files:") + filesDir_->text().trimmed();
    if (!mcpConfig_->text().trimmed().isEmpty())
        s.tools << QStringLiteral("mcp:") + mcpConfig_->text().trimmed();
    return s;
}

void ChatPage::load() {
    const ChatSetup s = setup();
    if (s.modelPath.isEmpty()) {
        setStatus(tr("Choose a model folder or a .gguf file first."), true);
        Q_EMIT loaded(false);
        return;
    }
    setStatus(tr("Loading %1…").arg(s.modelPath), false);
    setBusy(true);
    service_.open(s);
}

bool ChatPage::sendMessage(const QString& text) {
    const QString message = text.trimmed();
    if (message.isEmpty() || !service_.isOpen() || service_.isBusy()) {
        if (!service_.isOpen()) setStatus(tr("Load a model first."), true);
        return false;
    }
    transcript_ += tr("**You:**\n\n") + quoted(message) + QLatin1Char('\n');
    streaming_.clear();
    render();
    setBusy(true);
    bestOfRow_->hide();
    const int n = bestOf_->value();
    if (n > 1) {
        setStatus(tr("Sampling %1 answers… (Escape stops)").arg(n), false);
        service_.sendBestOf(message, n);
    } else {
        setStatus(tr("Generating… (Escape stops)"), false);
        service_.send(message);
    }
    return true;
}

void ChatPage::showBestOf(const QJsonArray& samples, int chosen, int votes) {
    auto* row = static_cast<QHBoxLayout*>(bestOfRow_->layout());
    while (QLayoutItem* item = row->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (int i = 0; i < samples.size(); ++i) {
        const QJsonObject s = samples[i].toObject();
        auto* box = new QGroupBox(
            i == chosen ? tr("Answer %1 ✔ chosen (%2 of %3 agree)").arg(i + 1).arg(votes).arg(samples.size())
                        : tr("Answer %1").arg(i + 1));
        box->setObjectName(QStringLiteral("chatBestOfAnswer"));
        box->setProperty("chosen", i == chosen);
        box->setToolTip(tr("%1 tokens at %2 tok/s, stopped by %3; compared as: %4")
                            .arg(s.value("generated_tokens").toInt())
                            .arg(s.value("decode_tokens_per_s").toDouble(), 0, 'f', 1)
                            .arg(s.value("stop_reason").toString(), s.value("answer").toString()));
        auto* text = new QPlainTextEdit;
        text->setObjectName(QStringLiteral("chatBestOfText"));
        text->setReadOnly(true);
        const QString reasoning = s.value("reasoning").toString();
        text->setPlainText(reasoning.isEmpty()
                               ? s.value("content").toString()
                               : tr("Thinking: %1\n\n%2").arg(reasoning, s.value("content").toString()));
        auto* boxLayout = new QVBoxLayout(box);
        boxLayout->setContentsMargins(4, 4, 4, 4);
        boxLayout->addWidget(text);
        row->addWidget(box, 1);
    }
    bestOfRow_->setMaximumHeight(220);
    bestOfRow_->show();
}

void ChatPage::showToolCallCounts(const QJsonObject& counts) {
    QStringList parts;
    for (auto it = counts.begin(); it != counts.end(); ++it) {
        const QJsonObject c = it.value().toObject();
        const int parsed = c.value("parsed").toInt(), repaired = c.value("repaired").toInt(),
                  failedCalls = c.value("failed").toInt();
        if (parsed + repaired + failedCalls == 0) continue;
        parts << tr("%1: %2 parsed, %3 repaired, %4 failed")
                     .arg(it.key())
                     .arg(parsed)
                     .arg(repaired)
                     .arg(failedCalls);
    }
    callCounts_->setText(parts.isEmpty() ? tr("Tool calls: none yet")
                                         : tr("Tool calls: %1").arg(parts.join(QStringLiteral("; "))));
}

QString ChatPage::toolCallCountsText() const {
    return callCounts_->text();
}

void ChatPage::render() {
    QString md = transcript_;
    if (!streaming_.isEmpty()) md += tr("**Assistant:** ") + streaming_;
    auto* bar = view_->verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 4;
    view_->setMarkdown(md);
    if (atEnd) bar->setValue(bar->maximum());
}

void ChatPage::setBusy(bool busy) {
    load_->setEnabled(!busy);
    send_->setEnabled(!busy);
    stop_->setEnabled(busy && service_.isOpen());
}

void ChatPage::setStatus(const QString& text, bool error) {
    status_->setStyleSheet(error ? QStringLiteral("color: #c02020;") : QString());
    status_->setText(text);
}

QString ChatPage::statusText() const {
    return status_->text();
}

QString ChatPage::statsText() const {
    return stats_->text();
}

} // namespace hone::ui
