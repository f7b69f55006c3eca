// Tool-call counters: relaxed atomics per format (each number is independent; no cross-field snapshot).
#include "toolcall/toolcall_counters.h"

namespace hone::toolcall {

void ToolCallCounters::record(Format format, const ParseResult& result) {
    Slot& s = slots_[size_t(format)];
    uint64_t repaired = 0;
    for (const auto& c : result.calls) repaired += c.repaired ? 1 : 0;
    s.parsed.fetch_add(result.calls.size() - repaired, std::memory_order_relaxed);
    s.repaired.fetch_add(repaired, std::memory_order_relaxed);
    s.failed.fetch_add(result.errors.size(), std::memory_order_relaxed);
}

CallCounts ToolCallCounters::counts(Format format) const {
    const Slot& s = slots_[size_t(format)];
    return {s.parsed.load(std::memory_order_relaxed), s.repaired.load(std::memory_order_relaxed),
            s.failed.load(std::memory_order_relaxed)};
}

CallCounts ToolCallCounters::total() const {
    CallCounts t;
    for (Format f : kAllFormats) {
        CallCounts c = counts(f);
        t.parsed += c.parsed;
        t.repaired += c.repaired;
        t.failed += c.failed;
    }
    return t;
}

void ToolCallCounters::reset() {
    for (auto& s : slots_) {
        s.parsed.store(0, std::memory_order_relaxed);
        s.repaired.store(0, std::memory_order_relaxed);
        s.failed.store(0, std::memory_order_relaxed);
    }
}

OrderedJson ToolCallCounters::toJson() const {
    OrderedJson j = OrderedJson::object();
    for (Format f : kAllFormats) {
        CallCounts c = counts(f);
        j[formatName(f)] = {{"parsed", c.parsed}, {"repaired", c.repaired}, {"failed", c.failed}};
    }
    return j;
}

} // namespace hone::toolcall
