// Measured memory copy bandwidth of this machine (for "fraction of the memory-bandwidth limit" in
// benchmarks).
#pragma once

#include <cstdint>

namespace hone {

// Copies a buffer of `megabytes` MiB with LibTorch's (multi-threaded) copy a few times and returns the best
// rate in bytes/s, counting read + write traffic (as STREAM's copy does).
double measureCopyBandwidth(int megabytes = 256, int repeats = 5);
// Read-only streaming rate in bytes/s (a sum over a large buffer): the roofline of a decode step, which only
// reads weights.
double measureReadBandwidth(int megabytes = 256, int repeats = 5);
// Current resident set size in bytes (/proc/self/statm).
std::uint64_t currentRssBytes();
// LibTorch intra-op threads in use (for benchmark reports).
int engineThreads();

} // namespace hone
