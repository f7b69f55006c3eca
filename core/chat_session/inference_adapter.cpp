// Loading a PEFT LoRA adapter into the stacked per-projection form the forward pass applies on the fly.
#include "chat_session/inference_adapter.h"

#include "common/error.h"
#include "common/mapped_file.h"
#include "device/torch_device.h"
#include "model/transformer_torch.h"
#include "train/adapter_io_torch.h"
#include "train/lora_model_torch.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;

namespace hone {

namespace {

bool isPeftFolder(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p / "adapter_config.json", ec);
}

std::string shapeText(const torch::Tensor& t) {
    std::string s;
    for (auto v : t.sizes()) s += (s.empty() ? "" : " x ") + std::to_string(v);
    return s;
}

Json readJson(const std::string& path) {
    try {
        return Json::parse(readTextFile(path, std::size_t(16) << 20));
    } catch (const Json::exception& e) {
        throw Error(path + " is not valid JSON (" + e.what() + "); re-export the adapter");
    }
}

// One part of a fused projection: where its rows sit in the fused output.
struct Part {
    const char* target;
    std::int64_t rowOffset, rows, in;
};

// The LoRA of one module, as read from the file.
struct Pair {
    torch::Tensor a, b;
    double alpha = 0;
};

// PEFT's alpha_pattern keys match a module path by suffix ("...layers.3.self_attn.q_proj" or "q_proj").
double alphaFor(const Json& cfg, const std::string& module, double alpha) {
    if (!cfg.contains("alpha_pattern") || !cfg["alpha_pattern"].is_object()) return alpha;
    for (const auto& [key, value] : cfg["alpha_pattern"].items()) {
        if (!value.is_number()) continue;
        if (module == key ||
            (module.size() > key.size() && module.compare(module.size() - key.size(), key.size(), key) == 0 &&
             module[module.size() - key.size() - 1] == '.'))
            return value.get<double>();
    }
    return alpha;
}

// Stacks the parts' pairs into one A [R, in] and a block-structured B [out, R] with the scales folded in.
LoraDelta stack(const std::vector<Part>& parts, std::int64_t outRows, std::map<std::string, Pair>& pairs,
                int layer, bool rslora, const torch::TensorOptions& opts, int& rank,
                std::vector<std::string>& targets) {
    std::vector<torch::Tensor> as;
    std::vector<std::pair<const Part*, Pair>> found;
    std::int64_t R = 0;
    for (const auto& part : parts) {
        // peftModulePath: "base_model.model.model.layers.N.<group>.<target>"; the file's names were stripped
        // of "base_model.model.".
        const std::string module = peftModulePath(layer, part.target).substr(17);
        auto it = pairs.find(module);
        if (it == pairs.end()) continue;
        Pair p = it->second;
        pairs.erase(it);
        if (!p.a.defined() || !p.b.defined())
            throw Error("adapter module " + module + " has lora_" + (p.a.defined() ? "A" : "B") +
                        " but not lora_" + (p.a.defined() ? "B" : "A") + "; the adapter file is incomplete");
        const std::int64_t r = p.a.size(0);
        if (p.a.dim() != 2 || p.b.dim() != 2 || p.a.size(1) != part.in || p.b.size(0) != part.rows ||
            p.b.size(1) != r)
            throw Error("adapter module " + module + " has lora_A " + shapeText(p.a) + " and lora_B " +
                        shapeText(p.b) + " but this model needs [r x " + std::to_string(part.in) + "] and [" +
                        std::to_string(part.rows) + " x r]; pick the base model the adapter was trained on");
        const double scale = p.alpha / (rslora ? std::sqrt(static_cast<double>(r)) : static_cast<double>(r));
        p.b = p.b.to(torch::kFloat64) * scale;
        rank = std::max(rank, static_cast<int>(r));
        if (std::find(targets.begin(), targets.end(), part.target) == targets.end())
            targets.emplace_back(part.target);
        R += r;
        found.emplace_back(&part, std::move(p));
    }
    if (found.empty()) return {};
    auto B = torch::zeros({outRows, R}, torch::kFloat64);
    std::int64_t col = 0;
    for (auto& [part, p] : found) {
        as.push_back(p.a.to(torch::kFloat64));
        B.narrow(0, part->rowOffset, part->rows).narrow(1, col, p.a.size(0)).copy_(p.b);
        col += p.a.size(0);
    }
    return {torch::cat(as, 0).to(opts).contiguous(), B.to(opts).contiguous()};
}

} // namespace

std::string InferenceAdapter::resolveFolder(const std::string& dir) {
    const fs::path p(dir);
    std::error_code ec;
    if (!fs::is_directory(p, ec))
        throw Error("adapter folder " + dir + " does not exist; give a PEFT adapter folder or a run folder");
    if (isPeftFolder(p)) return p.string();
    if (isPeftFolder(p / "adapter")) return (p / "adapter").string();
    // The newest checkpoint of a run that has not finished.
    fs::path best;
    long bestStep = -1;
    for (const auto& e : fs::directory_iterator(p / "checkpoints", ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("checkpoint-", 0) != 0 || !isPeftFolder(e.path())) continue;
        const long step = std::strtol(name.c_str() + 11, nullptr, 10);
        if (step > bestStep) bestStep = step, best = e.path();
    }
    if (bestStep >= 0) return best.string();
    throw Error(dir + " has no adapter_config.json, no adapter/ and no checkpoints/checkpoint-N; give the "
                      "folder of a PEFT adapter or of a training run");
}

std::shared_ptr<InferenceAdapter> InferenceAdapter::load(const std::string& dir, const LanguageModel& model) {
    auto out = std::make_shared<InferenceAdapter>();
    out->folder_ = resolveFolder(dir);
    const std::string cfgPath = out->folder_ + "/adapter_config.json";
    const Json cfg = readJson(cfgPath);
    if (!cfg.is_object() || cfg.value("peft_type", std::string("LORA")) != "LORA")
        throw Error(cfgPath + ": peft_type is not LORA; only LoRA adapters can be applied");
    if (cfg.value("use_dora", false))
        throw Error(cfgPath + ": DoRA adapters are not supported; merge it with PEFT first");
    if (cfg.value("fan_in_fan_out", false))
        throw Error(cfgPath + ": fan_in_fan_out adapters (GPT-2 Conv1D) are not supported");
    const double alpha = cfg.value("lora_alpha", 8.0);
    const bool rslora = cfg.value("use_rslora", false);
    const std::string tensorsPath = out->folder_ + "/adapter_model.safetensors";
    if (!fs::exists(tensorsPath))
        throw Error(tensorsPath + " is missing" +
                    (fs::exists(out->folder_ + "/adapter_model.bin")
                         ? std::string("; adapter_model.bin (pickle) is not read: convert it with PEFT's "
                                       "save_pretrained(safe_serialization=True)")
                         : std::string("; the adapter folder is incomplete")));
    auto tensors = readTensorsFile(tensorsPath);

    const ModelConfig& c = model.config();
    const Transformer& base = model.transformer();
    std::map<std::string, Pair> pairs;
    torch::Tensor embed, head;
    for (auto& [name, t] : tensors) {
        std::string n = name;
        const std::string prefix = "base_model.model.";
        if (n.rfind(prefix, 0) == 0) n = n.substr(prefix.size());
        if (n == "model.embed_tokens.weight") {
            embed = t;
            continue;
        }
        if (n == "lm_head.weight") {
            head = t;
            continue;
        }
        bool isA = false;
        std::size_t at = n.rfind(".lora_A.weight");
        if (at != std::string::npos && at + 14 == n.size()) {
            isA = true;
        } else {
            at = n.rfind(".lora_B.weight");
            if (at == std::string::npos || at + 14 != n.size())
                throw Error(tensorsPath + ": tensor '" + name +
                            "' is neither a LoRA pair (lora_A/lora_B) nor embed_tokens/lm_head; this adapter "
                            "type is not supported");
        }
        auto& p = pairs[n.substr(0, at)];
        (isA ? p.a : p.b) = t;
        p.alpha = alphaFor(cfg, n.substr(0, at), alpha);
    }

    auto ta = std::make_shared<TransformerAdapter>();
    const auto opts = torch::TensorOptions()
                          .dtype(toTorchDType(model.computeDType()))
                          .device(toTorchDevice(model.device()));
    const std::int64_t H = c.numHeads, KV = c.numKvHeads, D = c.headDim, F = c.intermediateSize,
                       hid = c.hiddenSize;
    for (int l = 0; l < c.numLayers; ++l) {
        LayerAdapter la;
        la.qkv = stack({{"q_proj", 0, H * D, hid},
                        {"k_proj", H * D, KV * D, hid},
                        {"v_proj", (H + KV) * D, KV * D, hid}},
                       (H + 2 * KV) * D, pairs, l, rslora, opts, out->rank_, out->targets_);
        la.o = stack({{"o_proj", 0, hid, H * D}}, hid, pairs, l, rslora, opts, out->rank_, out->targets_);
        la.gateUp = stack({{"gate_proj", 0, F, hid}, {"up_proj", F, F, hid}}, 2 * F, pairs, l, rslora, opts,
                          out->rank_, out->targets_);
        la.down = stack({{"down_proj", 0, hid, F}}, hid, pairs, l, rslora, opts, out->rank_, out->targets_);
        ta->layers.push_back(std::move(la));
    }
    if (!pairs.empty())
        throw Error(tensorsPath + ": module '" + pairs.begin()->first +
                    "' is not a projection of this model's layers 0.." + std::to_string(c.numLayers - 1) +
                    "; pick the base model the adapter was trained on");

    ta->vocabSize = c.vocabSize;
    if (embed.defined() || head.defined()) {
        if (!embed.defined()) embed = base.weights().embed.to(torch::kCPU);
        if (!head.defined()) {
            if (!c.tieEmbeddings && embed.size(0) != c.vocabSize)
                throw Error(tensorsPath + ": embed_tokens has " + std::to_string(embed.size(0)) +
                            " rows but lm_head is not saved; the adapter is incomplete");
            head = c.tieEmbeddings ? embed : base.weights().lmHead.to(torch::kCPU);
        }
        if (embed.dim() != 2 || embed.size(1) != hid || embed.size(0) < c.vocabSize || head.dim() != 2 ||
            head.sizes() != embed.sizes())
            throw Error(tensorsPath + ": embed_tokens " + shapeText(embed) + " / lm_head " + shapeText(head) +
                        " do not fit this model's hidden size " + std::to_string(hid) +
                        " and vocabulary of " + std::to_string(c.vocabSize) +
                        "; pick the base model the adapter was trained on");
        ta->embed = embed.to(opts).contiguous();
        ta->lmHead =
            c.tieEmbeddings && head.data_ptr() == embed.data_ptr() ? ta->embed : head.to(opts).contiguous();
        ta->vocabSize = static_cast<int>(embed.size(0));
    }
    out->tensors_ = ta;

    const std::string honePath = out->folder_ + "/hone_adapter.json";
    if (fs::exists(honePath)) {
        const Json h = readJson(honePath);
        if (h.is_object()) {
            out->templateName_ = h.value("template", std::string());
            if (h.contains("chat_template") && h["chat_template"].is_string())
                out->templateSource_ = h["chat_template"].get<std::string>();
            if (h.contains("added_tokens") && h["added_tokens"].is_array())
                for (const auto& t : h["added_tokens"])
                    if (t.is_object() && t.contains("id") && t["id"].is_number_integer())
                        out->added_.push_back(
                            {t["id"].get<std::int32_t>(), t.value("content", std::string())});
        }
    }
    if (!out->added_.empty()) {
        for (std::size_t i = 0; i < out->added_.size(); ++i)
            if (out->added_[i].id != c.vocabSize + static_cast<int>(i) || out->added_[i].content.empty())
                throw Error(honePath + ": added token " + std::to_string(i) + " should have id " +
                            std::to_string(c.vocabSize + static_cast<int>(i)) +
                            " and non-empty content; the file does not match this base model");
        if (ta->vocabSize != c.vocabSize + static_cast<int>(out->added_.size()))
            throw Error(honePath + " lists " + std::to_string(out->added_.size()) +
                        " added tokens but adapter_model.safetensors has " +
                        std::to_string(ta->vocabSize - c.vocabSize) + " extra embedding rows");
    }
    return out;
}

int InferenceAdapter::vocabSize() const {
    return tensors_->vocabSize;
}

tok::Tokenizer InferenceAdapter::adaptTokenizer(const tok::Tokenizer& base) const {
    if (added_.empty()) return base;
    std::vector<std::string> contents;
    for (const auto& t : added_) contents.push_back(t.content);
    tok::Tokenizer out = base.withAddedTokens(contents, true);
    for (const auto& t : added_)
        if (out.tokenToId(t.content) != t.id)
            throw Error("the adapter's added token '" + t.content + "' does not get id " +
                        std::to_string(t.id) +
                        " in this model's tokenizer; pick the base model the adapter was trained on");
    return out;
}

} // namespace hone
