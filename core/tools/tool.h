// Tools a chat model can call: the Tool interface (name, description, JSON-schema parameters, side effects),
// the result handed back to the model, and the registry that lists the tools for chat templates.
#pragma once

#include "common/json.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace hone::tools {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

// What goes back to the model. An error is a result too: the model reads the message and may try again.
struct ToolResult {
    std::string content;
    bool isError = false;
    bool truncated = false;

    static ToolResult ok(std::string text) { return {std::move(text), false, false}; }
    static ToolResult error(std::string text) { return {std::move(text), true, false}; }
};

class Tool {
public:
    virtual ~Tool() = default;

    virtual std::string name() const = 0;
    virtual std::string description() const = 0;
    // A JSON schema of type "object" (the OpenAI function `parameters`).
    virtual Json parameters() const = 0;
    // True when calling it changes something outside Hone's chat (the GUI asks the user first).
    virtual bool sideEffects() const { return false; }

    // Validates `arguments` against parameters() and runs the tool. Never throws: a schema mismatch, a
    // hone::Error or any other exception comes back as an error result naming the tool. `deadline` is when
    // the caller stops waiting; tools that can, give up at that point.
    ToolResult call(const Json& arguments, Deadline deadline);

    // {"type": "function", "function": {"name", "description", "parameters"}}
    Json definition() const;

protected:
    // Arguments are already valid here. Throw hone::Error for a failure the model should read.
    virtual ToolResult run(const Json& arguments, Deadline deadline) = 0;
};

class ToolRegistry {
public:
    // Throws hone::Error for an empty or already registered name, or a name other than [A-Za-z0-9_.-]{1,64}.
    void add(std::shared_ptr<Tool> tool);
    // nullptr when absent.
    std::shared_ptr<Tool> find(const std::string& name) const;
    bool contains(const std::string& name) const { return find(name) != nullptr; }
    const std::vector<std::shared_ptr<Tool>>& tools() const { return tools_; }
    std::vector<std::string> names() const;
    // The `tools` array chat templates take: one definition() per tool, in registration order.
    Json toJson() const;

private:
    std::vector<std::shared_ptr<Tool>> tools_;
};

// Checks a valid tool name (what OpenAI-style function names allow): [A-Za-z0-9_.-], 1 to 64 characters.
bool isValidToolName(const std::string& name);

} // namespace hone::tools
