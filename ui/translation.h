// Installs Hone's translation (compiled into the binary under :/i18n) for a language code, or for the
// system locale when the code is empty. English is the source language and needs none.
#pragma once

#include <QString>

class QCoreApplication;

namespace hone::ui {

// Returns the language actually loaded ("" when none, e.g. English or a language Hone lacks).
QString installTranslation(QCoreApplication& app, const QString& language);

} // namespace hone::ui
