// The tokenizer part of the GGUF export: what convert_hf_to_gguf.py's _set_vocab_gpt2 /
// _set_vocab_sentencepiece and gguf-py's SpecialVocab write, computed from tokenizer.json and
// tokenizer_config.json alone.
#include "export/gguf_tokenizer_export.h"

#include "common/error.h"
#include "common/mapped_file.h"
#include "export/sha256.h"
#include "model/gguf_writer.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>

namespace hone {

namespace fs = std::filesystem;

namespace {

// llama.cpp's token types (llama_token_type / gguf.TokenType).
enum TokenType : std::int32_t {
    kNormal = 1,
    kUnknown = 2,
    kControl = 3,
    kUserDefined = 4,
    kUnused = 5,
    kByte = 6
};

Json readJsonFile(const fs::path& path) {
    const std::string text = readTextFile(path.string(), std::size_t(1) << 30);
    try {
        return Json::parse(text);
    } catch (const Json::exception& e) {
        throw Error(path.string() + " is not valid JSON (" + e.what() + "); re-save it with transformers");
    }
}

// convert_hf_to_gguf.py's does_token_look_special: added tokens some models forget to mark special.
bool looksSpecial(const std::string& t) {
    auto wraps = [&](const std::string& open, const std::string& close) {
        return t.size() >= open.size() + close.size() && t.compare(0, open.size(), open) == 0 &&
               t.compare(t.size() - close.size(), close.size(), close) == 0;
    };
    return t == "<pad>" || t == "<mask>" || t == "<2mass>" || t == "[@BOS@]" || wraps("<|", "|>") ||
           wraps("<\uFF5C", "\uFF5C>") || wraps("<unused", ">");
}

bool isByteToken(const std::string& t) {
    auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    return t.size() == 6 && t.compare(0, 3, "<0x") == 0 && hex(t[3]) && hex(t[4]) && t[5] == '>';
}

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

// A special-token entry of tokenizer_config.json: "<s>" or {"content": "<s>", ...}.
std::string entryContent(const Json& cfg, const std::string& key) {
    if (!cfg.is_object() || !cfg.contains(key)) return {};
    const Json& e = cfg[key];
    if (e.is_string()) return e.get<std::string>();
    if (e.is_object() && e.contains("content") && e["content"].is_string())
        return e["content"].get<std::string>();
    return {};
}

struct Vocab {
    std::vector<std::string> text;
    std::vector<std::int32_t> type;
    std::vector<float> scores;                    // SentencePiece-style only
    std::map<std::string, std::int32_t> addedIds; // added token content -> id
};

// The merges of tokenizer.json as "a b" strings, the format tokenizer.ggml.merges and gguf-py use (pairs of
// the newer format with a space inside a part get it as U+0120, as gguf-py does).
std::vector<std::string> mergeStrings(const Json& merges, const std::string& file) {
    std::vector<std::string> out;
    if (!merges.is_array()) return out;
    out.reserve(merges.size());
    for (const Json& m : merges) {
        if (m.is_string()) {
            out.push_back(m.get<std::string>());
        } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
            out.push_back(replaceAll(m[0].get<std::string>(), " ", "\u0120") + " " +
                          replaceAll(m[1].get<std::string>(), " ", "\u0120"));
        } else {
            throw Error(file + ": model.merges[" + std::to_string(out.size()) +
                        "] is neither \"a b\" nor [\"a\", \"b\"]; re-save the tokenizer with transformers");
        }
    }
    return out;
}

// SentencePiece scores for a BPE tokenizer converted from SentencePiece (HF's LlamaConverter orders the vocab
// by score and writes merges by the score of the merged piece): a normal piece scores -(its id - the first
// normal id), as SentencePiece's BPE trainer numbers them. Pieces whose first merge comes after the merges of
// every later regular piece were scored below all others by SentencePiece (Llama 2's runs of "▁"): -1e9.
std::vector<float> spmScores(const Vocab& v, const std::vector<std::string>& merges) {
    std::map<std::string, std::size_t> firstRank;
    for (std::size_t r = 0; r < merges.size(); ++r) {
        const std::size_t sp = merges[r].find(' ');
        if (sp == std::string::npos) continue;
        firstRank.emplace(merges[r].substr(0, sp) + merges[r].substr(sp + 1), r);
    }
    const std::size_t n = v.text.size();
    std::vector<float> scores(n, 0.0f);
    std::vector<bool> demoted(n, false);
    bool laterSeen = false;
    std::size_t laterMax = 0;
    for (std::size_t i = n; i-- > 0;) {
        if (v.type[i] != kNormal) continue;
        const auto it = firstRank.find(v.text[i]);
        if (it == firstRank.end()) continue;
        if (laterSeen && it->second > laterMax) {
            demoted[i] = true;
            continue;
        }
        laterMax = std::max(laterMax, it->second);
        laterSeen = true;
    }
    std::optional<std::size_t> firstNormal;
    for (std::size_t i = 0; i < n; ++i) {
        switch (v.type[i]) {
        case kNormal:
            if (!firstNormal) firstNormal = i;
            scores[i] = demoted[i] ? -1e9f : -static_cast<float>(i - *firstNormal);
            break;
        case kUserDefined:
        case kUnused:
            scores[i] = -1000.0f;
            break;
        default:
            break;
        }
    }
    return scores;
}

Vocab buildVocab(const Json& tj, bool spm, std::int64_t vocabSize, const std::string& file) {
    const Json& model = tj["model"];
    if (!model.contains("vocab") || !model["vocab"].is_object())
        throw Error(file + ": model.vocab is missing or not an object");
    std::map<std::int64_t, std::string> byId;
    for (const auto& [tokText, id] : model["vocab"].items()) {
        if (!id.is_number_integer() || id.get<std::int64_t>() < 0)
            throw Error(file + ": model.vocab['" + tokText + "'] is not a token id");
        byId[id.get<std::int64_t>()] = tokText;
    }
    struct Added {
        std::string content;
        bool special = false;
    };
    std::map<std::int64_t, Added> added;
    if (tj.contains("added_tokens") && tj["added_tokens"].is_array())
        for (const Json& a : tj["added_tokens"]) {
            if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer() ||
                !a.contains("content") || !a["content"].is_string())
                throw Error(file + ": an added_tokens entry lacks its id or content");
            added[a["id"].get<std::int64_t>()] = {a["content"].get<std::string>(), a.value("special", false)};
        }
    std::int64_t maxId = -1;
    if (!byId.empty()) maxId = byId.rbegin()->first;
    if (!added.empty()) maxId = std::max(maxId, added.rbegin()->first);
    if (maxId < 0) throw Error(file + ": the vocabulary is empty");
    const std::int64_t n = vocabSize > 0 ? vocabSize : maxId + 1;
    if (maxId >= n)
        throw Error(file + ": token id " + std::to_string(maxId) + " is beyond the model's " +
                    std::to_string(n) +
                    " embedding rows; resize the embeddings to the tokenizer (model.resize_token_embeddings) "
                    "before exporting");
    const std::string unk = model.contains("unk_token") && model["unk_token"].is_string()
                                ? model["unk_token"].get<std::string>()
                                : std::string();
    Vocab v;
    v.text.resize(static_cast<std::size_t>(n));
    v.type.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        const auto k = static_cast<std::size_t>(i);
        if (const auto a = added.find(i); a != added.end()) {
            std::string t = a->second.content;
            v.addedIds.emplace(t, static_cast<std::int32_t>(i));
            if (spm && !unk.empty() && t == unk) {
                v.type[k] = kUnknown;
            } else if (a->second.special || looksSpecial(t)) {
                v.type[k] = kControl;
            } else {
                v.type[k] = kUserDefined;
                t = replaceAll(t, "\u2581", " "); // llama.cpp matches user-defined tokens pre-normalised
            }
            v.text[k] = std::move(t);
        } else if (const auto b = byId.find(i); b != byId.end()) {
            v.text[k] = b->second;
            v.type[k] = spm && isByteToken(b->second) ? kByte : spm && b->second == unk ? kUnknown : kNormal;
        } else {
            v.text[k] = "[PAD" + std::to_string(i) + "]";
            v.type[k] = kUnused;
        }
    }
    return v;
}

// Whether llama.cpp's SentencePiece tokenizer must put "▁" in front of the text: the HF tokenizer does so
// with a Prepend normalizer or a Metaspace pre-tokenizer that prepends.
bool spmPrependsSpace(const Json& tj) {
    std::function<bool(const Json&)> hasPrepend = [&](const Json& n) -> bool {
        if (!n.is_object()) return false;
        const std::string type = n.value("type", "");
        if (type == "Prepend") return true;
        if (type == "Metaspace")
            return n.value("prepend_scheme", n.value("add_prefix_space", true) ? "always" : "never") !=
                   "never";
        for (const char* list : {"normalizers", "pretokenizers"})
            if (n.contains(list) && n[list].is_array())
                for (const Json& c : n[list])
                    if (hasPrepend(c)) return true;
        return false;
    };
    return hasPrepend(tj.value("normalizer", Json())) || hasPrepend(tj.value("pre_tokenizer", Json()));
}

struct Specials {
    std::vector<std::pair<std::string, std::int32_t>> ids; // GGUF key suffix, id (in SpecialVocab order)
    std::optional<bool> addBos, addEos;
};

// gguf-py's SpecialVocab: ids from tokenizer_config.json's *_token entries (looked up among the added
// tokens), then from config.json's *_token_id; add_bos/add_eos from the post-processor and
// tokenizer_config.json.
Specials specialTokens(const Json& tj, const Json& tc, const Json* config, const Vocab& v) {
    static const std::pair<const char*, const char*> kTypes[] = {
        {"bos", "bos_token_id"},       {"eos", "eos_token_id"},     {"unk", "unknown_token_id"},
        {"sep", "seperator_token_id"}, {"pad", "padding_token_id"}, {"cls", "cls_token_id"},
        {"mask", "mask_token_id"},
    };
    Specials s;
    std::string bos = entryContent(tc, "bos_token"), eos = entryContent(tc, "eos_token");
    const std::string cls = entryContent(tc, "cls_token"), sep = entryContent(tc, "sep_token");
    if (bos.empty()) bos = cls;
    if (eos.empty()) eos = sep;
    const Json pp = tj.value("post_processor", Json());
    std::vector<Json> processors;
    if (pp.is_object()) {
        if (pp.contains("processors") && pp["processors"].is_array())
            processors.assign(pp["processors"].begin(), pp["processors"].end());
        else
            processors.push_back(pp);
    }
    for (const Json& p : processors) {
        const std::string type = p.value("type", "");
        if (type == "RobertaProcessing") {
            s.addBos = s.addEos = true;
        } else if (type == "TemplateProcessing" && p.contains("single") && p["single"].is_array() &&
                   p["single"].size() > 1) {
            auto specialId = [](const Json& e) -> std::string {
                if (e.is_object() && e.contains("SpecialToken") && e["SpecialToken"].contains("id"))
                    return e["SpecialToken"]["id"].get<std::string>();
                return {};
            };
            const std::string first = specialId(p["single"].front()), last = specialId(p["single"].back());
            if (!first.empty()) {
                if (!tc.is_object()) bos = first;
                s.addBos = first == bos || first == cls;
            }
            if (!last.empty()) {
                if (!tc.is_object()) eos = last;
                s.addEos = last == eos;
            }
        }
    }
    if (tc.is_object()) {
        if (tc.contains("add_bos_token") && tc["add_bos_token"].is_boolean())
            s.addBos = tc["add_bos_token"].get<bool>();
        if (tc.contains("add_eos_token") && tc["add_eos_token"].is_boolean())
            s.addEos = tc["add_eos_token"].get<bool>();
    }
    const std::map<std::string, std::string> content = {
        {"bos", bos}, {"eos", eos}, {"cls", cls}, {"sep", sep}};
    std::map<std::string, std::int32_t> set;
    auto trySet = [&](const std::string& typ, std::int64_t id) {
        if (id < 0 || id >= static_cast<std::int64_t>(v.text.size()) || set.count(typ)) return;
        set[typ] = static_cast<std::int32_t>(id);
    };
    for (const auto& [typ, key] : kTypes) {
        (void)key;
        const auto c = content.find(typ);
        const std::string text =
            c != content.end() ? c->second : entryContent(tc, std::string(typ) + "_token");
        if (text.empty()) continue;
        if (const auto a = v.addedIds.find(text); a != v.addedIds.end()) trySet(typ, a->second);
    }
    if (config && config->is_object())
        for (const auto& [typ, key] : kTypes) {
            (void)key;
            const std::string k = std::string(typ) + "_token_id";
            if (config->contains(k) && (*config)[k].is_number_integer())
                trySet(typ, (*config)[k].get<std::int64_t>());
        }
    for (const auto& [typ, key] : kTypes)
        if (const auto it = set.find(typ); it != set.end()) s.ids.emplace_back(key, it->second);
    return s;
}

void writeChatTemplate(GgufWriter& w, const Json& tc, const fs::path& dir, std::vector<std::string>& notes) {
    Json tmpl = tc.is_object() && tc.contains("chat_template") ? tc["chat_template"] : Json();
    if (tmpl.is_null() && fs::exists(dir / "chat_template.jinja"))
        tmpl = readTextFile((dir / "chat_template.jinja").string(), std::size_t(64) << 20);
    if (tmpl.is_null() && fs::exists(dir / "chat_template.json")) {
        const Json j = readJsonFile(dir / "chat_template.json");
        if (j.is_object() && j.contains("chat_template")) tmpl = j["chat_template"];
    }
    if (tmpl.is_string()) {
        w.setString("tokenizer.chat_template", tmpl.get<std::string>());
    } else if (tmpl.is_array()) {
        std::vector<std::string> names;
        for (const Json& t : tmpl) {
            if (!t.is_object() || !t.contains("name") || !t.contains("template") || !t["name"].is_string() ||
                !t["template"].is_string())
                continue;
            const std::string name = t["name"].get<std::string>();
            if (name == "default") {
                w.setString("tokenizer.chat_template", t["template"].get<std::string>());
            } else {
                w.setString("tokenizer.chat_template." + name, t["template"].get<std::string>());
                names.push_back(name);
            }
        }
        if (!names.empty()) w.setStringArray("tokenizer.chat_templates", names);
    } else if (!tmpl.is_null()) {
        notes.push_back("tokenizer_config.json's chat_template is neither text nor a list; left out");
    }
}

} // namespace

const std::string& llamaCppPreTokenizerCheckText() {
    // convert_hf_to_gguf.py's chktxt, character for character.
    static const std::string text =
        "\n \n\n \n\n\n \t \t\t \t\n  \n   \n    \n     \n\U0001F680 (normal) "
        "\U0001F636\u200D\U0001F32B\uFE0F (multiple emojis concatenated) \u2705 \U0001F999\U0001F999 3 33 "
        "333 3333 33333 333333 3333333 33333333 3.3 3..3 3...3 "
        "\u1780\u17B6\u1793\u17CB\u178F\u17C2\u1796\u17B7\u179F\u17C1\u179F\u17A2\u17B6\u1785\U0001F601 "
        "?\u6211\u60F3\u5728apple\u5DE5\u4F5C1314151\u5929\uFF5E ------======= \u043D\u0435\u0449\u043E "
        "\u043D\u0430 \u0411\u044A\u043B\u0433\u0430\u0440\u0441\u043A\u0438 "
        "''''''```````\"\"\"\"......!!!!!!?????? I've been 'told he's there, 'RE you sure? 'M not sure I'll "
        "make it, 'D you like some tea? We'Ve a'lL";
    return text;
}

std::string llamaCppPreTokenizerHash(const tok::Tokenizer& t) {
    const auto ids = t.encode(llamaCppPreTokenizerCheckText());
    std::string s = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + std::to_string(ids[i]);
    return sha256Hex(s + "]");
}

std::string llamaCppPreTokenizerName(const std::string& hash) {
    // convert_hf_to_gguf.py's get_vocab_base_pre table (hash of the check text's ids -> tokenizer.ggml.pre).
    static const std::map<std::string, std::string> kNames = {
        {"0ef9807a4087ebef797fc749390439009c3b9eda9ad1a097abbe738f486c01e5", "llama-bpe"},
        {"049ecf7629871e3041641907f3de7c733e4dbfdc736f57d882ba0b0845599754", "deepseek-llm"},
        {"347715f544604f9118bb75ed199f68779f423cabb20db6de6f31b908d04d7821", "deepseek-coder"},
        {"8aeee3860c56296a157a1fe2fad249ec40aa59b1bb5709f4ade11c4e6fe652ed", "falcon"},
        {"9d032fcbd5501f4a38150912590928bfb36091efb5df11b8e2124b0390e3fb1e", "falcon3"},
        {"0876d13b50744004aa9aeae05e7b0647eac9d801b5ba4668afc01e709c15e19f", "jina-v2-en"},
        {"8e62295832751ca1e8f92f2226f403dea30dc5165e448b5bfa05af5340c64ec7", "bert-bge-large"},
        {"b6dc8df998e1cfbdc4eac8243701a65afe638679230920b50d6f17d81c098166", "olmo"},
        {"35d91631860c815f952d711435f48d356ebac988362536bed955d43bfa436e34", "starcoder"},
        {"3ce83efda5659b07b1ad37ca97ca5797ea4285d9b9ab0dc679e4a720c9da7454", "gpt-2"},
        {"32d85c31273f8019248f2559fed492d929ea28b17e51d81d3bb36fff23ca72b3", "stablelm2"},
        {"6221ad2852e85ce96f791f476e0b390cf9b474c9e3d1362f53a24a06dc8220ff", "refact"},
        {"9c2227e4dd922002fb81bde4fc02b0483ca4f12911410dee2255e4987644e3f8", "command-r"},
        {"e636dc30a262dcc0d8c323492e32ae2b70728f4df7dfe9737d9f920a282b8aea", "qwen2"},
        {"a8594e3edff7c29c003940395316294b2c623e09894deebbc65f33f1515df79e", "dbrx"},
        {"c7699093ba4255a91e702aa38a596aa81669f3525dae06c2953267dde580f448", "jina-v1-en"},
        {"171aeeedd6fb548d418a7461d053f11b6f1f1fc9b387bd66640d28a4b9f5c643", "jina-v2-es"},
        {"27949a2493fc4a9f53f5b9b029c82689cfbe5d3a1929bb25e043089e28466de6", "jina-v2-de"},
        {"c136ed14d01c2745d4f60a9596ae66800e2b61fa45643e72436041855ad4089d", "smaug-bpe"},
        {"c7ea5862a53e4272c035c8238367063e2b270d51faa48c0f09e9d5b54746c360", "poro-chat"},
        {"7967bfa498ade6b757b064f31e964dddbb80f8f9a4d68d4ba7998fcf281c531a", "jina-v2-code"},
        {"b6e8e1518dc4305be2fe39c313ed643381c4da5db34a98f6a04c093f8afbe99b", "chatglm-bpe"},
        {"81d72c7348a9f0ebe86f23298d37debe0a5e71149e29bd283904c02262b27516", "chatglm-bpe"},
        {"7fc505bd3104ca1083b150b17d088b59534ede9bde81f0dd2090967d7fe52cee", "viking"},
        {"b53802fb28e26d645c3a310b34bfe07da813026ec7c7716883404d5e0f8b1901", "jais"},
        {"7b3e7548e4308f52a76e8229e4e6cc831195d0d1df43aed21ac6c93da05fec5f", "codeshell"},
        {"63b97e4253352e6f357cc59ea5b583e3a680eaeaf2632188c2b952de2588485e", "tekken"},
        {"855059429035d75a914d1eda9f10a876752e281a054a7a3d421ef0533e5b6249", "smollm"},
        {"3c30d3ad1d6b64202cd222813e7736c2db6e1bd6d67197090fc1211fbc612ae7", "bloom"},
        {"bc01ce58980e1db43859146dc51b1758b3b88729b217a74792e9f8d43e479d21", "gpt3-finnish"},
        {"4e2b24cc4770243d65a2c9ec19770a72f08cffc161adbb73fcbb6b7dd45a0aae", "exaone"},
        {"fcace8b9cac38ce847670c970cd5892031a753a1ef381abd1d9af00f713da085", "phi-2"},
        {"60824e3c0d9401f89943cbb2fff727f0e2d4c545ba4df2d6e4f09a6db0f5b450", "chameleon"},
        {"1431a23e583c97432bc230bff598d103ddb5a1f89960c8f1d1051aaa944d0b35", "minerva-7b"},
        {"8b5a93ed704057481f240da0be7e7dca721d7f8f4755263b6807227a2cbeae65", "roberta-bpe"},
        {"ad851be1dba641f2e3711822f816db2c265f788b37c63b4e1aeacb9ee92de8eb", "gigachat"},
        {"d4c8f286ea6b520b3d495c4455483cfa2302c0cfcd4be05d781b6a8a0a7cdaf1", "megrez"},
        {"877081d19cf6996e2c4ff0e1236341e9b7bde288f5311a56a937f0afbbb3aeb5", "deepseek-v3"},
        {"b3f499bb4255f8ca19fccd664443283318f2fd2414d5e0b040fbdd0cc195d6c5", "deepseek-r1-qwen"},
        {"ccc2ef013c104be7bae2965776d611e1d7a8a2a9c547dd93a682c9a9fc80352e", "gpt-4o"},
        {"7dec86086fcc38b66b7bc1575a160ae21cf705be7718b9d5598190d7c12db76f", "superbpe"},
        {"1994ffd01900cfb37395608534236ecd63f2bd5995d6cb1004dda1af50240f15", "trillion"},
        {"96a5f08be6259352137b512d4157e333e21df7edd3fcd152990608735a65b224", "bailingmoe"},
        {"d353350c764d8c3b39c763113960e4fb4919bea5fbf208a0e3b22e8469dc7406", "llama4"},
        {"a1336059768a55c99a734006ffb02203cd450fed003e9a71886c88acf24fdbc2", "glm4"},
        {"0e9433cbbb161f89e264eb32e8e64bfe69e834973ffca5d41d3948a604a3e2a3", "pixtral"},
        {"d4540891389ea895b53b399da6ac824becc30f2fba0e9ddbb98f92e55ca0e97c", "qwen2"},
    };
    const auto it = kNames.find(hash);
    return it == kNames.end() ? std::string() : it->second;
}

GgufTokenizerExport writeGgufTokenizer(GgufWriter& w, const std::string& hfFolder,
                                       const GgufTokenizerOptions& options) {
    const fs::path dir(hfFolder);
    const fs::path tjPath = dir / "tokenizer.json";
    if (!fs::exists(tjPath))
        throw Error(
            hfFolder +
            " has no tokenizer.json; the GGUF export needs the Hugging Face fast tokenizer (save it with "
            "AutoTokenizer.from_pretrained(...).save_pretrained(folder))");
    const std::string file = tjPath.string();
    const Json tj = readJsonFile(tjPath);
    const Json tc =
        fs::exists(dir / "tokenizer_config.json") ? readJsonFile(dir / "tokenizer_config.json") : Json();
    if (!tj.is_object() || !tj.contains("model") || !tj["model"].is_object())
        throw Error(file + ": no \"model\" object; it is not a Hugging Face tokenizer.json");
    const std::string type = tj["model"].value("type", "");
    if (type != "BPE")
        throw Error(
            file + ": a " + (type.empty() ? std::string("untyped") : type) +
            " tokenizer cannot be exported to GGUF yet (supported: BPE, byte-level or with byte fallback)");
    GgufTokenizerExport r;
    const bool spm = tj["model"].value("byte_fallback", false);
    r.model = spm ? "llama" : "gpt2";
    Vocab v = buildVocab(tj, spm, options.vocabSize, file);
    r.tokens = v.text.size();
    const std::vector<std::string> merges = mergeStrings(tj["model"].value("merges", Json()), file);
    if (spm) {
        r.pre = "default";
    } else {
        const std::string hash = llamaCppPreTokenizerHash(tok::Tokenizer::load(hfFolder));
        r.pre = llamaCppPreTokenizerName(hash);
        if (r.pre.empty()) {
            r.pre = "default";
            r.notes.push_back(
                "the pre-tokenizer (check-text hash " + hash +
                ") is not one llama.cpp knows; wrote tokenizer.ggml.pre = default, so llama.cpp "
                "may split text differently from the Hugging Face tokenizer");
        }
    }
    w.setString("tokenizer.ggml.model", r.model);
    w.setString("tokenizer.ggml.pre", r.pre);
    w.setStringArray("tokenizer.ggml.tokens", v.text);
    if (spm) w.setF32Array("tokenizer.ggml.scores", spmScores(v, merges));
    w.setI32Array("tokenizer.ggml.token_type", v.type);
    if (!spm) w.setStringArray("tokenizer.ggml.merges", merges);
    const Specials s = specialTokens(tj, tc, options.config, v);
    for (const auto& [key, id] : s.ids) w.setU32("tokenizer.ggml." + key, static_cast<std::uint32_t>(id));
    std::optional<std::int32_t> eos;
    for (const auto& [key, id] : s.ids)
        if (key == "eos_token_id") eos = id;
    // llama.cpp's end-of-turn token (it also guesses it from these texts when the key is absent).
    for (const char* eot : {"<|eot_id|>", "<|im_end|>", "<end_of_turn>", "<|end|>"})
        if (const auto a = v.addedIds.find(eot); a != v.addedIds.end() && a->second != eos) {
            w.setU32("tokenizer.ggml.eot_token_id", static_cast<std::uint32_t>(a->second));
            break;
        }
    if (s.addBos) w.setBool("tokenizer.ggml.add_bos_token", *s.addBos);
    if (s.addEos) w.setBool("tokenizer.ggml.add_eos_token", *s.addEos);
    writeChatTemplate(w, tc, dir, r.notes);
    if (spm && (!options.addSpacePrefix || !spmPrependsSpace(tj)))
        w.setBool("tokenizer.ggml.add_space_prefix", false);
    return r;
}

} // namespace hone
