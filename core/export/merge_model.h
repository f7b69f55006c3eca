// Merging a LoRA adapter into its base model: a new Hugging Face folder whose weights are W + scale * B @ A
// (computed in F32, then cast to the chosen dtype), streamed tensor by tensor into sharded safetensors files
// with their index, plus config.json, generation_config.json and the tokenizer files (updated with tokens
// the adapter added, and with the chat template it was trained with). Torch-free.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hone {

class PeftAdapter;

struct MergeOptions {
    std::string dtype;                                // "f32", "f16", "bf16"; empty = the base's dtype
    std::uint64_t shardBytes = 5'000'000'000ull;      // largest shard (a tensor bigger than it gets its own)
    unsigned threads = 0;                             // 0 = hardware concurrency
    std::function<void(const std::string&)> progress; // one line per step, may be empty
};

struct MergeReport {
    std::string dir;
    std::string dtype; // what was written: f32, f16 or bf16
    std::vector<std::string> files;
    int mergedTensors = 0;   // tensors a LoRA pair changed
    int replacedTensors = 0; // whole tensors taken from the adapter (embeddings with added tokens)
    int addedTokens = 0;
    std::int64_t vocabSize = 0;
    std::uint64_t weightBytes = 0;
};

// "f32" | "f16" | "bf16" (also "float32", "bfloat16", ...) -> the canonical short name; throws hone::Error
// listing the choices for anything else.
std::string canonicalExportDType(const std::string& name);

// Merges `adapter` into the model folder `baseDir` and writes the result to `outDir` (replaced atomically:
// built under a temporary name and renamed). Throws hone::Error when the adapter does not fit the base (the
// mismatching tensors listed), the base is not a safetensors model folder, or a file cannot be written.
MergeReport mergeAdapter(const std::string& baseDir, const PeftAdapter& adapter, const std::string& outDir,
                         const MergeOptions& options = {});

} // namespace hone
