// The architecture-independent description of a decoder-only transformer that the forward pass runs, filled
// from a Hugging Face config.json or from GGUF metadata by the architecture declarations (arch_*.cpp).
#pragma once

#include "common/json.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hone {

class GgufFile;

enum class Activation { Silu, GeluTanh };
enum class RopeScaling { None, Linear, Dynamic, Llama3 };

struct ModelConfig {
    std::string architecture; // HF class, e.g. "LlamaForCausalLM"
    std::string modelType;    // e.g. "llama", "gemma3_text"
    int hiddenSize = 0;
    int intermediateSize = 0;
    int numLayers = 0;
    int numHeads = 0;
    int numKvHeads = 0;
    int headDim = 0;
    int vocabSize = 0;
    int maxPositions = 2048;
    // Longest sequence the model runs: max_position_embeddings, times the factor under dynamic NTK scaling
    // (which exists to run past it).
    int contextLength() const {
        return ropeScaling == RopeScaling::Dynamic && ropeFactor > 1
                   ? static_cast<int>(maxPositions * ropeFactor)
                   : maxPositions;
    }
    double rmsEps = 1e-6;
    bool tieEmbeddings = false;
    bool qkvBias = false;         // Qwen2
    bool qkNorm = false;          // Qwen3, Gemma 3: per-head RMSNorm of q and k before RoPE
    bool sandwichNorms = false;   // Gemma 2/3: post-attention and post-feed-forward norms
    bool normPlusOne = false;     // Gemma: RMSNorm multiplies by (1 + w); HF stores w, GGUF stores w + 1
    bool scaleEmbeddings = false; // Gemma: embeddings times sqrt(hidden)
    Activation activation = Activation::Silu;
    double attnSoftcap = 0.0;  // 0 = off
    double finalSoftcap = 0.0; // 0 = off
    double attnScale = 0.0;    // multiplier of q.k; 0 = 1/sqrt(headDim)
    // RoPE for global layers, and for sliding-window layers (local) where they differ (Gemma 3).
    double ropeTheta = 10000.0;
    double ropeLocalTheta = 0.0; // 0 = same as ropeTheta
    RopeScaling ropeScaling = RopeScaling::None;
    double ropeFactor = 1.0;
    double ropeLowFreqFactor = 1.0;
    double ropeHighFreqFactor = 4.0;
    int ropeOriginalMaxPositions = 8192;
    std::vector<float> ropeFreqFactors; // GGUF rope_freqs (llama3): inv_freq[i] /= factor[i]
    int slidingWindow = 0;              // 0 = none
    std::vector<bool> layerSliding;     // per layer: uses the sliding window (and local RoPE)
    std::vector<int> eosTokenIds;
    int bosTokenId = -1;

    // Checks consistency; throws hone::Error naming `source` and the field.
    void validate(const std::string& source) const;
};

// Parses config.json text of a supported architecture (nested text_config for
// Gemma3ForConditionalGeneration). An unknown model_type fails with the list of supported ones.
ModelConfig parseHfConfig(const Json& config, const std::string& source);
ModelConfig loadHfConfig(const std::string& modelDir);
// From GGUF metadata (general.architecture selects the declaration).
ModelConfig configFromGguf(const GgufFile& f);

} // namespace hone
