// The one table of decoder tensor names in Hugging Face checkpoints and in llama.cpp's GGUF files
// ("model.layers.3.self_attn.q_proj.weight" <-> "blk.3.attn_q.weight"), for the GGUF export and for loaders.
// Torch-free.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hone {

// One per-layer tensor: its name after "layers.N." in HF checkpoints and after "blk.N." in GGUF files.
struct LayerTensorName {
    const char* hf;
    const char* gguf;
};

// HF per-layer suffix -> GGUF suffix. `sandwichNorms` (Gemma 2/3) changes what post_attention_layernorm is:
// the norm after attention (post_attention_norm) instead of the one before the feed-forward (ffn_norm).
// nullopt for a suffix the table does not know.
std::optional<std::string> ggufLayerSuffix(const std::string& hfSuffix, bool sandwichNorms);
// The reverse: GGUF per-layer suffix -> HF suffix (nullopt when unknown).
std::optional<std::string> hfLayerSuffix(const std::string& ggufSuffix, bool sandwichNorms);

// Where decoder checkpoints keep the decoder ("model." for causal LMs; the text model of multimodal ones
// such as Gemma3ForConditionalGeneration under "language_model.model." or "model.language_model."), in the
// order to try: the prefix is the one in front of an existing "embed_tokens.weight".
const std::vector<std::string>& hfDecoderPrefixes();

// A tensor name of an HF decoder checkpoint split into its parts.
struct HfTensorName {
    enum class Kind { Embedding, FinalNorm, LmHead, Layer, Ignored, Unknown };
    Kind kind = Kind::Unknown;
    int layer = -1;     // Kind::Layer
    std::string suffix; // Kind::Layer: the part after "layers.N."
};
// Classifies `name` given the decoder prefix in front of "embed_tokens.weight" ("model.",
// "language_model.model.", "model.language_model." or ""). Vision tower / projector tensors of multimodal
// checkpoints and rotary inv_freq buffers are Kind::Ignored.
HfTensorName parseHfTensorName(const std::string& name, const std::string& prefix);

// GGUF name of a classified HF tensor ("token_embd.weight", "blk.3.attn_q.weight", ...); nullopt for
// Kind::Ignored/Unknown and for layer suffixes the table does not know.
std::optional<std::string> ggufTensorName(const HfTensorName& n, bool sandwichNorms);

} // namespace hone
