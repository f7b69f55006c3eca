// Benchmark: the longest stall of the GUI thread's event loop while the Train page follows a real
// stories260K training run (the `hone train` worker) with all charts updating, and while a LiveChart takes
// 20k synthetic points. A 1 ms timer on the GUI thread records the largest gap between its ticks. Prints
// one JSON line per phase with the ratio to the 50 ms goal. Not a ctest: run it by hand (see
// docs/benchmarks.md).
//   bench_gui_stall [--steps N] [--model DIR] [--data FILE]
// Defaults: 300 steps, $HONE_FIXTURES_DIR/models/stories260K, $HONE_SOURCE_DIR/tests/data/train/...; the
// worker is $HONE_CLI, else the hone binary next to this executable (both in <build>/bin).
#include "services/settings.h"
#include "services/training_service.h"
#include "ui/live_chart.h"
#include "ui/train_form.h"
#include "ui/train_page.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>

using namespace hone;

namespace {

constexpr double kGoalMs = 50.0;

qint64 threadCpuNs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<qint64>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Measures the longest gap between ticks of a 1 ms timer while `body` runs the event loop until `done`.
struct StallMeter {
    QElapsedTimer clock;
    qint64 last = 0;
    qint64 maxGapNs = 0;
    qint64 maxAtNs = 0;     // when the longest gap began
    qint64 maxGapCpuNs = 0; // CPU time the GUI thread spent in it (the rest: waiting for a core)
    qint64 maxBusyNs = 0;   // longest GUI-thread CPU time between two ticks
    qint64 lastCpu = 0;
    qint64 ticks = 0;
    QTimer timer;
    StallMeter() {
        timer.setTimerType(Qt::PreciseTimer);
        timer.setInterval(1);
        QObject::connect(&timer, &QTimer::timeout, [this] {
            const qint64 now = clock.nsecsElapsed();
            const qint64 cpu = threadCpuNs();
            if (now - last > maxGapNs) {
                maxGapNs = now - last;
                maxAtNs = last;
                maxGapCpuNs = cpu - lastCpu;
            }
            maxBusyNs = std::max(maxBusyNs, cpu - lastCpu);
            last = now;
            lastCpu = cpu;
            ++ticks;
        });
    }
    void begin() {
        clock.start();
        last = 0;
        maxGapNs = 0;
        maxAtNs = 0;
        maxGapCpuNs = 0;
        maxBusyNs = 0;
        lastCpu = threadCpuNs();
        ticks = 0;
        timer.start();
    }
    double end() {
        timer.stop();
        return static_cast<double>(maxGapNs) / 1e6;
    }
};

void report(const char* phase, const StallMeter& m, double maxStallMs, qint64 points, double seconds) {
    std::printf("{\"phase\":\"%s\",\"max_stall_ms\":%.2f,\"stall_at_s\":%.2f,\"stall_cpu_ms\":%.2f,"
                "\"max_busy_ms\":%.2f,\"points\":%lld,\"seconds\":%.2f,\"timer_ticks\":%lld,\"goal_ms\":%.0f,"
                "\"ratio_to_goal\":%.3f}\n",
                phase, maxStallMs, static_cast<double>(m.maxAtNs) / 1e9,
                static_cast<double>(m.maxGapCpuNs) / 1e6, static_cast<double>(m.maxBusyNs) / 1e6,
                static_cast<long long>(points), seconds, static_cast<long long>(m.ticks), kGoalMs,
                maxStallMs / kGoalMs);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    int steps = 300;
    QString model = qEnvironmentVariable("HONE_FIXTURES_DIR") + "/models/stories260K";
    QString data = qEnvironmentVariable("HONE_SOURCE_DIR", QStringLiteral(HONE_BENCH_SOURCE_DIR)) +
                   "/tests/data/train/stories_alpaca.jsonl";
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == "--steps")
            steps = args[i + 1].toInt();
        else if (args[i] == "--model")
            model = args[i + 1];
        else if (args[i] == "--data")
            data = args[i + 1];
    }
    if (qEnvironmentVariableIsEmpty("HONE_CLI"))
        qputenv("HONE_CLI",
                QFileInfo(QCoreApplication::applicationDirPath() + "/hone").absoluteFilePath().toLocal8Bit());
    if (!QFileInfo::exists(model + "/config.json") || !QFileInfo::exists(data)) {
        std::fprintf(stderr, "error: model %s or data %s not found; pass --model and --data\n",
                     qPrintable(model), qPrintable(data));
        return 2;
    }
    QTemporaryDir home;
    AppPaths paths;
    paths.home = home.path().toStdString();
    paths.database = (home.path() + "/hone.db").toStdString();
    paths.settingsFile = (home.path() + "/settings.ini").toStdString();
    paths.source = "bench";
    Settings settings(paths);
    TrainingService service(paths);
    ui::TrainPage page(&settings, &service);
    page.resize(1400, 900);
    page.show();

    TrainOptions o;
    o.modelPath = model.toStdString();
    o.dataPath = data.toStdString();
    o.templateName = "alpaca";
    o.maxSteps = steps;
    o.batchSize = 4;
    o.threads = 1;
    o.maxSeqLen = 256;
    o.lr = 1e-3;
    o.device = "cpu";
    page.form()->setOptions(o);
    if (!page.form()->isValid()) {
        std::fprintf(stderr, "error: %s\n", qPrintable(page.form()->validationMessage()));
        return 2;
    }

    // Phase 1: a real training run with every chart updating.
    StallMeter meter;
    QEventLoop loop;
    QObject::connect(&page, &ui::TrainPage::runFinished, &loop, &QEventLoop::quit);
    QElapsedTimer wall;
    wall.start();
    meter.begin();
    page.start();
    loop.exec();
    const double trainStall = meter.end();
    const qint64 trainPoints = page.lossChart()->totalPoints() + page.lrChart()->totalPoints() +
                               page.gradNormChart()->totalPoints() + page.tokensChart()->totalPoints() +
                               page.memoryChart()->totalPoints();
    if (page.lastStatus() != QLatin1String("finished")) {
        std::fprintf(stderr, "error: the training run ended %s: %s\n", qPrintable(page.lastStatus()),
                     qPrintable(page.statusText()));
        return 1;
    }
    report("train", meter, trainStall, trainPoints, static_cast<double>(wall.elapsed()) / 1000.0);
    const double trainBusy = static_cast<double>(meter.maxBusyNs) / 1e6;

    // Phase 2: 20k synthetic points into a visible LiveChart with a smoothed companion, 500 points per
    // 10 ms (far faster than any trainer reports), while it redraws at 10 Hz.
    ui::LiveChart chart(QStringLiteral("synthetic"));
    chart.resize(1000, 500);
    chart.show();
    const int s = chart.addSeries(QStringLiteral("loss"), Qt::blue, 0.05);
    const int total = 20000;
    int fed = 0;
    QTimer feeder;
    feeder.setInterval(10);
    QObject::connect(&feeder, &QTimer::timeout, [&] {
        for (int k = 0; k < 500 && fed < total; ++k, ++fed)
            chart.append(s, fed, 3.0 * std::exp(-fed / 5000.0) + 0.1 * std::sin(fed * 0.37));
        if (fed >= total) {
            feeder.stop();
            QTimer::singleShot(300, &loop, &QEventLoop::quit); // let the last redraws happen
        }
    });
    wall.restart();
    meter.begin();
    feeder.start();
    loop.exec();
    const double chartStall = meter.end();
    report("chart_20k", meter, chartStall, chart.pointCount(s), static_cast<double>(wall.elapsed()) / 1000.0);
    const double chartBusy = static_cast<double>(meter.maxBusyNs) / 1e6;

    // max_stall_ms is wall time (what a user sees, including waits for a busy core); max_busy_ms is the
    // GUI thread's own longest stretch of work, which is what this code controls.
    const double worst = std::max(trainStall, chartStall);
    std::printf("{\"max_stall_ms\":%.2f,\"max_busy_ms\":%.2f,\"points\":%lld,\"goal_ms\":%.0f,"
                "\"ratio_to_goal\":%.3f}\n",
                worst, std::max(trainBusy, chartBusy),
                static_cast<long long>(trainPoints + chart.pointCount(s)), kGoalMs, worst / kGoalMs);
    return worst < kGoalMs ? 0 : 1;
}
