// File helpers for SystemRoot.
#include "system/system_root.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace hone {

Identity Identity::current() {
    Identity id;
    id.uid = ::geteuid();
    id.gids.push_back(::getegid());
    gid_t groups[256];
    int n = ::getgroups(256, groups);
    for (int i = 0; i < n; ++i) id.gids.push_back(groups[i]);
    return id;
}

bool Identity::mayReadWrite(const std::string& path, bool folder) const {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return false;
    if (uid == 0) return true;
    const unsigned want = folder ? 03 : 06; // folders: write+search, files: read+write
    unsigned bits = st.st_mode & 07;
    if (st.st_uid == uid)
        bits = (st.st_mode >> 6) & 07;
    else if (std::find(gids.begin(), gids.end(), st.st_gid) != gids.end())
        bits = (st.st_mode >> 3) & 07;
    return (bits & want) == want;
}

SystemRoot::SystemRoot(std::string root, Identity who)
    : root_(std::move(root))
    , who_(std::move(who)) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
    real_ = root_.empty() || root_ == "/";
    if (real_) root_.clear();
}

std::string SystemRoot::path(const std::string& absolute) const {
    return root_ + absolute;
}

std::optional<std::string> SystemRoot::readFile(const std::string& absolute, std::size_t maxBytes) const {
    std::ifstream in(path(absolute), std::ios::binary);
    if (!in) return std::nullopt;
    std::string out(maxBytes, '\0');
    in.read(out.data(), static_cast<std::streamsize>(maxBytes));
    out.resize(static_cast<std::size_t>(in.gcount()));
    return out;
}

bool SystemRoot::exists(const std::string& absolute) const {
    std::error_code ec;
    return fs::exists(path(absolute), ec);
}

std::vector<std::string> SystemRoot::list(const std::string& absolute) const {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(path(absolute), ec), end; !ec && it != end; it.increment(ec))
        names.push_back(it->path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

bool SystemRoot::readWritable(const std::string& absolute) const {
    return who_.mayReadWrite(path(absolute));
}

std::string trimmed(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

} // namespace hone
