// User settings that persist across starts (QSettings INI in the data folder): default device and dtype,
// language, theme. The data folder itself is recorded outside it (system/app_paths.h).
#pragma once

#include "system/app_paths.h"

#include <QSettings>
#include <QString>
#include <memory>

namespace hone {

class Settings {
public:
    explicit Settings(const AppPaths& paths);

    const AppPaths& paths() const { return paths_; }
    QString dataFolder() const { return QString::fromStdString(paths_.home); }
    // Records a new data folder for the next start (effective after restart). Throws hone::Error.
    void setDataFolder(const QString& folder);

    QString defaultDevice() const;                // "auto", "cpu", "cuda:N"
    void setDefaultDevice(const QString& device); // validated; throws hone::Error on a bad value
    QString defaultDtype() const;                 // "auto", "f32", "bf16", "f16"
    void setDefaultDtype(const QString& dtype);
    QString language() const; // "" = follow the system, else "en", "de"
    void setLanguage(const QString& language);
    QString theme() const; // "system", "light", "dark"
    void setTheme(const QString& theme);

    QVariant value(const QString& key, const QVariant& fallback = {}) const;
    void setValue(const QString& key, const QVariant& value);
    // Writes pending changes; throws hone::Error when the file cannot be written.
    void sync();

private:
    AppPaths paths_;
    std::unique_ptr<QSettings> qs_;
};

} // namespace hone
