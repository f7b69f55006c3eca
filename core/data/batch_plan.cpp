// Epoch planning: shuffle, first-fit packing, padding and shifted labels (see batch_plan.h).
#include "data/batch_plan.h"

#include "common/error.h"
#include "data/split.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace hone::data {

namespace {

// Leftmost row with at least `need` free tokens, over a fixed number of rows (unopened rows are empty), in
// O(log n) per query: a max segment tree over the free space of each row.
class FirstFit {
public:
    FirstFit(std::size_t rows, int capacity)
        : size_(1) {
        while (size_ < rows) size_ <<= 1;
        tree_.assign(2 * size_, 0);
        for (std::size_t i = 0; i < rows; ++i) tree_[size_ + i] = capacity;
        for (std::size_t i = size_ - 1; i >= 1; --i) tree_[i] = std::max(tree_[2 * i], tree_[2 * i + 1]);
    }
    // The row index, or size() when none has room.
    std::size_t find(int need) const {
        if (tree_[1] < need) return size_;
        std::size_t i = 1;
        while (i < size_) i = tree_[2 * i] >= need ? 2 * i : 2 * i + 1;
        return i - size_;
    }
    void take(std::size_t row, int amount) {
        std::size_t i = size_ + row;
        tree_[i] -= amount;
        for (i >>= 1; i >= 1; i >>= 1) tree_[i] = std::max(tree_[2 * i], tree_[2 * i + 1]);
    }

private:
    std::size_t size_;
    std::vector<int> tree_;
};

void appendDocument(PackedRow& row, const TokenizedExample& ex) {
    const std::size_t n = ex.ids.size();
    row.ids.insert(row.ids.end(), ex.ids.begin(), ex.ids.end());
    for (std::size_t i = 0; i < n; ++i) {
        const bool target = i + 1 < n && i + 1 < ex.train.size() && ex.train[i + 1];
        row.labels.push_back(target ? ex.ids[i + 1] : kIgnoreLabel);
        row.positions.push_back(static_cast<int32_t>(i));
    }
    row.docLengths.push_back(static_cast<int32_t>(n));
}

void padRow(PackedRow& row, std::size_t length, int32_t padId) {
    const std::size_t n = row.ids.size();
    if (n >= length) return;
    for (std::size_t i = 0; i < length - n; ++i) {
        row.ids.push_back(padId);
        row.labels.push_back(kIgnoreLabel);
        row.positions.push_back(static_cast<int32_t>(i));
    }
    row.docLengths.push_back(static_cast<int32_t>(length - n));
}

MicroBatch finishBatch(std::vector<PackedRow> rows, std::vector<std::size_t> indices, int32_t padId) {
    std::size_t longest = 0;
    for (const auto& r : rows) longest = std::max(longest, r.ids.size());
    MicroBatch b;
    for (auto& r : rows) padRow(r, longest, padId);
    b.rows = std::move(rows);
    b.exampleIndices = std::move(indices);
    b.targetTokens = countTargets(b);
    return b;
}

} // namespace

std::uint64_t epochSeed(std::uint64_t seed, int epoch) {
    SplitMix64 mix(seed ^ (0xD1B54A32D192ED03ull * (static_cast<std::uint64_t>(epoch) + 1)));
    return mix.next();
}

std::vector<MicroBatch> planEpoch(const std::vector<TokenizedExample>& examples, const BatchPlanOptions& o,
                                  int epoch) {
    if (o.batchSize <= 0)
        throw Error("the batch size must be positive (got " + std::to_string(o.batchSize) + ")");
    if (o.maxSeqLen <= 0)
        throw Error("the maximum sequence length must be positive (got " + std::to_string(o.maxSeqLen) + ")");
    for (std::size_t i = 0; i < examples.size(); ++i) {
        const std::size_t n = examples[i].ids.size();
        if (n == 0)
            throw Error("example " + std::to_string(i) + " (line " + std::to_string(examples[i].line) +
                        ") has no tokens");
        if (n > static_cast<std::size_t>(o.maxSeqLen))
            throw Error("example " + std::to_string(i) + " (line " + std::to_string(examples[i].line) +
                        ") has " + std::to_string(n) + " tokens, more than the maximum sequence length " +
                        std::to_string(o.maxSeqLen) + ": tokenize with the same limit");
    }
    std::vector<std::size_t> order(examples.size());
    if (o.shuffle)
        order = seededPermutation(examples.size(), epochSeed(o.seed, epoch));
    else
        std::iota(order.begin(), order.end(), std::size_t(0));

    // Rows as lists of example indices.
    std::vector<std::vector<std::size_t>> rows;
    if (!o.packing) {
        rows.reserve(order.size());
        for (std::size_t i : order) rows.push_back({i});
    } else {
        FirstFit fit(examples.size(), o.maxSeqLen);
        for (std::size_t i : order) {
            const int need = static_cast<int>(examples[i].ids.size());
            const std::size_t r = fit.find(need);
            if (r >= rows.size()) rows.resize(r + 1);
            rows[r].push_back(i);
            fit.take(r, need);
        }
    }

    std::vector<MicroBatch> plan;
    const auto bs = static_cast<std::size_t>(o.batchSize);
    plan.reserve((rows.size() + bs - 1) / bs);
    for (std::size_t b = 0; b < rows.size(); b += bs) {
        std::vector<PackedRow> batchRows;
        std::vector<std::size_t> indices;
        for (std::size_t r = b; r < std::min(rows.size(), b + bs); ++r) {
            PackedRow row;
            for (std::size_t i : rows[r]) {
                appendDocument(row, examples[i]);
                indices.push_back(i);
            }
            batchRows.push_back(std::move(row));
        }
        plan.push_back(finishBatch(std::move(batchRows), std::move(indices), o.padId));
    }
    return plan;
}

std::size_t countTargets(const MicroBatch& batch) {
    std::size_t n = 0;
    for (const auto& r : batch.rows)
        for (int32_t l : r.labels) n += l != kIgnoreLabel;
    return n;
}

} // namespace hone::data
