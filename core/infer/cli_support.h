// Small helpers shared by the engine's CLI commands and benchmarks: id-list parsing and peak RSS.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hone {

// "1,2,3" -> {1, 2, 3}; throws hone::Error naming `what` on a malformed entry.
std::vector<std::int32_t> parseIdList(const std::string& text, const std::string& what);
// Peak resident set size of this process in bytes (getrusage).
std::uint64_t peakRssBytes();

} // namespace hone
