// The GPU kernels' source run on the CPU (kernels/gpu/emulate.h: each GPU thread a fiber, block barriers,
// warp shuffles through a per-warp exchange) through the C ABI of kernels/gpu/launch.h, compared with the CPU
// references for F32, BF16 and F16, with 32- and 64-wide warps; plus the ABI's argument checks. What the GPU
// machine's parity run checks on hardware, minus the hardware.
#include "common/test_support.h"
#include "kernels/cpu/cross_entropy_ref.h"
#include "kernels/cpu/glu_ref.h"
#include "kernels/cpu/lora_ref.h"
#include "kernels/cpu/rmsnorm_ref.h"
#include "kernels/cpu/rope_ref.h"
#include "kernels/gpu/emulate.h"
#include "kernels/gpu/launch.h"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <random>
#include <string>
#include <vector>

using namespace hone::kernels;

namespace {

// Each thread publishes its index, waits at the block barrier, then reads its right neighbour's (wrapping):
// right only if no thread reads before every thread has written.
__global__ void neighbourAfterBarrier(int* out) {
    __shared__ int cells[256];
    const int t = int(threadIdx.x);
    cells[t] = t + 1000 * int(blockIdx.x);
    __syncthreads();
    out[blockIdx.x * blockDim.x + t] = cells[(t + 1) % int(blockDim.x)];
    __syncthreads(); // the next block's writes wait for this block's reads
}

// A barrier that only the first warp reaches: undefined on a GPU, a reported abort in the emulation.
__global__ void barrierInDivergentCode(int* out) {
    if (threadIdx.x < 32) __syncthreads();
    out[threadIdx.x] = 1;
}

// A buffer of `n` elements of type t (the emulation's "device" memory is host memory).
struct Buf {
    DType t;
    std::vector<unsigned char> bytes;
    Buf(DType type, std::size_t n)
        : t(type)
        , bytes(n * dtypeSize(type)) {}
    std::size_t size() const { return bytes.size() / dtypeSize(t); }
    void* p() { return bytes.data(); }
    float* f() { return reinterpret_cast<float*>(bytes.data()); }
    float at(std::size_t i) const { return loadAs(t, bytes.data(), i); }
};

Buf randomBuf(DType t, std::size_t n, unsigned seed, float scale = 1.0f, float shift = 0.0f) {
    Buf b(t, n);
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd;
    for (std::size_t i = 0; i < n; ++i) storeAs(t, b.p(), i, shift + scale * nd(rng));
    return b;
}

double tolerance(DType t) {
    return t == DType::F32 ? 1e-5 : t == DType::BF16 ? 8e-3 : 1e-3;
}

void expectClose(const char* what, const Buf& got, const Buf& want, double tol) {
    QCOMPARE(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        const double g = got.at(i), w = want.at(i);
        QVERIFY2(std::abs(g - w) <= tol * (1 + std::abs(w)),
                 qPrintable(QString("%1[%2]: kernel %3, reference %4").arg(what).arg(i).arg(g).arg(w)));
    }
}

void expectOk(const hone_gpu_status& s) {
    QVERIFY2(s.code == HONE_GPU_OK, s.message);
}

hone_dtype abi(DType t) {
    return static_cast<hone_dtype>(int(t));
}

} // namespace

class TestKernelsGpuEmu : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void kernels_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<int>("warp");
        for (const int warp : {32, 64})
            for (const DType t : {DType::F32, DType::BF16, DType::F16})
                QTest::newRow(qPrintable(QString("%1 warp%2")
                                             .arg(t == DType::F32    ? "f32"
                                                  : t == DType::BF16 ? "bf16"
                                                                     : "f16")
                                             .arg(warp)))
                    << int(t) << warp;
    }

    void kernels() {
        QFETCH(int, dtype);
        QFETCH(int, warp);
        const auto t = DType(dtype);
        const double tol = tolerance(t);
        hone::emu::gWarpSize = warp;

        // RMSNorm: more columns than threads (1500 > 1024) and single-column rows.
        // (Blocks of 1024 emulated threads are slow: the wide case runs for F32 only.)
        for (const std::size_t cols : {std::size_t(1500), std::size_t(37), std::size_t(1)}) {
            if (cols > 1024 && t != DType::F32) continue;
            const std::size_t rows = cols > 1024 ? 1 : 3;
            Buf x = randomBuf(t, rows * cols, 1, 2.0f), w = randomBuf(DType::F32, cols, 2, 0.1f, 1.0f),
                dy = randomBuf(t, rows * cols, 3);
            Buf y(t, rows * cols), yRef(t, rows * cols), rstd(DType::F32, rows), dx(t, rows * cols),
                dxRef(t, rows * cols), dw(DType::F32, cols), dwRef(DType::F32, cols);
            expectOk(
                hone_gpu_rmsnorm_forward(abi(t), x.p(), w.f(), y.p(), rstd.f(), rows, cols, 1e-6f, nullptr));
            rmsnormForwardRef(t, x.p(), w.f(), yRef.p(), nullptr, rows, cols, 1e-6f);
            expectClose("rmsnorm y", y, yRef, tol);
            expectOk(hone_gpu_rmsnorm_backward(abi(t), x.p(), w.f(), rstd.f(), dy.p(), dx.p(), dw.f(), rows,
                                               cols, nullptr));
            rmsnormBackwardRef(t, x.p(), w.f(), dy.p(), dxRef.p(), dwRef.f(), rows, cols, 1e-6f);
            expectClose("rmsnorm dx", dx, dxRef, 2 * tol);
            expectClose("rmsnorm dw", dw, dwRef, 1e-4);
        }

        // RoPE: both layouts, full and partial rotary, with a position offset, forward and backward.
        for (const auto layout : {RopeLayout::RotateHalf, RopeLayout::Interleaved})
            for (const std::size_t rot : {std::size_t(0), std::size_t(4)}) {
                RopeShape s;
                s.tokens = 5, s.heads = 3, s.headDim = 8, s.rot = rot, s.posOffset = 2, s.tablePositions = 7;
                const std::size_t half = (rot ? rot : 8) / 2, n = s.tokens * s.heads * s.headDim;
                std::vector<float> cos(s.tablePositions * half), sin(cos.size());
                for (std::size_t i = 0; i < cos.size(); ++i) {
                    cos[i] = std::cos(0.3f * float(i));
                    sin[i] = std::sin(0.3f * float(i));
                }
                const Buf x = randomBuf(t, n, 4);
                for (const bool backward : {false, true}) {
                    Buf y(t, n), yRef(t, n);
                    expectOk(hone_gpu_rope(abi(t), x.bytes.data(), y.p(), cos.data(), sin.data(), s.tokens,
                                           s.heads, s.headDim, rot, s.posOffset, s.tablePositions,
                                           int(layout), backward, nullptr));
                    ropeRef(t, x.bytes.data(), yRef.p(), cos.data(), sin.data(), s, layout, backward);
                    expectClose("rope", y, yRef, tol);
                }
            }

        // SwiGLU and GeGLU.
        for (const auto kind : {GluKind::SwiGlu, GluKind::GeGluTanh}) {
            const std::size_t rows = 3, f = 45;
            Buf gu = randomBuf(t, rows * 2 * f, 5, 2.0f), dy = randomBuf(t, rows * f, 6);
            Buf out(t, rows * f), outRef(t, rows * f), dgu(t, rows * 2 * f), dguRef(t, rows * 2 * f);
            expectOk(hone_gpu_glu_forward(int(kind), abi(t), gu.p(), out.p(), rows, f, nullptr));
            gluForwardRef(kind, t, gu.p(), outRef.p(), rows, f);
            expectClose("glu out", out, outRef, tol);
            expectOk(hone_gpu_glu_backward(int(kind), abi(t), gu.p(), dy.p(), dgu.p(), rows, f, nullptr));
            gluBackwardRef(kind, t, gu.p(), dy.p(), dguRef.p(), rows, f);
            expectClose("glu dgu", dgu, dguRef, tol);
        }

        // Cross-entropy: a vocabulary wider than the block, an ignored row, and (F32) a row of huge logits.
        {
            const std::size_t rows = 4, vocab = t == DType::F32 ? 1100 : 300;
            Buf z = randomBuf(t, rows * vocab, 7, 4.0f);
            if (t == DType::F32)
                for (std::size_t i = 0; i < vocab; ++i) z.f()[vocab + i] *= 1e36f;
            const std::vector<std::int64_t> targets{5, std::int64_t(vocab) - 1, kIgnoreIndex, 0};
            Buf loss(DType::F32, rows), lse(DType::F32, rows), lossRef(DType::F32, rows),
                lseRef(DType::F32, rows), grad(t, rows * vocab), gradRef(t, rows * vocab);
            expectOk(hone_gpu_cross_entropy_forward(abi(t), z.p(), targets.data(), loss.f(), lse.f(), rows,
                                                    vocab, kIgnoreIndex, nullptr));
            crossEntropyForwardRef(t, z.p(), targets.data(), lossRef.f(), lseRef.f(), rows, vocab,
                                   kIgnoreIndex);
            for (std::size_t r = 0; r < rows; ++r) {
                const double mag = std::max(1.0, std::abs(double(lseRef.at(r))));
                QVERIFY2(std::abs(loss.at(r) - lossRef.at(r)) <= 1e-5 * mag,
                         qPrintable(QString("loss[%1]").arg(r)));
            }
            QCOMPARE(loss.at(2), 0.0f);
            expectOk(hone_gpu_cross_entropy_backward(abi(t), z.p(), targets.data(), lse.f(), 0.5f, grad.p(),
                                                     rows, vocab, kIgnoreIndex, nullptr));
            crossEntropyBackwardRef(t, z.p(), targets.data(), lseRef.f(), 0.5f, gradRef.p(), rows, vocab,
                                    kIgnoreIndex);
            expectClose("cross-entropy grad", grad, gradRef, tol);
            // In place over the logits gives the same gradient.
            expectOk(hone_gpu_cross_entropy_backward(abi(t), z.p(), targets.data(), lse.f(), 0.5f, z.p(),
                                                     rows, vocab, kIgnoreIndex, nullptr));
            expectClose("cross-entropy grad in place", z, gradRef, tol);
            // A target outside the vocabulary comes back as NaN.
            const std::vector<std::int64_t> bad{int64_t(vocab), 0, 0, 0};
            expectOk(hone_gpu_cross_entropy_forward(abi(t), gradRef.p(), bad.data(), loss.f(), lse.f(), rows,
                                                    vocab, kIgnoreIndex, nullptr));
            QVERIFY(std::isnan(loss.at(0)));
            QVERIFY(std::isfinite(loss.at(1)));
        }

        // LoRA: y is a slice of a wider output (row stride), dx accumulates.
        {
            LoraShape s;
            s.n = 5, s.in = 70, s.out = 33, s.rank = 4, s.yStride = 40;
            Buf x = randomBuf(t, s.n * s.in, 8), a = randomBuf(DType::F32, s.rank * s.in, 9, 0.1f),
                b = randomBuf(DType::F32, s.out * s.rank, 10, 0.1f), y = randomBuf(t, s.n * s.yStride, 11),
                dy = randomBuf(t, s.n * s.yStride, 12), dx = randomBuf(t, s.n * s.in, 13);
            Buf yRef = y, dxRef = dx, xa(DType::F32, s.n * s.rank), xaRef(DType::F32, s.n * s.rank),
                dxa(DType::F32, s.n * s.rank), dxaRef(DType::F32, s.n * s.rank), da(DType::F32, a.size()),
                daRef(DType::F32, a.size()), db(DType::F32, b.size()), dbRef(DType::F32, b.size());
            expectOk(hone_gpu_lora_down(abi(t), x.p(), a.f(), xa.f(), s.n, s.in, s.rank, nullptr));
            expectOk(hone_gpu_lora_up_add(abi(t), xa.f(), b.f(), 2.0f, y.p(), s.n, s.out, s.rank, s.yStride,
                                          nullptr));
            loraDownRef(t, x.p(), a.f(), xaRef.f(), s);
            loraUpAddRef(t, xaRef.f(), b.f(), 2.0f, yRef.p(), s);
            expectClose("lora xa", xa, xaRef, 1e-5);
            expectClose("lora y", y, yRef, tol);
            expectOk(hone_gpu_lora_backward(abi(t), x.p(), a.f(), b.f(), xa.f(), dy.p(), 2.0f, dxa.f(),
                                            da.f(), db.f(), dx.p(), s.n, s.in, s.out, s.rank, s.yStride,
                                            nullptr));
            loraBackwardRef(t, x.p(), a.f(), b.f(), xa.f(), dy.p(), 2.0f, dxaRef.f(), daRef.f(), dbRef.f(),
                            dxRef.p(), s);
            expectClose("lora dxa", dxa, dxaRef, 1e-5);
            expectClose("lora dA", da, daRef, 1e-5);
            expectClose("lora dB", db, dbRef, 1e-5);
            expectClose("lora dx", dx, dxRef, tol);
        }
    }

    // The emulator itself: the block barrier orders writes before reads across threads and blocks.
    void emulatedBarrierOrdersSharedMemory() {
        std::vector<int> out(3 * 128, -1);
        int* p = out.data();
        HONE_LAUNCH(neighbourAfterBarrier, 3, 128, nullptr, p);
        for (int b = 0; b < 3; ++b)
            for (int t = 0; t < 128; ++t) QCOMPARE(out[std::size_t(b * 128 + t)], (t + 1) % 128 + 1000 * b);
    }

    // A barrier some threads never reach stops the process with a message instead of hanging (run in a child
    // process, which it aborts).
    void emulatedBarrierInDivergentCodeIsReported() {
        int pipeFds[2];
        QVERIFY(::pipe(pipeFds) == 0);
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ::dup2(pipeFds[1], 2);
            std::vector<int> out(64);
            int* p = out.data();
            HONE_LAUNCH(barrierInDivergentCode, 1, 64, nullptr, p);
            ::_exit(0); // not reached
        }
        ::close(pipeFds[1]);
        std::string err;
        char buf[512];
        for (ssize_t n; (n = ::read(pipeFds[0], buf, sizeof buf)) > 0;) err.append(buf, std::size_t(n));
        ::close(pipeFds[0]);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, err.c_str());
        QVERIFY2(err.find("block 0 of a 1 x 64 launch is stuck") != std::string::npos, err.c_str());
    }

    void argumentChecks() {
        float v = 0;
        const auto bad = [](const hone_gpu_status& s) {
            return s.code == HONE_GPU_INVALID_ARGUMENT && s.message && *s.message;
        };
        QVERIFY(bad(
            hone_gpu_rmsnorm_forward(static_cast<hone_dtype>(7), &v, &v, &v, nullptr, 1, 1, 1e-6f, nullptr)));
        QVERIFY(bad(hone_gpu_rmsnorm_forward(HONE_F32, &v, &v, &v, nullptr, 1, 0, 1e-6f, nullptr)));
        QVERIFY(bad(hone_gpu_rmsnorm_forward(HONE_F32, nullptr, &v, &v, nullptr, 1, 1, 1e-6f, nullptr)));
        QVERIFY(bad(hone_gpu_rmsnorm_backward(HONE_F32, &v, &v, nullptr, &v, &v, nullptr, 1, 1, nullptr)));
        QVERIFY(bad(hone_gpu_rope(HONE_F32, &v, &v, &v, &v, 1, 1, 8, 3, 0, 1, 0, 0, nullptr))); // odd rot
        QVERIFY(
            bad(hone_gpu_rope(HONE_F32, &v, &v, &v, &v, 2, 1, 8, 0, 0, 1, 0, 0, nullptr))); // past the table
        QVERIFY(bad(hone_gpu_rope(HONE_F32, &v, &v, &v, &v, 1, 1, 8, 0, 0, 1, 2, 0, nullptr))); // layout
        QVERIFY(bad(hone_gpu_glu_forward(2, HONE_F32, &v, &v, 1, 1, nullptr)));
        QVERIFY(bad(hone_gpu_cross_entropy_forward(HONE_F32, &v, nullptr, &v, &v, 1, 1, -100, nullptr)));
        QVERIFY(bad(hone_gpu_cross_entropy_forward(HONE_F32, &v, nullptr, &v, &v, 1, 0, -100, nullptr)));
        QVERIFY(bad(hone_gpu_lora_down(HONE_F32, &v, &v, &v, 1, 1, 0, nullptr)));
        QVERIFY(bad(hone_gpu_lora_up_add(HONE_F32, &v, &v, 1.0f, &v, 1, 4, 1, 2, nullptr))); // stride < out
        // Empty shapes launch nothing and succeed.
        QCOMPARE(
            hone_gpu_rmsnorm_forward(HONE_F32, nullptr, nullptr, nullptr, nullptr, 0, 4, 1e-6f, nullptr).code,
            int(HONE_GPU_OK));
        QCOMPARE(hone_gpu_glu_forward(0, HONE_BF16, nullptr, nullptr, 0, 4, nullptr).code, int(HONE_GPU_OK));
    }
};

QTEST_GUILESS_MAIN(TestKernelsGpuEmu)
#include "tst_kernels_gpu_emu.moc"
