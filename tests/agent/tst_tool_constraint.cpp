// Constrained tool calls in a real chat: a random-weight Llama (the archs/llama fixture) whose template opens
// a <tool_call> in the generation prompt writes, under ToolCallConstraint, a call that is valid JSON matching
// the tool's schema for every seed, and the arguments vary with the seed; without the constraint the same
// model writes no valid call. After the call only the closer's first token is allowed.
#include "agent/tool_constraint.h"
#include "chat_session/chat_session.h"
#include "common/test_support.h"
#include "infer/language_model.h"
#include "tools/tool.h"

#include <set>

using namespace hone;

namespace {

// A tool with an enum, an integer and a boolean, all required.
class SetLightTool : public tools::Tool {
public:
    std::string name() const override { return "set_light"; }
    std::string description() const override { return "Sets a light"; }
    Json parameters() const override {
        return Json::parse(R"({"type": "object", "properties": {
            "room": {"type": "string", "enum": ["kitchen", "hall", "bedroom"]},
            "level": {"type": "integer"}, "on": {"type": "boolean"}},
            "required": ["room", "level", "on"]})");
    }

protected:
    tools::ToolResult run(const Json&, tools::Deadline) override { return tools::ToolResult::ok("done"); }
};

const char* kTemplate = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
                        "{% if add_generation_prompt %}assistant: <tool_call>\n{% endif %}";

// The JSON object at the start of `text` (through its matching brace), or null when it is not valid JSON.
Json callIn(const std::string& text) {
    int depth = 0;
    bool inString = false, escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{') {
            ++depth;
        } else if (c == '}' && --depth == 0) {
            try {
                return Json::parse(text.substr(0, i + 1));
            } catch (const std::exception&) {
                return nullptr;
            }
        }
    }
    return nullptr;
}

bool validCall(const Json& c) {
    if (!c.is_object() || c.value("name", "") != "set_light" || !c.contains("arguments")) return false;
    const Json& a = c["arguments"];
    if (!a.is_object() || a.size() != 3) return false;
    const std::set<std::string> rooms{"kitchen", "hall", "bedroom"};
    return a.contains("room") && a["room"].is_string() && rooms.count(a["room"].get<std::string>()) &&
           a.contains("level") && a["level"].is_number_integer() && a.contains("on") && a["on"].is_boolean();
}

} // namespace

class TestToolConstraint : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void constrainedCallsAreValidAndVary() {
        const QString modelPath = test::fixture("archs/llama/hf");
        HONE_REQUIRE_PATH(modelPath);
        auto model = LanguageModel::load(modelPath.toStdString());
        const auto tokenizer = tok::Tokenizer::load(modelPath.toStdString());
        tools::ToolRegistry registry;
        registry.add(std::make_shared<SetLightTool>());
        const auto spec = ToolConstraintSpec::make(tokenizer, registry.toJson());

        std::set<std::string> distinct;
        int validWithout = 0;
        double maskMs = 0;
        int tokens = 0;
        for (std::uint64_t seed = 1; seed <= 10; ++seed) {
            for (const bool constrained : {true, false}) {
                ChatSessionOptions o;
                o.templateSource = kTemplate;
                o.sampling.temperature = 1.0;
                o.sampling.seed = seed;
                o.maxTokens = 200;
                std::shared_ptr<ToolCallConstraint> constraint;
                if (constrained)
                    o.replyProcessor = [&] {
                        constraint = std::make_shared<ToolCallConstraint>(spec);
                        return constraint;
                    };
                ChatSession chat(model, tokenizer, o);
                const TurnResult r = chat.send("Turn on a light.");
                const Json call = callIn(r.text);
                if (!constrained) {
                    validWithout += validCall(call) ? 1 : 0;
                    continue;
                }
                QVERIFY2(validCall(call), qPrintable(QStringLiteral("[%1] stop %2 tokens %3 prompt [%4]")
                                                         .arg(QString::fromStdString(r.text),
                                                              QString::fromStdString(r.stats.stopReason))
                                                         .arg(r.stats.generatedTokens)
                                                         .arg(QString::fromStdString(chat.renderPrompt()))));
                QCOMPARE(constraint->constrainedCalls(), 1);
                // After the call, only a token that starts the closer was allowed.
                const std::size_t close = r.text.rfind(
                    '}', r.text.find("</") == std::string::npos ? std::string::npos : r.text.find("</"));
                QVERIFY2(close != std::string::npos && r.text.compare(close + 1, 1, "<") == 0,
                         r.text.c_str());
                distinct.insert(call["arguments"].dump());
                maskMs += constraint->maskMs();
                tokens += r.stats.generatedTokens;
            }
        }
        QVERIFY2(distinct.size() >= 3, "the arguments do not vary with the seed");
        QCOMPARE(validWithout, 0);
        qInfo("constrained calls: %zu distinct argument sets of 10; mask time %.3f ms per generated token",
              distinct.size(), tokens ? maskMs / tokens : 0.0);
    }
};

QTEST_GUILESS_MAIN(TestToolConstraint)
#include "tst_tool_constraint.moc"
