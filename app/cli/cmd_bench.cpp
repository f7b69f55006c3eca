// `hone bench generate`: prefill/decode tokens/s and peak RSS for stories260K and a ~100M-parameter random
// Llama (written on the fly with the safetensors writer), in F32 and BF16, with the decode rate as a fraction
// of the memory-bandwidth limit (weight bytes read per token vs the measured copy bandwidth).
// `hone bench train`: LoRA training tokens/s, step time and peak RSS of a ~76M-parameter random Llama against
// the same step in eager PyTorch (the peer script), each side in its own process, with the ratios.
#include "commands.h"

#include "common/error.h"
#include "common/json.h"
#include "infer/cli_support.h"
#include "infer/generator.h"
#include "infer/language_model.h"
#include "infer/memory_bandwidth.h"
#include "infer/random_model.h"
#include "train/train_bench.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

namespace hone::cli {

namespace {

Json benchOne(const std::string& name, const std::string& path, DType dtype, int promptLen, int genLen) {
    ModelLoadOptions o;
    o.device = DeviceSpec::parse("cpu");
    o.dtype = dtype;
    auto model = LanguageModel::load(path, o);
    const std::uint64_t rssLoaded = currentRssBytes();
    std::vector<std::int32_t> prompt(static_cast<std::size_t>(promptLen));
    for (int i = 0; i < promptLen; ++i)
        prompt[static_cast<std::size_t>(i)] = 1 + (i * 37) % (model->config().vocabSize - 1);
    SamplingParams sp;
    sp.temperature = 0;
    StopConditions stop;
    stop.maxTokens = genLen;
    GenerationResult best;
    for (int rep = 0; rep < 2; ++rep) { // the first run warms caches and allocators
        InferenceSession s(model);
        Sampler sampler(sp);
        auto r = generate(s, prompt, sampler, stop);
        if (rep == 0 || r.decodeTokensPerS() > best.decodeTokensPerS()) best = r;
    }
    Json j = {{"model", name},
              {"dtype", dtypeName(model->computeDType())},
              {"parameters", model->parameterCount()},
              {"weight_bytes_per_token", model->weightBytesPerToken()},
              {"prompt_tokens", promptLen},
              {"generated_tokens", best.ids.size()},
              {"prefill_tokens_per_s", best.prefillTokensPerS()},
              {"decode_tokens_per_s", best.decodeTokensPerS()},
              {"ttft_ms", best.ttftMs},
              {"peak_rss_bytes", peakRssBytes()},
              {"rss_after_load_bytes", rssLoaded}};
    return j;
}

int benchGenerate(Args& args) {
    args.check({"json", "stories", "threads", "quick", "keep"});
    configureThreads(static_cast<int>(args.getInt("threads", 0)));
    std::string stories = args.getOr("stories", "");
    if (stories.empty()) {
        const char* fx = std::getenv("HONE_FIXTURES_DIR");
        stories = std::string(fx ? fx : "../shared/fixtures") + "/models/stories260K";
    }
    const bool quick = args.flag("quick");
    std::vector<Json> rows;
    if (std::filesystem::exists(stories)) {
        for (DType dt : {DType::F32, DType::BF16})
            rows.push_back(benchOne("stories260K", stories, dt, 64, quick ? 16 : 128));
    } else {
        std::fprintf(stderr, "note: %s not found, skipping stories260K (pass --stories DIR)\n",
                     stories.c_str());
    }
    const auto tmp = std::filesystem::temp_directory_path() / ("hone-bench-" + std::to_string(::getpid()));
    const Json cfg = benchLlamaConfig(quick ? 2 : 12);
    writeRandomModel(tmp.string(), cfg, 42, 0.02f);
    try {
        for (DType dt : {DType::F32, DType::BF16})
            rows.push_back(benchOne(quick ? "random-llama-2L" : "random-llama-100M", tmp.string(), dt, 128,
                                    quick ? 8 : 64));
    } catch (...) {
        std::filesystem::remove_all(tmp);
        throw;
    }
    if (!args.flag("keep")) std::filesystem::remove_all(tmp);
    // Measured last, so that its buffers do not inflate the models' peak RSS.
    const double bw = measureCopyBandwidth(128, 7);
    const double rbw = measureReadBandwidth(128, 7);
    for (auto& r : rows) {
        const double limit = bw / r["weight_bytes_per_token"].get<double>();
        r["bandwidth_limit_tokens_per_s"] = limit;
        r["fraction_of_bandwidth_limit"] = r["decode_tokens_per_s"].get<double>() / limit;
        r["fraction_of_read_bandwidth_limit"] =
            r["decode_tokens_per_s"].get<double>() / (rbw / r["weight_bytes_per_token"].get<double>());
    }
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) < 1) load[0] = -1;
    if (args.flag("json")) {
        std::printf("%s\n", Json{{"copy_bandwidth_bytes_per_s", bw},
                                 {"read_bandwidth_bytes_per_s", rbw},
                                 {"threads", engineThreads()},
                                 {"load_average_1min", load[0]},
                                 {"results", rows}}
                                .dump(1)
                                .c_str());
    } else {
        std::printf("copy bandwidth (read+write): %.2f GB/s, read bandwidth: %.2f GB/s, %d threads, load "
                    "average %.2f\n",
                    bw / 1e9, rbw / 1e9, engineThreads(), load[0]);
        std::printf("%-18s %-5s %10s %11s %10s %9s %9s %9s %8s %8s\n", "model", "dtype", "params",
                    "prefill t/s", "decode t/s", "limit t/s", "vs copy", "vs read", "peak MiB", "load MiB");
        for (const auto& r : rows)
            std::printf("%-18s %-5s %10llu %11.1f %10.1f %9.1f %8.0f%% %8.0f%% %8.0f %8.0f\n",
                        r["model"].get<std::string>().c_str(), r["dtype"].get<std::string>().c_str(),
                        r["parameters"].get<unsigned long long>(), r["prefill_tokens_per_s"].get<double>(),
                        r["decode_tokens_per_s"].get<double>(),
                        r["bandwidth_limit_tokens_per_s"].get<double>(),
                        100.0 * r["fraction_of_bandwidth_limit"].get<double>(),
                        100.0 * r["fraction_of_read_bandwidth_limit"].get<double>(),
                        r["peak_rss_bytes"].get<double>() / 1048576.0,
                        r["rss_after_load_bytes"].get<double>() / 1048576.0);
    }
    return 0;
}

// ---- bench train ----

constexpr int kBatch = 2, kSeq = 256, kRank = 16;
constexpr double kAlpha = 32;

std::string shellQuote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// Runs `command` through the shell; returns its exit status and stdout (stderr passes through).
std::pair<int, std::string> runCapture(const std::string& command) {
    std::fflush(stdout);
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) throw Error("cannot start `" + command + "`");
    std::string out;
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    const int st = ::pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : 128, out};
}

// The last line of `out` that parses as a JSON object.
Json lastJsonLine(const std::string& out, const std::string& what) {
    std::size_t end = out.size();
    while (end > 0) {
        std::size_t start = out.rfind('\n', end - 1);
        start = start == std::string::npos ? 0 : start + 1;
        const std::string line = out.substr(start, end - start);
        if (!line.empty() && line.front() == '{') {
            Json j = Json::parse(line, nullptr, false);
            if (j.is_object()) return j;
        }
        if (start == 0) break;
        end = start - 1;
    }
    throw Error(what + " printed no JSON result; its output was: " + out.substr(0, 2000));
}

// The peer script: $HONE_PEERS_DIR, else shared/peers beside the source tree (found from the working
// directory or by walking up from this executable). Empty when not found.
std::string findPeerScript() {
    namespace fs = std::filesystem;
    const std::string name = "peer_lora_torch.py";
    if (const char* d = std::getenv("HONE_PEERS_DIR"))
        return fs::exists(fs::path(d) / name) ? d + ("/" + name) : "";
    std::vector<fs::path> dirs = {fs::current_path() / "../shared/peers"};
    if (const char* src = std::getenv("HONE_SOURCE_DIR")) dirs.push_back(fs::path(src) / "../shared/peers");
    std::error_code ec;
    for (fs::path p = fs::read_symlink("/proc/self/exe", ec).parent_path(); !ec && p.has_relative_path();
         p = p.parent_path())
        dirs.push_back(p / "shared/peers");
    for (const auto& d : dirs)
        if (fs::exists(d / name, ec)) return fs::weakly_canonical(d / name, ec).string();
    return {};
}

// A Python that imports torch: $HONE_PYTHON, else Debian's /usr/bin/python3 (python3-torch), else python3 on
// PATH (which may be a pyenv/venv one without torch). Empty when none does.
std::string findTorchPython() {
    std::vector<std::string> candidates;
    if (const char* p = std::getenv("HONE_PYTHON")) candidates.push_back(p);
    candidates.push_back("/usr/bin/python3");
    candidates.push_back("python3");
    for (const auto& py : candidates)
        if (runCapture(shellQuote(py) + " -c 'import torch' >/dev/null 2>&1").first == 0) return py;
    return {};
}

Json oursJson(const TrainBenchResult& r, DType dtype) {
    return {{"tokens_per_s", r.tokensPerS},
            {"step_s", r.stepS},
            {"cpu_s_per_step", r.cpuS},
            {"peak_rss_mb", static_cast<double>(r.peakRssBytes) / 1048576.0},
            {"loss_first", r.lossFirst},
            {"loss_last", r.lossLast},
            {"threads", r.threads},
            {"parameters", r.parameters},
            {"trainable", r.trainable},
            {"dtype", dtypeName(dtype)},
            {"gemm_floor_s", r.gemmFloorS},
            {"gemm_gflops", r.gemmFloorS > 0 ? r.gemmFlop / r.gemmFloorS / 1e9 : 0},
            {"floor_share", r.stepS > 0 ? r.gemmFloorS / r.stepS : 0}};
}

// The child side of `bench train`: one configuration of ours, JSON on stdout.
int benchTrainOurs(Args& args) {
    TrainBenchOptions o;
    o.modelDir = args.require("model");
    o.dtype = parseDType(args.getOr("dtype", "f32"));
    o.steps = static_cast<int>(args.getInt("steps", 10));
    o.batch = kBatch;
    o.seq = kSeq;
    o.rank = kRank;
    o.alpha = kAlpha;
    std::printf("%s\n", oursJson(runTrainBench(o), o.dtype).dump().c_str());
    return 0;
}

std::vector<std::string> choices(const std::string& value, const std::vector<std::string>& all,
                                 const std::string& option) {
    if (value == "both") return all;
    if (std::find(all.begin(), all.end(), value) == all.end())
        throw Error("--" + option + " expects " + all[0] + ", " + all[1] + " or both, got '" + value + "'");
    return {value};
}

int benchTrain(Args& args) {
    args.check({"json", "quick", "keep", "threads", "dtype", "vocab", "steps", "repeat", "no-peer",
                "only-ours", "model"});
    configureThreads(static_cast<int>(args.getInt("threads", 0)));
    if (args.flag("only-ours")) return benchTrainOurs(args);
    const bool quick = args.flag("quick"), json = args.flag("json");
    const int threads = engineThreads();
    const auto steps = args.getInt("steps", quick ? 3 : 10);
    if (steps <= 0 || steps > 10000) throw Error("--steps must be between 1 and 10000");
    const auto repeat = args.getInt("repeat", 1);
    if (repeat <= 0 || repeat > 100) throw Error("--repeat must be between 1 and 100");
    const auto dtypes = choices(args.getOr("dtype", "both"), {"f32", "bf16"}, "dtype");
    const auto vocabs = choices(args.getOr("vocab", quick ? "512" : "both"), {"512", "32000"}, "vocab");

    std::string peer, python;
    if (!args.flag("no-peer")) {
        peer = findPeerScript();
        if (peer.empty())
            std::fprintf(stderr,
                         "note: peer_lora_torch.py not found (set HONE_PEERS_DIR to the folder that holds "
                         "it); running ours only\n");
        else if ((python = findTorchPython()).empty())
            std::fprintf(stderr,
                         "note: no python3 with torch (apt install python3-torch, or set HONE_PYTHON); "
                         "running ours only\n");
        if (python.empty()) peer.clear();
    }
    std::error_code ec;
    const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    if (ec) throw Error("cannot find this executable (/proc/self/exe): " + ec.message());

    const auto tmp =
        std::filesystem::temp_directory_path() / ("hone-bench-train-" + std::to_string(::getpid()));
    std::vector<Json> runs;
    try {
        for (const auto& vocab : vocabs) {
            const std::string name = "llama-76M-v" + vocab;
            const std::string dir = (tmp / name).string();
            Json cfg = {{"architectures", {"LlamaForCausalLM"}},
                        {"model_type", "llama"},
                        {"hidden_size", 768},
                        {"intermediate_size", 2048},
                        {"num_hidden_layers", 12},
                        {"num_attention_heads", 12},
                        {"num_key_value_heads", 4},
                        {"vocab_size", std::stoi(vocab)},
                        {"max_position_embeddings", 2048},
                        {"rms_norm_eps", 1e-5},
                        {"rope_theta", 10000.0},
                        {"tie_word_embeddings", false}};
            writeRandomModel(dir, cfg, 42, 0.02f);
            for (const auto& dt : dtypes) {
                const std::string common =
                    " --steps " + std::to_string(steps) + " --threads " + std::to_string(threads);
                auto runOurs = [&] {
                    auto [rc, out] = runCapture(shellQuote(self) + " bench train --only-ours --model " +
                                                shellQuote(dir) + " --dtype " + dt + common);
                    if (rc != 0)
                        throw Error("the training benchmark of " + name + " " + dt + " failed (exit " +
                                    std::to_string(rc) + ")");
                    return lastJsonLine(out, "hone bench train");
                };
                auto runPeer = [&]() -> Json {
                    const char* ld = std::getenv("LD_LIBRARY_PATH");
                    auto [rc, out] = runCapture(
                        "LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp" +
                        (ld ? ":" + std::string(ld) : std::string()) + " " + shellQuote(python) + " " +
                        shellQuote(peer) + " " + shellQuote(dir) + " --batch " + std::to_string(kBatch) +
                        " --seq " + std::to_string(kSeq) + " --rank " + std::to_string(kRank) + " --alpha " +
                        std::to_string(static_cast<int>(kAlpha)) + common + (dt == "bf16" ? " --bf16" : ""));
                    if (rc != 0) {
                        std::fprintf(stderr, "note: the peer failed (exit %d) for %s %s\n", rc, name.c_str(),
                                     dt.c_str());
                        return nullptr;
                    }
                    Json p = lastJsonLine(out, "the peer");
                    p["step_s"] = kBatch * kSeq / p["tokens_per_s"].get<double>();
                    return p;
                };
                // Alternating repeats; each side keeps its fastest run (the one least disturbed by other
                // load).
                auto faster = [](const Json& a, const Json& b) {
                    return a.is_null() || (!b.is_null() &&
                                           b["tokens_per_s"].get<double>() > a["tokens_per_s"].get<double>());
                };
                Json ours = nullptr, theirs = nullptr;
                for (long long rep = 0; rep < repeat; ++rep) {
                    if (!json)
                        std::fprintf(stderr, "running %s %s (%lld/%lld) ...\n", name.c_str(), dt.c_str(),
                                     rep + 1, repeat);
                    if (Json o = runOurs(); faster(ours, o)) ours = o;
                    if (peer.empty()) continue;
                    if (Json p = runPeer(); faster(theirs, p)) theirs = p;
                }
                Json run = {{"model", name}, {"dtype", dt}, {"ours", ours}, {"peer", theirs}};
                if (!theirs.is_null()) {
                    run["speed_ratio"] =
                        ours["tokens_per_s"].get<double>() / theirs["tokens_per_s"].get<double>();
                    run["memory_ratio"] =
                        ours["peak_rss_mb"].get<double>() / theirs["peak_rss_mb"].get<double>();
                    // What a step doing nothing but its unavoidable GEMMs would reach against the peer.
                    run["max_speed_ratio"] =
                        theirs["step_s"].get<double>() / ours["gemm_floor_s"].get<double>();
                }
                runs.push_back(run);
            }
        }
    } catch (...) {
        std::filesystem::remove_all(tmp, ec);
        throw;
    }
    if (args.flag("keep"))
        std::fprintf(stderr, "models kept in %s\n", tmp.c_str());
    else
        std::filesystem::remove_all(tmp, ec);

    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) < 1) load[0] = -1;
    if (json) {
        std::printf("%s\n", Json{{"threads", threads},
                                 {"batch", kBatch},
                                 {"seq", kSeq},
                                 {"lora_rank", kRank},
                                 {"steps", steps},
                                 {"repeat", repeat},
                                 {"load_average_1min", load[0]},
                                 {"peer", peer.empty() ? Json(nullptr) : Json(peer)},
                                 {"runs", runs}}
                                .dump(1)
                                .c_str());
        return 0;
    }
    std::printf("LoRA r%d on all linear layers, batch %d x %d tokens, %lld timed steps (best of %lld), %d "
                "threads, load average %.2f\n",
                kRank, kBatch, kSeq, static_cast<long long>(steps), static_cast<long long>(repeat), threads,
                load[0]);
    std::printf("%-16s %-5s %-5s %9s %8s %9s %10s %10s\n", "model", "dtype", "side", "tok/s", "step s",
                "peak MiB", "loss first", "loss last");
    auto row = [](const std::string& m, const std::string& d, const char* side, const Json& r) {
        std::printf("%-16s %-5s %-5s %9.1f %8.3f %9.0f %10.4f %10.4f\n", m.c_str(), d.c_str(), side,
                    r["tokens_per_s"].get<double>(), r["step_s"].get<double>(),
                    r["peak_rss_mb"].get<double>(), r["loss_first"].get<double>(),
                    r["loss_last"].get<double>());
    };
    for (const auto& r : runs) {
        const auto m = r["model"].get<std::string>(), d = r["dtype"].get<std::string>();
        row(m, d, "hone", r["ours"]);
        const double floorS = r["ours"]["gemm_floor_s"].get<double>();
        std::printf(
            "%-16s %-5s %-5s %9.1f %8.3f  (the step's base-weight GEMMs alone, %.0f GFLOP/s: %.0f%% of "
            "Hone's step)\n",
            "", "", "floor", kBatch * kSeq / floorS, floorS, r["ours"]["gemm_gflops"].get<double>(),
            100 * r["ours"]["floor_share"].get<double>());
        if (r["peer"].is_null()) continue;
        row("", "", "peer", r["peer"]);
        std::printf("%-16s %-5s %-5s %8.2fx %8s %8.2fx  (at most %.2fx for a step of only its GEMMs)\n", "",
                    "", "ratio", r["speed_ratio"].get<double>(), "", r["memory_ratio"].get<double>(),
                    r["max_speed_ratio"].get<double>());
    }
    return 0;
}

} // namespace

int cmdBench(Args& args) {
    const std::string what = args.positionals().empty() ? "" : args.positionals()[0];
    if (what == "generate") return benchGenerate(args);
    if (what == "train") return benchTrain(args);
    throw Error("usage: hone bench generate [--stories DIR] [--quick] [--json] [--threads N] | hone bench "
                "train [--json] [--quick] [--dtype f32|bf16|both] [--vocab 512|32000|both] [--steps N] "
                "[--repeat R] [--threads N] [--no-peer] [--keep]");
}

} // namespace hone::cli
