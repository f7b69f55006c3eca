// Light and dark palettes (Qt 6.4 has no colour-scheme API): "system" keeps the platform palette.
#pragma once

#include <QString>

class QApplication;

namespace hone::ui {

void applyTheme(QApplication& app, const QString& theme);

} // namespace hone::ui
