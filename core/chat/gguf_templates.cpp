// Reads chat templates and special-token texts out of GGUF metadata.
#include "chat/gguf_templates.h"

#include "common/error.h"
#include "model/gguf_file.h"

#include <filesystem>

namespace hone::jinja {

namespace {
const std::string kKey = "tokenizer.chat_template";

std::optional<std::string> tokenText(const GgufFile& f, const std::string& idKey) {
    if (!f.has(idKey) || !f.has("tokenizer.ggml.tokens")) return std::nullopt;
    const auto& tokens = f.getStringArrayView("tokenizer.ggml.tokens");
    const std::uint64_t id = f.getU64(idKey);
    if (id >= tokens.size()) return std::nullopt;
    return std::string(tokens[id]);
}
} // namespace

bool isGgufPath(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return false;
    return path.size() >= 5 && path.compare(path.size() - 5, 5, ".gguf") == 0;
}

ChatTemplateSet loadGgufTemplates(const GgufFile& file) {
    ChatTemplateSet set;
    set.origin = file.path();
    for (const std::string& key : file.keys()) {
        if (key == kKey) {
            set.templates.push_back({"default", file.getString(key)});
        } else if (key.rfind(kKey + ".", 0) == 0) {
            set.templates.push_back({key.substr(kKey.size() + 1), file.getString(key)});
        }
    }
    if (set.templates.empty())
        throw Error(file.path() +
                    " has no chat template (no tokenizer.chat_template in its metadata): pass one "
                    "with --template FILE");
    return set;
}

ModelTokens loadGgufTokens(const GgufFile& file) {
    ModelTokens t;
    t.bosToken = tokenText(file, "tokenizer.ggml.bos_token_id");
    t.eosToken = tokenText(file, "tokenizer.ggml.eos_token_id");
    if (t.eosToken) t.stopTokens.push_back(*t.eosToken);
    if (auto eot = tokenText(file, "tokenizer.ggml.eot_token_id"); eot && eot != t.eosToken)
        t.stopTokens.push_back(*eot);
    return t;
}

} // namespace hone::jinja
