// Exports in hone.db: one row per artifact `hone export` wrote (PEFT adapter, merged folder, GGUF, Ollama
// Modelfile), with the run it came from and the JSON of its post-export check. Qt-free value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hone {

class Store;

struct ExportRecord {
    std::int64_t id = 0;               // assigned by addExport
    std::optional<std::int64_t> runId; // empty for an adapter given by folder
    std::string adapterPath;
    std::string format; // peft, merged, gguf, ollama (required)
    std::string path;   // the artifact (required)
    std::string dtype;  // f32, f16, bf16 or empty
    std::string quant;  // e.g. q8_0 or empty
    std::string createdAt;
    std::string checkJson; // JSON text of the check, or empty
};

// Inserts the row (id and created_at assigned) and returns its id. Throws hone::Error for an empty format or
// path, or check JSON that does not parse.
std::int64_t addExport(Store& store, const ExportRecord& record);
// Newest first; with runId only that run's exports.
std::vector<ExportRecord> listExports(Store& store, std::optional<std::int64_t> runId = std::nullopt);

} // namespace hone
