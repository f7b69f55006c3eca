// A CPU emulation of the CUDA/HIP execution model, for tests only (vendor.h includes it under
// HONE_GPU_EMULATE): the kernels' own source compiles as C++ and each GPU thread of a block runs as a fiber
// (ucontext) on the launching thread. Blocks run one after the other; __syncthreads is a block barrier and
// the warp shuffles a per-warp exchange, both cooperative: a fiber that reaches one yields until the rest of
// its block (or warp) has arrived. A barrier that some threads never reach (one in divergent code, undefined
// on a GPU) is reported and aborts. "Device" pointers are host pointers. warpSize is a variable so the tests
// run both 32-wide (NVIDIA, RDNA) and 64-wide (CDNA) reductions. Fibers, not OS threads: a launch of 256
// threads once cost 256 thread starts and every barrier a round of futex wake-ups across them, which made
// the emulated tests slow and, on a loaded 2-core machine, several times slower still.
#pragma once

#include <ucontext.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define HONE_EMU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HONE_EMU_ASAN 1
#endif
#endif
#ifdef HONE_EMU_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

namespace hone::emu {

inline int gWarpSize = 32;
inline thread_local dim3 gBlockDim, gGridDim;
inline thread_local dim3 tThreadIdx, tBlockIdx; // the running fiber's

// One launch's fibers and barriers. Barrier 0 is the block's; barrier 1 + w is warp w's.
struct Scheduler {
    static constexpr std::size_t kStackBytes = 128 * 1024;
    struct Fiber {
        ucontext_t context{};
        char* stack = nullptr;
        int waitingOn = -1;      // barrier index, or -1 when runnable
        unsigned generation = 0; // the barrier's generation it waits to see pass
        bool done = false;
        void* fakeStack = nullptr; // AddressSanitizer's fake stack while switched out
    };
    ucontext_t main{};
    const std::function<void()>* body = nullptr;
    std::vector<Fiber> fibers;
    std::vector<int> expected, arrived;
    std::vector<unsigned> generation;
    std::vector<float> exchange; // one slot per thread of the running block
    std::size_t current = 0;
    const void* mainStackBottom = nullptr;
    std::size_t mainStackSize = 0;
};
inline thread_local Scheduler* tScheduler = nullptr;
// The fibers' stacks, kept for the thread's later launches. Not zeroed: pages are committed only as a fiber
// touches them.
inline thread_local std::vector<std::unique_ptr<char[]>> tStacks;

// Switches between the scheduler and a fiber, telling AddressSanitizer which stack is about to run. Kept out
// of line, like armFiber: GCC treats getcontext/swapcontext as returning twice, which would put the callers'
// locals under -Wclobbered.
[[gnu::noinline]] inline void switchContext(ucontext_t* from, const ucontext_t* to, void** fakeStack,
                                            const void* toBottom, std::size_t toSize) {
#ifdef HONE_EMU_ASAN
    __sanitizer_start_switch_fiber(fakeStack, toBottom, toSize);
    swapcontext(from, to);
    __sanitizer_finish_switch_fiber(*fakeStack, nullptr, nullptr);
#else
    (void)fakeStack, (void)toBottom, (void)toSize;
    swapcontext(from, to);
#endif
}

// The fiber's side of a barrier: the last to arrive opens it; the others yield until it has opened.
inline void arriveAndWait(std::size_t barrier) {
    Scheduler& s = *tScheduler;
    if (++s.arrived[barrier] == s.expected[barrier]) {
        s.arrived[barrier] = 0;
        ++s.generation[barrier];
        return;
    }
    Scheduler::Fiber& f = s.fibers[s.current];
    f.waitingOn = int(barrier);
    f.generation = s.generation[barrier];
    switchContext(&f.context, &s.main, &f.fakeStack, s.mainStackBottom, s.mainStackSize);
}

inline void syncthreads() {
    arriveAndWait(0);
}

// __shfl_xor: every lane of the warp publishes its value, then reads its partner's.
inline float shflXor(float v, int mask) {
    Scheduler& s = *tScheduler;
    const int t = int(tThreadIdx.x), warp = t / gWarpSize, lane = t % gWarpSize;
    s.exchange[std::size_t(t)] = v;
    arriveAndWait(1 + std::size_t(warp));
    const float other = s.exchange[std::size_t(warp * gWarpSize + (lane ^ mask))];
    arriveAndWait(1 + std::size_t(warp));
    return other;
}

inline void fiberEntry() {
    Scheduler& s = *tScheduler;
#ifdef HONE_EMU_ASAN
    __sanitizer_finish_switch_fiber(nullptr, &s.mainStackBottom, &s.mainStackSize);
#endif
    (*s.body)();
    s.fibers[s.current].done = true;
#ifdef HONE_EMU_ASAN
    __sanitizer_start_switch_fiber(nullptr, s.mainStackBottom, s.mainStackSize); // this stack is finished
#endif
    // Returning resumes the scheduler through uc_link.
}

// Prepares `c` to run fiberEntry on `stack` and return to `link`.
[[gnu::noinline]] inline void armFiber(ucontext_t* c, char* stack, std::size_t bytes, ucontext_t* link) {
    getcontext(c);
    c->uc_stack.ss_sp = stack;
    c->uc_stack.ss_size = bytes;
    c->uc_link = link;
    makecontext(c, fiberEntry, 0);
}

// Runs `body` as grid x block threads (block a multiple of gWarpSize, as every Hone launch is).
inline void launchFibers(unsigned grid, unsigned block, const std::function<void()>& body) {
    Scheduler s;
    s.body = &body;
    const std::size_t warps = (block + unsigned(gWarpSize) - 1) / unsigned(gWarpSize);
    s.expected.assign(1 + warps, gWarpSize);
    s.expected[0] = int(block);
    s.exchange.assign(block, 0.0f);
    s.fibers.resize(block);
    while (tStacks.size() < block) tStacks.emplace_back(new char[Scheduler::kStackBytes]);
    for (std::size_t t = 0; t < block; ++t) s.fibers[t].stack = tStacks[t].get();
    tScheduler = &s;
    gGridDim = {grid, 1, 1};
    gBlockDim = {block, 1, 1};
    for (unsigned b = 0; b < grid; ++b) {
        tBlockIdx = {b, 1, 1};
        s.arrived.assign(1 + warps, 0);
        s.generation.assign(1 + warps, 0);
        for (auto& f : s.fibers) {
            armFiber(&f.context, f.stack, Scheduler::kStackBytes, &s.main);
            f.waitingOn = -1;
            f.done = false;
        }
        // Round robin over the fibers that can run, until all have finished the block.
        for (;;) {
            bool ran = false, unfinished = false;
            for (std::size_t t = 0; t < block; ++t) {
                Scheduler::Fiber& f = s.fibers[t];
                if (f.done) continue;
                unfinished = true;
                if (f.waitingOn >= 0 && s.generation[std::size_t(f.waitingOn)] == f.generation) continue;
                f.waitingOn = -1;
                s.current = t;
                tThreadIdx = {unsigned(t), 1, 1};
                void* fake = nullptr;
                switchContext(&s.main, &f.context, &fake, f.stack, Scheduler::kStackBytes);
                ran = true;
            }
            if (!unfinished) break;
            if (!ran) {
                std::fprintf(stderr,
                             "GPU emulation: block %u of a %u x %u launch is stuck: some threads wait at a "
                             "barrier (__syncthreads or a warp shuffle) that the others never reach\n",
                             b, grid, block);
                std::abort();
            }
        }
    }
    tScheduler = nullptr;
}

template <typename F> void launch(unsigned grid, unsigned block, const F& body) {
    launchFibers(grid, block, std::function<void()>(body));
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
