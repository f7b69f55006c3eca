// A PEFT LoRA adapter -> a GGUF LoRA adapter for llama.cpp (llama-cli --lora FILE), laid out as llama.cpp's
// convert_lora_to_gguf.py writes it: general.type "adapter", adapter.type "lora", adapter.lora.alpha, the
// base's general.architecture, and per projection "blk.N.<name>.weight.lora_a" (ggml dims [in, r]) and
// ".lora_b" ([r, out]), with llama's Q/K row permutation applied to lora_b. Torch-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hone {

class PeftAdapter;
struct LoraPair;

// Where one PEFT LoRA pair goes in llama.cpp's format: "<gguf>.lora_a" / "<gguf>.lora_b", and for llama's
// Q/K projections the head count whose row permutation lora_b gets (0: none).
struct GgufLoraTarget {
    const LoraPair* pair = nullptr;
    std::string ggufWeight; // "blk.0.attn_q.weight"
    int permuteHeads = 0;
};

// The placement of every pair of `adapter` for a base whose config.json is in baseFolder; `arch` gets the
// GGUF architecture name. Throws hone::Error for what llama.cpp's format cannot carry (see exportGgufLora).
std::vector<GgufLoraTarget> planGgufLora(const PeftAdapter& adapter, const std::string& baseFolder,
                                         std::string* arch);

struct GgufLoraExportOptions {
    std::string outType = "F16"; // F32 or F16 (any case)
};

struct GgufLoraExportReport {
    std::string path;
    std::string arch; // general.architecture (of the base)
    float alpha = 0;  // adapter.lora.alpha: llama.cpp scales by alpha / r
    int rank = 0;
    std::uint32_t type = 0;           // ggml type of every tensor
    std::vector<std::string> tensors; // GGUF names, in file order
};

// Exports the PEFT adapter folder `adapterDir` for the base model folder `baseFolder` (its config.json gives
// the architecture and head counts) to outPath (a temporary next to it, renamed when complete). Throws
// hone::Error when the adapter cannot be expressed in llama.cpp's format: whole replaced modules
// (modules_to_save: embed_tokens/lm_head, e.g. after adding tokens), added tokens, LoRA on tensors outside
// the decoder layers, per-module alpha that differs (alpha_pattern/rank_pattern); or for a base it does not
// fit, an unsupported model type or outType.
GgufLoraExportReport exportGgufLora(const std::string& adapterDir, const std::string& baseFolder,
                                    const std::string& outPath, const GgufLoraExportOptions& options = {});

} // namespace hone
