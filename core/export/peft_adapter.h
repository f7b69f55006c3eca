// A PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors, optionally Hone's
// hone_adapter.json): reading and validating it — whether Hone trained it or another tool (PEFT, Unsloth,
// axolotl) did — checking it against a base model, and writing it out as a complete PEFT folder. Torch-free.
#pragma once

#include "common/json.h"
#include "model/safetensors_file.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hone {

// One LoRA pair: W' = W + scale * B @ A for the base tensor `baseWeight` ([out, in]).
struct LoraPair {
    std::string module;                   // "model.layers.0.self_attn.q_proj" (the base model's module path)
    std::string baseWeight;               // "model.layers.0.self_attn.q_proj.weight"
    const SafetensorsTensor* a = nullptr; // [r, in]
    const SafetensorsTensor* b = nullptr; // [out, r]
    double scale = 1.0;                   // lora_alpha / r (or / sqrt(r) with rsLoRA), per alpha_pattern
};

// A whole tensor the adapter replaces (modules_to_save: embed_tokens / lm_head, possibly with added rows).
struct ReplacedTensor {
    std::string baseName; // "model.embed_tokens.weight"
    const SafetensorsTensor* tensor = nullptr;
};

struct AddedToken {
    std::int32_t id = 0;
    std::string content;
};

class PeftAdapter {
public:
    // Reads DIR/adapter_config.json and DIR/adapter_model.safetensors. Throws hone::Error naming the file and
    // what is wrong: missing files (a pickle adapter_model.bin is refused with how to convert it), a
    // peft_type other than LORA, DoRA or fan_in_fan_out adapters, tensor names that are neither LoRA pairs
    // nor whole modules, an A without its B, ranks that disagree, non-float tensors.
    static PeftAdapter open(const std::string& dir);

    const std::string& dir() const { return dir_; }
    const Json& config() const { return config_; }
    const Json& honeInfo() const { return hone_; } // hone_adapter.json, or null
    int rank() const { return rank_; }
    double alpha() const { return alpha_; }
    bool rslora() const { return rslora_; }
    std::vector<std::string> targetModules() const;
    // The base model it names (hone_adapter.json's base_model, else base_model_name_or_path); may be empty.
    std::string baseModel() const;
    const std::vector<LoraPair>& pairs() const { return pairs_; }
    const std::vector<ReplacedTensor>& replaced() const { return replaced_; }
    // Tokens Hone added to the vocabulary while training (hone_adapter.json), in id order.
    std::vector<AddedToken> addedTokens() const;
    // Rows of the replaced embed_tokens tensor (0 when it replaces none).
    std::int64_t embeddingRows() const;
    // Hone's chat template name and text used in training ("model" / "" when it used the base's own).
    std::string templateName() const;
    std::string templateSource() const;
    const SafetensorsFile& file() const { return *file_; }

    // Throws hone::Error when the adapter does not fit the base checkpoint: lists every tensor it names that
    // the base lacks or whose shape differs (adapter vs base), and says to pick the base it was trained on.
    void checkBase(const SafetensorsCheckpoint& base, bool tiedEmbeddings) const;

private:
    std::string dir_;
    Json config_, hone_;
    int rank_ = 0;
    double alpha_ = 0;
    bool rslora_ = false;
    std::shared_ptr<SafetensorsFile> file_;
    std::vector<LoraPair> pairs_;
    std::vector<ReplacedTensor> replaced_;
};

// Writes a complete PEFT adapter folder at outDir (replaced atomically): adapter_model.safetensors (the
// adapter's tensors, byte for byte), adapter_config.json with every field PEFT reads (filled where the source
// leaves them out, base_model_name_or_path set to `baseModel` when not empty), hone_adapter.json when the
// source has one, and a README.md saying how to load it. Returns the files written.
std::vector<std::string> exportPeftAdapter(const PeftAdapter& adapter, const std::string& outDir,
                                           const std::string& baseModel);

} // namespace hone
