// The Chat page's tool path with a real model and the real npm MCP filesystem server: the archs/llama fixture
// (random weights, stories260K's vocabulary) is fine-tuned by `hone train` with the built-in alpaca template
// to answer "Save a note." with a near-miss call of the server's write_file tool (its closing brace left
// out), then "Not saved." after the tool's answer. alpaca has no tool-call syntax, so the chat parses calls
// in the generic format without constrained decoding: the near-miss goes through the repair pass, and the
// tool panel counts it as repaired. write_file is not marked readOnlyHint, so the page must ask before it
// runs: declined, the model gets "declined by the user" as the tool's result, nothing is written and the
// conversation goes on; approved, the file is written.
#include "common/test_support.h"
#include "services/chat_service.h"
#include "ui/chat_page.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QProcess>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace hone;

namespace {

const char* kAsk = "Save a note.";

struct Approval {
    QString tool, arguments;
};

} // namespace

class TestChatTools : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(home_.isValid() && root_.isValid());
        qputenv("HONE_HOME", home_.filePath("home").toLocal8Bit());
        model_ = test::fixture("archs/llama/hf");
        HONE_REQUIRE_PATH(model_);
        const QString server = test::sourceDir() + "/tests/oracles/node_modules/.bin/mcp-server-filesystem";
        HONE_REQUIRE_ORACLE(QFileInfo(server).isExecutable() &&
                                !QStandardPaths::findExecutable("node").isEmpty(),
                            "tests/oracles/node_modules (scripts/hone-dev.sh install_node_oracles) and node");
        mcpConfig_ = home_.filePath("mcp.json");
        QFile cfg(mcpConfig_);
        QVERIFY(cfg.open(QIODevice::WriteOnly));
        cfg.write(
            QJsonDocument(QJsonObject{{"mcpServers",
                                       QJsonObject{{"fs", QJsonObject{{"command", server},
                                                                      {"args", QJsonArray{root_.path()}}}}}}})
                .toJson());
        cfg.close();

        // The near-miss as the reply's text; tool_calls only makes the row a valid tool conversation (the
        // alpaca template does not show it).
        const QString nearMiss =
            QStringLiteral(R"({"name": "write_file", "arguments": {"path": "note.txt", "content": "hi"})");
        const QJsonArray calls{QJsonObject{
            {"type", "function"},
            {"function", QJsonObject{{"name", "write_file"},
                                     {"arguments", QJsonObject{{"path", "note.txt"}, {"content", "hi"}}}}}}};
        const QJsonObject line{
            {"messages",
             QJsonArray{QJsonObject{{"role", "user"}, {"content", kAsk}},
                        QJsonObject{{"role", "assistant"}, {"content", nearMiss}, {"tool_calls", calls}},
                        QJsonObject{{"role", "tool"}, {"content", "declined"}},
                        QJsonObject{{"role", "assistant"}, {"content", "Not saved."}}}}};
        QString error;
        adapter_ = test::trainOnOneConversation(model_, line, QStringLiteral("alpaca"), home_.path(), &error);
        QVERIFY2(!adapter_.isEmpty(), qPrintable(error));
    }

    void declinedCallIsToldToTheModel() {
        QList<Approval> asked;
        ui::ChatPage page(nullptr, nullptr);
        load(page, [&](const QString& tool, const QString& args) {
            asked.append({tool, args});
            return false;
        });
        QSignalSpy results(page.service(), &ChatService::toolResult);
        QSignalSpy turn(page.service(), &ChatService::turnMessages);
        // replyFinished is the worker's last signal: a QSignalSpy would record it in the worker thread while
        // this thread already reads it (replyDone comes through the page's queued slot), so it is recorded
        // here through a queued connection instead.
        int finishedCount = 0, finishedSteps = 0;
        QString finishedContent;
        connect(page.service(), &ChatService::replyFinished, &page,
                [&](const QString& content, const QString&, int steps) {
                    ++finishedCount;
                    finishedContent = content;
                    finishedSteps = steps;
                });
        QSignalSpy done(&page, &ui::ChatPage::replyDone);
        QVERIFY(page.sendMessage(kAsk));
        QVERIFY(done.wait(120000));
        QTRY_COMPARE(finishedCount, 1);
        QVERIFY2(!asked.isEmpty(), qPrintable(page.transcript()));
        QCOMPARE(asked[0].tool, QStringLiteral("write_file"));
        const QJsonObject args = QJsonDocument::fromJson(asked[0].arguments.toUtf8()).object();
        QCOMPARE(args.value("path").toString(), QStringLiteral("note.txt"));
        QCOMPARE(args.value("content").toString(), QStringLiteral("hi"));
        QVERIFY(!results.isEmpty());
        QCOMPARE(results[0][1].toString(), QStringLiteral("write_file"));
        QVERIFY2(results[0][2].toString().contains("declined"), qPrintable(results[0][2].toString()));
        QVERIFY(results[0][3].toBool()); // an error result
        QVERIFY(!QFileInfo::exists(root_.filePath("note.txt")));
        // The model read the refusal and answered: a tool message, then an assistant reply after it.
        QCOMPARE(turn.count(), 1);
        const QJsonArray msgs = turn[0][0].toJsonArray();
        int toolAt = -1;
        for (int i = 0; i < msgs.size(); ++i)
            if (msgs[i].toObject().value("role") == QLatin1String("tool") && toolAt < 0) toolAt = i;
        QVERIFY(toolAt > 0);
        QVERIFY(msgs[toolAt].toObject().value("content").toString().contains("declined"));
        QVERIFY(toolAt + 1 < msgs.size());
        QCOMPARE(msgs[toolAt + 1].toObject().value("role").toString(), QStringLiteral("assistant"));
        QVERIFY(finishedSteps >= 2);
        QVERIFY2(finishedContent.contains("Not saved"), qPrintable(page.transcript()));
        // The near-miss was repaired and counted.
        QVERIFY2(page.toolCallCountsText().contains("generic: ") &&
                     page.toolCallCountsText().contains(QStringLiteral("%1 repaired").arg(asked.size())),
                 qPrintable(page.toolCallCountsText()));
        QVERIFY(page.grab().save(test::artifactsDir() + "/chat_page_tool_declined.png"));
    }

    void approvedCallRuns() {
        int asked = 0;
        ui::ChatPage page(nullptr, nullptr);
        load(page, [&](const QString&, const QString&) {
            ++asked;
            return true;
        });
        QSignalSpy results(page.service(), &ChatService::toolResult);
        QSignalSpy done(&page, &ui::ChatPage::replyDone);
        QVERIFY(page.sendMessage(kAsk));
        QVERIFY(done.wait(120000));
        QVERIFY(asked >= 1);
        QVERIFY(!results.isEmpty());
        QVERIFY2(!results[0][3].toBool(), qPrintable(results[0][2].toString()));
        QFile note(root_.filePath("note.txt"));
        QVERIFY(note.open(QIODevice::ReadOnly));
        QCOMPARE(note.readAll(), QByteArray("hi"));
    }

private:
    void load(ui::ChatPage& page, std::function<bool(const QString&, const QString&)> approver) {
        page.resize(1400, 900);
        page.show();
        page.setModel(model_);
        page.setAdapter(adapter_);
        auto* tpl = page.findChild<QComboBox*>("chatTemplateCombo");
        tpl->setCurrentIndex(tpl->findData(QStringLiteral("alpaca")));
        page.findChild<QDoubleSpinBox*>("chatTemperature")->setValue(0);
        page.findChild<QSpinBox*>("chatMaxTokens")->setValue(60);
        page.findChild<QLineEdit*>("toolMcpConfig")->setText(mcpConfig_);
        page.setApprover(std::move(approver));
        QSignalSpy loaded(&page, &ui::ChatPage::loaded);
        page.load();
        QVERIFY(loaded.wait(60000));
        QVERIFY2(loaded[0][0].toBool(), qPrintable(page.statusText()));
    }

    QTemporaryDir home_, root_;
    QString model_, adapter_, mcpConfig_;
};

QTEST_MAIN(TestChatTools)
#include "tst_chat_tools.moc"
