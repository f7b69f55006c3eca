// WordPiece model.
#include "tokenizer/wordpiece_model.h"

#include "common/error.h"
#include "tokenizer/json_util.h"
#include "tokenizer/unicode.h"

namespace hone::tok {

WordPieceModel::WordPieceModel(std::vector<std::string> vocab, std::string unk, std::string prefix,
                               std::size_t maxChars)
    : vocab_(std::move(vocab))
    , prefix_(std::move(prefix))
    , maxChars_(maxChars) {
    for (std::size_t i = 0; i < vocab_.size(); ++i)
        if (!vocab_[i].empty()) index_.emplace(vocab_[i], static_cast<int32_t>(i));
    unkId_ = tokenToId(unk);
    if (unkId_ < 0) throw Error("tokenizer.json: WordPiece unk_token '" + unk + "' is not in the vocabulary");
}

const std::string* WordPieceModel::idToToken(int32_t id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= vocab_.size() || vocab_[id].empty()) return nullptr;
    return &vocab_[id];
}

int32_t WordPieceModel::tokenToId(std::string_view token) const {
    const auto it = index_.find(token);
    return it == index_.end() ? -1 : it->second;
}

void WordPieceModel::tokenize(std::string_view w, std::vector<int32_t>& out, ModelCache*) const {
    std::size_t chars = 0;
    for (char c : w)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;
    if (chars > maxChars_) {
        out.push_back(unkId_);
        return;
    }
    std::vector<int32_t> sub;
    std::size_t start = 0;
    std::string cand;
    while (start < w.size()) {
        std::size_t end = w.size();
        int32_t found = -1;
        while (start < end) {
            cand.clear();
            if (start > 0) cand = prefix_;
            cand.append(w.substr(start, end - start));
            found = tokenToId(cand);
            if (found >= 0) break;
            // step back one UTF-8 character
            --end;
            while (end > start && (static_cast<unsigned char>(w[end]) & 0xC0) == 0x80) --end;
        }
        if (found < 0) {
            out.push_back(unkId_);
            return;
        }
        sub.push_back(found);
        start = end;
    }
    out.insert(out.end(), sub.begin(), sub.end());
}

std::unique_ptr<Model> makeWordPieceFromJson(const Json& m) {
    if (!m.contains("vocab") || !m["vocab"].is_object())
        throw Error("tokenizer.json: WordPiece model.vocab must be an object {token: id}");
    const Json& v = m["vocab"];
    long long maxId = -1;
    for (auto it = v.begin(); it != v.end(); ++it) {
        if (!it.value().is_number_integer() || it.value().get<long long>() < 0 ||
            it.value().get<long long>() >= (1 << 24))
            throw Error("tokenizer.json: WordPiece vocab['" + it.key() + "'] is not a valid id");
        maxId = std::max(maxId, it.value().get<long long>());
    }
    std::vector<std::string> vocab(static_cast<std::size_t>(maxId + 1));
    for (auto it = v.begin(); it != v.end(); ++it) vocab[it.value().get<std::size_t>()] = it.key();
    const long long maxChars = jsonInt(m, "max_input_chars_per_word", 100);
    return std::make_unique<WordPieceModel>(std::move(vocab), jsonStringOr(m, "unk_token", "[UNK]"),
                                            jsonStringOr(m, "continuing_subword_prefix", "##"),
                                            static_cast<std::size_t>(std::max(0LL, maxChars)));
}

} // namespace hone::tok
