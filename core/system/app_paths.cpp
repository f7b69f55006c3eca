// Resolution of the data folder and the files inside it.
#include "system/app_paths.h"

#include "common/error.h"
#include "system/system_root.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace hone {

namespace {
std::string envOr(const char* name, const std::string& def) {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : def;
}
std::string userHome() {
    return envOr("HOME", "/tmp");
}
} // namespace

std::string locationFile() {
    return envOr("XDG_CONFIG_HOME", userHome() + "/.config") + "/hone/location";
}

AppPaths resolveAppPaths() {
    AppPaths p;
    if (const char* h = std::getenv("HONE_HOME"); h && *h) {
        p.home = h;
        p.source = "HONE_HOME";
    } else if (std::ifstream in(locationFile()); in) {
        std::string line;
        std::getline(in, line);
        line = trimmed(line);
        if (!line.empty()) {
            p.home = line;
            p.source = "settings";
        }
    }
    if (p.home.empty()) {
        p.home = envOr("XDG_DATA_HOME", userHome() + "/.local/share") + "/hone";
        p.source = "default";
    }
    std::error_code ec;
    auto abs = std::filesystem::absolute(p.home, ec);
    if (!ec) p.home = abs.lexically_normal().string();
    while (p.home.size() > 1 && p.home.back() == '/') p.home.pop_back();
    p.database = p.home + "/hone.db";
    p.settingsFile = p.home + "/settings.ini";
    return p;
}

void saveChosenHome(const std::string& home) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(fs::path(locationFile()).parent_path(), ec);
    std::string tmp = locationFile() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) throw Error("cannot write " + tmp + ": check that ~/.config is writable");
        out << home << "\n";
        if (!out.flush()) throw Error("cannot write " + tmp + " (disk full?)");
    }
    fs::rename(tmp, locationFile(), ec);
    if (ec) throw Error("cannot replace " + locationFile() + ": " + ec.message());
}

} // namespace hone
