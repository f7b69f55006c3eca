// A folder the user picked for the file tools, and the only way they reach files: every path the model gives
// is resolved inside it, and anything that could leave it ('..', absolute paths, symlinks pointing out, NUL
// bytes, over-long paths) or is not a plain file or folder (devices, FIFOs, sockets) is refused.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace hone::tools {

inline constexpr std::size_t kMaxToolPathLength = 1024;

class FileSandbox {
public:
    // Throws hone::Error when `root` is not an existing folder.
    explicit FileSandbox(const std::filesystem::path& root);

    const std::filesystem::path& root() const { return root_; }

    // The real (symlink-free) absolute path of `relative` inside the root; "" and "." are the root itself.
    // Throws hone::Error naming the path and why it was refused; the target need not exist.
    std::filesystem::path resolve(const std::string& relative) const;
    // True when the real path `p` is the root or below it (component-wise, so /a/bc is not inside /a/b).
    bool contains(const std::filesystem::path& p) const;
    // `p` (inside the root) relative to the root, with '/' separators; "." for the root.
    std::string display(const std::filesystem::path& p) const;

private:
    std::filesystem::path root_;
};

} // namespace hone::tools
