// Where the system probes look: "/" on a real machine, a temporary tree in tests (fake /sys, /dev, /proc,
// /etc/group). Keeps every probe testable without the hardware it describes.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hone {

// Whose permissions the probes evaluate: the running process by default; tests pass another identity so
// access checks behave as for an ordinary user even when the suite runs as root.
struct Identity {
    unsigned uid = 0;
    std::vector<unsigned> gids; // primary and supplementary groups
    static Identity current();
    // read+write (or write+search for folders, when `folder`) permission on `path` by mode bits and ownership
    bool mayReadWrite(const std::string& path, bool folder = false) const;
};

class SystemRoot {
public:
    explicit SystemRoot(std::string root = "/", Identity who = Identity::current());
    const Identity& identity() const { return who_; }
    bool isReal() const { return real_; }
    std::string path(const std::string& absolute) const; // "/sys/x" -> "<root>/sys/x"

    std::optional<std::string> readFile(const std::string& absolute, std::size_t maxBytes = 1 << 20) const;
    bool exists(const std::string& absolute) const;
    // Names (not paths) of entries of a folder, sorted; empty when missing.
    std::vector<std::string> list(const std::string& absolute) const;
    // Whether identity() may open the node under the root for reading and writing.
    bool readWritable(const std::string& absolute) const;

private:
    std::string root_;
    bool real_;
    Identity who_;
};

// Trims ASCII whitespace at both ends.
std::string trimmed(const std::string& s);

} // namespace hone
