// Tokenizers embedded in GGUF metadata (tokenizer.ggml.*), reproducing llama.cpp: "llama" (SentencePiece BPE
// with scores) and "gpt2" (byte-level BPE with merges and the pre-tokenizer regexes named by
// tokenizer.ggml.pre).
#include "common/error.h"
#include "model/gguf_file.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/decoders.h"
#include "tokenizer/pre_tokenizers.h"
#include "tokenizer/spm_model.h"
#include "tokenizer/tokenizer_impl.h"
#include "tokenizer/wpm_model.h"

#include <map>

namespace hone::tok {

namespace {

enum TokenType { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };

const char* const kGpt2Split = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";
const char* const kLlama3Split =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kQwen2Split =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kDeepseekLetters =
    "\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-"
    "\u0373"
    "\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-"
    "\u052F"
    "\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77"
    "\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-"
    "\u1F7D"
    "\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-"
    "\u1FF4"
    "\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-"
    "\u2134\u2139"
    "\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-"
    "\uA66D"
    "\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A"
    "\uFF41-\uFF5A\U00010400-\U0001044F\U000104B0-\U000104D3\U000104D8-\U000104FB\U00010C80-\U00010CB2"
    "\U00010CC0-\U00010CF2\U000118A0-\U000118DF\U0001E900-\U0001E943]+";

// llama.cpp's pre-tokenizer regexes by tokenizer.ggml.pre (llama-vocab.cpp, llm_tokenizer_bpe). Each regex is
// applied in turn, keeping both matches and the text between them. *ignoreMerges for the Llama-3 family.
std::vector<std::string> preTokenizerRegexes(const std::string& pre, bool* ignoreMerges) {
    *ignoreMerges = false;
    static const std::map<std::string, std::string> kAlias = {
        {"llama3", "llama3"},
        {"llama-v3", "llama3"},
        {"llama-bpe", "llama3"},
        {"falcon3", "llama3"},
        {"pixtral", "llama3"},
        {"dbrx", "dbrx"},
        {"smaug-bpe", "dbrx"},
        {"deepseek-llm", "deepseek-llm"},
        {"deepseek-coder", "deepseek-coder"},
        {"falcon", "falcon"},
        {"mpt", "gpt2"},
        {"gpt-2", "gpt2"},
        {"phi-2", "gpt2"},
        {"jina-es", "gpt2"},
        {"jina-de", "gpt2"},
        {"jina-v1-en", "gpt2"},
        {"jina-v2-es", "gpt2"},
        {"jina-v2-de", "gpt2"},
        {"jina-v2-code", "gpt2"},
        {"roberta-bpe", "gpt2"},
        {"gigachat", "gpt2"},
        {"olmo", "gpt2"},
        {"jais", "gpt2"},
        {"starcoder", "starcoder"},
        {"refact", "starcoder"},
        {"command-r", "starcoder"},
        {"smollm", "starcoder"},
        {"codeshell", "starcoder"},
        {"exaone", "starcoder"},
        {"minerva-7b", "starcoder"},
        {"qwen2", "qwen2"},
        {"stablelm2", "qwen2"},
        {"deepseek-r1-qwen", "qwen2"},
        {"megrez", "qwen2"},
        {"chatglm-bpe", "dbrx"},
        {"poro-chat", "bloom"},
        {"bloom", "bloom"},
        {"gpt3-finnish", "bloom"},
        {"viking", "viking"},
        {"chameleon", "chameleon"},
        {"default", "default"},
        {"", "default"},
    };
    const auto it = kAlias.find(pre);
    if (it == kAlias.end())
        throw Error(
            "tokenizer.ggml.pre '" + pre +
            "' is not a pre-tokenizer Hone knows; convert the model with a recent llama.cpp or use its "
            "tokenizer.json");
    const std::string& k = it->second;
    if (k == "llama3") {
        *ignoreMerges = true;
        return {kLlama3Split};
    }
    if (k == "dbrx") return {kLlama3Split};
    if (k == "qwen2") return {kQwen2Split};
    if (k == "gpt2") return {kGpt2Split};
    if (k == "starcoder") return {R"(\p{N})", kGpt2Split};
    if (k == "falcon") return {R"([\p{P}\$\+<=>\^~\|`]+)", kGpt2Split, "[0-9][0-9][0-9]"};
    if (k == "deepseek-llm")
        return {"[\r\n]",
                kDeepseekLetters,
                "\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+",
                "\\s+\\z",
                "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+",
                "\\p{N}+"};
    if (k == "deepseek-coder")
        return {"[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+",
                "\\p{N}"};
    if (k == "bloom") return {" ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+"};
    if (k == "viking") return {" ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+", "\\p{N}"};
    if (k == "chameleon")
        return {"<sentinel:[0-9]+>",      "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z",
                "([\\t\\n]|    |  )",     "\\p{N}",
                "[\\p{P}!-/:-@\\[-`{-~]", kGpt2Split};
    return {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2Split, R"(\p{N}+)", "[0-9][0-9][0-9]"};
}

std::optional<int32_t> optId(const GgufFile& g, const char* key, std::size_t n) {
    const GgufValue* v = g.find(key);
    if (!v || !v->isInteger()) return std::nullopt;
    const long long id = v->type == GgufType::I32 || v->type == GgufType::I64 || v->type == GgufType::I8 ||
                                 v->type == GgufType::I16
                             ? static_cast<long long>(v->i)
                             : static_cast<long long>(v->u);
    if (id < 0 || static_cast<std::size_t>(id) >= n) return std::nullopt;
    return static_cast<int32_t>(id);
}

bool optBool(const GgufFile& g, const char* key, bool def) {
    const GgufValue* v = g.find(key);
    if (!v || v->type != GgufType::Bool) return def;
    return v->u != 0;
}

void build(TokenizerImpl& t, const GgufFile& g) {
    const std::string model = g.getStringOr("tokenizer.ggml.model", "");
    if (model.empty()) throw Error("GGUF has no tokenizer.ggml.model (no embedded tokenizer)");
    std::vector<std::string> tokens = g.getStringArray("tokenizer.ggml.tokens");
    const std::size_t n = tokens.size();
    if (n == 0 || n > (std::size_t(1) << 24)) throw Error("tokenizer.ggml.tokens is empty or too large");
    std::vector<int32_t> types(n, kNormal);
    if (g.has("tokenizer.ggml.token_type")) {
        types = g.getI32Array("tokenizer.ggml.token_type");
        if (types.size() != n)
            throw Error("tokenizer.ggml.token_type has a different length than tokenizer.ggml.tokens");
    }
    t.bos = optId(g, "tokenizer.ggml.bos_token_id", n);
    t.eos = optId(g, "tokenizer.ggml.eos_token_id", n);
    t.unk = optId(g, "tokenizer.ggml.unknown_token_id", n);
    t.pad = optId(g, "tokenizer.ggml.padding_token_id", n);
    if (g.has("tokenizer.chat_template"))
        t.chatTemplateJson = Json(g.getString("tokenizer.chat_template")).dump();

    bool addBos, addEos = optBool(g, "tokenizer.ggml.add_eos_token", false);
    if (model == "llama") {
        std::vector<float> scores;
        if (g.has("tokenizer.ggml.scores")) scores = g.getF32Array("tokenizer.ggml.scores");
        if (!scores.empty() && scores.size() != n)
            throw Error("tokenizer.ggml.scores has a different length than tokenizer.ggml.tokens");
        if (!t.unk) t.unk = 0;
        t.model = std::make_unique<SpmModel>(tokens, std::move(scores), *t.unk);
        t.modelKind = "spm";
        t.spmEscapeSpaces = true;
        t.spmAddSpacePrefix = optBool(g, "tokenizer.ggml.add_space_prefix", true);
        t.decoder = makeSentencePieceDecoder(t.spmAddSpacePrefix);
        addBos = optBool(g, "tokenizer.ggml.add_bos_token", true);
    } else if (model == "gpt2") {
        const auto& mergeStrs = g.getStringArrayView("tokenizer.ggml.merges");
        std::vector<std::pair<std::string, std::string>> merges;
        merges.reserve(mergeStrs.size());
        for (std::size_t i = 0; i < mergeStrs.size(); ++i) {
            const std::string_view m = mergeStrs[i];
            const std::size_t sp = m.find(' ', 1);
            if (sp == std::string_view::npos)
                throw Error("tokenizer.ggml.merges[" + std::to_string(i) + "] is not two tokens");
            merges.emplace_back(std::string(m.substr(0, sp)), std::string(m.substr(sp + 1)));
        }
        bool ignoreMerges = false;
        t.preTokenizer =
            makeRegexSplitter(preTokenizerRegexes(g.getStringOr("tokenizer.ggml.pre", ""), &ignoreMerges));
        BpeOptions o;
        o.byteLevelInput = true;
        o.ignoreMerges = ignoreMerges;
        o.skipInvalidMerges = true;
        t.model = std::make_unique<BpeModel>(tokens, merges, o);
        t.modelKind = "bpe";
        t.decoder = makeByteLevelDecoder();
        addBos = optBool(g, "tokenizer.ggml.add_bos_token", false);
    } else if (model == "bert") {
        t.model = std::make_unique<WpmModel>(tokens, t.unk.value_or(-1));
        t.modelKind = "wpm";
        const auto cls = optId(g, "tokenizer.ggml.cls_token_id", n),
                   sep = optId(g, "tokenizer.ggml.seperator_token_id", n);
        if (cls) t.bos = cls;
        if (sep) t.eos = sep;
        t.decoder = makeSentencePieceDecoder(true);
        addBos = optBool(g, "tokenizer.ggml.add_bos_token", true);
        addEos = optBool(g, "tokenizer.ggml.add_eos_token", true);
    } else {
        throw Error("tokenizer.ggml.model '" + model + "' is not supported (supported: llama, gpt2, bert)");
    }
    // Control / unknown tokens match only when special tokens are parsed; user-defined tokens always do.
    for (std::size_t i = 0; i < n; ++i) {
        const int32_t ty = types[i];
        if (ty != kControl && ty != kUserDefined && ty != kUnknown) continue;
        AddedToken a;
        a.content = tokens[i];
        a.id = static_cast<int32_t>(i);
        a.special = ty != kUserDefined;
        t.added.add(std::move(a));
    }
    t.added.build(nullptr);
    if (addBos && t.bos) t.prefix.push_back(*t.bos);
    if (addEos && t.eos) t.suffix.push_back(*t.eos);
}

} // namespace

void loadGgufTokenizer(TokenizerImpl& t, std::string_view bytes) {
    const GgufFile g =
        GgufFile::fromMemory(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    build(t, g);
}

void loadGgufTokenizerFile(TokenizerImpl& t, const std::string& path) {
    const GgufFile g = GgufFile::open(path);
    build(t, g);
}

} // namespace hone::tok
