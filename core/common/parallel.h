// Runs one work function on several threads (each pulls its own items, e.g. from an atomic counter) and
// rethrows the first exception any of them threw, after all have finished. Standard C++ only.
#pragma once

#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace hone {

template <typename Work> void runOnThreads(unsigned threads, Work&& work) {
    if (threads <= 1) {
        work();
        return;
    }
    std::vector<std::thread> pool;
    std::exception_ptr err;
    std::mutex errMu;
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            try {
                work();
            } catch (...) {
                std::lock_guard<std::mutex> lock(errMu);
                if (!err) err = std::current_exception();
            }
        });
    for (auto& th : pool) th.join();
    if (err) std::rethrow_exception(err);
}

} // namespace hone
