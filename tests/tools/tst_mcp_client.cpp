// The MCP stdio client against the real reference servers from npm (server-everything with `stdio`,
// server-filesystem on a temporary folder; installed by scripts/hone-dev.sh install_node_oracles) and
// against fake_mcp_server.py, which breaks in one way per mode: garbage on stdout, silence, ignoring
// SIGTERM, an unknown protocol version, dying mid-call, answering with a wrong id. Every failure must be a
// clear error within its timeout, never a hang or a crash.
#include "common/test_support.h"
#include "tools/mcp_client.h"
#include "tools/tool_executor.h"

#include "common/error.h"

#include <QElapsedTimer>
#include <QStandardPaths>

using namespace hone;
using namespace hone::tools;
using namespace std::chrono_literals;

namespace {

QString oracleBin(const QString& name) {
    return hone::test::sourceDir() + "/tests/oracles/node_modules/.bin/" + name;
}

McpServerConfig fake(const std::string& mode) {
    McpServerConfig c;
    c.name = "fake";
    c.command = QStandardPaths::findExecutable("python3").toStdString();
    c.args = {(hone::test::sourceDir() + "/tests/tools/fake_mcp_server.py").toStdString(), mode};
    return c;
}

McpOptions quick() {
    McpOptions o;
    o.startTimeout = 3000ms;
    o.requestTimeout = 3000ms;
    o.shutdownGrace = 500ms;
    return o;
}

bool has(const std::string& text, const char* part) {
    return text.find(part) != std::string::npos;
}

std::string startError(McpClient& client) {
    try {
        client.start();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TstMcpClient : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void configParsing() {
        const Json cfg = Json::parse(R"({"mcpServers": {
            "everything": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-everything", "stdio"]},
            "files": {"command": "/usr/bin/mcp-fs", "args": ["/data"], "env": {"DEBUG": "1"}, "cwd": "/tmp"}}})");
        const auto servers = parseMcpConfig(cfg);
        QCOMPARE(servers.size(), std::size_t(2));
        QCOMPARE(servers[0].name, std::string("everything"));
        QCOMPARE(servers[0].args.size(), std::size_t(3));
        QCOMPARE(servers[1].env.at("DEBUG"), std::string("1"));
        QCOMPARE(servers[1].cwd, std::string("/tmp"));
        const char* bad[][2] = {
            {R"({"servers": {}})", "expected an object with \"mcpServers\""},
            {R"({"mcpServers": {"x": {"args": []}}})",
             "MCP server 'x': \"command\" must be a non-empty string"},
            {R"({"mcpServers": {"x": {"command": "a", "args": "b"}}})", "\"args\" must be an array"},
            {R"({"mcpServers": {"x": {"command": "a", "args": [1]}}})", "found 1"},
            {R"({"mcpServers": {"x": {"command": "a", "env": {"K": 1}}}})", "\"env\" entry 'K'"},
        };
        for (const auto& [text, message] : bad) {
            try {
                parseMcpConfig(Json::parse(text));
                QFAIL(text);
            } catch (const Error& e) {
                QVERIFY2(has(e.what(), message), e.what());
            }
        }
    }

    void missingCommand() {
        McpServerConfig c;
        c.name = "ghost";
        c.command = "hone-no-such-mcp-server";
        McpClient client(c, quick());
        const std::string err = startError(client);
        QVERIFY2(has(err, "MCP server 'ghost' could not be started") && has(err, "on PATH"), err.c_str());
    }

    void everythingServer() {
        const QString bin = oracleBin("mcp-server-everything");
        HONE_REQUIRE_ORACLE(QFileInfo(bin).isExecutable() &&
                                !QStandardPaths::findExecutable("node").isEmpty(),
                            "tests/oracles/node_modules (scripts/hone-dev.sh install_node_oracles) and node");
        McpServerConfig c{"everything", bin.toStdString(), {"stdio"}, {}, {}};
        auto client = std::make_shared<McpClient>(c, McpOptions{});
        client->start();
        QVERIFY(client->running());
        QCOMPARE(client->protocolVersion(), std::string("2025-06-18"));
        QVERIFY(has(client->serverInfo().value("name", std::string()), "everything"));

        ToolRegistry reg;
        reg.add(std::make_shared<TestEcho>()); // takes the plain name "echo"
        const std::vector<std::string> added = addMcpTools(reg, client);
        QVERIFY(std::find(added.begin(), added.end(), "everything_echo") != added.end());
        QVERIFY(std::find(added.begin(), added.end(), "get-sum") != added.end());
        QCOMPARE(reg.find("everything_echo")->parameters()["required"][0].get<std::string>(),
                 std::string("message"));
        QVERIFY(!reg.find("everything_echo")->parameters().contains("$schema"));
        QVERIFY(!reg.find("everything_echo")->sideEffects()); // readOnlyHint

        ToolExecutor exec(reg, {10000ms, 4096});
        const auto r = exec.runAll({{"1", "everything_echo", {{"message", "hello from hone"}}},
                                    {"2", "get-sum", {{"a", 2}, {"b", 40}}},
                                    {"3", "get-sum", {{"a", "two"}, {"b", 40}}},
                                    {"4", "echo", {{"text", "local"}}}});
        QVERIFY2(!r[0].isError, r[0].content.c_str());
        QCOMPARE(r[0].content, std::string("Echo: hello from hone"));
        QVERIFY2(!r[1].isError && has(r[1].content, "42"), r[1].content.c_str());
        QVERIFY(r[2].isError);
        QVERIFY2(has(r[2].content, "argument 'a': expected a number, got a string"), r[2].content.c_str());
        QCOMPARE(r[3].content, std::string("local"));

        // A tool name the server does not know: its JSON-RPC error or error result comes back as an error.
        const ToolResult unknown = client->callTool("no-such-tool", Json::object(), Clock::now() + 10s);
        QVERIFY(unknown.isError);

        QElapsedTimer t;
        t.start();
        client->shutdown();
        QVERIFY(!client->running());
        QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed())));
        const ToolResult after = client->callTool("echo", {{"message", "x"}}, Clock::now() + 1s);
        QVERIFY(after.isError);
    }

    void filesystemServer() {
        const QString bin = oracleBin("mcp-server-filesystem");
        HONE_REQUIRE_ORACLE(QFileInfo(bin).isExecutable() &&
                                !QStandardPaths::findExecutable("node").isEmpty(),
                            "tests/oracles/node_modules (scripts/hone-dev.sh install_node_oracles) and node");
        QTemporaryDir allowed, other;
        QFile f(allowed.filePath("notes.txt"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("first line\nsecond line\n");
        f.close();
        QFile s(other.filePath("secret.txt"));
        QVERIFY(s.open(QIODevice::WriteOnly));
        s.write("TOPSECRET\n");
        s.close();
        const std::string root = QFileInfo(allowed.path()).canonicalFilePath().toStdString();
        auto client = std::make_shared<McpClient>(McpServerConfig{"fs", bin.toStdString(), {root}, {}, {}},
                                                  McpOptions{});
        client->start();
        ToolRegistry reg;
        addMcpTools(reg, client);
        QVERIFY(reg.find("read_text_file"));
        QVERIFY(reg.find("write_file")->sideEffects());
        ToolExecutor exec(reg, {10000ms, 4096});
        const auto r =
            exec.runAll({{"1", "list_directory", {{"path", root}}},
                         {"2", "read_text_file", {{"path", root + "/notes.txt"}}},
                         {"3", "read_text_file", {{"path", other.filePath("secret.txt").toStdString()}}}});
        QVERIFY2(!r[0].isError && has(r[0].content, "[FILE] notes.txt"), r[0].content.c_str());
        QCOMPARE(r[1].content, std::string("first line\nsecond line\n"));
        QVERIFY(r[2].isError);
        QVERIFY2(has(r[2].content, "Access denied") && !has(r[2].content, "TOPSECRET"), r[2].content.c_str());
    }

    void fakeServerWorks() {
        requirePython();
        auto client = std::make_shared<McpClient>(fake("good"), quick());
        client->start();
        const auto tools = client->listTools(); // two pages
        QCOMPARE(tools.size(), std::size_t(3));
        QCOMPARE(tools[0].name, std::string("shout"));
        QCOMPARE(tools[2].name, std::string("ask"));
        ToolResult r = client->callTool("shout", {{"text", "quiet"}}, Clock::now() + 3s);
        QCOMPARE(r.content, std::string("QUIET"));
        // The server asks the client for sampling (unsupported): it gets "method not found" and goes on.
        r = client->callTool("ask", Json::object(), Clock::now() + 3s);
        QVERIFY2(!r.isError, r.content.c_str());
        QCOMPARE(r.content, std::string("client said -32601"));
        const auto notes = client->notifications();
        QVERIFY(std::find(notes.begin(), notes.end(), "notifications/message") != notes.end());
        // A call that outlives its deadline fails; its late answer is ignored and the next call works.
        QElapsedTimer t;
        t.start();
        r = client->callTool("slow", Json::object(), Clock::now() + 200ms);
        QVERIFY(r.isError);
        QVERIFY2(has(r.content, "did not answer tools/call in time"), r.content.c_str());
        QVERIFY(t.elapsed() < 900);
        r = client->callTool("shout", {{"text", "again"}}, Clock::now() + 3s);
        QVERIFY2(!r.isError, r.content.c_str());
        QCOMPARE(r.content, std::string("AGAIN"));
        r = client->callTool("nope", Json::object(), Clock::now() + 3s);
        QVERIFY(r.isError);
        QVERIFY2(has(r.content, "refused tools/call: unknown tool nope (code -32602)"), r.content.c_str());
        QVERIFY(has(client->stderrTail(), "fake server starting in mode good"));
    }

    void garbageOnStdout() {
        requirePython();
        McpClient client(fake("garbage"), quick());
        const std::string err = startError(client);
        QVERIFY2(has(err, "wrote a line that is not JSON") && has(err, "Server ready!"), err.c_str());
        QVERIFY(!client.running());
    }

    void silentServerTimesOut() {
        requirePython();
        McpOptions o = quick();
        o.startTimeout = 500ms;
        McpClient client(fake("silent"), o);
        QElapsedTimer t;
        t.start();
        const std::string err = startError(client);
        QVERIFY2(has(err, "did not answer initialize in time"), err.c_str());
        QVERIFY2(t.elapsed() < 2500, qPrintable(QString::number(t.elapsed())));
    }

    void stubbornServerIsKilled() {
        requirePython();
        // It never answers initialize and ignores both the end of its input and SIGTERM: start() gives up
        // at its timeout and the shutdown it runs has to SIGKILL it, all within a few seconds.
        McpOptions o = quick();
        o.startTimeout = 300ms;
        McpClient stubborn(fake("stubborn"), o);
        QElapsedTimer t;
        t.start();
        const std::string err = startError(stubborn);
        QVERIFY2(has(err, "did not answer initialize"), err.c_str());
        QVERIFY2(t.elapsed() < 3000, qPrintable(QString::number(t.elapsed())));
        QVERIFY(!stubborn.running());
    }

    void unsupportedVersion() {
        requirePython();
        McpClient client(fake("oldversion"), quick());
        const std::string err = startError(client);
        QVERIFY2(has(err, "protocol version '1999-01-01'"), err.c_str());
    }

    void serverDiesMidCall() {
        requirePython();
        McpClient client(fake("die"), quick());
        client.start();
        QCOMPARE(client.listTools().size(), std::size_t(3));
        QElapsedTimer t;
        t.start();
        const ToolResult r = client.callTool("shout", {{"text", "x"}}, Clock::now() + 10s);
        QVERIFY(r.isError);
        QVERIFY2(has(r.content, "exited with code 3") && has(r.content, "crashed on purpose"),
                 r.content.c_str());
        QVERIFY(t.elapsed() < 3000);
        QVERIFY(!client.running());
        const ToolResult again = client.callTool("shout", {{"text", "x"}}, Clock::now() + 10s);
        QVERIFY(again.isError);
        QVERIFY(has(again.content, "exited with code 3"));
    }

    void wrongId() {
        requirePython();
        McpClient client(fake("wrongid"), quick());
        client.start();
        const ToolResult r = client.callTool("shout", {{"text", "x"}}, Clock::now() + 3s);
        QVERIFY(r.isError);
        QVERIFY2(has(r.content, "answered a request that was never made (id 999)"), r.content.c_str());
    }

    void startSeveralServers() {
        requirePython();
        const Json cfg = {
            {"mcpServers",
             {{"good", {{"command", fake("good").command}, {"args", fake("good").args}}},
              {"broken", {{"command", fake("garbage").command}, {"args", fake("garbage").args}}},
              {"again", {{"command", fake("good").command}, {"args", fake("good").args}}}}}};
        ToolRegistry reg;
        const McpStartReport report = startMcpServers(parseMcpConfig(cfg), reg, quick());
        QCOMPARE(report.clients.size(), std::size_t(2));
        QCOMPARE(report.failures.size(), std::size_t(1));
        QVERIFY2(has(report.failures[0], "MCP server 'broken'") && has(report.failures[0], "not JSON"),
                 report.failures[0].c_str());
        // nlohmann orders object keys: "again" starts first and takes the plain names, "good" gets prefixes.
        QCOMPARE(report.toolNames,
                 (std::vector<std::string>{"shout", "slow", "ask", "good_shout", "good_slow", "good_ask"}));
        ToolExecutor exec(reg, {5000ms, 4096});
        const auto r = exec.runAll({{"1", "shout", {{"text", "a"}}}, {"2", "good_shout", {{"text", "b"}}}});
        QCOMPARE(r[0].content, std::string("A"));
        QCOMPARE(r[1].content, std::string("B"));
    }

private:
    void requirePython() {
        HONE_REQUIRE_ORACLE(!QStandardPaths::findExecutable("python3").isEmpty(),
                            "python3 for fake_mcp_server.py");
    }

    class TestEcho : public Tool {
    public:
        std::string name() const override { return "echo"; }
        std::string description() const override { return "local echo"; }
        Json parameters() const override {
            return Json::parse(R"({"type":"object","properties":{"text":{"type":"string"}}})");
        }

    protected:
        ToolResult run(const Json& a, Deadline) override {
            return ToolResult::ok(a.value("text", std::string()));
        }
    };
};

QTEST_GUILESS_MAIN(TstMcpClient)
#include "tst_mcp_client.moc"
