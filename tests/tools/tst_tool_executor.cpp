// The tool harness without any server: argument checks against schemas, the registry, the executor (calls
// really overlap, a hanging tool times out and is abandoned safely, throwing tools give error results, huge
// results are cut), and the current_datetime tool with IANA zones read from the system's zoneinfo.
#include "common/test_support.h"
#include "tools/date_time_tool.h"
#include "tools/schema_check.h"
#include "tools/tool_executor.h"

#include "common/error.h"

#include <QElapsedTimer>
#include <atomic>
#include <thread>

using namespace hone;
using namespace hone::tools;

namespace {

// Sleeps `ms` milliseconds, counts how many run at once, and can throw instead of answering.
class TestTool : public Tool {
public:
    enum class Mode { Sleep, ThrowError, ThrowStd, ThrowOther, Huge };
    TestTool(std::string name, Mode mode, int ms = 0)
        : name_(std::move(name))
        , mode_(mode)
        , ms_(ms) {}
    std::string name() const override { return name_; }
    std::string description() const override { return "test tool"; }
    Json parameters() const override {
        return Json::parse(R"({"type": "object", "properties": {"n": {"type": "integer"}}})");
    }
    std::shared_ptr<std::atomic<int>> running = std::make_shared<std::atomic<int>>(0);
    std::shared_ptr<std::atomic<int>> maxRunning = std::make_shared<std::atomic<int>>(0);
    std::shared_ptr<std::atomic<bool>> finished = std::make_shared<std::atomic<bool>>(false);

protected:
    ToolResult run(const Json& args, Deadline) override {
        switch (mode_) {
        case Mode::ThrowError:
            throw Error("the input was wrong; give another");
        case Mode::ThrowStd:
            throw std::runtime_error("boom");
        case Mode::ThrowOther:
            throw 42;
        case Mode::Huge: {
            std::string s;
            while (s.size() < 1000000) s += "\xc3\xa9"; // é, two bytes
            return ToolResult::ok(s);
        }
        case Mode::Sleep:
            break;
        }
        const int now = ++*running;
        int seen = maxRunning->load();
        while (now > seen && !maxRunning->compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(ms_));
        --*running;
        finished->store(true);
        return ToolResult::ok("slept " + std::to_string(ms_) + " n=" + args.value("n", Json(0)).dump());
    }

private:
    std::string name_;
    Mode mode_;
    int ms_;
};

} // namespace

class TstToolExecutor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void schemaChecks_data() {
        QTest::addColumn<QString>("schema");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message"); // empty: accepted
        const QString obj = R"({"type":"object","properties":{"a":{"type":"number"},"s":{"type":"string"},
            "i":{"type":"integer","minimum":1,"maximum":5},"e":{"enum":["x","y"]},
            "l":{"type":"array","items":{"type":"string"},"maxItems":2},
            "o":{"type":"object","properties":{"k":{"type":"boolean"}},"required":["k"]}},"required":["a"]})";
        QTest::newRow("ok") << obj
                            << R"({"a": 1.5, "s": "t", "i": 3, "e": "x", "l": ["p"], "o": {"k": true}})"
                            << "";
        QTest::newRow("integer is a number") << obj << R"({"a": 2})"
                                             << "";
        QTest::newRow("missing required") << obj << R"({"s": "t"})"
                                          << "missing required argument 'a'";
        QTest::newRow("wrong type") << obj << R"({"a": "1"})"
                                    << "argument 'a': expected a number, got a string";
        QTest::newRow("float for integer") << obj << R"({"a": 1, "i": 2.5})"
                                           << "expected an integer, got a number";
        QTest::newRow("whole float is an integer") << obj << R"({"a": 1, "i": 2.0})"
                                                   << "";
        QTest::newRow("minimum") << obj << R"({"a": 1, "i": 0})"
                                 << "argument 'i': must be at least 1";
        QTest::newRow("maximum") << obj << R"({"a": 1, "i": 6})"
                                 << "argument 'i': must be at most 5";
        QTest::newRow("enum") << obj << R"({"a": 1, "e": "z"})"
                              << R"(argument 'e': must be one of ["x","y"])";
        QTest::newRow("unknown key") << obj << R"({"a": 1, "zz": 1})"
                                     << "unknown argument 'zz'; the accepted arguments are: a, e, i, l, o, s";
        QTest::newRow("item type") << obj << R"({"a": 1, "l": ["p", 3]})"
                                   << "argument 'l[1]': expected a string, got an integer";
        QTest::newRow("max items") << obj << R"({"a": 1, "l": ["p", "q", "r"]})"
                                   << "takes at most 2 items";
        QTest::newRow("nested required") << obj << R"({"a": 1, "o": {}})"
                                         << "missing required argument 'o.k'";
        QTest::newRow("nested type") << obj << R"({"a": 1, "o": {"k": 1}})"
                                     << "argument 'o.k': expected a boolean, got an integer";
        QTest::newRow("not an object") << obj << R"([1])"
                                       << "the arguments: expected an object, got an array";
        QTest::newRow("extra allowed") << R"({"type":"object","additionalProperties":true})"
                                       << R"({"q": 1})"
                                       << "";
        QTest::newRow("extra typed") << R"({"type":"object","additionalProperties":{"type":"string"}})"
                                     << R"({"q": 1})"
                                     << "argument 'q': expected a string";
        QTest::newRow("type list") << R"({"type":"object","properties":{"v":{"type":["string","null"]}}})"
                                   << R"({"v": 3})"
                                   << "expected a string or null, got an integer";
        QTest::newRow("min length counts characters")
            << R"({"type":"object","properties":{"v":{"type":"string","maxLength":2}}})"
            << R"({"v": "éé"})"
            << "";
    }
    void schemaChecks() {
        QFETCH(QString, schema);
        QFETCH(QString, value);
        QFETCH(QString, message);
        const std::string got =
            checkArguments(Json::parse(schema.toStdString()), Json::parse(value.toStdString()));
        if (message.isEmpty())
            QVERIFY2(got.empty(), got.c_str());
        else
            QVERIFY2(QString::fromStdString(got).contains(message), got.c_str());
    }

    void registry() {
        ToolRegistry reg;
        reg.add(std::make_shared<TestTool>("one", TestTool::Mode::Sleep));
        reg.add(std::make_shared<TestTool>("two", TestTool::Mode::Sleep));
        QVERIFY_THROWS_EXCEPTION(Error, reg.add(std::make_shared<TestTool>("one", TestTool::Mode::Sleep)));
        QVERIFY_THROWS_EXCEPTION(Error,
                                 reg.add(std::make_shared<TestTool>("bad name", TestTool::Mode::Sleep)));
        QVERIFY_THROWS_EXCEPTION(Error, reg.add(std::make_shared<TestTool>("", TestTool::Mode::Sleep)));
        QVERIFY(reg.find("two"));
        QVERIFY(!reg.find("three"));
        const Json j = reg.toJson();
        QCOMPARE(j.size(), std::size_t(2));
        QCOMPARE(j[0]["type"].get<std::string>(), std::string("function"));
        QCOMPARE(j[1]["function"]["name"].get<std::string>(), std::string("two"));
        QCOMPARE(j[0]["function"]["parameters"]["properties"]["n"]["type"].get<std::string>(),
                 std::string("integer"));
    }

    void callsOverlap() {
        ToolRegistry reg;
        auto tool = std::make_shared<TestTool>("sleep", TestTool::Mode::Sleep, 400);
        reg.add(tool);
        ToolExecutor exec(reg, {std::chrono::milliseconds(5000), 1000});
        std::vector<ToolCall> calls;
        for (int i = 0; i < 4; ++i) calls.push_back({"call" + std::to_string(i), "sleep", Json{{"n", i}}});
        QElapsedTimer t;
        t.start();
        const std::vector<ToolResult> results = exec.runAll(calls);
        const qint64 ms = t.elapsed();
        QCOMPARE(results.size(), std::size_t(4));
        for (int i = 0; i < 4; ++i) {
            QVERIFY(!results[i].isError);
            QCOMPARE(results[i].content, "slept 400 n=" + std::to_string(i)); // in call order
        }
        QCOMPARE(tool->maxRunning->load(), 4);
        QVERIFY2(ms >= 400 && ms < 1200, qPrintable(QString::number(ms))); // sequential would be 1600 ms
    }

    void hangingToolTimesOut() {
        auto finished = std::make_shared<std::atomic<bool>>(false);
        {
            ToolRegistry reg;
            auto slow = std::make_shared<TestTool>("slow", TestTool::Mode::Sleep, 1500);
            finished = slow->finished;
            reg.add(slow);
            reg.add(std::make_shared<TestTool>("quick", TestTool::Mode::Sleep, 10));
            ToolExecutor exec(reg, {std::chrono::milliseconds(300), 1000});
            QElapsedTimer t;
            t.start();
            const auto results = exec.runAll({{"a", "slow", Json::object()}, {"b", "quick", Json::object()}});
            QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
            QVERIFY(results[0].isError);
            QVERIFY2(results[0].content.find("did not finish within 0.3 s") != std::string::npos,
                     results[0].content.c_str());
            QVERIFY(!results[1].isError);
            QVERIFY(!finished->load());
        } // registry and executor are gone; the abandoned call still owns its tool
        QTRY_VERIFY_WITH_TIMEOUT(finished->load(), 5000);
    }

    void throwingToolsGiveErrors() {
        ToolRegistry reg;
        reg.add(std::make_shared<TestTool>("err", TestTool::Mode::ThrowError));
        reg.add(std::make_shared<TestTool>("std", TestTool::Mode::ThrowStd));
        reg.add(std::make_shared<TestTool>("other", TestTool::Mode::ThrowOther));
        ToolExecutor exec(reg);
        const auto r = exec.runAll({{"1", "err", {}},
                                    {"2", "std", {}},
                                    {"3", "other", {}},
                                    {"4", "nope", {}},
                                    {"5", "err", Json{{"n", "x"}}},
                                    {"6", "err", Json::array()}});
        for (const auto& x : r) QVERIFY(x.isError);
        QCOMPARE(r[0].content, std::string("tool err: the input was wrong; give another"));
        QCOMPARE(r[1].content, std::string("tool std failed: boom"));
        QVERIFY(r[2].content.find("unknown exception") != std::string::npos);
        QCOMPARE(r[3].content, std::string("unknown tool 'nope'; the available tools are: err, std, other"));
        QVERIFY(r[4].content.find("argument 'n': expected an integer, got a string") != std::string::npos);
        QVERIFY(r[5].content.find("must be a JSON object") != std::string::npos);
    }

    void hugeResultsAreCut() {
        ToolRegistry reg;
        reg.add(std::make_shared<TestTool>("huge", TestTool::Mode::Huge));
        ToolExecutor exec(reg, {std::chrono::milliseconds(5000), 1001});
        const ToolResult r = exec.run({"1", "huge", {}});
        QVERIFY(!r.isError);
        QVERIFY(r.truncated);
        const std::size_t note = r.content.find("\n[... output truncated: 1000 of 1000000 bytes shown]");
        QCOMPARE(note, std::size_t(1000)); // cut back to a character boundary, not inside é
        for (std::size_t i = 0; i < note; i += 2) QCOMPARE(r.content.substr(i, 2), std::string("\xc3\xa9"));
    }

    void zoneOffsets() {
        HONE_REQUIRE_PATH(QStringLiteral("/usr/share/zoneinfo/Europe/Berlin"));
        const std::int64_t jan = 1705320000, jul = 1721044800; // 2024-01-15 and 2024-07-15, 12:00 UTC
        ZoneOffset z = zoneOffsetAt("Europe/Berlin", jan);
        QCOMPARE(z.utcOffsetSeconds, 3600);
        QCOMPARE(z.abbreviation, std::string("CET"));
        QVERIFY(!z.isDst);
        z = zoneOffsetAt("Europe/Berlin", jul);
        QCOMPARE(z.utcOffsetSeconds, 7200);
        QCOMPARE(z.abbreviation, std::string("CEST"));
        QVERIFY(z.isDst);
        QCOMPARE(zoneOffsetAt("America/New_York", jan).utcOffsetSeconds, -5 * 3600);
        QCOMPARE(zoneOffsetAt("America/New_York", jul).utcOffsetSeconds, -4 * 3600);
        QCOMPARE(zoneOffsetAt("Asia/Kolkata", jul).utcOffsetSeconds, 5 * 3600 + 1800);
        QCOMPARE(zoneOffsetAt("UTC", jul).utcOffsetSeconds, 0);
        for (const char* bad :
             {"../etc/passwd", "/etc/localtime", "Europe/../../etc/passwd", "Mars/Olympus", ""})
            QVERIFY_THROWS_EXCEPTION(Error, zoneOffsetAt(bad, jan));
        QCOMPARE(isoDateTime(0, 0, true), std::string("1970-01-01T00:00:00Z"));
        QCOMPARE(isoDateTime(jul, 7200), std::string("2024-07-15T14:00:00+02:00"));
        QCOMPARE(isoDateTime(jul, -(3 * 3600 + 1800)), std::string("2024-07-15T08:30:00-03:30"));
    }

    void dateTimeTool() {
        HONE_REQUIRE_PATH(QStringLiteral("/usr/share/zoneinfo/Asia/Kolkata"));
        DateTimeTool tool;
        const Deadline far = Clock::now() + std::chrono::seconds(5);
        ToolResult r = tool.call(Json{{"timezone", "Asia/Kolkata"}}, far);
        QVERIFY2(!r.isError, r.content.c_str());
        const Json j = Json::parse(r.content);
        const QDateTime utc =
            QDateTime::fromString(QString::fromStdString(j["utc"].get<std::string>()), Qt::ISODate);
        QVERIFY(utc.isValid());
        QVERIFY(qAbs(utc.secsTo(QDateTime::currentDateTimeUtc())) < 5);
        const QString local = QString::fromStdString(j["local"].get<std::string>());
        QVERIFY2(local.endsWith("+05:30"), qPrintable(local));
        QCOMPARE(QDateTime::fromString(local, Qt::ISODate).toSecsSinceEpoch(), utc.toSecsSinceEpoch());
        QCOMPARE(QString::fromStdString(j["weekday"].get<std::string>()),
                 QLocale::c().dayName(QDateTime::fromString(local, Qt::ISODate)
                                          .toOffsetFromUtc(5 * 3600 + 1800)
                                          .date()
                                          .dayOfWeek()));
        r = tool.call(Json::object(), far);
        QVERIFY(!r.isError);
        QVERIFY(Json::parse(r.content).contains("local"));
        r = tool.call(Json{{"timezone", "Nowhere/City"}}, far);
        QVERIFY(r.isError);
        QVERIFY(r.content.find("unknown time zone 'Nowhere/City'") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TstToolExecutor)
#include "tst_tool_executor.moc"
