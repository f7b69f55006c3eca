// Builds a TokenizerImpl from Hugging Face tokenizer.json, and applies tokenizer_config.json on top of it.
#include "common/error.h"
#include "common/json.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/decoders.h"
#include "tokenizer/fast_json_scan.h"
#include "tokenizer/json_util.h"
#include "tokenizer/normalizers.h"
#include "tokenizer/pre_tokenizers.h"
#include "tokenizer/tokenizer_impl.h"
#include "tokenizer/unigram_model.h"
#include "tokenizer/wordpiece_model.h"

#include <algorithm>

namespace hone::tok {

namespace {
constexpr long long kMaxVocab = 1 << 24;

std::vector<std::string> parseVocabObject(const Json& v) {
    if (!v.is_object()) throw Error("tokenizer.json: model.vocab must be an object {token: id}");
    long long maxId = -1;
    for (auto it = v.begin(); it != v.end(); ++it) {
        if (!it.value().is_number_integer())
            throw Error("tokenizer.json: model.vocab['" + it.key() + "'] is not an integer id");
        const long long id = it.value().get<long long>();
        if (id < 0 || id >= kMaxVocab)
            throw Error("tokenizer.json: model.vocab['" + it.key() + "'] = " + std::to_string(id) +
                        " is out of range (0.." + std::to_string(kMaxVocab - 1) + ")");
        maxId = std::max(maxId, id);
    }
    std::vector<std::string> vocab(static_cast<std::size_t>(maxId + 1));
    for (auto it = v.begin(); it != v.end(); ++it) vocab[it.value().get<std::size_t>()] = it.key();
    return vocab;
}

std::unique_ptr<Model> makeBpe(const Json& m, bool byteLevel, ScannedModel* scanned) {
    std::vector<std::string> vocab;
    std::vector<std::pair<std::string, std::string>> merges;
    if (scanned && scanned->hasVocab)
        vocab = std::move(scanned->vocab);
    else
        vocab = parseVocabObject(m.contains("vocab") ? m["vocab"] : Json());
    const Json& mj = jsonArray(m, "merges", "BPE model");
    if (scanned && scanned->hasMerges)
        merges = std::move(scanned->merges);
    else
        merges.reserve(mj.size());
    for (std::size_t i = 0; i < mj.size(); ++i) {
        const Json& e = mj[i];
        if (e.is_string()) {
            const std::string& s = e.get_ref<const std::string&>();
            const std::size_t sp = s.find(' ');
            if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
                throw Error("tokenizer.json: merge #" + std::to_string(i) + " '" + s + "' is not two tokens");
            merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
        } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
            merges.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
        } else {
            throw Error("tokenizer.json: merge #" + std::to_string(i) +
                        " is neither \"a b\" nor [\"a\", \"b\"]");
        }
    }
    BpeOptions o;
    if (m.contains("unk_token") && m["unk_token"].is_string()) o.unkToken = m["unk_token"].get<std::string>();
    o.fuseUnk = jsonBool(m, "fuse_unk", false);
    o.byteFallback = jsonBool(m, "byte_fallback", false);
    o.ignoreMerges = jsonBool(m, "ignore_merges", false);
    o.continuingSubwordPrefix = jsonStringOr(m, "continuing_subword_prefix", "");
    o.endOfWordSuffix = jsonStringOr(m, "end_of_word_suffix", "");
    if (m.contains("dropout") && m["dropout"].is_number() && m["dropout"].get<double>() > 0.0)
        throw Error(
            "tokenizer.json: BPE dropout is a training-time option and is not supported for encoding");
    o.byteLevelInput = byteLevel;
    return std::make_unique<BpeModel>(std::move(vocab), merges, std::move(o));
}

std::unique_ptr<Model> makeModel(const Json& m, bool byteLevel, std::string& kind, ScannedModel* scanned) {
    if (!m.is_object()) throw Error("tokenizer.json: 'model' is missing or not an object");
    std::string type = jsonStringOr(m, "type", "");
    if (type.empty()) { // old files omit the type: infer it
        if (m.contains("merges"))
            type = "BPE";
        else if (m.contains("vocab") && m["vocab"].is_array())
            type = "Unigram";
        else if (m.contains("vocab"))
            type = "WordPiece";
    }
    if (type == "BPE") {
        kind = "bpe";
        return makeBpe(m, byteLevel, scanned);
    }
    if (type == "Unigram") {
        kind = "unigram";
        return makeUnigramFromJson(m, byteLevel);
    }
    if (type == "WordPiece") {
        kind = "wordpiece";
        return makeWordPieceFromJson(m);
    }
    throw Error("tokenizer.json: unsupported model type '" + type + "' (supported: BPE, Unigram, WordPiece)");
}

std::vector<int32_t> idsOfSpecial(const Json& specialTokens, const std::string& name) {
    if (!specialTokens.is_object() || !specialTokens.contains(name))
        throw Error("tokenizer.json: post_processor template names special token '" + name +
                    "' which is not in its special_tokens");
    const Json& ids = jsonArray(specialTokens[name], "ids", "post_processor special token");
    std::vector<int32_t> out;
    for (const auto& i : ids) {
        if (!i.is_number_integer())
            throw Error("tokenizer.json: post_processor special token ids must be integers");
        out.push_back(i.get<int32_t>());
    }
    return out;
}

int32_t idOfPair(const Json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_array() || j[key].size() != 2 || !j[key][1].is_number_integer())
        throw Error(std::string("tokenizer.json: post_processor '") + key + "' must be [token, id]");
    return j[key][1].get<int32_t>();
}

void applyPostProcessor(const Json& p, std::vector<int32_t>& prefix, std::vector<int32_t>& suffix) {
    if (p.is_null()) return;
    const std::string type = jsonString(p, "type", "post_processor");
    if (type == "ByteLevel") return;
    if (type == "TemplateProcessing") {
        const Json& single = jsonArray(p, "single", "TemplateProcessing");
        const Json& specials = p.contains("special_tokens") ? p["special_tokens"] : Json::object();
        std::vector<int32_t> pre, suf;
        bool seenA = false;
        for (const auto& item : single) {
            if (item.contains("Sequence")) {
                seenA = true;
                continue;
            }
            if (item.contains("SpecialToken") && item["SpecialToken"].is_object()) {
                const auto ids =
                    idsOfSpecial(specials, jsonString(item["SpecialToken"], "id", "TemplateProcessing"));
                (seenA ? suf : pre).insert((seenA ? suf : pre).end(), ids.begin(), ids.end());
                continue;
            }
            throw Error("tokenizer.json: TemplateProcessing item is neither Sequence nor SpecialToken");
        }
        prefix.insert(prefix.begin(), pre.begin(), pre.end());
        suffix.insert(suffix.end(), suf.begin(), suf.end());
        return;
    }
    if (type == "RobertaProcessing" || type == "BertProcessing") {
        prefix.insert(prefix.begin(), idOfPair(p, "cls"));
        suffix.push_back(idOfPair(p, "sep"));
        return;
    }
    if (type == "Sequence") {
        for (const auto& q : jsonArray(p, "processors", "Sequence post_processor"))
            applyPostProcessor(q, prefix, suffix);
        return;
    }
    throw Error("tokenizer.json: unsupported post_processor type '" + type + "'");
}

std::optional<std::string> specialTokenContent(const Json& cfg, const char* key) {
    if (!cfg.contains(key)) return std::nullopt;
    const Json& v = cfg[key];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string())
        return v["content"].get<std::string>();
    return std::nullopt;
}

std::optional<int32_t> lookup(const TokenizerImpl& t, const std::string& s) {
    if (const AddedToken* a = t.added.byContent(s)) return a->id;
    const int32_t id = t.model->tokenToId(s);
    if (id >= 0) return id;
    return std::nullopt;
}
} // namespace

void loadTokenizerJson(TokenizerImpl& t, std::string_view text) {
    // Fast path: vocab and merges decoded by a dedicated scanner (see fast_json_scan.h); only BPE uses it.
    std::optional<ScannedModel> scanned = scanTokenizerJson(text, kMaxVocab);
    Json j;
    if (scanned) {
        j = Json::parse(scanned->rest, nullptr, false);
        const bool bpe = !j.is_discarded() && j.is_object() && j.contains("model") &&
                         j["model"].is_object() && (jsonStringOr(j["model"], "type", "BPE") == "BPE");
        if (!bpe || !scanned->hasVocab || !scanned->hasMerges) scanned.reset();
    }
    if (!scanned) j = Json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded()) throw Error("tokenizer.json is not valid JSON");
    if (!j.is_object()) throw Error("tokenizer.json: top level must be an object");
    t.normalizer = makeNormalizer(j.contains("normalizer") ? j["normalizer"] : Json());
    bool byteLevel = false;
    t.preTokenizer = makePreTokenizer(j.contains("pre_tokenizer") ? j["pre_tokenizer"] : Json(), &byteLevel);
    t.model = makeModel(j.contains("model") ? j["model"] : Json(), byteLevel, t.modelKind,
                        scanned ? &*scanned : nullptr);
    if (byteLevel && t.modelKind != "bpe") {
        // Only the BPE model reads raw bytes; rebuild with an eager ByteLevel mapping for the others.
        t.preTokenizer = makePreTokenizer(j["pre_tokenizer"], nullptr);
    }
    t.decoder = makeDecoder(j.contains("decoder") ? j["decoder"] : Json());
    if (j.contains("added_tokens") && !j["added_tokens"].is_null()) {
        for (const auto& a : jsonArray(j, "added_tokens", "tokenizer.json")) {
            AddedToken tok;
            tok.content = jsonString(a, "content", "added_tokens entry");
            const long long id = jsonInt(a, "id", -1);
            if (id < 0 || id >= kMaxVocab)
                throw Error("tokenizer.json: added token '" + tok.content +
                            "' has a missing or out-of-range id");
            tok.id = static_cast<int32_t>(id);
            tok.special = jsonBool(a, "special", false);
            tok.lstrip = jsonBool(a, "lstrip", false);
            tok.rstrip = jsonBool(a, "rstrip", false);
            tok.normalized = jsonBool(a, "normalized", !tok.special);
            tok.singleWord = jsonBool(a, "single_word", false);
            t.added.add(std::move(tok));
        }
    }
    t.added.build(t.normalizer.get());
    applyPostProcessor(j.contains("post_processor") ? j["post_processor"] : Json(), t.prefix, t.suffix);
    if (j.contains("model") && j["model"].contains("unk_token") && j["model"]["unk_token"].is_string())
        t.unk = lookup(t, j["model"]["unk_token"].get<std::string>());
    if (!t.prefix.empty()) t.bos = t.prefix.front();
    if (!t.suffix.empty()) t.eos = t.suffix.back();
}

void applyTokenizerConfig(TokenizerImpl& t, std::string_view text) {
    Json cfg = Json::parse(text.begin(), text.end(), nullptr, false);
    if (cfg.is_discarded() || !cfg.is_object())
        throw Error("tokenizer_config.json is not a valid JSON object");
    auto resolve = [&](const char* key, std::optional<int32_t>& slot) {
        if (auto s = specialTokenContent(cfg, key)) {
            if (auto id = lookup(t, *s)) slot = id;
        } else if (cfg.contains(key) && cfg[key].is_null()) {
            slot.reset();
        }
    };
    resolve("bos_token", t.bos);
    resolve("eos_token", t.eos);
    resolve("pad_token", t.pad);
    resolve("unk_token", t.unk);
    if (cfg.contains("chat_template") && !cfg["chat_template"].is_null())
        t.chatTemplateJson = cfg["chat_template"].dump();
    // transformers' LlamaTokenizerFast / GemmaTokenizerFast rebuild the post-processor from add_bos_token and
    // add_eos_token (defaults true / false) whatever tokenizer.json says.
    const std::string cls = jsonStringOr(cfg, "tokenizer_class", "");
    static const char* const kRewriting[] = {"LlamaTokenizer",     "LlamaTokenizerFast",
                                             "CodeLlamaTokenizer", "CodeLlamaTokenizerFast",
                                             "GemmaTokenizer",     "GemmaTokenizerFast"};
    if (std::find(std::begin(kRewriting), std::end(kRewriting), cls) != std::end(kRewriting)) {
        const bool addBos = jsonBool(cfg, "add_bos_token", true);
        const bool addEos = jsonBool(cfg, "add_eos_token", false);
        if (addBos && !t.bos)
            throw Error("tokenizer_config.json: add_bos_token is true but bos_token is not set");
        if (addEos && !t.eos)
            throw Error("tokenizer_config.json: add_eos_token is true but eos_token is not set");
        t.prefix.clear();
        t.suffix.clear();
        if (addBos) t.prefix.push_back(*t.bos);
        if (addEos) t.suffix.push_back(*t.eos);
    }
}

} // namespace hone::tok
