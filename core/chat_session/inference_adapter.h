// A PEFT LoRA adapter loaded for chat: applied in the forward pass on the fly (never merged into the base, so
// it can be switched or removed without reloading the model), with the chat template and added tokens Hone's
// trainer recorded in hone_adapter.json. Torch-free public header of an engine (LibTorch) class.
#pragma once

#include "common/json.h"
#include "infer/language_model.h"
#include "tokenizer/tokenizer.h"

#include <memory>
#include <string>
#include <vector>

namespace hone {

struct AdapterToken {
    std::int32_t id = 0;
    std::string content;
};

class InferenceAdapter {
public:
    // DIR is a PEFT folder (adapter_config.json + adapter_model.safetensors), a run folder (its adapter/,
    // else its newest checkpoints/checkpoint-N) or a checkpoint folder. Throws hone::Error naming the file
    // and what is wrong: missing files, non-LoRA adapters, tensors that do not fit `model` (name and both
    // shapes).
    static std::shared_ptr<InferenceAdapter> load(const std::string& dir, const LanguageModel& model);
    // The PEFT folder a user-given DIR resolves to (see load); throws when there is none.
    static std::string resolveFolder(const std::string& dir);

    const std::string& folder() const { return folder_; }
    int rank() const { return rank_; }
    const std::vector<std::string>& targets() const { return targets_; }
    int vocabSize() const; // of the adapted model (base + added tokens)
    // hone_adapter.json's chat template ("" when the adapter has none or trained with the model's own).
    const std::string& templateName() const { return templateName_; }
    const std::string& templateSource() const { return templateSource_; }
    const std::vector<AdapterToken>& addedTokens() const { return added_; }
    // The base tokenizer with the adapter's added tokens (ids checked against hone_adapter.json).
    tok::Tokenizer adaptTokenizer(const tok::Tokenizer& base) const;

    // Engine-internal (torch) tensors.
    std::shared_ptr<const TransformerAdapter> tensors() const { return tensors_; }

private:
    std::string folder_;
    int rank_ = 0;
    std::vector<std::string> targets_;
    std::string templateName_, templateSource_;
    std::vector<AdapterToken> added_;
    std::shared_ptr<const TransformerAdapter> tensors_;
};

} // namespace hone
