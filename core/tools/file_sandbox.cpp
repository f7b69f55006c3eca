// Path checks for the file tools; see file_sandbox.h.
#include "tools/file_sandbox.h"

#include "common/error.h"

#include <system_error>

namespace hone::tools {

namespace fs = std::filesystem;

FileSandbox::FileSandbox(const fs::path& root) {
    std::error_code ec;
    root_ = fs::canonical(root, ec);
    if (ec || !fs::is_directory(root_, ec))
        throw Error("the folder for the file tools, " + root.string() +
                    ", is not an existing folder; pick one");
}

bool FileSandbox::contains(const fs::path& p) const {
    auto a = root_.begin(), b = p.begin();
    for (; a != root_.end(); ++a, ++b)
        if (b == p.end() || *a != *b) return false;
    return true;
}

std::string FileSandbox::display(const fs::path& p) const {
    const fs::path rel = p.lexically_relative(root_);
    return rel.empty() ? std::string(".") : rel.generic_string();
}

fs::path FileSandbox::resolve(const std::string& relative) const {
    std::string shown = relative.substr(0, 200); // for messages: control characters shown as '?'
    for (char& c : shown)
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
    if (relative.find('\0') != std::string::npos)
        throw Error("path '" + shown + "' contains a NUL character; give a plain relative path");
    if (relative.size() > kMaxToolPathLength)
        throw Error("path is " + std::to_string(relative.size()) + " characters long; the limit is " +
                    std::to_string(kMaxToolPathLength));
    const fs::path rel(relative);
    if (rel.is_absolute() || (!relative.empty() && relative[0] == '~'))
        throw Error("path '" + shown + "' is absolute; give a path relative to the shared folder");
    for (const fs::path& part : rel) {
        if (part == "..")
            throw Error("path '" + shown +
                        "' contains '..'; only files inside the shared folder can be used");
        if (part.string().size() > 255) throw Error("path '" + shown + "' has a name longer than 255 bytes");
    }
    std::error_code ec;
    // Resolves every symlink of the part that exists; what does not exist yet stays as written.
    const fs::path real = fs::weakly_canonical(root_ / rel, ec);
    if (ec) throw Error("path '" + shown + "' cannot be resolved: " + ec.message());
    if (!contains(real))
        throw Error("path '" + shown +
                    "' leads outside the shared folder (through a symbolic link); refused");
    return real;
}

} // namespace hone::tools
