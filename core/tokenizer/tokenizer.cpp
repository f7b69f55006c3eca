// Tokenizer facade: loading entry points, the encode pipeline (added tokens -> normalizer -> pre-tokenizer ->
// model -> post-processor), batch encoding, decoding and streaming decoding.
#include "tokenizer/tokenizer.h"

#include "common/error.h"
#include "common/json.h"
#include "common/mapped_file.h"
#include "common/parallel.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/regex.h"
#include "tokenizer/tokenizer_impl.h"
#include "tokenizer/unicode.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <mutex>
#include <thread>

namespace hone::tok {

namespace fs = std::filesystem;

namespace {
constexpr std::size_t kMaxTokenizerJson = std::size_t(512) << 20;

bool endsWith(const std::string& s, const std::string& suf) {
    return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}
} // namespace

Tokenizer Tokenizer::load(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        const fs::path dir(path);
        if (fs::exists(dir / "tokenizer.json")) {
            const std::string json = readTextFile((dir / "tokenizer.json").string(), kMaxTokenizerJson);
            std::string config;
            if (fs::exists(dir / "tokenizer_config.json"))
                config = readTextFile((dir / "tokenizer_config.json").string(), std::size_t(64) << 20);
            try {
                return fromJson(json, config);
            } catch (const Error& e) {
                throw Error((dir / "tokenizer.json").string() + ": " + e.what());
            }
        }
        // A folder with exactly one .gguf file.
        std::string gguf;
        for (const auto& entry : fs::directory_iterator(dir, ec))
            if (entry.path().extension() == ".gguf") {
                if (!gguf.empty())
                    throw Error(path + ": no tokenizer.json and several .gguf files; pass the file itself");
                gguf = entry.path().string();
            }
        if (gguf.empty()) throw Error(path + ": no tokenizer.json (or .gguf file) in this folder");
        return load(gguf);
    }
    if (!fs::exists(path, ec)) throw Error(path + ": no such file or folder");
    if (endsWith(path, ".gguf")) {
        auto impl = std::make_shared<TokenizerImpl>();
        try {
            loadGgufTokenizerFile(*impl, path);
        } catch (const Error& e) {
            const std::string msg = e.what();
            throw Error(msg.rfind(path, 0) == 0 ? msg : path + ": " + msg);
        }
        impl->fastSplit = impl->preTokenizer ? impl->preTokenizer->isolatedRegex() : nullptr;
        return Tokenizer(std::move(impl));
    }
    const std::string json = readTextFile(path, kMaxTokenizerJson);
    std::string config;
    const fs::path cfg = fs::path(path).parent_path() / "tokenizer_config.json";
    if (fs::exists(cfg, ec)) config = readTextFile(cfg.string(), std::size_t(64) << 20);
    try {
        return fromJson(json, config);
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
}

Tokenizer Tokenizer::fromJson(std::string_view tokenizerJson, std::string_view configJson) {
    auto impl = std::make_shared<TokenizerImpl>();
    try {
        loadTokenizerJson(*impl, tokenizerJson);
        if (!configJson.empty()) applyTokenizerConfig(*impl, configJson);
    } catch (const Json::exception& e) {
        // A value of the wrong JSON type somewhere we did not check explicitly.
        throw Error(std::string("tokenizer.json / tokenizer_config.json: unexpected structure (") + e.what() +
                    ")");
    }
    impl->fastSplit = impl->preTokenizer ? impl->preTokenizer->isolatedRegex() : nullptr;
    return Tokenizer(std::move(impl));
}

Tokenizer Tokenizer::fromGguf(std::string_view ggufBytes) {
    auto impl = std::make_shared<TokenizerImpl>();
    loadGgufTokenizer(*impl, ggufBytes);
    impl->fastSplit = impl->preTokenizer ? impl->preTokenizer->isolatedRegex() : nullptr;
    return Tokenizer(std::move(impl));
}

Tokenizer Tokenizer::withAddedTokens(const std::vector<std::string>& tokens, bool special) const {
    auto impl = std::make_shared<TokenizerImpl>(*impl_); // pipeline stages shared, added vocabulary copied
    int32_t next = static_cast<int32_t>(vocabSize());
    for (const auto& content : tokens) {
        if (content.empty()) throw Error("cannot add an empty token to the vocabulary");
        if (impl->added.byContent(content)) continue; // already an added token: keeps its id and flags
        AddedToken t;
        t.content = content;
        t.special = special;
        const int32_t existing = impl->model->tokenToId(content);
        t.id = existing >= 0 ? existing : next++;
        impl->added.add(std::move(t));
    }
    impl->added.build(impl->normalizer.get());
    return Tokenizer(std::move(impl));
}

void TokenizerImpl::encodeText(std::string_view text, bool atStart, bool prevSpecial,
                               std::vector<int32_t>& out, ModelCache* cache) const {
    if (text.empty()) return;
    if (spmEscapeSpaces) {
        // llama.cpp SPM: a space prefix after BOS/special tokens, spaces escaped, the whole fragment at once.
        std::string esc;
        esc.reserve(text.size() + 8);
        if (spmAddSpacePrefix && prevSpecial) esc += "\xE2\x96\x81";
        for (char c : text) {
            if (c == ' ')
                esc += "\xE2\x96\x81";
            else
                esc.push_back(c);
        }
        model->tokenize(esc, out, cache);
        return;
    }
    if (!preTokenizer) {
        model->tokenize(text, out, cache);
        return;
    }
    if (fastSplit) {
        std::vector<std::pair<std::size_t, std::size_t>> m;
        fastSplit->findAll(text, m);
        std::size_t prev = 0;
        for (auto [b, e] : m) {
            if (prev != b) model->tokenize(text.substr(prev, b - prev), out, cache);
            model->tokenize(text.substr(b, e - b), out, cache);
            prev = e;
        }
        if (prev != text.size()) model->tokenize(text.substr(prev), out, cache);
        return;
    }
    std::vector<Piece> pieces;
    pieces.push_back(Piece{std::string(text), atStart});
    preTokenizer->split(pieces);
    for (const auto& p : pieces) model->tokenize(p.text, out, cache);
}

void TokenizerImpl::encodeInto(std::string_view text, const EncodeOptions& opts, std::vector<int32_t>& out,
                               ModelCache* cache) const {
    if (opts.addSpecialTokens) out.insert(out.end(), prefix.begin(), prefix.end());
    std::string sanitized;
    if (!isValidUtf8(text)) {
        sanitized = sanitizeUtf8(text);
        text = sanitized;
    }
    std::vector<Span> spans;
    if (!added.findRaw(text, opts.parseSpecial, spans)) spans.push_back(Span{-1, 0, text.size()});
    bool prevSpecial = true;
    std::string norm;
    std::vector<Segment> segs;
    for (const auto& sp : spans) {
        if (sp.id >= 0) {
            out.push_back(sp.id);
            prevSpecial = true;
            continue;
        }
        const std::string_view piece = text.substr(sp.b, sp.e - sp.b);
        const bool atStart = sp.b == 0;
        if (!normalizer && !added.hasNormalized()) {
            encodeText(piece, atStart, prevSpecial, out, cache);
            prevSpecial = false;
            continue;
        }
        norm.assign(piece);
        if (normalizer) normalizer->normalize(norm);
        if (!added.hasNormalized()) {
            encodeText(norm, atStart, prevSpecial, out, cache);
            prevSpecial = false;
            continue;
        }
        segs.assign(1, Segment{-1, norm, atStart});
        added.split(segs, true, opts.parseSpecial);
        for (const auto& s : segs) {
            if (s.id >= 0) {
                out.push_back(s.id);
                prevSpecial = true;
            } else {
                encodeText(s.text, s.atStart, prevSpecial, out, cache);
                prevSpecial = false;
            }
        }
    }
    if (opts.addSpecialTokens) out.insert(out.end(), suffix.begin(), suffix.end());
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, const EncodeOptions& opts) const {
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 4);
    auto cache = text.size() > 256 ? impl_->model->makeCache() : nullptr;
    impl_->encodeInto(text, opts, out, cache.get());
    return out;
}

std::vector<std::vector<int32_t>> Tokenizer::encodeBatch(const std::vector<std::string>& texts,
                                                         const EncodeOptions& opts, unsigned threads) const {
    std::vector<std::vector<int32_t>> out(texts.size());
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, texts.size()));
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        auto cache = impl_->model->makeCache();
        for (;;) {
            const std::size_t i = next.fetch_add(1);
            if (i >= texts.size()) break;
            impl_->encodeInto(texts[i], opts, out[i], cache.get());
        }
    };
    runOnThreads(threads, work);
    return out;
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool skipSpecial) const {
    const TokenizerImpl& t = *impl_;
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (const int32_t id : ids) {
        if (const AddedToken* a = t.added.byId(id)) {
            if (skipSpecial && a->special) continue;
            tokens.push_back(a->content);
            continue;
        }
        if (const std::string* s = t.model->idToToken(id)) tokens.push_back(*s);
    }
    if (!t.decoder) {
        std::string joined;
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            if (i) joined.push_back(' ');
            joined += tokens[i];
        }
        return joined;
    }
    t.decoder->decodeChain(tokens);
    std::string joined;
    for (const auto& s : tokens) joined += s;
    return joined;
}

std::size_t Tokenizer::vocabSize() const {
    std::size_t n = impl_->model->vocabSize();
    for (const auto& a : impl_->added.tokens()) n = std::max(n, static_cast<std::size_t>(a.id) + 1);
    return n;
}

std::optional<std::string> Tokenizer::idToToken(int32_t id) const {
    if (const AddedToken* a = impl_->added.byId(id)) return a->content;
    if (const std::string* s = impl_->model->idToToken(id)) return *s;
    return std::nullopt;
}

std::optional<int32_t> Tokenizer::tokenToId(std::string_view token) const {
    if (const AddedToken* a = impl_->added.byContent(token)) return a->id;
    const int32_t id = impl_->model->tokenToId(token);
    if (id >= 0) return id;
    return std::nullopt;
}

std::string Tokenizer::tokenBytes(int32_t id) const {
    const TokenizerImpl& t = *impl_;
    if (const AddedToken* a = t.added.byId(id)) return a->content;
    const std::string* s = t.model->idToToken(id);
    if (!s) return {};
    if (!t.decoder) return *s;
    // Which decoder family this is, from how the chain decodes probe tokens (the chain has no other API).
    auto decodeAfterAnchor = [&](const std::string& token) {
        std::vector<std::string> v{"x", token};
        t.decoder->decodeChain(v);
        std::string joined;
        for (const auto& p : v) joined += p;
        return joined.size() >= 1 && joined[0] == 'x' ? joined.substr(1) : joined;
    };
    std::vector<std::string> probe{"\xC4\xA0"}; // "Ġ", the byte-level character of a space
    t.decoder->decodeChain(probe);
    if (probe.size() == 1 && probe[0] == " ") {
        std::string bytes;
        std::size_t i = 0;
        while (i < s->size()) {
            const int b = byteLevelCharToByte(nextCodePoint(*s, i));
            if (b < 0) return *s; // not a byte-level token: kept as it is (as the ByteLevel decoder does)
            bytes.push_back(static_cast<char>(b));
        }
        return bytes;
    }
    if (s->size() == 6 && s->compare(0, 3, "<0x") == 0 && (*s)[5] == '>' &&
        decodeAfterAnchor("<0x41>") == "A") {
        const std::string hex = s->substr(3, 2);
        if (std::all_of(hex.begin(), hex.end(),
                        [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
            return std::string(1, static_cast<char>(std::stoi(hex, nullptr, 16)));
    }
    return decodeAfterAnchor(*s);
}

bool Tokenizer::isSpecial(int32_t id) const {
    const AddedToken* a = impl_->added.byId(id);
    return a && a->special;
}

std::optional<int32_t> Tokenizer::bosId() const {
    return impl_->bos;
}
std::optional<int32_t> Tokenizer::eosId() const {
    return impl_->eos;
}
std::optional<int32_t> Tokenizer::padId() const {
    return impl_->pad;
}
std::optional<int32_t> Tokenizer::unkId() const {
    return impl_->unk;
}
const std::vector<int32_t>& Tokenizer::prefixIds() const {
    return impl_->prefix;
}
const std::vector<int32_t>& Tokenizer::suffixIds() const {
    return impl_->suffix;
}
const std::string& Tokenizer::chatTemplateJson() const {
    return impl_->chatTemplateJson;
}
std::string Tokenizer::modelKind() const {
    return impl_->modelKind;
}

std::string Tokenizer::chatTemplate() const {
    if (impl_->chatTemplateJson.empty()) return {};
    const Json j = Json::parse(impl_->chatTemplateJson, nullptr, false);
    if (j.is_string()) return j.get<std::string>();
    if (j.is_array())
        for (const auto& e : j)
            if (e.is_object() && e.value("name", "") == "default" && e.contains("template") &&
                e["template"].is_string())
                return e["template"].get<std::string>();
    return {};
}

StreamDecoder::StreamDecoder(Tokenizer tok, bool skipSpecial)
    : tok_(std::move(tok))
    , skip_(skipSpecial) {}

std::string StreamDecoder::step(int32_t id) {
    ids_.push_back(id);
    const std::string s = tok_.decode(ids_, skip_);
    static const std::string kRepl = "\xEF\xBF\xBD";
    const bool endsRepl = s.size() >= 3 && s.compare(s.size() - 3, 3, kRepl) == 0;
    if (s.size() > prefix_.size() && !endsRepl && s.compare(0, prefix_.size(), prefix_) == 0) {
        std::string fresh = s.substr(prefix_.size());
        const std::size_t newPrefixIndex = ids_.size() - prefixIndex_;
        ids_.erase(ids_.begin(), ids_.begin() + static_cast<std::ptrdiff_t>(prefixIndex_));
        prefix_ = tok_.decode(ids_, skip_);
        prefixIndex_ = newPrefixIndex;
        return fresh;
    }
    return {};
}

std::string StreamDecoder::flush() {
    const std::string s = tok_.decode(ids_, skip_);
    std::string rest = s.size() > prefix_.size() && s.compare(0, prefix_.size(), prefix_) == 0
                           ? s.substr(prefix_.size())
                           : std::string();
    ids_.clear();
    prefix_.clear();
    prefixIndex_ = 0;
    return rest;
}

} // namespace hone::tok
