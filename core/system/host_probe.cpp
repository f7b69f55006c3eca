// Reads /proc/cpuinfo, /proc/meminfo, statvfs and group membership.
#include "system/host_probe.h"

#include <filesystem>
#include <grp.h>
#include <pwd.h>
#include <set>
#include <sstream>
#include <sys/statvfs.h>
#include <unistd.h>

namespace hone {

HostInfo probeHost(const SystemRoot& root) {
    HostInfo h;
    if (auto cpuinfo = root.readFile("/proc/cpuinfo", 4 << 20)) {
        std::istringstream in(*cpuinfo);
        std::string line, physId = "0";
        std::set<std::string> cores;
        while (std::getline(in, line)) {
            auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string key = trimmed(line.substr(0, colon)), value = trimmed(line.substr(colon + 1));
            if (key == "processor")
                ++h.logicalCpus;
            else if (key == "model name" && h.cpuModel.empty())
                h.cpuModel = value;
            else if (key == "physical id")
                physId = value;
            else if (key == "core id")
                cores.insert(physId + ":" + value);
        }
        h.physicalCores = cores.empty() ? h.logicalCpus : static_cast<int>(cores.size());
    }
    if (h.logicalCpus == 0 && root.isReal())
        h.logicalCpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
    if (h.physicalCores == 0) h.physicalCores = h.logicalCpus;
    if (h.cpuModel.empty()) h.cpuModel = "unknown CPU";
    if (auto meminfo = root.readFile("/proc/meminfo")) {
        std::istringstream in(*meminfo);
        std::string key;
        std::uint64_t kb = 0;
        std::string unit;
        while (in >> key >> kb) {
            std::getline(in, unit);
            if (key == "MemTotal:")
                h.memTotalBytes = kb * 1024;
            else if (key == "MemAvailable:")
                h.memAvailableBytes = kb * 1024;
        }
    }
    return h;
}

DiskSpace diskSpace(const std::string& path) {
    namespace fs = std::filesystem;
    fs::path p = path;
    std::error_code ec;
    while (!p.empty() && !fs::exists(p, ec)) p = p.parent_path();
    DiskSpace d;
    struct statvfs st {};
    if (p.empty() || ::statvfs(p.c_str(), &st) != 0) return d;
    d.known = true;
    d.freeBytes = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
    d.totalBytes = static_cast<std::uint64_t>(st.f_blocks) * st.f_frsize;
    return d;
}

std::string currentUserName() {
    if (struct passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
    return {};
}

std::vector<std::string> userGroups(const SystemRoot& root, const std::string& userName) {
    std::set<std::string> names;
    if (root.isReal()) {
        gid_t gids[256];
        int n = ::getgroups(256, gids);
        for (int i = 0; i < n; ++i)
            if (struct group* g = ::getgrgid(gids[i])) names.insert(g->gr_name);
        if (struct group* g = ::getgrgid(::getegid())) names.insert(g->gr_name);
    }
    if (auto groups = root.readFile("/etc/group")) {
        std::istringstream in(*groups);
        std::string line;
        while (std::getline(in, line)) {
            // name:x:gid:member1,member2
            std::vector<std::string> f;
            std::stringstream ls(line);
            std::string part;
            while (std::getline(ls, part, ':')) f.push_back(part);
            if (f.size() < 4) continue;
            std::stringstream ms(f[3]);
            while (std::getline(ms, part, ','))
                if (trimmed(part) == userName) names.insert(f[0]);
        }
    }
    return {names.begin(), names.end()};
}

} // namespace hone
