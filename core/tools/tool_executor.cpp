// Parallel tool calls with timeouts; see tool_executor.h.
#include "tools/tool_executor.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace hone::tools {
namespace {

// Shared between the waiting caller and the worker thread; whoever finishes last frees it.
struct Slot {
    std::mutex mutex;
    std::condition_variable done;
    std::optional<ToolResult> result;
};

std::string secondsText(std::chrono::milliseconds ms) {
    const long long whole = ms.count() / 1000, tenths = (ms.count() % 1000) / 100;
    return std::to_string(whole) + (tenths ? "." + std::to_string(tenths) : "") + " s";
}

} // namespace

void truncateResult(ToolResult& result, std::size_t maxBytes) {
    std::string& s = result.content;
    if (s.size() <= maxBytes) return;
    const std::size_t total = s.size();
    std::size_t cut = maxBytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut; // not inside a character
    s.resize(cut);
    s += "\n[... output truncated: " + std::to_string(cut) + " of " + std::to_string(total) + " bytes shown]";
    result.truncated = true;
}

ToolExecutor::ToolExecutor(const ToolRegistry& registry, ExecutorOptions options)
    : registry_(registry)
    , options_(options) {}

ToolResult ToolExecutor::run(const ToolCall& call) const {
    return runAll({call}).front();
}

std::vector<ToolResult> ToolExecutor::runAll(const std::vector<ToolCall>& calls) const {
    const Deadline deadline = Clock::now() + options_.timeout;
    std::vector<std::shared_ptr<Slot>> slots;
    std::vector<ToolResult> results(calls.size());
    std::vector<bool> started(calls.size(), false);
    for (std::size_t i = 0; i < calls.size(); ++i) {
        auto slot = std::make_shared<Slot>();
        slots.push_back(slot);
        std::shared_ptr<Tool> tool = registry_.find(calls[i].name);
        if (!tool) {
            std::string known;
            for (const std::string& n : registry_.names()) known += (known.empty() ? "" : ", ") + n;
            results[i] = ToolResult::error("unknown tool '" + calls[i].name + "'; the available tools are: " +
                                           (known.empty() ? std::string("none") : known));
            continue;
        }
        try {
            // The thread holds its own references to the tool, the arguments and the slot.
            std::thread([tool, slot, args = calls[i].arguments, deadline] {
                ToolResult r = tool->call(args, deadline);
                std::lock_guard lock(slot->mutex);
                slot->result = std::move(r);
                slot->done.notify_all();
            }).detach();
            started[i] = true;
        } catch (const std::system_error& e) {
            results[i] = ToolResult::error("tool " + calls[i].name + " could not start: " + e.what());
        }
    }
    for (std::size_t i = 0; i < calls.size(); ++i) {
        if (!started[i]) continue;
        std::unique_lock lock(slots[i]->mutex);
        if (slots[i]->done.wait_until(lock, deadline, [&] { return slots[i]->result.has_value(); })) {
            results[i] = std::move(*slots[i]->result);
        } else {
            results[i] = ToolResult::error("tool " + calls[i].name + " did not finish within " +
                                           secondsText(options_.timeout) +
                                           " and was abandoned; try a smaller request or another tool");
        }
    }
    for (ToolResult& r : results) truncateResult(r, options_.maxResultBytes);
    return results;
}

} // namespace hone::tools
