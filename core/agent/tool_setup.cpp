// Implementation of the chat's tool setup.
#include "agent/tool_setup.h"

#include "common/error.h"
#include "common/json.h"
#include "tools/calculator.h"
#include "tools/date_time_tool.h"
#include "tools/file_tools.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace hone {

std::vector<std::string> splitToolSpecs(const std::string& commaList) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(commaList);
    while (std::getline(in, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

std::unique_ptr<ChatTools> buildChatTools(const std::vector<std::string>& specs) {
    auto out = std::make_unique<ChatTools>();
    for (const std::string& spec : specs) {
        if (spec == "calculator") {
            out->registry.add(std::make_shared<tools::CalculatorTool>());
        } else if (spec == "datetime") {
            out->registry.add(std::make_shared<tools::DateTimeTool>());
        } else if (spec.rfind("files:", 0) == 0) {
            const std::filesystem::path root = spec.substr(6);
            std::error_code ec;
            if (!std::filesystem::is_directory(root, ec))
                throw Error("tool '" + spec + "': " + root.string() +
                            " is not a folder; give files:DIR with an existing folder");
            for (auto& t : tools::makeFileTools(root)) out->registry.add(std::move(t));
        } else if (spec.rfind("mcp:", 0) == 0) {
            const std::string path = spec.substr(4);
            std::ifstream f(path);
            if (!f) throw Error("MCP config " + path + " cannot be read: check the path");
            Json config;
            try {
                config = Json::parse(f);
            } catch (const std::exception& e) {
                throw Error("MCP config " + path + " is not valid JSON: " + e.what());
            }
            for (auto& server : tools::parseMcpConfig(config)) {
                const std::string name = server.name;
                try {
                    auto client = std::make_shared<tools::McpClient>(std::move(server));
                    client->start();
                    tools::addMcpTools(out->registry, client);
                    out->servers.push_back(std::move(client));
                } catch (const Error& e) {
                    out->notes.push_back("MCP server '" + name + "' is not available: " + e.what());
                }
            }
        } else {
            throw Error("unknown tool '" + spec +
                        "': use calculator, datetime, files:DIR or mcp:CONFIG (comma-separated)");
        }
    }
    return out;
}

} // namespace hone
