// RMSNorm reference: forward against the textbook formula in double, backward against central finite
// differences of an independent double-precision forward.
#include "common/test_support.h"
#include "kernels/cpu/rmsnorm_ref.h"

#include <cmath>
#include <random>
#include <vector>

using namespace hone::kernels;

namespace {
// Independent forward in double: L = sum(y * g).
double loss(const std::vector<double>& x, const std::vector<double>& w, const std::vector<double>& g,
            std::size_t rows, std::size_t cols, double eps) {
    double total = 0;
    for (std::size_t r = 0; r < rows; ++r) {
        double ms = 0;
        for (std::size_t c = 0; c < cols; ++c) ms += x[r * cols + c] * x[r * cols + c];
        const double s = 1.0 / std::sqrt(ms / double(cols) + eps);
        for (std::size_t c = 0; c < cols; ++c) total += x[r * cols + c] * s * w[c] * g[r * cols + c];
    }
    return total;
}
} // namespace

class TestKernelsRef : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rmsnormForwardAndBackward() {
        const std::size_t rows = 3, cols = 37;
        const float eps = 1e-6f;
        std::mt19937 rng(42);
        std::normal_distribution<float> nd;
        std::vector<float> x(rows * cols), w(cols), g(rows * cols), y(rows * cols), rstd(rows),
            dx(rows * cols), dw(cols);
        for (auto& v : x) v = nd(rng);
        for (auto& v : w) v = 1.0f + 0.1f * nd(rng);
        for (auto& v : g) v = nd(rng);
        rmsnormForwardRef(x.data(), w.data(), y.data(), rstd.data(), rows, cols, eps);
        for (std::size_t r = 0; r < rows; ++r) {
            double ms = 0;
            for (std::size_t c = 0; c < cols; ++c) ms += double(x[r * cols + c]) * x[r * cols + c];
            const double s = 1.0 / std::sqrt(ms / cols + eps);
            QVERIFY(std::abs(rstd[r] - s) < 1e-6 * s);
            for (std::size_t c = 0; c < cols; ++c)
                QVERIFY(std::abs(y[r * cols + c] - x[r * cols + c] * s * w[c]) < 1e-5);
        }
        rmsnormBackwardRef(x.data(), w.data(), g.data(), dx.data(), dw.data(), rows, cols, eps);
        std::vector<double> xd(x.begin(), x.end()), wd(w.begin(), w.end()), gd(g.begin(), g.end());
        const double h = 1e-6;
        for (std::size_t i = 0; i < xd.size(); ++i) {
            const double keep = xd[i];
            xd[i] = keep + h;
            const double up = loss(xd, wd, gd, rows, cols, eps);
            xd[i] = keep - h;
            const double down = loss(xd, wd, gd, rows, cols, eps);
            xd[i] = keep;
            QVERIFY2(std::abs((up - down) / (2 * h) - dx[i]) < 1e-4, qPrintable(QString("dx[%1]").arg(i)));
        }
        for (std::size_t i = 0; i < wd.size(); ++i) {
            const double keep = wd[i];
            wd[i] = keep + h;
            const double up = loss(xd, wd, gd, rows, cols, eps);
            wd[i] = keep - h;
            const double down = loss(xd, wd, gd, rows, cols, eps);
            wd[i] = keep;
            QVERIFY2(std::abs((up - down) / (2 * h) - dw[i]) < 1e-4, qPrintable(QString("dw[%1]").arg(i)));
        }
    }
};

QTEST_GUILESS_MAIN(TestKernelsRef)
#include "tst_kernels_ref.moc"
