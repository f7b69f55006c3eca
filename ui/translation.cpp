// Loading of Hone's and Qt's own translations.
#include "ui/translation.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace hone::ui {

QString installTranslation(QCoreApplication& app, const QString& language) {
    const QString lang =
        language.isEmpty() ? QLocale::system().name().section(QLatin1Char('_'), 0, 0) : language;
    if (lang.isEmpty() || lang == QLatin1String("en") || lang == QLatin1String("C")) return {};
    auto* hone = new QTranslator(&app);
    if (!hone->load(QStringLiteral(":/i18n/hone_%1.qm").arg(lang))) {
        delete hone;
        return {};
    }
    app.installTranslator(hone);
    auto* qt = new QTranslator(&app);
    if (qt->load(QStringLiteral("qtbase_%1").arg(lang), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app.installTranslator(qt);
    else
        delete qt;
    return lang;
}

} // namespace hone::ui
