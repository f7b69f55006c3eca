// Writes a random-weight Llama-family model folder (config.json + model.safetensors) for tests and
// benchmarks.
#pragma once

#include "common/json.h"

#include <cstdint>
#include <string>

namespace hone {

// `config` is a config.json object (model_type llama, mistral, qwen2 or qwen3; hidden_size,
// intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads, vocab_size, ...). Weights ~
// U(-a, a) with the standard deviation `stddev`, norms 1 (+ small noise), reproducible for `seed`.
void writeRandomModel(const std::string& dir, const Json& config, std::uint64_t seed, float stddev = 0.05f);

// The config.json of the benchmarks' random Llama: hidden 768, ffn 2048, 12 heads / 4 KV heads, `layers`
// layers (12: ~100M parameters with a 32000-token vocabulary), F32.
Json benchLlamaConfig(int layers = 12, int vocab = 32000, bool tiedEmbeddings = true);

} // namespace hone
