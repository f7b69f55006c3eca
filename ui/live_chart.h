// A QtCharts line chart for live training metrics that stays smooth with many points: appends go into plain
// buffers, a ~10 Hz timer decimates each series to about two points per pixel column (min and max of each
// bucket) and hands the result to QXYSeries::replace, and the axes follow the data. A series can have an
// exponentially smoothed (EMA) companion, as loss curves want.
#pragma once

#include <QColor>
#include <QPointF>
#include <QString>
#include <QVector>
#include <QWidget>

class QTimer;
class QLineSeries;
class QValueAxis;
class QChart;
class QChartView;

namespace hone::ui {

class LiveChart : public QWidget {
    Q_OBJECT
public:
    explicit LiveChart(const QString& title, QWidget* parent = nullptr);

    // Adds a line series and returns its index. With `smoothing` in (0, 1) a second series named
    // "<name> (smoothed)" follows the EMA of the appended values (its index is the returned one + 1).
    int addSeries(const QString& name, QColor color = {}, double smoothing = 0.0);
    // Buffers a point of series `index`; x must not decrease. The chart shows it at the next refresh.
    void append(int index, double x, double y);
    void clear();

    int seriesCount() const { return static_cast<int>(series_.size()); }
    // Points buffered for a series (all of them), and the points the chart currently draws (decimated).
    int pointCount(int index) const;
    int displayedPointCount(int index) const;
    // Total points buffered over all series.
    qint64 totalPoints() const;
    // Refresh interval in milliseconds (default 100).
    void setRefreshInterval(int ms);
    // Redraws now if anything changed (the timer calls it).
    void refresh();
    // Formats the y axis labels (a printf format, e.g. "%.2e"). By default the labels are multiples of a
    // round tick step, printed with as many decimals as the step needs, so neighbouring labels never read the
    // same.
    void setYLabelFormat(const QString& format);
    QChart* chart() const { return chart_; }

protected:
    // The decimation depends on the plot's width: redraw after a resize or when shown.
    void resizeEvent(QResizeEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    struct Series {
        QLineSeries* line = nullptr;
        QVector<QPointF> points;
        double smoothing = 0.0;
        int smoothedIndex = -1; // the companion series, or -1
        double ema = 0.0;       // EMA of the values from a zero start...
        double emaWeight = 0.0; // ...and of ones, to divide the start-up bias out
    };
    void decimateInto(const QVector<QPointF>& in, int buckets, QVector<QPointF>& out) const;

    QChart* chart_ = nullptr;
    QChartView* view_ = nullptr;
    QValueAxis* axisX_ = nullptr;
    QValueAxis* axisY_ = nullptr;
    QString yFormat_; // empty: chosen from the tick step
    QTimer* timer_ = nullptr;
    std::vector<Series> series_;
    bool dirty_ = false;
};

} // namespace hone::ui
