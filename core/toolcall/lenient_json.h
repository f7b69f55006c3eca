// A forgiving JSON reader for what models write: strict JSON plus the near-misses the repair pass accepts
// (trailing commas, single quotes, unquoted keys, Python True/False/None, raw control characters in strings,
// missing closing braces/brackets at the end of the text). Every leniency used is reported as a repair.
#pragma once

#include "common/json.h"

#include <optional>
#include <string>
#include <string_view>

namespace hone::toolcall {

struct LenientValue {
    OrderedJson value;
    size_t end = 0;        // offset just past the value in the text
    bool repaired = false; // some leniency was needed
};

// Parses one value starting at text[pos] (leading whitespace skipped). Missing closers are supplied only
// when the text ends right after a complete value (or an opening brace/bracket): a text cut inside a string,
// a key or after a comma is truncated, not repairable. Returns nullopt with the reason in *why otherwise.
// Nesting is limited to 128 levels.
// *failPos receives the offset where reading stopped.
std::optional<LenientValue> parseLenientJson(std::string_view text, size_t pos, std::string* why = nullptr,
                                             size_t* failPos = nullptr);

} // namespace hone::toolcall
