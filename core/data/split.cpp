// Deterministic shuffling and splitting.
#include "data/split.h"

#include "common/error.h"

#include <cmath>
#include <numeric>
#include <string>

namespace hone::data {

std::uint64_t SplitMix64::next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::uint64_t SplitMix64::below(std::uint64_t bound) {
    if (bound <= 1) return 0;
    // Rejection of the top partial block keeps every residue equally likely.
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    for (;;) {
        const std::uint64_t x = next();
        if (x < limit) return x % bound;
    }
}

std::vector<std::size_t> seededPermutation(std::size_t count, std::uint64_t seed) {
    std::vector<std::size_t> order(count);
    std::iota(order.begin(), order.end(), std::size_t(0));
    SplitMix64 rng(seed);
    for (std::size_t i = count; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    return order;
}

Split splitExamples(std::size_t count, const SplitOptions& options) {
    if (count == 0) throw Error("the dataset has no usable examples: see the problems listed for it");
    if (!(options.evalFraction >= 0 && options.evalFraction < 1))
        throw Error("the validation fraction must be in [0, 1) (got " + std::to_string(options.evalFraction) +
                    "); 0.05-0.1 is typical");
    std::size_t evalCount = static_cast<std::size_t>(std::llround(options.evalFraction * double(count)));
    if (options.evalFraction > 0 && evalCount == 0) evalCount = 1;
    if (evalCount >= count)
        throw Error(
            "holding out " + std::to_string(evalCount) + " of " + std::to_string(count) +
            " examples for validation leaves nothing to train on: lower the fraction or add examples");
    std::vector<std::size_t> order(count);
    if (options.shuffle)
        order = seededPermutation(count, options.seed);
    else
        std::iota(order.begin(), order.end(), std::size_t(0));
    Split s;
    s.eval.assign(order.begin(), order.begin() + std::ptrdiff_t(evalCount));
    s.train.assign(order.begin() + std::ptrdiff_t(evalCount), order.end());
    return s;
}

} // namespace hone::data
