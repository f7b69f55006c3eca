// Copy bandwidth measured with the same threads the engine uses.
#include "infer/memory_bandwidth.h"

#include <ATen/Parallel.h>
#include <chrono>
#include <cstdio>
#include <unistd.h>

namespace hone {

double measureCopyBandwidth(int megabytes, int repeats) {
    const std::int64_t n = static_cast<std::int64_t>(megabytes) * 1024 * 1024 / 4;
    auto src = torch::ones({n}, torch::kFloat32);
    auto dst = torch::empty({n}, torch::kFloat32);
    dst.copy_(src); // fault the pages in
    double best = 0;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        dst.copy_(src);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, 2.0 * static_cast<double>(n) * 4.0 / s);
    }
    return best;
}

double measureReadBandwidth(int megabytes, int repeats) {
    const std::int64_t n = static_cast<std::int64_t>(megabytes) * 1024 * 1024 / 4;
    auto src = torch::ones({n}, torch::kFloat32);
    volatile float sink = src.sum().item<float>();
    double best = 0;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        sink = src.sum().item<float>();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, static_cast<double>(n) * 4.0 / s);
    }
    (void)sink;
    return best;
}

std::uint64_t currentRssBytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long long pages = 0, rss = 0;
    const int got = std::fscanf(f, "%llu %llu", &pages, &rss);
    std::fclose(f);
    return got == 2 ? rss * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

int engineThreads() {
    return at::get_num_threads();
}

} // namespace hone
