// The agent loop of a chat: the model's reply is parsed for tool calls in the model's format; the calls run
// (in parallel, with timeouts, side-effect tools only after approval); their results go back through the chat
// template as `tool` messages; the model continues — until it answers without a call or the step limit. Every
// step (reply text, calls, results, timings) is returned for storing and shown through events. Torch-free.
#pragma once

#include "agent/tool_constraint.h"
#include "chat_session/chat_session.h"
#include "toolcall/tool_call.h"
#include "toolcall/toolcall_counters.h"
#include "tools/tool.h"
#include "tools/tool_executor.h"

#include <functional>
#include <string>
#include <vector>

namespace hone {

struct AgentOptions {
    toolcall::Format format = toolcall::Format::Hermes;
    int maxSteps = 8; // model replies per user message (the last one may not call tools)
    tools::ExecutorOptions executor;
    // Asked before a tool with side effects runs; false sends "the user declined" to the model. Unset:
    // declined.
    std::function<bool(const tools::ToolCall& call, const tools::Tool& tool)> approve;
    toolcall::ToolCallCounters* counters = nullptr; // updated after each reply when set
    // Whether the chat template renders an assistant message's tool_calls. When it does not (plain templates
    // such as Hone's built-in ones), the reply keeps its raw text, calls included, so the model sees what it
    // wrote — the way such a model was trained.
    bool templateRendersToolCalls = true;
    // Constrained decoding of tool calls (Hermes/Qwen formats): once the model opens <tool_call>, only valid
    // calls can be sampled. Build it once per chat with ToolConstraintSpec::make; null: off.
    std::shared_ptr<const ToolConstraintSpec> constraint;
};

struct AgentEvent {
    enum class Kind { Text, ToolCall, ToolResult, TurnEnd, Note };
    Kind kind = Kind::Text;
    std::string text;         // Text: a delta of the reply; Note: a message for the user
    tools::ToolCall call;     // ToolCall, ToolResult
    tools::ToolResult result; // ToolResult
    double toolMs = 0;        // ToolResult: how long the call took
    TurnStats stats;          // TurnEnd: the model reply's statistics
};

struct AgentStep {
    TurnResult turn;              // the model's reply (raw text, stats)
    toolcall::ParseResult parsed; // content, reasoning, calls found in it
    std::vector<tools::ToolCall> calls;
    std::vector<tools::ToolResult> results;
    std::vector<double> toolMs;
};

struct AgentReply {
    std::vector<AgentStep> steps;
    std::string content;   // the final answer (the last reply's content outside calls and reasoning)
    std::string reasoning; // its reasoning
    bool stepLimitReached = false;
    bool cancelled = false;
};

// Runs one user message through the loop. The session's tools (options().tools) should list `registry`'s
// tools so the template shows them to the model. Throws only what ChatSession::send throws.
AgentReply runAgentTurn(ChatSession& session, const tools::ToolRegistry& registry,
                        const std::string& userText, const AgentOptions& options,
                        const std::function<void(const AgentEvent&)>& onEvent = {});

} // namespace hone
