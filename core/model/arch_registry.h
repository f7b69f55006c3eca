// Registry of supported architectures. Each arch_<name>.cpp declares how its config differs from a plain
// Llama (config.json fields, GGUF metadata, weight-name quirks); the forward pass is shared.
#pragma once

#include "model/model_config.h"

#include <string>
#include <vector>

namespace hone {

class GgufFile;

struct ArchSpec {
    std::vector<std::string> modelTypes;   // config.json model_type values
    std::vector<std::string> hfClasses;    // config.json architectures[0]
    std::string ggufArch;                  // GGUF general.architecture
    bool ggufPermutedQK = false;           // llama.cpp permutes Q/K rows for this arch (undo on load)
    std::string hfWeightPrefix = "model."; // prefix of the decoder weights in HF checkpoints
    void (*fromHf)(const Json& cfg, ModelConfig& c) = nullptr; // after the common Llama fields
    void (*fromGguf)(const GgufFile& f, const std::string& arch, ModelConfig& c) = nullptr;
};

const std::vector<ArchSpec>& architectures();
const ArchSpec* findArchByModelType(const std::string& modelType);
const ArchSpec* findArchByGguf(const std::string& ggufArch);
std::string supportedModelTypes(); // "llama, mistral, ..." for error messages

// Declarations (arch_*.cpp).
ArchSpec llamaArch();
ArchSpec mistralArch();
ArchSpec qwen2Arch();
ArchSpec qwen3Arch();
ArchSpec gemma2Arch();
ArchSpec gemma3Arch();

} // namespace hone
