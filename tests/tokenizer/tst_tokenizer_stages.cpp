// Table-driven unit tests of the pipeline stages (normalizers, pre-tokenizers, decoders), UTF-8 handling,
// tokenizer_config.json handling, malformed tokenizer.json, batch and streaming encode/decode. Expected
// values come from the Hugging Face tokenizers documentation, the Unicode/WHATWG standards or the reference
// vectors.
#include "common/error.h"
#include "common/json.h"
#include "common/mapped_file.h"
#include "common/test_support.h"
#include "tokenizer/decoders.h"
#include "tokenizer/normalizers.h"
#include "tokenizer/pre_tokenizers.h"
#include "tokenizer/regex.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

#include <random>
#include <utf8proc.h>

using namespace hone;
using namespace hone::tok;

namespace {
std::vector<std::string> preTokenize(const Json& j, const std::string& text) {
    auto p = makePreTokenizer(j, nullptr);
    std::vector<Piece> pieces{Piece{text, true}};
    p->split(pieces);
    std::vector<std::string> out;
    for (auto& x : pieces) out.push_back(x.text);
    return out;
}
std::string joinBar(const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "|" : "") + v[i];
    return s;
}
std::string decodeWith(const Json& j, std::vector<std::string> tokens) {
    makeDecoder(j)->decodeChain(tokens);
    std::string s;
    for (auto& t : tokens) s += t;
    return s;
}
std::string fixtureText(const char* rel) {
    return readTextFile(hone::test::fixture(rel).toStdString());
}
} // namespace

class TstTokenizerStages : public QObject {
    Q_OBJECT
private slots:
    void normalizers_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("in");
        QTest::addColumn<QString>("out");
        QTest::newRow("NFC") << "{\"type\":\"NFC\"}" << QString::fromUtf8("e\u0301 \u212B")
                             << QString::fromUtf8("\u00E9 \u00C5");
        QTest::newRow("NFD") << "{\"type\":\"NFD\"}" << QString::fromUtf8("\u00E9")
                             << QString::fromUtf8("e\u0301");
        QTest::newRow("NFKC") << "{\"type\":\"NFKC\"}" << QString::fromUtf8("\uFB01 \u216B \uFF21")
                              << "fi XII A";
        QTest::newRow("NFKD") << "{\"type\":\"NFKD\"}" << QString::fromUtf8("\u00BD")
                              << QString::fromUtf8("1\u20442");
        QTest::newRow("Lowercase") << "{\"type\":\"Lowercase\"}" << QString::fromUtf8("\u00C0BC \u0130")
                                   << QString::fromUtf8("\u00E0bc i\u0307");
        QTest::newRow("Strip") << "{\"type\":\"Strip\",\"strip_left\":true,\"strip_right\":true}"
                               << QString::fromUtf8(" \t\u3000 a b \n") << "a b";
        QTest::newRow("Strip-left") << "{\"type\":\"Strip\",\"strip_left\":true,\"strip_right\":false}"
                                    << "  a  "
                                    << "a  ";
        QTest::newRow("Prepend") << "{\"type\":\"Prepend\",\"prepend\":\"\\u2581\"}"
                                 << "hi" << QString::fromUtf8("\u2581hi");
        QTest::newRow("Prepend-empty") << "{\"type\":\"Prepend\",\"prepend\":\"\\u2581\"}"
                                       << ""
                                       << "";
        QTest::newRow("Replace-string")
            << "{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},\"content\":\"\\u2581\"}"
            << "a b  c" << QString::fromUtf8("a\u2581b\u2581\u2581c");
        QTest::newRow("Replace-regex")
            << "{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"\\\\s+\"},\"content\":\" \"}"
            << "a \t\n b"
            << "a b";
        QTest::newRow("Sequence")
            << "{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKC\"},{\"type\":\"Lowercase\"}]}"
            << QString::fromUtf8("\uFF21B") << "ab";
        QTest::newRow("Bert") << "{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":"
                                 "true,\"strip_accents\":null,\"lowercase\":true}"
                              << QString::fromUtf8("H\u00E9llo\t\u4E2D\x01")
                              << QString::fromUtf8("hello  \u4E2D ");
    }
    void normalizers() {
        QFETCH(QString, json);
        QFETCH(QString, in);
        QFETCH(QString, out);
        auto n = makeNormalizer(Json::parse(json.toStdString()));
        std::string s = in.toStdString();
        n->normalize(s);
        QCOMPARE(QString::fromStdString(s), out);
    }

    // The chunked NFC/NFKC fast path must agree with a plain utf8proc call on any text.
    void normalizationFastPath() {
        const std::vector<std::string> pool = {
            "a",      "e",      "\u0301", "\u0308",     " ",      "\u00E9", "\u30C8", "\u3099", "\u4E2D",
            "\uAC00", "\u11A8", "\u1100", "\u1161",     "\u0915", "\u093C", "\u0B47", "\u0B3E", "\uFB01",
            "\u212B", "\u0627", "\u0653", "\U0001F600", "<",      "\u0338", "\u00BD"};
        std::mt19937 rng(1);
        for (int i = 0; i < 3000; ++i) {
            std::string s;
            const int n = 1 + static_cast<int>(rng() % 12);
            for (int k = 0; k < n; ++k) s += pool[rng() % pool.size()];
            for (auto [form, opts] :
                 {std::pair<NormForm, int>{NormForm::NFC, UTF8PROC_COMPOSE},
                  std::pair<NormForm, int>{NormForm::NFKC, UTF8PROC_COMPOSE | UTF8PROC_COMPAT},
                  std::pair<NormForm, int>{NormForm::NFD, UTF8PROC_DECOMPOSE}}) {
                utf8proc_uint8_t* ref = nullptr;
                const auto len = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                              static_cast<utf8proc_ssize_t>(s.size()), &ref,
                                              static_cast<utf8proc_option_t>(UTF8PROC_STABLE | opts));
                QVERIFY(len >= 0);
                const std::string want(reinterpret_cast<char*>(ref), static_cast<std::size_t>(len));
                std::free(ref);
                QCOMPARE(normalizeUnicode(s, form), want);
            }
        }
    }

    // HF documentation of SplitDelimiterBehavior: "the-final--countdown" split on '-'.
    void splitBehaviors_data() {
        QTest::addColumn<QString>("behavior");
        QTest::addColumn<bool>("invert");
        QTest::addColumn<QString>("expected");
        QTest::newRow("Removed") << "Removed" << false << "the|final|countdown";
        QTest::newRow("Isolated") << "Isolated" << false << "the|-|final|-|-|countdown";
        QTest::newRow("MergedWithPrevious") << "MergedWithPrevious" << false << "the-|final-|-|countdown";
        QTest::newRow("MergedWithNext") << "MergedWithNext" << false << "the|-final|-|-countdown";
        QTest::newRow("Contiguous") << "Contiguous" << false << "the|-|final|--|countdown";
        QTest::newRow("Removed-inverted") << "Removed" << true << "-|-|-";
    }
    void splitBehaviors() {
        QFETCH(QString, behavior);
        QFETCH(bool, invert);
        QFETCH(QString, expected);
        const Json j = {{"type", "Split"},
                        {"pattern", {{"String", "-"}}},
                        {"behavior", behavior.toStdString()},
                        {"invert", invert}};
        QCOMPARE(QString::fromStdString(joinBar(preTokenize(j, "the-final--countdown"))), expected);
    }

    void preTokenizers_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("in");
        QTest::addColumn<QString>("expected");
        QTest::newRow("Whitespace") << "{\"type\":\"Whitespace\"}"
                                    << "Hey friend!     How are you?!?"
                                    << "Hey|friend|!|How|are|you|?!?";
        QTest::newRow("WhitespaceSplit") << "{\"type\":\"WhitespaceSplit\"}"
                                         << "Hey friend!  How?"
                                         << "Hey|friend!|How?";
        QTest::newRow("Digits-individual") << "{\"type\":\"Digits\",\"individual_digits\":true}"
                                           << "Call 123 please"
                                           << "Call |1|2|3| please";
        QTest::newRow("Digits-contiguous") << "{\"type\":\"Digits\",\"individual_digits\":false}"
                                           << "Call 123 please"
                                           << "Call |123| please";
        QTest::newRow("Punctuation") << "{\"type\":\"Punctuation\"}"
                                     << "Hey, you!"
                                     << "Hey|,| you|!";
        QTest::newRow("Metaspace-always") << "{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\",\"prepend_"
                                             "scheme\":\"always\",\"split\":true}"
                                          << "Hey friend" << QString::fromUtf8("\u2581Hey|\u2581friend");
        QTest::newRow("Metaspace-never-nosplit") << "{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\","
                                                    "\"prepend_scheme\":\"never\",\"split\":false}"
                                                 << "Hey friend" << QString::fromUtf8("Hey\u2581friend");
        QTest::newRow("ByteLevel") << "{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"use_regex\":true}"
                                   << "Hello my friend"
                                   << QString::fromUtf8("\u0120Hello|\u0120my|\u0120friend");
        QTest::newRow("ByteLevel-bytes")
            << "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"use_regex\":false}"
            << "\n\xc3\xa9" << QString::fromUtf8("\u010A\u00C3\u00A9");
        QTest::newRow("Bert") << "{\"type\":\"BertPreTokenizer\"}"
                              << "Hey friend!  (ok)"
                              << "Hey|friend|!|(|ok|)";
    }
    void preTokenizers() {
        QFETCH(QString, json);
        QFETCH(QString, in);
        QFETCH(QString, expected);
        QCOMPARE(
            QString::fromStdString(joinBar(preTokenize(Json::parse(json.toStdString()), in.toStdString()))),
            expected);
    }

    void decoders() {
        QCOMPARE(decodeWith(Json::parse("{\"type\":\"ByteFallback\"}"),
                            {"<0x61>", "<0xE2>", "<0x82>", "<0xAC>", "b"}),
                 std::string("a\u20ACb"));
        // Invalid byte runs become one U+FFFD per byte.
        QCOMPARE(decodeWith(Json::parse("{\"type\":\"ByteFallback\"}"), {"<0xE2>", "<0x82>", "x"}),
                 std::string("\uFFFD\uFFFDx"));
        QCOMPARE(
            decodeWith(
                Json::parse(
                    "{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\",\"prepend_scheme\":\"always\"}"),
                {"\u2581Hey", "\u2581friend"}),
            std::string("Hey friend"));
        QCOMPARE(decodeWith(Json::parse("{\"type\":\"ByteLevel\"}"),
                            {"Hello", "\u0120w\u00C3\u00B6rld", "\u010A"}),
                 std::string("Hello w\u00F6rld\n"));
        QCOMPARE(decodeWith(Json::parse("{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}"),
                            {"un", "##aff", "##able", "!"}),
                 std::string("unaffable!"));
        QCOMPARE(
            decodeWith(
                Json::parse(
                    "{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":"
                    "\"\\u2581\"},\"content\":\" \"},{\"type\":\"Fuse\"},{\"type\":\"Strip\",\"content\":\" "
                    "\",\"start\":1,\"stop\":0}]}"),
                {"\u2581Hello", "\u2581world"}),
            std::string("Hello world"));
        QCOMPARE(decodeWith(Json::parse("{\"type\":\"BPEDecoder\",\"suffix\":\"</w>\"}"),
                            {"hel", "lo</w>", "there</w>"}),
                 std::string("hello there"));
    }

    // WHATWG / Unicode "maximal subpart" replacement, as node's TextDecoder and Rust's from_utf8_lossy do.
    void utf8Sanitizing_data() {
        QTest::addColumn<QByteArray>("in");
        QTest::addColumn<QByteArray>("out");
        const QByteArray r = "\xEF\xBF\xBD";
        QTest::newRow("lone-ff") << QByteArray("\xff") << r;
        QTest::newRow("truncated-2") << QByteArray("abc\xc3") << QByteArray("abc") + r;
        QTest::newRow("truncated-3") << QByteArray("\xe2\x82") << r;
        QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << r + r + r;
        QTest::newRow("above-10ffff") << QByteArray("\xf4\x90\x80\x80") << r + r + r + r;
        QTest::newRow("overlong") << QByteArray("\xc0\xaf") << r + r;
        QTest::newRow("nul-kept") << QByteArray("a\0b", 3) << QByteArray("a\0b", 3);
        QTest::newRow("valid") << QByteArray("\xe2\x82\xac") << QByteArray("\xe2\x82\xac");
    }
    void utf8Sanitizing() {
        QFETCH(QByteArray, in);
        QFETCH(QByteArray, out);
        const std::string got =
            sanitizeUtf8(std::string_view(in.constData(), static_cast<std::size_t>(in.size())));
        QCOMPARE(QByteArray(got.data(), static_cast<int>(got.size())), out);
        QVERIFY(isValidUtf8(got));
    }

    // transformers rebuilds Llama's post-processor from add_bos_token / add_eos_token.
    void configAddBosEos() {
        HONE_REQUIRE_PATH(hone::test::fixture("tokenizers/mistral-7b-v0.1/tokenizer.json"));
        const std::string json = fixtureText("tokenizers/mistral-7b-v0.1/tokenizer.json");
        const auto plain = Tokenizer::fromJson(json);
        const auto body = plain.encode("Hello world", {.addSpecialTokens = false});
        QCOMPARE(plain.encode("Hello world"), [&] {
            auto v = body;
            v.insert(v.begin(), 1);
            return v;
        }());
        const auto eosOnly = Tokenizer::fromJson(
            json, "{\"tokenizer_class\":\"LlamaTokenizer\",\"add_bos_token\":false,\"add_eos_token\":true,"
                  "\"bos_token\":\"<s>\",\"eos_token\":{\"content\":\"</s>\"}}");
        QCOMPARE(eosOnly.encode("Hello world"), [&] {
            auto v = body;
            v.push_back(2);
            return v;
        }());
        QCOMPARE(eosOnly.encode("Hello world", {.addSpecialTokens = false}), body);
        // A config that is not a Llama tokenizer class keeps tokenizer.json's post-processor.
        const auto other = Tokenizer::fromJson(
            json, "{\"tokenizer_class\":\"PreTrainedTokenizerFast\",\"add_bos_token\":false}");
        QCOMPARE(other.encode("Hello world").front(), 1);
        QCOMPARE(eosOnly.eosId().value_or(-1), 2);
        QCOMPARE(eosOnly.bosId().value_or(-1), 1);
        // Special tokens written in the text are recognised unless parseSpecial is off.
        const auto withS = plain.encode("<s>Hi", {.addSpecialTokens = false});
        QCOMPARE(withS.front(), 1);
        const auto noParse = plain.encode("<s>Hi", {.addSpecialTokens = false, .parseSpecial = false});
        QVERIFY(noParse.front() != 1);
    }

    void chatTemplateExposed() {
        HONE_REQUIRE_PATH(hone::test::fixture("tokenizers/qwen3"));
        const auto t = Tokenizer::load(hone::test::fixture("tokenizers/qwen3").toStdString());
        const Json cfg = Json::parse(fixtureText("tokenizers/qwen3/tokenizer_config.json"));
        QCOMPARE(t.chatTemplate(), cfg["chat_template"].get<std::string>());
        QCOMPARE(t.eosId().value_or(-1), t.tokenToId("<|im_end|>").value_or(-2));
    }

    void malformed_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("not-json") << "{\"model\": "
                                  << "not valid JSON";
        QTest::newRow("no-model") << "{\"normalizer\":null}"
                                  << "model";
        QTest::newRow("no-merges") << "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0}}}"
                                   << "merges";
        QTest::newRow("merge-unknown")
            << "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1},\"merges\":[\"a c\"]}}"
            << "not in the vocabulary";
        QTest::newRow("merge-result-unknown")
            << "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1},\"merges\":[\"a b\"]}}"
            << "not in the vocabulary";
        QTest::newRow("merge-shape")
            << "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[[\"a\"]]}}"
            << "merge #0";
        QTest::newRow("vocab-type") << "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":\"x\"},\"merges\":[]}}"
                                    << "not an integer";
        QTest::newRow("huge-id")
            << "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":999999999999},\"merges\":[]}}"
            << "out of range";
        QTest::newRow("negative-id") << "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":-1},\"merges\":[]}}"
                                     << "out of range";
        QTest::newRow("unknown-normalizer")
            << "{\"normalizer\":{\"type\":\"Magic\"},\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}"
            << "Magic";
        QTest::newRow("bad-regex")
            << "{\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":{\"Regex\":\"([\"},\"behavior\":"
               "\"Isolated\"},\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}"
            << "regex";
        // \\C matches one byte of a multi-byte character: a Replace using it would corrupt UTF-8 (fuzzer
        // find).
        QTest::newRow("backslash-C")
            << "{\"normalizer\":{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"\\\\C(?=\\\\C)\"},"
               "\"content\":\"x\"},\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}"
            << "regex";
        QTest::newRow("added-not-string") << "{\"added_tokens\":[{\"id\":1,\"content\":5}],\"model\":{"
                                             "\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}"
                                          << "content";
        QTest::newRow("wrong-type-deep")
            << "{\"decoder\":{\"type\":\"Strip\",\"content\":\" "
               "\",\"start\":\"x\"},\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}"
            << "start";
        QTest::newRow("unknown-model") << "{\"model\":{\"type\":\"Magic\"}}"
                                       << "Magic";
    }
    void malformed() {
        QFETCH(QString, json);
        QFETCH(QString, mentions);
        try {
            (void)Tokenizer::fromJson(json.toStdString());
            QFAIL("accepted a malformed tokenizer.json");
        } catch (const hone::Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(mentions), e.what());
        }
    }

    // PCRE2's JIT reads past the subject on invalid UTF-8 unless told to expect it; Regex must stay safe and
    // keep matching the valid parts (the callers feed it normalised text, but a bug there must not crash).
    void regexOnInvalidUtf8() {
        const hone::tok::Regex re(R"((?<=\w)\b\w+|\p{L}+|\s+)");
        std::string subject = "ab \xff\xfe caf\xc3\xa9 \xe2\x96";
        for (int i = 0; i < 64; ++i) subject += static_cast<char>(0x80 + i);
        subject += " end";
        std::vector<std::pair<std::size_t, std::size_t>> m;
        re.findAll(subject, m);
        std::vector<std::string> words;
        for (auto [b, e] : m)
            if (subject[b] != ' ') words.push_back(subject.substr(b, e - b));
        QCOMPARE(words, (std::vector<std::string>{"ab", "caf\xc3\xa9", "end"}));
    }

    void batchEqualsSequential() {
        HONE_REQUIRE_PATH(hone::test::fixture("tokenizers/llama3"));
        const auto t = Tokenizer::load(hone::test::fixture("tokenizers/llama3").toStdString());
        std::vector<std::string> texts;
        for (int i = 0; i < 200; ++i)
            texts.push_back("Document " + std::to_string(i) + ": caf\xc3\xa9 <|eot_id|> \xff " +
                            std::string(i % 7, ' ') + "end");
        const auto batch = t.encodeBatch(texts, {}, 3);
        QCOMPARE(batch.size(), texts.size());
        for (std::size_t i = 0; i < texts.size(); ++i) QCOMPARE(batch[i], t.encode(texts[i]));
    }

    void streamingDecode() {
        for (const char* dir : {"models/stories260K", "tokenizers/llama3", "tokenizers/mistral-7b-v0.1"}) {
            HONE_REQUIRE_PATH(hone::test::fixture(dir));
            const auto t = Tokenizer::load(hone::test::fixture(dir).toStdString());
            const std::string text = "Once upon a time: h\xc3\xa9llo w\xc3\xb6rld \xf0\x9f\x98\x80 "
                                     "\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb!";
            const auto ids = t.encode(text, {.addSpecialTokens = false});
            StreamDecoder sd(t);
            std::string streamed;
            for (const auto id : ids) {
                const std::string chunk = sd.step(id);
                QVERIFY2(isValidUtf8(chunk), dir);
                streamed += chunk;
            }
            streamed += sd.flush();
            QCOMPARE(streamed, t.decode(ids));
        }
    }
};

QTEST_GUILESS_MAIN(TstTokenizerStages)
#include "tst_tokenizer_stages.moc"
