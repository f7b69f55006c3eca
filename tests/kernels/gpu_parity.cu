// GPU parity: runs every kernel of kernels/gpu/ (through the C ABI in launch.h) on random inputs, copies the
// results back and compares them with the CPU references in kernels/cpu/, for F32, BF16 and F16 activations.
// Prints one JSON line per kernel and dtype (also appended to --out FILE, flushed line by line so a timeout
// keeps what ran): max absolute error, max error scaled by (1 + |reference|), the tolerance, pass, and the
// GPU time per call from events. Exit status: 0 all passed, 1 a mismatch or launch error, 2 no GPU. Build
// (scripts/gpu-machine-check.sh does this):
//   nvcc -std=c++17 -O3 -arch=native -I. -Icore -Ikernels/gpu kernels/gpu/*.cu kernels/cpu/*.cpp
//        tests/kernels/gpu_parity.cu -o gpu_parity   (one command line)
// Run: gpu_parity [--quick] [--out results.jsonl]
#include "vendor.h"

#include "kernels/cpu/cross_entropy_ref.h"
#include "kernels/cpu/glu_ref.h"
#include "kernels/cpu/lora_ref.h"
#include "kernels/cpu/rmsnorm_ref.h"
#include "kernels/cpu/rope_ref.h"
#include "launch.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using namespace hone::kernels;

namespace {

FILE* gOut = nullptr;
bool gAllPassed = true;

// A failed runtime call (allocation, copy, event) ends the run with its message.
void must(honeError_t e, const char* what) {
    if (e != honeSuccess) throw std::runtime_error(std::string(what) + ": " + honeGetErrorString(e));
}

// A typed host buffer (F32, BF16 or F16 bytes) and its device copy.
struct Buf {
    DType t = DType::F32;
    std::size_t n = 0;
    std::vector<unsigned char> host;
    void* dev = nullptr;
    Buf(DType type, std::size_t count)
        : t(type)
        , n(count)
        , host(count * dtypeSize(type)) {
        must(honeMalloc(&dev, host.size() ? host.size() : 1), "device allocation");
    }
    Buf(const Buf&) = delete;
    Buf& operator=(const Buf&) = delete;
    ~Buf() { (void)honeFree(dev); }
    float at(std::size_t i) const { return loadAs(t, host.data(), i); }
    void set(std::size_t i, float v) { storeAs(t, host.data(), i, v); }
    void upload() { must(honeMemcpy(dev, host.data(), host.size(), honeMemcpyHostToDevice), "upload"); }
    void download() { must(honeMemcpy(host.data(), dev, host.size(), honeMemcpyDeviceToHost), "download"); }
    float* f32() { return static_cast<float*>(dev); }
};

void fillRandom(Buf& b, unsigned seed, float scale = 1.0f, float shift = 0.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd;
    for (std::size_t i = 0; i < b.n; ++i) b.set(i, shift + scale * nd(rng));
    b.upload();
}

const char* dtypeName(DType t) {
    return t == DType::F32 ? "f32" : t == DType::BF16 ? "bf16" : "f16";
}
hone_dtype abi(DType t) {
    return static_cast<hone_dtype>(int(t));
}

// Tolerance on |gpu - ref| / (1 + |ref|): a couple of units in the last place of the stored type.
double tolerance(DType t) {
    return t == DType::F32 ? 1e-4 : t == DType::BF16 ? 1.6e-2 : 2e-3;
}

struct Compare {
    double maxAbs = 0, maxScaled = 0;
    std::size_t nonFinite = 0;
    void add(double gpu, double ref) {
        if (std::isfinite(gpu) != std::isfinite(ref)) {
            ++nonFinite;
            return;
        }
        if (!std::isfinite(ref)) return;
        const double d = std::abs(gpu - ref);
        maxAbs = std::max(maxAbs, d);
        maxScaled = std::max(maxScaled, d / (1.0 + std::abs(ref)));
    }
    void add(const Buf& gpu, const Buf& ref) {
        for (std::size_t i = 0; i < gpu.n; ++i) add(gpu.at(i), ref.at(i));
    }
};

// Times `launch` (already checked once) over a few calls with events; milliseconds per call.
double timeIt(const std::function<hone_gpu_status()>& launch, int iters) {
    honeEvent_t start, stop;
    must(honeEventCreate(&start), "event");
    must(honeEventCreate(&stop), "event");
    must(honeEventRecord(start, nullptr), "event record");
    for (int i = 0; i < iters; ++i) launch();
    must(honeEventRecord(stop, nullptr), "event record");
    must(honeEventSynchronize(stop), "event synchronize");
    float ms = 0;
    must(honeEventElapsedTime(&ms, start, stop), "event time");
    (void)honeEventDestroy(start);
    (void)honeEventDestroy(stop);
    return double(ms) / iters;
}

void emit(const std::string& kernel, DType t, const std::string& shape, const hone_gpu_status& st,
          const Compare& c, double ms, double bytes) {
    const bool pass = st.code == 0 && c.nonFinite == 0 && c.maxScaled <= tolerance(t);
    gAllPassed = gAllPassed && pass;
    char line[1024];
    std::snprintf(
        line, sizeof line,
        "{\"kernel\":\"%s\",\"dtype\":\"%s\",\"shape\":\"%s\",\"status\":\"%s\",\"max_abs_err\":%.3g,"
        "\"max_scaled_err\":%.3g,\"non_finite_mismatches\":%zu,\"tol\":%.3g,\"pass\":%s,\"gpu_ms\":%.4f,"
        "\"gb_per_s\":%.1f}\n",
        kernel.c_str(), dtypeName(t), shape.c_str(), st.code ? st.message : "ok", c.maxAbs, c.maxScaled,
        c.nonFinite, tolerance(t), pass ? "true" : "false", ms, ms > 0 ? bytes / ms / 1e6 : 0.0);
    std::fputs(line, stdout);
    std::fflush(stdout);
    if (gOut) {
        std::fputs(line, gOut);
        std::fflush(gOut);
    }
}

// Launches once, synchronises, and returns the status (a launch error or an asynchronous fault).
hone_gpu_status runChecked(const std::function<hone_gpu_status()>& launch) {
    hone_gpu_status st = launch();
    if (st.code) return st;
    const honeError_t e = honeDeviceSynchronize();
    if (e != honeSuccess) return {HONE_GPU_LAUNCH_FAILED, honeGetErrorString(e)};
    return st;
}

std::string dims(std::initializer_list<std::size_t> d) {
    std::string s;
    for (std::size_t v : d) s += (s.empty() ? "" : "x") + std::to_string(v);
    return s;
}

struct Sizes {
    std::size_t rows, cols, tokens, heads, headDim, vocab, ceRows, loraN, loraIn, loraOut, rank;
    int iters;
};

void rmsnorm(DType t, const Sizes& z) {
    const std::size_t rows = z.rows, cols = z.cols, n = rows * cols;
    Buf x(t, n), w(DType::F32, cols), y(t, n), yRef(t, n), rstd(DType::F32, rows), dy(t, n), dx(t, n),
        dxRef(t, n), dw(DType::F32, cols), dwRef(DType::F32, cols);
    fillRandom(x, 1), fillRandom(w, 2, 0.1f, 1.0f), fillRandom(dy, 3);
    auto fwd = [&] {
        return hone_gpu_rmsnorm_forward(abi(t), x.dev, w.f32(), y.dev, rstd.f32(), rows, cols, 1e-6f,
                                        nullptr);
    };
    hone_gpu_status st = runChecked(fwd);
    y.download();
    rmsnormForwardRef(t, x.host.data(), reinterpret_cast<float*>(w.host.data()), yRef.host.data(), nullptr,
                      rows, cols, 1e-6f);
    Compare c;
    c.add(y, yRef);
    emit("rmsnorm_forward", t, dims({rows, cols}), st, c, st.code ? 0 : timeIt(fwd, z.iters),
         2.0 * n * dtypeSize(t));
    auto bwd = [&] {
        return hone_gpu_rmsnorm_backward(abi(t), x.dev, w.f32(), rstd.f32(), dy.dev, dx.dev, dw.f32(), rows,
                                         cols, nullptr);
    };
    st = runChecked(bwd);
    dx.download(), dw.download();
    rmsnormBackwardRef(t, x.host.data(), reinterpret_cast<float*>(w.host.data()), dy.host.data(),
                       dxRef.host.data(), reinterpret_cast<float*>(dwRef.host.data()), rows, cols, 1e-6f);
    Compare cx, cw;
    cx.add(dx, dxRef);
    // dw sums `rows` products: compare scaled by the sum's magnitude (sqrt(rows) for random signs).
    for (std::size_t i = 0; i < cols; ++i)
        cw.add(dw.at(i) / std::sqrt(double(rows)), dwRef.at(i) / std::sqrt(double(rows)));
    const double ms = st.code ? 0 : timeIt(bwd, z.iters);
    emit("rmsnorm_backward_dx", t, dims({rows, cols}), st, cx, ms, 5.0 * n * dtypeSize(t));
    emit("rmsnorm_backward_dw", t, dims({rows, cols}), st, cw, ms, 5.0 * n * dtypeSize(t));
}

void rope(DType t, const Sizes& z, RopeLayout layout, std::size_t rot, std::size_t posOffset) {
    RopeShape s;
    s.tokens = z.tokens, s.heads = z.heads, s.headDim = z.headDim, s.rot = rot, s.posOffset = posOffset;
    s.tablePositions = posOffset + z.tokens;
    const std::size_t half = (rot ? rot : s.headDim) / 2, n = s.tokens * s.heads * s.headDim;
    Buf cos(DType::F32, s.tablePositions * half), sin(DType::F32, s.tablePositions * half);
    for (std::size_t p = 0; p < s.tablePositions; ++p)
        for (std::size_t i = 0; i < half; ++i) {
            const double a = double(p) * std::pow(10000.0, -double(i) / double(half));
            cos.set(p * half + i, float(std::cos(a)));
            sin.set(p * half + i, float(std::sin(a)));
        }
    cos.upload(), sin.upload();
    Buf x(t, n), y(t, n), yRef(t, n);
    fillRandom(x, 4);
    const std::string name =
        std::string(layout == RopeLayout::RotateHalf ? "rope_rotate_half" : "rope_interleaved") +
        (rot ? "_partial" : "") + (posOffset ? "_offset" : "");
    for (int backward = 0; backward < 2; ++backward) {
        auto go = [&] {
            return hone_gpu_rope(abi(t), x.dev, y.dev, cos.f32(), sin.f32(), s.tokens, s.heads, s.headDim,
                                 rot, posOffset, s.tablePositions, int(layout), backward, nullptr);
        };
        const hone_gpu_status st = runChecked(go);
        y.download();
        ropeRef(t, x.host.data(), yRef.host.data(), reinterpret_cast<float*>(cos.host.data()),
                reinterpret_cast<float*>(sin.host.data()), s, layout, backward != 0);
        Compare c;
        c.add(y, yRef);
        emit(name + (backward ? "_backward" : "_forward"), t, dims({s.tokens, s.heads, s.headDim}), st, c,
             st.code ? 0 : timeIt(go, z.iters), 2.0 * n * dtypeSize(t));
    }
}

void glu(DType t, const Sizes& z, GluKind kind) {
    const std::size_t rows = z.rows, f = z.cols;
    Buf gu(t, rows * 2 * f), out(t, rows * f), outRef(t, rows * f), dy(t, rows * f), dgu(t, rows * 2 * f),
        dguRef(t, rows * 2 * f);
    fillRandom(gu, 5, 2.0f), fillRandom(dy, 6);
    const char* name = kind == GluKind::SwiGlu ? "swiglu" : "geglu_tanh";
    auto fwd = [&] { return hone_gpu_glu_forward(int(kind), abi(t), gu.dev, out.dev, rows, f, nullptr); };
    hone_gpu_status st = runChecked(fwd);
    out.download();
    gluForwardRef(kind, t, gu.host.data(), outRef.host.data(), rows, f);
    Compare c;
    c.add(out, outRef);
    emit(std::string(name) + "_forward", t, dims({rows, f}), st, c, st.code ? 0 : timeIt(fwd, z.iters),
         3.0 * rows * f * dtypeSize(t));
    auto bwd = [&] {
        return hone_gpu_glu_backward(int(kind), abi(t), gu.dev, dy.dev, dgu.dev, rows, f, nullptr);
    };
    st = runChecked(bwd);
    dgu.download();
    gluBackwardRef(kind, t, gu.host.data(), dy.host.data(), dguRef.host.data(), rows, f);
    Compare cb;
    cb.add(dgu, dguRef);
    emit(std::string(name) + "_backward", t, dims({rows, f}), st, cb, st.code ? 0 : timeIt(bwd, z.iters),
         5.0 * rows * f * dtypeSize(t));
}

void crossEntropy(DType t, const Sizes& z) {
    const std::size_t rows = z.ceRows, vocab = z.vocab;
    Buf logits(t, rows * vocab), grad(t, rows * vocab), gradRef(t, rows * vocab), loss(DType::F32, rows),
        lse(DType::F32, rows), lossRef(DType::F32, rows), lseRef(DType::F32, rows);
    fillRandom(logits, 7, 4.0f);
    // Every fourth row ignored; in F32 one row of huge logits (exp would overflow without the running max).
    std::vector<std::int64_t> targets(rows);
    std::mt19937 rng(8);
    for (std::size_t r = 0; r < rows; ++r)
        targets[r] = r % 4 == 3 ? kIgnoreIndex : std::int64_t(rng() % vocab);
    if (t == DType::F32 && rows > 1) {
        for (std::size_t i = 0; i < vocab; ++i) logits.set(vocab + i, logits.at(vocab + i) * 1e36f);
        logits.upload();
    }
    std::int64_t* dTargets = nullptr;
    must(honeMalloc(reinterpret_cast<void**>(&dTargets), rows * sizeof(std::int64_t)), "device allocation");
    must(honeMemcpy(dTargets, targets.data(), rows * sizeof(std::int64_t), honeMemcpyHostToDevice), "upload");
    auto fwd = [&] {
        return hone_gpu_cross_entropy_forward(abi(t), logits.dev, dTargets, loss.f32(), lse.f32(), rows,
                                              vocab, kIgnoreIndex, nullptr);
    };
    hone_gpu_status st = runChecked(fwd);
    loss.download(), lse.download();
    crossEntropyForwardRef(t, logits.host.data(), targets.data(),
                           reinterpret_cast<float*>(lossRef.host.data()),
                           reinterpret_cast<float*>(lseRef.host.data()), rows, vocab, kIgnoreIndex);
    Compare c;
    // Losses are compared relative to the row's scale (the huge row's loss is ~1e36).
    for (std::size_t r = 0; r < rows; ++r) {
        const double mag = std::max(1.0, std::abs(double(lseRef.at(r))));
        c.add(loss.at(r) / mag, lossRef.at(r) / mag);
    }
    emit("cross_entropy_forward", t, dims({rows, vocab}), st, c, st.code ? 0 : timeIt(fwd, z.iters),
         double(rows * vocab * dtypeSize(t)));
    auto bwd = [&] {
        return hone_gpu_cross_entropy_backward(abi(t), logits.dev, dTargets, lse.f32(), 1.0f / float(rows),
                                               grad.dev, rows, vocab, kIgnoreIndex, nullptr);
    };
    st = runChecked(bwd);
    grad.download();
    crossEntropyBackwardRef(t, logits.host.data(), targets.data(),
                            reinterpret_cast<float*>(lseRef.host.data()), 1.0f / float(rows),
                            gradRef.host.data(), rows, vocab, kIgnoreIndex);
    Compare cb;
    // Gradients are at most 1/rows in size: compare them scaled to the softmax range.
    for (std::size_t i = 0; i < grad.n; ++i) cb.add(grad.at(i) * double(rows), gradRef.at(i) * double(rows));
    emit("cross_entropy_backward", t, dims({rows, vocab}), st, cb, st.code ? 0 : timeIt(bwd, z.iters),
         2.0 * rows * vocab * dtypeSize(t));
    // A target outside the vocabulary (not the ignore index) must come back as NaN, not a plausible loss.
    if (t == DType::F32) {
        const std::int64_t bad = std::int64_t(vocab) + 5;
        must(honeMemcpy(dTargets, &bad, sizeof bad, honeMemcpyHostToDevice), "upload");
        st = runChecked(fwd);
        loss.download();
        Compare cn;
        if (!std::isnan(loss.at(0))) cn.nonFinite = 1;
        emit("cross_entropy_bad_target_is_nan", t, dims({rows, vocab}), st, cn, 0, 0);
    }
    (void)honeFree(dTargets);
}

void lora(DType t, const Sizes& z) {
    LoraShape s;
    s.n = z.loraN, s.in = z.loraIn, s.out = z.loraOut, s.rank = z.rank, s.yStride = z.loraOut + 64; // a slice
    const float scale = 2.0f;
    Buf x(t, s.n * s.in), a(DType::F32, s.rank * s.in), b(DType::F32, s.out * s.rank), y(t, s.n * s.yStride),
        yRef(t, s.n * s.yStride), xa(DType::F32, s.n * s.rank), xaRef(DType::F32, s.n * s.rank),
        dy(t, s.n * s.yStride), dxa(DType::F32, s.n * s.rank), da(DType::F32, a.n), db(DType::F32, b.n),
        dx(t, x.n), dxaRef(DType::F32, s.n * s.rank), daRef(DType::F32, a.n), dbRef(DType::F32, b.n),
        dxRef(t, x.n);
    fillRandom(x, 9), fillRandom(a, 10, 0.02f), fillRandom(b, 11, 0.02f), fillRandom(y, 12),
        fillRandom(dy, 13), fillRandom(dx, 14);
    yRef.host = y.host, dxRef.host = dx.host;
    const std::string shape = dims({s.n, s.in, s.out, s.rank});
    auto fwd = [&] {
        const hone_gpu_status d =
            hone_gpu_lora_down(abi(t), x.dev, a.f32(), xa.f32(), s.n, s.in, s.rank, nullptr);
        return d.code ? d
                      : hone_gpu_lora_up_add(abi(t), xa.f32(), b.f32(), scale, y.dev, s.n, s.out, s.rank,
                                             s.yStride, nullptr);
    };
    hone_gpu_status st = runChecked(fwd);
    y.download(), xa.download();
    loraDownRef(t, x.host.data(), reinterpret_cast<float*>(a.host.data()),
                reinterpret_cast<float*>(xaRef.host.data()), s);
    loraUpAddRef(t, reinterpret_cast<float*>(xaRef.host.data()), reinterpret_cast<float*>(b.host.data()),
                 scale, yRef.host.data(), s);
    Compare c;
    c.add(y, yRef);
    c.add(xa, xaRef);
    emit("lora_forward", t, shape, st, c, st.code ? 0 : timeIt(fwd, 1),
         0); // timed once: it accumulates into y
    auto bwd = [&] {
        return hone_gpu_lora_backward(abi(t), x.dev, a.f32(), b.f32(), xa.f32(), dy.dev, scale, dxa.f32(),
                                      da.f32(), db.f32(), dx.dev, s.n, s.in, s.out, s.rank, s.yStride,
                                      nullptr);
    };
    st = runChecked(bwd);
    dxa.download(), da.download(), db.download(), dx.download();
    loraBackwardRef(t, x.host.data(), reinterpret_cast<float*>(a.host.data()),
                    reinterpret_cast<float*>(b.host.data()), reinterpret_cast<float*>(xa.host.data()),
                    dy.host.data(), scale, reinterpret_cast<float*>(dxaRef.host.data()),
                    reinterpret_cast<float*>(daRef.host.data()), reinterpret_cast<float*>(dbRef.host.data()),
                    dxRef.host.data(), s);
    Compare cb;
    cb.add(dx, dxRef);
    cb.add(dxa, dxaRef);
    // dA and dB sum over n rows: scale by sqrt(n) like rmsnorm's dw.
    for (std::size_t i = 0; i < da.n; ++i)
        cb.add(da.at(i) / std::sqrt(double(s.n)), daRef.at(i) / std::sqrt(double(s.n)));
    for (std::size_t i = 0; i < db.n; ++i)
        cb.add(db.at(i) / std::sqrt(double(s.n)), dbRef.at(i) / std::sqrt(double(s.n)));
    emit("lora_backward", t, shape, st, cb, st.code ? 0 : timeIt(bwd, 1),
         0); // timed once: it accumulates into dx
}

// The C ABI refuses bad arguments without launching.
void argumentChecks() {
    Compare c;
    const hone_gpu_status a =
        hone_gpu_rope(HONE_F32, nullptr, nullptr, nullptr, nullptr, 1, 1, 8, 3, 0, 1, 0, 0, nullptr);
    const hone_gpu_status b = hone_gpu_rmsnorm_forward(static_cast<hone_dtype>(7), nullptr, nullptr, nullptr,
                                                       nullptr, 1, 1, 1e-6f, nullptr);
    const hone_gpu_status d =
        hone_gpu_cross_entropy_forward(HONE_F32, nullptr, nullptr, nullptr, nullptr, 1, 0, -100, nullptr);
    if (a.code != HONE_GPU_INVALID_ARGUMENT || b.code != HONE_GPU_INVALID_ARGUMENT ||
        d.code != HONE_GPU_INVALID_ARGUMENT)
        c.nonFinite = 1;
    emit("argument_checks", DType::F32, "-", {0, "ok"}, c, 0, 0);
}

} // namespace

int main(int argc, char** argv) {
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick"))
            quick = true;
        else if (!std::strcmp(argv[i], "--out") && i + 1 < argc)
            gOut = std::fopen(argv[++i], "a");
        else {
            std::fprintf(stderr, "usage: gpu_parity [--quick] [--out results.jsonl]\n");
            return 64;
        }
    }
    int devices = 0;
    if (honeGetDeviceCount(&devices) != honeSuccess || devices == 0) {
        std::printf("{\"kernel\":\"_device\",\"status\":\"no GPU visible (driver or device "
                    "missing)\",\"pass\":false}\n");
        return 2;
    }
    const Sizes big = quick ? Sizes{64, 1000, 33, 4, 64, 5003, 40, 50, 300, 200, 8, 3}
                            : Sizes{4096, 4096, 2048, 32, 128, 32000, 512, 2048, 4096, 4096, 16, 20};
    // Edge shapes: rows of one element, one token and head, a vocabulary of one, rank 1.
    const Sizes edge{3, 1, 1, 1, 4, 1, 3, 1, 1, 1, 1, 1};
    argumentChecks();
    try {
        for (const Sizes& sizes : {big, edge})
            for (const DType t : {DType::F32, DType::BF16, DType::F16}) {
                rmsnorm(t, sizes);
                rope(t, sizes, RopeLayout::RotateHalf, 0, 0);
                rope(t, sizes, RopeLayout::Interleaved, 0, 0);
                rope(t, sizes, RopeLayout::RotateHalf, sizes.headDim / 2, 17);
                rope(t, sizes, RopeLayout::Interleaved, sizes.headDim / 2, 17);
                glu(t, sizes, GluKind::SwiGlu);
                glu(t, sizes, GluKind::GeGluTanh);
                crossEntropy(t, sizes);
                lora(t, sizes);
            }
    } catch (const std::exception& e) {
        std::printf("{\"kernel\":\"_reference\",\"status\":\"%s\",\"pass\":false}\n", e.what());
        return 1;
    }
    if (gOut) std::fclose(gOut);
    return gAllPassed ? 0 : 1;
}
