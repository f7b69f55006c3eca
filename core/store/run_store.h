// Training runs in hone.db: the run rows, their metrics (train/eval per step) and checkpoints. Plain Qt-free
// value types over a Store; every write is its own short transaction, so a trainer process and the GUI or CLI
// can write the same file at once (WAL + busy timeout).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hone {

class Store;

enum class RunStatus { Queued, Running, Paused, Finished, Failed, Stopped };
enum class MetricKind { Train, Eval };

// "queued", "running", ...; parse throws hone::Error listing the valid names.
std::string runStatusName(RunStatus s);
RunStatus parseRunStatus(const std::string& name);
bool isTerminal(RunStatus s);             // finished, failed, stopped
std::string metricKindName(MetricKind k); // "train" | "eval"
MetricKind parseMetricKind(const std::string& name);

// One row of `runs`. Empty strings are stored as NULL (and read back as empty); timestamps are ISO 8601 UTC
// with milliseconds ("2024-05-01T12:00:00.123Z"), set by the store.
struct RunRecord {
    std::int64_t id = 0; // assigned by createRun
    std::string name;
    RunStatus status = RunStatus::Queued;
    std::string modelPath;     // required
    std::string modelIdentity; // JSON text: architecture, params, dtype, file hashes...
    std::string datasetPath;
    std::string datasetHash;
    std::string templateName;
    std::string templateHash;
    std::string configJson = "{}"; // required, a JSON object (hyper-parameters)
    std::string versionsJson;      // JSON text: hone, torch, ... versions
    std::string device;
    std::string runDir;
    std::optional<std::int64_t> pid;
    std::string createdAt, startedAt, updatedAt, finishedAt;
    std::optional<std::int64_t> totalSteps, lastStep;
    std::optional<double> finalTrainLoss, finalEvalLoss;
    std::string error;
    std::string adapterPath;
};

struct MetricRow {
    std::int64_t step = 0;
    MetricKind kind = MetricKind::Train;
    std::optional<double> loss, lr, gradNorm, tokensPerS;
    std::optional<std::int64_t> peakMemBytes;
    std::optional<double> epoch;
    std::string at; // empty: now
};

struct CheckpointRow {
    std::int64_t step = 0;
    std::string path;
    std::string createdAt;
};

struct RunFilter {
    std::optional<RunStatus> status;
    std::string text; // case-insensitive substring of name, model_path or dataset_path; empty: all
};

class RunStore {
public:
    // The store must be open (migrated to a schema with the runs tables).
    explicit RunStore(Store& store);

    // Inserts the run (id, created_at and updated_at are assigned) and returns its id. Throws hone::Error for
    // an empty model path or a config that is not a JSON object.
    std::int64_t createRun(const RunRecord& run);
    // Running sets started_at (first start only) and clears finished_at; finished/failed/stopped set
    // finished_at. `error` replaces the stored error (empty clears it). All setters throw hone::Error for an
    // unknown id.
    void setStatus(std::int64_t id, RunStatus status, const std::string& error = {});
    void setPid(std::int64_t id, std::optional<std::int64_t> pid);
    // What the trainer resolved at start: the device it runs on, hashes of the dataset file and the chat
    // template, and software versions (JSON text; empty keeps the stored value).
    void setRunInfo(std::int64_t id, const std::string& device, const std::string& datasetHash,
                    const std::string& templateHash, const std::string& versionsJson = {});
    void setProgress(std::int64_t id, std::int64_t lastStep, std::int64_t totalSteps);
    void setFinal(std::int64_t id, std::optional<double> trainLoss, std::optional<double> evalLoss,
                  const std::string& adapterPath);

    // One transaction per call; a row for an existing (kind, step) replaces it (a resumed run rewrites the
    // steps after its checkpoint).
    void appendMetrics(std::int64_t id, const std::vector<MetricRow>& rows);
    void addCheckpoint(std::int64_t id, std::int64_t step, const std::string& path);
    // For resume from `step`: forget checkpoints (resp. metrics) with a larger step. Return how many.
    int deleteCheckpointsAfter(std::int64_t id, std::int64_t step);
    int deleteMetricsAfter(std::int64_t id, std::int64_t step);

    // Newest first.
    std::vector<RunRecord> listRuns(const RunFilter& filter = {});
    // Throws hone::Error "no run with id N; `hone runs list` shows the runs" when missing.
    RunRecord run(std::int64_t id);
    bool exists(std::int64_t id);
    // Ordered by kind (train, eval) then step; nullopt: both kinds.
    std::vector<MetricRow> metrics(std::int64_t id, std::optional<MetricKind> kind = std::nullopt);
    std::vector<CheckpointRow> checkpoints(std::int64_t id); // by step
    // Deletes the run's rows (metrics and checkpoints cascade); the caller deletes its files.
    void deleteRun(std::int64_t id);

    // Runs marked 'running' (or 'paused', or 'queued' with a pid) whose process is gone (no such pid, or a
    // zombie) become 'failed' with an error saying so; returns their ids. A running run without a pid is left
    // alone (set the pid first).
    std::vector<std::int64_t> markStaleRunning();
    // Whether a process with this pid exists and is not a zombie (on this machine).
    static bool processAlive(std::int64_t pid);

private:
    Store& store_;
};

} // namespace hone
