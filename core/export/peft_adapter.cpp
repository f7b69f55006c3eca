// Reading, validating and writing PEFT LoRA adapter folders.
#include "export/peft_adapter.h"

#include "common/error.h"
#include "common/mapped_file.h"
#include "export/export_folder.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

namespace hone {

namespace fs = std::filesystem;

namespace {

const std::string kPrefix = "base_model.model.";

bool endsWith(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string s;
    for (auto v : shape) s += (s.empty() ? "" : "x") + std::to_string(v);
    return s.empty() ? "scalar" : s;
}

bool isFloat(StDType t) {
    return t == StDType::F32 || t == StDType::F16 || t == StDType::BF16 || t == StDType::F64;
}

// PEFT's rank_pattern / alpha_pattern keys match a module whose name is the key or ends with "." + key.
const Json* patternFor(const Json& patterns, const std::string& module) {
    if (!patterns.is_object()) return nullptr;
    for (auto it = patterns.begin(); it != patterns.end(); ++it)
        if (module == it.key() || endsWith(module, "." + it.key())) return &it.value();
    return nullptr;
}

Json readJsonFile(const std::string& path) {
    try {
        return Json::parse(readTextFile(path, 16u << 20));
    } catch (const Json::exception& e) {
        throw Error(path + " is not valid JSON (" + e.what() + "); re-save the adapter");
    }
}

} // namespace

PeftAdapter PeftAdapter::open(const std::string& dirIn) {
    PeftAdapter a;
    a.dir_ = dirIn;
    const fs::path dir(dirIn);
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw Error("adapter folder " + dirIn +
                    " does not exist; give the folder holding adapter_config.json");
    const std::string cfgPath = (dir / "adapter_config.json").string();
    if (!fs::exists(cfgPath, ec))
        throw Error(dirIn + " has no adapter_config.json; it is not a PEFT adapter folder");
    const std::string stPath = (dir / "adapter_model.safetensors").string();
    if (!fs::exists(stPath, ec)) {
        if (fs::exists(dir / "adapter_model.bin", ec))
            throw Error(dirIn +
                        " holds adapter_model.bin (a pickle file Hone does not load); convert it with "
                        "PeftModel.from_pretrained(...).save_pretrained(dir, safe_serialization=True)");
        throw Error(dirIn + " has no adapter_model.safetensors");
    }
    a.config_ = readJsonFile(cfgPath);
    const Json& c = a.config_;
    if (!c.is_object()) throw Error(cfgPath + " must hold a JSON object");
    const std::string type = c.value("peft_type", std::string("LORA"));
    if (type != "LORA")
        throw Error(cfgPath + ": peft_type is " + type +
                    "; Hone exports only LoRA adapters (peft_type LORA)");
    if (c.value("use_dora", false)) throw Error(cfgPath + ": DoRA adapters (use_dora) are not supported");
    if (c.value("fan_in_fan_out", false))
        throw Error(cfgPath + ": fan_in_fan_out adapters (GPT-2 Conv1D layers) are not supported");
    if (!c.contains("r") || !c["r"].is_number_integer() || c["r"].get<int>() <= 0)
        throw Error(cfgPath + ": field r (the LoRA rank) must be a positive integer");
    a.rank_ = c["r"].get<int>();
    a.alpha_ = c.contains("lora_alpha") && c["lora_alpha"].is_number() ? c["lora_alpha"].get<double>() : 8.0;
    if (a.alpha_ <= 0) throw Error(cfgPath + ": lora_alpha must be positive");
    a.rslora_ = c.value("use_rslora", false);
    const std::string honePath = (dir / "hone_adapter.json").string();
    if (fs::exists(honePath, ec)) a.hone_ = readJsonFile(honePath);

    a.file_ = std::make_shared<SafetensorsFile>(SafetensorsFile::open(stPath));
    std::map<std::string, LoraPair> pairs;
    std::vector<std::string> unknown;
    for (const auto& t : a.file_->tensors()) {
        if (!isFloat(t.dtype))
            throw Error(stPath + ": tensor '" + t.name + "' has dtype " + stDTypeName(t.dtype) +
                        "; an adapter holds float tensors");
        if (t.name.rfind(kPrefix, 0) != 0) {
            unknown.push_back(t.name);
            continue;
        }
        const std::string rest = t.name.substr(kPrefix.size());
        const bool isA = endsWith(rest, ".lora_A.weight"), isB = endsWith(rest, ".lora_B.weight");
        if (isA || isB) {
            const std::string module = rest.substr(0, rest.size() - std::string(".lora_A.weight").size());
            if (t.shape.size() != 2)
                throw Error(stPath + ": LoRA tensor '" + t.name + "' has shape " + shapeText(t.shape) +
                            "; LoRA matrices are 2-D");
            LoraPair& p = pairs[module];
            p.module = module;
            p.baseWeight = module + ".weight";
            (isA ? p.a : p.b) = &t;
        } else if (rest.find("lora_") != std::string::npos ||
                   rest.find("modules_to_save") != std::string::npos ||
                   rest.find("trainable_tokens") != std::string::npos) {
            unknown.push_back(t.name);
        } else {
            a.replaced_.push_back({rest, &t});
        }
    }
    if (!unknown.empty()) {
        std::string list;
        for (std::size_t i = 0; i < unknown.size() && i < 5; ++i) list += "\n  " + unknown[i];
        throw Error(stPath + ": " + std::to_string(unknown.size()) +
                    " tensor(s) are neither LoRA pairs (base_model.model.<module>.lora_A/B.weight) nor whole "
                    "modules (LoRA on embeddings, DoRA, trainable tokens are not supported):" +
                    list);
    }
    const Json alphaPattern = c.value("alpha_pattern", Json::object());
    for (auto& [module, p] : pairs) {
        if (!p.a || !p.b)
            throw Error(stPath + ": module " + module + " has lora_" + (p.a ? "A" : "B") + " but no lora_" +
                        (p.a ? "B" : "A") + "; the adapter file is incomplete");
        const std::int64_t r = p.a->shape[0];
        if (p.b->shape[1] != r)
            throw Error(stPath + ": module " + module + " has lora_A " + shapeText(p.a->shape) +
                        " but lora_B " + shapeText(p.b->shape) + " (their ranks differ)");
        double alpha = a.alpha_;
        if (const Json* al = patternFor(alphaPattern, module))
            if (al->is_number()) alpha = al->get<double>();
        p.scale = a.rslora_ ? alpha / std::sqrt(static_cast<double>(r)) : alpha / static_cast<double>(r);
        a.pairs_.push_back(p);
    }
    if (a.pairs_.empty() && a.replaced_.empty()) throw Error(stPath + " holds no LoRA tensors");
    return a;
}

std::vector<std::string> PeftAdapter::targetModules() const {
    std::vector<std::string> out;
    const Json& t = config_.value("target_modules", Json());
    if (t.is_array())
        for (const auto& v : t)
            if (v.is_string()) out.push_back(v.get<std::string>());
    if (t.is_string()) out.push_back(t.get<std::string>());
    if (out.empty()) {
        std::set<std::string> seen;
        for (const auto& p : pairs_) seen.insert(p.module.substr(p.module.rfind('.') + 1));
        out.assign(seen.begin(), seen.end());
    }
    return out;
}

std::string PeftAdapter::baseModel() const {
    if (hone_.is_object() && hone_.value("base_model", Json()).is_string())
        return hone_["base_model"].get<std::string>();
    const Json& b = config_.value("base_model_name_or_path", Json());
    return b.is_string() ? b.get<std::string>() : std::string();
}

std::vector<AddedToken> PeftAdapter::addedTokens() const {
    std::vector<AddedToken> out;
    if (!hone_.is_object() || !hone_.value("added_tokens", Json()).is_array()) return out;
    for (const auto& t : hone_["added_tokens"])
        if (t.is_object() && t.value("id", Json()).is_number_integer() &&
            t.value("content", Json()).is_string())
            out.push_back({t["id"].get<std::int32_t>(), t["content"].get<std::string>()});
    std::sort(out.begin(), out.end(), [](const AddedToken& x, const AddedToken& y) { return x.id < y.id; });
    return out;
}

std::int64_t PeftAdapter::embeddingRows() const {
    for (const auto& r : replaced_)
        if (endsWith(r.baseName, "embed_tokens.weight") && !r.tensor->shape.empty())
            return r.tensor->shape[0];
    return 0;
}

std::string PeftAdapter::templateName() const {
    return hone_.is_object() && hone_.value("template", Json()).is_string()
               ? hone_["template"].get<std::string>()
               : std::string();
}

std::string PeftAdapter::templateSource() const {
    return hone_.is_object() && hone_.value("chat_template", Json()).is_string()
               ? hone_["chat_template"].get<std::string>()
               : std::string();
}

void PeftAdapter::checkBase(const SafetensorsCheckpoint& base, bool tiedEmbeddings) const {
    std::vector<std::string> bad;
    for (const auto& p : pairs_) {
        const SafetensorsTensor* w = base.find(p.baseWeight);
        const std::string want = std::to_string(p.b->shape[0]) + "x" + std::to_string(p.a->shape[1]);
        if (!w)
            bad.push_back(p.baseWeight + ": the adapter needs " + want + ", the base has no such tensor");
        else if (w->shape.size() != 2 || w->shape[0] != p.b->shape[0] || w->shape[1] != p.a->shape[1])
            bad.push_back(p.baseWeight + ": adapter " + want + " (lora_A " + shapeText(p.a->shape) +
                          ", lora_B " + shapeText(p.b->shape) + "), base " + shapeText(w->shape));
    }
    for (const auto& r : replaced_) {
        const SafetensorsTensor* w = base.find(r.baseName);
        if (!w && tiedEmbeddings && endsWith(r.baseName, "lm_head.weight")) continue;
        const auto& s = r.tensor->shape;
        const bool rows =
            endsWith(r.baseName, "embed_tokens.weight") || endsWith(r.baseName, "lm_head.weight");
        if (!w) {
            bad.push_back(r.baseName + ": the adapter replaces it (" + shapeText(s) +
                          "), the base has no such tensor");
            continue;
        }
        bool ok = s.size() == w->shape.size() && !s.empty();
        for (std::size_t i = 0; ok && i < s.size(); ++i)
            ok = i == 0 && rows ? s[0] >= w->shape[0] : s[i] == w->shape[i];
        if (!ok) bad.push_back(r.baseName + ": adapter " + shapeText(s) + ", base " + shapeText(w->shape));
    }
    if (bad.empty()) return;
    std::string list;
    for (std::size_t i = 0; i < bad.size() && i < 12; ++i) list += "\n  " + bad[i];
    if (bad.size() > 12) list += "\n  ... and " + std::to_string(bad.size() - 12) + " more";
    const std::string named = baseModel();
    throw Error("the adapter " + dir_ + " does not fit the base model " + base.dir() + " (" +
                std::to_string(bad.size()) + " tensor(s) differ):" + list +
                "\nUse the base model it was trained on" +
                (named.empty() ? "" : " (it names " + named + ")") + " with --model");
}

std::vector<std::string> exportPeftAdapter(const PeftAdapter& adapter, const std::string& outDir,
                                           const std::string& baseModel) {
    Json cfg = adapter.config();
    const std::map<std::string, Json> defaults = {{"peft_type", "LORA"},
                                                  {"task_type", "CAUSAL_LM"},
                                                  {"r", adapter.rank()},
                                                  {"lora_alpha", adapter.alpha()},
                                                  {"lora_dropout", 0.0},
                                                  {"use_rslora", false},
                                                  {"bias", "none"},
                                                  {"fan_in_fan_out", false},
                                                  {"inference_mode", true},
                                                  {"init_lora_weights", true},
                                                  {"use_dora", false},
                                                  {"modules_to_save", nullptr},
                                                  {"layers_to_transform", nullptr},
                                                  {"layers_pattern", nullptr},
                                                  {"rank_pattern", Json::object()},
                                                  {"alpha_pattern", Json::object()},
                                                  {"revision", nullptr}};
    for (const auto& [k, v] : defaults)
        if (!cfg.contains(k)) cfg[k] = v;
    cfg["target_modules"] = adapter.targetModules();
    if (!adapter.replaced().empty() && cfg["modules_to_save"].is_null()) {
        std::set<std::string> mods;
        for (const auto& r : adapter.replaced()) {
            const std::string m = r.baseName.substr(0, r.baseName.rfind('.'));
            mods.insert(m.substr(m.rfind('.') + 1));
        }
        cfg["modules_to_save"] = std::vector<std::string>(mods.begin(), mods.end());
    }
    if (!baseModel.empty()) cfg["base_model_name_or_path"] = baseModel;
    const std::string base = cfg.value("base_model_name_or_path", Json("")).is_string()
                                 ? cfg["base_model_name_or_path"].get<std::string>()
                                 : std::string();
    std::vector<std::string> files = {"adapter_model.safetensors", "adapter_config.json", "README.md"};
    if (!adapter.honeInfo().is_null()) files.push_back("hone_adapter.json");
    writeFolderAtomically(outDir, [&](const std::string& tmp) {
        const MappedFile src(adapter.dir() + "/adapter_model.safetensors");
        OutputFile out(tmp + "/adapter_model.safetensors");
        out.write(src.data(), src.size());
        out.finish();
        writeTextFile(tmp + "/adapter_config.json", cfg.dump(2) + "\n");
        if (!adapter.honeInfo().is_null())
            writeTextFile(tmp + "/hone_adapter.json", adapter.honeInfo().dump(2) + "\n");
        std::string readme =
            "---\nlibrary_name: peft\n" + (base.empty() ? std::string() : "base_model: " + base + "\n") +
            "tags:\n- lora\n- hone\n---\n\n# LoRA adapter\n\nRank " + std::to_string(adapter.rank()) +
            ", alpha " + Json(adapter.alpha()).dump() +
            ", exported by Hone.\n\n```python\nfrom peft import PeftModel\nfrom transformers "
            "import AutoModelForCausalLM\n\nbase = AutoModelForCausalLM.from_pretrained(\"" +
            base + "\")\nmodel = PeftModel.from_pretrained(base, \"<this folder>\")\n```\n";
        if (!adapter.addedTokens().empty())
            readme += "\nThe adapter adds " + std::to_string(adapter.addedTokens().size()) +
                      " token(s) to the vocabulary; resize the base model's embeddings "
                      "(`base.resize_token_embeddings(" +
                      std::to_string(adapter.embeddingRows()) + ")`) before loading it.\n";
        writeTextFile(tmp + "/README.md", readme);
    });
    for (auto& f : files) f = (fs::path(outDir) / f).string();
    return files;
}

} // namespace hone
