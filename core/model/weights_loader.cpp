// Loads a model folder (config.json + safetensors, sharded or not) or a GGUF file into the one in-memory
// layout of TransformerWeights: HF names and llama.cpp names map to the same slots; llama-arch GGUF Q/K rows
// are un-permuted and Gemma's (1 + w) norms are folded in, so one forward pass serves both.
#include "common/error.h"
#include "device/torch_device.h"
#include "export/gguf_tensor_names.h"
#include "model/arch_registry.h"
#include "model/ggml_dequant.h"
#include "model/gguf_file.h"
#include "model/safetensors_file.h"
#include "model/transformer_torch.h"

#include <filesystem>
#include <functional>
#include <optional>

namespace hone {

namespace fs = std::filesystem;

namespace {

// A named raw tensor from either container, converted to an F32 CPU tensor on demand.
struct Source {
    std::string origin;                                                  // file, for messages
    std::function<std::optional<torch::Tensor>(const std::string&)> get; // F32 CPU, row-major
    std::function<std::string(const std::string&)> fileOf;
};

torch::Tensor fromSafetensors(const SafetensorsTensor& t, const std::string& file) {
    c10::ScalarType st;
    switch (t.dtype) {
    case StDType::F32:
        st = torch::kFloat32;
        break;
    case StDType::F16:
        st = torch::kFloat16;
        break;
    case StDType::BF16:
        st = torch::kBFloat16;
        break;
    default:
        throw Error(file + ": tensor '" + t.name + "' has dtype " + stDTypeName(t.dtype) +
                    "; model weights must be F32, F16 or BF16");
    }
    auto view =
        torch::from_blob(const_cast<std::uint8_t*>(t.data), t.shape, torch::TensorOptions().dtype(st));
    return view.to(torch::kFloat32, /*non_blocking=*/false, /*copy=*/true); // owns its data (F16/BF16 upcast)
}

torch::Tensor fromGguf(const GgufTensor& t) {
    auto v = dequantize(t);
    return torch::from_blob(v.data(), t.shape(), torch::kFloat32).clone();
}

// llama.cpp's convert permutes Q/K rows (reshape(h, 2, d/2, in).swapaxes(1, 2)); this is the inverse.
torch::Tensor unpermuteQK(const torch::Tensor& w, int heads) {
    const auto rows = w.size(0);
    return w.reshape({heads, rows / heads / 2, 2, w.size(1)}).transpose(1, 2).reshape(w.sizes()).contiguous();
}

class Builder {
public:
    Builder(const ModelConfig& c, Source s, const DeviceSpec& dev, DType dtype)
        : c_(c)
        , s_(std::move(s))
        , dev_(toTorchDevice(dev))
        , dt_(toTorchDType(dtype)) {}

    torch::Tensor need(const std::string& name, std::vector<std::int64_t> shape) {
        auto t = s_.get(name);
        if (!t) throw Error(s_.origin + ": tensor '" + name + "' is missing");
        check(name, *t, shape);
        return *t;
    }
    std::optional<torch::Tensor> maybe(const std::string& name, std::vector<std::int64_t> shape) {
        auto t = s_.get(name);
        if (t) check(name, *t, shape);
        return t;
    }
    torch::Tensor weight(const torch::Tensor& t) { return t.to(dev_, dt_).contiguous(); }
    torch::Tensor norm(const torch::Tensor& t, bool plusOne) {
        return (plusOne ? t + 1.0f : t).to(dev_, torch::kFloat32).contiguous();
    }

private:
    void check(const std::string& name, const torch::Tensor& t, const std::vector<std::int64_t>& shape) {
        if (t.sizes().vec() != shape) {
            auto str = [](c10::IntArrayRef s) {
                std::string r = "[";
                for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
                return r + "]";
            };
            throw Error(s_.fileOf(name) + ": tensor '" + name + "' has shape " + str(t.sizes()) +
                        " but the config implies " + str(shape) +
                        "; the weights do not match config.json/metadata");
        }
        if (!torch::isfinite(t).all().item<bool>())
            throw Error(s_.fileOf(name) + ": tensor '" + name +
                        "' contains NaN or infinite values; the file is corrupt");
    }
    const ModelConfig& c_;
    Source s_;
    c10::Device dev_;
    c10::ScalarType dt_;
};

struct Names { // where each tensor lives in the container
    std::string embed, finalNorm, lmHead;
    // (layer, llama.cpp's per-layer suffix such as "attn_q.weight") -> the container's name
    std::function<std::string(int, const char*)> layer;
};

TransformerWeights build(const ModelConfig& c, Builder& b, const Names& n, bool hfNorms, bool permutedQK) {
    const std::int64_t hid = c.hiddenSize, H = c.numHeads, KV = c.numKvHeads, D = c.headDim,
                       F = c.intermediateSize, V = c.vocabSize;
    const bool plusOne = hfNorms && c.normPlusOne;
    TransformerWeights w;
    auto embed = b.need(n.embed, {V, hid});
    w.embed = b.weight(embed);
    w.finalNorm = b.norm(b.need(n.finalNorm, {hid}), plusOne);
    if (c.tieEmbeddings) {
        w.lmHead = w.embed;
    } else {
        w.lmHead = b.weight(b.need(n.lmHead, {V, hid}));
    }
    for (int l = 0; l < c.numLayers; ++l) {
        LayerWeights lw;
        auto nm = [&](const char* slot) { return n.layer(l, slot); };
        lw.attnNorm = b.norm(b.need(nm("attn_norm.weight"), {hid}), plusOne);
        lw.ffnNorm = b.norm(b.need(nm("ffn_norm.weight"), {hid}), plusOne);
        if (c.sandwichNorms) {
            lw.postAttnNorm = b.norm(b.need(nm("post_attention_norm.weight"), {hid}), plusOne);
            lw.postFfnNorm = b.norm(b.need(nm("post_ffw_norm.weight"), {hid}), plusOne);
        }
        auto q = b.need(nm("attn_q.weight"), {H * D, hid});
        auto k = b.need(nm("attn_k.weight"), {KV * D, hid});
        auto v = b.need(nm("attn_v.weight"), {KV * D, hid});
        if (permutedQK) {
            q = unpermuteQK(q, static_cast<int>(H));
            k = unpermuteQK(k, static_cast<int>(KV));
        }
        lw.wqkv = b.weight(torch::cat({q, k, v}, 0));
        if (c.qkvBias) {
            auto bq = b.need(nm("attn_q.bias"), {H * D});
            auto bk = b.need(nm("attn_k.bias"), {KV * D});
            auto bv = b.need(nm("attn_v.bias"), {KV * D});
            lw.bqkv = b.weight(torch::cat({bq, bk, bv}, 0));
        }
        if (c.qkNorm) {
            lw.qNorm = b.norm(b.need(nm("attn_q_norm.weight"), {D}), plusOne);
            lw.kNorm = b.norm(b.need(nm("attn_k_norm.weight"), {D}), plusOne);
        }
        lw.wo = b.weight(b.need(nm("attn_output.weight"), {hid, H * D}));
        auto gate = b.need(nm("ffn_gate.weight"), {F, hid});
        auto up = b.need(nm("ffn_up.weight"), {F, hid});
        lw.wgateUp = b.weight(torch::cat({gate, up}, 0));
        lw.wdown = b.weight(b.need(nm("ffn_down.weight"), {hid, F}));
        w.layers.push_back(std::move(lw));
    }
    return w;
}

std::shared_ptr<Transformer> loadHf(const std::string& dir, const DeviceSpec& device, DType dtype) {
    ModelConfig c = loadHfConfig(dir);
    auto ckpt = std::make_shared<SafetensorsCheckpoint>(SafetensorsCheckpoint::openFolder(dir));
    // Decoder prefix: plain causal LMs use "model."; Gemma3ForConditionalGeneration nests the text model.
    std::string prefix;
    for (const auto& p : hfDecoderPrefixes()) {
        if (ckpt->find(p + "embed_tokens.weight")) {
            prefix = p;
            break;
        }
    }
    std::string lmHead = "lm_head.weight";
    for (const char* p : {"lm_head.weight", "language_model.lm_head.weight"})
        if (ckpt->find(p)) lmHead = p;
    Source s;
    s.origin = "model folder " + dir;
    s.get = [ckpt](const std::string& name) -> std::optional<torch::Tensor> {
        const SafetensorsTensor* t = ckpt->find(name);
        if (!t) return std::nullopt;
        return fromSafetensors(*t, ckpt->fileOf(name));
    };
    s.fileOf = [ckpt](const std::string& name) { return ckpt->fileOf(name); };
    Names n;
    n.embed = prefix + "embed_tokens.weight";
    n.finalNorm = prefix + "norm.weight";
    n.lmHead = lmHead;
    const bool gemmaNorms = c.sandwichNorms;
    n.layer = [prefix, gemmaNorms](int l, const char* suffix) -> std::string {
        const auto hf = hfLayerSuffix(suffix, gemmaNorms);
        return prefix + "layers." + std::to_string(l) + "." + hf.value_or(suffix);
    };
    const DType compute = computeDTypeFor(device, dtype);
    Builder b(c, s, device, compute);
    auto w = build(c, b, n, true, false);
    return std::make_shared<Transformer>(std::move(c), std::move(w), device, compute);
}

std::shared_ptr<Transformer> loadGguf(const std::string& path, const DeviceSpec& device, DType dtype) {
    auto f = std::make_shared<GgufFile>(GgufFile::open(path));
    ModelConfig c = configFromGguf(*f);
    const ArchSpec* arch = findArchByGguf(f->getString("general.architecture"));
    Source s;
    s.origin = "GGUF file " + path;
    s.get = [f](const std::string& name) -> std::optional<torch::Tensor> {
        const GgufTensor* t = f->findTensor(name);
        if (!t) return std::nullopt;
        return fromGguf(*t);
    };
    s.fileOf = [path](const std::string&) { return "GGUF file " + path; };
    Names n;
    n.embed = "token_embd.weight";
    n.finalNorm = "output_norm.weight";
    n.lmHead = "output.weight";
    n.layer = [](int l, const char* suffix) { return "blk." + std::to_string(l) + "." + suffix; };
    const DType compute = computeDTypeFor(device, dtype);
    Builder b(c, s, device, compute);
    auto w = build(c, b, n, false, arch && arch->ggufPermutedQK);
    return std::make_shared<Transformer>(std::move(c), std::move(w), device, compute);
}

} // namespace

std::shared_ptr<Transformer> loadTransformer(const std::string& path, const DeviceSpec& device, DType dtype) {
    const DeviceSpec dev = resolveDevice(device);
    if (fs::is_directory(path)) return loadHf(path, dev, dtype);
    if (!fs::exists(path))
        throw Error("model path " + path + " does not exist (expected a model folder or a .gguf file)");
    if (path.size() > 5 && path.substr(path.size() - 5) == ".gguf") return loadGguf(path, dev, dtype);
    const std::string fname = fs::path(path).filename().string();
    if (fname.find(".bin") != std::string::npos || fname.find(".pt") != std::string::npos)
        throw Error(path +
                    " is a pickle checkpoint; Hone never loads pickle files because they can run code. "
                    "Convert it to safetensors (model.save_pretrained(dir, safe_serialization=True)) and "
                    "pass the folder");
    if (fname == "config.json" || fname.find(".safetensors") != std::string::npos)
        return loadHf(fs::path(path).parent_path().string(), dev, dtype);
    throw Error("model path " + path + " is neither a model folder nor a .gguf file");
}

} // namespace hone
