// RFC 4180 CSV: quoted fields with embedded commas, quotes ("") and newlines; a header row names the columns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hone::data {

struct CsvRow {
    std::size_t line = 0; // 1-based line where the record starts
    std::vector<std::string> fields;
};

struct CsvParseResult {
    std::vector<CsvRow> rows;                                  // including the header row
    std::vector<std::pair<std::size_t, std::string>> problems; // (line, reason)
};

CsvParseResult parseCsv(std::string_view text);

} // namespace hone::data
