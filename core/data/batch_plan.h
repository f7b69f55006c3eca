// The micro-batches of one training epoch, decided up front and deterministically: a seeded per-epoch
// shuffle, then one example per row padded to the longest in the batch, or several examples packed into
// rows of up to maxSeqLen tokens (positions restart per document, labels never cross documents). Labels are
// already shifted for next-token prediction. Torch-free; the trainer turns rows into tensors.
#pragma once

#include "data/token_dataset.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hone::data {

// Label of a position the loss ignores (PyTorch's cross_entropy ignore_index default).
inline constexpr int32_t kIgnoreLabel = -100;

struct PackedRow {
    std::vector<int32_t> ids;
    // Next-token targets: labels[i] = ids[i + 1] when that token is a target (TokenizedExample::train),
    // else kIgnoreLabel; the last position of each document is kIgnoreLabel.
    std::vector<int32_t> labels;
    std::vector<int32_t> positions; // 0, 1, ... restarting at every document (padding included)
    // Lengths of the documents in this row, in order; padding is a final "document" whose labels are all
    // kIgnoreLabel. Sums to ids.size().
    std::vector<int32_t> docLengths;
};

struct MicroBatch {
    std::vector<PackedRow> rows;             // all the same length (right-padded with padId, labels ignored)
    std::size_t targetTokens = 0;            // labels that are not kIgnoreLabel
    std::vector<std::size_t> exampleIndices; // indices into the examples, row by row, in row order
};

struct BatchPlanOptions {
    int batchSize = 1;    // rows per micro-batch
    int maxSeqLen = 2048; // packing: the row length limit; every example must fit in it
    bool packing = false;
    std::uint64_t seed = 0;
    bool shuffle = true;
    int32_t padId = 0; // see paddingId()
};

// The micro-batches of epoch `epoch` (0-based): every example exactly once, shuffled with a seed derived
// from (seed, epoch) so that each epoch has its own reproducible order. Padding mode: one example per row,
// batchSize rows per micro-batch. Packing mode: greedy first-fit in shuffled order into rows of at most
// maxSeqLen tokens (no document split across rows), batchSize rows per micro-batch. The last micro-batch
// may be smaller. Throws hone::Error for a non-positive batch size or maxSeqLen, an empty example, or an
// example longer than maxSeqLen.
std::vector<MicroBatch> planEpoch(const std::vector<TokenizedExample>& examples,
                                  const BatchPlanOptions& options, int epoch);

// Labels of the micro-batch that are not kIgnoreLabel.
std::size_t countTargets(const MicroBatch& batch);

// The shuffle seed of an epoch (SplitMix64 of seed and epoch).
std::uint64_t epochSeed(std::uint64_t seed, int epoch);

} // namespace hone::data
