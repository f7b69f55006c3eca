// The host: CPU model and counts, memory, free disk space, and which groups the user is in.
#pragma once

#include "system/system_root.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hone {

struct HostInfo {
    std::string cpuModel;
    int logicalCpus = 0;   // hardware threads online
    int physicalCores = 0; // distinct (package, core) pairs; equals logicalCpus when unknown
    std::uint64_t memTotalBytes = 0;
    std::uint64_t memAvailableBytes = 0;
};

HostInfo probeHost(const SystemRoot& root);

struct DiskSpace {
    bool known = false;
    std::uint64_t freeBytes = 0; // available to an unprivileged user
    std::uint64_t totalBytes = 0;
};

// Free space of the filesystem holding `path` (the nearest existing parent if it does not exist yet).
DiskSpace diskSpace(const std::string& path);

// Group names the user belongs to: on the real root from getgroups(2); under a fake root from
// <root>/etc/group entries that list `userName` as a member.
std::vector<std::string> userGroups(const SystemRoot& root, const std::string& userName);
std::string currentUserName();

} // namespace hone
