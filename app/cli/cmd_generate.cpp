// `hone generate`: load a model (folder or .gguf), generate from token ids or a prompt, print ids/text and
// the speed (prefill and decode tokens/s, time to first token, peak RSS) — one JSON object with --json.
#include "commands.h"

#include "common/error.h"
#include "common/json.h"
#include "infer/cli_support.h"
#include "infer/generator.h"
#include "infer/language_model.h"
#include "tokenizer/tokenizer.h"

#include <cstdio>
#include <optional>

namespace hone::cli {

namespace {
class TokDecoder : public TokenTextDecoder {
public:
    explicit TokDecoder(const tok::Tokenizer& t)
        : t_(t) {}
    std::string decode(const std::vector<std::int32_t>& ids) const override { return t_.decode(ids); }

private:
    const tok::Tokenizer& t_;
};
} // namespace

int cmdGenerate(Args& args) {
    args.check(withSamplingOptions({"model", "ids", "prompt", "stop-ids", "ignore-eos"}));
    const std::string modelPath = args.require("model");
    configureThreads(static_cast<int>(args.getInt("threads", 0)));
    ModelLoadOptions opts;
    opts.device = DeviceSpec::parse(args.getOr("device", "auto"));
    opts.dtype = parseDType(args.getOr("dtype", "f32"));

    std::optional<tok::Tokenizer> tokenizer;
    std::string tokError;
    try {
        tokenizer = tok::Tokenizer::load(modelPath);
    } catch (const std::exception& e) {
        tokError = e.what();
    }
    std::vector<std::int32_t> prompt;
    if (auto ids = args.get("ids")) {
        prompt = parseIdList(*ids, "--ids");
    } else if (auto text = args.get("prompt")) {
        if (!tokenizer)
            throw Error("--prompt needs the model's tokenizer, which could not be loaded: " + tokError);
        prompt = tokenizer->encode(*text);
    } else {
        throw Error("give the prompt as --ids 1,2,3 or --prompt TEXT");
    }
    auto model = LanguageModel::load(modelPath, opts);
    SamplingParams sp;
    sp.temperature = args.getDouble("temperature", 1.0);
    sp.topK = static_cast<int>(args.getInt("top-k", 0));
    sp.topP = args.getDouble("top-p", 1.0);
    sp.minP = args.getDouble("min-p", 0.0);
    sp.seed = static_cast<std::uint64_t>(args.getInt("seed", 0));
    sp.repeatPenalty = args.getDouble("repeat-penalty", 1.0);
    sp.presencePenalty = args.getDouble("presence-penalty", 0.0);
    sp.frequencyPenalty = args.getDouble("frequency-penalty", 0.0);
    sp.repeatLastN = static_cast<int>(args.getInt("repeat-last-n", 64));
    Sampler sampler(sp);
    StopConditions stop;
    stop.maxTokens = static_cast<int>(args.getInt("max-tokens", 128));
    if (stop.maxTokens < 1) throw Error("--max-tokens must be at least 1");
    if (!args.flag("ignore-eos")) stop.stopIds = model->config().eosTokenIds;
    if (auto s = args.get("stop-ids")) {
        auto more = parseIdList(*s, "--stop-ids");
        stop.stopIds.insert(stop.stopIds.end(), more.begin(), more.end());
    }
    if (auto s = args.get("stop")) stop.stopStrings.push_back(*s);
    std::optional<TokDecoder> decoder;
    if (tokenizer) decoder.emplace(*tokenizer);
    InferenceSession session(model);
    const auto r = generate(session, prompt, sampler, stop, decoder ? &*decoder : nullptr);

    OrderedJson out;
    out["ids"] = r.ids;
    if (tokenizer) out["text"] = tokenizer->decode(r.ids);
    out["stop_reason"] = r.stopReason;
    out["prompt_tokens"] = r.promptTokens;
    out["generated_tokens"] = r.ids.size();
    out["prefill_tokens_per_s"] = r.prefillTokensPerS();
    out["decode_tokens_per_s"] = r.decodeTokensPerS();
    out["ttft_ms"] = r.ttftMs;
    out["peak_rss_bytes"] = peakRssBytes();
    out["device"] = model->device().str();
    out["dtype"] = dtypeName(model->computeDType());
    if (args.flag("json")) {
        std::printf("%s\n", out.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
    } else {
        if (tokenizer)
            std::printf("%s\n", tokenizer->decode(r.ids).c_str());
        else {
            for (std::size_t i = 0; i < r.ids.size(); ++i) std::printf("%s%d", i ? "," : "", r.ids[i]);
            std::printf("\n");
        }
        std::fprintf(stderr, "prefill %.1f tok/s, decode %.1f tok/s, ttft %.1f ms, stop: %s\n",
                     r.prefillTokensPerS(), r.decodeTokensPerS(), r.ttftMs, r.stopReason.c_str());
    }
    return 0;
}

} // namespace hone::cli
