/* Hone's GPU kernels, the C ABI the engine's LibTorch glue calls (torch-free, vendor-free: plain C types).
 * Every function takes device pointers, sizes, the element type and a stream (cudaStream_t / hipStream_t as
 * void*, null = the default stream), checks its arguments, launches asynchronously and returns a status:
 * code 0 on success, otherwise HONE_GPU_INVALID_ARGUMENT (nothing launched) or HONE_GPU_LAUNCH_FAILED, with a
 * static message saying what was wrong. Semantics match the CPU references in kernels/cpu/ (same argument
 * names), which the parity program tests/kernels/gpu_parity.cu checks on a GPU. Activations are F32, BF16 or
 * F16 (hone_dtype); norms' weights, rstd, losses, lse and the LoRA adapters and their gradients are F32. */
#ifndef HONE_KERNELS_GPU_LAUNCH_H
#define HONE_KERNELS_GPU_LAUNCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hone_dtype { HONE_F32 = 0, HONE_BF16 = 1, HONE_F16 = 2 } hone_dtype;

enum {
    HONE_GPU_OK = 0,
    HONE_GPU_INVALID_ARGUMENT = 1,
    HONE_GPU_LAUNCH_FAILED = 2,
    HONE_GPU_NO_DEVICE_CODE = 3
};

typedef struct hone_gpu_status {
    int code;
    const char* message; /* static storage; "ok" on success */
} hone_gpu_status;

/* Whether these kernels can run on GPU `device` (its index in the runtime): HONE_GPU_OK, or
 * HONE_GPU_NO_DEVICE_CODE when the build holds no code for its architecture (the engine then falls back to
 * LibTorch's ops), or HONE_GPU_LAUNCH_FAILED when the runtime cannot reach the device at all. The current
 * device is left as it was. */
hone_gpu_status hone_gpu_probe(int device);

/* RMSNorm, kernels/cpu/rmsnorm_ref.h. x, y: [rows, cols]; w: [cols]; rstd: [rows] (may be null). */
hone_gpu_status hone_gpu_rmsnorm_forward(hone_dtype dtype, const void* x, const float* w, void* y,
                                         float* rstd, int64_t rows, int64_t cols, float eps, void* stream);
/* Backward from the forward's rstd: dx [rows, cols]; dw [cols] overwritten (may be null). */
hone_gpu_status hone_gpu_rmsnorm_backward(hone_dtype dtype, const void* x, const float* w, const float* rstd,
                                          const void* dy, void* dx, float* dw, int64_t rows, int64_t cols,
                                          void* stream);

/* RoPE, kernels/cpu/rope_ref.h. x, y: [tokens, heads, head_dim] (y may be x); cos, sin: [table_positions,
 * rot/2]; rot = 0 means head_dim; layout 0 = rotate-half (HF), 1 = interleaved (GPT-J/GGUF); backward != 0
 * applies the transpose (dx from dy). */
hone_gpu_status hone_gpu_rope(hone_dtype dtype, const void* x, void* y, const float* cos, const float* sin,
                              int64_t tokens, int64_t heads, int64_t head_dim, int64_t rot,
                              int64_t pos_offset, int64_t table_positions, int layout, int backward,
                              void* stream);

/* SwiGLU (kind 0) / GeGLU-tanh (kind 1), kernels/cpu/glu_ref.h. gu: [rows, 2f] = [gate | up]; out: [rows, f];
 * dgu: [rows, 2f]. */
hone_gpu_status hone_gpu_glu_forward(int kind, hone_dtype dtype, const void* gu, void* out, int64_t rows,
                                     int64_t f, void* stream);
hone_gpu_status hone_gpu_glu_backward(int kind, hone_dtype dtype, const void* gu, const void* dy, void* dgu,
                                      int64_t rows, int64_t f, void* stream);

/* Chunked cross-entropy, kernels/cpu/cross_entropy_ref.h. logits: [rows, vocab]; targets: [rows] int64;
 * loss: [rows]; lse: [rows] (may be null in the forward). Rows whose target is ignore_index get loss 0 and a
 * zero gradient. A target outside [0, vocab) that is not ignore_index cannot be reported from the device:
 * its loss, lse and gradient row are NaN so the caller's loss turns NaN rather than silently wrong.
 * dlogits may be logits (in place). */
hone_gpu_status hone_gpu_cross_entropy_forward(hone_dtype dtype, const void* logits, const int64_t* targets,
                                               float* loss, float* lse, int64_t rows, int64_t vocab,
                                               int64_t ignore_index, void* stream);
hone_gpu_status hone_gpu_cross_entropy_backward(hone_dtype dtype, const void* logits, const int64_t* targets,
                                                const float* lse, float scale, void* dlogits, int64_t rows,
                                                int64_t vocab, int64_t ignore_index, void* stream);

/* LoRA small products, kernels/cpu/lora_ref.h. x: [n, in]; a: [rank, in]; b: [out, rank]; xa, dxa: [n, rank]
 * F32; y, dy: rows y_stride apart (0 = out). lora_down: xa = x a^T. lora_up_add: y += scale xa b^T.
 * lora_backward: dxa = scale dy b, db = scale dy^T xa, da = dxa^T x (overwritten), dx += dxa a (dx may be
 * null). */
hone_gpu_status hone_gpu_lora_down(hone_dtype dtype, const void* x, const float* a, float* xa, int64_t n,
                                   int64_t in, int64_t rank, void* stream);
hone_gpu_status hone_gpu_lora_up_add(hone_dtype dtype, const float* xa, const float* b, float scale, void* y,
                                     int64_t n, int64_t out, int64_t rank, int64_t y_stride, void* stream);
hone_gpu_status hone_gpu_lora_backward(hone_dtype dtype, const void* x, const float* a, const float* b,
                                       const float* xa, const void* dy, float scale, float* dxa, float* da,
                                       float* db, void* dx, int64_t n, int64_t in, int64_t out, int64_t rank,
                                       int64_t y_stride, void* stream);

#ifdef __cplusplus
}
#endif

#endif
