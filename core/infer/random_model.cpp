// Random-weight model folders written with the safetensors writer.
#include "infer/random_model.h"

#include "common/error.h"
#include "model/safetensors_file.h"

#include <cmath>
#include <filesystem>
#include <fstream>

namespace hone {

Json benchLlamaConfig(int layers, int vocab, bool tiedEmbeddings) {
    return {{"architectures", {"LlamaForCausalLM"}},
            {"model_type", "llama"},
            {"hidden_size", 768},
            {"intermediate_size", 2048},
            {"num_hidden_layers", layers},
            {"num_attention_heads", 12},
            {"num_key_value_heads", 4},
            {"vocab_size", vocab},
            {"max_position_embeddings", 2048},
            {"rms_norm_eps", 1e-5},
            {"rope_theta", 10000.0},
            {"tie_word_embeddings", tiedEmbeddings},
            {"torch_dtype", "float32"}};
}

void writeRandomModel(const std::string& dir, const Json& config, std::uint64_t seed, float stddev) {
    std::filesystem::create_directories(dir);
    const int hid = config.at("hidden_size").get<int>();
    const int ffn = config.at("intermediate_size").get<int>();
    const int layers = config.at("num_hidden_layers").get<int>();
    const int heads = config.at("num_attention_heads").get<int>();
    const int kv = config.value("num_key_value_heads", heads);
    const int hd = config.value("head_dim", hid / heads);
    const int vocab = config.at("vocab_size").get<int>();
    const std::string type = config.value("model_type", std::string("llama"));
    const bool tied = config.value("tie_word_embeddings", false);
    std::uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    const float a = stddev * std::sqrt(3.0f);
    auto rnd = [&]() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return (static_cast<float>(s >> 40) / 16777216.0f * 2.0f - 1.0f) * a;
    };
    SafetensorsWriter w;
    auto mat = [&](const std::string& name, std::int64_t rows, std::int64_t cols) {
        std::vector<float> v(static_cast<std::size_t>(rows * cols));
        for (auto& x : v) x = rnd();
        w.addF32(name, {rows, cols}, v);
    };
    auto vec = [&](const std::string& name, std::int64_t n, float base) {
        std::vector<float> v(static_cast<std::size_t>(n));
        for (auto& x : v) x = base + rnd();
        w.addF32(name, {n}, v);
    };
    mat("model.embed_tokens.weight", vocab, hid);
    for (int l = 0; l < layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        vec(p + "input_layernorm.weight", hid, 1.0f);
        vec(p + "post_attention_layernorm.weight", hid, 1.0f);
        mat(p + "self_attn.q_proj.weight", heads * hd, hid);
        mat(p + "self_attn.k_proj.weight", kv * hd, hid);
        mat(p + "self_attn.v_proj.weight", kv * hd, hid);
        mat(p + "self_attn.o_proj.weight", hid, heads * hd);
        if (type == "qwen2") {
            vec(p + "self_attn.q_proj.bias", heads * hd, 0.0f);
            vec(p + "self_attn.k_proj.bias", kv * hd, 0.0f);
            vec(p + "self_attn.v_proj.bias", kv * hd, 0.0f);
        }
        if (type == "qwen3") {
            vec(p + "self_attn.q_norm.weight", hd, 1.0f);
            vec(p + "self_attn.k_norm.weight", hd, 1.0f);
        }
        mat(p + "mlp.gate_proj.weight", ffn, hid);
        mat(p + "mlp.up_proj.weight", ffn, hid);
        mat(p + "mlp.down_proj.weight", hid, ffn);
    }
    vec("model.norm.weight", hid, 1.0f);
    if (!tied) mat("lm_head.weight", vocab, hid);
    w.write((std::filesystem::path(dir) / "model.safetensors").string());
    std::ofstream c(std::filesystem::path(dir) / "config.json");
    c << config.dump(2);
    if (!c) throw Error("cannot write config.json in " + dir);
}

} // namespace hone
