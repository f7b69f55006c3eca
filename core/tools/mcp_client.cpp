// MCP stdio client: process handling, the reader thread and the JSON-RPC requests; see mcp_client.h.
#include "tools/mcp_client.h"

#include "common/error.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace hone::tools {
namespace {

// Protocol versions this client speaks; the first is what it asks for.
const char* const kProtocolVersions[] = {"2025-06-18", "2025-03-26", "2024-11-05"};

std::string excerpt(const std::string& s, std::size_t n = 200) {
    std::string out = s.substr(0, n);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return s.size() > n ? out + "..." : out;
}

void closeFd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

// Writes all of `data` to the non-blocking `fd` by `deadline`, without SIGPIPE killing Hone when the
// server is gone (SIGPIPE is blocked in this thread and a pending one consumed). False on a broken pipe.
bool writeAll(int fd, const std::string& data, Deadline deadline) {
    sigset_t pipeSet, old;
    sigemptyset(&pipeSet);
    sigaddset(&pipeSet, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipeSet, &old);
    bool ok = true;
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) {
                ok = false;
                break;
            }
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
            continue;
        }
        ok = false;
        break;
    }
    if (!ok) {
        const timespec zero{0, 0};
        while (sigtimedwait(&pipeSet, nullptr, &zero) > 0) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return ok;
}

std::string contentText(const Json& result) {
    std::string out;
    auto add = [&out](const std::string& s) { out += (out.empty() ? "" : "\n") + s; };
    if (auto c = result.find("content"); c != result.end() && c->is_array()) {
        for (const Json& item : *c) {
            if (!item.is_object()) continue;
            const std::string type = item.value("type", std::string());
            if (type == "text") {
                add(item.value("text", std::string()));
            } else if (type == "image" || type == "audio") {
                const std::string data = item.value("data", std::string());
                add("[" + type + ": " + item.value("mimeType", std::string("unknown type")) + ", " +
                    std::to_string(data.size() / 4 * 3) + " bytes]");
            } else if (type == "resource" && item.contains("resource") && item["resource"].is_object()) {
                const Json& r = item["resource"];
                if (r.contains("text") && r["text"].is_string())
                    add(r["text"].get<std::string>());
                else
                    add("[resource: " + r.value("uri", std::string()) + "]");
            } else if (type == "resource_link") {
                add("[resource link: " + item.value("uri", std::string()) + " " +
                    item.value("name", std::string()) + "]");
            }
        }
    }
    if (out.empty() && result.contains("structuredContent")) out = result["structuredContent"].dump();
    return out;
}

} // namespace

std::vector<McpServerConfig> parseMcpConfig(const Json& config) {
    if (!config.is_object() || !config.contains("mcpServers") || !config["mcpServers"].is_object())
        throw Error(
            "MCP configuration: expected an object with \"mcpServers\": {\"name\": {\"command\": ...}}");
    std::vector<McpServerConfig> out;
    for (auto it = config["mcpServers"].begin(); it != config["mcpServers"].end(); ++it) {
        const std::string where = "MCP server '" + it.key() + "'";
        const Json& s = it.value();
        if (it.key().empty()) throw Error("MCP configuration: a server has an empty name");
        if (!s.is_object()) throw Error(where + ": expected an object with \"command\"");
        McpServerConfig c;
        c.name = it.key();
        if (!s.contains("command") || !s["command"].is_string() || s["command"].get<std::string>().empty())
            throw Error(where + ": \"command\" must be a non-empty string (the program to start)");
        c.command = s["command"].get<std::string>();
        if (s.contains("args")) {
            if (!s["args"].is_array()) throw Error(where + ": \"args\" must be an array of strings");
            for (const Json& a : s["args"]) {
                if (!a.is_string())
                    throw Error(where + ": \"args\" must be an array of strings, found " + a.dump());
                c.args.push_back(a.get<std::string>());
            }
        }
        if (s.contains("env")) {
            if (!s["env"].is_object()) throw Error(where + ": \"env\" must be an object of strings");
            for (auto e = s["env"].begin(); e != s["env"].end(); ++e) {
                if (!e.value().is_string() || e.key().empty() || e.key().find('=') != std::string::npos)
                    throw Error(where + ": \"env\" entry '" + e.key() + "' must be NAME: \"string\"");
                c.env[e.key()] = e.value().get<std::string>();
            }
        }
        if (s.contains("cwd")) {
            if (!s["cwd"].is_string()) throw Error(where + ": \"cwd\" must be a string");
            c.cwd = s["cwd"].get<std::string>();
        }
        out.push_back(std::move(c));
    }
    return out;
}

McpClient::McpClient(McpServerConfig config, McpOptions options)
    : config_(std::move(config))
    , options_(options) {}

McpClient::~McpClient() {
    shutdown();
}

std::string McpClient::who() const {
    return "MCP server '" + config_.name + "'";
}

void McpClient::start() {
    if (pid_ > 0) throw Error(who() + " is already started");
    int in[2], out[2], err[2], wake[2];
    if (::pipe2(in, O_CLOEXEC) != 0) throw Error(who() + ": cannot create pipes: " + std::strerror(errno));
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 || ::pipe2(wake, O_CLOEXEC) != 0)
        throw Error(who() + ": cannot create pipes: " + std::strerror(errno));

    std::vector<std::string> envStrings;
    for (char** e = environ; e && *e; ++e) {
        const std::string kv = *e;
        if (!config_.env.count(kv.substr(0, kv.find('=')))) envStrings.push_back(kv);
    }
    for (const auto& [k, v] : config_.env) envStrings.push_back(k + "=" + v);
    std::vector<char*> envp, argv;
    for (std::string& s : envStrings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> args{config_.command};
    args.insert(args.end(), config_.args.begin(), config_.args.end());
    for (std::string& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    if (!config_.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, config_.cwd.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int s : {SIGPIPE, SIGTERM, SIGINT, SIGHUP}) sigaddset(&defaults, s);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0); // its own group: SIGTERM reaches what it starts (npx -> node)
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, config_.command.c_str(), &fa, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
        for (int fd : {in[1], out[0], err[0], wake[0], wake[1]}) ::close(fd);
        throw Error(who() + " could not be started: '" + config_.command + "': " + std::strerror(rc) +
                    (rc == ENOENT
                         ? " (is it installed and on PATH? check \"command\" in the MCP configuration)"
                         : ""));
    }
    pid_ = pid;
    stdinFd_ = in[1];
    stdoutFd_ = out[0];
    stderrFd_ = err[0];
    wakeRead_ = wake[0];
    wakeWrite_ = wake[1];
    for (int fd : {stdinFd_, stdoutFd_, stderrFd_}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    reader_ = std::thread([this] { readerLoop(); });

    try {
        const Json params{{"protocolVersion", kProtocolVersions[0]},
                          {"capabilities", Json::object()},
                          {"clientInfo", {{"name", "hone"}, {"version", "0.1"}}}};
        const Json result = request("initialize", params, Clock::now() + options_.startTimeout);
        protocolVersion_ = result.value("protocolVersion", std::string());
        if (std::none_of(std::begin(kProtocolVersions), std::end(kProtocolVersions),
                         [&](const char* v) { return protocolVersion_ == v; }))
            throw Error(who() + " speaks MCP protocol version '" + protocolVersion_ +
                        "', which Hone does not support (it supports 2024-11-05 to 2025-06-18)");
        if (result.contains("serverInfo") && result["serverInfo"].is_object())
            serverInfo_ = result["serverInfo"];
        notify("notifications/initialized");
    } catch (...) {
        shutdown();
        throw;
    }
}

void McpClient::send(const Json& message) {
    const std::string line = message.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    std::lock_guard w(writeMutex_);
    if (stdinFd_ < 0) throw Error(who() + " is not running");
    if (!writeAll(stdinFd_, line, Clock::now() + options_.requestTimeout)) {
        std::lock_guard lock(mutex_);
        throw Error(who() + " does not take input any more (it may have exited)" +
                    (stderr_.empty() ? std::string() : "; its error output: " + excerpt(stderr_, 1000)));
    }
}

void McpClient::notify(const std::string& method, const Json& params) {
    send(Json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
}

Json McpClient::request(const std::string& method, const Json& params, Deadline deadline) {
    auto p = std::make_shared<Pending>();
    std::int64_t id = 0;
    {
        std::lock_guard lock(mutex_);
        if (pid_ <= 0) throw Error(who() + " is not started");
        if (dead_) throw Error(deathMessage());
        id = nextId_++;
        pending_[id] = p;
    }
    try {
        send(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
    } catch (...) {
        std::lock_guard lock(mutex_);
        pending_.erase(id);
        throw;
    }
    std::unique_lock lock(mutex_);
    if (!changed_.wait_until(lock, deadline, [&] { return p->done; })) {
        pending_.erase(id);
        abandoned_.insert(id);
        lock.unlock();
        try {
            notify("notifications/cancelled", {{"requestId", id}, {"reason", "timed out"}});
        } catch (const Error&) {
        }
        throw Error(who() + " did not answer " + method +
                    " in time; it may be stuck (try again, or restart it)");
    }
    if (!p->failure.empty()) throw Error(p->failure);
    const Json& r = p->response;
    if (r.contains("error")) {
        const Json& e = r["error"];
        const std::string msg = e.is_object() ? e.value("message", e.dump()) : e.dump();
        const std::string code =
            e.is_object() && e.contains("code") ? " (code " + e["code"].dump() + ")" : "";
        throw Error(who() + " refused " + method + ": " + msg + code);
    }
    return r.contains("result") ? r["result"] : Json::object();
}

void McpClient::readerLoop() {
    std::string outBuf;
    char chunk[65536];
    bool stderrOpen = true;
    for (;;) {
        pollfd fds[3] = {
            {stdoutFd_, POLLIN, 0}, {stderrOpen ? stderrFd_ : -1, POLLIN, 0}, {wakeRead_, POLLIN, 0}};
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[2].revents) return; // shutdown
        if (fds[1].revents) {
            const ssize_t n = ::read(stderrFd_, chunk, sizeof chunk);
            if (n > 0) {
                std::lock_guard lock(mutex_);
                stderr_.append(chunk, static_cast<std::size_t>(n));
                if (stderr_.size() > options_.stderrKeepBytes)
                    stderr_.erase(0, stderr_.size() - options_.stderrKeepBytes);
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                stderrOpen = false;
            }
        }
        if (fds[0].revents) {
            const ssize_t n = ::read(stdoutFd_, chunk, sizeof chunk);
            if (n > 0) {
                outBuf.append(chunk, static_cast<std::size_t>(n));
                std::size_t start = 0, nl;
                while ((nl = outBuf.find('\n', start)) != std::string::npos) {
                    std::string line = outBuf.substr(start, nl - start);
                    start = nl + 1;
                    if (!line.empty() && line.back() == '\r') line.pop_back();
                    if (!line.empty()) handleLine(line);
                }
                outBuf.erase(0, start);
                if (outBuf.size() > options_.maxLineBytes) {
                    outBuf.clear();
                    failAll(who() + " sent a message longer than " + std::to_string(options_.maxLineBytes) +
                            " bytes without a line end; refused");
                }
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                // stdout closed: the server is gone (or going). Give it a moment to exit and say how.
                for (int i = 0; i < 100 && !reap(false); ++i)
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                while (stderrOpen) {
                    const ssize_t m = ::read(stderrFd_, chunk, sizeof chunk);
                    if (m <= 0) break;
                    std::lock_guard lock(mutex_);
                    stderr_.append(chunk, static_cast<std::size_t>(m));
                }
                std::string why;
                {
                    std::lock_guard lock(mutex_);
                    dead_ = true;
                    why = deathMessage();
                }
                failAll(why);
                return;
            }
        }
    }
}

void McpClient::handleLine(const std::string& line) {
    Json msg;
    try {
        msg = Json::parse(line);
    } catch (const Json::exception&) {
        failAll(who() + " wrote a line that is not JSON to its output: '" + excerpt(line) +
                "' (an MCP server must write only JSON-RPC messages to stdout)");
        return;
    }
    if (!msg.is_object() || msg.value("jsonrpc", Json()) != "2.0") {
        failAll(who() + " wrote something that is not a JSON-RPC 2.0 message: '" + excerpt(line) + "'");
        return;
    }
    if (msg.contains("method")) {
        const std::string method = msg["method"].is_string() ? msg["method"].get<std::string>() : "?";
        if (!msg.contains("id")) { // a notification: logging, progress, list changes
            std::lock_guard lock(mutex_);
            notifications_.push_back(method);
            if (notifications_.size() > 100) notifications_.erase(notifications_.begin());
            return;
        }
        Json reply{{"jsonrpc", "2.0"}, {"id", msg["id"]}};
        if (method == "ping")
            reply["result"] = Json::object();
        else
            reply["error"] = {{"code", -32601}, {"message", "Hone's MCP client does not support " + method}};
        try {
            send(reply);
        } catch (const Error&) {
        }
        return;
    }
    const Json id = msg.value("id", Json());
    if (!id.is_number_integer() || !(msg.contains("result") || msg.contains("error"))) {
        failAll(who() + " sent a message that is neither a request nor a response: '" + excerpt(line) + "'");
        return;
    }
    std::unique_lock lock(mutex_);
    const auto it = pending_.find(id.get<std::int64_t>());
    if (it == pending_.end()) {
        if (abandoned_.erase(id.get<std::int64_t>())) return; // late answer to a request given up on
        lock.unlock();
        failAll(who() + " answered a request that was never made (id " + id.dump() + ")");
        return;
    }
    it->second->response = std::move(msg);
    it->second->done = true;
    pending_.erase(it);
    changed_.notify_all();
}

void McpClient::failAll(const std::string& why) {
    std::lock_guard lock(mutex_);
    for (auto& [id, p] : pending_) {
        p->failure = why;
        p->done = true;
        abandoned_.insert(id);
    }
    pending_.clear();
    changed_.notify_all();
}

// Caller holds mutex_.
std::string McpClient::deathMessage() {
    std::string how = "stopped answering";
    if (reaped_ && WIFEXITED(exitStatus_))
        how = "exited with code " + std::to_string(WEXITSTATUS(exitStatus_));
    else if (reaped_ && WIFSIGNALED(exitStatus_))
        how = "was killed by signal " + std::to_string(WTERMSIG(exitStatus_));
    else if (dead_)
        how = "closed its output";
    std::string tail = stderr_.size() > 1000 ? stderr_.substr(stderr_.size() - 1000) : stderr_;
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
    return who() + " " + how + (tail.empty() ? std::string() : "; its last error output: " + tail);
}

bool McpClient::reap(bool wait) {
    std::lock_guard lock(mutex_);
    if (reaped_ || pid_ <= 0) return true;
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, wait ? 0 : WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
        reaped_ = true;
        exitStatus_ = r == pid_ ? status : -1;
    }
    return reaped_;
}

bool McpClient::running() const {
    std::lock_guard lock(mutex_);
    return pid_ > 0 && !dead_ && !reaped_;
}

std::string McpClient::stderrTail() const {
    std::lock_guard lock(mutex_);
    return stderr_;
}

std::vector<std::string> McpClient::notifications() const {
    std::lock_guard lock(mutex_);
    return notifications_;
}

void McpClient::shutdown() {
    if (pid_ <= 0) return;
    {
        std::lock_guard w(writeMutex_);
        closeFd(stdinFd_); // a well-behaved server exits when its input ends
    }
    auto waitExit = [this](std::chrono::milliseconds grace) {
        const Deadline until = Clock::now() + grace;
        for (;;) {
            if (reap(false)) return true;
            if (Clock::now() >= until) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    };
    bool gone = waitExit(options_.shutdownGrace);
    if (!gone) {
        ::kill(-pid_, SIGTERM);
        ::kill(pid_, SIGTERM);
        gone = waitExit(options_.shutdownGrace);
    }
    if (!gone) {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        reap(true);
    }
    if (wakeWrite_ >= 0) {
        const char c = 'x';
        [[maybe_unused]] const ssize_t n = ::write(wakeWrite_, &c, 1);
    }
    if (reader_.joinable()) reader_.join();
    {
        std::lock_guard lock(mutex_);
        dead_ = true;
    }
    failAll(who() + " was shut down");
    closeFd(stdoutFd_);
    closeFd(stderrFd_);
    closeFd(wakeRead_);
    closeFd(wakeWrite_);
    std::lock_guard lock(mutex_);
    pid_ = -1;
}

std::vector<McpToolInfo> McpClient::listTools() {
    std::vector<McpToolInfo> out;
    Json cursor;
    for (int page = 0; page < 100; ++page) {
        Json params = Json::object();
        if (!cursor.is_null()) params["cursor"] = cursor;
        const Json result = request("tools/list", params, Clock::now() + options_.requestTimeout);
        if (!result.contains("tools") || !result["tools"].is_array())
            throw Error(who() + " answered tools/list without a \"tools\" array");
        for (const Json& t : result["tools"]) {
            if (!t.is_object() || !t.contains("name") || !t["name"].is_string())
                throw Error(who() + " listed a tool without a name: " + excerpt(t.dump()));
            McpToolInfo info;
            info.name = t["name"].get<std::string>();
            info.title = t.value("title", std::string());
            info.description = t.value("description", std::string());
            if (t.contains("inputSchema") && t["inputSchema"].is_object())
                info.inputSchema = t["inputSchema"];
            if (t.contains("annotations") && t["annotations"].is_object())
                info.annotations = t["annotations"];
            out.push_back(std::move(info));
        }
        if (!result.contains("nextCursor") || !result["nextCursor"].is_string()) return out;
        cursor = result["nextCursor"];
    }
    throw Error(who() + " kept paging tools/list past 100 pages; refused");
}

ToolResult McpClient::callTool(const std::string& name, const Json& arguments, Deadline deadline) {
    try {
        const Json result = request("tools/call", {{"name", name}, {"arguments", arguments}}, deadline);
        ToolResult r = ToolResult::ok(contentText(result));
        r.isError = result.value("isError", false);
        return r;
    } catch (const Error& e) {
        return ToolResult::error(e.what());
    }
}

McpTool::McpTool(std::shared_ptr<McpClient> client, McpToolInfo info, std::string exposedName)
    : client_(std::move(client))
    , info_(std::move(info))
    , exposedName_(std::move(exposedName)) {}

Json McpTool::parameters() const {
    Json schema = info_.inputSchema;
    schema.erase("$schema");
    if (!schema.contains("type")) schema["type"] = "object";
    return schema;
}

bool McpTool::sideEffects() const {
    return info_.annotations.value("readOnlyHint", false) != true;
}

ToolResult McpTool::run(const Json& arguments, Deadline deadline) {
    return client_->callTool(info_.name, arguments, deadline);
}

std::vector<std::string> addMcpTools(ToolRegistry& registry, const std::shared_ptr<McpClient>& client) {
    std::vector<std::string> added;
    for (McpToolInfo& info : client->listTools()) {
        std::string name = info.name;
        if (!isValidToolName(name) || registry.contains(name)) {
            name = client->config().name + "_" + info.name;
            for (char& c : name)
                if (!isValidToolName(std::string(1, c))) c = '_';
            name = name.substr(0, 64);
        }
        for (int k = 2; registry.contains(name); ++k) name = name.substr(0, 60) + "_" + std::to_string(k);
        registry.add(std::make_shared<McpTool>(client, std::move(info), name));
        added.push_back(name);
    }
    return added;
}

McpStartReport startMcpServers(const std::vector<McpServerConfig>& servers, ToolRegistry& registry,
                               McpOptions options) {
    McpStartReport report;
    for (const McpServerConfig& config : servers) {
        auto client = std::make_shared<McpClient>(config, options);
        try {
            client->start();
            for (std::string& n : addMcpTools(registry, client)) report.toolNames.push_back(std::move(n));
            report.clients.push_back(std::move(client));
        } catch (const Error& e) {
            report.failures.push_back(e.what());
        }
    }
    return report;
}

} // namespace hone::tools
