// Implementation of the post-export check on the engine: LoraModel over the F32 base as the reference,
// InferenceSession over the reloaded artifact, the template rendered with hone_data's tokenizeExamples.
#include "export/export_check.h"

#include "chat/template.h"
#include "common/error.h"
#include "common/mapped_file.h"
#include "data/builtin_templates.h"
#include "data/dataset_format.h"
#include "data/token_dataset.h"
#include "export/gguf_lora_export.h"
#include "export/gguf_metadata_export.h"
#include "export/peft_adapter.h"
#include "infer/language_model.h"
#include "model/ggml_dequant.h"
#include "model/gguf_file.h"
#include "model/transformer_torch.h"
#include "tokenizer/tokenizer.h"
#include "train/adapter_io_torch.h"
#include "train/lora_model_torch.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

namespace hone {

namespace fs = std::filesystem;

namespace {

// A short conversation with a system prompt, two user turns and an assistant reply.
data::Example probeConversation() {
    data::Example e;
    e.kind = data::Example::Kind::Conversation;
    e.messages = Json::array({{{"role", "system"}, {"content", "You are a helpful assistant."}},
                              {{"role", "user"}, {"content", "Tell me a short story about a cat."}},
                              {{"role", "assistant"}, {"content", "Once upon a time, a cat found a hat."}},
                              {{"role", "user"}, {"content", "And then?"}}});
    return e;
}

// Token ids of the probe rendered by `tpl` (empty source: the plain probe text with the post-processor's
// tokens), as training renders it.
std::vector<std::int32_t> renderProbe(const tok::Tokenizer& tok, const std::string& tplSource) {
    data::TokenizeOptions o;
    o.trainOn = data::TrainOn::All;
    o.maxSeqLen = 4096;
    o.threads = 1;
    if (tplSource.empty()) {
        data::Example e;
        e.kind = data::Example::Kind::Text;
        e.text = "Once upon a time, a cat found a hat.";
        auto td = data::tokenizeExamples({e}, tok, nullptr, o);
        return td.examples.empty() ? std::vector<std::int32_t>{} : td.examples.front().ids;
    }
    jinja::Template tpl(tplSource);
    auto td = data::tokenizeExamples({probeConversation()}, tok, &tpl, o);
    if (td.examples.empty())
        throw Error("the chat template cannot render the probe conversation: " +
                    (td.problems.empty() ? std::string("no tokens") : td.problems.front().reason));
    return td.examples.front().ids;
}

std::set<std::int32_t> jsonIds(const Json& j) {
    std::set<std::int32_t> out;
    if (j.is_number_integer()) out.insert(j.get<std::int32_t>());
    if (j.is_array())
        for (const auto& x : j)
            if (x.is_number_integer()) out.insert(x.get<std::int32_t>());
    return out;
}

std::string idsText(const std::set<std::int32_t>& ids) {
    std::string s;
    for (auto i : ids) {
        if (!s.empty()) s += ',';
        s += std::to_string(i);
    }
    return "{" + s + "}";
}

} // namespace

struct ExportChecker::State {
    std::string baseDir;
    std::shared_ptr<LanguageModel> base; // F32, CPU
    LoraModelOptions loraOptions;        // the adapter's
    std::unique_ptr<PeftAdapter> adapter;
    std::string trainTemplate; // the template training rendered with ("" = none)
    std::vector<std::int32_t> probe;
    std::vector<std::vector<float>> ref;
    std::set<std::int32_t> stopIds; // training-time: the end-of-turn token, else the model's EOS ids

    // Logits at every probe position of the LoRA forward pass over the base with `state` (PEFT names).
    std::vector<std::vector<float>> loraLogits(const LoraModelOptions& options,
                                               const std::map<std::string, torch::Tensor>& state) const;
};

Json ArtifactCheck::toJson() const {
    Json j = {{"artifact", artifact},
              {"kind", kind},
              {"type", type},
              {"logits_ok", logitsOk},
              {"template_tokens_match", carriesTemplate ? Json(templateTokensMatch) : Json(nullptr)},
              {"eos_agreement", carriesTemplate ? Json(eosAgreement) : Json(nullptr)},
              {"ok", ok()}};
    j["max_abs_diff"] = maxAbsDiff;
    j["reference_max_abs"] = referenceMaxAbs;
    if (quantised) {
        j["kl"] = kl;
        j["top1_agreement"] = top1Agreement;
    } else {
        j["tolerance"] = tolerance;
        j["top1_agreement"] = top1Agreement;
    }
    if (!note.empty()) j["note"] = note;
    return j;
}

ExportChecker::ExportChecker(const std::string& baseDir, const PeftAdapter& adapter)
    : s_(std::make_unique<State>()) {
    s_->baseDir = baseDir;
    ModelLoadOptions lo;
    lo.device = DeviceSpec::parse("cpu");
    lo.dtype = DType::F32;
    auto lm = LanguageModel::load(baseDir, lo);
    const ModelConfig& cfg = lm->config();

    // Training-time tokens: the base tokenizer plus the tokens the adapter added.
    tok::Tokenizer tok = tok::Tokenizer::load(baseDir);
    std::vector<std::string> added;
    for (const auto& t : adapter.addedTokens()) added.push_back(t.content);
    if (!added.empty()) tok = tok.withAddedTokens(added, true);
    const std::string name = adapter.templateName();
    s_->trainTemplate = !name.empty() && name != "model" ? adapter.templateSource() : tok.chatTemplate();
    s_->probe = renderProbe(tok, s_->trainTemplate);
    if (s_->probe.empty())
        throw Error("the probe text encodes to no tokens with " + baseDir + "'s tokenizer");

    std::string endOfTurn;
    if (!name.empty() && name != "model") try {
            endOfTurn = data::builtinTemplate(name).endOfTurn;
        } catch (const Error&) {
        }
    if (!endOfTurn.empty()) {
        if (auto id = tok.tokenToId(endOfTurn)) s_->stopIds.insert(*id);
    } else {
        s_->stopIds.insert(cfg.eosTokenIds.begin(), cfg.eosTokenIds.end());
        if (auto e = tok.eosId()) s_->stopIds.insert(*e);
    }

    // The reference: LoRA forward pass over the F32 base with the adapter's tensors.
    LoraModelOptions mo;
    mo.lora.rank = adapter.rank();
    mo.lora.alpha = adapter.alpha();
    mo.lora.rslora = adapter.rslora();
    mo.lora.targets = adapter.targetModules();
    const std::int64_t rows = adapter.embeddingRows();
    mo.newTokens = rows > cfg.vocabSize ? static_cast<int>(rows - cfg.vocabSize) : 0;
    s_->base = lm;
    s_->loraOptions = mo;
    s_->adapter = std::make_unique<PeftAdapter>(adapter);
    s_->ref = s_->loraLogits(mo, readTensorsFile(adapter.dir() + "/adapter_model.safetensors"));
}

std::vector<std::vector<float>>
ExportChecker::State::loraLogits(const LoraModelOptions& options,
                                 const std::map<std::string, torch::Tensor>& state) const {
    std::shared_ptr<const Transformer> baseModel(base, &base->transformer());
    LoraModel model(baseModel, options);
    model.loadPeftState(state);
    TrainBatch b;
    const auto T = static_cast<std::int64_t>(probe.size());
    std::vector<std::int64_t> ids(probe.begin(), probe.end());
    b.ids = torch::tensor(ids, torch::kInt64).view({1, T});
    b.positions = torch::arange(T, torch::kInt64).view({1, T});
    b.labels = torch::full({1, T}, -100, torch::kInt64);
    torch::NoGradGuard noGrad;
    torch::Tensor z = model.logits(b).to(torch::kCPU).contiguous();
    const std::int64_t V = z.size(2);
    const float* p = z.data_ptr<float>();
    std::vector<std::vector<float>> out;
    for (std::int64_t t = 0; t < T; ++t) out.emplace_back(p + t * V, p + (t + 1) * V);
    return out;
}

ExportChecker::~ExportChecker() = default;

const std::vector<std::int32_t>& ExportChecker::probeIds() const {
    return s_->probe;
}

const std::vector<std::vector<float>>& ExportChecker::referenceLogits() const {
    return s_->ref;
}

namespace {

// The reloaded model's logits at every probe position (prefix by prefix through the inference path).
std::vector<std::vector<float>> sessionLogits(const std::vector<std::int32_t>& probe,
                                              const std::shared_ptr<LanguageModel>& lm) {
    InferenceSession session(lm);
    std::vector<std::vector<float>> out;
    for (std::size_t t = 0; t < probe.size(); ++t) {
        session.prefill(std::vector<std::int32_t>(probe.begin(), probe.begin() + static_cast<long>(t) + 1));
        out.push_back(session.logits());
    }
    return out;
}

void compareLogits(const std::vector<std::vector<float>>& ref, const std::vector<std::vector<float>>& all,
                   ArtifactCheck& c) {
    double maxDiff = 0, klSum = 0, refMax = 0;
    int agree = 0;
    for (std::size_t t = 0; t < ref.size(); ++t) {
        const auto& got = all[t];
        const auto& want = ref[t];
        if (got.size() != want.size())
            throw Error(c.artifact + ": " + std::to_string(got.size()) +
                        " logits per position, the reference has " + std::to_string(want.size()) +
                        " (the vocabulary size differs)");
        double mw = -INFINITY, mg = -INFINITY;
        std::size_t aw = 0, ag = 0;
        for (std::size_t i = 0; i < want.size(); ++i) {
            maxDiff = std::max(maxDiff, static_cast<double>(std::fabs(got[i] - want[i])));
            refMax = std::max(refMax, static_cast<double>(std::fabs(want[i])));
            if (want[i] > mw) mw = want[i], aw = i;
            if (got[i] > mg) mg = got[i], ag = i;
        }
        double zw = 0, zg = 0;
        for (std::size_t i = 0; i < want.size(); ++i) {
            zw += std::exp(want[i] - mw);
            zg += std::exp(got[i] - mg);
        }
        double kl = 0;
        for (std::size_t i = 0; i < want.size(); ++i) {
            const double lw = want[i] - mw - std::log(zw), lg = got[i] - mg - std::log(zg);
            kl += std::exp(lw) * (lw - lg);
        }
        klSum += std::max(0.0, kl);
        agree += aw == ag;
    }
    const double n = static_cast<double>(ref.size());
    c.maxAbsDiff = maxDiff;
    c.kl = klSum / n;
    c.top1Agreement = agree / n;
    c.referenceMaxAbs = refMax;
    // F32: the merged weights differ from W + B@A in the last bits and the inference path sums in another
    // order than the training forward pass, so differences scale with the logits (about 1e-6 relative).
    const double scale = std::max(1.0, refMax);
    if (c.quantised) {
        c.logitsOk = c.top1Agreement >= 0.5;
    } else {
        c.tolerance = (c.type == "f32" ? 1e-5 : c.type == "f16" ? 1e-2 : 5e-2) * scale;
        c.logitsOk = maxDiff <= c.tolerance;
    }
}

void checkTemplateAndStops(const std::string& tplSource, const tok::Tokenizer& tok,
                           const std::set<std::int32_t>& exportedStops, const std::string& trainTemplate,
                           const std::vector<std::int32_t>& probe, const std::set<std::int32_t>& trainStops,
                           ArtifactCheck& c) {
    if (tplSource.empty() && !trainTemplate.empty()) {
        c.note += "the export has no chat template; ";
    } else {
        try {
            c.templateTokensMatch = renderProbe(tok, tplSource) == probe;
            if (!c.templateTokensMatch) c.note += "the probe conversation tokenizes differently; ";
        } catch (const std::exception& e) {
            c.note += std::string("template: ") + e.what() + "; ";
        }
    }
    c.eosAgreement = !trainStops.empty() && std::includes(exportedStops.begin(), exportedStops.end(),
                                                          trainStops.begin(), trainStops.end());
    if (!c.eosAgreement)
        c.note += "stop ids: training " + idsText(trainStops) + ", export " + idsText(exportedStops) + "; ";
}

} // namespace

ArtifactCheck ExportChecker::checkMerged(const std::string& dir, const std::string& dtype) const {
    ArtifactCheck c;
    c.artifact = dir;
    c.kind = "merged";
    c.type = dtype;
    ModelLoadOptions lo;
    lo.device = DeviceSpec::parse("cpu");
    lo.dtype = DType::F32;
    auto lm = LanguageModel::load(dir, lo);
    compareLogits(s_->ref, sessionLogits(s_->probe, lm), c);
    tok::Tokenizer tok = tok::Tokenizer::load(dir);
    std::set<std::int32_t> stops(lm->config().eosTokenIds.begin(), lm->config().eosTokenIds.end());
    if (auto e = tok.eosId()) stops.insert(*e);
    const fs::path gen = fs::path(dir) / "generation_config.json";
    if (fs::exists(gen)) {
        const Json g = Json::parse(readTextFile(gen.string(), 1u << 20), nullptr, false);
        if (g.is_object() && g.contains("eos_token_id")) {
            auto more = jsonIds(g["eos_token_id"]);
            stops.insert(more.begin(), more.end());
        }
    }
    checkTemplateAndStops(tok.chatTemplate(), tok, stops, s_->trainTemplate, s_->probe, s_->stopIds, c);
    return c;
}

ArtifactCheck ExportChecker::checkGguf(const std::string& path, const std::string& type) const {
    ArtifactCheck c;
    c.artifact = path;
    c.kind = "gguf";
    c.type = type;
    c.quantised = type != "f32" && type != "f16" && type != "bf16";
    ModelLoadOptions lo;
    lo.device = DeviceSpec::parse("cpu");
    lo.dtype = DType::F32;
    auto lm = LanguageModel::load(path, lo);
    compareLogits(s_->ref, sessionLogits(s_->probe, lm), c);
    tok::Tokenizer tok = tok::Tokenizer::load(path);
    std::set<std::int32_t> stops(lm->config().eosTokenIds.begin(), lm->config().eosTokenIds.end());
    if (auto e = tok.eosId()) stops.insert(*e);
    // llama.cpp also ends generation on the end-of-turn / end-of-message tokens.
    const GgufFile g = GgufFile::open(path);
    for (const char* key : {"tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"})
        if (g.has(key)) stops.insert(static_cast<std::int32_t>(g.getU64(key)));
    checkTemplateAndStops(tok.chatTemplate(), tok, stops, s_->trainTemplate, s_->probe, s_->stopIds, c);
    return c;
}

} // namespace hone

namespace hone {

ArtifactCheck ExportChecker::checkGgufLora(const std::string& path, const std::string& type) const {
    ArtifactCheck c;
    c.artifact = path;
    c.kind = "gguf-lora";
    c.type = type;
    const GgufFile g = GgufFile::open(path);
    if (g.getStringOr("general.type", "") != "adapter" || g.getStringOr("adapter.type", "") != "lora")
        throw Error(path + " is not a GGUF LoRA adapter (general.type/adapter.type)");
    std::string arch;
    const std::vector<GgufLoraTarget> targets = planGgufLora(*s_->adapter, s_->baseDir, &arch);
    if (g.getStringOr("general.architecture", "") != arch)
        c.note +=
            "architecture " + g.getStringOr("general.architecture", "?") + ", the base is " + arch + "; ";
    std::map<std::string, torch::Tensor> state;
    int rank = 0;
    for (const GgufLoraTarget& t : targets) {
        for (const bool isA : {true, false}) {
            const std::string name = t.ggufWeight + (isA ? ".lora_a" : ".lora_b");
            const GgufTensor* gt = g.findTensor(name);
            if (!gt) throw Error(path + " lacks the tensor " + name);
            std::vector<float> v = dequantize(*gt);
            const auto cols = static_cast<std::int64_t>(gt->dims.at(0));
            const auto rows = static_cast<std::int64_t>(gt->elements) / cols;
            if (!isA && t.permuteHeads > 0)
                v = permuteHeadRows(v, static_cast<std::size_t>(rows), static_cast<std::size_t>(cols),
                                    t.permuteHeads, true);
            if (isA) rank = static_cast<int>(rows);
            const SafetensorsTensor& peft = isA ? *t.pair->a : *t.pair->b;
            state[peft.name] = torch::from_blob(v.data(), {rows, cols}, torch::kFloat32).clone();
        }
    }
    // As llama.cpp applies it: scale = adapter.lora.alpha / r, whatever the adapter's config said.
    LoraModelOptions mo = s_->loraOptions;
    mo.lora.rank = rank;
    mo.lora.alpha = g.getF64Or("adapter.lora.alpha", 0);
    mo.lora.rslora = false;
    compareLogits(s_->ref, s_->loraLogits(mo, state), c);
    c.carriesTemplate = false; // llama.cpp renders with the base GGUF's template and stops
    c.note += "applied over the base as llama.cpp does (alpha " + std::to_string(mo.lora.alpha) + ", rank " +
              std::to_string(rank) + "); the chat template and stop tokens come from the base GGUF";
    return c;
}

} // namespace hone
