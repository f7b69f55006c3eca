// LiveChart: buffered appends, timer-driven decimated redraws and autoscaled axes for live metrics.
#include "ui/live_chart.h"

#include "ui/chart_axis.h"

#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hone::ui {

LiveChart::LiveChart(const QString& title, QWidget* parent)
    : QWidget(parent) {
    chart_ = new QChart();
    chart_->setTitle(title);
    chart_->setAnimationOptions(QChart::NoAnimation);
    chart_->legend()->setAlignment(Qt::AlignBottom);
    chart_->setMargins(QMargins(4, 4, 4, 4));
    axisX_ = new QValueAxis(chart_);
    axisX_->setLabelFormat(QStringLiteral("%d"));
    axisX_->setTickCount(6);
    axisY_ = new QValueAxis(chart_);
    axisY_->setLabelFormat(QStringLiteral("%.3g")); // until the first refresh picks one from the data
    chart_->addAxis(axisX_, Qt::AlignBottom);
    chart_->addAxis(axisY_, Qt::AlignLeft);
    view_ = new QChartView(chart_, this);
    view_->setRenderHint(QPainter::Antialiasing, false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(view_);
    setMinimumSize(240, 180);
    timer_ = new QTimer(this);
    timer_->setInterval(100);
    connect(timer_, &QTimer::timeout, this, &LiveChart::refresh);
    timer_->start();
}

int LiveChart::addSeries(const QString& name, QColor color, double smoothing) {
    auto make = [this](const QString& n, QColor c, qreal width) {
        auto* line = new QLineSeries(chart_);
        line->setName(n);
        line->setUseOpenGL(false); // offscreen and remote displays have no GL; decimation keeps it fast
        QPen pen = line->pen();
        if (c.isValid()) pen.setColor(c);
        pen.setWidthF(width);
        line->setPen(pen);
        chart_->addSeries(line);
        line->attachAxis(axisX_);
        line->attachAxis(axisY_);
        return line;
    };
    const int index = seriesCount();
    Series s;
    const bool smoothed = smoothing > 0.0 && smoothing < 1.0;
    QColor rawColor = color;
    if (smoothed && color.isValid()) rawColor.setAlpha(90);
    s.line = make(name, rawColor, smoothed ? 1.0 : 1.5);
    s.smoothing = smoothed ? smoothing : 0.0;
    if (smoothed) s.smoothedIndex = index + 1;
    series_.push_back(std::move(s));
    if (smoothed) {
        Series e;
        e.line = make(tr("%1 (smoothed)").arg(name), color, 2.0);
        series_.push_back(std::move(e));
    }
    return index;
}

void LiveChart::append(int index, double x, double y) {
    if (index < 0 || index >= seriesCount() || !std::isfinite(x) || !std::isfinite(y)) return;
    Series& s = series_[static_cast<std::size_t>(index)];
    s.points.append(QPointF(x, y));
    if (s.smoothedIndex >= 0) {
        // Bias-corrected EMA (as TensorBoard smooths): the first points are not pulled towards zero or
        // stuck at the first value.
        s.ema = s.smoothing * y + (1.0 - s.smoothing) * s.ema;
        s.emaWeight = s.smoothing + (1.0 - s.smoothing) * s.emaWeight;
        series_[static_cast<std::size_t>(s.smoothedIndex)].points.append(QPointF(x, s.ema / s.emaWeight));
    }
    dirty_ = true;
}

void LiveChart::clear() {
    for (Series& s : series_) {
        s.points.clear();
        s.ema = 0.0;
        s.emaWeight = 0.0;
        s.line->clear();
    }
    dirty_ = true;
}

int LiveChart::pointCount(int index) const {
    if (index < 0 || index >= seriesCount()) return 0;
    return static_cast<int>(series_[static_cast<std::size_t>(index)].points.size());
}

int LiveChart::displayedPointCount(int index) const {
    if (index < 0 || index >= seriesCount()) return 0;
    return series_[static_cast<std::size_t>(index)].line->count();
}

qint64 LiveChart::totalPoints() const {
    qint64 n = 0;
    for (const Series& s : series_) n += s.points.size();
    return n;
}

void LiveChart::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    dirty_ = true;
}

void LiveChart::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    dirty_ = true;
}

void LiveChart::setRefreshInterval(int ms) {
    timer_->setInterval(std::max(10, ms));
}

void LiveChart::setYLabelFormat(const QString& format) {
    yFormat_ = format;
    axisY_->setLabelFormat(format);
}

void LiveChart::decimateInto(const QVector<QPointF>& in, int buckets, QVector<QPointF>& out) const {
    out.clear();
    if (in.size() <= 2 * buckets) {
        out = in;
        return;
    }
    const double x0 = in.front().x(), x1 = in.back().x();
    const double width = x1 > x0 ? (x1 - x0) / buckets : 1.0;
    out.reserve(2 * buckets + 2);
    qsizetype i = 0;
    while (i < in.size()) {
        const auto bucket = static_cast<long long>((in[i].x() - x0) / width);
        qsizetype lo = i, hi = i;
        qsizetype j = i + 1;
        for (; j < in.size() && static_cast<long long>((in[j].x() - x0) / width) == bucket; ++j) {
            if (in[j].y() < in[lo].y()) lo = j;
            if (in[j].y() > in[hi].y()) hi = j;
        }
        // Both extremes, in the order they occurred, so spikes survive and the line stays monotone in x.
        if (lo == hi) {
            out.append(in[lo]);
        } else {
            out.append(in[std::min(lo, hi)]);
            out.append(in[std::max(lo, hi)]);
        }
        i = j;
    }
}

void LiveChart::refresh() {
    if (!dirty_ || !isVisible()) return; // a hidden chart redraws when it is shown
    dirty_ = false;
    const int buckets = std::max(16, static_cast<int>(chart_->plotArea().width()));
    double xmin = std::numeric_limits<double>::max(), xmax = std::numeric_limits<double>::lowest();
    double ymin = xmin, ymax = xmax;
    QVector<QPointF> shown;
    for (Series& s : series_) {
        decimateInto(s.points, buckets, shown);
        for (const QPointF& p : shown) {
            xmin = std::min(xmin, p.x());
            xmax = std::max(xmax, p.x());
            ymin = std::min(ymin, p.y());
            ymax = std::max(ymax, p.y());
        }
        s.line->replace(shown);
    }
    if (xmin > xmax) return; // nothing to show
    // Ranges snap to round numbers, so the axes (and the chart's layout) change only now and then rather
    // than at every refresh.
    const double xspan = niceStep(std::max(1.0, xmax - xmin) * 1.05 / 10.0) * 10.0;
    const double x0 = std::floor(xmin / (xspan / 10.0)) * (xspan / 10.0);
    const double x1 = std::max(x0 + xspan, std::ceil(xmax / (xspan / 10.0)) * (xspan / 10.0));
    if (axisX_->min() != x0 || axisX_->max() != x1) axisX_->setRange(x0, x1);
    applyRoundRange(axisY_, ymin, ymax, yFormat_.isEmpty());
}

} // namespace hone::ui
