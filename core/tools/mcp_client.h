// A Model Context Protocol client over stdio: spawns the server (posix_spawn, pipes), speaks
// newline-delimited JSON-RPC 2.0 (initialize -> notifications/initialized -> tools/list -> tools/call),
// answers server requests it does not support with a JSON-RPC error, drains the server's stderr (kept for
// error messages), and shuts the server down (close stdin, wait, SIGTERM, SIGKILL). Every wait has a
// deadline; a dead server, a line that is not JSON-RPC or an answer to a request never made is a hone::Error,
// never a hang.
#pragma once

#include "common/json.h"
#include "tools/tool.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace hone::tools {

struct McpServerConfig {
    std::string name;
    std::string command;
    std::vector<std::string> args;
    std::map<std::string, std::string> env; // added to (or replacing in) Hone's own environment
    std::string cwd;                        // empty: Hone's working folder
};

// Claude-desktop style: {"mcpServers": {"name": {"command": "...", "args": [...], "env": {...}}}}. Throws
// hone::Error naming the server and field at fault.
std::vector<McpServerConfig> parseMcpConfig(const Json& config);

struct McpOptions {
    std::chrono::milliseconds startTimeout{30000};   // spawn + initialize
    std::chrono::milliseconds requestTimeout{30000}; // tools/list pages and default for tools/call
    std::chrono::milliseconds shutdownGrace{2000};   // after closing stdin, and again after SIGTERM
    std::size_t maxLineBytes = 16 << 20;
    std::size_t stderrKeepBytes = 16 << 10;
};

struct McpToolInfo {
    std::string name;
    std::string title;
    std::string description;
    Json inputSchema = Json::object();
    Json annotations = Json::object();
};

class McpClient {
public:
    explicit McpClient(McpServerConfig config, McpOptions options = {});
    ~McpClient(); // shutdown()
    McpClient(const McpClient&) = delete;
    McpClient& operator=(const McpClient&) = delete;

    // Spawns the server and runs the initialize handshake. Throws hone::Error (server missing, exited, no
    // answer before the start timeout, unsupported protocol version).
    void start();
    // All pages of tools/list (following nextCursor).
    std::vector<McpToolInfo> listTools();
    // tools/call; the server's content (text, and notes for images/resources) as the result. A JSON-RPC
    // error, a timeout or a dead server is an error result, not an exception.
    ToolResult callTool(const std::string& name, const Json& arguments, Deadline deadline);
    // A request with `params`, returning its `result`; throws hone::Error on error/timeout/death.
    Json request(const std::string& method, const Json& params, Deadline deadline);
    void notify(const std::string& method, const Json& params = Json::object());
    void shutdown();

    const McpServerConfig& config() const { return config_; }
    const Json& serverInfo() const { return serverInfo_; }
    std::string protocolVersion() const { return protocolVersion_; }
    bool running() const;
    // The last stderr output of the server (at most options.stderrKeepBytes).
    std::string stderrTail() const;
    // Server notifications seen so far (method names, newest last; at most 100 kept).
    std::vector<std::string> notifications() const;

private:
    struct Pending {
        bool done = false;
        Json response;
        std::string failure;
    };
    void readerLoop();
    void handleLine(const std::string& line);
    void failAll(const std::string& why);
    void send(const Json& message);
    std::string who() const;
    std::string deathMessage();
    bool reap(bool wait); // true once the server process is reaped

    McpServerConfig config_;
    McpOptions options_;
    pid_t pid_ = -1;
    int stdinFd_ = -1, stdoutFd_ = -1, stderrFd_ = -1, wakeRead_ = -1, wakeWrite_ = -1;
    std::thread reader_;

    mutable std::mutex mutex_; // everything below
    std::condition_variable changed_;
    std::map<std::int64_t, std::shared_ptr<Pending>> pending_;
    std::set<std::int64_t> abandoned_;
    std::int64_t nextId_ = 1;
    bool dead_ = false;
    int exitStatus_ = -1;
    bool reaped_ = false;
    std::string stderr_;
    std::vector<std::string> notifications_;
    std::string protocolError_;
    std::mutex writeMutex_;

    Json serverInfo_ = Json::object();
    std::string protocolVersion_;
};

// A server's tool as a hone Tool; side effects unless the server marks it readOnlyHint.
class McpTool : public Tool {
public:
    McpTool(std::shared_ptr<McpClient> client, McpToolInfo info, std::string exposedName);
    std::string name() const override { return exposedName_; }
    std::string description() const override { return info_.description; }
    Json parameters() const override;
    bool sideEffects() const override;
    const std::string& remoteName() const { return info_.name; }

protected:
    ToolResult run(const Json& arguments, Deadline deadline) override;

private:
    std::shared_ptr<McpClient> client_;
    McpToolInfo info_;
    std::string exposedName_;
};

// Lists the (started) client's tools and adds each to `registry`, named "<server>_<tool>" when the plain
// name is taken or not a usable tool name. Returns the names added.
std::vector<std::string> addMcpTools(ToolRegistry& registry, const std::shared_ptr<McpClient>& client);

// What starting the configured servers gave: the running clients (keep them alive as long as their tools
// are used) and, per server that could not start or list its tools, the message why.
struct McpStartReport {
    std::vector<std::shared_ptr<McpClient>> clients;
    std::vector<std::string> toolNames;
    std::vector<std::string> failures; // "MCP server 'x' ...", one per failed server
};
// Starts every server in `servers` and adds its tools to `registry`; one broken server does not stop the
// others.
McpStartReport startMcpServers(const std::vector<McpServerConfig>& servers, ToolRegistry& registry,
                               McpOptions options = {});

} // namespace hone::tools
