// A small state-machine CSV reader (no regex, linear time).
#include "data/csv_reader.h"

namespace hone::data {

CsvParseResult parseCsv(std::string_view text) {
    CsvParseResult out;
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3); // UTF-8 BOM
    CsvRow row;
    std::string field;
    std::size_t line = 1;
    row.line = 1;
    bool inQuotes = false, fieldStarted = false, afterQuote = false;
    auto endField = [&] {
        row.fields.push_back(std::move(field));
        field.clear();
        fieldStarted = afterQuote = false;
    };
    auto endRow = [&] {
        endField();
        bool blank = row.fields.size() == 1 && row.fields[0].empty();
        if (!blank) out.rows.push_back(std::move(row));
        row = CsvRow{};
        row.line = line;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inQuotes) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    inQuotes = false;
                    afterQuote = true;
                }
            } else {
                if (c == '\n') ++line;
                field += c;
            }
            continue;
        }
        if (c == '"' && !fieldStarted) {
            inQuotes = fieldStarted = true;
        } else if (c == ',') {
            endField();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            ++line;
            endRow();
        } else {
            if (afterQuote) {
                out.problems.emplace_back(line,
                                          "text after a closing quote (a field must be quoted as a whole)");
                afterQuote = false;
            }
            field += c;
            fieldStarted = true;
        }
    }
    if (inQuotes)
        out.problems.emplace_back(row.line,
                                  "a quoted field is never closed; the rest of the file was ignored");
    else if (fieldStarted || !row.fields.empty() || !field.empty())
        endRow();
    return out;
}

} // namespace hone::data
