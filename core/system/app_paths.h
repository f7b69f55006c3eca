// Where Hone keeps its data: --home / HONE_HOME, else the folder the user chose in Settings (recorded in
// ~/.config/hone/location), else $XDG_DATA_HOME/hone (~/.local/share/hone). Qt-free so every tool agrees.
#pragma once

#include <string>

namespace hone {

struct AppPaths {
    std::string home;         // the data folder
    std::string database;     // <home>/hone.db
    std::string settingsFile; // <home>/settings.ini
    std::string source;       // how home was chosen: "HONE_HOME", "settings", "default"
};

AppPaths resolveAppPaths();
// The file recording a data folder chosen in Settings.
std::string locationFile();
// Records `home` as the data folder for future starts (Settings page). Throws hone::Error on failure.
void saveChosenHome(const std::string& home);

} // namespace hone
