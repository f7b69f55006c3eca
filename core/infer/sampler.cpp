// Logits processors and the seeded sampler.
#include "infer/sampler.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace hone {

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Indices of the finite logits sorted by descending logit (ties by id, for determinism).
std::vector<int> sortedIds(const std::vector<float>& logits) {
    std::vector<int> idx;
    idx.reserve(logits.size());
    for (std::size_t i = 0; i < logits.size(); ++i)
        if (logits[i] != kNegInf) idx.push_back(static_cast<int>(i));
    std::sort(idx.begin(), idx.end(), [&](int a, int b) {
        return logits[static_cast<std::size_t>(a)] > logits[static_cast<std::size_t>(b)] ||
               (logits[static_cast<std::size_t>(a)] == logits[static_cast<std::size_t>(b)] && a < b);
    });
    return idx;
}

std::vector<double> softmaxOf(const std::vector<float>& logits, const std::vector<int>& ids) {
    std::vector<double> p(ids.size());
    if (ids.empty()) return p;
    const double mx = logits[static_cast<std::size_t>(ids[0])];
    double sum = 0;
    for (std::size_t i = 0; i < ids.size(); ++i)
        sum += p[i] = std::exp(logits[static_cast<std::size_t>(ids[i])] - mx);
    for (auto& x : p) x /= sum;
    return p;
}
} // namespace

void RepetitionPenaltyProcessor::apply(std::vector<float>& logits, const std::vector<std::int32_t>& context) {
    if (repeat_ == 1.0 && presence_ == 0.0 && frequency_ == 0.0) return;
    const std::size_t from = lastN_ > 0 && context.size() > static_cast<std::size_t>(lastN_)
                                 ? context.size() - static_cast<std::size_t>(lastN_)
                                 : 0;
    std::unordered_map<std::int32_t, int> counts;
    for (std::size_t i = from; i < context.size(); ++i) ++counts[context[i]];
    for (const auto& [id, n] : counts) {
        if (id < 0 || static_cast<std::size_t>(id) >= logits.size()) continue;
        float& l = logits[static_cast<std::size_t>(id)];
        if (repeat_ != 1.0) l = l > 0 ? static_cast<float>(l / repeat_) : static_cast<float>(l * repeat_);
        l -= static_cast<float>(presence_ + frequency_ * n);
    }
}

void TemperatureProcessor::apply(std::vector<float>& logits, const std::vector<std::int32_t>&) {
    if (t_ <= 0 || t_ == 1.0) return;
    for (auto& l : logits) l = static_cast<float>(l / t_);
}

void TopKProcessor::apply(std::vector<float>& logits, const std::vector<std::int32_t>&) {
    if (k_ <= 0 || static_cast<std::size_t>(k_) >= logits.size()) return;
    const auto ids = sortedIds(logits);
    for (std::size_t i = static_cast<std::size_t>(k_); i < ids.size(); ++i)
        logits[static_cast<std::size_t>(ids[i])] = kNegInf;
}

void TopPProcessor::apply(std::vector<float>& logits, const std::vector<std::int32_t>&) {
    if (p_ >= 1.0) return;
    const auto ids = sortedIds(logits);
    const auto p = softmaxOf(logits, ids);
    double cum = 0;
    std::size_t keep = 0;
    while (keep < ids.size()) { // smallest prefix whose mass reaches p (at least one token)
        cum += p[keep++];
        if (cum >= p_) break;
    }
    for (std::size_t i = keep; i < ids.size(); ++i) logits[static_cast<std::size_t>(ids[i])] = kNegInf;
}

void MinPProcessor::apply(std::vector<float>& logits, const std::vector<std::int32_t>&) {
    if (p_ <= 0) return;
    const auto ids = sortedIds(logits);
    const auto p = softmaxOf(logits, ids);
    if (p.empty()) return;
    const double threshold = p[0] * p_;
    for (std::size_t i = 1; i < ids.size(); ++i)
        if (p[i] < threshold) logits[static_cast<std::size_t>(ids[i])] = kNegInf;
}

Sampler::Sampler(const SamplingParams& params)
    : params_(params)
    , state_(params.seed ^ 0x9E3779B97F4A7C15ull) {
    if (params.temperature < 0) throw Error("temperature must be >= 0");
    if (params.topP <= 0 || params.topP > 1) throw Error("top-p must be in (0, 1]");
    if (params.minP < 0 || params.minP > 1) throw Error("min-p must be in [0, 1]");
    if (params.repeatPenalty <= 0) throw Error("repeat penalty must be > 0");
    builtins_.add(std::make_shared<RepetitionPenaltyProcessor>(params.repeatPenalty, params.presencePenalty,
                                                               params.frequencyPenalty, params.repeatLastN));
    builtins_.add(std::make_shared<TemperatureProcessor>(params.temperature));
    builtins_.add(std::make_shared<TopKProcessor>(params.topK));
    builtins_.add(std::make_shared<TopPProcessor>(params.topP));
    builtins_.add(std::make_shared<MinPProcessor>(params.minP));
}

double Sampler::uniform() {
    // splitmix64: fixed, portable sequence for a seed.
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
}

std::int32_t Sampler::sample(std::vector<float> logits, const std::vector<std::int32_t>& context) {
    if (logits.empty()) throw Error("sample: empty logits");
    extra_.apply(logits, context);
    if (params_.temperature == 0.0) {
        RepetitionPenaltyProcessor(params_.repeatPenalty, params_.presencePenalty, params_.frequencyPenalty,
                                   params_.repeatLastN)
            .apply(logits, context);
        return static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    }
    builtins_.apply(logits, context);
    const auto ids = sortedIds(logits);
    if (ids.empty()) throw Error("sample: every token was masked out by the logits processors");
    const auto p = softmaxOf(logits, ids);
    const double r = uniform();
    double cum = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        cum += p[i];
        if (r < cum) return ids[i];
    }
    return ids.back();
}

} // namespace hone
