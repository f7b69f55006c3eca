// Tokenized training data: target masks for chat templates (built-in and a model's own), prompt/completion
// and text examples, token byte offsets, added tokens, truncation, length statistics, and epoch plans
// (padding and packing). Tokenizers are the shared fixtures; epoch plans use synthetic examples.
#include "chat/assistant_masks.h"
#include "chat/template.h"
#include "common/error.h"
#include "common/test_support.h"
#include "data/batch_plan.h"
#include "data/builtin_templates.h"
#include "data/dataset_format.h"
#include "data/split.h"
#include "data/token_dataset.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <map>
#include <set>

using namespace hone;
using namespace hone::data;

namespace {

std::string dataset(const char* name) {
    return (test::sourceDir() + "/tests/data/datasets/" + name).toStdString();
}

std::vector<Example> examplesOf(const char* name) {
    RawDataset raw = readDatasetFile(dataset(name));
    return convert(raw, *detectFormat(raw).format).examples;
}

// The maximal runs of target tokens, each decoded on its own.
std::vector<std::string> targetRuns(const tok::Tokenizer& tok, const TokenizedExample& ex) {
    std::vector<std::string> runs;
    std::size_t i = 0;
    while (i < ex.ids.size()) {
        if (!ex.train[i]) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < ex.ids.size() && ex.train[j]) ++j;
        runs.push_back(tok.decode(std::span<const int32_t>(ex.ids).subspan(i, j - i)));
        i = j;
    }
    return runs;
}

std::size_t countId(const std::vector<int32_t>& ids, int32_t id) {
    return static_cast<std::size_t>(std::count(ids.begin(), ids.end(), id));
}

bool hasProblem(const std::vector<Problem>& ps, std::size_t line, const std::string& fragment) {
    for (const auto& p : ps)
        if (p.line == line && p.reason.find(fragment) != std::string::npos) return true;
    return false;
}

// Synthetic examples for epoch plans: ids encode (example, position) so that rows can be traced back.
std::vector<TokenizedExample> syntheticExamples(std::size_t count, std::size_t maxLen, std::uint64_t seed) {
    SplitMix64 rng(seed);
    std::vector<TokenizedExample> out;
    for (std::size_t e = 0; e < count; ++e) {
        TokenizedExample ex;
        ex.line = e + 1;
        const std::size_t n = 1 + rng.below(maxLen);
        for (std::size_t i = 0; i < n; ++i) {
            ex.ids.push_back(static_cast<int32_t>(1000 * e + i));
            ex.train.push_back(i == 0 ? 0 : static_cast<uint8_t>(rng.below(2)));
        }
        out.push_back(std::move(ex));
    }
    return out;
}

// A fixture-free character-level tokenizer whose normalizer lowercases: its ids do not decode back to mixed-
// case text, so token offsets cannot be found and the piecewise fallback is used.
tok::Tokenizer lowercasingTokenizer() {
    Json vocab = Json::object();
    int32_t id = 0;
    vocab["</s>"] = id++;
    for (char c = ' '; c <= '~'; ++c)
        if (c < 'A' || c > 'Z') vocab[std::string(1, c)] = id++;
    vocab["\n"] = id++;
    Json j = {{"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", Json::array()}}},
              {"normalizer", {{"type", "Lowercase"}}},
              {"decoder", {{"type", "Fuse"}}},
              {"added_tokens", Json::array({{{"id", 0}, {"content", "</s>"}, {"special", true}}})}};
    return tok::Tokenizer::fromJson(j.dump(), R"({"eos_token": "</s>"})");
}

std::size_t exampleTargets(const TokenizedExample& ex) {
    std::size_t n = 0;
    for (std::size_t i = 1; i < ex.train.size(); ++i) n += ex.train[i];
    return n;
}

} // namespace

class TestTokenDataset : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void addedTokensGetNewIdsAndMatchAsOneToken() {
        const QString dir = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(dir);
        const auto base = tok::Tokenizer::load(dir.toStdString());
        const std::size_t v = base.vocabSize();
        QCOMPARE(v, std::size_t(512));
        const auto t = base.withAddedTokens({"<|im_start|>", "<|im_end|>", "<s>", "<|im_start|>"});
        QCOMPARE(t.vocabSize(), v + 2);
        QCOMPARE(t.tokenToId("<|im_start|>").value_or(-1), int32_t(v));
        QCOMPARE(t.tokenToId("<|im_end|>").value_or(-1), int32_t(v + 1));
        QCOMPARE(t.tokenToId("<s>").value_or(-1), int32_t(1)); // already in the vocabulary: keeps its id
        QVERIFY(t.isSpecial(int32_t(v)));
        // The original is untouched.
        QCOMPARE(base.vocabSize(), v);
        QVERIFY(!base.tokenToId("<|im_start|>"));

        const std::string text =
            "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>";
        tok::EncodeOptions eo;
        eo.addSpecialTokens = false;
        const auto ids = t.encode(text, eo);
        QCOMPARE(countId(ids, int32_t(v)), std::size_t(2));
        QCOMPARE(countId(ids, int32_t(v + 1)), std::size_t(2));
        QCOMPARE(ids.front(), int32_t(v));
        for (int32_t id : ids) QVERIFY(id >= 0 && std::size_t(id) < t.vocabSize());
        QVERIFY(tokenByteRanges(t, text, ids).has_value()); // decodes back to the text
        // Without the tokens the markers are spelled out in pieces.
        const auto baseIds = base.encode(text, eo);
        QVERIFY(baseIds.size() > ids.size());
        // Special tokens are not matched when parsing special tokens is off; non-special ones always are.
        eo.parseSpecial = false;
        QCOMPARE(countId(t.encode(text, eo), int32_t(v)), std::size_t(0));
        const auto plain = base.withAddedTokens({"<|im_start|>"}, false);
        QVERIFY(!plain.isSpecial(int32_t(v)));
        QCOMPARE(countId(plain.encode(text, eo), int32_t(v)), std::size_t(2));
        QVERIFY_THROWS_EXCEPTION(Error, base.withAddedTokens({""}));
    }

    void alpacaTargetsAreTheResponseAndEos() {
        const QString dir = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(dir);
        const auto tok = tok::Tokenizer::load(dir.toStdString());
        const auto& builtin = builtinTemplate("alpaca");
        jinja::Template tpl(builtin.jinja);
        const auto examples = examplesOf("alpaca_mixed.jsonl");
        QCOMPARE(examples.size(), std::size_t(3));
        TokenizeOptions opt;
        const auto ds = tokenizeExamples(examples, tok, &tpl, opt);
        QCOMPARE(ds.examples.size(), std::size_t(3));
        QCOMPARE(ds.skipped, std::size_t(0));
        const char* responses[] = {"Blue.", "5", "Done."};
        std::size_t targets = 0;
        for (std::size_t k = 0; k < 3; ++k) {
            const auto& ex = ds.examples[k];
            QCOMPARE(ex.line, examples[k].line);
            QCOMPARE(ex.ids.front(), *tok.bosId()); // the template writes bos_token
            QCOMPARE(countId(ex.ids, *tok.bosId()), std::size_t(1));
            const auto runs = targetRuns(tok, ex);
            QCOMPARE(runs.size(), std::size_t(1));
            // The response, EOS (the template's end of turn) and the blank line the turn ends with (the
            // legacy SentencePiece normalizer puts a prefix space after every special token).
            QCOMPARE(runs[0], std::string(responses[k]) + "</s> \n\n");
            // Nothing before the response is a target, and the prompt's tokens are all outside the run.
            const std::size_t first =
                std::size_t(std::find(ex.train.begin(), ex.train.end(), 1) - ex.train.begin());
            const std::string prompt = tok.decode(std::span<const int32_t>(ex.ids).first(first));
            QVERIFY2(prompt.ends_with("### Response:\n"), prompt.c_str());
            QVERIFY(prompt.find(responses[k]) == std::string::npos);
            for (uint8_t t : ex.train) targets += t;
        }
        QCOMPARE(ds.targetTokens, targets);
        QVERIFY(ds.notes.empty());

        // Training on everything marks all but the first token.
        opt.trainOn = TrainOn::All;
        const auto all = tokenizeExamples(examples, tok, &tpl, opt);
        for (std::size_t k = 0; k < 3; ++k) {
            QCOMPARE(all.examples[k].ids, ds.examples[k].ids);
            QCOMPARE(all.examples[k].train[0], uint8_t(0));
            QCOMPARE(std::size_t(std::count(all.examples[k].train.begin(), all.examples[k].train.end(), 1)),
                     all.examples[k].ids.size() - 1);
        }
    }

    void qwen3TargetsAreTheAssistantTurns() {
        const QString dir = test::fixture("tokenizers/qwen3");
        HONE_REQUIRE_PATH(dir);
        const auto tok = tok::Tokenizer::load(dir.toStdString());
        jinja::Template tpl(tok.chatTemplate());
        const auto examples = examplesOf("messages_tools.jsonl");
        QCOMPARE(examples.size(), std::size_t(2));
        const auto ds = tokenizeExamples(examples, tok, &tpl, TokenizeOptions{});
        QCOMPARE(ds.examples.size(), std::size_t(2));
        // Qwen3's template renders the latest reply with an empty <think> block and past replies without:
        // every assistant turn is still a target, with its <|im_end|> (and the newline after it).
        const std::vector<std::vector<std::string>> expected = {
            {"<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"2+2\"}}\n</tool_call>"
             "<|im_end|>\n",
             "<think>\n\n</think>\n\n2+2 is 4.<|im_end|>\n"},
            {"Hello!<|im_end|>\n", "<think>\n\n</think>\n\nGoodbye!<|im_end|>\n"}};
        const int32_t imEnd = *tok.tokenToId("<|im_end|>");
        for (std::size_t k = 0; k < 2; ++k) {
            const auto& ex = ds.examples[k];
            QCOMPARE(targetRuns(tok, ex), expected[k]);
            // Each <|im_end|> that closes an assistant turn is one target token; the others are not targets.
            std::size_t imEndTargets = 0;
            for (std::size_t i = 0; i < ex.ids.size(); ++i)
                if (ex.ids[i] == imEnd && ex.train[i]) ++imEndTargets;
            QCOMPARE(imEndTargets, expected[k].size());
            QVERIFY(countId(ex.ids, imEnd) > imEndTargets);
        }
        // The tool-call turn has "content": null, which this template cannot render: said in a note.
        QVERIFY(hasProblem(ds.notes, 1, "null message content"));
    }

    void tokenOffsetsRoundTrip_data() {
        QTest::addColumn<QString>("tokenizer");
        QTest::newRow("llama2") << "tokenizers/llama2";
        QTest::newRow("llama3") << "tokenizers/llama3";
        QTest::newRow("qwen3") << "tokenizers/qwen3";
        QTest::newRow("mistral") << "tokenizers/mistral-7b-v0.1";
        QTest::newRow("stories260K") << "models/stories260K";
    }
    void tokenOffsetsRoundTrip() {
        QFETCH(QString, tokenizer);
        const QString dir = test::fixture(tokenizer);
        HONE_REQUIRE_PATH(dir);
        const auto tok = tok::Tokenizer::load(dir.toStdString());
        const std::vector<std::string> texts = {
            "Hello world",
            " leading space and  two spaces",
            "Grüße aus Köln — naïve café",
            "東京タワーは高い。日本語のテキスト",
            "emoji 👩‍👩‍👧 and 🌸 end",
            "Привет, мир! مرحبا بالعالم",
            "tabs\tand\nnew lines\n\n  indented",
        };
        tok::EncodeOptions eo;
        eo.addSpecialTokens = false;
        for (const auto& text : texts) {
            const auto ids = tok.encode(text, eo);
            const auto ranges = tokenByteRanges(tok, text, ids);
            QVERIFY2(ranges.has_value(), text.c_str());
            QCOMPARE(ranges->size(), ids.size());
            std::size_t prevEnd = 0;
            for (std::size_t i = 0; i < ids.size(); ++i) {
                const ByteRange r = (*ranges)[i];
                QVERIFY(r.begin <= r.end && r.end <= text.size());
                QVERIFY(r.begin >= prevEnd || (i > 0 && r.begin == (*ranges)[i - 1].begin)); // shared char
                prevEnd = std::max(prevEnd, r.end);
            }
            QCOMPARE(prevEnd, text.size());
            // At every clean token boundary the tokens so far decode to the text so far.
            for (std::size_t i = 0; i + 1 < ids.size(); ++i) {
                const std::size_t cut = (*ranges)[i].end;
                if ((*ranges)[i + 1].begin != cut || (*ranges)[i + 1].begin == (*ranges)[i].begin) continue;
                std::string head = tok.decode(std::span<const int32_t>(ids).first(i + 1));
                std::string want = text.substr(0, cut);
                if (head.size() == want.size() + 1 && head[0] == ' ') head.erase(0, 1);
                if (want.size() == head.size() + 1 && want[0] == ' ') want.erase(0, 1);
                QVERIFY2(head == want, (text + " | cut " + std::to_string(cut) + ": " + head).c_str());
            }
        }
        // Ids of another text do not align.
        QVERIFY(!tokenByteRanges(tok, "Hello world", tok.encode("Hello there", eo)));
    }

    void chatmlOnAModelWithoutItsTokens() {
        const QString dir = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(dir);
        const auto base = tok::Tokenizer::load(dir.toStdString());
        const auto& chatml = builtinTemplate("chatml");
        const auto tok = base.withAddedTokens(chatml.newSpecialTokens);
        const int32_t start = *tok.tokenToId("<|im_start|>"), end = *tok.tokenToId("<|im_end|>");
        QVERIFY(std::size_t(start) >= base.vocabSize() && std::size_t(end) >= base.vocabSize());
        jinja::Template tpl(chatml.jinja);
        const auto examples = examplesOf("messages_tools.jsonl");
        const auto ds = tokenizeExamples(examples, tok, &tpl, TokenizeOptions{});
        QCOMPARE(ds.examples.size(), std::size_t(2));
        const auto& ex = ds.examples[1]; // system, user, assistant, user, assistant
        for (int32_t id : ex.ids) QVERIFY(id >= 0 && std::size_t(id) < tok.vocabSize());
        QCOMPARE(countId(ex.ids, start), std::size_t(5));
        QCOMPARE(countId(ex.ids, end), std::size_t(5));
        const auto runs = targetRuns(tok, ex);
        QCOMPARE(runs.size(), std::size_t(2));
        QVERIFY2(runs[0] == "Hello!<|im_end|> \n" || runs[0] == "Hello!<|im_end|>\n", runs[0].c_str());
        QVERIFY(runs[1].starts_with("Goodbye!<|im_end|>"));
        // The same data without the added tokens spells the markers out in pieces.
        const auto plain = tokenizeExamples(examples, base, &tpl, TokenizeOptions{});
        QVERIFY(plain.examples[1].ids.size() > ex.ids.size() + 5 * 5);
    }

    void completionTargetsAreTheCompletion() {
        const QString dir = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(dir);
        const auto tok = tok::Tokenizer::load(dir.toStdString());
        std::vector<Example> examples(2);
        examples[0].kind = examples[1].kind = Example::Kind::Completion;
        examples[0].line = 3;
        examples[0].prompt = "Q: What colour is the sky?\nA:";
        examples[0].completion = " Blue, mostly.";
        examples[1].line = 4;
        examples[1].prompt = "Say hi in German:";
        examples[1].completion = " Grüß dich";
        TokenizeOptions opt;
        const auto ds = tokenizeExamples(examples, tok, nullptr, opt);
        QCOMPARE(ds.examples.size(), std::size_t(2));
        for (std::size_t k = 0; k < 2; ++k) {
            const auto& ex = ds.examples[k];
            QCOMPARE(ex.ids.front(), *tok.bosId());
            QCOMPARE(ex.ids.back(), *tok.eosId());
            const auto runs = targetRuns(tok, ex);
            QCOMPARE(runs.size(), std::size_t(1));
            // (decoding a run on its own drops the SentencePiece prefix space)
            QCOMPARE(" " + runs[0], examples[k].completion + "</s>");
            // Prompt and completion were encoded as one text.
            tok::EncodeOptions eo;
            std::vector<int32_t> whole = tok.encode(examples[k].prompt + examples[k].completion, eo);
            whole.push_back(*tok.eosId());
            QCOMPARE(ex.ids, whole);
        }
        opt.trainOn = TrainOn::All;
        const auto all = tokenizeExamples(examples, tok, nullptr, opt);
        QCOMPARE(all.targetTokens, all.examples[0].ids.size() - 1 + all.examples[1].ids.size() - 1);
    }

    void offsetsThatDoNotRoundTripFallBackToPieces() {
        const auto tok = lowercasingTokenizer();
        QVERIFY(tok.eosId().has_value());
        std::vector<Example> examples(2);
        examples[0].kind = Example::Kind::Completion;
        examples[0].line = 5;
        examples[0].prompt = "Say HI:";
        examples[0].completion = " Hello World";
        examples[1].line = 6;
        examples[1].messages = Json::parse(R"([{"role": "user", "content": "Name a COLOUR."},
                                                {"role": "assistant", "content": "Blue."}])");
        jinja::Template tpl(builtinTemplate("alpaca").jinja);
        const auto ds = tokenizeExamples(examples, tok, &tpl, TokenizeOptions{});
        QCOMPARE(ds.examples.size(), std::size_t(2));
        QVERIFY(hasProblem(ds.notes, 5, "did not round-trip"));
        QVERIFY(hasProblem(ds.notes, 6, "did not round-trip"));
        QCOMPARE(targetRuns(tok, ds.examples[0]), std::vector<std::string>{" hello world</s>"});
        QCOMPARE(targetRuns(tok, ds.examples[1]), std::vector<std::string>{"blue.</s>\n\n"});
        QCOMPARE(tok.decode(ds.examples[1].ids), std::string("### instruction:\nname a colour.\n\n### "
                                                             "response:\nblue.</s>\n\n"));
    }

    void textGetsBosAndEos() {
        const QString dir = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(dir);
        const auto tok = tok::Tokenizer::load(dir.toStdString());
        const auto examples = examplesOf("text.jsonl");
        const auto ds = tokenizeExamples(examples, tok, nullptr, TokenizeOptions{});
        QCOMPARE(ds.examples.size(), examples.size());
        for (std::size_t k = 0; k < examples.size(); ++k) {
            const auto& ex = ds.examples[k];
            QCOMPARE(ex.ids.front(), *tok.bosId());
            QCOMPARE(ex.ids.back(), *tok.eosId());
            QCOMPARE(tok.decode(ex.ids, true), examples[k].text);
            QCOMPARE(ex.train[0], uint8_t(0));
            QCOMPARE(std::size_t(std::count(ex.train.begin(), ex.train.end(), 1)), ex.ids.size() - 1);
        }
        // Conversations need a template.
        QVERIFY_THROWS_EXCEPTION(Error,
                                 tokenizeExamples(examplesOf("messages_tools.jsonl"), tok, nullptr, {}));
    }

    void truncationDropsOrCuts() {
        const QString dir = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(dir);
        const auto tok = tok::Tokenizer::load(dir.toStdString());
        std::vector<Example> examples(3);
        const char* texts[] = {"A short one.",
                               "This example is a good deal longer than the limit allows for.", "Tiny."};
        std::vector<std::size_t> lengths;
        for (std::size_t k = 0; k < 3; ++k) {
            examples[k].kind = Example::Kind::Text;
            examples[k].line = 10 + k;
            examples[k].text = texts[k];
            lengths.push_back(tok.encode(texts[k]).size() + 1); // + EOS
        }
        TokenizeOptions opt;
        opt.maxSeqLen = static_cast<int>(lengths[0] + 2);
        QVERIFY(lengths[1] > std::size_t(opt.maxSeqLen) && lengths[2] <= std::size_t(opt.maxSeqLen));
        const auto dropped = tokenizeExamples(examples, tok, nullptr, opt);
        QCOMPARE(dropped.examples.size(), std::size_t(2));
        QCOMPARE(dropped.skipped, std::size_t(1));
        QCOMPARE(dropped.problems.size(), std::size_t(1));
        QVERIFY(hasProblem(dropped.problems, 11, std::to_string(lengths[1]) + " tokens"));
        QCOMPARE(dropped.examples[1].line, std::size_t(12));
        QCOMPARE(dropped.lengths.overMax, std::size_t(1));
        QCOMPARE(dropped.lengths.max, lengths[1]);

        opt.truncation = Truncation::Right;
        const auto cut = tokenizeExamples(examples, tok, nullptr, opt);
        QCOMPARE(cut.examples.size(), std::size_t(3));
        QCOMPARE(cut.skipped, std::size_t(0));
        QVERIFY(cut.examples[1].truncated && !cut.examples[0].truncated);
        QCOMPARE(cut.examples[1].ids.size(), std::size_t(opt.maxSeqLen));
        const auto full = tok.encode(texts[1]);
        QCOMPARE(cut.examples[1].ids, std::vector<int32_t>(full.begin(), full.begin() + opt.maxSeqLen));
        QCOMPARE(cut.lengths.max, lengths[1]); // statistics are over the lengths before truncation

        // A cut that leaves no target skips the example.
        std::vector<Example> comp(1);
        comp[0].kind = Example::Kind::Completion;
        comp[0].line = 7;
        comp[0].prompt = texts[1];
        comp[0].completion = " yes";
        const auto none = tokenizeExamples(comp, tok, nullptr, opt);
        QCOMPARE(none.examples.size(), std::size_t(0));
        QVERIFY(hasProblem(none.problems, 7, "no tokens to train on"));
    }

    void lengthStatsHandComputed() {
        // Sorted: 1 2 3 4 5 6 7 8 9 10 -> lower median 5, nearest-rank p95 = the 10th value.
        const auto s = computeLengthStats({5, 1, 9, 3, 7, 2, 8, 4, 6, 10}, 7);
        QCOMPARE(s.count, std::size_t(10));
        QCOMPARE(s.min, std::size_t(1));
        QCOMPARE(s.median, std::size_t(5));
        QCOMPARE(s.p95, std::size_t(10));
        QCOMPARE(s.max, std::size_t(10));
        QCOMPARE(s.overMax, std::size_t(3));
        // 40 values 1..40: p95 is the 38th.
        std::vector<std::size_t> v;
        for (std::size_t i = 40; i >= 1; --i) v.push_back(i);
        const auto t = computeLengthStats(v, 100);
        QCOMPARE(t.median, std::size_t(20));
        QCOMPARE(t.p95, std::size_t(38));
        QCOMPARE(t.overMax, std::size_t(0));
        QCOMPARE(computeLengthStats({}, 5).count, std::size_t(0));
    }

    void parallelEqualsSerial() {
        const QString dir = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(dir);
        const auto tok = tok::Tokenizer::load(dir.toStdString());
        jinja::Template tpl(builtinTemplate("alpaca").jinja);
        std::vector<Example> examples;
        const auto alpaca = examplesOf("alpaca_mixed.jsonl");
        const auto text = examplesOf("text.jsonl");
        for (std::size_t r = 0; r < 60; ++r) {
            for (auto e : alpaca) {
                e.line += 100 * r;
                e.messages.back()["content"] = e.messages.back()["content"].get<std::string>() +
                                               std::string(r % 7, '!') + " " + std::to_string(r);
                examples.push_back(e);
            }
            for (auto e : text) {
                e.line += 100 * r + 50;
                e.text += std::string(r, 'x');
                examples.push_back(e);
            }
        }
        TokenizeOptions opt;
        opt.maxSeqLen = 60;
        opt.threads = 1;
        const auto serial = tokenizeExamples(examples, tok, &tpl, opt);
        opt.threads = 2;
        const auto parallel = tokenizeExamples(examples, tok, &tpl, opt);
        QVERIFY(serial.skipped > 0 && !serial.examples.empty());
        QCOMPARE(parallel.examples.size(), serial.examples.size());
        for (std::size_t i = 0; i < serial.examples.size(); ++i) {
            QCOMPARE(parallel.examples[i].ids, serial.examples[i].ids);
            QCOMPARE(parallel.examples[i].train, serial.examples[i].train);
            QCOMPARE(parallel.examples[i].line, serial.examples[i].line);
        }
        QCOMPARE(parallel.problems.size(), serial.problems.size());
        for (std::size_t i = 0; i < serial.problems.size(); ++i) {
            QCOMPARE(parallel.problems[i].line, serial.problems[i].line);
            QCOMPARE(parallel.problems[i].reason, serial.problems[i].reason);
        }
        QCOMPARE(parallel.targetTokens, serial.targetTokens);
        QCOMPARE(parallel.lengths.median, serial.lengths.median);
        QCOMPARE(parallel.lengths.count, examples.size());
        // Lines are in input order.
        for (std::size_t i = 1; i < serial.examples.size(); ++i)
            QVERIFY(serial.examples[i].line > serial.examples[i - 1].line);
    }

    void planIsDeterministicPerSeedAndEpoch() {
        const auto ex = syntheticExamples(50, 30, 1);
        BatchPlanOptions o;
        o.batchSize = 4;
        o.seed = 7;
        auto order = [](const std::vector<MicroBatch>& plan) {
            std::vector<std::size_t> v;
            for (const auto& b : plan) v.insert(v.end(), b.exampleIndices.begin(), b.exampleIndices.end());
            return v;
        };
        for (bool packing : {false, true}) {
            o.packing = packing;
            o.maxSeqLen = 64;
            const auto a = planEpoch(ex, o, 0), b = planEpoch(ex, o, 0), c = planEpoch(ex, o, 1);
            QCOMPARE(order(a), order(b));
            QCOMPARE(a.size(), b.size());
            for (std::size_t i = 0; i < a.size(); ++i)
                for (std::size_t r = 0; r < a[i].rows.size(); ++r) {
                    QCOMPARE(a[i].rows[r].ids, b[i].rows[r].ids);
                    QCOMPARE(a[i].rows[r].labels, b[i].rows[r].labels);
                }
            QVERIFY(order(a) != order(c));
            o.seed = 8;
            QVERIFY(order(planEpoch(ex, o, 0)) != order(a));
            o.seed = 7;
        }
        o.shuffle = false;
        o.packing = false;
        std::vector<std::size_t> identity(ex.size());
        for (std::size_t i = 0; i < identity.size(); ++i) identity[i] = i;
        QCOMPARE(order(planEpoch(ex, o, 3)), identity);
    }

    void planRowsAreConsistent_data() {
        QTest::addColumn<bool>("packing");
        QTest::addColumn<int>("batchSize");
        QTest::newRow("padding, batch 1") << false << 1;
        QTest::newRow("padding, batch 3") << false << 3;
        QTest::newRow("packing, batch 1") << true << 1;
        QTest::newRow("packing, batch 2") << true << 2;
    }
    void planRowsAreConsistent() {
        QFETCH(bool, packing);
        QFETCH(int, batchSize);
        const auto ex = syntheticExamples(73, 40, 2);
        BatchPlanOptions o;
        o.batchSize = batchSize;
        o.maxSeqLen = 64;
        o.packing = packing;
        o.padId = -7;
        o.seed = 11;
        const auto plan = planEpoch(ex, o, 2);
        std::vector<int> seen(ex.size(), 0);
        std::size_t planTargets = 0, rows = 0;
        for (std::size_t bi = 0; bi < plan.size(); ++bi) {
            const auto& b = plan[bi];
            QVERIFY(!b.rows.empty() && b.rows.size() <= std::size_t(batchSize));
            if (bi + 1 < plan.size()) QCOMPARE(b.rows.size(), std::size_t(batchSize));
            const std::size_t width = b.rows[0].ids.size();
            QVERIFY(width <= std::size_t(o.maxSeqLen));
            std::size_t next = 0; // into exampleIndices
            std::size_t longestContent = 0;
            for (const auto& row : b.rows) {
                ++rows;
                QCOMPARE(row.ids.size(), width);
                QCOMPARE(row.labels.size(), width);
                QCOMPARE(row.positions.size(), width);
                std::size_t off = 0, content = 0;
                for (std::size_t d = 0; d < row.docLengths.size(); ++d) {
                    const std::size_t len = std::size_t(row.docLengths[d]);
                    QVERIFY(len > 0);
                    for (std::size_t i = 0; i < len; ++i) QCOMPARE(row.positions[off + i], int32_t(i));
                    const bool isDoc = next < b.exampleIndices.size() &&
                                       len == ex[b.exampleIndices[next]].ids.size() &&
                                       row.ids[off] == ex[b.exampleIndices[next]].ids[0];
                    if (isDoc) {
                        const auto& e = ex[b.exampleIndices[next]];
                        ++seen[b.exampleIndices[next]];
                        ++next;
                        for (std::size_t i = 0; i < len; ++i) {
                            QCOMPARE(row.ids[off + i], e.ids[i]);
                            const int32_t want = i + 1 < len && e.train[i + 1] ? e.ids[i + 1] : kIgnoreLabel;
                            QCOMPARE(row.labels[off + i], want);
                        }
                        content += len;
                    } else {
                        // Only the last "document" may be padding.
                        QCOMPARE(d, row.docLengths.size() - 1);
                        for (std::size_t i = 0; i < len; ++i) {
                            QCOMPARE(row.ids[off + i], o.padId);
                            QCOMPARE(row.labels[off + i], kIgnoreLabel);
                        }
                    }
                    off += len;
                }
                QCOMPARE(off, width);
                if (!packing) QCOMPARE(row.docLengths.size() - (content < width ? 1 : 0), std::size_t(1));
                longestContent = std::max(longestContent, content);
            }
            QCOMPARE(next, b.exampleIndices.size());
            QCOMPARE(width, longestContent); // padded to the longest row, no further
            QCOMPARE(countTargets(b), b.targetTokens);
            planTargets += b.targetTokens;
        }
        for (int n : seen) QCOMPARE(n, 1); // every example exactly once
        std::size_t exTargets = 0;
        for (const auto& e : ex) exTargets += exampleTargets(e);
        QCOMPARE(planTargets, exTargets);
        if (packing)
            QVERIFY(rows < ex.size() / 2); // 73 docs of ~20 tokens in rows of 64
        else
            QCOMPARE(rows, ex.size());
    }

    void planRejectsExamplesThatDoNotFit() {
        auto ex = syntheticExamples(5, 10, 3);
        ex[2].ids.assign(65, 1);
        ex[2].train.assign(65, 1);
        BatchPlanOptions o;
        o.maxSeqLen = 64;
        QVERIFY_THROWS_EXCEPTION(Error, planEpoch(ex, o, 0));
        o.maxSeqLen = 65;
        o.packing = true;
        QCOMPARE(planEpoch(ex, o, 0).size(), std::size_t(2)); // 65 alone, the others together (at most 50)
        o.batchSize = 0;
        QVERIFY_THROWS_EXCEPTION(Error, planEpoch(ex, o, 0));
    }
};

QTEST_GUILESS_MAIN(TestTokenDataset)
#include "tst_token_dataset.moc"
