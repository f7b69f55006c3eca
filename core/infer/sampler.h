// Token sampling: a chain of logits processors (penalties, temperature, top-k, top-p, min-p; constrained
// decoding plugs in as another processor) followed by a seeded draw, or argmax for temperature 0. Torch-free.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hone {

struct SamplingParams {
    double temperature = 1.0;      // 0 = greedy
    int topK = 0;                  // 0 = off
    double topP = 1.0;             // 1 = off
    double minP = 0.0;             // 0 = off (relative to the most likely token)
    double repeatPenalty = 1.0;    // >1 discourages tokens seen in the last repeatLastN (CTRL-style)
    double presencePenalty = 0.0;  // subtracted once from every seen token
    double frequencyPenalty = 0.0; // subtracted per occurrence
    int repeatLastN = 64;          // window of the penalties; 0 = whole context
    std::uint64_t seed = 0;
};

// Modifies logits in place; `context` is the prompt plus the tokens generated so far. A banned token is -inf.
class LogitsProcessor {
public:
    virtual ~LogitsProcessor() = default;
    virtual void apply(std::vector<float>& logits, const std::vector<std::int32_t>& context) = 0;
    virtual std::string name() const = 0;
};

class RepetitionPenaltyProcessor : public LogitsProcessor {
public:
    RepetitionPenaltyProcessor(double repeat, double presence, double frequency, int lastN)
        : repeat_(repeat)
        , presence_(presence)
        , frequency_(frequency)
        , lastN_(lastN) {}
    void apply(std::vector<float>& logits, const std::vector<std::int32_t>& context) override;
    std::string name() const override { return "penalties"; }

private:
    double repeat_, presence_, frequency_;
    int lastN_;
};

class TemperatureProcessor : public LogitsProcessor {
public:
    explicit TemperatureProcessor(double t)
        : t_(t) {}
    void apply(std::vector<float>& logits, const std::vector<std::int32_t>&) override;
    std::string name() const override { return "temperature"; }

private:
    double t_;
};

class TopKProcessor : public LogitsProcessor {
public:
    explicit TopKProcessor(int k)
        : k_(k) {}
    void apply(std::vector<float>& logits, const std::vector<std::int32_t>&) override;
    std::string name() const override { return "top_k"; }

private:
    int k_;
};

class TopPProcessor : public LogitsProcessor {
public:
    explicit TopPProcessor(double p)
        : p_(p) {}
    void apply(std::vector<float>& logits, const std::vector<std::int32_t>&) override;
    std::string name() const override { return "top_p"; }

private:
    double p_;
};

class MinPProcessor : public LogitsProcessor {
public:
    explicit MinPProcessor(double p)
        : p_(p) {}
    void apply(std::vector<float>& logits, const std::vector<std::int32_t>&) override;
    std::string name() const override { return "min_p"; }

private:
    double p_;
};

class LogitsProcessorChain {
public:
    void add(std::shared_ptr<LogitsProcessor> p) { chain_.push_back(std::move(p)); }
    void apply(std::vector<float>& logits, const std::vector<std::int32_t>& context) const {
        for (const auto& p : chain_) p->apply(logits, context);
    }
    std::size_t size() const { return chain_.size(); }

private:
    std::vector<std::shared_ptr<LogitsProcessor>> chain_;
};

class Sampler {
public:
    explicit Sampler(const SamplingParams& params);
    // Processors run in order: extra ones added here run first (e.g. a grammar mask), then the built-ins
    // (penalties, temperature, top-k, top-p, min-p).
    void addProcessor(std::shared_ptr<LogitsProcessor> p) { extra_.add(std::move(p)); }
    std::int32_t sample(std::vector<float> logits, const std::vector<std::int32_t>& context);
    const SamplingParams& params() const { return params_; }

private:
    double uniform(); // [0, 1), reproducible for a seed on every platform
    SamplingParams params_;
    LogitsProcessorChain extra_, builtins_;
    std::uint64_t state_;
};

} // namespace hone
