// The LibTorch glue of Hone's GPU kernels: checks, data pointers, the current stream, status -> hone::Error,
// and the dispatch switch with its per-device probe. See train/gpu_kernel_ops_torch.h.
#include "train/gpu_kernel_ops_torch.h"

#include "common/error.h"
#include "train/gpu_kernel_backend.h"

#include <c10/core/DeviceGuard.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>

namespace hone {

namespace {

std::mutex gProbeMutex;
std::atomic<long long> gLaunches{0};
std::map<std::pair<const GpuKernelBackend*, int>, bool> gProbes; // (backend, device) -> usable
std::string gLastFailure;

bool probeOk(const GpuKernelBackend& b, int device) {
    std::lock_guard<std::mutex> lock(gProbeMutex);
    const auto key = std::make_pair(&b, device);
    if (auto it = gProbes.find(key); it != gProbes.end()) return it->second;
    const hone_gpu_status s = b.probe ? b.probe(device) : hone_gpu_status{HONE_GPU_OK, "ok"};
    const bool ok = s.code == HONE_GPU_OK;
    if (!ok) {
        gLastFailure = std::string(s.message ? s.message : "unknown probe failure") + " (device " +
                       std::to_string(device) + ", kernels built for " + b.architectures + ")";
        std::fprintf(stderr,
                     "note: Hone's %s kernels are not used on device %d: %s; LibTorch's ops run instead\n",
                     b.name, device, gLastFailure.c_str());
    }
    gProbes[key] = ok;
    return ok;
}

} // namespace

void resetGpuKernelProbes() {
    std::lock_guard<std::mutex> lock(gProbeMutex);
    gProbes.clear();
    gLastFailure.clear();
}

namespace gpuk {

using torch::Tensor;

namespace {

const GpuKernelBackend& backend() {
    const GpuKernelBackend* b = gpuKernelBackend();
    if (!b) throw Error("GPU kernels: this build has none; the caller should have used LibTorch's ops");
    return *b;
}

hone_dtype activationType(const Tensor& t) {
    switch (t.scalar_type()) {
    case torch::kFloat32:
        return HONE_F32;
    case torch::kBFloat16:
        return HONE_BF16;
    case torch::kFloat16:
        return HONE_F16;
    default:
        throw Error(std::string("GPU kernels: unsupported element type ") + c10::toString(t.scalar_type()) +
                    " (F32, BF16 and F16 are)");
    }
}

void require(bool ok, const char* what) {
    if (!ok) throw Error(std::string("GPU kernel glue: ") + what);
}

void requireF32(const Tensor& t, const char* what) {
    require(t.scalar_type() == torch::kFloat32 && t.is_contiguous(), what);
}

// Binds the tensor's device for the launch and looks up LibTorch's current stream on it.
class Launch {
public:
    explicit Launch(const Tensor& t)
        : b_(backend()) {
        ++gLaunches;
        if (!t.device().is_cpu()) {
            guard_.reset_device(t.device());
            if (b_.currentStream) stream_ = b_.currentStream(t.device().index());
        }
    }
    const GpuKernelBackend& b() const { return b_; }
    void* stream() const { return stream_; }

private:
    const GpuKernelBackend& b_;
    c10::OptionalDeviceGuard guard_;
    void* stream_ = nullptr;
};

void check(hone_gpu_status s, const char* op) {
    if (s.code == HONE_GPU_OK) return;
    throw Error(
        std::string("GPU kernel ") + op + " failed: " + (s.message ? s.message : "unknown error") +
        ". Set HONE_KERNELS=off to run LibTorch's ops instead, and please report this with the output "
        "of `hone doctor --json`");
}

float* f32(const Tensor& t) {
    return t.defined() ? t.data_ptr<float>() : nullptr;
}

} // namespace

bool useGpuKernels(const Tensor& t) {
    if (kernelMode() == KernelMode::Off) return false;
    const GpuKernelBackend* b = gpuKernelBackend();
    if (!b) return false;
    if (b->servesCpuTensors ? !t.device().is_cpu() : !t.device().is_cuda()) return false;
    const auto st = t.scalar_type();
    if (st != torch::kFloat32 && st != torch::kBFloat16 && st != torch::kFloat16) return false;
    return probeOk(*b, t.device().is_cpu() ? 0 : t.device().index());
}

long long launchCount() {
    return gLaunches.load();
}

std::string lastProbeFailure() {
    std::lock_guard<std::mutex> lock(gProbeMutex);
    return gLastFailure;
}

void rmsNormForward(const Tensor& x2, const Tensor& w32, const Tensor& y, const Tensor& rstd, double eps) {
    require(x2.dim() == 2 && x2.is_contiguous() && y.is_contiguous() && y.sizes() == x2.sizes(),
            "rmsnorm: x and y must be contiguous [rows, cols]");
    requireF32(w32, "rmsnorm: the weight must be contiguous F32");
    requireF32(rstd, "rmsnorm: rstd must be contiguous F32");
    const Launch l(x2);
    check(l.b().rmsnormForward(activationType(x2), x2.data_ptr(), f32(w32), y.data_ptr(), f32(rstd),
                               x2.size(0), x2.size(1), static_cast<float>(eps), l.stream()),
          "rmsnorm forward");
}

void rmsNormBackward(const Tensor& x2, const Tensor& w32, const Tensor& rstd, const Tensor& dy2,
                     const Tensor& dx) {
    require(x2.is_contiguous() && dy2.is_contiguous() && dx.is_contiguous() && dy2.sizes() == x2.sizes() &&
                dy2.scalar_type() == x2.scalar_type(),
            "rmsnorm backward: x, dy and dx must be contiguous and alike");
    requireF32(w32, "rmsnorm backward: the weight must be contiguous F32");
    requireF32(rstd, "rmsnorm backward: rstd must be contiguous F32");
    const Launch l(x2);
    check(l.b().rmsnormBackward(activationType(x2), x2.data_ptr(), f32(w32), f32(rstd), dy2.data_ptr(),
                                dx.data_ptr(), nullptr, x2.size(0), x2.size(1), l.stream()),
          "rmsnorm backward");
}

void gluForward(int kind, const Tensor& gu2, const Tensor& out) {
    require(gu2.dim() == 2 && gu2.is_contiguous() && out.is_contiguous() && gu2.size(1) % 2 == 0 &&
                out.size(0) == gu2.size(0) && out.size(1) * 2 == gu2.size(1),
            "glu: gate/up must be contiguous [rows, 2F] and the output [rows, F]");
    const Launch l(gu2);
    check(l.b().gluForward(kind, activationType(gu2), gu2.data_ptr(), out.data_ptr(), gu2.size(0),
                           gu2.size(1) / 2, l.stream()),
          "glu forward");
}

void gluBackward(int kind, const Tensor& gu2, const Tensor& dy2, const Tensor& dgu) {
    require(gu2.is_contiguous() && dy2.is_contiguous() && dgu.is_contiguous() && dgu.sizes() == gu2.sizes() &&
                dy2.scalar_type() == gu2.scalar_type() && dy2.numel() * 2 == gu2.numel(),
            "glu backward: gate/up, dy and dgu must be contiguous and fit");
    const Launch l(gu2);
    check(l.b().gluBackward(kind, activationType(gu2), gu2.data_ptr(), dy2.data_ptr(), dgu.data_ptr(),
                            gu2.size(0), gu2.size(1) / 2, l.stream()),
          "glu backward");
}

void rope(const Tensor& x, const Tensor& y, const Tensor& cos, const Tensor& sin, bool backward) {
    require(x.dim() == 3 && x.is_contiguous() && y.is_contiguous() && y.sizes() == x.sizes(),
            "rope: x and y must be contiguous [tokens, heads, head_dim]");
    requireF32(cos, "rope: cos must be a contiguous F32 table");
    requireF32(sin, "rope: sin must be a contiguous F32 table");
    require(cos.dim() == 2 && cos.size(0) == x.size(0) && cos.size(1) * 2 == x.size(2) &&
                sin.sizes() == cos.sizes(),
            "rope: the tables must be [tokens, head_dim / 2]");
    const Launch l(x);
    check(l.b().rope(activationType(x), x.data_ptr(), y.data_ptr(), f32(cos), f32(sin), x.size(0), x.size(1),
                     x.size(2), 0, 0, cos.size(0), 0, backward ? 1 : 0, l.stream()),
          backward ? "rope backward" : "rope forward");
}

void crossEntropyForward(const Tensor& z, const Tensor& targets, const Tensor& loss, const Tensor& lse,
                         std::int64_t ignoreIndex) {
    require(z.dim() == 2 && z.is_contiguous(), "cross-entropy: logits must be contiguous [rows, vocab]");
    require(targets.scalar_type() == torch::kInt64 && targets.is_contiguous() && targets.numel() == z.size(0),
            "cross-entropy: targets must be contiguous int64 [rows]");
    requireF32(loss, "cross-entropy: loss must be contiguous F32");
    requireF32(lse, "cross-entropy: lse must be contiguous F32");
    const Launch l(z);
    check(l.b().crossEntropyForward(activationType(z), z.data_ptr(), targets.data_ptr<std::int64_t>(),
                                    f32(loss), f32(lse), z.size(0), z.size(1), ignoreIndex, l.stream()),
          "cross-entropy forward");
}

void crossEntropyBackward(const Tensor& z, const Tensor& targets, const Tensor& lse, double scale,
                          const Tensor& dz, std::int64_t ignoreIndex) {
    require(z.dim() == 2 && z.is_contiguous() && dz.is_contiguous() && dz.sizes() == z.sizes() &&
                dz.scalar_type() == z.scalar_type(),
            "cross-entropy backward: logits and their gradient must be contiguous and alike");
    require(targets.scalar_type() == torch::kInt64 && targets.is_contiguous() && targets.numel() == z.size(0),
            "cross-entropy backward: targets must be contiguous int64 [rows]");
    requireF32(lse, "cross-entropy backward: lse must be contiguous F32");
    const Launch l(z);
    check(l.b().crossEntropyBackward(activationType(z), z.data_ptr(), targets.data_ptr<std::int64_t>(),
                                     f32(lse), static_cast<float>(scale), dz.data_ptr(), z.size(0), z.size(1),
                                     ignoreIndex, l.stream()),
          "cross-entropy backward");
}

namespace {

// y / dy: [N, out] rows stride(0) apart, columns adjacent (a column slice of a fused projection's output).
void requireRowSlice(const Tensor& y, std::int64_t n, std::int64_t out, const char* what) {
    require(y.dim() == 2 && y.size(0) == n && y.size(1) == out && (out == 0 || y.stride(1) == 1) &&
                y.stride(0) >= out,
            what);
}

} // namespace

void loraDown(const Tensor& x, const Tensor& a, const Tensor& xa) {
    require(x.dim() == 2 && x.is_contiguous(), "lora: x must be contiguous [N, in]");
    requireF32(a, "lora: A must be contiguous F32");
    requireF32(xa, "lora: xa must be contiguous F32");
    require(a.size(1) == x.size(1) && xa.size(0) == x.size(0) && xa.size(1) == a.size(0),
            "lora down: x [N, in], A [r, in] and xa [N, r] do not fit");
    const Launch l(x);
    check(l.b().loraDown(activationType(x), x.data_ptr(), f32(a), f32(xa), x.size(0), x.size(1), a.size(0),
                         l.stream()),
          "lora down");
}

void loraUpAdd(const Tensor& xa, const Tensor& b, double scale, const Tensor& y) {
    requireF32(xa, "lora: xa must be contiguous F32");
    requireF32(b, "lora: B must be contiguous F32");
    requireRowSlice(y, xa.size(0), b.size(0), "lora up: y must be [N, out] with adjacent columns");
    require(b.size(1) == xa.size(1), "lora up: xa [N, r] and B [out, r] do not fit");
    const Launch l(y);
    check(l.b().loraUpAdd(activationType(y), f32(xa), f32(b), static_cast<float>(scale), y.data_ptr(),
                          y.size(0), y.size(1), b.size(1), y.stride(0), l.stream()),
          "lora up");
}

void loraBackward(const Tensor& x, const Tensor& a, const Tensor& b, const Tensor& xa, const Tensor& dy,
                  double scale, const Tensor& dxa, const Tensor& da, const Tensor& db, const Tensor& dx) {
    require(x.dim() == 2 && x.is_contiguous(), "lora backward: x must be contiguous [N, in]");
    for (const Tensor* t : {&a, &b, &xa, &dxa, &da, &db})
        requireF32(*t, "lora backward: A, B, xa and the gradients must be contiguous F32");
    const std::int64_t n = x.size(0), in = x.size(1), r = a.size(0), out = b.size(0);
    require(a.size(1) == in && b.size(1) == r && xa.size(0) == n && xa.size(1) == r &&
                dxa.sizes() == xa.sizes() && da.sizes() == a.sizes() && db.sizes() == b.sizes(),
            "lora backward: the shapes of x, A, B, xa and their gradients do not fit");
    requireRowSlice(dy, n, out, "lora backward: dy must be [N, out] with adjacent columns");
    require(dy.scalar_type() == x.scalar_type(), "lora backward: dy must have x's element type");
    require(!dx.defined() ||
                (dx.is_contiguous() && dx.sizes() == x.sizes() && dx.scalar_type() == x.scalar_type()),
            "lora backward: dx must be contiguous and like x");
    const Launch l(x);
    check(l.b().loraBackward(activationType(x), x.data_ptr(), f32(a), f32(b), f32(xa), dy.data_ptr(),
                             static_cast<float>(scale), f32(dxa), f32(da), f32(db),
                             dx.defined() ? dx.data_ptr() : nullptr, n, in, out, r, dy.stride(0), l.stream()),
          "lora backward");
}

} // namespace gpuk
} // namespace hone
