// exportGguf: plans every tensor (GGUF name, shape, type, transform) from the checkpoint's directory alone,
// writes the header with the offsets that plan implies, then converts and writes one tensor at a time.
#include "export/gguf_export.h"

#include "common/error.h"
#include "common/mapped_file.h"
#include "export/export_folder.h"
#include "export/gguf_metadata_export.h"
#include "export/gguf_tensor_names.h"
#include "export/gguf_tokenizer_export.h"
#include "model/arch_registry.h"
#include "model/ggml_dequant.h"
#include "model/ggml_quant.h"
#include "model/gguf_writer.h"
#include "model/model_config.h"
#include "model/quant_preset.h"
#include "model/safetensors_file.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

namespace hone {

namespace fs = std::filesystem;

namespace {

enum class Transform { None, PermuteHeads, PlusOne };

struct Planned {
    std::string name;                       // GGUF
    const SafetensorsTensor* src = nullptr; // null: generated (values)
    std::vector<float> values;              // generated tensors
    Transform transform = Transform::None;
    int heads = 0;                   // PermuteHeads
    std::vector<std::uint64_t> dims; // ggml order
    std::uint32_t type = 0;
    std::uint64_t bytes = 0;
    std::string note;
};

std::string shapeText(const std::vector<std::int64_t>& s) {
    std::string r = "[";
    for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}

// The decoder prefix in front of embed_tokens.weight, as the loader finds it.
std::string decoderPrefix(const SafetensorsCheckpoint& ckpt) {
    for (const auto& p : hfDecoderPrefixes())
        if (ckpt.find(p + "embed_tokens.weight")) return p;
    return "model.";
}

// Row-major shape each GGUF tensor must have (from config.json), by GGUF suffix; empty when not checked.
std::vector<std::int64_t> expectedShape(const std::string& gguf, const ModelConfig& c) {
    const std::int64_t hid = c.hiddenSize, H = c.numHeads, KV = c.numKvHeads, D = c.headDim,
                       F = c.intermediateSize, V = c.vocabSize;
    auto ends = [&](const char* s) {
        const std::size_t n = std::strlen(s);
        return gguf.size() >= n && gguf.compare(gguf.size() - n, n, s) == 0;
    };
    if (gguf == "token_embd.weight" || gguf == "output.weight") return {V, hid};
    if (ends("attn_q_norm.weight") || ends("attn_k_norm.weight")) return {D};
    if (ends("norm.weight")) return {hid};
    if (ends("attn_q.weight")) return {H * D, hid};
    if (ends("attn_k.weight") || ends("attn_v.weight")) return {KV * D, hid};
    if (ends("attn_q.bias")) return {H * D};
    if (ends("attn_k.bias") || ends("attn_v.bias")) return {KV * D};
    if (ends("attn_output.weight")) return {hid, H * D};
    if (ends("ffn_gate.weight") || ends("ffn_up.weight")) return {F, hid};
    if (ends("ffn_down.weight")) return {hid, F};
    return {};
}

// Per-layer GGUF suffixes the architecture needs.
std::vector<std::string> requiredLayerSuffixes(const ModelConfig& c) {
    std::vector<std::string> s = {"attn_norm.weight", "ffn_norm.weight", "attn_q.weight",
                                  "attn_k.weight",    "attn_v.weight",   "attn_output.weight",
                                  "ffn_gate.weight",  "ffn_up.weight",   "ffn_down.weight"};
    if (c.sandwichNorms) s.insert(s.end(), {"post_attention_norm.weight", "post_ffw_norm.weight"});
    if (c.qkNorm) s.insert(s.end(), {"attn_q_norm.weight", "attn_k_norm.weight"});
    if (c.qkvBias) s.insert(s.end(), {"attn_q.bias", "attn_k.bias", "attn_v.bias"});
    return s;
}

// The tensor as F32 values (row-major), with the converter's transform applied.
void loadF32(const Planned& p, const std::string& file, std::vector<float>& out) {
    if (!p.src) {
        out = p.values;
        return;
    }
    const SafetensorsTensor& t = *p.src;
    const std::size_t n = static_cast<std::size_t>(t.elements());
    out.resize(n);
    switch (t.dtype) {
    case StDType::F32:
        std::memcpy(out.data(), t.data, n * sizeof(float));
        break;
    case StDType::F16:
    case StDType::BF16:
        for (std::size_t i = 0; i < n; ++i) {
            std::uint16_t h;
            std::memcpy(&h, t.data + 2 * i, 2);
            out[i] = t.dtype == StDType::F16 ? fp16ToF32(h) : bf16ToF32(h);
        }
        break;
    default:
        throw Error(file + ": tensor '" + t.name + "' has dtype " + stDTypeName(t.dtype) +
                    "; the GGUF export reads F32, F16 or BF16 weights");
    }
    if (p.transform == Transform::PlusOne) {
        // Gemma's (1 + w) norms: the converter adds 1 in the checkpoint's dtype.
        for (float& v : out) {
            v += 1.0f;
            if (t.dtype == StDType::F16) v = fp16ToF32(f32ToFp16(v));
            if (t.dtype == StDType::BF16) v = bf16ToF32(f32ToBf16(v));
        }
    } else if (p.transform == Transform::PermuteHeads) {
        const std::size_t rows = t.shape.empty() ? 1 : static_cast<std::size_t>(t.shape[0]);
        out = permuteHeadRows(out, rows, rows ? n / rows : 0, p.heads);
    }
}

} // namespace

GgufExportReport exportGguf(const std::string& hfFolder, const std::string& outPath,
                            const GgufExportOptions& options) {
    const ExportModelConfig mc = readExportModelConfig(hfFolder);
    const ModelConfig& cfg = mc.cfg;
    const Json& config = mc.json;
    const Json& hp = textHyperParameters(config);
    GgufExportReport report;
    report.arch = mc.ggufArch;
    report.outType = canonicalQuantPreset(options.outType);
    report.fileType = quantPresetFileType(report.outType);
    const bool permuteQK = report.arch == "llama";

    const SafetensorsCheckpoint ckpt = SafetensorsCheckpoint::openFolder(hfFolder);
    const std::string prefix = decoderPrefix(ckpt);

    // Plan: rope_freqs first (the converter's generate_extra_tensors), then the checkpoint in name order.
    std::vector<Planned> plan;
    if (const auto freqs = llama3RopeFreqs(hp); !freqs.empty()) {
        Planned p;
        p.name = "rope_freqs.weight";
        p.values = freqs;
        p.dims = {freqs.size()};
        plan.push_back(std::move(p));
    }
    std::vector<std::string> names = ckpt.names();
    std::sort(names.begin(), names.end());
    std::set<std::string> have;
    for (const std::string& name : names) {
        const HfTensorName parsed = parseHfTensorName(name, prefix);
        if (parsed.kind == HfTensorName::Kind::Ignored) continue;
        if (parsed.kind == HfTensorName::Kind::LmHead && cfg.tieEmbeddings) {
            report.notes.push_back("left out " + name +
                                   ": tie_word_embeddings is set, llama.cpp uses token_embd");
            continue;
        }
        const auto gguf = ggufTensorName(parsed, cfg.sandwichNorms);
        if (!gguf)
            throw Error(ckpt.fileOf(name) + ": tensor '" + name + "' is not part of a " + cfg.modelType +
                        " decoder that the GGUF export knows; remove it or export the model it belongs to");
        if (parsed.kind == HfTensorName::Kind::Layer && parsed.layer >= cfg.numLayers)
            throw Error(ckpt.fileOf(name) + ": tensor '" + name + "' belongs to layer " +
                        std::to_string(parsed.layer) +
                        " but config.json has num_hidden_layers = " + std::to_string(cfg.numLayers));
        const SafetensorsTensor& t = ckpt.require(name);
        if (const auto want = expectedShape(*gguf, cfg); !want.empty() && want != t.shape)
            throw Error(ckpt.fileOf(name) + ": tensor '" + name + "' has shape " + shapeText(t.shape) +
                        " but config.json implies " + shapeText(want) +
                        "; the weights do not match config.json");
        if (!have.insert(*gguf).second)
            throw Error(hfFolder + ": two tensors map to GGUF tensor '" + *gguf + "' (the second is '" +
                        name + "')");
        Planned p;
        p.name = *gguf;
        p.src = &t;
        for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it)
            p.dims.push_back(static_cast<std::uint64_t>(*it));
        if (p.dims.empty()) p.dims.push_back(1);
        const bool isQ = parsed.suffix.rfind("self_attn.q_proj.", 0) == 0;
        const bool isK = parsed.suffix.rfind("self_attn.k_proj.", 0) == 0;
        if (permuteQK && (isQ || isK)) {
            p.transform = Transform::PermuteHeads;
            p.heads = isQ ? cfg.numHeads : cfg.numKvHeads;
        } else if (cfg.normPlusOne && name.size() > 11 &&
                   name.compare(name.size() - 11, 11, "norm.weight") == 0) {
            p.transform = Transform::PlusOne;
        }
        plan.push_back(std::move(p));
    }
    // Everything the architecture needs must be there.
    std::vector<std::string> required = {"token_embd.weight", "output_norm.weight"};
    if (!cfg.tieEmbeddings) required.push_back("output.weight");
    for (int l = 0; l < cfg.numLayers; ++l)
        for (const auto& s : requiredLayerSuffixes(cfg))
            required.push_back("blk." + std::to_string(l) + "." + s);
    for (const auto& r : required) {
        if (have.count(r)) continue;
        std::string hf = r == "token_embd.weight"    ? prefix + "embed_tokens.weight"
                         : r == "output_norm.weight" ? prefix + "norm.weight"
                         : r == "output.weight"      ? std::string("lm_head.weight")
                                                     : std::string();
        if (hf.empty()) {
            const std::size_t dot = r.find('.', 4);
            hf = prefix + "layers." + r.substr(4, dot - 4) + "." +
                 hfLayerSuffix(r.substr(dot + 1), cfg.sandwichNorms).value_or(r.substr(dot + 1));
        }
        throw Error(hfFolder + ": tensor '" + hf + "' (GGUF " + r +
                    ") is missing; the checkpoint is incomplete " + "for a " + cfg.modelType +
                    " model with " + std::to_string(cfg.numLayers) + " layers");
    }

    // Types: llama.cpp's rules for the preset (1-D tensors and norms stay F32).
    std::vector<PresetTensor> presetTensors;
    for (const auto& p : plan) presetTensors.push_back({p.name, p.dims});
    const auto choices = chooseTensorTypes(report.outType, presetTensors, presetContextFor(report.arch, cfg));
    for (std::size_t i = 0; i < plan.size(); ++i) {
        Planned& p = plan[i];
        p.type = choices[i].type;
        p.note = choices[i].fallbackNote;
        std::uint64_t rows = 1;
        for (std::size_t d = 1; d < p.dims.size(); ++d) rows *= p.dims[d];
        p.bytes = rows * ggmlRowBytes(p.type, static_cast<std::int64_t>(p.dims[0]));
        if (!p.note.empty()) report.notes.push_back(p.name + ": " + p.note);
    }

    // Header.
    GgufWriter w;
    w.setString("general.architecture", report.arch);
    w.setString("general.type", "model");
    w.setString("general.name", options.name.empty()
                                    ? fs::absolute(fs::path(hfFolder)).lexically_normal().filename().string()
                                    : options.name);
    writeGgufArchMetadata(w, report.arch, hp, cfg, report.fileType, hfFolder + "/config.json");
    w.setU32("general.quantization_version", 2);
    std::uint64_t embedRows = 0;
    for (const auto& p : plan)
        if (p.name == "token_embd.weight") embedRows = p.dims[1];
    GgufTokenizerOptions tokOptions;
    tokOptions.vocabSize = static_cast<std::int64_t>(embedRows);
    tokOptions.addSpacePrefix = !cfg.normPlusOne; // Gemma's converters write add_space_prefix = false
    tokOptions.config = &hp;
    const GgufTokenizerExport tokReport = writeGgufTokenizer(w, hfFolder, tokOptions);
    report.tokenizerModel = tokReport.model;
    report.tokenizerPre = tokReport.pre;
    report.notes.insert(report.notes.end(), tokReport.notes.begin(), tokReport.notes.end());
    for (const auto& p : plan) w.addTensorInfo(p.name, p.type, p.dims, p.bytes);
    const std::vector<std::uint8_t> header = w.serializeHeader();
    const std::uint64_t align = w.alignment();
    std::uint64_t total = header.size();
    for (const auto& p : plan) total += (p.bytes + align - 1) / align * align;

    // Data, one tensor at a time.
    writeFileAtomically(outPath, [&](const std::string& tmp) {
        OutputFile out(tmp);
        out.write(header.data(), header.size());
        std::vector<float> values;
        std::vector<std::uint8_t> bytes;
        const std::vector<std::uint8_t> zeros(align, 0);
        for (std::size_t i = 0; i < plan.size(); ++i) {
            const Planned& p = plan[i];
            loadF32(p, p.src ? ckpt.fileOf(p.src->name) : std::string(), values);
            const auto cols = static_cast<std::int64_t>(p.dims[0]);
            const auto rows = static_cast<std::int64_t>(values.size()) / cols;
            bytes.resize(p.bytes);
            try {
                quantizeRows(p.type, values.data(), rows, cols, bytes.data(), options.threads);
            } catch (const Error& e) {
                throw Error("tensor '" + (p.src ? p.src->name : p.name) + "' cannot be written as " +
                            ggmlTypeName(p.type) + ": " + e.what());
            }
            out.write(bytes.data(), bytes.size());
            out.write(zeros.data(), (align - p.bytes % align) % align);
            if (p.src) releaseMappedPages(p.src->data, p.src->nbytes()); // never the whole model resident
            if (options.progress) options.progress({i + 1, plan.size(), p.name, out.written(), total});
        }
        out.finish();
    });

    report.path = outPath;
    report.fileBytes = total;
    for (const auto& p : plan)
        report.tensors.push_back(
            {p.name, p.src ? p.src->name : std::string(), p.type, p.dims, p.bytes, p.note});
    return report;
}

} // namespace hone
