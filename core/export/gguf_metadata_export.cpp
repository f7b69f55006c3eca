// <arch>.* keys per model type, after convert_hf_to_gguf.py's TextModel, LlamaModel, Qwen2Model, Gemma2Model
// and Gemma3Model set_gguf_parameters.
#include "export/gguf_metadata_export.h"

#include "common/error.h"
#include "common/mapped_file.h"
#include "model/arch_registry.h"
#include "model/gguf_writer.h"
#include "model/model_config.h"

#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>

namespace hone {

namespace fs = std::filesystem;

namespace {

class Keys {
public:
    Keys(GgufWriter& w, const std::string& arch, const Json& hp, const std::string& source)
        : w_(w)
        , arch_(arch)
        , hp_(hp)
        , source_(source) {}

    bool has(const char* k) const { return hp_.contains(k) && hp_[k].is_number(); }
    double num(const char* k) const {
        if (!has(k))
            throw Error(source_ + ": \"" + k +
                        "\" is missing or not a number; llama.cpp needs it in the GGUF");
        return hp_[k].get<double>();
    }
    double numOr(const char* k, double def) const { return has(k) ? hp_[k].get<double>() : def; }
    std::uint32_t u32(double v, const char* k) const {
        if (!(v >= 0 && v <= 4294967295.0 && v == std::floor(v)))
            throw Error(source_ + ": \"" + k + "\" must be a whole number, got " + std::to_string(v));
        return static_cast<std::uint32_t>(v);
    }
    void setU32(const std::string& key, const char* hpKey) {
        w_.setU32(arch_ + "." + key, u32(num(hpKey), hpKey));
    }
    void setU32Or(const std::string& key, const char* hpKey, double def) {
        w_.setU32(arch_ + "." + key, u32(numOr(hpKey, def), hpKey));
    }
    void setU32If(const std::string& key, const char* hpKey) {
        if (has(hpKey)) setU32(key, hpKey);
    }
    void setF32(const std::string& key, double v) { w_.setF32(arch_ + "." + key, static_cast<float>(v)); }
    void setString(const std::string& key, const std::string& v) { w_.setString(arch_ + "." + key, v); }
    GgufWriter& writer() { return w_; }
    const Json& hp() const { return hp_; }

private:
    GgufWriter& w_;
    std::string arch_;
    const Json& hp_;
    std::string source_;
};

// rope_theta, also where transformers 5 keeps it (rope_parameters).
const Json* ropeTheta(const Json& hp) {
    if (hp.contains("rope_theta") && hp["rope_theta"].is_number()) return &hp["rope_theta"];
    if (hp.contains("rope_parameters") && hp["rope_parameters"].is_object() &&
        hp["rope_parameters"].contains("rope_theta") && hp["rope_parameters"]["rope_theta"].is_number())
        return &hp["rope_parameters"]["rope_theta"];
    return nullptr;
}

const Json& ropeScaling(const Json& hp) {
    static const Json none;
    return hp.contains("rope_scaling") && hp["rope_scaling"].is_object() ? hp["rope_scaling"] : none;
}

std::string scalingType(const Json& rs) {
    if (rs.contains("rope_type") && rs["rope_type"].is_string()) return rs["rope_type"].get<std::string>();
    if (rs.contains("type") && rs["type"].is_string()) return rs["type"].get<std::string>();
    return {};
}

// TextModel.set_gguf_parameters.
void textModelKeys(Keys& k, std::uint32_t fileType) {
    k.setU32("block_count", "num_hidden_layers");
    k.setU32If("context_length", "max_position_embeddings");
    k.setU32If("embedding_length", "hidden_size");
    k.setU32If("feed_forward_length", "intermediate_size");
    k.setU32If("attention.head_count", "num_attention_heads");
    k.setU32If("attention.head_count_kv", "num_key_value_heads");
    if (const Json* theta = ropeTheta(k.hp())) k.setF32("rope.freq_base", theta->get<double>());
    if (k.has("rms_norm_eps")) k.setF32("attention.layer_norm_rms_epsilon", k.num("rms_norm_eps"));
    if (k.has("head_dim")) {
        k.setU32("attention.key_length", "head_dim");
        k.setU32("attention.value_length", "head_dim");
    }
    k.writer().setU32("general.file_type", fileType);
}

// Gemma2Model / Gemma3Model: the keys they write before their own.
void gemmaCommonKeys(Keys& k, bool gemma3) {
    if (gemma3)
        k.setU32Or("context_length", "max_position_embeddings", 131072);
    else
        k.setU32("context_length", "max_position_embeddings");
    k.setU32("embedding_length", "hidden_size");
    k.setU32("block_count", "num_hidden_layers");
    k.setU32("feed_forward_length", "intermediate_size");
    if (gemma3) {
        k.setU32Or("attention.head_count", "num_attention_heads", 8);
        k.setF32("attention.layer_norm_rms_epsilon", k.numOr("rms_norm_eps", 1e-6));
        k.setU32Or("attention.key_length", "head_dim", 256);
        k.setU32Or("attention.value_length", "head_dim", 256);
    } else {
        k.setU32("attention.head_count", "num_attention_heads");
        k.setU32Or("attention.head_count_kv", "num_key_value_heads", k.num("num_attention_heads"));
        k.setF32("attention.layer_norm_rms_epsilon", k.num("rms_norm_eps"));
        k.setU32("attention.key_length", "head_dim");
        k.setU32("attention.value_length", "head_dim");
    }
}

} // namespace

ExportModelConfig readExportModelConfig(const std::string& hfFolder) {
    const fs::path configPath = fs::path(hfFolder) / "config.json";
    if (!fs::is_directory(hfFolder))
        throw Error("model folder " + hfFolder + " does not exist or is not a folder");
    if (!fs::exists(configPath))
        throw Error(hfFolder + " has no config.json; pass a Hugging Face model folder (config.json, "
                               "*.safetensors, tokenizer.json)");
    ExportModelConfig m;
    try {
        m.json = Json::parse(readTextFile(configPath.string(), std::size_t(64) << 20));
    } catch (const Json::exception& e) {
        throw Error(configPath.string() + " is not valid JSON (" + e.what() + ")");
    }
    m.cfg = parseHfConfig(m.json, configPath.string());
    m.spec = findArchByModelType(m.cfg.modelType);
    if (!m.spec)
        throw Error(configPath.string() + ": model_type '" + m.cfg.modelType +
                    "' cannot be exported to GGUF (supported: " + supportedModelTypes() + ")");
    m.ggufArch = ggufExportArch(*m.spec);
    return m;
}

std::vector<float> permuteHeadRows(const std::vector<float>& in, std::size_t rows, std::size_t cols,
                                   int heads, bool inverse) {
    // llama.cpp: reshape(heads, 2, rows / heads / 2, cols).swapaxes(1, 2).
    std::vector<float> out(in.size());
    const std::size_t perHead = rows / static_cast<std::size_t>(heads), half = perHead / 2;
    for (std::size_t h = 0; h < static_cast<std::size_t>(heads); ++h)
        for (std::size_t i = 0; i < half; ++i)
            for (std::size_t j = 0; j < 2; ++j) {
                const std::size_t permuted = h * perHead + i * 2 + j, plain = h * perHead + j * half + i;
                std::memcpy(out.data() + (inverse ? plain : permuted) * cols,
                            in.data() + (inverse ? permuted : plain) * cols, cols * sizeof(float));
            }
    return out;
}

std::string ggufExportArch(const ArchSpec& spec) {
    // The converter registers MistralForCausalLM as a LlamaModel: it writes "llama" and permutes Q/K.
    for (const auto& t : spec.modelTypes)
        if (t == "mistral") return "llama";
    return spec.ggufArch;
}

const Json& textHyperParameters(const Json& config) {
    if (config.contains("text_config") && config["text_config"].is_object()) return config["text_config"];
    return config;
}

void writeGgufArchMetadata(GgufWriter& w, const std::string& ggufArch, const Json& hp, const ModelConfig& cfg,
                           std::uint32_t fileType, const std::string& source) {
    Keys k(w, ggufArch, hp, source);
    const Json& rs = ropeScaling(hp);
    const std::string rsType = scalingType(rs);
    const bool hasFactor = rs.contains("factor") && rs["factor"].is_number();
    if (ggufArch == "gemma2") {
        gemmaCommonKeys(k, false);
        w.setU32("general.file_type", fileType);
        k.setF32("attn_logit_softcapping", k.num("attn_logit_softcapping"));
        k.setF32("final_logit_softcapping", k.num("final_logit_softcapping"));
        k.setU32("attention.sliding_window", "sliding_window");
    } else if (ggufArch == "gemma3") {
        gemmaCommonKeys(k, true);
        w.setU32("general.file_type", fileType);
        const Json* theta = ropeTheta(hp);
        k.setF32("rope.freq_base", theta ? theta->get<double>() : 1000000.0);
        k.setU32("attention.sliding_window", "sliding_window");
        k.setU32Or("attention.head_count_kv", "num_key_value_heads", 4);
        if (!rs.is_null()) {
            if (rsType != "linear" || !hasFactor)
                throw Error(source +
                            ": Gemma 3 rope_scaling must be linear with a factor (llama.cpp supports "
                            "no other), got '" +
                            rsType + "'");
            k.setString("rope.scaling.type", "linear");
            k.setF32("rope.scaling.factor", rs["factor"].get<double>());
        }
    } else {
        textModelKeys(k, fileType);
        if (ggufArch == "llama") {
            k.setU32Or("vocab_size", "vocab_size", cfg.vocabSize);
            k.writer().setU32(ggufArch + ".rope.dimension_count",
                              static_cast<std::uint32_t>(k.has("head_dim") ? k.num("head_dim")
                                                                           : cfg.hiddenSize / cfg.numHeads));
            if (hasFactor && rsType == "linear") {
                k.setString("rope.scaling.type", "linear");
                k.setF32("rope.scaling.factor", rs["factor"].get<double>());
            }
        } else if (hasFactor && rsType == "yarn") { // Qwen2Model (and Qwen3Model, its subclass)
            k.setString("rope.scaling.type", "yarn");
            k.setF32("rope.scaling.factor", rs["factor"].get<double>());
            if (rs.contains("original_max_position_embeddings") &&
                rs["original_max_position_embeddings"].is_number())
                k.writer().setU32(ggufArch + ".rope.scaling.original_context_length",
                                  k.u32(rs["original_max_position_embeddings"].get<double>(),
                                        "rope_scaling.original_max_position_embeddings"));
        }
    }
}

std::vector<float> llama3RopeFreqs(const Json& hp) {
    const Json& rs = ropeScaling(hp);
    std::string type = scalingType(rs);
    for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (type != "llama3") return {};
    auto num = [&](const Json& j, const char* key, double def) {
        return j.contains(key) && j[key].is_number() ? j[key].get<double>() : def;
    };
    const Json* theta = ropeTheta(hp);
    const double base = theta ? theta->get<double>() : 10000.0;
    const int dim =
        static_cast<int>(num(hp, "head_dim", num(hp, "hidden_size", 0) / num(hp, "num_attention_heads", 1)));
    const float factor = static_cast<float>(num(rs, "factor", 8.0));
    const float lowFreq = static_cast<float>(num(rs, "low_freq_factor", 1.0));
    const float highFreq = static_cast<float>(num(rs, "high_freq_factor", 4.0));
    const float oldCtx = static_cast<float>(
        num(rs, "original_max_position_embeddings", num(hp, "original_max_position_embeddings", 8192)));
    const float lowWavelen = oldCtx / lowFreq, highWavelen = oldCtx / highFreq;
    const float twoPi = static_cast<float>(2.0 * M_PI);
    std::vector<float> out;
    for (int i = 0; i < dim; i += 2) {
        // torch: 1.0 / (base ** (arange(0, dim, 2, float32) / dim)); scalar / tensor is reciprocal() *
        // scalar.
        const float e = static_cast<float>(i) / static_cast<float>(dim);
        const float freq = 1.0f / std::pow(static_cast<float>(base), e);
        const float wavelen = (1.0f / freq) * twoPi;
        if (wavelen < highWavelen) {
            out.push_back(1.0f);
        } else if (wavelen > lowWavelen) {
            out.push_back(factor);
        } else {
            const float smooth = ((1.0f / wavelen) * oldCtx - lowFreq) / (highFreq - lowFreq);
            out.push_back(1.0f / ((1.0f - smooth) / factor + smooth));
        }
    }
    return out;
}

} // namespace hone
