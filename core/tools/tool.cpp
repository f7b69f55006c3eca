// Tool::call (argument checks, exceptions turned into error results) and the ToolRegistry.
#include "tools/tool.h"

#include "common/error.h"
#include "tools/schema_check.h"

namespace hone::tools {

ToolResult Tool::call(const Json& arguments, Deadline deadline) {
    std::string toolName = "?";
    try {
        toolName = name();
        const Json args = arguments.is_null() ? Json::object() : arguments;
        if (!args.is_object())
            return ToolResult::error("tool " + toolName + ": the arguments must be a JSON object, got " +
                                     args.dump());
        const std::string problem = checkArguments(parameters(), args);
        if (!problem.empty()) return ToolResult::error("tool " + toolName + ": " + problem);
        return run(args, deadline);
    } catch (const Error& e) {
        return ToolResult::error("tool " + toolName + ": " + e.what());
    } catch (const std::exception& e) {
        return ToolResult::error("tool " + toolName + " failed: " + e.what());
    } catch (...) {
        return ToolResult::error("tool " + toolName + " failed with an unknown exception");
    }
}

Json Tool::definition() const {
    return Json{
        {"type", "function"},
        {"function", Json{{"name", name()}, {"description", description()}, {"parameters", parameters()}}}};
}

bool isValidToolName(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

void ToolRegistry::add(std::shared_ptr<Tool> tool) {
    if (!tool) throw Error("ToolRegistry::add: no tool given");
    const std::string n = tool->name();
    if (!isValidToolName(n))
        throw Error("tool name '" + n + "' is not usable: use 1 to 64 characters from A-Z a-z 0-9 _ . -");
    if (contains(n))
        throw Error("a tool named '" + n + "' is already registered; give one of them another name");
    tools_.push_back(std::move(tool));
}

std::shared_ptr<Tool> ToolRegistry::find(const std::string& name) const {
    for (const auto& t : tools_)
        if (t->name() == name) return t;
    return nullptr;
}

std::vector<std::string> ToolRegistry::names() const {
    std::vector<std::string> out;
    for (const auto& t : tools_) out.push_back(t->name());
    return out;
}

Json ToolRegistry::toJson() const {
    Json out = Json::array();
    for (const auto& t : tools_) out.push_back(t->definition());
    return out;
}

} // namespace hone::tools
