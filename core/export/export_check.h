// The check after an export: reload each artifact with Hone's own loaders and compare it with the in-memory
// base + adapter model (LoRA forward pass over the F32 base): logits on a probe conversation (max-abs-diff
// for float types, KL divergence and top-1 agreement for quantised ones), the probe rendered through the
// exported chat template vs the training-time rendering (token ids), and the stop (EOS / end-of-turn) ids.
// Public header is torch-free; the implementation is part of hone_engine.
#pragma once

#include "common/json.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hone {

class PeftAdapter;

struct ArtifactCheck {
    std::string artifact; // path of the folder or file
    std::string kind;     // merged, gguf
    std::string type;     // f32, f16, bf16, q8_0, ...
    bool quantised = false;
    double maxAbsDiff = 0;      // over every probe position and vocabulary entry
    double tolerance = 0;       // for float types: relative to max(1, referenceMaxAbs)
    double referenceMaxAbs = 0; // largest |logit| of the reference (the scale of rounding differences)
    double kl = 0;              // mean KL(reference || artifact) over the probe positions
    double top1Agreement = 0;   // fraction of probe positions whose arg-max agrees
    bool logitsOk = false;
    bool templateTokensMatch = false;
    bool eosAgreement = false;
    // False for an artifact without a template or stop tokens of its own (a GGUF LoRA adapter): the two
    // checks above do not apply, and the JSON holds null for them.
    bool carriesTemplate = true;
    std::string note; // why a part could not be checked, or what differs
    bool ok() const { return logitsOk && (!carriesTemplate || (templateTokensMatch && eosAgreement)); }
    Json toJson() const;
};

class ExportChecker {
public:
    // Loads the base model (F32, CPU) with the adapter as the reference and renders the probe conversation
    // the way training did (the adapter's template and added tokens). Throws hone::Error when the adapter
    // cannot be loaded over the base.
    ExportChecker(const std::string& baseDir, const PeftAdapter& adapter);
    ~ExportChecker();
    ExportChecker(const ExportChecker&) = delete;
    ExportChecker& operator=(const ExportChecker&) = delete;

    // The probe token ids (training-time rendering).
    const std::vector<std::int32_t>& probeIds() const;
    // The reference's logits at every probe position ([positions][vocab]).
    const std::vector<std::vector<float>>& referenceLogits() const;

    // A merged Hugging Face folder written with `dtype` (f32 | f16 | bf16).
    ArtifactCheck checkMerged(const std::string& dir, const std::string& dtype) const;
    // A GGUF file of tensor type `type` (f32, f16, bf16 compared as float types; others as quantised).
    ArtifactCheck checkGguf(const std::string& path, const std::string& type) const;
    // A GGUF LoRA adapter (llama.cpp's --lora format) of type f32 | f16: its tensors are read back, mapped to
    // PEFT's names (undoing the Q/K permutation) and applied over the F32 base with the file's alpha, as
    // llama.cpp applies them. It carries no template or stop tokens (llama.cpp takes the base GGUF's).
    ArtifactCheck checkGgufLora(const std::string& path, const std::string& type) const;

private:
    struct State;
    std::unique_ptr<State> s_;
};

} // namespace hone
