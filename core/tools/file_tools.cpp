// list_files / read_file / search_files over a FileSandbox; see file_tools.h.
#include "tools/file_tools.h"

#include "common/error.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hone::tools {

namespace fs = std::filesystem;

namespace {

std::string argPath(const Json& args) {
    return args.value("path", std::string());
}

std::string kindName(mode_t mode) {
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISDIR(mode)) return "a folder (use list_files)";
    return "not a regular file";
}

// Reads up to `limit` bytes of a regular file at the real path `p`; sets *size to the file's size. Refuses
// anything but a regular file without blocking on it (O_NONBLOCK, no symlink following at the last step).
std::string readRegular(const fs::path& p, const std::string& shown, std::size_t limit, std::size_t* size) {
    const int fd = ::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) throw Error("no file '" + shown + "'; list_files shows what there is");
        throw Error("cannot open '" + shown + "': " + std::string(std::strerror(errno)));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const std::string kind = kindName(st.st_mode);
        ::close(fd);
        throw Error("'" + shown + "' is " + kind + "; only regular files can be read");
    }
    *size = static_cast<std::size_t>(st.st_size);
    std::string out(std::min(limit, *size), '\0');
    std::size_t got = 0;
    while (got < out.size()) {
        const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    out.resize(got);
    return out;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

} // namespace

bool looksBinary(const std::string& b) {
    std::size_t i = 0;
    while (i < b.size()) {
        const unsigned char c = static_cast<unsigned char>(b[i]);
        if (c == 0) return true;
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0) return true;
        if (i + n > b.size()) { // a character cut at the end of what was read: the rest must fit it
            for (std::size_t k = i + 1; k < b.size(); ++k)
                if ((static_cast<unsigned char>(b[k]) & 0xC0) != 0x80) return true;
            return false;
        }
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(b[i + k]) & 0xC0) != 0x80) return true;
        i += n;
    }
    return false;
}

std::string ListFilesTool::description() const {
    return "Lists the files and folders in the shared folder (or a folder inside it). Folders end with '/'.";
}

Json ListFilesTool::parameters() const {
    return Json::parse(R"({"type": "object", "properties": {
        "path": {"type": "string", "description": "folder relative to the shared folder; empty for its top"},
        "recursive": {"type": "boolean", "description": "true to also list what the folders inside hold; default false"
}
}
})");
}

ToolResult ListFilesTool::run(const Json& args, Deadline deadline) {
    const std::string shown = argPath(args);
    const fs::path dir = sandbox_->resolve(shown);
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(dir, ec)))
        throw Error("'" + (shown.empty() ? "." : shown) + "' is not a folder");
    const bool recursive = args.value("recursive", false);
    std::vector<std::string> lines;
    bool cut = false;
    auto options = fs::directory_options::skip_permission_denied;
    for (fs::recursive_directory_iterator it(dir, options, ec), end; !ec && it != end; it.increment(ec)) {
        if (lines.size() >= limits_.maxListEntries || Clock::now() > deadline) {
            cut = true;
            break;
        }
        const fs::path& p = it->path();
        const fs::file_status st = it->symlink_status(ec);
        std::string line = sandbox_->display(p);
        if (fs::is_symlink(st)) {
            const fs::path target = fs::weakly_canonical(p, ec);
            line +=
                sandbox_->contains(target) ? " -> " + sandbox_->display(target) : " -> (outside the folder)";
        } else if (fs::is_directory(st)) {
            line += "/";
        } else if (fs::is_regular_file(st)) {
            line += " (" + std::to_string(fs::file_size(p, ec)) + " bytes)";
        } else {
            line += " (special file)";
        }
        lines.push_back(line);
        if (!recursive || it.depth() >= limits_.maxDepth) it.disable_recursion_pending();
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    if (lines.empty()) out = "(empty folder)\n";
    ToolResult r = ToolResult::ok(out);
    if (cut) {
        r.content += "[listing stopped after " + std::to_string(lines.size()) + " entries]\n";
        r.truncated = true;
    }
    return r;
}

std::string ReadFileTool::description() const {
    return "Reads a text file from the shared folder. Large files are cut; binary files are not shown.";
}

Json ReadFileTool::parameters() const {
    return Json::parse(R"({"type": "object", "properties": {
        "path": {"type": "string", "description": "file path relative to the shared folder"}},
        "required": ["path"]})");
}

ToolResult ReadFileTool::run(const Json& args, Deadline) {
    const std::string shown = argPath(args);
    const fs::path p = sandbox_->resolve(shown);
    std::size_t size = 0;
    std::string text = readRegular(p, shown, limits_.maxReadBytes, &size);
    if (looksBinary(text.substr(0, 64 * 1024)))
        throw Error("'" + shown + "' is a binary file (" + std::to_string(size) +
                    " bytes); it cannot be shown");
    ToolResult r = ToolResult::ok(std::move(text));
    if (size > r.content.size()) {
        r.truncated = true;
        r.content += "\n[... file truncated: first " + std::to_string(r.content.size()) + " of " +
                     std::to_string(size) + " bytes shown]";
    }
    return r;
}

std::string SearchFilesTool::description() const {
    return "Searches the text files in the shared folder for a word or phrase (case-insensitive) and returns "
           "the matching lines as path:line: text, and files whose name contains it.";
}

Json SearchFilesTool::parameters() const {
    return Json::parse(R"({"type": "object", "properties": {
        "query": {"type": "string", "minLength": 1, "maxLength": 200, "description": "text to look for"},
        "path": {"type": "string", "description": "folder to search in, relative to the shared folder"}},
        "required": ["query"]})");
}

ToolResult SearchFilesTool::run(const Json& args, Deadline deadline) {
    const std::string query = lower(args.at("query").get<std::string>());
    const std::string shown = argPath(args);
    const fs::path dir = sandbox_->resolve(shown);
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(dir, ec)))
        throw Error("'" + (shown.empty() ? "." : shown) + "' is not a folder");
    std::vector<std::string> hits;
    std::string note;
    auto options = fs::directory_options::skip_permission_denied; // symlinks are not followed
    for (fs::recursive_directory_iterator it(dir, options, ec), end; !ec && it != end; it.increment(ec)) {
        if (hits.size() >= limits_.maxSearchMatches) {
            note = "[search stopped after " + std::to_string(hits.size()) + " matches]\n";
            break;
        }
        if (Clock::now() > deadline) {
            note = "[search stopped: out of time]\n";
            break;
        }
        if (it.depth() >= limits_.maxDepth) it.disable_recursion_pending();
        const fs::path& p = it->path();
        const std::string rel = sandbox_->display(p);
        if (lower(p.filename().string()).find(query) != std::string::npos) hits.push_back(rel + " (name)");
        if (!fs::is_regular_file(it->symlink_status(ec))) continue;
        std::size_t size = 0;
        std::string text;
        try {
            text = readRegular(p, rel, limits_.maxSearchFileBytes, &size);
        } catch (const Error&) {
            continue; // vanished or unreadable: nothing to report
        }
        if (size > limits_.maxSearchFileBytes || looksBinary(text)) continue;
        std::size_t lineNo = 0, start = 0;
        while (start <= text.size() && hits.size() < limits_.maxSearchMatches) {
            std::size_t nl = text.find('\n', start);
            if (nl == std::string::npos) nl = text.size();
            ++lineNo;
            const std::string line = text.substr(start, nl - start);
            if (lower(line).find(query) != std::string::npos)
                hits.push_back(rel + ":" + std::to_string(lineNo) + ": " + line.substr(0, 300));
            start = nl + 1;
        }
    }
    std::string out;
    for (const std::string& h : hits) out += h + "\n";
    if (hits.empty()) out = "no matches\n";
    ToolResult r = ToolResult::ok(out + note);
    r.truncated = !note.empty();
    return r;
}

std::vector<std::shared_ptr<Tool>> makeFileTools(const fs::path& root, FileToolLimits limits) {
    auto sandbox = std::make_shared<const FileSandbox>(root);
    return {std::make_shared<ListFilesTool>(sandbox, limits), std::make_shared<ReadFileTool>(sandbox, limits),
            std::make_shared<SearchFilesTool>(sandbox, limits)};
}

} // namespace hone::tools
