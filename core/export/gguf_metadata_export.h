// The architecture part of the GGUF export: the <arch>.* keys llama.cpp's convert_hf_to_gguf.py writes for
// each supported Hugging Face model type (and the llama3 rope_freqs tensor it generates). Torch-free.
#pragma once

#include "common/json.h"
#include "model/model_config.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hone {

class GgufWriter;
struct ArchSpec;

// general.architecture llama.cpp's converter writes for a model type: "llama" for Llama and Mistral (whose
// Q/K rows it permutes), otherwise the registry's GGUF name ("qwen2", "qwen3", "gemma2", "gemma3").
std::string ggufExportArch(const ArchSpec& spec);

// A Hugging Face folder's config.json for the GGUF exports: the parsed JSON, the model config and the
// architecture that llama.cpp knows it by. Throws hone::Error naming the file when it is missing, not JSON,
// or of a model type the export does not support.
struct ExportModelConfig {
    Json json;
    ModelConfig cfg;
    const ArchSpec* spec = nullptr;
    std::string ggufArch; // ggufExportArch(*spec)
};
ExportModelConfig readExportModelConfig(const std::string& hfFolder);

// llama.cpp's Q/K row permutation of a row-major [rows, cols] matrix (cols 1 for a bias) for `heads` heads:
// reshape(heads, 2, rows / heads / 2, cols).swapaxes(1, 2); or its inverse.
std::vector<float> permuteHeadRows(const std::vector<float>& in, std::size_t rows, std::size_t cols,
                                   int heads, bool inverse = false);

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
