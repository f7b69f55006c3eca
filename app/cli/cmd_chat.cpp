// `hone chat`: chat with a model (and optionally a LoRA adapter applied on the fly). On a terminal an
// interactive loop; otherwise (or with --json) one message per stdin line and one JSON object per event on
// stdout: {"event":"token","text":..} while the reply streams, {"event":"turn_end",...} with the turn's
// prompt/prefill/reuse counts and timings. Chats are stored in hone.db unless --no-store.
#include "commands.h"

#include "agent/agent_loop.h"
#include "agent/tool_setup.h"
#include "chat/template_source.h"
#include "chat_session/chat_session.h"
#include "chat_session/inference_adapter.h"
#include "common/error.h"
#include "common/json.h"
#include "common/mapped_file.h"
#include "data/builtin_templates.h"
#include "infer/language_model.h"
#include "toolcall/format_detect.h"

#ifdef HONE_CLI_HAS_CORE
#include "store/chat_store.h"
#include "store/run_store.h"
#include "store/store.h"
#include "system/app_paths.h"

#include <QCoreApplication>
#endif

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace hone::cli {

namespace {

std::atomic<ChatSession*> gActive{nullptr};

extern "C" void onInterrupt(int) {
    if (ChatSession* s = gActive.load()) s->cancel();
}

void emit(const OrderedJson& j) {
    const std::string s = j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace) + "\n";
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
}

bool allDigits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// --template NAME|FILE: a built-in template or a .jinja file.
std::string templateText(const std::string& value) {
    for (const auto& b : data::builtinTemplates())
        if (b.name == value) return b.jinja;
    std::error_code ec;
    if (std::filesystem::is_regular_file(value, ec)) return jinja::readTextFile(value);
    std::string names;
    for (const auto& b : data::builtinTemplates()) names += (names.empty() ? "" : ", ") + b.name;
    throw Error("--template " + value + " is neither a built-in template (" + names + ") nor a file");
}

SamplingParams samplingFrom(const Args& args, SamplingParams sp) {
    if (args.get("temperature")) sp.temperature = args.getDouble("temperature", sp.temperature);
    if (args.get("top-k")) sp.topK = static_cast<int>(args.getInt("top-k", sp.topK));
    if (args.get("top-p")) sp.topP = args.getDouble("top-p", sp.topP);
    if (args.get("min-p")) sp.minP = args.getDouble("min-p", sp.minP);
    if (args.get("repeat-penalty")) sp.repeatPenalty = args.getDouble("repeat-penalty", sp.repeatPenalty);
    sp.presencePenalty = args.getDouble("presence-penalty", sp.presencePenalty);
    sp.frequencyPenalty = args.getDouble("frequency-penalty", sp.frequencyPenalty);
    sp.repeatLastN = static_cast<int>(args.getInt("repeat-last-n", sp.repeatLastN));
    sp.seed = static_cast<std::uint64_t>(args.getInt("seed", 0));
    return sp;
}

OrderedJson turnEnd(const TurnResult& r) {
    OrderedJson j;
    j["event"] = "turn_end";
    j["prompt_tokens"] = r.stats.promptTokens;
    j["prefilled"] = r.stats.prefilled;
    j["reused"] = r.stats.reused;
    j["generated_tokens"] = r.stats.generatedTokens;
    j["ttft_ms"] = r.stats.ttftMs;
    j["decode_tokens_per_s"] = r.stats.decodeTokensPerS;
    j["stop_reason"] = r.stats.stopReason;
    j["text"] = r.text;
    return j;
}

// Where the chat is recorded (nothing without Qt or with --no-store).
class ChatLog {
public:
#ifdef HONE_CLI_HAS_CORE
    ~ChatLog() = default;
    bool enabled() const {
        return store_ != nullptr;
    }
    void open() {
        if (!QCoreApplication::instance()) {
            static int argc = 1;
            static char name[] = "hone";
            static char* argv[] = {name, nullptr};
            app_ = std::make_unique<QCoreApplication>(argc, argv);
        }
        const AppPaths paths = resolveAppPaths();
        std::filesystem::create_directories(paths.home);
        store_ = std::make_unique<Store>(QString::fromStdString(paths.database));
        store_->open();
    }
    std::string runAdapter(std::int64_t runId) {
        if (!store_) open();
        const RunRecord r = RunStore(*store_).run(runId);
        return r.adapterPath.empty() ? r.runDir : r.adapterPath;
    }
    // The stored chat's adapter folder ("" when none).
    std::string storedAdapter(std::int64_t chatId) {
        return loadChat(*store_, chatId).adapterPath;
    }
    std::vector<ChatMessage> resume(std::int64_t chatId) {
        chatId_ = chatId;
        loadChat(*store_, chatId);
        std::vector<ChatMessage> out;
        for (const auto& m : chatMessages(*store_, chatId))
            out.push_back({m.role, m.content, m.toolCallsJson.empty() ? Json() : Json::parse(m.toolCallsJson),
                           m.timingsJson.empty() ? Json() : Json::parse(m.timingsJson), Json()});
        return out;
    }
    std::int64_t start(const std::string& model, const std::string& adapter, const Json& settings) {
        ChatRecord c;
        c.modelPath = model;
        c.adapterPath = adapter;
        c.settingsJson = settings.dump();
        chatId_ = createChat(*store_, c);
        return chatId_;
    }
    void add(const ChatMessage& m) {
        if (!store_ || chatId_ == 0) return;
        appendMessage(*store_, chatId_,
                      {0, m.role, m.content, m.toolCalls.is_null() ? "" : m.toolCalls.dump(),
                       m.timings.is_null() ? "" : m.timings.dump(), ""});
    }
    std::int64_t chatId() const {
        return chatId_;
    }

private:
    std::unique_ptr<QCoreApplication> app_;
    std::unique_ptr<Store> store_;
    std::int64_t chatId_ = 0;
#else
    bool enabled() const {
        return false;
    }
    void open() {}
    std::string runAdapter(std::int64_t runId) {
        throw Error("--adapter " + std::to_string(runId) +
                    " names a run, but this hone was built without the store; give the adapter folder");
    }
    std::string storedAdapter(std::int64_t) {
        return {};
    }
    std::vector<ChatMessage> resume(std::int64_t) {
        throw Error("--resume needs the store, which this hone was built without");
    }
    std::int64_t start(const std::string&, const std::string&, const Json&) {
        return 0;
    }
    void add(const ChatMessage&) {}
    std::int64_t chatId() const {
        return 0;
    }
#endif
};

} // namespace

int cmdChat(Args& args) {
    args.check(withSamplingOptions({"model", "adapter", "system", "template", "no-store", "resume", "best-of",
                                    "tools", "mcp", "max-steps", "no-constrain"}));
    const std::string modelPath = args.require("model");
    configureThreads(static_cast<int>(args.getInt("threads", 0)));
    ModelLoadOptions lo;
    lo.device = DeviceSpec::parse(args.getOr("device", "auto"));
    lo.dtype = parseDType(args.getOr("dtype", "f32"));
    ChatSessionOptions opt;
    opt.sampling = samplingFrom(args, defaultSampling(modelPath));
    opt.maxTokens = static_cast<int>(args.getInt("max-tokens", 512));
    if (opt.maxTokens < 1) throw Error("--max-tokens must be at least 1");
    if (auto s = args.get("stop")) opt.stopStrings.push_back(*s);
    if (auto t = args.get("template")) opt.templateSource = templateText(*t);

    ChatLog log;
    const bool store = !args.flag("no-store");
    if (store) log.open();
    std::string adapterDir;
    if (auto a = args.get("adapter")) {
        std::error_code ec;
        adapterDir = allDigits(*a) && !std::filesystem::exists(*a, ec) ? log.runAdapter(std::stoll(*a)) : *a;
    } else if (args.get("resume") && store) {
        adapterDir = log.storedAdapter(args.getInt("resume", 0)); // a resumed chat goes on with its adapter
    }

    auto model = LanguageModel::load(modelPath, lo);
    auto tokenizer = tok::Tokenizer::load(modelPath);
    std::shared_ptr<const InferenceAdapter> adapter;
    if (!adapterDir.empty()) adapter = InferenceAdapter::load(adapterDir, *model);
    // The adapter's template counts when no --template is given, also for a model that has none.
    ChatSessionOptions first = opt;
    if (!first.templateSource && adapter && !adapter->templateSource().empty())
        first.templateSource = adapter->templateSource();
    // Tools: the agent loop runs each message (calls parsed in the template's format, run, answered).
    std::vector<std::string> toolSpecs;
    if (auto t = args.get("tools")) toolSpecs = splitToolSpecs(*t);
    if (auto m = args.get("mcp")) toolSpecs.push_back("mcp:" + *m);
    std::unique_ptr<ChatTools> tools;
    AgentOptions agent;
    if (!toolSpecs.empty()) {
        tools = buildChatTools(toolSpecs);
        first.tools = tools->registry.toJson();
        const std::string templateUsed =
            first.templateSource ? *first.templateSource : tokenizer.chatTemplate();
        agent.format = toolcall::detectFormat(templateUsed);
        agent.templateRendersToolCalls = templateUsed.find("tool_calls") != std::string::npos;
        agent.maxSteps = static_cast<int>(args.getInt("max-steps", 8));
        if (agent.maxSteps < 1) throw Error("--max-steps must be at least 1");
        // Tools with side effects need a yes; a headless chat has no one to ask, so they are declined.
        agent.approve = [](const tools::ToolCall&, const tools::Tool&) { return false; };
    }
    ChatSession chat(model, tokenizer, first);
    chat.options().templateSource = opt.templateSource;
    if (adapter) chat.setAdapter(adapter);
    // Tool calls that cannot fail to parse (Hermes/Qwen formats), unless --no-constrain.
    if (tools && !args.flag("no-constrain") &&
        (agent.format == toolcall::Format::Hermes || agent.format == toolcall::Format::Qwen3))
        agent.constraint = ToolConstraintSpec::make(chat.tokenizer(), tools->registry.toJson());

    const int bestOf = static_cast<int>(args.getInt("best-of", 1));
    if (bestOf < 1 || bestOf > 64) throw Error("--best-of must be between 1 and 64");
    const bool json = args.flag("json");
    const bool interactive = !json && isatty(STDIN_FILENO);
    if (auto r = args.get("resume")) {
        if (!store) throw Error("--resume and --no-store exclude each other");
        chat.setMessages(log.resume(args.getInt("resume", 0)));
    } else if (store) {
        const std::int64_t id = log.start(modelPath, adapter ? adapter->folder() : "",
                                          {{"temperature", opt.sampling.temperature},
                                           {"top_k", opt.sampling.topK},
                                           {"top_p", opt.sampling.topP},
                                           {"max_tokens", opt.maxTokens},
                                           {"template", args.getOr("template", "")}});
        if (!interactive) emit({{"event", "chat"}, {"id", id}});
    }
    if (auto s = args.get("system")) {
        chat.setSystem(*s);
        log.add(chat.messages().front());
    }

    gActive.store(&chat);
    struct Restore {
        void (*old)(int);
        ~Restore() {
            std::signal(SIGINT, old);
            gActive.store(nullptr);
        }
    } restore{std::signal(SIGINT, onInterrupt)};

    int errors = 0;
    std::string line;
    if (interactive)
        std::fprintf(stderr, "chatting with %s%s (Ctrl-C stops a reply, /exit or Ctrl-D ends)\n",
                     modelPath.c_str(), adapter ? (" + " + adapter->folder()).c_str() : "");
    while (true) {
        if (interactive) std::fprintf(stderr, "> ");
        if (!std::getline(std::cin, line)) break;
        if (line.empty()) continue;
        std::string content = line;
        if (interactive && (line == "/exit" || line == "/quit")) break;
        if (json) {
            try {
                const Json j = Json::parse(line);
                if (!j.is_object() || !j.contains("content") || !j["content"].is_string())
                    throw Error("expected an object with a string \"content\"");
                content = j["content"].get<std::string>();
            } catch (const std::exception& e) {
                emit({{"event", "error"},
                      {"message", std::string("input line is not {\"content\": \"...\"}: ") + e.what()}});
                ++errors;
                continue;
            }
        }
        try {
            if (bestOf > 1) {
                // N samples side by side (no streaming), the majority answer's sample kept in the chat.
                const BestOfResult b = chat.bestOf(content, bestOf);
                for (std::size_t i = 0; i < b.samples.size(); ++i) {
                    OrderedJson j = turnEnd(b.samples[i]);
                    j["event"] = "sample";
                    j["index"] = i;
                    j["answer"] = b.answers[i];
                    if (interactive)
                        std::printf("--- sample %zu (answer: %s)\n%s\n", i + 1, b.answers[i].c_str(),
                                    b.samples[i].text.c_str());
                    else
                        emit(j);
                }
                const auto& msgs = chat.messages();
                log.add(msgs[msgs.size() - 2]);
                log.add(msgs.back());
                if (interactive) {
                    std::printf("=== majority: sample %d (%d of %d votes)\n", b.chosen + 1, b.votes, bestOf);
                } else {
                    OrderedJson j = turnEnd(b.samples[static_cast<std::size_t>(b.chosen)]);
                    j["chosen"] = b.chosen;
                    j["votes"] = b.votes;
                    emit(j);
                }
                continue;
            }
            if (tools) {
                const std::size_t before = chat.messages().size();
                for (const auto& n : tools->notes) emit({{"event", "note"}, {"text", n}});
                tools->notes.clear();
                const AgentReply reply =
                    runAgentTurn(chat, tools->registry, content, agent, [&](const AgentEvent& e) {
                        switch (e.kind) {
                        case AgentEvent::Kind::Text:
                            if (interactive) {
                                std::fwrite(e.text.data(), 1, e.text.size(), stdout);
                                std::fflush(stdout);
                            } else {
                                emit({{"event", "token"}, {"text", e.text}});
                            }
                            break;
                        case AgentEvent::Kind::ToolCall:
                            if (interactive)
                                std::fprintf(stderr, "\n[tool call %s %s]\n", e.call.name.c_str(),
                                             e.call.arguments.dump().c_str());
                            else
                                emit({{"event", "tool_call"},
                                      {"id", e.call.id},
                                      {"name", e.call.name},
                                      {"arguments", OrderedJson::parse(e.call.arguments.dump())}});
                            break;
                        case AgentEvent::Kind::ToolResult:
                            if (interactive)
                                std::fprintf(stderr, "[%s -> %s]\n", e.call.name.c_str(),
                                             e.result.content.c_str());
                            else
                                emit({{"event", "tool_result"},
                                      {"id", e.call.id},
                                      {"name", e.call.name},
                                      {"content", e.result.content},
                                      {"is_error", e.result.isError},
                                      {"ms", e.toolMs}});
                            break;
                        case AgentEvent::Kind::Note:
                            if (interactive)
                                std::fprintf(stderr, "\n[%s]", e.text.c_str());
                            else
                                emit({{"event", "note"}, {"text", e.text}});
                            break;
                        case AgentEvent::Kind::TurnEnd:
                            if (!interactive) {
                                TurnResult t;
                                t.stats = e.stats;
                                OrderedJson j = turnEnd(t);
                                j.erase("text");
                                emit(j);
                            }
                            break;
                        }
                    });
                const auto& msgs = chat.messages();
                for (std::size_t i = before; i < msgs.size(); ++i) log.add(msgs[i]);
                if (!interactive)
                    emit({{"event", "answer"},
                          {"content", reply.content},
                          {"reasoning", reply.reasoning},
                          {"steps", reply.steps.size()},
                          {"step_limit_reached", reply.stepLimitReached}});
                else
                    std::fprintf(stderr, "\n");
                continue;
            }
            TurnResult r = chat.send(content, [&](const std::string& delta) {
                if (interactive) {
                    std::fwrite(delta.data(), 1, delta.size(), stdout);
                    std::fflush(stdout);
                } else {
                    emit({{"event", "token"}, {"text", delta}});
                }
                return true;
            });
            const auto& msgs = chat.messages();
            log.add(msgs[msgs.size() - 2]);
            log.add(msgs.back());
            for (const auto& n : r.notes) {
                if (interactive)
                    std::fprintf(stderr, "\n[%s]", n.c_str());
                else
                    emit({{"event", "note"}, {"text", n}});
            }
            if (interactive)
                std::fprintf(stderr, "\n[%d prompt tokens, %d prefilled, ttft %.1f ms, %.1f tok/s, %s]\n",
                             r.stats.promptTokens, r.stats.prefilled, r.stats.ttftMs,
                             r.stats.decodeTokensPerS, r.stats.stopReason.c_str());
            else
                emit(turnEnd(r));
        } catch (const Error& e) {
            if (interactive) throw;
            emit({{"event", "error"}, {"message", e.what()}});
            ++errors;
        }
    }
    return errors ? 1 : 0;
}

} // namespace hone::cli
