// The JSON-schema grammar: hand-written accept/reject tables per schema feature, tool-call shapes, bad
// schemas and fallbacks, and random byte walks whose every complete output parses and validates against the
// schema with the independent checker in schema_validator.h.
#include "common/error.h"
#include "common/test_support.h"
#include "constrain/json_grammar.h"
#include "schema_validator.h"

#include <random>

class TstJsonGrammar : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void strings();
    void numbers();
    void literals();
    void objects();
    void arrays();
    void combinators();
    void toolCalls();
    void badSchemas();
    void fallbacks();
    void randomWalksValidate();
};

using namespace hone;
using namespace hone::constrain;

namespace {

// 'C' complete, 'P' a valid but unfinished prefix, 'R' refused.
char verdict(const JsonGrammar& g, std::string_view text) {
    GrammarState s = g.start();
    if (!s.feed(text)) return 'R';
    return s.isComplete() ? 'C' : 'P';
}

struct Case {
    const char* text;
    char expected;
};

void checkTable(const Json& schema, std::initializer_list<Case> cases) {
    const JsonGrammar g = JsonGrammar::fromSchema(schema);
    for (const auto& c : cases) {
        const char got = verdict(g, c.text);
        QVERIFY2(got == c.expected, qPrintable(QStringLiteral("schema %1, text %2: expected %3, got %4")
                                                   .arg(QString::fromStdString(schema.dump()))
                                                   .arg(QString::fromUtf8(c.text))
                                                   .arg(QChar(c.expected))
                                                   .arg(QChar(got))));
        if (got == 'C') { // every accepted output is JSON that the independent checker validates
            const Json v = Json::parse(c.text, nullptr, false);
            QVERIFY2(!v.is_discarded(), c.text);
            const std::string why = test::schemaViolation(v, schema, schema);
            QVERIFY2(why.empty(),
                     qPrintable(QString::fromUtf8(c.text) + " -> " + QString::fromStdString(why)));
        }
    }
}

const Json kWeatherTools = Json::parse(R"([
  {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
    "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}}, "required": ["city"]}}},
  {"type": "function", "function": {"name": "get_time"}}
])");

} // namespace

void TstJsonGrammar::strings() {
    checkTable({{"type", "string"}}, {
                                         {R"("abc")", 'C'},
                                         {R"("a\"b\\c\/")", 'C'},
                                         {R"("\u00e9\u20AC")", 'C'},
                                         {R"("\ud83d\ude00")", 'R'}, // surrogate escapes are not generated
                                         {"\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"", 'C'},
                                         {"\"\xC3", 'P'},
                                         {"\"\xC3(", 'R'},
                                         {"\"\xE0\x80\x80\"", 'R'},     // overlong
                                         {"\"\xED\xA0\x80\"", 'R'},     // UTF-16 surrogate in UTF-8
                                         {"\"\xF4\x90\x80\x80\"", 'R'}, // above U+10FFFF
                                         {"\"\xFF\"", 'R'},
                                         {"\"a\nb\"", 'R'}, // raw control character
                                         {R"("\x")", 'R'},
                                         {R"("\u12g4")", 'R'},
                                         {"abc", 'R'},
                                         {R"("abc)", 'P'},
                                         {R"("abc"x)", 'R'},
                                         {R"("abc" )", 'R'}, // nothing after the value
                                         {R"(  "a")", 'C'},
                                         {R"(   "a")", 'R'}, // three whitespace bytes: over the limit of 2
                                     });
    checkTable({{"type", "string"}, {"minLength", 2}, {"maxLength", 3}},
               {{R"("a")", 'R'},
                {R"("ab")", 'C'},
                {R"("abc")", 'C'},
                {R"("abcd")", 'R'},
                {"\"\xC3\xA9\xE2\x82\xAC\"", 'C'}, // two code points
                {R"("\n\t")", 'C'},
                {R"("\u0041\u0042\u0043\u0044")", 'R'}});
}

void TstJsonGrammar::numbers() {
    checkTable({{"type", "integer"}}, {{"0", 'C'},
                                       {"-12", 'C'},
                                       {"-0", 'C'},
                                       {"012", 'R'},
                                       {"1.5", 'R'},
                                       {"1e3", 'R'},
                                       {"-", 'P'},
                                       {"+1", 'R'},
                                       {"1234567890123456", 'C'},
                                       {"12345678901234567", 'R'}});
    checkTable({{"type", "number"}}, {{"1.5", 'C'},
                                      {"1.", 'P'},
                                      {".5", 'R'},
                                      {"1e-7", 'C'},
                                      {"1E+10", 'C'},
                                      {"1e99", 'C'},
                                      {"1e123", 'R'},
                                      {"01", 'R'},
                                      {"-0.0", 'C'},
                                      {"1.5e", 'P'},
                                      {"1.5e+", 'P'},
                                      {"1..5", 'R'},
                                      {"NaN", 'R'}});
}

void TstJsonGrammar::literals() {
    checkTable({{"type", "boolean"}},
               {{"true", 'C'}, {"tru", 'P'}, {"truex", 'R'}, {"false", 'C'}, {"null", 'R'}, {"1", 'R'}});
    checkTable({{"type", "null"}}, {{"null", 'C'}, {"nul", 'P'}, {"false", 'R'}});
    checkTable(Json::parse(R"({"enum": ["red", "green", 1, 12, null, {"a": 1}]})"),
               {{R"("red")", 'C'},
                {R"("re)", 'P'},
                {R"("blue")", 'R'},
                {"1", 'C'},
                {"12", 'C'},
                {"123", 'R'},
                {"null", 'C'},
                {R"({"a":1})", 'C'},
                {R"({"a": 1})", 'R'}}); // enum values only in their compact form
    checkTable(Json::parse(R"({"const": "only"})"), {{R"("only")", 'C'}, {R"("onl")", 'R'}});
    checkTable(Json::parse(R"({"type": ["string", "null"]})"),
               {{"null", 'C'}, {R"("x")", 'C'}, {"1", 'R'}, {"[]", 'R'}});
}

void TstJsonGrammar::objects() {
    const Json s = Json::parse(R"({"type": "object", "properties": {"city": {"type": "string"},
        "days": {"type": "integer"}}, "required": ["city"]})");
    checkTable(s, {
                      {R"({"city":"Oslo"})", 'C'},
                      {R"({"days":3,"city":"Oslo"})", 'C'}, // any order
                      {R"({"days":3})", 'R'},               // required city missing
                      {R"({"days":3)", 'P'},
                      {"{}", 'R'},
                      {R"({"city":"a","city":"b"})", 'R'}, // each property once
                      {R"({"city":"a","x":1})", 'R'},      // no other properties
                      {R"({"city": "Oslo", "days": 3})", 'C'},
                      {R"({ "city" : "Oslo" })", 'C'},
                      {R"({"city":"Oslo",})", 'R'},
                      {R"({"cit)", 'P'},
                      {R"({"ci")", 'R'},
                      {R"({"city":"Oslo","days":3,)", 'R'}, // no property left for a comma
                      {R"({'city':'Oslo'})", 'R'},
                  });
    checkTable(Json::parse(R"({"type": "object", "properties": {"a": {"type": "integer"}}})"),
               {{"{}", 'C'}, {R"({"a":1})", 'C'}, {R"({"a":1,"a":2})", 'R'}});
    checkTable(Json::parse(R"({"type": "object", "additionalProperties": {"type": "integer"}})"),
               {{R"({"q":1,"r":2})", 'C'}, {R"({"q":"s"})", 'R'}, {"{}", 'C'}});
    checkTable(Json::parse(R"({"type": "object", "additionalProperties": false})"),
               {{"{}", 'C'}, {R"({"q":1})", 'R'}});
}

void TstJsonGrammar::arrays() {
    checkTable(
        Json::parse(R"({"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 2})"),
        {{"[]", 'R'},
         {"[1]", 'C'},
         {"[1,2]", 'C'},
         {"[1,2,3]", 'R'},
         {"[1, 2]", 'C'},
         {"[1,]", 'R'},
         {R"(["a"])", 'R'},
         {"[ ]", 'R'}});
    checkTable(Json::parse(R"({"type": "array"})"), {{"[]", 'C'}, {R"([1,"a",[null]])", 'C'}});
}

void TstJsonGrammar::combinators() {
    checkTable(Json::parse(R"({"anyOf": [
          {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
          {"type": "object", "properties": {"b": {"type": "string"}}, "required": ["b"]}]})"),
               {{R"({"a":1})", 'C'}, {R"({"b":"x"})", 'C'}, {R"({"a":"x"})", 'R'}, {"{}", 'R'}, {"{", 'P'}});
    checkTable(Json::parse(R"({"oneOf": [{"type": "integer"}, {"type": "string", "maxLength": 1}]})"),
               {{"7", 'C'}, {R"("x")", 'C'}, {R"("xy")", 'R'}, {"true", 'R'}});
    const Json points =
        Json::parse(R"({"$defs": {"pt": {"type": "object", "properties": {"x": {"type": "number"}},
        "required": ["x"]}}, "type": "array", "items": {"$ref": "#/$defs/pt"}})");
    checkTable(points, {{R"([{"x":1},{"x":2.5}])", 'C'}, {R"([{"y":1}])", 'R'}});
    const Json tree = Json::parse(R"({"definitions": {"node": {"type": "object", "properties": {
        "v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#/definitions/node"}}},
        "required": ["v"]}}, "$ref": "#/definitions/node"})");
    checkTable(tree,
               {{R"({"v":1,"kids":[{"v":2,"kids":[]},{"v":3}]})", 'C'}, {R"({"v":1,"kids":[{}]})", 'R'}});
    checkTable(Json::object(), {{R"({"x":[1,{"y":null}],"z":"s"})", 'C'},
                                {"[1,2", 'P'},
                                {"nul", 'P'},
                                {R"({"a" 1})", 'R'},
                                {"-3.5e2", 'C'}});
}

void TstJsonGrammar::toolCalls() {
    const auto tools = parseTools(kWeatherTools);
    QCOMPARE(tools.size(), std::size_t{2});
    QCOMPARE(tools[1].name, std::string("get_time"));
    const JsonGrammar g = JsonGrammar::forToolCall(tools);
    const std::pair<const char*, char> cases[] = {
        {R"({"name":"get_weather","arguments":{"city":"Oslo"}})", 'C'},
        {R"({"name": "get_weather", "arguments": {"unit": "f", "city": "Oslo"}})", 'C'},
        {"\n{\"name\": \"get_time\", \"arguments\": {}}", 'C'},
        {R"({"name":"get_time","arguments":{"city":"x"}})", 'R'},    // get_time takes no arguments
        {R"({"name":"get_weather","arguments":{"unit":"f"}})", 'R'}, // city is required
        {R"({"name":"get_weather","arguments":{"city":"a","unit":"k"}})", 'R'},
        {R"({"arguments":{},"name":"get_time"})", 'R'}, // name comes first
        {R"({"name":"get_time"})", 'R'},
        {R"({"name":"nope")", 'R'},
        {R"({"name":"get_)", 'P'},
        {R"({"name":"get_time","parameters":{}})", 'R'},
    };
    for (const auto& [text, expected] : cases) QVERIFY2(verdict(g, text) == expected, text);
    const JsonGrammar llama = JsonGrammar::forToolCall(tools, CallShape::NameParameters);
    QCOMPARE(verdict(llama, R"({"name":"get_time","parameters":{}})"), 'C');
    QCOMPARE(verdict(llama, R"({"name":"get_time","arguments":{}})"), 'R');
    QVERIFY(g.notes().empty());
}

void TstJsonGrammar::badSchemas() {
    auto message = [](auto&& f) -> std::string {
        try {
            f();
        } catch (const Error& e) {
            return e.what();
        }
        return "no error";
    };
    QVERIFY(message([] { JsonGrammar::fromSchema(Json("string")); }).find("must be a JSON object") !=
            std::string::npos);
    const std::string unknown = message([] {
        JsonGrammar::forToolCall({ToolSpec{"f", Json::parse(R"({"type": "object", "properties": {
            "city": {"type": "strnig"}}})")}});
    });
    QVERIFY2(unknown.find("tool 'f'") != std::string::npos &&
                 unknown.find("parameters.properties.city.type") != std::string::npos &&
                 unknown.find("unknown type 'strnig'") != std::string::npos,
             unknown.c_str());
    QVERIFY(message([] { JsonGrammar::fromSchema(Json::parse(R"({"enum": []})")); }).find("non-empty") !=
            std::string::npos);
    QVERIFY(message([] {
                JsonGrammar::fromSchema(Json::parse(R"({"type":"string","minLength":3,"maxLength":2})"));
            }).find("minLength is larger") != std::string::npos);
    QVERIFY(message([] { JsonGrammar::fromSchema(Json::parse(R"({"anyOf": {}})")); }).find("anyOf") !=
            std::string::npos);
    QVERIFY(message([] { JsonGrammar::fromSchema(Json(false)); }).find("false") != std::string::npos);
    QVERIFY(message([] { JsonGrammar::forToolCall({}); }).find("no tools") != std::string::npos);
    QVERIFY(message([] {
                JsonGrammar::forToolCall({ToolSpec{"a", {}}, ToolSpec{"a", {}}});
            }).find("twice") != std::string::npos);
    QVERIFY(message([] {
                parseTools(Json::parse(R"([{"type":"function","function":{}}])"));
            }).find("tools[0]") != std::string::npos);
    QVERIFY(message([] { parseTools(Json::object()); }).find("JSON array") != std::string::npos);
}

void TstJsonGrammar::fallbacks() {
    Json huge = Json::array();
    for (int i = 0; i < 5000; ++i) huge.push_back("v" + std::to_string(i));
    const JsonGrammar g = JsonGrammar::fromSchema({{"enum", huge}});
    QCOMPARE(g.notes().size(), std::size_t{1});
    QVERIFY(g.notes()[0].find("enum of 5000 values") != std::string::npos);
    QCOMPARE(verdict(g, "[1]"), 'C'); // any JSON value
    const JsonGrammar n = JsonGrammar::fromSchema(Json::parse(R"({"not": {"type": "string"}})"));
    QVERIFY(!n.notes().empty());
    QCOMPARE(verdict(n, "true"), 'C');
    const JsonGrammar p = JsonGrammar::fromSchema(Json::parse(R"({"type": "string", "pattern": "^a"})"));
    QVERIFY(p.notes().size() == 1 && p.notes()[0].find("pattern") != std::string::npos);
    QCOMPARE(verdict(p, R"("b")"), 'C'); // the pattern is not enforced (documented)
    QCOMPARE(verdict(p, "1"), 'R');      // but it is still a string
    const JsonGrammar r = JsonGrammar::fromSchema(Json::parse(R"({"$ref": "https://x/y.json"})"));
    QVERIFY(!r.notes().empty());
    QCOMPARE(verdict(r, "{}"), 'C');
}

// Random walks over bytes: every state reached either completes or allows some byte (no dead ends), and
// every complete output parses and validates.
void TstJsonGrammar::randomWalksValidate() {
    const Json schemas[] = {
        Json::parse(R"({"type": "object", "properties": {"city": {"type": "string", "maxLength": 6},
            "days": {"type": "integer"}, "tags": {"type": "array", "items": {"enum": ["a", "bc", 3]},
            "maxItems": 3}, "ok": {"type": ["boolean", "null"]}, "x": {"type": "number"}},
            "required": ["city", "days"]})"),
        Json::parse(R"({"anyOf": [{"type": "string", "minLength": 1, "maxLength": 3},
            {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 3}]})"),
        Json::parse(R"({"$defs": {"n": {"type": "object", "properties": {"v": {"type": "integer"},
            "k": {"type": "array", "items": {"$ref": "#/$defs/n"}, "maxItems": 2}}, "required": ["v"]}},
            "$ref": "#/$defs/n"})"),
        Json::parse(R"({"type": "object", "additionalProperties": {"type": "string", "maxLength": 2}})"),
    };
    for (const Json& schema : schemas) {
        const JsonGrammar g = JsonGrammar::fromSchema(schema);
        int completed = 0;
        for (std::uint32_t seed = 0; seed < 150; ++seed) {
            std::mt19937 rng(seed);
            GrammarState s = g.start();
            std::string out;
            bool done = false;
            for (int step = 0; step < 3000 && !done; ++step) {
                std::vector<std::uint8_t> allowed, closers;
                GrammarState next;
                for (int b = 0; b < 256; ++b)
                    if (s.advance(static_cast<std::uint8_t>(b), next)) {
                        allowed.push_back(static_cast<std::uint8_t>(b));
                        if (b == '"' || b == '}' || b == ']') closers.push_back(static_cast<std::uint8_t>(b));
                    }
                if (allowed.empty()) {
                    QVERIFY2(s.isComplete(),
                             qPrintable(QStringLiteral("dead end after: ") + QString::fromStdString(out)));
                    done = true;
                    break;
                }
                if (s.isComplete() && rng() % 2 == 0) {
                    done = true;
                    break;
                }
                const auto& pool = !closers.empty() && rng() % 3 == 0 ? closers : allowed;
                const std::uint8_t b = pool[rng() % pool.size()];
                QVERIFY(s.feed(b));
                out.push_back(static_cast<char>(b));
            }
            if (!done) continue;
            ++completed;
            const Json v = Json::parse(out, nullptr, false);
            QVERIFY2(!v.is_discarded(), out.c_str());
            const std::string why = test::schemaViolation(v, schema, schema);
            QVERIFY2(why.empty(), qPrintable(QString::fromStdString(out + " -> " + why)));
        }
        QVERIFY2(completed >= 100,
                 qPrintable(QStringLiteral("only %1 of 150 walks completed").arg(completed)));
    }
}

QTEST_GUILESS_MAIN(TstJsonGrammar)
#include "tst_json_grammar.moc"
