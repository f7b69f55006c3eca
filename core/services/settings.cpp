// QSettings-backed implementation of Settings.
#include "services/settings.h"

#include "common/error.h"
#include "device/compute_device.h"

#include <QDir>

namespace hone {

Settings::Settings(const AppPaths& paths)
    : paths_(paths) {
    QDir().mkpath(QString::fromStdString(paths_.home));
    qs_ = std::make_unique<QSettings>(QString::fromStdString(paths_.settingsFile), QSettings::IniFormat);
}

void Settings::setDataFolder(const QString& folder) {
    if (folder.trimmed().isEmpty()) throw Error("the data folder cannot be empty");
    if (!QDir().mkpath(folder))
        throw Error("cannot create the data folder " + folder.toStdString() + ": choose a writable location");
    saveChosenHome(QDir(folder).absolutePath().toStdString());
}

QString Settings::defaultDevice() const {
    return qs_->value(QStringLiteral("compute/device"), QStringLiteral("auto")).toString();
}

void Settings::setDefaultDevice(const QString& device) {
    DeviceSpec::parse(device.toStdString()); // throws with the accepted forms
    qs_->setValue(QStringLiteral("compute/device"), device);
}

QString Settings::defaultDtype() const {
    return qs_->value(QStringLiteral("compute/dtype"), QStringLiteral("auto")).toString();
}

void Settings::setDefaultDtype(const QString& dtype) {
    if (dtype != QLatin1String("auto")) parseDType(dtype.toStdString());
    qs_->setValue(QStringLiteral("compute/dtype"), dtype);
}

QString Settings::language() const {
    return qs_->value(QStringLiteral("ui/language")).toString();
}
void Settings::setLanguage(const QString& language) {
    qs_->setValue(QStringLiteral("ui/language"), language);
}

QString Settings::theme() const {
    return qs_->value(QStringLiteral("ui/theme"), QStringLiteral("system")).toString();
}
void Settings::setTheme(const QString& theme) {
    if (theme != QLatin1String("system") && theme != QLatin1String("light") && theme != QLatin1String("dark"))
        throw Error("unknown theme '" + theme.toStdString() + "': expected system, light or dark");
    qs_->setValue(QStringLiteral("ui/theme"), theme);
}

QVariant Settings::value(const QString& key, const QVariant& fallback) const {
    return qs_->value(key, fallback);
}
void Settings::setValue(const QString& key, const QVariant& value) {
    qs_->setValue(key, value);
}

void Settings::sync() {
    qs_->sync();
    if (qs_->status() != QSettings::NoError)
        throw Error("cannot write settings to " + paths_.settingsFile +
                    ": check that the data folder is writable");
}

} // namespace hone
