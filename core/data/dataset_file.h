// Reads a dataset file (JSONL, JSON array or CSV) into records, each tagged with the line it starts on.
// Bad records are reported (line, reason) and skipped; they never abort the file.
#pragma once

#include "common/json.h"

#include <string>
#include <string_view>
#include <vector>

namespace hone::data {

enum class FileKind { Jsonl, JsonArray, Csv };
std::string fileKindName(FileKind k);

struct Problem {
    std::size_t line = 0; // 1-based; 0 when it concerns the whole file
    std::string reason;
};

struct Record {
    std::size_t line = 0;
    Json value; // a JSON object (CSV rows become {column: text})
};

struct RawDataset {
    std::string path;
    FileKind kind = FileKind::Jsonl;
    std::vector<Record> records;
    std::vector<Problem> problems;
    std::vector<std::string> columns; // CSV header
};

// Reads `path`; the kind comes from the extension (.jsonl/.ndjson, .json, .csv) or, failing that, from the
// first character. Throws hone::Error for files that cannot be used at all (missing, empty, Parquet, binary).
RawDataset readDatasetFile(const std::string& path);
// The same over text already in memory (`name` is used in messages; `ext` like ".jsonl" may be empty).
RawDataset readDatasetText(std::string_view text, const std::string& name, const std::string& ext = {});

} // namespace hone::data
