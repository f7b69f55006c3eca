// The file tools: list_files, read_file and search_files, each confined to one FileSandbox (the folder the
// user shared). Reads are size-limited and binary files are reported, not shown.
#pragma once

#include "tools/file_sandbox.h"
#include "tools/tool.h"

#include <cstddef>
#include <memory>

namespace hone::tools {

struct FileToolLimits {
    std::size_t maxReadBytes = 256 * 1024;    // read_file shows at most this much of a file
    std::size_t maxListEntries = 1000;        // list_files
    std::size_t maxSearchMatches = 100;       // search_files
    std::size_t maxSearchFileBytes = 4 << 20; // search_files skips larger files
    int maxDepth = 16;                        // recursive listing and search
};

class FileTool : public Tool {
public:
    FileTool(std::shared_ptr<const FileSandbox> sandbox, FileToolLimits limits)
        : sandbox_(std::move(sandbox))
        , limits_(limits) {}

protected:
    std::shared_ptr<const FileSandbox> sandbox_;
    FileToolLimits limits_;
};

class ListFilesTool : public FileTool {
public:
    using FileTool::FileTool;
    std::string name() const override { return "list_files"; }
    std::string description() const override;
    Json parameters() const override;

protected:
    ToolResult run(const Json& arguments, Deadline deadline) override;
};

class ReadFileTool : public FileTool {
public:
    using FileTool::FileTool;
    std::string name() const override { return "read_file"; }
    std::string description() const override;
    Json parameters() const override;

protected:
    ToolResult run(const Json& arguments, Deadline deadline) override;
};

class SearchFilesTool : public FileTool {
public:
    using FileTool::FileTool;
    std::string name() const override { return "search_files"; }
    std::string description() const override;
    Json parameters() const override;

protected:
    ToolResult run(const Json& arguments, Deadline deadline) override;
};

// The three tools over one sandbox, ready for ToolRegistry::add.
std::vector<std::shared_ptr<Tool>> makeFileTools(const std::filesystem::path& root,
                                                 FileToolLimits limits = {});

// True when `bytes` looks binary: a NUL byte or invalid UTF-8 (a character cut at the very end is allowed).
bool looksBinary(const std::string& bytes);

} // namespace hone::tools
