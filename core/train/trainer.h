// The training loop behind `hone train`, the GUI and the tests: data -> tokens -> micro-batches -> LoRA
// forward/backward with gradient accumulation normalised by target tokens -> AdamW -> evaluation,
// checkpoints and exact resume. Reports progress as JSON events (the `--json-progress` lines) and obeys a
// TrainControl (stop / pause / resume) between micro-batches. Torch-free header.
#pragma once

#include "common/json.h"
#include "train/train_options.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace hone {

// Thread- and signal-safe requests to a running training loop.
class TrainControl {
public:
    void requestStop() {
        stop_.store(true);
        wake();
    }
    void requestPause() { pause_.store(true); }
    void requestResume() {
        pause_.store(false);
        wake();
    }
    // Async-signal-safe variants for signal handlers (only atomics; the paused loop polls).
    void signalStop() { stop_.store(true); }
    void signalPause() { pause_.store(true); }
    void signalResume() { pause_.store(false); }
    bool stopRequested() const { return stop_.load(); }
    bool pauseRequested() const { return pause_.load(); }
    // Blocks while paused (returns true if the wait happened). Polls so that signal handlers, which may only
    // set the atomics, are noticed.
    bool waitWhilePaused();

private:
    void wake() { cv_.notify_all(); }
    std::atomic<bool> stop_{false}, pause_{false};
    std::mutex m_;
    std::condition_variable cv_;
};

struct TrainResult {
    std::string status; // finished | stopped | failed
    std::string error;
    std::string runDir;
    std::string adapterDir; // final adapter (finished) or the last checkpoint (stopped/failed), may be empty
    std::int64_t steps = 0;
    double finalTrainLoss = 0, finalEvalLoss = -1;
};

using TrainEventFn = std::function<void(const Json& event)>;

// Runs a training described by `options` (validated here), writing into options.outDir. With `resumeDir`
// (a run folder) it continues from that run's newest checkpoint with the run's stored options; `options` are
// then ignored except device/threads. Setup errors (bad data, model, settings, not enough memory) throw
// hone::Error before any step runs; errors during training (non-finite loss, out of memory on a GPU) end the
// run with status "failed", the last checkpoint kept.
TrainResult runTraining(const TrainOptions& options, const TrainEventFn& onEvent,
                        TrainControl* control = nullptr, const std::string& resumeDir = {});

// What a run would do, without loading the weights or writing anything: validates the options, reads and
// tokenizes the data (emitting the "data" event with per-line problems and token-length statistics) and
// emits an "estimate" event {total_bytes, weights_bytes, trainable_bytes, activation_bytes, available_bytes,
// fits, error?}, which it also returns. Throws hone::Error for bad settings or data, like runTraining.
Json inspectTraining(const TrainOptions& options, const TrainEventFn& onEvent);

// The newest complete checkpoint folder of a run folder ("" when there is none).
std::string latestCheckpoint(const std::string& runDir);

} // namespace hone
