// Train/validation split with a deterministic shuffle: the same seed gives the same order on every platform
// (SplitMix64 + Fisher-Yates, not std::shuffle, whose distributions differ between standard libraries).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hone::data {

struct SplitOptions {
    double evalFraction = 0.0; // share of examples held out for validation, in [0, 1)
    std::uint64_t seed = 42;
    bool shuffle = true;
};

struct Split {
    std::vector<std::size_t> train; // indices into the examples, in training order
    std::vector<std::size_t> eval;
};

// Throws hone::Error when there are no examples, the fraction is outside [0, 1), or nothing would be left to
// train on. A positive fraction holds out at least one example.
Split splitExamples(std::size_t count, const SplitOptions& options);

// A permutation of 0..count-1 from `seed` (Fisher-Yates driven by SplitMix64).
std::vector<std::size_t> seededPermutation(std::size_t count, std::uint64_t seed);

// SplitMix64: the portable generator behind the shuffle (also used for per-epoch reshuffles).
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed)
        : state_(seed) {}
    std::uint64_t next();
    // Uniform in [0, bound) without modulo bias (rejection sampling).
    std::uint64_t below(std::uint64_t bound);

private:
    std::uint64_t state_;
};

} // namespace hone::data
