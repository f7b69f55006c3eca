// The checks and settings behind --init-adapter (see init_adapter.h).
#include "train/init_adapter.h"

#include "common/error.h"
#include "export/peft_adapter.h"
#include "model/model_config.h"
#include "model/safetensors_file.h"

#include <filesystem>
#include <set>

namespace hone {

namespace fs = std::filesystem;

std::string initAdapterFolder(const std::string& path) {
    const fs::path p(path);
    if (fs::exists(p / "adapter_model.safetensors")) return p.string();
    if (fs::exists(p / "adapter" / "adapter_model.safetensors")) return (p / "adapter").string();
    if (!fs::exists(p))
        throw Error("--init-adapter " + path +
                    " does not exist; pass a PEFT adapter folder or a Hone run folder");
    throw Error("--init-adapter " + path +
                " holds no adapter_model.safetensors (nor adapter/ of a run); pass a PEFT adapter folder "
                "(adapter_model.safetensors + adapter_config.json) or a Hone run folder");
}

void takeInitAdapterShape(TrainOptions& o) {
    if (o.initAdapter.empty()) return;
    const PeftAdapter a = PeftAdapter::open(initAdapterFolder(o.initAdapter));
    o.lora.rank = a.rank();
    o.lora.alpha = a.alpha();
    o.lora.rslora = a.rslora();
    // The modules the tensors target (a config's target_modules may be a regular expression).
    std::set<std::string> targets;
    for (const LoraPair& p : a.pairs()) targets.insert(p.module.substr(p.module.rfind('.') + 1));
    o.lora.targets.assign(targets.begin(), targets.end());
    const std::string t = a.templateName();
    if (o.templateName.empty() && !t.empty() && t != "model") o.templateName = t;
}

void checkInitAdapter(const TrainOptions& o, const ModelConfig& cfg, int newTokens) {
    if (o.initAdapter.empty()) return;
    const std::string dir = initAdapterFolder(o.initAdapter);
    const PeftAdapter a = PeftAdapter::open(dir);
    a.checkBase(SafetensorsCheckpoint::openFolder(o.modelPath), cfg.tieEmbeddings);
    const std::int64_t rows = a.embeddingRows();
    const std::int64_t added = rows > cfg.vocabSize ? rows - cfg.vocabSize : 0;
    if (added != newTokens)
        throw Error("--init-adapter " + dir + " was trained with " + std::to_string(added) +
                    " added token(s), this run adds " + std::to_string(newTokens) +
                    "; train with the adapter's template" +
                    (a.templateName().empty() ? std::string() : " (--template " + a.templateName() + ")") +
                    " so its token rows carry over");
    if (added == 0 && !a.replaced().empty())
        throw Error("--init-adapter " + dir + " retrains the whole " + a.replaced().front().baseName +
                    " (PEFT modules_to_save), which a LoRA run cannot continue; merge it into the base "
                    "(hone export --format merged) and train a new adapter on the merged model");
}

} // namespace hone
