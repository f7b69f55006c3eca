// exportGgufLora: checks the adapter against the base, then writes every LoRA pair as lora_a/lora_b tensors.
#include "export/gguf_lora_export.h"

#include "common/error.h"
#include "common/json.h"
#include "export/export_folder.h"
#include "export/gguf_metadata_export.h"
#include "export/gguf_tensor_names.h"
#include "export/peft_adapter.h"
#include "model/arch_registry.h"
#include "model/ggml_dequant.h"
#include "model/ggml_quant.h"
#include "model/gguf_writer.h"
#include "model/model_config.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>

namespace hone {

namespace fs = std::filesystem;

namespace {

std::vector<float> tensorF32(const SafetensorsTensor& t, const std::string& dir) {
    const auto n = static_cast<std::size_t>(t.elements());
    std::vector<float> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (t.dtype == StDType::F32) {
            std::memcpy(&out[i], t.data + 4 * i, 4);
            continue;
        }
        std::uint16_t h;
        std::memcpy(&h, t.data + 2 * i, 2);
        if (t.dtype == StDType::F16)
            out[i] = fp16ToF32(h);
        else if (t.dtype == StDType::BF16)
            out[i] = bf16ToF32(h);
        else
            throw Error(dir + ": adapter tensor '" + t.name + "' has dtype " + stDTypeName(t.dtype) +
                        "; LoRA weights must be F32, F16 or BF16");
    }
    return out;
}

struct PlannedLora {
    std::string name;
    std::vector<std::uint64_t> dims; // ggml order
    std::vector<float> values;
};

} // namespace

std::vector<GgufLoraTarget> planGgufLora(const PeftAdapter& adapter, const std::string& baseFolder,
                                         std::string* arch) {
    const std::string adapterDir = adapter.dir();
    const ExportModelConfig mc = readExportModelConfig(baseFolder);
    const ModelConfig& cfg = mc.cfg;
    if (!adapter.replaced().empty() || !adapter.addedTokens().empty())
        throw Error(
            adapterDir + " replaces whole tensors (" +
            (adapter.replaced().empty() ? std::string("added tokens") : adapter.replaced()[0].baseName) +
            "): llama.cpp's LoRA format cannot carry new or retrained embedding/lm_head rows; export "
            "the merged model (--format gguf) instead");
    const SafetensorsCheckpoint base = SafetensorsCheckpoint::openFolder(baseFolder);
    adapter.checkBase(base, cfg.tieEmbeddings);
    if (adapter.pairs().empty()) throw Error(adapterDir + " has no LoRA pairs to export");

    *arch = mc.ggufArch;
    const bool permuteQK = *arch == "llama";
    const double scale = adapter.pairs().front().scale;
    std::vector<GgufLoraTarget> plan;
    for (const LoraPair& p : adapter.pairs()) {
        if (std::abs(p.scale - scale) > 1e-12 * std::abs(scale) || p.a->shape[0] != adapter.rank())
            throw Error(
                adapterDir + ": module " + p.module +
                " has its own rank or alpha (alpha_pattern/rank_pattern); llama.cpp's LoRA format has "
                "one alpha and rank per file — export the merged model instead");
        HfTensorName n;
        for (const auto& prefix : hfDecoderPrefixes()) {
            n = parseHfTensorName(p.baseWeight, prefix);
            if (n.kind == HfTensorName::Kind::Layer) break;
        }
        const auto gguf = n.kind == HfTensorName::Kind::Layer ? ggufTensorName(n, false) : std::nullopt;
        if (!gguf)
            throw Error(
                adapterDir + ": LoRA on '" + p.baseWeight +
                "' is outside the decoder layers' projections; llama.cpp's LoRA format cannot apply it — "
                "export the merged model instead");
        const bool isQ = n.suffix == "self_attn.q_proj.weight", isK = n.suffix == "self_attn.k_proj.weight";
        plan.push_back({&p, *gguf, permuteQK && isQ ? cfg.numHeads : permuteQK && isK ? cfg.numKvHeads : 0});
    }
    return plan;
}

GgufLoraExportReport exportGgufLora(const std::string& adapterDir, const std::string& baseFolder,
                                    const std::string& outPath, const GgufLoraExportOptions& options) {
    std::string outType = options.outType;
    std::transform(outType.begin(), outType.end(), outType.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (outType != "F32" && outType != "F16")
        throw Error("GGUF LoRA adapters are written as F32 or F16, not '" + options.outType +
                    "'; pick one of those (llama.cpp applies adapters unquantised)");
    const PeftAdapter adapter = PeftAdapter::open(adapterDir);
    GgufLoraExportReport report;
    const std::vector<GgufLoraTarget> targets = planGgufLora(adapter, baseFolder, &report.arch);
    report.path = outPath;
    report.rank = adapter.rank();
    report.type = outType == "F32" ? 0u : 1u;
    report.alpha = static_cast<float>(adapter.pairs().front().scale * adapter.rank());

    std::vector<PlannedLora> plan;
    for (const GgufLoraTarget& t : targets) {
        const LoraPair& p = *t.pair;
        const auto r = static_cast<std::uint64_t>(p.a->shape[0]),
                   in = static_cast<std::uint64_t>(p.a->shape[1]),
                   out = static_cast<std::uint64_t>(p.b->shape[0]);
        std::vector<float> b = tensorF32(*p.b, adapterDir);
        if (t.permuteHeads > 0) b = permuteHeadRows(b, out, r, t.permuteHeads);
        plan.push_back({t.ggufWeight + ".lora_a", {in, r}, tensorF32(*p.a, adapterDir)});
        plan.push_back({t.ggufWeight + ".lora_b", {r, out}, std::move(b)});
    }

    GgufWriter w;
    w.setString("general.architecture", report.arch);
    w.setString("general.type", "adapter");
    w.setString("general.name", fs::absolute(adapterDir).lexically_normal().filename().string());
    w.setString("adapter.type", "lora");
    w.setF32("adapter.lora.alpha", report.alpha);
    for (const auto& t : plan) {
        const auto cols = static_cast<std::int64_t>(t.dims[0]);
        const auto rows = static_cast<std::int64_t>(t.dims[1]);
        std::vector<std::uint8_t> bytes(static_cast<std::size_t>(rows) * ggmlRowBytes(report.type, cols));
        quantizeRows(report.type, t.values.data(), rows, cols, bytes.data(), 1);
        w.addTensor(t.name, report.type, t.dims, std::move(bytes));
        report.tensors.push_back(t.name);
    }
    writeFileAtomically(outPath, [&](const std::string& tmp) { w.write(tmp); });
    return report;
}

} // namespace hone
