// The architecture part of the GGUF export: the <arch>.* keys llama.cpp's convert_hf_to_gguf.py writes for
// each supported Hugging Face model type (and the llama3 rope_freqs tensor it generates). Torch-free.
#pragma once

#include "common/json.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hone {

class GgufWriter;
struct ArchSpec;
struct ModelConfig;

// general.architecture llama.cpp's converter writes for a model type: "llama" for Llama and Mistral (whose
// Q/K rows it permutes), otherwise the registry's GGUF name ("qwen2", "qwen3", "gemma2", "gemma3").
std::string ggufExportArch(const ArchSpec& spec);

// The object of config.json that holds the text model's hyper-parameters (text_config when nested).
const Json& textHyperParameters(const Json& config);

// Writes the <arch>.* keys and general.file_type, in the converter's order, from the text hyper-parameters
// `hp` (keys the converter writes only when present in config.json are written only then). Throws
// hone::Error naming `source` when a key the converter requires is missing or not a number.
void writeGgufArchMetadata(GgufWriter& w, const std::string& ggufArch, const Json& hp, const ModelConfig& cfg,
                           std::uint32_t fileType, const std::string& source);

// The rope_freqs values llama.cpp generates for rope_scaling {"rope_type": "llama3"} (float32 arithmetic as
// the converter's torch code); empty when the config has no llama3 scaling.
std::vector<float> llama3RopeFreqs(const Json& hp);

} // namespace hone
