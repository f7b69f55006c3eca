// JSONL/JSON/CSV dataset readers with per-record error isolation and line numbers.
#include "data/dataset_file.h"

#include "common/error.h"
#include "common/mapped_file.h"
#include "data/csv_reader.h"

#include <algorithm>

namespace hone::data {

namespace {

constexpr std::size_t kMaxRecordBytes = 64u << 20; // one example larger than this is surely a mistake

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string shortJsonError(const std::exception& e) {
    std::string m = e.what();
    auto p = m.find("] ");
    return p == std::string::npos ? m : m.substr(p + 2);
}

void readJsonl(std::string_view text, RawDataset& out) {
    std::size_t line = 1, pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view row = text.substr(pos, end - pos);
        if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
        const bool blank = row.find_first_not_of(" \t") == std::string_view::npos;
        if (!blank) {
            if (row.size() > kMaxRecordBytes) {
                out.problems.push_back({line, "record is larger than 64 MiB"});
            } else {
                try {
                    Json v = Json::parse(row);
                    if (!v.is_object())
                        out.problems.push_back(
                            {line, std::string("expected a JSON object, found ") + v.type_name()});
                    else
                        out.records.push_back({line, std::move(v)});
                } catch (const Json::exception& e) {
                    out.problems.push_back({line, "invalid JSON: " + shortJsonError(e)});
                }
            }
        }
        pos = end + 1;
        ++line;
    }
}

// Splits a top-level JSON array into its elements without parsing them, so that one bad element is reported
// with its line and the rest still load.
void readJsonArray(std::string_view text, RawDataset& out) {
    std::size_t i = text.find('[');
    std::size_t line = 1 + std::count(text.begin(), text.begin() + std::ptrdiff_t(i), '\n');
    ++i;
    int depth = 0;
    bool inString = false, escape = false;
    std::size_t start = std::string_view::npos, startLine = line;
    auto flush = [&](std::size_t end) {
        if (start == std::string_view::npos) return;
        std::string_view elem = text.substr(start, end - start);
        while (!elem.empty() && std::isspace(static_cast<unsigned char>(elem.back()))) elem.remove_suffix(1);
        start = std::string_view::npos;
        if (elem.empty()) return;
        try {
            Json v = Json::parse(elem);
            if (!v.is_object())
                out.problems.push_back(
                    {startLine, std::string("expected a JSON object, found ") + v.type_name()});
            else
                out.records.push_back({startLine, std::move(v)});
        } catch (const Json::exception& e) {
            out.problems.push_back({startLine, "invalid JSON: " + shortJsonError(e)});
        }
    };
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n') ++line;
        if (inString) {
            if (escape)
                escape = false;
            else if (c == '\\')
                escape = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (start == std::string_view::npos && !std::isspace(static_cast<unsigned char>(c)) && c != ',' &&
            !(depth == 0 && c == ']')) {
            start = i;
            startLine = line;
        }
        if (c == '"')
            inString = true;
        else if (c == '{' || c == '[')
            ++depth;
        else if (c == '}' || c == ']') {
            if (depth == 0) { // the closing bracket of the top-level array
                flush(i);
                std::string_view rest = text.substr(i + 1);
                if (rest.find_first_not_of(" \t\r\n") != std::string_view::npos)
                    out.problems.push_back({line, "text after the end of the JSON array was ignored"});
                return;
            }
            --depth;
        } else if (c == ',' && depth == 0) {
            flush(i);
        }
    }
    flush(text.size());
    out.problems.push_back({line, "the JSON array is never closed (file truncated?)"});
}

void readCsv(std::string_view text, RawDataset& out) {
    CsvParseResult csv = parseCsv(text);
    for (auto& [line, reason] : csv.problems) out.problems.push_back({line, reason});
    if (csv.rows.empty()) return;
    out.columns = csv.rows.front().fields;
    for (std::size_t r = 1; r < csv.rows.size(); ++r) {
        const CsvRow& row = csv.rows[r];
        if (row.fields.size() != out.columns.size()) {
            out.problems.push_back({row.line, "has " + std::to_string(row.fields.size()) +
                                                  " fields, the header has " +
                                                  std::to_string(out.columns.size())});
            continue;
        }
        Json obj = Json::object();
        for (std::size_t c = 0; c < row.fields.size(); ++c) obj[out.columns[c]] = row.fields[c];
        out.records.push_back({row.line, std::move(obj)});
    }
}

} // namespace

std::string fileKindName(FileKind k) {
    switch (k) {
    case FileKind::Jsonl:
        return "jsonl";
    case FileKind::JsonArray:
        return "json";
    case FileKind::Csv:
        return "csv";
    }
    return "jsonl";
}

RawDataset readDatasetText(std::string_view text, const std::string& name, const std::string& extIn) {
    const std::string ext = lower(extIn);
    if (ext == ".parquet")
        throw Error(
            name +
            ": Parquet files need a reader that Debian does not ship yet, so Hone cannot read them. "
            "Convert to JSONL first (e.g. with pandas: read_parquet(...).to_json(out, orient='records', "
            "lines=True)) and open the .jsonl file");
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos)
        throw Error(name + " is empty: a dataset needs at least one example");
    if (text.substr(0, std::min<std::size_t>(text.size(), 4096)).find('\0') != std::string_view::npos)
        throw Error(name + " looks like a binary file, not JSONL, JSON or CSV text");
    RawDataset out;
    out.path = name;
    if (ext == ".csv" || ext == ".tsv")
        out.kind = FileKind::Csv;
    else if (ext == ".jsonl" || ext == ".ndjson")
        out.kind = FileKind::Jsonl;
    else if (ext == ".json")
        out.kind = text[first] == '[' ? FileKind::JsonArray : FileKind::Jsonl;
    else
        out.kind = text[first] == '['   ? FileKind::JsonArray
                   : text[first] == '{' ? FileKind::Jsonl
                                        : FileKind::Csv;
    switch (out.kind) {
    case FileKind::Jsonl:
        readJsonl(text, out);
        break;
    case FileKind::JsonArray:
        readJsonArray(text, out);
        break;
    case FileKind::Csv:
        readCsv(text, out);
        break;
    }
    return out;
}

RawDataset readDatasetFile(const std::string& path) {
    const auto dot = path.find_last_of('.');
    const auto slash = path.find_last_of('/');
    std::string ext =
        dot != std::string::npos && (slash == std::string::npos || dot > slash) ? path.substr(dot) : "";
    if (lower(ext) == ".parquet") return readDatasetText({}, path, ext);
    MappedFile file(path);
    return readDatasetText(file.view(), path, ext);
}

} // namespace hone::data
