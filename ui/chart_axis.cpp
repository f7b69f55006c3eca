// Round value-axis ranges for the charts (see chart_axis.h).
#include "ui/chart_axis.h"

#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace hone::ui {

double niceStep(double v) {
    if (!(v > 0) || !std::isfinite(v)) return 1.0;
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= v) return m * p;
    return 10.0 * p;
}

RoundRange roundRange(double lo, double hi, bool floorAtZero) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) lo = 0, hi = 1;
    const double raw = hi > lo ? hi - lo : std::max(1e-12, std::abs(lo) * 0.1 + 1e-9);
    const double step = niceStep(raw * 1.04 / 4.0);
    RoundRange r;
    double start = lo - 0.02 * raw;
    if (floorAtZero && lo >= 0) start = std::max(0.0, start);
    r.lo = std::floor(start / step) * step;
    const int intervals = std::max(4, static_cast<int>(std::ceil((hi + 0.02 * raw - r.lo) / step - 1e-9)));
    r.hi = r.lo + intervals * step;
    r.ticks = intervals + 1;
    r.decimals = std::clamp(static_cast<int>(-std::floor(std::log10(step) + 1e-9)), 0, 12);
    return r;
}

bool applyRoundRange(QValueAxis* axis, double lo, double hi, bool setFormat, bool floorAtZero) {
    const RoundRange r = roundRange(lo, hi, floorAtZero);
    if (axis->min() == r.lo && axis->max() == r.hi && axis->tickCount() == r.ticks) return false;
    // The format goes first, so the axis lays its labels out in it.
    if (setFormat)
        axis->setLabelFormat(QStringLiteral("%.") + QString::number(r.decimals) + QStringLiteral("f"));
    axis->setTickCount(r.ticks);
    axis->setRange(r.lo, r.hi);
    return true;
}

} // namespace hone::ui
