// The tools of a chat from the user's short specs, shared by `hone chat --tools ... --mcp ...` and the
// studio: "calculator", "datetime", "files:DIR" (list/read/search inside DIR), "mcp:CONFIG" (every server of
// a Claude-desktop style mcpServers JSON file, started now). Torch-free.
#pragma once

#include "tools/mcp_client.h"
#include "tools/tool.h"

#include <memory>
#include <string>
#include <vector>

namespace hone {

struct ChatTools {
    tools::ToolRegistry registry;
    std::vector<std::shared_ptr<tools::McpClient>> servers; // kept running while the chat lasts
    std::vector<std::string> notes;                         // e.g. an MCP server that could not start
};

// Throws hone::Error for an unknown spec (listing the valid ones), a files: folder that does not exist, or an
// unreadable/malformed MCP config. An MCP server that fails to start is skipped with a note (the chat goes on
// with the other tools).
std::unique_ptr<ChatTools> buildChatTools(const std::vector<std::string>& specs);

// "a,b,files:/x" -> {"a", "b", "files:/x"} (empty items dropped).
std::vector<std::string> splitToolSpecs(const std::string& commaList);

} // namespace hone
