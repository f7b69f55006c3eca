// A CPU emulation of the CUDA/HIP execution model, for tests only (vendor.h includes it under
// HONE_GPU_EMULATE): the kernels' own source compiles as C++ and runs with one std::thread per GPU thread,
// blocks one after the other, __syncthreads as a block barrier and the warp shuffles as a per-warp exchange.
// "Device" pointers are host pointers. warpSize is a variable so the tests run both 32-wide (NVIDIA, RDNA)
// and 64-wide (CDNA) reductions. Slow by design; use small shapes.
#pragma once

#include <barrier>
#include <cmath>
#include <memory>
#include <thread>
#include <vector>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

namespace hone::emu {

inline int gWarpSize = 32;
inline dim3 gBlockDim, gGridDim;
inline thread_local dim3 tThreadIdx, tBlockIdx;
inline std::barrier<>* gBlockBarrier = nullptr;
inline std::vector<std::unique_ptr<std::barrier<>>> gWarpBarriers;
inline std::vector<float> gExchange; // one slot per thread of the running block

inline void syncthreads() {
    gBlockBarrier->arrive_and_wait();
}

// __shfl_xor: every lane of the warp publishes its value, then reads its partner's.
inline float shflXor(float v, int mask) {
    const int t = int(tThreadIdx.x), warp = t / gWarpSize, lane = t % gWarpSize;
    std::barrier<>& bar = *gWarpBarriers[std::size_t(warp)];
    gExchange[std::size_t(t)] = v;
    bar.arrive_and_wait();
    const float other = gExchange[std::size_t(warp * gWarpSize + (lane ^ mask))];
    bar.arrive_and_wait();
    return other;
}

// Runs `body` as grid x block threads (block a multiple of gWarpSize, as every Hone launch is).
template <typename F> void launch(unsigned grid, unsigned block, const F& body) {
    gGridDim = {grid, 1, 1};
    gBlockDim = {block, 1, 1};
    std::barrier<> blockBarrier(block);
    gBlockBarrier = &blockBarrier;
    gWarpBarriers.clear();
    for (unsigned w = 0; w < (block + unsigned(gWarpSize) - 1) / unsigned(gWarpSize); ++w)
        gWarpBarriers.push_back(std::make_unique<std::barrier<>>(gWarpSize));
    gExchange.assign(block, 0.0f);
    // One OS thread per GPU thread of a block; together they run the blocks one after the other, meeting at a
    // barrier after each so the next block starts with the shared memory released.
    std::vector<std::thread> threads;
    threads.reserve(block);
    for (unsigned t = 0; t < block; ++t)
        threads.emplace_back([&body, &blockBarrier, grid, t] {
            tThreadIdx = {t, 1, 1};
            for (unsigned b = 0; b < grid; ++b) {
                tBlockIdx = {b, 1, 1};
                body();
                blockBarrier.arrive_and_wait();
            }
        });
    for (std::thread& th : threads) th.join();
}

} // namespace hone::emu

#define __global__
#define __device__
#define __host__
#define __shared__ static // blocks run one at a time, so one copy per kernel is the block's shared memory
#define threadIdx (::hone::emu::tThreadIdx)
#define blockIdx (::hone::emu::tBlockIdx)
#define blockDim (::hone::emu::gBlockDim)
#define gridDim (::hone::emu::gGridDim)
#define warpSize (::hone::emu::gWarpSize)
#define __syncthreads() ::hone::emu::syncthreads()

inline float rsqrtf(float v) {
    return 1.0f / std::sqrt(v);
}

using honeStream_t = void*;
using honeError_t = int;
#define honeSuccess 0
inline honeError_t honeGetLastError() {
    return 0;
}
inline const char* honeGetErrorString(honeError_t) {
    return "emulated";
}
#define HONE_SHFL_XOR(value, mask) ::hone::emu::shflXor((value), (mask))
#define HONE_LAUNCH(kernel, grid, block, stream, ...)                                                        \
    ((void)(stream), ::hone::emu::launch(unsigned(grid), unsigned(block), [&] { kernel(__VA_ARGS__); }))
