// Table-driven tests of tool-call parsing: realistic outputs of each format (and malformed ones) with the
// expected calls, content, reasoning, repair flag and error count written by hand; plus format detection,
// counters and the tool-use messages.
#include "common/error.h"
#include "common/test_support.h"
#include "toolcall/format_detect.h"
#include "toolcall/lenient_json.h"
#include "toolcall/tool_call.h"
#include "toolcall/tool_messages.h"
#include "toolcall/toolcall_counters.h"

#include <QDir>
#include <QFile>

#include <thread>

using hone::Json;
using hone::toolcall::Format;

namespace {

struct Row {
    const char* name;
    Format format;
    std::string text;
    const char* calls; // JSON: [{"name": .., "arguments": {..}, "id"?: ..}]
    const char* content;
    const char* reasoning;
    bool repaired;
    int errors;
};

// clang-format off
const std::vector<Row>& rows() {
    static const std::vector<Row> r = {
        // ---- hermes (Hermes 2 Pro / Hermes 3 / Qwen 2.5)
        {"hermes single", Format::Hermes,
         "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"celsius\"}}\n</tool_call><|im_end|>",
         "[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\",\"unit\":\"celsius\"}}]", "", "", false, 0},
        {"hermes two calls with prose", Format::Hermes,
         "Let me check both cities.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Berlin\"}}\n</tool_call>",
         "[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}},{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Berlin\"}}]",
         "Let me check both cities.", "", false, 0},
        {"hermes nested braces and escaped quotes in strings", Format::Hermes,
         "<tool_call>\n{\"name\": \"run_code\", \"arguments\": {\"code\": \"if (x) { return \\\"}</tool_call>\\\"; }\", \"n\": [1, {\"a\": 2}]}}\n</tool_call>",
         "[{\"name\":\"run_code\",\"arguments\":{\"code\":\"if (x) { return \\\"}</tool_call>\\\"; }\",\"n\":[1,{\"a\":2}]}}]", "", "", false, 0},
        {"hermes unicode", Format::Hermes,
         "<tool_call>\n{\"name\": \"translate\", \"arguments\": {\"text\": \"Zürich 東京 \\u00e9 \\ud83d\\ude00\", \"to\": \"ja\"}}\n</tool_call>",
         "[{\"name\":\"translate\",\"arguments\":{\"text\":\"Zürich 東京 é 😀\",\"to\":\"ja\"}}]", "", "", false, 0},
        {"hermes missing close tag", Format::Hermes,
         "<tool_call>\n{\"name\": \"search\", \"arguments\": {\"q\": \"llama\"}}",
         "[{\"name\":\"search\",\"arguments\":{\"q\":\"llama\"}}]", "", "", true, 0},
        {"hermes missing close tag before next call", Format::Hermes,
         "<tool_call>{\"name\": \"a\", \"arguments\": {}}\n<tool_call>{\"name\": \"b\", \"arguments\": {\"x\": 1}}</tool_call>",
         "[{\"name\":\"a\",\"arguments\":{}},{\"name\":\"b\",\"arguments\":{\"x\":1}}]", "", "", true, 0},
        {"hermes trailing commas", Format::Hermes,
         "<tool_call>\n{\"name\": \"search\", \"arguments\": {\"q\": \"x\", \"k\": [1, 2,],},}\n</tool_call>",
         "[{\"name\":\"search\",\"arguments\":{\"q\":\"x\",\"k\":[1,2]}}]", "", "", true, 0},
        {"hermes single quotes", Format::Hermes,
         "<tool_call>\n{'name': 'search', 'arguments': {'q': 'it\\'s \"fine\"'}}\n</tool_call>",
         "[{\"name\":\"search\",\"arguments\":{\"q\":\"it's \\\"fine\\\"\"}}]", "", "", true, 0},
        {"hermes unquoted keys", Format::Hermes,
         "<tool_call>{name: \"search\", arguments: {query: \"x\", max_results: 3}}</tool_call>",
         "[{\"name\":\"search\",\"arguments\":{\"query\":\"x\",\"max_results\":3}}]", "", "", true, 0},
        {"hermes python literals", Format::Hermes,
         "<tool_call>{\"name\": \"set_light\", \"arguments\": {\"on\": True, \"dim\": False, \"color\": None}}</tool_call>",
         "[{\"name\":\"set_light\",\"arguments\":{\"on\":true,\"dim\":false,\"color\":null}}]", "", "", true, 0},
        {"hermes arguments as a JSON string", Format::Hermes,
         "<tool_call>{\"name\": \"add\", \"arguments\": \"{\\\"a\\\": 1, \\\"b\\\": 2}\"}</tool_call>",
         "[{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":2}}]", "", "", true, 0},
        {"hermes code fence inside the tags", Format::Hermes,
         "<tool_call>\n```json\n{\"name\": \"add\", \"arguments\": {\"a\": 1}}\n```\n</tool_call>",
         "[{\"name\":\"add\",\"arguments\":{\"a\":1}}]", "", "", true, 0},
        {"hermes missing closing braces at the end", Format::Hermes,
         "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": [2, 3]",
         "[{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":[2,3]}}]", "", "", true, 0},
        {"hermes bare JSON without tags", Format::Hermes,
         "{\"name\": \"add\", \"arguments\": {\"a\": 1}}",
         "[{\"name\":\"add\",\"arguments\":{\"a\":1}}]", "", "", true, 0},
        {"hermes truncated inside a string", Format::Hermes,
         "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Par",
         "[]", "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Par", "", false, 1},
        {"hermes name of the wrong type", Format::Hermes,
         "<tool_call>{\"name\": 42, \"arguments\": {}}</tool_call>",
         "[]", "<tool_call>{\"name\": 42, \"arguments\": {}}</tool_call>", "", false, 1},
        {"hermes arguments of the wrong type", Format::Hermes,
         "<tool_call>{\"name\": \"f\", \"arguments\": [1, 2]}</tool_call>",
         "[]", "<tool_call>{\"name\": \"f\", \"arguments\": [1, 2]}</tool_call>", "", false, 1},
        {"hermes arguments string that is not JSON", Format::Hermes,
         "<tool_call>{\"name\": \"f\", \"arguments\": \"city=Paris\"}</tool_call>",
         "[]", "<tool_call>{\"name\": \"f\", \"arguments\": \"city=Paris\"}</tool_call>", "", false, 1},
        {"hermes one broken, one good", Format::Hermes,
         "<tool_call>{\"name\": \"a\" \"arguments\": {}}</tool_call>\n<tool_call>{\"name\": \"b\", \"arguments\": {\"x\": \"y\"}}</tool_call>",
         "[{\"name\":\"b\",\"arguments\":{\"x\":\"y\"}}]", "<tool_call>{\"name\": \"a\" \"arguments\": {}}</tool_call>", "", false, 1},
        {"hermes prose only, braces in it", Format::Hermes,
         "Use {curly} braces, e.g. {\"a\": 1}, in JSON.", "[]", "Use {curly} braces, e.g. {\"a\": 1}, in JSON.", "", false, 0},
        {"hermes no arguments", Format::Hermes,
         "<tool_call>\n{\"name\": \"get_time\"}\n</tool_call>", "[{\"name\":\"get_time\",\"arguments\":{}}]", "", "", false, 0},
        // ---- qwen3 (hermes calls + reasoning)
        {"qwen3 think then call", Format::Qwen3,
         "<think>\nThe user wants the weather in Paris.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>",
         "[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]", "", "The user wants the weather in Paris.", false, 0},
        {"qwen3 output starts inside think", Format::Qwen3,
         "I should look this up.\n</think>\n\nOne moment.\n<tool_call>\n{\"name\": \"search\", \"arguments\": {\"q\": \"qwen\"}}\n</tool_call>",
         "[{\"name\":\"search\",\"arguments\":{\"q\":\"qwen\"}}]", "One moment.", "I should look this up.", false, 0},
        {"qwen3 call-like text inside think is not a call", Format::Qwen3,
         "<think>Maybe <tool_call>{\"name\": \"x\", \"arguments\": {}}</tool_call>? No.</think>\n\nParis is sunny.",
         "[]", "Paris is sunny.", "Maybe <tool_call>{\"name\": \"x\", \"arguments\": {}}</tool_call>? No.", false, 0},
        {"qwen3 still thinking at the end", Format::Qwen3,
         "<think>\nLet me consider", "[]", "", "Let me consider", false, 0},
        {"qwen3 thinking variant tag", Format::Qwen3,
         "<thinking>plan</thinking>Answer: 4", "[]", "Answer: 4", "plan", false, 0},
        // ---- llama3
        {"llama3 bare JSON", Format::Llama3,
         "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}<|eot_id|>",
         "[{\"name\":\"get_weather\",\"parameters\":{\"city\":\"Paris\"}}]", "", "", false, 0},
        {"llama3 python_tag JSON", Format::Llama3,
         "<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}<|eom_id|>",
         "[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]", "", "", false, 0},
        {"llama3 arguments instead of parameters", Format::Llama3,
         "{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}",
         "[{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":2}}]", "", "", false, 0},
        {"llama3 two calls separated by ;", Format::Llama3,
         "<|python_tag|>{\"name\": \"a\", \"parameters\": {}}; {\"name\": \"b\", \"parameters\": {\"x\": 1}}",
         "[{\"name\":\"a\",\"arguments\":{}},{\"name\":\"b\",\"arguments\":{\"x\":1}}]", "", "", false, 0},
        {"llama3 two calls on separate lines", Format::Llama3,
         "{\"name\": \"a\", \"parameters\": {\"s\": \"x;y\"}}\n{\"name\": \"b\", \"parameters\": {}}",
         "[{\"name\":\"a\",\"arguments\":{\"s\":\"x;y\"}},{\"name\":\"b\",\"arguments\":{}}]", "", "", false, 0},
        {"llama3 built-in brave_search", Format::Llama3,
         "<|python_tag|>brave_search.call(query=\"weather in Paris today\")<|eom_id|>",
         "[{\"name\":\"brave_search\",\"arguments\":{\"query\":\"weather in Paris today\"}}]", "", "", false, 0},
        {"llama3 built-in with comma and quotes in the value", Format::Llama3,
         "<|python_tag|>wolfram_alpha.call(query=\"integrate x^2, dx from \"0\" to 1\")",
         "[{\"name\":\"wolfram_alpha\",\"arguments\":{\"query\":\"integrate x^2, dx from \\\"0\\\" to 1\"}}]", "", "", false, 0},
        {"llama3 built-in several arguments", Format::Llama3,
         "<|python_tag|>stocks.call(symbol='AAPL', days=5, adjusted=True)",
         "[{\"name\":\"stocks\",\"arguments\":{\"symbol\":\"AAPL\",\"days\":5,\"adjusted\":true}}]", "", "", false, 0},
        {"llama3 prose then call", Format::Llama3,
         "I will look that up.\n{\"name\": \"search\", \"parameters\": {\"q\": \"llama\"}}",
         "[{\"name\":\"search\",\"arguments\":{\"q\":\"llama\"}}]", "I will look that up.", "", false, 0},
        {"llama3 truncated call", Format::Llama3,
         "{\"name\": \"search\", \"parameters\": {\"q\": \"lla",
         "[]", "{\"name\": \"search\", \"parameters\": {\"q\": \"lla", "", false, 1},
        {"llama3 JSON that is not a call", Format::Llama3,
         "The answer is {\"result\": 42}.", "[]", "The answer is {\"result\": 42}.", "", false, 0},
        {"llama3 built-in truncated", Format::Llama3,
         "<|python_tag|>brave_search.call(query=\"paris", "[]", "brave_search.call(query=\"paris", "", false, 1},
        // ---- mistral
        {"mistral v3 one call with id", Format::Mistral,
         "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}, \"id\": \"a1B2c3D4e\"}]</s>",
         "[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"},\"id\":\"a1B2c3D4e\"}]", "", "", false, 0},
        {"mistral v3 two calls", Format::Mistral,
         "[TOOL_CALLS] [{\"name\": \"a\", \"arguments\": {\"x\": \"[ARGS]\"}, \"id\": \"abcdefghi\"}, {\"name\": \"b\", \"arguments\": {}, \"id\": \"ABCDEFGHI\"}]",
         "[{\"name\":\"a\",\"arguments\":{\"x\":\"[ARGS]\"},\"id\":\"abcdefghi\"},{\"name\":\"b\",\"arguments\":{},\"id\":\"ABCDEFGHI\"}]", "", "", false, 0},
        {"mistral v11 repeated", Format::Mistral,
         "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Paris\"}[TOOL_CALLS]get_time[ARGS]{\"tz\": \"Europe/Paris\"}</s>",
         "[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}},{\"name\":\"get_time\",\"arguments\":{\"tz\":\"Europe/Paris\"}}]", "", "", false, 0},
        {"mistral v11 with call id", Format::Mistral,
         "[TOOL_CALLS]get_weather[CALL_ID]x9Y8z7W6v[ARGS]{\"city\": \"Lyon\"}",
         "[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Lyon\"},\"id\":\"x9Y8z7W6v\"}]", "", "", false, 0},
        {"mistral content before the calls", Format::Mistral,
         "Checking the forecast.[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Nice\"}",
         "[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Nice\"}}]", "Checking the forecast.", "", false, 0},
        {"mistral v11 missing closing brace", Format::Mistral,
         "[TOOL_CALLS]add[ARGS]{\"a\": 1, \"b\": {\"c\": 2}",
         "[{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":{\"c\":2}}}]", "", "", true, 0},
        {"mistral v11 truncated arguments", Format::Mistral,
         "[TOOL_CALLS]add[ARGS]{\"a\": \"1", "[]", "add[ARGS]{\"a\": \"1", "", false, 1},
        {"mistral no [ARGS]", Format::Mistral, "[TOOL_CALLS]get_weather", "[]", "get_weather", "", false, 1},
        {"mistral v3 arguments as a JSON string", Format::Mistral,
         "[TOOL_CALLS][{\"name\": \"f\", \"arguments\": \"{\\\"a\\\": [1, 2.5e3, -7]}\", \"id\": \"abcdefghi\"}]",
         "[{\"name\":\"f\",\"arguments\":{\"a\":[1,2500.0,-7]},\"id\":\"abcdefghi\"}]", "", "", true, 0},
        {"llama3 fenced call after python_tag", Format::Llama3,
         "<|python_tag|>```json\n{\"name\": \"f\", \"parameters\": {\"k\": \"v\"}}\n```",
         "[{\"name\":\"f\",\"arguments\":{\"k\":\"v\"}}]", "", "", true, 0},
        {"mistral plain answer", Format::Mistral, "Paris is sunny.</s>", "[]", "Paris is sunny.", "", false, 0},
        // ---- generic
        {"generic fenced JSON with prose", Format::Generic,
         "Here you go:\n```json\n{\"name\": \"add\", \"arguments\": {\"a\": 1}}\n```\nDone.",
         "[{\"name\":\"add\",\"arguments\":{\"a\":1}}]", "Here you go:\nDone.", "", true, 0},
        {"generic array of calls", Format::Generic,
         "[{\"name\": \"a\", \"arguments\": {}}, {\"name\": \"b\", \"parameters\": {\"x\": [1, 2]}}]",
         "[{\"name\":\"a\",\"arguments\":{}},{\"name\":\"b\",\"arguments\":{\"x\":[1,2]}}]", "", "", false, 0},
        {"generic OpenAI tool_calls wrapper", Format::Generic,
         "{\"tool_calls\": [{\"id\": \"call_1\", \"type\": \"function\", \"function\": {\"name\": \"f\", \"arguments\": \"{\\\"a\\\":1}\"}}]}",
         "[{\"name\":\"f\",\"arguments\":{\"a\":1},\"id\":\"call_1\"}]", "", "", true, 0},
        {"generic JSON that is not a call", Format::Generic,
         "The config is {\"name\": \"bob\", \"age\": 3}.", "[]", "The config is {\"name\": \"bob\", \"age\": 3}.", "", false, 0},
        {"generic call in the middle of prose", Format::Generic,
         "Sure! {\"name\": \"search\", \"arguments\": {\"q\": \"a \\\"b\\\" {c}\"}} I'll report back.",
         "[{\"name\":\"search\",\"arguments\":{\"q\":\"a \\\"b\\\" {c}\"}}]", "Sure!\nI'll report back.", "", false, 0},
        {"generic broken call", Format::Generic,
         "Calling: {\"name\": \"search\", \"arguments\": {\"q\": \"x\" \"k\": 1}}",
         "[]", "Calling: {\"name\": \"search\", \"arguments\": {\"q\": \"x\" \"k\": 1}}", "", false, 1},
    };
    return r;
}
// clang-format on

Json callsJson(const hone::toolcall::ParseResult& r) {
    Json out = Json::array();
    for (const auto& c : r.calls) {
        Json j = {{"name", c.name}, {"arguments", Json::parse(c.arguments.dump())}};
        if (!c.id.empty()) j["id"] = c.id;
        out.push_back(j);
    }
    return out;
}

// The hand-written expectation; "parameters" in it is just another spelling of "arguments".
Json expectedCalls(const char* text) {
    Json e = Json::parse(text);
    for (auto& c : e)
        if (c.contains("parameters")) {
            c["arguments"] = c["parameters"];
            c.erase("parameters");
        }
    return e;
}

} // namespace

class TestToolcallParse : public QObject {
    Q_OBJECT
private slots:
    void table_data() {
        QTest::addColumn<int>("index");
        for (size_t i = 0; i < rows().size(); ++i) QTest::newRow(rows()[i].name) << int(i);
    }
    void table() {
        QFETCH(int, index);
        const Row& row = rows()[size_t(index)];
        const auto r = hone::toolcall::parse(row.format, row.text);
        const Json got = callsJson(r);
        const Json want = expectedCalls(row.calls);
        QVERIFY2(got == want,
                 qPrintable(QString::fromStdString("got " + got.dump() + "\nwant " + want.dump())));
        QCOMPARE(QString::fromStdString(r.content), QString::fromUtf8(row.content));
        QCOMPARE(QString::fromStdString(r.reasoning), QString::fromUtf8(row.reasoning));
        QCOMPARE(r.repaired, row.repaired);
        QVERIFY2(
            int(r.errors.size()) == row.errors,
            qPrintable(QString::fromStdString(r.errors.empty() ? std::string("no errors") : r.errors[0])));
        for (const auto& e : r.errors) QVERIFY(e.rfind("tool call", 0) == 0); // names which call
    }

    // The forgiving JSON reader on its own: what it accepts strictly, what it repairs, what it refuses.
    void lenientJson_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected"); // strict JSON of the value, or "" when it must fail
        QTest::addColumn<bool>("repaired");
        QTest::addColumn<int>("end");
        QTest::newRow("strict object") << " {\"a\": [1, -2.5, 3e2, true, null]} tail"
                                       << "{\"a\":[1,-2.5,300.0,true,null]}" << false << 34;
        QTest::newRow("big integers") << "[18446744073709551615, -9223372036854775808]"
                                      << "[18446744073709551615,-9223372036854775808]" << false << 44;
        QTest::newRow("escapes") << "\"a\\\"b\\\\c\\u00e9\\n\""
                                 << "\"a\\\"b\\\\cé\\n\"" << false << 17;
        QTest::newRow("single quotes and \\'") << "'it\\'s'"
                                               << "\"it's\"" << true << 7;
        QTest::newRow("raw newline in a string") << "\"a\nb\""
                                                 << "\"a\\nb\"" << true << 5;
        QTest::newRow("lone surrogate") << "\"\\ud800x\""
                                        << "\"\xef\xbf\xbdx\"" << true << 9;
        QTest::newRow("missing closers") << "{\"a\": {\"b\": [1, 2"
                                         << "{\"a\":{\"b\":[1,2]}}" << true << 17;
        QTest::newRow("empty object cut") << "{\"a\": {"
                                          << "{\"a\":{}}" << true << 7;
        QTest::newRow("cut after comma") << "{\"a\": 1,"
                                         << "" << false << 0;
        QTest::newRow("cut after colon") << "{\"a\":"
                                         << "" << false << 0;
        QTest::newRow("cut inside key") << "{\"a"
                                        << "" << false << 0;
        QTest::newRow("bad word") << "{\"a\": maybe}"
                                  << "" << false << 0;
        QTest::newRow("missing comma") << "{\"a\": 1 \"b\": 2}"
                                       << "" << false << 0;
        QTest::newRow("lone minus") << "-"
                                    << "" << false << 0;
        QTest::newRow("dot without digits") << "1."
                                            << "" << false << 0;
        QTest::newRow("too deep") << QString(200, QLatin1Char('[')) << "" << false << 0;
        QTest::newRow("deep but allowed")
            << QString(128, QLatin1Char('[')) + QString(128, QLatin1Char(']'))
            << QString(128, QLatin1Char('[')) + QString(128, QLatin1Char(']')) << false << 256;
    }
    void lenientJson() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QFETCH(bool, repaired);
        QFETCH(int, end);
        const std::string t = text.toStdString();
        std::string why;
        auto v = hone::toolcall::parseLenientJson(t, 0, &why);
        if (expected.isEmpty()) {
            QVERIFY2(!v, v ? v->value.dump().c_str() : "");
            QVERIFY(!why.empty());
            return;
        }
        QVERIFY2(v, why.c_str());
        QCOMPARE(QString::fromStdString(v->value.dump()), expected);
        QCOMPARE(v->repaired, repaired);
        QCOMPARE(int(v->end), end);
    }

    // The JSON the CLI prints has exactly these keys.
    void jsonShape() {
        auto ok = hone::toolcall::toJson(hone::toolcall::parse(
            Format::Hermes, "<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>"));
        QCOMPARE(
            QString::fromStdString(ok.dump()),
            QStringLiteral(
                "{\"content\":\"\",\"reasoning\":\"\",\"tool_calls\":[{\"name\":\"f\",\"arguments\":{}}],"
                "\"repaired\":false}"));
        auto bad = hone::toolcall::toJson(
            hone::toolcall::parse(Format::Hermes, "<tool_call>{\"name\": </tool_call>"));
        QVERIFY(bad.contains("errors"));
        QCOMPARE(bad["errors"].size(), size_t(1));
        QVERIFY(bad["tool_calls"].empty());
    }

    void formatNames() {
        for (Format f : hone::toolcall::kAllFormats)
            QCOMPARE(hone::toolcall::formatFromName(hone::toolcall::formatName(f)), f);
        QCOMPARE(hone::toolcall::formatName(Format::Llama3), std::string("llama3"));
        try {
            hone::toolcall::formatFromName("chatml");
            QFAIL("an unknown format name must throw");
        } catch (const hone::Error& e) {
            QVERIFY(std::string(e.what()).find("hermes, llama3, mistral, qwen3, generic") !=
                    std::string::npos);
        }
        QVERIFY_THROWS_EXCEPTION(
            hone::Error,
            hone::toolcall::parse(Format::Generic, std::string(hone::toolcall::kMaxParseBytes + 1, 'x')));
    }

    void detectFromTemplates_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::newRow("hermes-2-pro") << "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja"
                                      << "hermes";
        QTest::newRow("hermes-3") << "NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja"
                                  << "hermes";
        QTest::newRow("qwen2.5") << "Qwen-Qwen2.5-7B-Instruct.jinja"
                                 << "hermes";
        QTest::newRow("qwen3") << "Qwen-Qwen3-0.6B.jinja"
                               << "qwen3";
        QTest::newRow("qwq") << "Qwen-QwQ-32B.jinja"
                             << "qwen3";
        QTest::newRow("llama-3.1") << "meta-llama-Llama-3.1-8B-Instruct.jinja"
                                   << "llama3";
        QTest::newRow("llama-3.2") << "meta-llama-Llama-3.2-3B-Instruct.jinja"
                                   << "llama3";
        QTest::newRow("llama-3.3") << "meta-llama-Llama-3.3-70B-Instruct.jinja"
                                   << "llama3";
        QTest::newRow("mistral-nemo") << "mistralai-Mistral-Nemo-Instruct-2407.jinja"
                                      << "mistral";
        QTest::newRow("mistral-small-3.2") << "Mistral-Small-3.2-24B-Instruct-2506.jinja"
                                           << "mistral";
        QTest::newRow("devstral") << "unsloth-mistral-Devstral-Small-2507.jinja"
                                  << "mistral";
        QTest::newRow("gemma-2") << "google-gemma-2-2b-it.jinja"
                                 << "generic";
    }
    void detectFromTemplates() {
        QFETCH(QString, file);
        QFETCH(QString, format);
        const QString path = hone::test::fixture(QStringLiteral("templates/") + file);
        HONE_REQUIRE_PATH(path);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const std::string src = f.readAll().toStdString();
        QCOMPARE(QString::fromStdString(hone::toolcall::formatName(hone::toolcall::detectFormat(src))),
                 format);
    }

    void detectFromModelFolder() {
        const QString qwen = hone::test::fixture(QStringLiteral("tokenizers/qwen3"));
        HONE_REQUIRE_PATH(qwen);
        QCOMPARE(hone::toolcall::detectModelFormat(qwen.toStdString()), Format::Qwen3);
        // A folder whose chat_template.jinja is Mistral Small 3.2's.
        const QString tpl =
            hone::test::fixture(QStringLiteral("templates/Mistral-Small-3.2-24B-Instruct-2506.jinja"));
        HONE_REQUIRE_PATH(tpl);
        QTemporaryDir dir;
        QVERIFY(QFile::copy(tpl, dir.filePath(QStringLiteral("chat_template.jinja"))));
        QCOMPARE(hone::toolcall::detectModelFormat(dir.path().toStdString()), Format::Mistral);
        QTemporaryDir empty;
        QVERIFY_THROWS_EXCEPTION(hone::Error, hone::toolcall::detectModelFormat(empty.path().toStdString()));
    }

    void counters() {
        hone::toolcall::ToolCallCounters counters;
        auto two = hone::toolcall::parse(
            Format::Hermes,
            "<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call><tool_call>{'name': 'b', "
            "'arguments': {}}</tool_call><tool_call>{\"name\": </tool_call>");
        QCOMPARE(two.calls.size(), size_t(2));
        // Several threads record the same result at once: nothing is lost.
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < 250; ++i) counters.record(Format::Hermes, two);
            });
        for (auto& th : threads) th.join();
        QCOMPARE(counters.counts(Format::Hermes), (hone::toolcall::CallCounts{1000, 1000, 1000}));
        QCOMPARE(counters.counts(Format::Mistral), (hone::toolcall::CallCounts{}));
        counters.record(Format::Mistral, hone::toolcall::parse(Format::Mistral, "[TOOL_CALLS]f[ARGS]{}"));
        QCOMPARE(counters.total(), (hone::toolcall::CallCounts{1001, 1000, 1000}));
        auto j = counters.toJson();
        QCOMPARE(j["hermes"]["failed"].get<int>(), 1000);
        QCOMPARE(j["mistral"]["parsed"].get<int>(), 1);
        counters.reset();
        QCOMPARE(counters.total(), (hone::toolcall::CallCounts{}));
    }

    void messagesAndIds() {
        std::mt19937_64 rng(7);
        std::vector<hone::toolcall::ToolCall> calls(3);
        calls[0].name = "get_weather";
        calls[0].arguments = {{"city", "Paris"}};
        calls[1].name = "get_time";
        calls[1].id = "keep_me";
        calls[2].name = "x";
        calls[2].id = "abc"; // too short for Mistral
        auto mistral = calls;
        hone::toolcall::assignCallIds(mistral, Format::Mistral, rng);
        for (const auto& c : mistral) {
            QCOMPARE(c.id.size(), size_t(9));
            for (char ch : c.id) QVERIFY(std::isalnum(static_cast<unsigned char>(ch)));
        }
        QVERIFY(mistral[0].id != mistral[1].id);
        auto hermes = calls;
        hone::toolcall::assignCallIds(hermes, Format::Hermes, rng);
        QVERIFY(hermes[0].id.rfind("call_", 0) == 0);
        QCOMPARE(hermes[0].id.size(), size_t(29));
        QCOMPARE(hermes[1].id, std::string("keep_me"));
        QCOMPARE(hermes[2].id, std::string("abc"));

        auto msg = hone::toolcall::assistantMessage("", hermes);
        const Json want = Json::parse(
            "{\"role\": \"assistant\", \"content\": \"\", \"tool_calls\": [\n            {\"id\": \"" +
            hermes[0].id +
            "\", \"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"arguments\": {\"city\": "
            "\"Paris\"}}},\n            {\"id\": \"keep_me\", \"type\": \"function\", \"function\": "
            "{\"name\": \"get_time\", \"arguments\": {}}},\n            {\"id\": \"abc\", \"type\": "
            "\"function\", \"function\": {\"name\": \"x\", \"arguments\": {}}}]}");
        QCOMPARE(Json::parse(msg.dump()), want);
        auto tool = hone::toolcall::toolResultMessage(hermes[1], "12:00");
        QCOMPARE(Json::parse(tool.dump()), Json::parse("{\"role\": \"tool\", \"tool_call_id\": \"keep_me\", "
                                                       "\"name\": \"get_time\", \"content\": \"12:00\"}"));
        QVERIFY_THROWS_EXCEPTION(hone::Error, hone::toolcall::assistantMessage("", calls));
        QCOMPARE(hone::toolcall::assistantMessage("hi", {}).dump(),
                 std::string("{\"role\":\"assistant\",\"content\":\"hi\"}"));
        QVERIFY(hone::toolcall::validCallId(Format::Mistral, hone::toolcall::newCallId(Format::Mistral)));
        QVERIFY(!hone::toolcall::validCallId(Format::Mistral, "abcdefgh!"));
    }
};

QTEST_GUILESS_MAIN(TestToolcallParse)
#include "tst_toolcall_parse.moc"
