// Per-format tool-call counters (calls parsed cleanly, calls that needed the repair pass, calls that could
// not be parsed) that a chat session updates after each reply and shows; safe to update from any thread.
#pragma once

#include "common/json.h"
#include "toolcall/tool_call.h"

#include <array>
#include <atomic>
#include <cstdint>

namespace hone::toolcall {

struct CallCounts {
    uint64_t parsed = 0;   // calls read without repair
    uint64_t repaired = 0; // calls read after a repair
    uint64_t failed = 0;   // calls that could not be read
    bool operator==(const CallCounts&) const = default;
};

class ToolCallCounters {
public:
    // Adds one parse result's calls and errors under `format`.
    void record(Format format, const ParseResult& result);
    CallCounts counts(Format format) const;
    CallCounts total() const;
    void reset();
    // {"hermes": {"parsed": n, "repaired": n, "failed": n}, ...} for every format.
    OrderedJson toJson() const;

private:
    struct Slot {
        std::atomic<uint64_t> parsed{0}, repaired{0}, failed{0};
    };
    std::array<Slot, std::size(kAllFormats)> slots_;
};

} // namespace hone::toolcall
