// GGUF export of a Hugging Face model folder (config.json, safetensors, tokenizer.json) the way llama.cpp's
// convert_hf_to_gguf.py (and, for quantised presets, llama-quantize) writes it, for llama.cpp, Ollama and
// LM Studio. Streams tensor by tensor: the header is written first with computed offsets, then each tensor
// is converted and written, so the model is never held in memory. Torch-free.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hone {

struct GgufExportProgress {
    std::size_t index = 0;          // tensors written so far (1..count)
    std::size_t count = 0;          // tensors in the file
    std::string tensor;             // GGUF name of the tensor just written
    std::uint64_t bytesWritten = 0; // of the file, header included
    std::uint64_t bytesTotal = 0;
};

struct GgufExportOptions {
    // F32, F16, BF16, or a quantisation preset Q8_0, Q4_0, Q4_K_M, Q5_K_M, Q6_K (any case).
    std::string outType = "F16";
    std::string name;     // general.name; empty: the folder's name
    unsigned threads = 0; // quantisation threads (0: hardware concurrency)
    std::function<void(const GgufExportProgress&)> progress;
};

struct GgufExportedTensor {
    std::string name;                // GGUF name
    std::string source;              // HF tensor it was made from ("" for generated ones: rope_freqs)
    std::uint32_t type = 0;          // ggml type written
    std::vector<std::uint64_t> dims; // ggml order (dims[0] is the row length)
    std::uint64_t bytes = 0;
    std::string note; // why the type differs from the preset's rule, if it does
};

struct GgufExportReport {
    std::string path;           // the GGUF file written
    std::string arch;           // general.architecture
    std::string outType;        // canonical preset name
    std::uint32_t fileType = 0; // general.file_type
    std::string tokenizerModel; // tokenizer.ggml.model
    std::string tokenizerPre;   // tokenizer.ggml.pre
    std::vector<GgufExportedTensor> tensors;
    std::vector<std::string> notes; // tensors left out, guesses made
    std::uint64_t fileBytes = 0;
};

// Exports hfFolder to outPath (written as a temporary next to it and renamed when complete; nothing is left
// under outPath or the temporary name on failure). Throws hone::Error with what was wrong and what to do: no
// config.json, an unsupported model_type, a missing or misshapen tensor, an unknown outType, a folder that
// cannot be written, a full disk.
GgufExportReport exportGguf(const std::string& hfFolder, const std::string& outPath,
                            const GgufExportOptions& options = {});

} // namespace hone
