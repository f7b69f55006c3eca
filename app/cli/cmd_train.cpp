// `hone train`: trains a LoRA adapter headless. Settings come from --config FILE (JSON/YAML) overridden by
// flags; progress is a bar on a terminal, JSON lines with --json-progress (the stable machine interface the
// GUI's worker process reads). With the store available every run is a row in hone.db with its metrics.
// Signals: SIGINT/SIGTERM stop after the current micro-batch with a checkpoint; SIGUSR1 pauses, SIGUSR2
// resumes.
#include "commands.h"

#include "common/error.h"
#include "model/model_config.h"
#include "train/trainer.h"

#ifdef HONE_CLI_HAS_CORE
#include "store/run_store.h"

#include "store/store.h"
#include "system/app_paths.h"
#include <QCoreApplication>
#endif

#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <unistd.h>

namespace hone::cli {

namespace {

TrainControl* gControl = nullptr;

extern "C" void onStopSignal(int) {
    if (gControl) gControl->signalStop();
}
extern "C" void onPauseSignal(int) {
    if (gControl) gControl->signalPause();
}
extern "C" void onResumeSignal(int) {
    if (gControl) gControl->signalResume();
}

// Options that take a value, by their TrainOptions JSON name (== the flag name).
const std::vector<std::string>& valueOptions() {
    static const std::vector<std::string> v = {
        "model",       "data",          "eval-data",    "format",       "template",   "train-on",
        "truncation",  "lora-rank",     "lora-alpha",   "lora-dropout", "targets",    "lr",
        "schedule",    "warmup",        "warmup-ratio", "weight-decay", "adam-beta1", "adam-beta2",
        "adam-eps",    "max-grad-norm", "epochs",       "max-steps",    "batch-size", "grad-accum",
        "max-seq-len", "seed",          "eval-split",   "eval-every",   "save-every", "keep-checkpoints",
        "device",      "dtype",         "threads",      "out",          "name",       "init-adapter"};
    return v;
}
const std::vector<std::string>& flagOptions() {
    static const std::vector<std::string> v = {"packing", "gradient-checkpointing", "rslora"};
    return v;
}

std::string isoNow() {
    std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::gmtime(&t));
    return buf;
}

std::string duration(double s) {
    if (!(s >= 0) || s > 1e7) return "?";
    char buf[32];
    const long v = static_cast<long>(s + 0.5);
    if (v >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", v / 3600, (v % 3600) / 60);
    else
        std::snprintf(buf, sizeof buf, "%ldm%02lds", v / 60, v % 60);
    return buf;
}

// Human progress: a bar on a terminal, one line per 10 steps otherwise.
void printHuman(const Json& e, bool tty) {
    const std::string ev = e.value("event", "");
    if (ev == "data") {
        std::fprintf(stderr,
                     "data: %s, %zu examples kept, %zu skipped (template %s); tokens min %zu / median %zu / "
                     "p95 %zu / max %zu\n",
                     e.value("format", "").c_str(), e.value("kept", std::size_t(0)),
                     e.value("skipped", std::size_t(0)),
                     e.value("template", "").empty() ? "none" : e.value("template", "").c_str(),
                     e["lengths"].value("min", std::size_t(0)), e["lengths"].value("median", std::size_t(0)),
                     e["lengths"].value("p95", std::size_t(0)), e["lengths"].value("max", std::size_t(0)));
        for (const auto& p : e["problems"])
            std::fprintf(stderr, "  line %zu: %s\n", p.value("line", std::size_t(0)),
                         p.value("reason", "").c_str());
        if (e.value("problem_count", std::size_t(0)) > e["problems"].size())
            std::fprintf(stderr, "  ... %zu more problems\n",
                         e.value("problem_count", std::size_t(0)) - e["problems"].size());
    } else if (ev == "start") {
        std::fprintf(stderr, "training %lld steps on %s (%s, %d threads), %lld trainable parameters -> %s\n",
                     e.value("total_steps", 0LL), e.value("device", "").c_str(), e.value("dtype", "").c_str(),
                     e.value("threads", 0), e.value("trainable_params", 0LL), e.value("run_dir", "").c_str());
    } else if (ev == "step") {
        const long long step = e.value("step", 0LL), total = e.value("total_steps", 1LL);
        if (tty) {
            const int width = 24;
            const int filled = static_cast<int>(width * step / std::max(1LL, total));
            std::string bar(static_cast<std::size_t>(filled), '=');
            bar.resize(static_cast<std::size_t>(width), ' ');
            std::fprintf(stderr, "\r[%s] %lld/%lld loss %.4f lr %.2e %.0f tok/s ETA %s   ", bar.c_str(), step,
                         total, e.value("loss", 0.0), e.value("lr", 0.0), e.value("tokens_per_s", 0.0),
                         duration(e.value("eta_s", 0.0)).c_str());
        } else if (step % 10 == 0 || step == total || step == 1) {
            std::fprintf(stderr, "step %lld/%lld loss %.4f lr %.2e grad-norm %.3f %.0f tok/s\n", step, total,
                         e.value("loss", 0.0), e.value("lr", 0.0), e.value("grad_norm", 0.0),
                         e.value("tokens_per_s", 0.0));
        }
    } else if (ev == "eval") {
        std::fprintf(stderr, "%sstep %lld: eval loss %.4f (perplexity %.2f)\n", tty ? "\n" : "",
                     e.value("step", 0LL), e.value("eval_loss", 0.0), e.value("perplexity", 0.0));
    } else if (ev == "checkpoint") {
        std::fprintf(stderr, "%scheckpoint: %s\n", tty ? "\n" : "", e.value("path", "").c_str());
    } else if (ev == "paused" || ev == "resumed") {
        std::fprintf(stderr, "%s%s at step %lld\n", tty ? "\n" : "", ev.c_str(), e.value("step", 0LL));
    } else if (ev == "done") {
        std::fprintf(stderr, "%s%s after %lld steps", tty ? "\n" : "", e.value("status", "").c_str(),
                     e.value("step", 0LL));
        if (e.contains("final_eval_loss"))
            std::fprintf(stderr, ", eval loss %.4f", e.value("final_eval_loss", 0.0));
        std::fprintf(stderr, "\n");
        if (e.contains("error")) std::fprintf(stderr, "error: %s\n", e.value("error", "").c_str());
        if (e.contains("adapter") && !e["adapter"].is_null())
            std::fprintf(stdout, "adapter: %s\n", e["adapter"].get<std::string>().c_str());
    }
}

#ifdef HONE_CLI_HAS_CORE
// Writes events into the run store, metrics batched (at most one transaction per second).
class Recorder {
public:
    Recorder(RunStore& runs, std::int64_t id)
        : runs_(runs)
        , id_(id) {}
    void on(const Json& e) {
        const std::string ev = e.value("event", "");
        if (ev == "start") {
            const long long step = e.value("step", 0LL);
            runs_.deleteMetricsAfter(id_, step);
            runs_.deleteCheckpointsAfter(id_, step);
            runs_.setProgress(id_, step, e.value("total_steps", 0LL));
            runs_.setRunInfo(id_, e.value("device", ""), e.value("dataset_hash", ""),
                             e.value("template_hash", ""),
                             Json({{"hone", HONE_VERSION},
                                   {"torch", e.value("torch_version", "")},
                                   {"dtype", e.value("dtype", "")},
                                   {"threads", e.value("threads", 0)}})
                                 .dump());
            runs_.setStatus(id_, RunStatus::Running);
        } else if (ev == "step") {
            MetricRow r;
            r.step = e.value("step", 0LL);
            r.kind = MetricKind::Train;
            r.loss = e.value("loss", 0.0);
            r.lr = e.value("lr", 0.0);
            r.gradNorm = e.value("grad_norm", 0.0);
            r.tokensPerS = e.value("tokens_per_s", 0.0);
            r.peakMemBytes = e.value("peak_mem_bytes", 0LL);
            r.epoch = e.value("epoch", 0.0);
            pending_.push_back(r);
            lastStep_ = r.step;
            total_ = e.value("total_steps", 0LL);
            if (std::chrono::steady_clock::now() - lastFlush_ > std::chrono::seconds(1)) flush();
        } else if (ev == "eval") {
            MetricRow r;
            r.step = e.value("step", 0LL);
            r.kind = MetricKind::Eval;
            r.loss = e.value("eval_loss", 0.0);
            pending_.push_back(r);
            flush();
        } else if (ev == "checkpoint") {
            flush();
            runs_.addCheckpoint(id_, e.value("step", 0LL), e.value("path", ""));
        } else if (ev == "paused" || ev == "resumed") {
            flush();
            runs_.setStatus(id_, ev == "paused" ? RunStatus::Paused : RunStatus::Running);
        } else if (ev == "done") {
            flush();
            const std::string st = e.value("status", "failed");
            std::optional<double> train, eval;
            if (e.contains("final_train_loss")) train = e["final_train_loss"].get<double>();
            if (e.contains("final_eval_loss")) eval = e["final_eval_loss"].get<double>();
            runs_.setFinal(id_, train, eval, e["adapter"].is_string() ? e["adapter"].get<std::string>() : "");
            runs_.setStatus(id_, parseRunStatus(st), e.value("error", ""));
            runs_.setPid(id_, std::nullopt);
        }
    }
    void flush() {
        if (!pending_.empty()) runs_.appendMetrics(id_, pending_);
        if (lastStep_ >= 0) runs_.setProgress(id_, lastStep_, total_);
        pending_.clear();
        lastFlush_ = std::chrono::steady_clock::now();
    }

private:
    RunStore& runs_;
    std::int64_t id_;
    std::vector<MetricRow> pending_;
    long long lastStep_ = -1, total_ = 0;
    std::chrono::steady_clock::time_point lastFlush_ = std::chrono::steady_clock::now();
};
#endif

} // namespace

namespace {

// What the outer handler needs to report a failure as a done line.
struct FailureReport {
    bool jsonProgress = false;
    std::int64_t runId = 0;
};

int trainCommand(Args& args, FailureReport& report);

} // namespace

int cmdTrain(Args& args) {
    // Signals first: a GUI may pause or stop the worker before it has even read its data.
    static TrainControl control;
    gControl = &control;
    struct sigaction sa {};
    sa.sa_handler = onStopSignal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sa.sa_handler = onPauseSignal;
    sigaction(SIGUSR1, &sa, nullptr);
    sa.sa_handler = onResumeSignal;
    sigaction(SIGUSR2, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN); // a reader that went away must not kill a training run
    FailureReport report;
    report.jsonProgress = args.flag("json-progress");
    try {
        const int rc = trainCommand(args, report);
        gControl = nullptr;
        return rc;
    } catch (const std::exception& e) {
        gControl = nullptr;
        // Every failure ends with a done line, so a worker's reader always learns the outcome.
        Json done = {{"event", "done"}, {"status", "failed"}, {"error", e.what()}, {"adapter", nullptr}};
        if (report.runId) done["run_id"] = report.runId;
        if (report.jsonProgress) {
            std::printf("%s\n", done.dump().c_str());
            std::fflush(stdout);
        }
        throw;
    }
}

namespace {

int trainCommand(Args& args, FailureReport& report) {
    std::vector<std::string> known = valueOptions();
    for (const auto& f : flagOptions()) known.push_back(f);
    for (const char* k : {"config", "resume", "json-progress", "no-store", "help", "dry-run"})
        known.push_back(k);
    args.check(known);
    if (args.flag("help")) {
        std::printf("usage: hone train --model DIR --data FILE [options] | hone train --resume RUN\n"
                    "  options (also accepted as keys of a --config JSON/YAML file):\n   ");
        for (const auto& o : valueOptions()) std::printf(" --%s", o.c_str());
        for (const auto& o : flagOptions()) std::printf(" --%s", o.c_str());
        std::printf(
            "\n  --json-progress: one JSON object per line on stdout\n"
            "  --template: alpaca | chatml (for models without a chat template)\n"
            "  --init-adapter DIR: start the LoRA from a PEFT adapter or a run folder's adapter (its\n"
            "    rank, alpha, targets and template replace --lora-*/--targets; the optimizer starts fresh)\n"
            "  datasets: JSONL, JSON or CSV (Parquet is not supported yet: convert it with\n"
            "    python3 -c \"import pandas; pandas.read_parquet('f.parquet').to_json('f.jsonl', "
            "orient='records', lines=True)\")\n");
        return 0;
    }
    Json j = Json::object();
    if (auto cfg = args.get("config")) j = readConfigFile(*cfg);
    for (const auto& k : valueOptions())
        if (auto v = args.get(k)) j[k] = *v;
    for (const auto& f : flagOptions())
        if (args.flag(f)) j[f] = true;
    const bool jsonProgress = args.flag("json-progress");
    const bool tty = !jsonProgress && isatty(STDERR_FILENO);
    const auto resume = args.get("resume");
    TrainOptions o = TrainOptions::fromJson(j, args.get("config") ? *args.get("config") : "command line");
    if (!resume) o.validate();

    if (args.flag("dry-run")) {
        // Data report and memory estimate only: nothing is written, no run is recorded.
        Json est = inspectTraining(o, [&](const Json& e) {
            if (jsonProgress) {
                std::printf("%s\n", e.dump().c_str());
            } else {
                printHuman(e, false);
            }
        });
        if (!jsonProgress)
            std::fprintf(stderr, "memory: about %.2f GiB needed, %.2f GiB available: %s\n",
                         est.value("total_bytes", 0.0) / (1u << 30),
                         est.value("available_bytes", 0.0) / (1u << 30),
                         est.value("fits", false) ? "fits" : est.value("error", "").c_str());
        return est.value("fits", false) ? 0 : 1;
    }

    std::string resumeDir;
    std::int64_t runId = 0;
    std::function<void(const Json&)> record;
#ifdef HONE_CLI_HAS_CORE
    std::unique_ptr<Store> store;
    std::unique_ptr<RunStore> runs;
    std::unique_ptr<Recorder> recorder;
    std::unique_ptr<QCoreApplication> qtApp; // Qt's SQLite driver needs an application object
    if (!args.flag("no-store")) {
        if (!QCoreApplication::instance()) {
            static int argc = 1;
            static char name[] = "hone";
            static char* argv[] = {name, nullptr};
            qtApp = std::make_unique<QCoreApplication>(argc, argv);
        }
        const AppPaths paths = resolveAppPaths();
        store = std::make_unique<Store>(QString::fromStdString(paths.database));
        store->open();
        runs = std::make_unique<RunStore>(*store);
        runs->markStaleRunning();
        if (resume) {
            bool numeric = !resume->empty() && resume->find_first_not_of("0123456789") == std::string::npos;
            if (numeric) {
                RunRecord r = runs->run(std::stoll(*resume));
                if (r.status == RunStatus::Running && r.pid && RunStore::processAlive(*r.pid))
                    throw Error("run " + *resume + " is still running (process " + std::to_string(*r.pid) +
                                ")");
                runId = r.id;
                resumeDir = r.runDir;
            } else {
                resumeDir = *resume;
                for (const auto& r : runs->listRuns())
                    if (std::filesystem::equivalent(r.runDir.empty() ? "/nonexistent" : r.runDir, resumeDir))
                        runId = r.id;
            }
        } else {
            if (o.outDir.empty())
                o.outDir = paths.home + "/runs/run-" + isoNow() + "-" + std::to_string(::getpid());
            RunRecord r;
            r.name = o.runName.empty() ? std::filesystem::path(o.dataPath).stem().string() : o.runName;
            r.status = RunStatus::Queued;
            r.modelPath = std::filesystem::absolute(o.modelPath).string();
            r.datasetPath = std::filesystem::absolute(o.dataPath).string();
            r.templateName = o.templateName;
            r.configJson = o.toJson().dump();
            r.versionsJson = Json({{"hone", HONE_VERSION}}).dump();
            r.device = o.device;
            r.runDir = std::filesystem::absolute(o.outDir).string();
            try {
                ModelConfig mc = loadHfConfig(o.modelPath);
                r.modelIdentity = Json({{"architecture", mc.architecture},
                                        {"model_type", mc.modelType},
                                        {"hidden_size", mc.hiddenSize},
                                        {"layers", mc.numLayers},
                                        {"vocab_size", mc.vocabSize}})
                                      .dump();
            } catch (const std::exception&) {
                // The trainer reports a bad model folder with its own message.
            }
            runId = runs->createRun(r);
        }
        if (runId) {
            runs->setPid(runId, ::getpid());
            recorder = std::make_unique<Recorder>(*runs, runId);
            record = [&](const Json& e) { recorder->on(e); };
        }
    }
#endif
    if (resume && resumeDir.empty()) resumeDir = *resume;
    if (!resume && o.outDir.empty()) o.outDir = "hone-runs/run-" + isoNow();

    report.runId = runId;

    auto onEvent = [&](const Json& e) {
        Json out = e;
        if (runId && out.value("event", "") == "done") out["run_id"] = runId;
        if (runId && out.value("event", "") == "start") out["run_id"] = runId;
        if (record) record(out);
        if (jsonProgress) {
            std::printf("%s\n", out.dump().c_str());
            std::fflush(stdout);
        } else {
            printHuman(out, tty);
        }
    };
    TrainResult res;
    try {
        res = runTraining(o, onEvent, gControl, resumeDir);
    } catch (const std::exception& e) {
        if (record) {
            try {
                record({{"event", "done"}, {"status", "failed"}, {"error", e.what()}, {"adapter", nullptr}});
            } catch (const std::exception&) {
                // The store itself may be what failed; the caller still prints the error.
            }
        }
        throw;
    }
    if (res.status == "finished") return 0;
    return res.status == "stopped" ? 2 : 1;
}

} // namespace

} // namespace hone::cli
