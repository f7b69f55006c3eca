// llama.cpp's per-tensor type choice for the export presets (Q8_0, Q4_0, Q4_K_M, Q5_K_M, Q6_K, F16, BF16,
// F32): what llama-quantize (llama_tensor_get_type in src/llama-quant.cpp, no imatrix, no overrides) would
// write for each tensor of an F32 GGUF, including its fallback types for rows the block size does not divide.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hone {

// What the rules need to know about the model (from the GGUF metadata being written).
struct PresetContext {
    std::string arch;        // general.architecture ("llama", "qwen2", ...; "falcon" has rules of its own)
    int nLayers = 0;         // <arch>.block_count
    int nHead = 0;           // <arch>.attention.head_count (llama-70B rule)
    int nHeadKv = 0;         // <arch>.attention.head_count_kv
    int nExpert = 0;         // <arch>.expert_count (0/1: dense)
    int nAttentionWv = -1;   // number of attn_v / attn_qkv / attn_kv_b weights; -1: one per layer (nLayers)
    bool tiedOutput = false; // no output.weight: token_embd doubles as the output projection
};

struct ModelConfig;
// The context for a model described by `cfg`, written under GGUF architecture `ggufArch` ("llama", "qwen2",
// "gemma3", ...): layers and heads from cfg, tiedOutput = cfg.tieEmbeddings (no output.weight written).
PresetContext presetContextFor(const std::string& ggufArch, const ModelConfig& cfg);

struct TensorTypeChoice {
    std::uint32_t type = 0;   // ggml type (GgmlType value)
    std::string fallbackNote; // non-empty when the row length forced a type other than the rule's
};

// One tensor of the file, for chooseTensorTypes.
struct PresetTensor {
    std::string name;                // GGUF name, e.g. "blk.3.attn_v.weight"
    std::vector<std::uint64_t> dims; // ggml order: dims[0] is the row length
};

// The supported presets, canonical spelling: Q8_0 Q4_0 Q4_K_M Q5_K_M Q6_K F16 BF16 F32.
std::vector<std::string> quantPresetNames();
// The canonical name of a preset given in any case ("q4_k_m" -> "Q4_K_M"); throws hone::Error listing the
// supported presets for an unknown one.
std::string canonicalQuantPreset(const std::string& preset);
// llama_ftype of the preset, for general.file_type (Q4_K_M -> 15).
std::uint32_t quantPresetFileType(const std::string& preset);
// The preset's base tensor type (Q4_K_M -> Q4_K).
std::uint32_t quantPresetBaseType(const std::string& preset);

// Type of one tensor. The layer counters llama.cpp keeps (attn_v and ffn_down seen so far) are taken from the
// "blk.N." index in the name, which is what they are when every layer has one such tensor; use
// chooseTensorTypes for files where that may not hold. Tensors llama.cpp never quantises (1-D tensors, norms,
// names not ending in "weight", expert routers, ...) stay F32.
TensorTypeChoice chooseTensorType(const std::string& preset, const std::string& ggufTensorName,
                                  const std::vector<std::uint64_t>& ggmlDims, const PresetContext& ctx);
// Types of all tensors of a file (results in the order given): counts the attn_v-like tensors, sees whether
// output.weight exists (ctx.nAttentionWv and ctx.tiedOutput are ignored) and advances the counters in
// llama.cpp's tensor order (by layer index, then name), exactly as llama-quantize does.
std::vector<TensorTypeChoice> chooseTensorTypes(const std::string& preset,
                                                const std::vector<PresetTensor>& tensors,
                                                const PresetContext& ctx);

} // namespace hone
