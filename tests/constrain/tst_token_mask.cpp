// Token masks on real tokenizers (qwen3 byte-level BPE, llama2 / mistral SentencePiece): the trie-walk mask
// equals a brute-force check of every vocabulary token (its bytes fed one by one to a copy of the grammar
// state) at many random reachable states; Tokenizer::tokenBytes concatenates back to the encoded text.
#include "common/error.h"
#include "common/test_support.h"
#include "constrain/constrained_decoder.h"
#include "schema_validator.h"

#include <chrono>
#include <random>

using namespace hone;
using namespace hone::constrain;
using hone::test::fixture;

namespace {

// The tools the masks are computed for (defined at the end of the file: moc does not read raw strings).
Json toolsJson();
const Json kTools = toolsJson();

std::vector<std::int32_t> bruteForce(const TokenVocab& vocab, const GrammarState& state,
                                     const std::vector<std::int32_t>& endIds) {
    std::vector<std::int32_t> out;
    if (state.isComplete()) out = endIds;
    for (std::size_t id = 0; id < vocab.size(); ++id) {
        const std::string* b = vocab.bytes(static_cast<std::int32_t>(id));
        if (!b) continue;
        GrammarState s = state;
        bool ok = true;
        for (const char c : *b) {
            if (!s.feed(static_cast<std::uint8_t>(c))) {
                ok = false;
                break;
            }
        }
        if (ok) out.push_back(static_cast<std::int32_t>(id));
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

class TstTokenMask : public QObject {
    Q_OBJECT

    tok::Tokenizer load(const char* name) {
        return tok::Tokenizer::load(fixture(QStringLiteral("tokenizers/") + name).toStdString());
    }

    void tokenBytesRoundTrip(const char* name, bool spmSpace) {
        const QString path = fixture(QStringLiteral("tokenizers/") + name);
        HONE_REQUIRE_PATH(path);
        const auto tok = load(name);
        tok::EncodeOptions o;
        o.addSpecialTokens = false;
        for (const std::string text : {"Hello world", "{\"city\": \"Zürich\", \"n\": 12}", "a\n\tb  c",
                                       "\xF0\x9F\x98\x80 \xE4\xBD\xA0\xE5\xA5\xBD"}) {
            std::string joined;
            for (const auto id : tok.encode(text, o)) joined += tok.tokenBytes(id);
            const std::string expected = spmSpace ? " " + text : text;
            QCOMPARE(QByteArray::fromStdString(joined), QByteArray::fromStdString(expected));
        }
    }

    void masksMatchBruteForce(const char* name, int walks) {
        const QString path = fixture(QStringLiteral("tokenizers/") + name);
        HONE_REQUIRE_PATH(path);
        const auto tok = load(name);
        auto vocab = std::make_shared<const TokenVocab>(TokenVocab::fromTokenizer(tok));
        std::vector<std::int32_t> endIds;
        if (auto id = tok.tokenToId("</tool_call>")) endIds.push_back(*id);
        if (auto id = tok.eosId()) endIds.push_back(*id);
        std::sort(endIds.begin(), endIds.end());
        ConstrainedDecoder dec(vocab, JsonGrammar::forToolCall(parseTools(kTools)), endIds);
        int checked = 0, masks = 0;
        double maskMs = 0;
        std::size_t maxAllowed = 0;
        for (int w = 0; w < walks; ++w) {
            std::mt19937 rng(static_cast<std::uint32_t>(1000 + w));
            dec.reset();
            std::string bytes;
            for (int step = 0; step < 200; ++step) {
                std::vector<std::int32_t> fast;
                const auto t0 = std::chrono::steady_clock::now();
                dec.allowedIds(fast);
                ++masks;
                maskMs +=
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
                // Brute force on every other step (it is slow), always on the first and the last.
                if (step % 2 == 0 || dec.isComplete()) {
                    const auto slow = bruteForce(*vocab, dec.state(), endIds);
                    QVERIFY2(fast == slow,
                             qPrintable(QStringLiteral("%1: mask differs after '%2' (%3 vs %4 ids)")
                                            .arg(name)
                                            .arg(QString::fromStdString(bytes))
                                            .arg(fast.size())
                                            .arg(slow.size())));
                    ++checked;
                }
                if (step % 5 == 0) { // the bool mask says the same as the id list
                    std::vector<bool> mask;
                    dec.allowedMask(mask);
                    QCOMPARE(mask.size(), vocab->size());
                    QCOMPARE(static_cast<std::size_t>(std::count(mask.begin(), mask.end(), true)),
                             fast.size());
                    for (const auto id : fast) QVERIFY(mask[static_cast<std::size_t>(id)]);
                }
                maxAllowed = std::max(maxAllowed, fast.size());
                QVERIFY2(!fast.empty(), qPrintable(QStringLiteral("%1: nothing allowed after '%2'")
                                                       .arg(name)
                                                       .arg(QString::fromStdString(bytes))));
                if (dec.isComplete()) {
                    QCOMPARE(fast, endIds); // a complete call allows only the end tokens
                    break;
                }
                // Prefer tokens that close strings/containers so that walks finish and reach many states.
                std::vector<std::int32_t> closing;
                for (const auto id : fast) {
                    const std::string& b = *vocab->bytes(id);
                    if (b.find_first_of("\"}]") != std::string::npos) closing.push_back(id);
                }
                const auto& pool = !closing.empty() && rng() % 3 == 0 ? closing : fast;
                const std::int32_t id = pool[rng() % pool.size()];
                QVERIFY(dec.isAllowed(id));
                dec.accept(id);
                bytes += *vocab->bytes(id);
            }
            if (!dec.isComplete()) continue;
            const Json v = Json::parse(bytes, nullptr, false);
            QVERIFY2(!v.is_discarded(), bytes.c_str());
            const Json& tools = kTools;
            const auto it = std::find_if(tools.begin(), tools.end(),
                                         [&](const Json& t) { return t["function"]["name"] == v["name"]; });
            QVERIFY(it != tools.end());
            const Json& schema = (*it)["function"]["parameters"];
            const std::string why = test::schemaViolation(v["arguments"], schema, schema);
            QVERIFY2(why.empty(), qPrintable(QString::fromStdString(bytes + " -> " + why)));
        }
        // A token that is not allowed is refused with an error and leaves the state as it was.
        dec.reset();
        const auto bad = tok.encode("hello", {false, false});
        QVERIFY(!dec.isAllowed(bad[0]));
        QVERIFY_THROWS_EXCEPTION(Error, dec.accept(bad[0]));
        QVERIFY(!dec.state().isDead());
        qInfo("%s: %d masks checked against brute force; vocab %zu, trie %zu nodes, mask %.2f ms on average, "
              "at most %zu tokens allowed",
              name, checked, vocab->size(), vocab->trie().nodes.size(), maskMs / std::max(1, masks),
              maxAllowed);
        QVERIFY(checked >= walks);
    }

private Q_SLOTS:
    void tokenBytesQwen3() { tokenBytesRoundTrip("qwen3", false); }
    void tokenBytesLlama2() { tokenBytesRoundTrip("llama2", true); }
    void specialTokensExcluded() {
        const QString path = fixture("tokenizers/qwen3");
        HONE_REQUIRE_PATH(path);
        const auto tok = load("qwen3");
        const TokenVocab vocab = TokenVocab::fromTokenizer(tok);
        for (const char* t : {"<|im_end|>", "<|endoftext|>", "<tool_call>", "</tool_call>"}) {
            const auto id = tok.tokenToId(t);
            QVERIFY(id.has_value());
            QVERIFY2(vocab.bytes(*id) == nullptr, t);
        }
        const auto brace = tok.tokenToId("{");
        QVERIFY(brace && vocab.bytes(*brace) && *vocab.bytes(*brace) == "{");
    }
    void qwen3() { masksMatchBruteForce("qwen3", 12); }
    void llama2() { masksMatchBruteForce("llama2", 12); }
    void mistral() { masksMatchBruteForce("mistral-7b-v0.1", 8); }
};

QTEST_GUILESS_MAIN(TstTokenMask)
#include "tst_token_mask.moc"

namespace {
Json toolsJson() {
    return Json::parse(R"([
  {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {
    "city": {"type": "string", "maxLength": 12}, "days": {"type": "integer"},
    "unit": {"enum": ["celsius", "fahrenheit"]}, "hours": {"type": "array", "items": {"type": "number"},
    "maxItems": 3}, "exact": {"type": ["boolean", "null"]}}, "required": ["city", "days"]}}},
  {"type": "function", "function": {"name": "search", "parameters": {"type": "object", "properties": {
    "query": {"type": "string", "maxLength": 20}, "note": {"type": "string"}, "filters": {"type": "object",
    "additionalProperties": {"type": "string", "maxLength": 4}}}, "required": ["query"]}}}
])");
}
} // namespace
