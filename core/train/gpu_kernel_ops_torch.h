// The glue between LibTorch tensors and Hone's GPU kernels (kernels/gpu/launch.h through the backend of
// train/gpu_kernel_backend.h): each function checks the tensors, takes their data pointers and LibTorch's
// current stream on their device, launches, and turns a failed status into a hone::Error. The fused
// training ops (train/fused_layer_ops.cpp) call them inside their autograd functions when
// useGpuKernels() says so. Engine-internal header.
#pragma once

#include <torch/types.h>

namespace hone::gpuk {

// The dispatch switch: true when Hone's kernels run on `t`'s device and dtype (F32, BF16, F16): the kernel
// mode is Auto, a backend serves the device (the built-in one: `cuda`; the test emulation: CPU) and its
// probe found code for this GPU. A failed probe is said once on stderr and the LibTorch ops take over.
bool useGpuKernels(const torch::Tensor& t);

// Calls into the backend so far (each glue function counts once), for checks that the kernels really ran.
long long launchCount();

// Why the last failed probe turned the kernels off (empty when none failed).
std::string lastProbeFailure();

// RMSNorm over rows of contiguous x2 [rows, cols]; w32 [cols] F32; y like x2; rstd [rows] F32.
void rmsNormForward(const torch::Tensor& x2, const torch::Tensor& w32, const torch::Tensor& y,
                    const torch::Tensor& rstd, double eps);
void rmsNormBackward(const torch::Tensor& x2, const torch::Tensor& w32, const torch::Tensor& rstd,
                     const torch::Tensor& dy2, const torch::Tensor& dx);

// Gated linear unit (kind 0 SwiGLU, 1 GeGLU-tanh) over contiguous gu2 [rows, 2F] = [gate | up].
void gluForward(int kind, const torch::Tensor& gu2, const torch::Tensor& out);
void gluBackward(int kind, const torch::Tensor& gu2, const torch::Tensor& dy2, const torch::Tensor& dgu);

// Rotate-half RoPE of contiguous x [tokens, heads, D] into y (may be x), token t turned by row t of the F32
// tables cos, sin [tokens, D/2]; backward = the transpose.
void rope(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& cos, const torch::Tensor& sin,
          bool backward);

// Cross-entropy rows of contiguous logits z [rows, V] against int64 targets [rows]: loss and lse [rows] F32;
// the backward writes scale * (softmax - onehot) into dz (may be z).
void crossEntropyForward(const torch::Tensor& z, const torch::Tensor& targets, const torch::Tensor& loss,
                         const torch::Tensor& lse, std::int64_t ignoreIndex);
void crossEntropyBackward(const torch::Tensor& z, const torch::Tensor& targets, const torch::Tensor& lse,
                          double scale, const torch::Tensor& dz, std::int64_t ignoreIndex);

// The LoRA small products. x [N, in] contiguous; a [r, in], b [out, r], xa, dxa [N, r], da, db: contiguous
// F32. y and dy may be column slices of a wider row-major tensor (row stride = stride(0)).
void loraDown(const torch::Tensor& x, const torch::Tensor& a, const torch::Tensor& xa);
void loraUpAdd(const torch::Tensor& xa, const torch::Tensor& b, double scale, const torch::Tensor& y);
void loraBackward(const torch::Tensor& x, const torch::Tensor& a, const torch::Tensor& b,
                  const torch::Tensor& xa, const torch::Tensor& dy, double scale, const torch::Tensor& dxa,
                  const torch::Tensor& da, const torch::Tensor& db, const torch::Tensor& dx);

} // namespace hone::gpuk
