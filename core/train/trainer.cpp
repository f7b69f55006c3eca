// The training loop. Setup (data, template, tokens, model, memory check) throws before any step; the loop
// accumulates micro-batches with the loss normalised by the target tokens of the whole optimizer step,
// clips, steps AdamW, evaluates and checkpoints; stop/pause requests are honoured between micro-batches.
#include "train/trainer.h"

#include "chat/template.h"
#include "common/error.h"
#include "common/mapped_file.h"
#include "data/batch_plan.h"
#include "data/builtin_templates.h"
#include "data/dataset_format.h"
#include "data/split.h"
#include "data/token_dataset.h"
#include "device/torch_device.h"
#include "system/doctor.h"
#include "tokenizer/tokenizer.h"
#include "train/adamw_torch.h"
#include "train/adapter_io_torch.h"
#include "train/init_adapter.h"
#include "train/lora_model_torch.h"
#include "train/lr_schedule.h"
#include "train/memory_estimate.h"

#include <ATen/Context.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

namespace hone {

namespace fs = std::filesystem;

bool TrainControl::waitWhilePaused() {
    if (!pause_.load() || stop_.load()) return false;
    std::unique_lock<std::mutex> lock(m_);
    while (pause_.load() && !stop_.load()) cv_.wait_for(lock, std::chrono::milliseconds(100));
    return true;
}

namespace {

using Clock = std::chrono::steady_clock;

struct PreparedData {
    tok::Tokenizer tokenizer;
    std::vector<data::TokenizedExample> train, eval;
    int newTokens = 0;
    std::string templateName; // "" when the data has no conversations
    std::string templateSource;
    std::string format;
    std::size_t longest = 0;
};

std::uint64_t fnv1a(const std::string& s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

std::string hex(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

Json problemsJson(const std::vector<data::Problem>& problems, std::size_t limit = 20) {
    Json arr = Json::array();
    for (std::size_t i = 0; i < problems.size() && i < limit; ++i)
        arr.push_back({{"line", problems[i].line}, {"reason", problems[i].reason}});
    return arr;
}

data::TokenizeOptions tokenizeOptions(const TrainOptions& o) {
    data::TokenizeOptions to;
    to.trainOn = o.trainOn == "all" ? data::TrainOn::All : data::TrainOn::AssistantOnly;
    to.truncation = o.truncation == "right" ? data::Truncation::Right : data::Truncation::Drop;
    to.maxSeqLen = o.maxSeqLen;
    return to;
}

data::TokenizedDataset tokenizeFile(const std::string& path, const TrainOptions& o, const tok::Tokenizer& tok,
                                    const jinja::Template* tpl, data::DatasetFormat format) {
    auto raw = data::readDatasetFile(path);
    auto conv = data::convert(raw, format);
    auto td = data::tokenizeExamples(conv.examples, tok, tpl, tokenizeOptions(o));
    td.problems.insert(td.problems.begin(), conv.problems.begin(), conv.problems.end());
    td.skipped += conv.skipped;
    return td;
}

PreparedData prepareData(const TrainOptions& o, const ModelConfig& cfg, const TrainEventFn& emit) {
    PreparedData p{tok::Tokenizer::load(o.modelPath), {}, {}, 0, {}, {}, {}, 0};
    auto raw = data::readDatasetFile(o.dataPath);
    data::DatasetFormat format;
    if (!o.format.empty()) {
        format = data::parseFormatName(o.format);
    } else {
        auto det = data::detectFormat(raw);
        if (!det.format)
            throw Error(o.dataPath + ": cannot tell the dataset format (" + det.explanation +
                        "); pass --format alpaca|sharegpt|messages|text|prompt-completion");
        format = *det.format;
    }
    p.format = data::formatName(format);
    auto conv = data::convert(raw, format);
    if (conv.kept() == 0) {
        std::string why = conv.problems.empty() ? "no rows" : conv.problems.front().reason;
        if (!conv.problems.empty() && conv.problems.front().line > 0)
            why = "line " + std::to_string(conv.problems.front().line) + ": " + why;
        throw Error(o.dataPath + ": no usable rows as " + p.format + " (" + why +
                    "); check the file or pass another --format");
    }
    const bool conversations =
        std::any_of(conv.examples.begin(), conv.examples.end(),
                    [](const data::Example& e) { return e.kind == data::Example::Kind::Conversation; });
    std::unique_ptr<jinja::Template> tpl;
    if (conversations) {
        if (!o.templateName.empty() && o.templateName != "model") {
            const auto& b = data::builtinTemplate(o.templateName);
            p.templateName = b.name;
            p.templateSource = b.jinja;
            if (!b.newSpecialTokens.empty())
                p.tokenizer = p.tokenizer.withAddedTokens(b.newSpecialTokens, true);
        } else {
            p.templateSource = p.tokenizer.chatTemplate();
            p.templateName = "model";
            if (p.templateSource.empty())
                throw Error(
                    o.modelPath +
                    " has no chat template; choose one with --template alpaca (plain text, works with any "
                    "model's tokens) or --template chatml (adds <|im_start|>/<|im_end|> tokens)");
        }
        tpl = std::make_unique<jinja::Template>(p.templateSource);
    }
    const int tokVocab = static_cast<int>(p.tokenizer.vocabSize());
    p.newTokens = std::max(0, tokVocab - cfg.vocabSize);

    auto td = data::tokenizeExamples(conv.examples, p.tokenizer, tpl.get(), tokenizeOptions(o));
    td.problems.insert(td.problems.begin(), conv.problems.begin(), conv.problems.end());
    std::stable_sort(td.problems.begin(), td.problems.end(),
                     [](const data::Problem& a, const data::Problem& b) { return a.line < b.line; });
    td.skipped += conv.skipped;
    if (td.examples.empty())
        throw Error(
            o.dataPath + ": every row was skipped (" +
            (td.problems.empty() ? std::string("no tokens to train on") : td.problems.front().reason) +
            "); raise --max-seq-len (now " + std::to_string(o.maxSeqLen) +
            ") or pass --truncation right if rows are too long");
    Json ev = {{"event", "data"},
               {"format", p.format},
               {"template", p.templateName},
               {"kept", td.examples.size()},
               {"skipped", td.skipped},
               {"problems", problemsJson(td.problems)},
               {"problem_count", td.problems.size()},
               {"target_tokens", td.targetTokens},
               {"lengths",
                {{"min", td.lengths.min},
                 {"median", td.lengths.median},
                 {"p95", td.lengths.p95},
                 {"max", td.lengths.max},
                 {"over_max", td.lengths.overMax}}},
               {"added_tokens", p.newTokens}};
    p.longest = td.lengths.max;

    if (!o.evalDataPath.empty()) {
        auto ed = tokenizeFile(o.evalDataPath, o, p.tokenizer, tpl.get(), format);
        if (ed.examples.empty()) throw Error(o.evalDataPath + ": no usable validation rows");
        p.train = std::move(td.examples);
        p.eval = std::move(ed.examples);
    } else if (o.evalSplit > 0) {
        data::SplitOptions so;
        so.evalFraction = o.evalSplit;
        so.seed = o.seed;
        auto split = data::splitExamples(td.examples.size(), so);
        for (auto i : split.train) p.train.push_back(td.examples[i]);
        for (auto i : split.eval) p.eval.push_back(td.examples[i]);
    } else {
        p.train = std::move(td.examples);
    }
    ev["train_examples"] = p.train.size();
    ev["eval_examples"] = p.eval.size();
    emit(ev);
    return p;
}

// Tokens of real documents in a micro-batch (padding excluded).
std::size_t realTokens(const data::MicroBatch& mb, const std::vector<data::TokenizedExample>& examples) {
    std::size_t n = 0;
    for (auto i : mb.exampleIndices) n += examples[i].ids.size();
    return n;
}

std::uint64_t currentPeakRss() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
    return 0;
}

void resetPeakRss() {
    std::ofstream f("/proc/self/clear_refs");
    if (f) f << "5";
}

struct Cursor {
    int epoch = 0;
    std::size_t micro = 0;
};

class Loop {
public:
    Loop(const TrainOptions& o, PreparedData& d, LoraModel& m, const TrainEventFn& emit, TrainControl* ctl,
         const std::string& runDir)
        : o_(o)
        , d_(d)
        , m_(m)
        , emit_(emit)
        , ctl_(ctl)
        , runDir_(runDir)
        , dev_(toTorchDevice(m.base().device())) {
        AdamWOptions ao;
        ao.beta1 = o.beta1;
        ao.beta2 = o.beta2;
        ao.eps = o.adamEps;
        ao.weightDecay = o.weightDecay;
        adam_ = std::make_unique<AdamW>(m.parameters(), ao);
        bo_.batchSize = o.batchSize;
        bo_.maxSeqLen = o.maxSeqLen;
        bo_.packing = o.packing;
        bo_.seed = o.seed;
        bo_.shuffle = true;
        bo_.padId = d.tokenizer.padId().value_or(d.tokenizer.eosId().value_or(0));
        // Total optimizer steps: the micro-batch stream runs epoch after epoch.
        if (o.maxSteps > 0) {
            totalSteps_ = o.maxSteps;
        } else {
            std::size_t micro = 0;
            for (int e = 0; e < o.epochs; ++e) micro += data::planEpoch(d.train, bo_, e).size();
            totalSteps_ = static_cast<std::int64_t>((micro + static_cast<std::size_t>(o.gradAccum) - 1) /
                                                    static_cast<std::size_t>(o.gradAccum));
            totalMicro_ = micro;
        }
        sched_.kind = parseScheduleKind(o.schedule);
        sched_.peakLr = o.lr;
        sched_.totalSteps = std::max<std::int64_t>(1, totalSteps_);
        sched_.warmupSteps = o.warmupSteps > 0
                                 ? o.warmupSteps
                                 : static_cast<std::int64_t>(std::ceil(o.warmupRatio * totalSteps_));
        plan_ = data::planEpoch(d.train, bo_, 0);
    }

    std::int64_t totalSteps() const { return totalSteps_; }
    std::int64_t step() const { return step_; }

    void restore(const std::string& ckpt) {
        auto adapter = readTensorsFile(ckpt + "/adapter_model.safetensors");
        m_.loadPeftState(adapter);
        auto opt = readTensorsFile(ckpt + "/optimizer.safetensors");
        std::vector<std::pair<std::string, torch::Tensor>> st;
        torch::Tensor rng, rngCuda;
        for (auto& [k, v] : opt) {
            if (k == "rng.cpu")
                rng = v;
            else
                st.emplace_back(k, v.to(dev_));
        }
        adam_->loadState(st);
        if (rng.defined()) {
            at::Generator gen = at::globalContext().defaultGenerator(c10::Device(c10::kCPU));
            std::lock_guard<std::mutex> lock(gen.mutex());
            gen.set_state(rng);
        }
        if (rngCuda.defined() && dev_.is_cuda()) {
            at::Generator gen = at::globalContext().defaultGenerator(dev_);
            std::lock_guard<std::mutex> lock(gen.mutex());
            gen.set_state(rngCuda);
        }
        Json s = Json::parse(readTextFile(ckpt + "/trainer_state.json"));
        step_ = s.at("step").get<std::int64_t>();
        cursor_.epoch = s.at("epoch").get<int>();
        cursor_.micro = s.at("micro").get<std::size_t>();
        tokensSeen_ = s.value("tokens_seen", std::uint64_t(0));
        lastCheckpointStep_ = step_;
        lastCheckpoint_ = ckpt;
        plan_ = data::planEpoch(d_.train, bo_, cursor_.epoch);
    }

    TrainResult run() {
        TrainResult res;
        res.runDir = runDir_;
        auto params = m_.parameters();
        const auto started = Clock::now();
        const std::int64_t firstStep = step_;
        double lastLoss = 0;
        // The baseline validation loss of a fresh run (the first point of the eval curve).
        if (step_ == 0 && !d_.eval.empty()) evaluate();
        while (step_ < totalSteps_) {
            if (ctl_ && ctl_->pauseRequested()) {
                emit_({{"event", "paused"}, {"step", step_}});
                ctl_->waitWhilePaused();
                if (!ctl_->stopRequested()) emit_({{"event", "resumed"}, {"step", step_}});
            }
            if (ctl_ && ctl_->stopRequested()) return finishStopped(res);
            const Cursor atStart = cursor_;
            std::vector<data::MicroBatch> mbs;
            for (int k = 0; k < o_.gradAccum; ++k) {
                if (!nextMicro(mbs)) break;
            }
            if (mbs.empty()) break;
            std::size_t targets = 0, tokens = 0;
            for (const auto& mb : mbs) {
                targets += mb.targetTokens;
                tokens += realTokens(mb, d_.train);
            }
            const double normalizer = std::max<double>(1.0, static_cast<double>(targets));
            resetPeakRss();
            const auto t0 = Clock::now();
            double loss = 0;
            bool interrupted = false;
            try {
                for (std::size_t i = 0; i < mbs.size(); ++i) {
                    if (i > 0 && ctl_ && ctl_->stopRequested()) {
                        interrupted = true;
                        break;
                    }
                    TrainBatch tb = makeTrainBatch(mbs[i], dev_, o_.packing);
                    torch::Tensor l = m_.loss(tb, normalizer, true);
                    l.backward();
                    loss += l.item<double>();
                }
            } catch (const c10::Error& e) {
                adam_->zeroGrad();
                cursor_ = atStart;
                const std::string what = e.what_without_backtrace();
                const bool oom = what.find("out of memory") != std::string::npos ||
                                 what.find("DefaultCPUAllocator") != std::string::npos;
                return finishFailed(res, (oom ? "out of memory at step " : "error at step ") +
                                             std::to_string(step_ + 1) + ": " + what.substr(0, 300) +
                                             (oom ? "; lower --batch-size or --max-seq-len, or turn on "
                                                    "--gradient-checkpointing, and resume"
                                                  : ""));
            } catch (const Error& e) { // a GPU kernel that failed to launch (train/gpu_kernel_ops.cpp)
                adam_->zeroGrad();
                cursor_ = atStart;
                return finishFailed(res, "error at step " + std::to_string(step_ + 1) + ": " + e.what());
            }
            if (interrupted) {
                adam_->zeroGrad();
                cursor_ = atStart;
                return finishStopped(res);
            }
            const double gradNorm = clipGradNorm(params, o_.maxGradNorm);
            if (!std::isfinite(loss) || !std::isfinite(gradNorm)) {
                adam_->zeroGrad();
                cursor_ = atStart;
                char buf[200];
                std::snprintf(buf, sizeof buf, "the loss is %g and the gradient norm %g", loss, gradNorm);
                return finishFailed(res, "training diverged at step " + std::to_string(step_ + 1) + ": " +
                                             buf + "; the adapter was not updated with it. Lower --lr (now " +
                                             fmtNum(o_.lr) + ") or keep --max-grad-norm on, then resume");
            }
            const double lr = sched_.at(step_);
            adam_->step(lr);
            adam_->zeroGrad();
            ++step_;
            tokensSeen_ += tokens;
            lastLoss = loss;
            const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
            const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
            const double eta =
                elapsed / static_cast<double>(step_ - firstStep) * static_cast<double>(totalSteps_ - step_);
            emit_({{"event", "step"},
                   {"step", step_},
                   {"total_steps", totalSteps_},
                   {"epoch", epochFraction()},
                   {"loss", loss},
                   {"lr", lr},
                   {"grad_norm", gradNorm},
                   {"tokens", tokens},
                   {"target_tokens", targets},
                   {"tokens_per_s", secs > 0 ? static_cast<double>(tokens) / secs : 0.0},
                   {"step_time_s", secs},
                   {"peak_mem_bytes", currentPeakRss()},
                   {"eta_s", eta}});
            if (o_.evalEvery > 0 && step_ % o_.evalEvery == 0 && !d_.eval.empty()) evaluate();
            if (o_.saveEvery > 0 && step_ % o_.saveEvery == 0) saveCheckpoint();
        }
        res.finalTrainLoss = lastLoss;
        if (!d_.eval.empty()) res.finalEvalLoss = evaluate();
        if (lastCheckpointStep_ != step_) saveCheckpoint();
        const std::string adapter = runDir_ + "/adapter";
        replaceFolderAtomically(adapter, [&](const std::string& dir) { writeAdapter(dir); });
        res.status = "finished";
        res.adapterDir = adapter;
        res.steps = step_;
        return res;
    }

    double evaluate() {
        torch::NoGradGuard noGrad;
        data::BatchPlanOptions eo = bo_;
        eo.shuffle = false;
        auto plan = data::planEpoch(d_.eval, eo, 0);
        double sum = 0;
        std::size_t targets = 0;
        for (const auto& mb : plan) {
            if (mb.targetTokens == 0) continue;
            TrainBatch tb = makeTrainBatch(mb, dev_, o_.packing);
            const double t = static_cast<double>(mb.targetTokens);
            sum += m_.loss(tb, t, false).item<double>() * t;
            targets += mb.targetTokens;
        }
        const double loss = targets ? sum / static_cast<double>(targets) : 0.0;
        emit_({{"event", "eval"},
               {"step", step_},
               {"eval_loss", loss},
               {"perplexity", std::exp(std::min(loss, 700.0))},
               {"target_tokens", targets}});
        return loss;
    }

    void writeAdapter(const std::string& dir) const {
        writeTensorsFile(dir + "/adapter_model.safetensors", m_.peftState(), {{"format", "pt"}});
        const auto& l = m_.options().lora;
        Json cfg = peftAdapterConfig(l.rank, l.alpha, l.dropout, l.rslora, l.expandedTargets(),
                                     fs::absolute(o_.modelPath).string(), m_.options().newTokens > 0);
        writeFileDurably(dir + "/adapter_config.json", cfg.dump(2) + "\n");
        Json hone = {{"format", "hone-adapter"},
                     {"version", 1},
                     {"base_model", fs::absolute(o_.modelPath).string()},
                     {"template", d_.templateName},
                     {"chat_template", d_.templateSource},
                     {"added_tokens", addedTokens()},
                     {"base_vocab_size", m_.config().vocabSize},
                     {"step", step_},
                     {"dtype", dtypeName(m_.base().computeDType())}};
        writeFileDurably(dir + "/hone_adapter.json", hone.dump(2) + "\n");
    }

private:
    static std::string fmtNum(double v) {
        char b[32];
        std::snprintf(b, sizeof b, "%g", v);
        return b;
    }

    Json addedTokens() const {
        Json arr = Json::array();
        for (int i = 0; i < m_.options().newTokens; ++i) {
            const auto id = static_cast<std::int32_t>(m_.config().vocabSize + i);
            arr.push_back({{"id", id}, {"content", d_.tokenizer.idToToken(id).value_or("")}});
        }
        return arr;
    }

    double epochFraction() const {
        const double n = static_cast<double>(std::max<std::size_t>(1, plan_.size()));
        return cursor_.epoch + static_cast<double>(cursor_.micro) / n;
    }

    bool nextMicro(std::vector<data::MicroBatch>& out) {
        if (o_.maxSteps <= 0 && consumedMicro() >= totalMicro_) return false;
        if (cursor_.micro >= plan_.size()) {
            ++cursor_.epoch;
            cursor_.micro = 0;
            plan_ = data::planEpoch(d_.train, bo_, cursor_.epoch);
            if (plan_.empty()) return false;
        }
        out.push_back(plan_[cursor_.micro++]);
        return true;
    }

    std::size_t consumedMicro() const {
        // Micro-batches of earlier epochs plus this one's position (only used with epochs, where sizes are
        // known).
        std::size_t n = 0;
        for (int e = 0; e < cursor_.epoch; ++e) n += epochSize(e);
        return n + cursor_.micro;
    }

    std::size_t epochSize(int e) const {
        auto it = epochSizes_.find(e);
        if (it != epochSizes_.end()) return it->second;
        const std::size_t n = data::planEpoch(d_.train, bo_, e).size();
        epochSizes_[e] = n;
        return n;
    }

    void saveCheckpoint() {
        const std::string dir = runDir_ + "/checkpoints/checkpoint-" + std::to_string(step_);
        replaceFolderAtomically(dir, [&](const std::string& tmp) {
            writeAdapter(tmp);
            auto st = adam_->state();
            st.emplace_back("rng.cpu",
                            at::globalContext().defaultGenerator(c10::Device(c10::kCPU)).get_state());
            writeTensorsFile(tmp + "/optimizer.safetensors", st);
            Json s = {{"step", step_},
                      {"epoch", cursor_.epoch},
                      {"micro", cursor_.micro},
                      {"tokens_seen", tokensSeen_},
                      {"total_steps", totalSteps_}};
            writeFileDurably(tmp + "/trainer_state.json", s.dump(2) + "\n");
        });
        lastCheckpointStep_ = step_;
        lastCheckpoint_ = dir;
        emit_({{"event", "checkpoint"}, {"step", step_}, {"path", dir}});
        prune();
    }

    void prune() {
        if (o_.keepCheckpoints <= 0) return;
        std::vector<std::pair<std::int64_t, fs::path>> all;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(runDir_ + "/checkpoints", ec)) {
            const std::string n = e.path().filename().string();
            if (n.rfind("checkpoint-", 0) != 0 || n.find('.') != std::string::npos) continue;
            try {
                all.emplace_back(std::stoll(n.substr(11)), e.path());
            } catch (const std::exception&) {
            }
        }
        std::sort(all.begin(), all.end());
        while (all.size() > static_cast<std::size_t>(o_.keepCheckpoints)) {
            fs::remove_all(all.front().second, ec);
            all.erase(all.begin());
        }
    }

    TrainResult& finishStopped(TrainResult& res) {
        if (lastCheckpointStep_ != step_ && step_ > 0) saveCheckpoint();
        res.status = "stopped";
        res.steps = step_;
        res.adapterDir = lastCheckpoint_;
        return res;
    }

    TrainResult& finishFailed(TrainResult& res, const std::string& error) {
        res.status = "failed";
        res.error = error + (lastCheckpoint_.empty() ? "" : " (last checkpoint: " + lastCheckpoint_ + ")");
        res.steps = step_;
        res.adapterDir = lastCheckpoint_;
        return res;
    }

    const TrainOptions& o_;
    PreparedData& d_;
    LoraModel& m_;
    TrainEventFn emit_;
    TrainControl* ctl_;
    std::string runDir_;
    c10::Device dev_;
    std::unique_ptr<AdamW> adam_;
    data::BatchPlanOptions bo_;
    LrSchedule sched_;
    std::vector<data::MicroBatch> plan_;
    mutable std::map<int, std::size_t> epochSizes_;
    Cursor cursor_;
    std::int64_t step_ = 0, totalSteps_ = 0, lastCheckpointStep_ = -1;
    std::size_t totalMicro_ = 0;
    std::uint64_t tokensSeen_ = 0;
    std::string lastCheckpoint_;
};

DType resolveDType(const std::string& name, const DeviceSpec& dev) {
    if (name.empty() || name == "auto") return dev.kind == DeviceKind::Cuda ? DType::BF16 : DType::F32;
    return parseDType(name);
}

struct Setup {
    DeviceSpec dev;
    DType dtype = DType::F32;
    ModelConfig cfg;
    PreparedData data;
    MemoryEstimate est;
    MemoryBudget budget;
    bool fits = true;
    std::string memoryError;
};

// Everything before the weights load: validation, the data, the template, tokens, and the memory check.
// `resuming`: the run's saved settings already hold the init adapter's shape, and its checkpoint the weights.
Setup prepare(TrainOptions& o, const TrainEventFn& emit, bool enforceMemory, bool resuming = false) {
    if (!resuming) takeInitAdapterShape(o);
    o.validate();
    configureThreads(o.threads);
    const DeviceSpec dev = resolveDevice(DeviceSpec::parse(o.device));
    const DType dtype = resolveDType(o.dtype, dev);
    if (fs::is_regular_file(o.modelPath))
        throw Error(o.modelPath +
                    ": training needs a Hugging Face model folder (config.json + safetensors); " +
                    "GGUF and other single files are for chat (training a quantised base comes later)");
    if (!fs::exists(o.modelPath))
        throw Error("model folder " + o.modelPath +
                    " does not exist; pass --model with a Hugging Face model folder");
    const ModelConfig cfg = loadHfConfig(o.modelPath);
    {
        // Rank against every targeted projection, before anything is written.
        const long long hid = cfg.hiddenSize, q = static_cast<long long>(cfg.numHeads) * cfg.headDim,
                        kv = static_cast<long long>(cfg.numKvHeads) * cfg.headDim, ff = cfg.intermediateSize;
        for (const auto& t : o.lora.expandedTargets()) {
            if (t == "q_proj") o.lora.checkFits(t, hid, q);
            if (t == "k_proj" || t == "v_proj") o.lora.checkFits(t, hid, kv);
            if (t == "o_proj") o.lora.checkFits(t, q, hid);
            if (t == "gate_proj" || t == "up_proj") o.lora.checkFits(t, hid, ff);
            if (t == "down_proj") o.lora.checkFits(t, ff, hid);
        }
    }
    PreparedData data = prepareData(o, cfg, emit);
    if (!resuming) checkInitAdapter(o, cfg, data.newTokens);

    // Memory check before the weights are loaded.
    TrainShape shape;
    shape.batchSize = o.batchSize;
    shape.seqLen =
        o.packing ? o.maxSeqLen : static_cast<int>(std::min<std::size_t>(o.maxSeqLen, data.longest));
    shape.loraRank = o.lora.rank;
    shape.loraTargetsPerLayer = static_cast<int>(o.lora.expandedTargets().size());
    shape.newTokens = data.newTokens;
    shape.bytesPerWeight = shape.bytesPerActivation = computeDTypeFor(dev, dtype) == DType::F32 ? 4 : 2;
    shape.checkpointing = o.gradientCheckpointing;
    const MemoryEstimate est = estimateTrainingMemory(cfg, shape);
    MemoryBudget budget;
    bool fits = true;
    std::string memoryError;
    if (dev.kind == DeviceKind::Cpu) {
        budget = cpuMemoryBudget();
        if (budget.available > 0 && est.total() > budget.available) {
            std::string advice = "lower --batch-size (now " + std::to_string(o.batchSize) +
                                 ") or --max-seq-len (now " + std::to_string(o.maxSeqLen) + ")";
            if (!o.gradientCheckpointing) advice += ", or turn on --gradient-checkpointing";
            fits = false;
            memoryError =
                ("not enough memory: this training needs about " + formatBytes(est.total()) + " (weights " +
                 formatBytes(est.weights) + ", activations " + formatBytes(est.activations + est.transient) +
                 ") but only " + formatBytes(budget.available) + " is available (limited by " +
                 budget.limitedBy + "); " + advice);
            if (enforceMemory) throw Error(memoryError);
        }
    }

    return Setup{dev, dtype, cfg, std::move(data), est, budget, fits, memoryError};
}

} // namespace

std::string latestCheckpoint(const std::string& runDir) {
    std::error_code ec;
    std::int64_t best = -1;
    std::string path;
    for (const auto& e : fs::directory_iterator(fs::path(runDir) / "checkpoints", ec)) {
        const std::string n = e.path().filename().string();
        if (n.rfind("checkpoint-", 0) != 0 || n.find('.') != std::string::npos) continue;
        if (!fs::exists(e.path() / "trainer_state.json")) continue;
        try {
            const std::int64_t s = std::stoll(n.substr(11));
            if (s > best) {
                best = s;
                path = e.path().string();
            }
        } catch (const std::exception&) {
        }
    }
    return path;
}

TrainResult runTraining(const TrainOptions& requested, const TrainEventFn& onEvent, TrainControl* control,
                        const std::string& resumeDir) {
    TrainOptions o = requested;
    std::string ckpt;
    if (!resumeDir.empty()) {
        const std::string cfgPath = resumeDir + "/config.json";
        if (!fs::exists(cfgPath))
            throw Error(resumeDir + " is not a Hone run folder (config.json is missing)");
        o = TrainOptions::fromJson(Json::parse(readTextFile(cfgPath)), cfgPath);
        o.outDir = resumeDir;
        if (requested.device != "auto") o.device = requested.device;
        if (requested.threads > 0) o.threads = requested.threads;
        ckpt = latestCheckpoint(resumeDir);
        if (ckpt.empty())
            throw Error(resumeDir + " has no complete checkpoint to resume from; start the run again");
    }
    if (o.outDir.empty()) throw Error("no run folder: pass --out DIR");
    auto emit = [&](const Json& e) {
        if (onEvent) onEvent(e);
    };
    Setup st = prepare(o, emit, true, !ckpt.empty());
    const DeviceSpec dev = st.dev;
    const DType dtype = st.dtype;
    PreparedData& data = st.data;
    const MemoryEstimate& est = st.est;
    std::error_code ec;
    fs::create_directories(o.outDir, ec);
    if (ec) throw Error("cannot create the run folder " + o.outDir + ": " + ec.message());
    if (ckpt.empty()) {
        Json saved = o.toJson();
        writeFileDurably(o.outDir + "/config.json", saved.dump(2) + "\n");
    }

    torch::manual_seed(o.seed);
    auto base = loadTransformer(o.modelPath, dev, dtype);
    LoraModelOptions mo;
    mo.lora = o.lora;
    mo.seed = o.seed;
    mo.newTokens = data.newTokens;
    mo.checkpointing = o.gradientCheckpointing;
    LoraModel model(base, mo);
    if (!o.initAdapter.empty() && ckpt.empty())
        model.loadPeftState(readTensorsFile(initAdapterFolder(o.initAdapter) + "/adapter_model.safetensors"));
    Loop loop(o, data, model, emit, control, o.outDir);
    if (!ckpt.empty()) {
        loop.restore(ckpt);
        if (loop.step() >= loop.totalSteps())
            throw Error("this run already finished all " + std::to_string(loop.totalSteps()) +
                        " steps; there is nothing to resume (start a new run to train further)");
    }
    emit({{"event", "start"},
          {"run_dir", o.outDir},
          {"total_steps", loop.totalSteps()},
          {"step", loop.step()},
          {"resumed_from", ckpt.empty() ? Json(nullptr) : Json(ckpt)},
          {"init_adapter", o.initAdapter.empty() ? Json(nullptr) : Json(o.initAdapter)},
          {"trainable_params", model.trainableCount()},
          {"train_examples", data.train.size()},
          {"eval_examples", data.eval.size()},
          {"device", dev.str()},
          {"dtype", dtypeName(base->computeDType())},
          {"threads", at::get_num_threads()},
          {"torch_version", TORCH_VERSION},
          {"memory_estimate_bytes", est.total()},
          {"dataset_hash", hex(fnv1a(readTextFile(o.dataPath)))},
          {"template_hash", hex(fnv1a(data.templateSource))}});
    TrainResult res = loop.run();
    Json done = {{"event", "done"}, {"status", res.status}, {"step", res.steps}, {"run_dir", o.outDir}};
    done["adapter"] = res.adapterDir.empty() ? Json(nullptr) : Json(res.adapterDir);
    if (!res.error.empty()) done["error"] = res.error;
    done["final_train_loss"] = res.finalTrainLoss;
    if (res.finalEvalLoss >= 0) done["final_eval_loss"] = res.finalEvalLoss;
    emit(done);
    return res;
}

} // namespace hone

namespace hone {

Json inspectTraining(const TrainOptions& options, const TrainEventFn& onEvent) {
    TrainOptions o = options;
    auto emit = [&](const Json& e) {
        if (onEvent) onEvent(e);
    };
    Setup st = prepare(o, emit, false);
    Json e = {{"event", "estimate"},
              {"device", st.dev.str()},
              {"dtype", dtypeName(computeDTypeFor(st.dev, st.dtype))},
              {"total_bytes", st.est.total()},
              {"weights_bytes", st.est.weights},
              {"trainable_bytes", st.est.trainable},
              {"activation_bytes", st.est.activations + st.est.transient},
              {"available_bytes", st.budget.available},
              {"fits", st.fits}};
    if (!st.fits) e["error"] = st.memoryError;
    emit(e);
    return e;
}

} // namespace hone
