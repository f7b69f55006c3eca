// `hone toolcall parse` as a machine interface: the exact JSON shape with --json, the format taken from a
// model folder's chat template, stdin with --text -, exit 0 with "errors" when a call cannot be parsed, and
// non-zero exit with one `error:` line for bad options.
#include "common/json.h"
#include "common/test_support.h"

#include <QProcess>

namespace {

struct Run {
    int code = -1;
    QByteArray out, err;
};

Run runHone(const QStringList& args, const QByteArray& stdinData = {}) {
    QProcess p;
    p.start(qEnvironmentVariable("HONE_BINARY_DIR") + QStringLiteral("/bin/hone"), args);
    Run r;
    if (!p.waitForStarted(30000)) return r;
    p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) return r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QStringList parseArgs(const QStringList& extra) {
    return QStringList{QStringLiteral("toolcall"), QStringLiteral("parse")} + extra;
}

} // namespace

class TestToolcallCli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        HONE_REQUIRE_PATH(qEnvironmentVariable("HONE_BINARY_DIR") + QStringLiteral("/bin/hone"));
    }

    void jsonShape() {
        const QString text = QStringLiteral("<think>Two cities.</think>Checking.\n<tool_call>\n{\"name\": "
                                            "\"get_weather\", \"arguments\": {\"city\": "
                                            "\"Zürich\"}}\n</tool_call>\n<tool_call>\n{'name': "
                                            "'get_weather', 'arguments': {'city': 'Paris'}}\n"
                                            "</tool_call>");
        Run r = runHone(parseArgs({"--format", "qwen3", "--text", text, "--json"}));
        QCOMPARE(r.code, 0);
        const auto j = hone::OrderedJson::parse(r.out.toStdString());
        std::vector<std::string> keys;
        for (const auto& [k, v] : j.items()) keys.push_back(k);
        QCOMPARE(keys, (std::vector<std::string>{"content", "reasoning", "tool_calls", "repaired"}));
        QCOMPARE(j["content"].get<std::string>(), std::string("Checking."));
        QCOMPARE(j["reasoning"].get<std::string>(), std::string("Two cities."));
        QCOMPARE(j["repaired"].get<bool>(), true); // the single-quoted second call
        QCOMPARE(hone::Json::parse(j["tool_calls"].dump()),
                 hone::Json::parse(R"([{"name": "get_weather", "arguments": {"city": "Zürich"}},
                                      {"name": "get_weather", "arguments": {"city": "Paris"}}])"));
        for (const auto& c : j["tool_calls"]) QCOMPARE(c.size(), size_t(2)); // name and arguments only
    }

    void unparseableExitsZeroWithErrors() {
        Run r = runHone(parseArgs({"--format", "hermes", "--text",
                                   "<tool_call>{\"name\": \"f\", \"arguments\": "
                                   "{\"a\": \"unterminated",
                                   "--json"}));
        QCOMPARE(r.code, 0);
        const auto j = hone::Json::parse(r.out.toStdString());
        QVERIFY(j["tool_calls"].is_array() && j["tool_calls"].empty());
        QVERIFY(j["errors"].is_array());
        QCOMPARE(j["errors"].size(), size_t(1));
        QVERIFY(j["errors"][0].get<std::string>().find("truncated") != std::string::npos);
        QCOMPARE(j["repaired"].get<bool>(), false);
    }

    void modelFolderAndStdin() {
        const QString qwen = hone::test::fixture(QStringLiteral("tokenizers/qwen3"));
        HONE_REQUIRE_PATH(qwen);
        // The output starts inside the <think> that Qwen 3's prompt opened.
        Run r =
            runHone(parseArgs({"--model", qwen, "--text", "-", "--json"}),
                    "plan it\n</think>\n\n<tool_call>\n{\"name\": \"f\", \"arguments\": {\"x\": [1, 2]}}\n"
                    "</tool_call><|im_end|>");
        QCOMPARE(r.code, 0);
        const auto j = hone::Json::parse(r.out.toStdString());
        QCOMPARE(j["reasoning"].get<std::string>(), std::string("plan it"));
        QCOMPARE(j["tool_calls"], hone::Json::parse(R"([{"name": "f", "arguments": {"x": [1, 2]}}])"));
    }

    void readableListing() {
        Run r = runHone(parseArgs({"--format", "mistral", "--text",
                                   "[TOOL_CALLS]get_weather[CALL_ID]a1b2c3d4e[ARGS]{\"city\": \"Lyon\"}"}));
        QCOMPARE(r.code, 0);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.contains(QStringLiteral("tool calls: 1")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("get_weather {\"city\":\"Lyon\"}")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("a1b2c3d4e")), qPrintable(out));
    }

    void badOptions() {
        Run r = runHone(parseArgs({"--format", "chatml", "--text", "x"}));
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.startsWith("error: ") && r.err.contains("hermes, llama3, mistral, qwen3, generic"),
                 r.err);
        r = runHone(parseArgs({"--text", "x"}));
        QVERIFY(r.code != 0);
        QVERIFY(r.err.contains("--format"));
        r = runHone({QStringLiteral("toolcall"), QStringLiteral("frobnicate")});
        QVERIFY(r.code != 0);
        QVERIFY(r.err.contains("usage: hone toolcall parse"));
        r = runHone(parseArgs({"--model", "/nonexistent/model", "--text", "x"}));
        QVERIFY(r.code != 0);
        QVERIFY(r.err.startsWith("error: "));
    }
};

QTEST_GUILESS_MAIN(TestToolcallCli)
#include "tst_toolcall_cli.moc"
