// Loading chat templates and special tokens from model folders and files (see template_source.h).
#include "chat/template_source.h"

#include "common/error.h"
#include "common/mapped_file.h"

#include <algorithm>
#include <filesystem>

namespace hone::jinja {

namespace fs = std::filesystem;

std::string readTextFile(const std::string& path, size_t maxBytes) {
    return hone::readTextFile(path, maxBytes);
}

const NamedTemplate* ChatTemplateSet::find(const std::string& name) const {
    for (const auto& t : templates)
        if (t.name == name) return &t;
    return nullptr;
}

const NamedTemplate& ChatTemplateSet::select(const std::optional<std::string>& name, bool hasTools) const {
    std::string names;
    for (const auto& t : templates) names += (names.empty() ? "" : ", ") + t.name;
    if (name) {
        if (const auto* t = find(*name)) return *t;
        throw Error("chat template '" + *name + "' not found in " + origin + " (available: " + names + ")");
    }
    if (hasTools)
        if (const auto* t = find("tool_use")) return *t;
    if (const auto* t = find("default")) return *t;
    if (templates.size() == 1) return templates[0];
    if (templates.empty()) throw Error(origin + " has no chat template");
    throw Error(origin + " has several chat templates and none is named 'default'; pick one of: " + names);
}

ChatTemplateSet templatesFromText(std::string text, const std::string& origin) {
    ChatTemplateSet s;
    s.origin = origin;
    s.templates.push_back({"default", std::move(text)});
    return s;
}

ChatTemplateSet templatesFromConfig(const Json& chatTemplate, const std::string& origin) {
    if (chatTemplate.is_string()) return templatesFromText(chatTemplate.get<std::string>(), origin);
    ChatTemplateSet s;
    s.origin = origin;
    if (!chatTemplate.is_array())
        throw Error(origin + ": chat_template must be a string or a list of {name, template}");
    for (const auto& e : chatTemplate) {
        if (!e.is_object() || !e.contains("name") || !e.contains("template") || !e["name"].is_string() ||
            !e["template"].is_string())
            throw Error(origin +
                        ": each chat_template entry must be an object with string 'name' and 'template'");
        s.templates.push_back({e["name"].get<std::string>(), e["template"].get<std::string>()});
    }
    return s;
}

ChatTemplateSet loadTemplateFile(const std::string& path) {
    return templatesFromText(readTextFile(path), path);
}

namespace {

Json readJson(const std::string& path) {
    try {
        return Json::parse(readTextFile(path));
    } catch (const Json::exception& e) {
        throw Error(path + " is not valid JSON: " + e.what());
    }
}

std::optional<std::string> tokenText(const Json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string())
        return v["content"].get<std::string>();
    return std::nullopt;
}

} // namespace

ChatTemplateSet loadModelTemplates(const std::string& folder) {
    fs::path dir(folder);
    ChatTemplateSet set;
    if (fs::exists(dir / "chat_template.jinja")) {
        set = templatesFromText(readTextFile((dir / "chat_template.jinja").string()),
                                (dir / "chat_template.jinja").string());
        if (fs::is_directory(dir / "additional_chat_templates")) {
            std::vector<fs::path> extra;
            for (const auto& e : fs::directory_iterator(dir / "additional_chat_templates"))
                if (e.path().extension() == ".jinja") extra.push_back(e.path());
            std::sort(extra.begin(), extra.end());
            for (const auto& p : extra)
                set.templates.push_back({p.stem().string(), readTextFile(p.string())});
        }
        return set;
    }
    fs::path cfg = dir / "tokenizer_config.json";
    if (!fs::exists(cfg)) throw Error(folder + " has no tokenizer_config.json or chat_template.jinja");
    Json j = readJson(cfg.string());
    if (!j.is_object() || !j.contains("chat_template") || j["chat_template"].is_null())
        throw Error(cfg.string() +
                    " has no chat_template (this model has no chat template; pass --template FILE)");
    return templatesFromConfig(j["chat_template"], cfg.string());
}

ModelTokens loadModelTokens(const std::string& folder) {
    fs::path dir(folder);
    ModelTokens t;
    Json cfg;
    if (fs::exists(dir / "tokenizer_config.json")) cfg = readJson((dir / "tokenizer_config.json").string());
    if (cfg.is_object()) {
        if (cfg.contains("bos_token")) t.bosToken = tokenText(cfg["bos_token"]);
        if (cfg.contains("eos_token")) t.eosToken = tokenText(cfg["eos_token"]);
    }
    if (t.eosToken) t.stopTokens.push_back(*t.eosToken);
    // Map generation_config eos ids to text through added tokens.
    std::vector<int64_t> ids;
    if (fs::exists(dir / "generation_config.json")) {
        Json g = readJson((dir / "generation_config.json").string());
        if (g.is_object() && g.contains("eos_token_id")) {
            const Json& e = g["eos_token_id"];
            if (e.is_number_integer()) ids.push_back(e.get<int64_t>());
            if (e.is_array())
                for (const auto& x : e)
                    if (x.is_number_integer()) ids.push_back(x.get<int64_t>());
        }
    }
    auto add = [&](const std::string& s) {
        if (std::find(t.stopTokens.begin(), t.stopTokens.end(), s) == t.stopTokens.end())
            t.stopTokens.push_back(s);
    };
    if (!ids.empty()) {
        if (cfg.is_object() && cfg.contains("added_tokens_decoder") &&
            cfg["added_tokens_decoder"].is_object()) {
            for (auto id : ids) {
                auto key = std::to_string(id);
                if (cfg["added_tokens_decoder"].contains(key))
                    if (auto s = tokenText(cfg["added_tokens_decoder"][key])) add(*s);
            }
        } else if (fs::exists(dir / "tokenizer.json")) {
            Json tj = readJson((dir / "tokenizer.json").string());
            if (tj.is_object() && tj.contains("added_tokens") && tj["added_tokens"].is_array())
                for (const auto& at : tj["added_tokens"])
                    if (at.is_object() && at.contains("id") && at["id"].is_number_integer() &&
                        std::find(ids.begin(), ids.end(), at["id"].get<int64_t>()) != ids.end())
                        if (auto s = tokenText(at)) add(*s);
        }
    }
    return t;
}

} // namespace hone::jinja
