// `hone bench generate`: prefill/decode tokens/s and peak RSS for stories260K and a ~100M-parameter random
// Llama (written on the fly with the safetensors writer), in F32 and BF16, with the decode rate as a fraction
// of the memory-bandwidth limit (weight bytes read per token vs the measured copy bandwidth).
#include "commands.h"

#include "common/error.h"
#include "common/json.h"
#include "infer/cli_support.h"
#include "infer/generator.h"
#include "infer/language_model.h"
#include "infer/memory_bandwidth.h"
#include "infer/random_model.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdlib.h>
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

} // namespace

int cmdBench(Args& args) {
    args.check({"json", "stories", "threads", "quick", "keep"});
    if (args.positionals().empty() || args.positionals()[0] != "generate")
        throw Error("usage: hone bench generate [--stories DIR] [--quick] [--json] [--threads N]");
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
    Json cfg = {{"architectures", {"LlamaForCausalLM"}},
                {"model_type", "llama"},
                {"hidden_size", 768},
                {"intermediate_size", 2048},
                {"num_hidden_layers", quick ? 2 : 12},
                {"num_attention_heads", 12},
                {"num_key_value_heads", 4},
                {"vocab_size", 32000},
                {"max_position_embeddings", 2048},
                {"rms_norm_eps", 1e-5},
                {"rope_theta", 10000.0},
                {"tie_word_embeddings", true}};
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

} // namespace hone::cli
