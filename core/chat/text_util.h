// Unicode helpers with Python str semantics (case mapping, whitespace, splitlines) for the Jinja engine.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hone::jinja {

std::u32string decodeUtf8(std::string_view s);
std::string encodeUtf8(std::u32string_view s);
void appendCodePoint(std::string& out, uint32_t cp);

bool pyIsSpace(uint32_t cp);
bool pyIsAlpha(uint32_t cp);
bool pyIsDigit(uint32_t cp);
bool pyIsUpper(uint32_t cp);
bool pyIsLower(uint32_t cp);
uint32_t pyToUpper(uint32_t cp);
uint32_t pyToLower(uint32_t cp);

std::string pyUpper(std::string_view s);
std::string pyLower(std::string_view s);
std::string pyTitle(std::string_view s);      // str.title()
std::string pyCapitalize(std::string_view s); // str.capitalize()
// str.strip/lstrip/rstrip with chars (nullptr: whitespace).
std::string pyStrip(std::string_view s, const std::string* chars, bool left, bool right);
// str.splitlines() (keepends=false).
std::vector<std::string> pySplitLines(std::string_view s);
// str.split(sep=None / sep, maxsplit).
std::vector<std::string> pySplit(std::string_view s, const std::string* sep, int64_t maxsplit);
std::vector<std::string> pyRSplit(std::string_view s, const std::string* sep, int64_t maxsplit);
std::string pyReplace(std::string_view s, std::string_view from, std::string_view to, int64_t count);
int64_t pyCount(std::string_view s, std::string_view sub);

} // namespace hone::jinja
