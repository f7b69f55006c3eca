// Tokenizer variants for the differential test: the real fixture tokenizers plus synthetic tokenizer.json
// files derived from them that exercise the other normalizers, pre-tokenizers, models, added-token options,
// post-processors and decoders. Both Hone and Hugging Face read the same files.
#pragma once

#include "common/json.h"
#include "common/mapped_file.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace hone::test {

struct Variant {
    std::string name;
    std::string json; // tokenizer.json text
};

inline Json addedToken(int id, const char* content, bool special, bool lstrip, bool rstrip, bool normalized,
                       bool singleWord) {
    return Json{
        {"id", id},         {"content", content},       {"special", special},       {"lstrip", lstrip},
        {"rstrip", rstrip}, {"normalized", normalized}, {"single_word", singleWord}};
}

inline std::vector<Variant> makeVariants(const std::string& fixtures) {
    std::vector<Variant> v;
    const std::string llama3 = readTextFile(fixtures + "/tokenizers/llama3/tokenizer.json");
    const std::string qwen3 = readTextFile(fixtures + "/tokenizers/qwen3/tokenizer.json");
    const std::string mistral = readTextFile(fixtures + "/tokenizers/mistral-7b-v0.1/tokenizer.json");
    const std::string llama2 = readTextFile(fixtures + "/tokenizers/llama2/tokenizer.json");
    const std::string stories = readTextFile(fixtures + "/models/stories260K/tokenizer.json");
    v.push_back({"llama3", llama3});
    v.push_back({"qwen3", qwen3});
    v.push_back({"mistral", mistral});
    v.push_back({"llama2", llama2});
    v.push_back({"stories260K", stories});

    const Json base = Json::parse(stories);
    { // Metaspace pre-tokenizer (prepend "first", split) and added tokens with every matching option.
        Json j = base;
        j["normalizer"] = nullptr;
        j["pre_tokenizer"] = {
            {"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "first"}, {"split", true}};
        j["decoder"] = {
            {"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "first"}, {"split", true}};
        j["added_tokens"].push_back(addedToken(512, "<tool>", false, true, true, false, false));
        j["added_tokens"].push_back(addedToken(513, "word", false, false, false, true, true));
        j["added_tokens"].push_back(addedToken(514, "Hi", false, false, false, true, false));
        j["added_tokens"].push_back(addedToken(515, "<|sp|>", true, false, true, false, false));
        v.push_back({"metaspace-added", j.dump()});
    }
    { // Unigram over the stories vocabulary with synthetic scores, byte fallback, NFKC.
        Json j = base;
        Json pieces = Json::array();
        std::vector<std::pair<std::string, int>> vocab;
        for (auto it = base["model"]["vocab"].begin(); it != base["model"]["vocab"].end(); ++it)
            vocab.emplace_back(it.key(), it.value().get<int>());
        std::sort(vocab.begin(), vocab.end(), [](auto& a, auto& b) { return a.second < b.second; });
        for (const auto& [tok, id] : vocab)
            pieces.push_back(Json::array({tok, -std::log(2.0 + id) - 0.1 * tok.size()}));
        j["model"] = {{"type", "Unigram"}, {"unk_id", 0}, {"vocab", pieces}, {"byte_fallback", true}};
        j["normalizer"] = {{"type", "NFKC"}};
        j["pre_tokenizer"] = {
            {"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "always"}, {"split", true}};
        v.push_back({"unigram", j.dump()});
    }
    { // WordPiece with the BERT normalizer / pre-tokenizer / post-processor / decoder.
        Json j = base;
        Json vocab = Json::object();
        int id = 0;
        for (const char* s : {"[PAD]", "[UNK]", "[CLS]", "[SEP]"}) vocab[s] = id++;
        for (auto it = base["model"]["vocab"].begin(); it != base["model"]["vocab"].end(); ++it) {
            std::string t = it.key();
            if (t.rfind("<", 0) == 0) continue;
            if (t.rfind("\u2581", 0) == 0)
                t = t.substr(3);
            else
                t = "##" + t;
            if (!t.empty() && t != "##" && !vocab.contains(t)) vocab[t] = id++;
        }
        j["model"] = {{"type", "WordPiece"},
                      {"unk_token", "[UNK]"},
                      {"continuing_subword_prefix", "##"},
                      {"max_input_chars_per_word", 100},
                      {"vocab", vocab}};
        j["normalizer"] = {{"type", "BertNormalizer"},
                           {"clean_text", true},
                           {"handle_chinese_chars", true},
                           {"strip_accents", nullptr},
                           {"lowercase", true}};
        j["pre_tokenizer"] = {{"type", "BertPreTokenizer"}};
        j["post_processor"] = {{"type", "BertProcessing"}, {"sep", {"[SEP]", 3}}, {"cls", {"[CLS]", 2}}};
        j["decoder"] = {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}};
        j["added_tokens"] = Json::array({addedToken(0, "[PAD]", true, false, false, false, false),
                                         addedToken(1, "[UNK]", true, false, false, false, false),
                                         addedToken(2, "[CLS]", true, false, false, false, false),
                                         addedToken(3, "[SEP]", true, false, false, false, false)});
        v.push_back({"wordpiece", j.dump()});
    }
    const Json l3 = Json::parse(llama3);
    { // GPT-2 style: ByteLevel with its own regex and prefix space, Roberta post-processor.
        Json j = l3;
        j["pre_tokenizer"] = {
            {"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
        j["post_processor"] = {{"type", "RobertaProcessing"},
                               {"sep", {"<|end_of_text|>", 128001}},
                               {"cls", {"<|begin_of_text|>", 128000}},
                               {"trim_offsets", true},
                               {"add_prefix_space", true}};
        j["model"]["ignore_merges"] = false;
        v.push_back({"gpt2-style", j.dump()});
    }
    { // Normalizer chain + Digits/Punctuation/Split + template with BOS and EOS.
        Json j = l3;
        j["normalizer"] = {
            {"type", "Sequence"},
            {"normalizers",
             Json::array({Json{{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}},
                          Json{{"type", "Replace"}, {"pattern", {{"Regex", "\\s+"}}}, {"content", " "}},
                          Json{{"type", "NFC"}}})}};
        Json pre = l3["pre_tokenizer"];
        pre["pretokenizers"].insert(pre["pretokenizers"].begin(),
                                    Json{{"type", "Punctuation"}, {"behavior", "Isolated"}});
        pre["pretokenizers"].insert(pre["pretokenizers"].begin(),
                                    Json{{"type", "Digits"}, {"individual_digits", true}});
        j["pre_tokenizer"] = pre;
        j["post_processor"] = {
            {"type", "TemplateProcessing"},
            {"single", Json::array({Json{{"SpecialToken", {{"id", "<|begin_of_text|>"}, {"type_id", 0}}}},
                                    Json{{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                                    Json{{"SpecialToken", {{"id", "<|eot_id|>"}, {"type_id", 0}}}}})},
            {"pair", Json::array({Json{{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                                  Json{{"Sequence", {{"id", "B"}, {"type_id", 1}}}}})},
            {"special_tokens",
             {{"<|begin_of_text|>",
               {{"id", "<|begin_of_text|>"}, {"ids", {128000}}, {"tokens", {"<|begin_of_text|>"}}}},
              {"<|eot_id|>", {{"id", "<|eot_id|>"}, {"ids", {128009}}, {"tokens", {"<|eot_id|>"}}}}}}};
        v.push_back({"digits-punct-template", j.dump()});
    }
    { // Whitespace splitting + lowercase on a SentencePiece BPE, Contiguous digits.
        Json j = base;
        j["normalizer"] = {{"type", "Lowercase"}};
        j["pre_tokenizer"] = {
            {"type", "Sequence"},
            {"pretokenizers", Json::array({Json{{"type", "Whitespace"}},
                                           Json{{"type", "Digits"}, {"individual_digits", false}},
                                           Json{{"type", "Metaspace"},
                                                {"replacement", "\u2581"},
                                                {"prepend_scheme", "always"},
                                                {"split", false}}})}};
        v.push_back({"whitespace-lowercase", j.dump()});
    }
    return v;
}

} // namespace hone::test
