// Runs a model's batch of tool calls: each call on its own thread, all at once, each with a timeout. A call
// that does not finish in time is answered with an error and left to finish on its own (its thread owns
// everything it touches, so nothing dangles); a huge result is cut to a limit with a visible note.
#pragma once

#include "tools/tool.h"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace hone::tools {

struct ToolCall {
    std::string id; // the model's call id (echoed, not interpreted)
    std::string name;
    Json arguments = Json::object();
};

struct ExecutorOptions {
    std::chrono::milliseconds timeout{30000};
    std::size_t maxResultBytes = 32 * 1024;
};

class ToolExecutor {
public:
    explicit ToolExecutor(const ToolRegistry& registry, ExecutorOptions options = {});

    // One call; an unknown tool name gives an error result listing the tools there are.
    ToolResult run(const ToolCall& call) const;
    // The calls run in parallel; results are in the order of `calls`. Returns within about the timeout.
    std::vector<ToolResult> runAll(const std::vector<ToolCall>& calls) const;

    const ExecutorOptions& options() const { return options_; }

private:
    const ToolRegistry& registry_;
    ExecutorOptions options_;
};

// Cuts `result.content` to at most `maxBytes` bytes (at a UTF-8 character boundary) and appends a note
// saying how much was left out; sets truncated.
void truncateResult(ToolResult& result, std::size_t maxBytes);

} // namespace hone::tools
