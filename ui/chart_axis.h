// Round value-axis ranges for the charts: ticks on multiples of 1, 2 or 5 times a power of ten, and labels
// with as many decimals as that step needs, so neighbouring labels never read the same.
#pragma once

class QValueAxis;

namespace hone::ui {

// The smallest of 1, 2, 5 times a power of ten that is at least `v` (> 0); 1 for anything else.
double niceStep(double v);

struct RoundRange {
    double lo = 0, hi = 1;
    int ticks = 5;    // tick count (intervals + 1)
    int decimals = 0; // for the labels
};

// A range of four to six round steps covering [lo, hi] with a small margin; a point range gets a span of a
// tenth of its value. With `floorAtZero` the range does not go below 0 when the data does not.
RoundRange roundRange(double lo, double hi, bool floorAtZero = false);

// Sets the axis's range and tick count from roundRange, and its label format when `setFormat`. Returns
// whether anything changed.
bool applyRoundRange(QValueAxis* axis, double lo, double hi, bool setFormat, bool floorAtZero = false);

} // namespace hone::ui
