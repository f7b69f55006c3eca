// Constrained tool calls from a random-weight qwen3-vocabulary model at temperature 1 over 50 seeds: every
// output is valid JSON that validates against its tool's schema (independent checker), the arguments vary
// with the seed, and the mask's cost per token is measured against the model's forward pass.
#include "common/error.h"
#include "common/test_support.h"
#include "constrain/constrained_decoder.h"
#include "device/compute_device.h"
#include "infer/constrained_logits.h"
#include "infer/generator.h"
#include "infer/language_model.h"
#include "infer/random_model.h"
#include "schema_validator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <set>

using namespace hone;
using namespace hone::constrain;
using hone::test::fixture;

class TstConstrainedGeneration : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private Q_SLOTS:
    void initTestCase();
    void validCallsOverSeeds();
    void processorRefusesForeignTokens();
};

namespace {

Json toolsJson() {
    Json weather = {{"type", "object"},
                    {"properties",
                     {{"city", {{"type", "string"}, {"minLength", 1}, {"maxLength", 8}}},
                      {"days", {{"type", "integer"}}},
                      {"unit", {{"enum", {"c", "f"}}}},
                      {"hours", {{"type", "array"}, {"items", {{"type", "integer"}}}, {"maxItems", 3}}},
                      {"precise", {{"type", "boolean"}}}}},
                    {"required", {"city", "days"}}};
    Json convert = {{"type", "object"},
                    {"properties",
                     {{"amount", {{"type", "number"}}},
                      {"from", {{"enum", {"usd", "eur", "nok"}}}},
                      {"note", {{"type", {"string", "null"}}, {"maxLength", 5}}}}},
                    {"required", {"amount", "from"}}};
    return Json::array(
        {{{"name", "get_weather"}, {"parameters", weather}}, {{"name", "convert"}, {"parameters", convert}}});
}

double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

struct Fixture {
    tok::Tokenizer tok;
    std::shared_ptr<const TokenVocab> vocab;
    std::shared_ptr<LanguageModel> model;
    std::vector<std::int32_t> endIds, prompt;
};

} // namespace

static std::optional<Fixture> g_fixture;

void TstConstrainedGeneration::initTestCase() {
    configureThreads();
    QVERIFY(tmp_.isValid());
    const QString tokPath = fixture("tokenizers/qwen3");
    if (!QFileInfo::exists(tokPath)) return; // the tests skip (or fail under CI) below
    auto tok = tok::Tokenizer::load(tokPath.toStdString());
    const Json config = {{"architectures", {"Qwen3ForCausalLM"}},
                         {"model_type", "qwen3"},
                         {"hidden_size", 64},
                         {"intermediate_size", 128},
                         {"num_hidden_layers", 2},
                         {"num_attention_heads", 4},
                         {"num_key_value_heads", 2},
                         {"head_dim", 16},
                         {"vocab_size", tok.vocabSize()},
                         {"max_position_embeddings", 1024},
                         {"rms_norm_eps", 1e-6},
                         {"rope_theta", 1000000.0},
                         {"tie_word_embeddings", true}};
    const std::string dir = tmp_.filePath("model").toStdString();
    writeRandomModel(dir, config, 5, 0.5f);
    Fixture f{tok,
              std::make_shared<const TokenVocab>(TokenVocab::fromTokenizer(tok)),
              LanguageModel::load(dir),
              {},
              {}};
    f.endIds = {*tok.tokenToId("</tool_call>"), *tok.eosId()};
    f.prompt = tok.encode(
        "<|im_start|>user\nWeather in Oslo?<|im_end|>\n<|im_start|>assistant\n<tool_call>\n", {false, true});
    g_fixture = std::move(f);
}

void TstConstrainedGeneration::validCallsOverSeeds() {
    HONE_REQUIRE_PATH(fixture("tokenizers/qwen3"));
    QVERIFY(g_fixture);
    const Fixture& f = *g_fixture;
    const Json tools = toolsJson();
    GrammarOptions options;
    options.maxWhitespace = 1; // a random model spends many tokens on whitespace; keep the calls short
    const JsonGrammar grammar =
        JsonGrammar::forToolCall(parseTools(tools), CallShape::NameArguments, options);
    std::set<std::string> argumentValues, names;
    double maskMs = 0;
    int maskCalls = 0, tokens = 0;
    for (std::uint64_t seed = 0; seed < 50; ++seed) {
        auto decoder = std::make_shared<ConstrainedDecoder>(f.vocab, grammar, f.endIds);
        auto proc = std::make_shared<ConstrainedLogitsProcessor>(decoder);
        SamplingParams p;
        p.temperature = 1.0;
        p.seed = seed;
        Sampler sampler(p);
        sampler.addProcessor(proc);
        InferenceSession session(f.model);
        StopConditions stop;
        stop.maxTokens = 400;
        stop.stopIds = f.endIds;
        const GenerationResult r = generate(session, f.prompt, sampler, stop);
        QCOMPARE(QString::fromStdString(r.stopReason), QStringLiteral("stop_token"));
        QVERIFY(decoder->isComplete());
        std::string text;
        for (std::size_t i = 0; i + 1 < r.ids.size(); ++i) text += f.tok.tokenBytes(r.ids[i]);
        const Json call = Json::parse(text, nullptr, false);
        QVERIFY2(!call.is_discarded(), text.c_str());
        QVERIFY2(call.is_object() && call.size() == 2 && call.contains("name") && call.contains("arguments"),
                 text.c_str());
        const auto it = std::find_if(tools.begin(), tools.end(),
                                     [&](const Json& t) { return t["name"] == call["name"]; });
        QVERIFY2(it != tools.end(), text.c_str());
        const Json& schema = (*it)["parameters"];
        const std::string why = test::schemaViolation(call["arguments"], schema, schema);
        QVERIFY2(why.empty(), qPrintable(QString::fromStdString(text + " -> " + why)));
        for (const auto& [k, v] : call["arguments"].items())
            QVERIFY2(schema["properties"].contains(k), text.c_str()); // only the listed properties
        argumentValues.insert(call["arguments"].dump());
        names.insert(call["name"].get<std::string>());
        maskMs += proc->totalMs();
        maskCalls += proc->calls();
        tokens += static_cast<int>(r.ids.size());
        if (seed < 3) qInfo("seed %d: %s", static_cast<int>(seed), text.c_str());
    }
    QVERIFY2(argumentValues.size() >= 40,
             qPrintable(
                 QStringLiteral("only %1 distinct argument objects in 50 seeds").arg(argumentValues.size())));
    QCOMPARE(names.size(), std::size_t{2});

    // The model's own cost per token: decode steps without the grammar.
    InferenceSession session(f.model);
    session.prefill(f.prompt);
    const int steps = 64;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) {
        const auto& l = session.logits();
        session.append(static_cast<std::int32_t>(std::max_element(l.begin(), l.end()) - l.begin()));
    }
    const double forwardMs = msSince(t0) / steps;
    const double perMask = maskMs / std::max(1, maskCalls);
    qInfo("constrained decoding: %d tokens in 50 calls; mask %.3f ms per token vs forward %.3f ms per token "
          "(ratio %.2f) for a %zu-token vocabulary",
          tokens, perMask, forwardMs, perMask / forwardMs, f.vocab->size());
}

void TstConstrainedGeneration::processorRefusesForeignTokens() {
    HONE_REQUIRE_PATH(fixture("tokenizers/qwen3"));
    QVERIFY(g_fixture);
    const Fixture& f = *g_fixture;
    auto decoder = std::make_shared<ConstrainedDecoder>(
        f.vocab, JsonGrammar::forToolCall(parseTools(toolsJson())), f.endIds);
    ConstrainedLogitsProcessor proc(decoder);
    std::vector<float> logits(f.vocab->size() + 8, 1.0f); // a model vocabulary padded beyond the tokenizer's
    std::vector<std::int32_t> context = f.prompt;
    proc.apply(logits, context);
    std::vector<std::int32_t> allowed;
    decoder->allowedIds(allowed);
    std::size_t finite = 0;
    for (std::size_t i = 0; i < logits.size(); ++i) finite += std::isfinite(logits[i]);
    QCOMPARE(finite, allowed.size());
    QVERIFY(!std::isfinite(logits.back()));
    QVERIFY(std::isfinite(logits[static_cast<std::size_t>(*f.tok.tokenToId("{"))]));
    // A token the grammar refuses (it was not sampled from the mask) is reported, not silently accepted.
    context.push_back(*f.tok.tokenToId("hello"));
    QVERIFY_THROWS_EXCEPTION(Error, proc.apply(logits, context));
}

QTEST_GUILESS_MAIN(TstConstrainedGeneration)
#include "tst_constrained_generation.moc"
