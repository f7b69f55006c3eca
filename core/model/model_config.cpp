// Common parsing of config.json and GGUF metadata into ModelConfig; architecture quirks live in arch_*.cpp.
#include "model/model_config.h"

#include "common/error.h"
#include "common/mapped_file.h"
#include "model/arch_registry.h"
#include "model/gguf_file.h"

#include <cmath>
#include <cstring>
#include <filesystem>

namespace hone {

namespace {

int intField(const Json& j, const char* key, const std::string& source, int def = -1) {
    if (!j.contains(key) || j[key].is_null()) {
        if (def >= 0) return def;
        throw Error(source + ": required field '" + key + "' is missing");
    }
    if (!j[key].is_number_integer() || j[key].get<long long>() < 0 || j[key].get<long long>() > (1ll << 31))
        throw Error(source + ": field '" + key + "' must be a non-negative integer");
    return j[key].get<int>();
}

double numField(const Json& j, const char* key, const std::string& source, double def) {
    if (!j.contains(key) || j[key].is_null()) return def;
    if (!j[key].is_number()) throw Error(source + ": field '" + key + "' must be a number");
    return j[key].get<double>();
}

void parseRopeScaling(const Json& rs, ModelConfig& c, const std::string& source) {
    if (rs.is_null()) return;
    if (!rs.is_object()) throw Error(source + ": rope_scaling must be an object or null");
    std::string type = rs.value("rope_type", rs.value("type", std::string("default")));
    c.ropeFactor = numField(rs, "factor", source, 1.0);
    if (type == "default") {
        c.ropeScaling = RopeScaling::None;
    } else if (type == "linear") {
        c.ropeScaling = RopeScaling::Linear;
    } else if (type == "dynamic") {
        c.ropeScaling = RopeScaling::Dynamic;
    } else if (type == "llama3") {
        c.ropeScaling = RopeScaling::Llama3;
        c.ropeLowFreqFactor = numField(rs, "low_freq_factor", source, 1.0);
        c.ropeHighFreqFactor = numField(rs, "high_freq_factor", source, 4.0);
        c.ropeOriginalMaxPositions = intField(rs, "original_max_position_embeddings", source, 8192);
    } else {
        throw Error(source + ": rope_scaling type '" + type +
                    "' is not supported (supported: linear, dynamic, llama3)");
    }
}

} // namespace

void ModelConfig::validate(const std::string& source) const {
    auto need = [&](bool ok, const std::string& what) {
        if (!ok) throw Error(source + ": " + what);
    };
    need(hiddenSize > 0, "hidden size must be positive");
    need(intermediateSize > 0, "intermediate size must be positive");
    need(numLayers > 0 && numLayers <= 1024, "layer count must be in 1..1024");
    need(numHeads > 0, "attention head count must be positive");
    need(numKvHeads > 0 && numHeads % numKvHeads == 0, "num_key_value_heads (" + std::to_string(numKvHeads) +
                                                           ") must divide num_attention_heads (" +
                                                           std::to_string(numHeads) + ")");
    need(headDim > 0 && headDim % 2 == 0, "head_dim must be a positive even number");
    need(vocabSize > 0, "vocab_size must be positive");
    need(maxPositions > 0, "max_position_embeddings must be positive");
    need(rmsEps > 0 && std::isfinite(rmsEps), "rms_norm_eps must be positive");
    need(ropeTheta > 0, "rope_theta must be positive");
    need(layerSliding.empty() || static_cast<int>(layerSliding.size()) == numLayers,
         "layer_types must list one entry per layer");
}

ModelConfig parseHfConfig(const Json& config, const std::string& source) {
    if (!config.is_object()) throw Error(source + ": config.json is not a JSON object");
    const std::string modelType = config.value("model_type", std::string());
    const ArchSpec* arch = findArchByModelType(modelType);
    if (!arch) {
        throw Error(source + ": model_type '" + modelType +
                    "' is not supported (supported: " + supportedModelTypes() + ")");
    }
    ModelConfig c;
    c.modelType = modelType;
    if (config.contains("architectures") && config["architectures"].is_array() &&
        !config["architectures"].empty() && config["architectures"][0].is_string())
        c.architecture = config["architectures"][0].get<std::string>();
    // Multimodal wrappers keep the text model in text_config.
    const Json& t = (config.contains("text_config") && config["text_config"].is_object())
                        ? config["text_config"]
                        : config;
    c.hiddenSize = intField(t, "hidden_size", source);
    c.intermediateSize = intField(t, "intermediate_size", source);
    c.numLayers = intField(t, "num_hidden_layers", source);
    c.numHeads = intField(t, "num_attention_heads", source);
    c.numKvHeads = intField(t, "num_key_value_heads", source, c.numHeads);
    c.headDim = intField(t, "head_dim", source, c.numHeads > 0 ? c.hiddenSize / c.numHeads : 0);
    c.vocabSize = intField(t, "vocab_size", source);
    c.maxPositions = intField(t, "max_position_embeddings", source, 2048);
    c.rmsEps = numField(t, "rms_norm_eps", source, 1e-6);
    c.ropeTheta = numField(t, "rope_theta", source, 10000.0);
    if (t.contains("rope_scaling")) parseRopeScaling(t["rope_scaling"], c, source);
    c.tieEmbeddings = config.value("tie_word_embeddings", t.value("tie_word_embeddings", false));
    if (t.contains("eos_token_id")) {
        const Json& e = t["eos_token_id"];
        if (e.is_number_integer())
            c.eosTokenIds.push_back(e.get<int>());
        else if (e.is_array())
            for (const auto& x : e)
                if (x.is_number_integer()) c.eosTokenIds.push_back(x.get<int>());
    }
    if (t.contains("bos_token_id") && t["bos_token_id"].is_number_integer())
        c.bosTokenId = t["bos_token_id"].get<int>();
    if (arch->fromHf) arch->fromHf(t, c);
    if (t.contains("layer_types") && t["layer_types"].is_array()) {
        c.layerSliding.clear();
        for (const auto& lt : t["layer_types"])
            c.layerSliding.push_back(lt.is_string() && lt.get<std::string>() == "sliding_attention");
    }
    if (c.slidingWindow <= 0 || c.layerSliding.empty())
        c.layerSliding.assign(static_cast<std::size_t>(c.numLayers), c.slidingWindow > 0);
    c.validate(source);
    return c;
}

ModelConfig loadHfConfig(const std::string& modelDir) {
    const std::string path = (std::filesystem::path(modelDir) / "config.json").string();
    if (!std::filesystem::exists(path)) throw Error("model folder " + modelDir + " has no config.json");
    Json j;
    try {
        j = Json::parse(readTextFile(path, 16u << 20));
    } catch (const Json::exception& e) {
        throw Error(path + ": not valid JSON: " + e.what());
    }
    return parseHfConfig(j, path);
}

ModelConfig configFromGguf(const GgufFile& f) {
    const std::string arch = f.getStringOr("general.architecture", "");
    const ArchSpec* spec = findArchByGguf(arch);
    if (!spec) {
        std::string list;
        for (const auto& a : architectures()) list += (list.empty() ? "" : ", ") + a.ggufArch;
        throw Error("GGUF file " + f.path() + ": general.architecture '" + arch +
                    "' is not supported (supported: " + list + ")");
    }
    ModelConfig c;
    c.modelType = spec->modelTypes.front();
    c.architecture = spec->hfClasses.front();
    const std::string p = arch + ".";
    auto u = [&](const std::string& k) -> int {
        const GgufValue& v = f.value(p + k);
        if (v.type == GgufType::Array) { // per-layer values: must be uniform
            const auto a = f.getI32Array(p + k);
            if (a.empty()) throw Error("GGUF file " + f.path() + ": " + p + k + " is an empty array");
            for (auto x : a)
                if (x != a[0])
                    throw Error("GGUF file " + f.path() + ": per-layer " + p + k +
                                " values differ (not supported)");
            return a[0];
        }
        const std::uint64_t x = f.getU64(p + k);
        if (x > (1u << 30)) throw Error("GGUF file " + f.path() + ": " + p + k + " is implausibly large");
        return static_cast<int>(x);
    };
    c.hiddenSize = u("embedding_length");
    c.intermediateSize = u("feed_forward_length");
    c.numLayers = u("block_count");
    c.numHeads = u("attention.head_count");
    c.numKvHeads = f.has(p + "attention.head_count_kv") ? u("attention.head_count_kv") : c.numHeads;
    c.headDim = f.has(p + "attention.key_length") ? u("attention.key_length")
                                                  : (c.numHeads ? c.hiddenSize / c.numHeads : 0);
    c.maxPositions = f.has(p + "context_length") ? u("context_length") : 2048;
    c.rmsEps = f.getF64Or(p + "attention.layer_norm_rms_epsilon", 1e-5);
    c.ropeTheta = f.getF64Or(p + "rope.freq_base", 10000.0);
    const std::string scaling = f.getStringOr(p + "rope.scaling.type", "none");
    if (scaling == "linear") {
        c.ropeScaling = RopeScaling::Linear;
        c.ropeFactor = f.getF64(p + "rope.scaling.factor");
    } else if (scaling != "none") {
        throw Error("GGUF file " + f.path() + ": rope scaling type '" + scaling + "' is not supported");
    }
    if (f.has(p + "vocab_size"))
        c.vocabSize = u("vocab_size");
    else if (const GgufTensor* e = f.findTensor("token_embd.weight"); e && e->dims.size() == 2)
        c.vocabSize = static_cast<int>(e->dims[1]);
    c.tieEmbeddings = f.findTensor("output.weight") == nullptr;
    if (f.has("tokenizer.ggml.eos_token_id"))
        c.eosTokenIds.push_back(static_cast<int>(f.getU64("tokenizer.ggml.eos_token_id")));
    if (f.has("tokenizer.ggml.bos_token_id"))
        c.bosTokenId = static_cast<int>(f.getU64("tokenizer.ggml.bos_token_id"));
    if (const GgufTensor* rf = f.findTensor("rope_freqs.weight")) {
        if (rf->type != 0 || rf->elements != static_cast<std::uint64_t>(c.headDim / 2))
            throw Error("GGUF file " + f.path() + ": rope_freqs.weight must be F32 with head_dim/2 elements");
        c.ropeFreqFactors.resize(rf->elements);
        std::memcpy(c.ropeFreqFactors.data(), rf->data, rf->nbytes);
    }
    if (spec->fromGguf) spec->fromGguf(f, arch, c);
    if (c.slidingWindow <= 0 || c.layerSliding.empty())
        c.layerSliding.assign(static_cast<std::size_t>(c.numLayers), c.slidingWindow > 0);
    c.validate("GGUF file " + f.path());
    return c;
}

} // namespace hone
