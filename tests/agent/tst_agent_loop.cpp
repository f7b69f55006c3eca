// The agent loop end to end with a real model that calls a tool: a random-weight Llama (the archs/llama
// fixture, stories260K's vocabulary; stories260K itself cannot learn '{': its never-seen tokens share one
// embedding direction) is fine-tuned by `hone train`
// (the built-in ChatML template, which writes Hermes <tool_call> blocks) on a conversation in which the
// assistant calls the calculator, reads its result and answers; the chat then runs that conversation's
// question through runAgentTurn with the real calculator: the call is parsed from the model's own output,
// executed, its result goes back through the template, and the model's second reply ends the turn. The step
// limit stops a loop without running the last calls.
#include "agent/agent_loop.h"
#include "agent/tool_setup.h"
#include "chat_session/chat_session.h"
#include "chat_session/inference_adapter.h"
#include "common/error.h"
#include "common/test_support.h"
#include "infer/language_model.h"
#include "tokenizer/tokenizer.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

using namespace hone;

namespace {

const char* kQuestion = "What is 17 times 23?";

} // namespace

class TestAgentLoop : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        model_ = test::fixture("archs/llama/hf");
        HONE_REQUIRE_PATH(model_);
        QVERIFY(dir_.isValid());
        // One conversation with a tool call, many times: the model learns it by heart.
        const QJsonObject call{
            {"type", "function"},
            {"function",
             QJsonObject{{"name", "calculator"}, {"arguments", QJsonObject{{"expression", "17*23"}}}}}};
        const QJsonObject line{
            {"messages",
             QJsonArray{QJsonObject{{"role", "user"}, {"content", kQuestion}},
                        QJsonObject{{"role", "assistant"}, {"content", ""}, {"tool_calls", QJsonArray{call}}},
                        QJsonObject{{"role", "tool"}, {"content", "391"}},
                        QJsonObject{{"role", "assistant"}, {"content", "It is 391."}}}}};
        QString error;
        adapter_ = test::trainOnOneConversation(model_, line, QStringLiteral("chatml"), dir_.path(), &error);
        QVERIFY2(!adapter_.isEmpty(), qPrintable(error));
    }

    void modelCallsTheCalculatorAndAnswers() {
        try {
            callsTheCalculator();
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }

    void stepLimitStopsBeforeRunningCalls() {
        try {
            stepLimit();
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }

    void trimmedHistoryIsReportedOnce() {
        try {
            trimmedHistory();
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }

    // The same through `hone chat --tools calculator --json`: the events of the loop as JSON lines.
    void cliChatRunsTools() {
        QProcess chat;
        chat.start(qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone",
                   {"chat", "--model", model_, "--adapter", adapter_, "--tools", "calculator",
                    "--temperature", "0", "--max-tokens", "120", "--threads", "1", "--no-store", "--json"});
        QVERIFY(chat.waitForStarted());
        chat.write(QJsonDocument(QJsonObject{{"content", kQuestion}}).toJson(QJsonDocument::Compact) + "\n");
        chat.closeWriteChannel();
        QVERIFY(chat.waitForFinished(120000));
        QVERIFY2(chat.exitCode() == 0, chat.readAllStandardError().constData());
        QStringList events;
        QJsonObject call, result, answer;
        for (const QByteArray& line : chat.readAllStandardOutput().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.isEmpty()) continue;
            events << o.value("event").toString();
            if (o.value("event") == QLatin1String("tool_call")) call = o;
            if (o.value("event") == QLatin1String("tool_result")) result = o;
            if (o.value("event") == QLatin1String("answer")) answer = o;
        }
        QVERIFY2(events.contains("tool_call") && events.contains("tool_result"),
                 qPrintable(events.join(',')));
        QCOMPARE(call.value("name").toString(), QStringLiteral("calculator"));
        QCOMPARE(call.value("arguments").toObject().value("expression").toString(), QStringLiteral("17*23"));
        QCOMPARE(result.value("content").toString(), QStringLiteral("391"));
        QCOMPARE(result.value("is_error").toBool(), false);
        QVERIFY2(answer.value("content").toString().contains("391"),
                 qPrintable(answer.value("content").toString()));
        QCOMPARE(answer.value("steps").toInt(), 2);
        QCOMPARE(events.count("turn_end"), 2);
    }

    void unknownToolSpecIsRefused() {
        try {
            (void)buildChatTools({"calculator", "shell"});
            QFAIL("accepted an unknown tool");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("unknown tool 'shell'") != std::string::npos, e.what());
        }
        try {
            (void)buildChatTools({"files:" + dir_.filePath("missing").toStdString()});
            QFAIL("accepted a missing folder");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("not a folder") != std::string::npos, e.what());
        }
    }

private:
    void callsTheCalculator() {
        auto model = LanguageModel::load(model_.toStdString());
        auto adapter = InferenceAdapter::load(adapter_.toStdString(), *model);
        ChatSessionOptions options;
        options.templateSource = adapter->templateSource(); // the model has none; the run's ChatML
        options.sampling.temperature = 0;                   // greedy
        options.maxTokens = 120;
        auto tools = buildChatTools({"calculator"});
        options.tools = tools->registry.toJson();
        ChatSession session(model, tok::Tokenizer::load(model_.toStdString()), options);
        session.setAdapter(adapter);

        AgentOptions agent;
        agent.format = toolcall::Format::Hermes;
        agent.templateRendersToolCalls = true; // the built-in ChatML template writes <tool_call> blocks
        toolcall::ToolCallCounters counters;
        agent.counters = &counters;
        std::vector<AgentEvent::Kind> kinds;
        std::string streamed;
        const AgentReply reply =
            runAgentTurn(session, tools->registry, kQuestion, agent, [&](const AgentEvent& e) {
                kinds.push_back(e.kind);
                if (e.kind == AgentEvent::Kind::Text) streamed += e.text;
            });
        QVERIFY2(reply.steps.size() == 2, qPrintable(QString::fromStdString(streamed)));
        const AgentStep& first = reply.steps[0];
        QCOMPARE(first.calls.size(), size_t(1));
        QCOMPARE(first.calls[0].name, std::string("calculator"));
        QCOMPARE(first.calls[0].arguments.value("expression", std::string()), std::string("17*23"));
        QVERIFY(!first.calls[0].id.empty()); // given one for the template
        // The calculator really ran: 17*23 is computed, not remembered (the training data's "391" is the
        // tool message; the call's result is the tool's own output).
        QVERIFY(!first.results[0].isError);
        QCOMPARE(first.results[0].content, std::string("391"));
        // The result went back as a tool message, and the model answered from the conversation.
        const auto& messages = session.messages();
        QCOMPARE(messages.size(), size_t(4));
        QCOMPARE(messages[2].role, std::string("tool"));
        QCOMPARE(messages[2].fields.value("name", std::string()), std::string("calculator"));
        QCOMPARE(messages[2].fields.value("tool_call_id", std::string()), first.calls[0].id);
        QVERIFY2(reply.content.find("391") != std::string::npos, reply.content.c_str());
        QVERIFY(!reply.stepLimitReached);
        QCOMPARE(counters.counts(toolcall::Format::Hermes).parsed, std::uint64_t(1));
        // Events: text, turn end, the call and its result, then the second reply.
        const auto at = [&](AgentEvent::Kind k) {
            return std::find(kinds.begin(), kinds.end(), k) - kinds.begin();
        };
        QVERIFY(at(AgentEvent::Kind::ToolCall) < at(AgentEvent::Kind::ToolResult));
        QVERIFY(at(AgentEvent::Kind::TurnEnd) < at(AgentEvent::Kind::ToolCall));
    }

    // An earlier turn too long for the model's context is left out of the prompt: the chat says so once, and
    // the tool step that follows keeps it out without saying it again (the loop used to reset the trim point
    // after each tool result, so every step re-trimmed and repeated the note).
    void trimmedHistory() {
        auto model = LanguageModel::load(model_.toStdString());
        auto adapter = InferenceAdapter::load(adapter_.toStdString(), *model);
        ChatSessionOptions options;
        options.templateSource = adapter->templateSource();
        options.sampling.temperature = 0;
        options.maxTokens = 120;
        auto tools = buildChatTools({"calculator"});
        options.tools = tools->registry.toJson();
        ChatSession session(model, tok::Tokenizer::load(model_.toStdString()), options);
        session.setAdapter(adapter);
        std::string longText;
        while (longText.size() < 12000) longText += "Once upon a time there was a little dog. ";
        session.setMessages({ChatMessage{"user", longText, nullptr, nullptr, nullptr},
                             ChatMessage{"assistant", "What a story.", nullptr, nullptr, nullptr}});
        AgentOptions agent;
        agent.format = toolcall::Format::Hermes;
        agent.templateRendersToolCalls = true;
        std::vector<std::string> notes;
        const AgentReply reply =
            runAgentTurn(session, tools->registry, kQuestion, agent, [&](const AgentEvent& e) {
                if (e.kind == AgentEvent::Kind::Note) notes.push_back(e.text);
            });
        QCOMPARE(reply.steps.size(), size_t(2));
        QCOMPARE(reply.steps[0].results.size(), size_t(1));
        QCOMPARE(reply.steps[0].results[0].content, std::string("391"));
        const auto trimNotes = std::count_if(notes.begin(), notes.end(), [](const std::string& n) {
            return n.find("oldest messages out of the prompt") != std::string::npos;
        });
        QCOMPARE(trimNotes, std::ptrdiff_t(1));
        QCOMPARE(reply.steps[1].turn.stats.trimmedMessages, 2);
        // The long turn stays in the conversation (nothing lost), only out of the prompt.
        QCOMPARE(session.messages().front().content, longText);
        QVERIFY(session.renderPrompt().find("little dog") == std::string::npos);
    }

    void stepLimit() {
        auto model = LanguageModel::load(model_.toStdString());
        ChatSessionOptions options;
        options.sampling.temperature = 0;
        options.maxTokens = 120;
        auto tools = buildChatTools({"calculator"});
        auto adapter = InferenceAdapter::load(adapter_.toStdString(), *model);
        options.templateSource = adapter->templateSource();
        ChatSession session(model, tok::Tokenizer::load(model_.toStdString()), options);
        session.setAdapter(adapter);
        AgentOptions agent;
        agent.format = toolcall::Format::Hermes;
        agent.maxSteps = 1;
        std::vector<std::string> notes;
        const AgentReply reply =
            runAgentTurn(session, tools->registry, kQuestion, agent, [&](const AgentEvent& e) {
                if (e.kind == AgentEvent::Kind::Note) notes.push_back(e.text);
            });
        QCOMPARE(reply.steps.size(), size_t(1));
        QVERIFY(reply.stepLimitReached);
        QVERIFY(reply.steps[0].results.empty());
        QVERIFY(!notes.empty() && notes.back().find("step limit") != std::string::npos);
    }

    QTemporaryDir dir_;
    QString model_, adapter_;
};

QTEST_GUILESS_MAIN(TestAgentLoop)
#include "tst_agent_loop.moc"
