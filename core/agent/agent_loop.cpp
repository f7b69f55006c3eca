// Implementation of the agent loop.
#include "agent/agent_loop.h"

#include "toolcall/tool_messages.h"

#include <chrono>
#include <random>

namespace hone {

namespace {

Json plainJson(const OrderedJson& j) {
    return Json::parse(j.dump());
}

std::string resultText(const tools::ToolResult& r) {
    if (!r.isError || r.content.rfind("Error", 0) == 0 || r.content.rfind("error", 0) == 0) return r.content;
    return "Error: " + r.content;
}

} // namespace

AgentReply runAgentTurn(ChatSession& session, const tools::ToolRegistry& registry,
                        const std::string& userText, const AgentOptions& options,
                        const std::function<void(const AgentEvent&)>& onEvent) {
    AgentReply reply;
    const auto emit = [&](AgentEvent e) {
        if (onEvent) onEvent(e);
    };
    const auto note = [&](const std::string& text) {
        AgentEvent e;
        e.kind = AgentEvent::Kind::Note;
        e.text = text;
        emit(std::move(e));
    };
    const TextCallback onText = [&](const std::string& delta) {
        AgentEvent e;
        e.kind = AgentEvent::Kind::Text;
        e.text = delta;
        emit(std::move(e));
        return true;
    };
    const tools::ToolExecutor executor(registry, options.executor);
    // The constraint applies to this message's replies only; the session's own setting comes back after.
    struct RestoreProcessor {
        ChatSession& session;
        std::function<std::shared_ptr<LogitsProcessor>()> saved;
        ~RestoreProcessor() { session.options().replyProcessor = std::move(saved); }
    } restore{session, session.options().replyProcessor};
    if (options.constraint &&
        (options.format == toolcall::Format::Hermes || options.format == toolcall::Format::Qwen3))
        session.options().replyProcessor = [spec = options.constraint] {
            return std::make_shared<ToolCallConstraint>(spec);
        };
    std::mt19937_64 rng(std::random_device{}());

    TurnResult turn = session.send(userText, onText);
    for (int step = 1;; ++step) {
        AgentStep s;
        s.turn = turn;
        for (const auto& n : turn.notes) note(n);
        {
            AgentEvent e;
            e.kind = AgentEvent::Kind::TurnEnd;
            e.stats = turn.stats;
            emit(std::move(e));
        }
        s.parsed = toolcall::parse(options.format, turn.text);
        if (options.counters) options.counters->record(options.format, s.parsed);
        for (const auto& err : s.parsed.errors) note("A tool call could not be read: " + err);
        const bool cancelled = turn.stats.stopReason == "cancelled";
        if (cancelled || s.parsed.calls.empty() || step >= options.maxSteps) {
            reply.cancelled = cancelled;
            reply.stepLimitReached = !cancelled && !s.parsed.calls.empty();
            if (reply.stepLimitReached)
                note("Stopped after " + std::to_string(step) +
                     " model replies (the step limit): the last reply's tool calls were not run.");
            reply.content = s.parsed.content;
            reply.reasoning = s.parsed.reasoning;
            reply.steps.push_back(std::move(s));
            break;
        }

        // The reply becomes the assistant message the template expects: its content plus tool_calls.
        toolcall::assignCallIds(s.parsed.calls, options.format, rng);
        ChatMessage callMessage = session.messages().back();
        const OrderedJson assistant = toolcall::assistantMessage(s.parsed.content, s.parsed.calls);
        if (options.templateRendersToolCalls) {
            callMessage.content = s.parsed.content;
            callMessage.toolCalls = plainJson(assistant.at("tool_calls"));
        } else {
            callMessage.toolCalls = nullptr;
        }
        session.replaceLast(std::move(callMessage));

        // Approval for tools with side effects, then one parallel batch for the rest.
        s.results.resize(s.parsed.calls.size());
        s.toolMs.assign(s.parsed.calls.size(), 0.0);
        std::vector<tools::ToolCall> batch;
        std::vector<std::size_t> batchIndex;
        for (std::size_t i = 0; i < s.parsed.calls.size(); ++i) {
            const auto& c = s.parsed.calls[i];
            tools::ToolCall call{c.id, c.name, plainJson(c.arguments)};
            s.calls.push_back(call);
            AgentEvent e;
            e.kind = AgentEvent::Kind::ToolCall;
            e.call = call;
            emit(std::move(e));
            const auto tool = registry.find(call.name);
            if (tool && tool->sideEffects() && !(options.approve && options.approve(call, *tool))) {
                s.results[i] = tools::ToolResult::error("The user declined to run " + call.name + ".");
                continue;
            }
            batch.push_back(call);
            batchIndex.push_back(i);
        }
        const auto started = std::chrono::steady_clock::now();
        const std::vector<tools::ToolResult> ran = executor.runAll(batch);
        const double batchMs =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        for (std::size_t k = 0; k < ran.size(); ++k) {
            s.results[batchIndex[k]] = ran[k];
            s.toolMs[batchIndex[k]] = batchMs; // the batch's wall time: the calls ran side by side
        }
        std::vector<ChatMessage> results;
        for (std::size_t i = 0; i < s.calls.size(); ++i) {
            AgentEvent e;
            e.kind = AgentEvent::Kind::ToolResult;
            e.call = s.calls[i];
            e.result = s.results[i];
            e.toolMs = s.toolMs[i];
            emit(std::move(e));
            const OrderedJson m = toolcall::toolResultMessage(s.parsed.calls[i], resultText(s.results[i]));
            ChatMessage msg{"tool", m.at("content").get<std::string>(), nullptr, nullptr, nullptr};
            msg.fields = Json{{"tool_call_id", m.value("tool_call_id", std::string())},
                              {"name", m.value("name", std::string())}};
            results.push_back(std::move(msg));
        }
        reply.steps.push_back(std::move(s));

        // All results but the last join the conversation; the last one starts the next reply.
        ChatMessage last = std::move(results.back());
        results.pop_back();
        for (auto& r : results) session.append(std::move(r));
        turn = session.send(std::move(last), onText);
    }
    return reply;
}

} // namespace hone
