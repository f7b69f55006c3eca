// The few names that differ between CUDA and HIP, so each kernel is written once. Compiled by nvcc (NVIDIA)
// or by hipcc / clang -x hip (AMD); __HIP_PLATFORM_AMD__ tells them apart.
#pragma once

#if defined(__HIP_PLATFORM_AMD__) || defined(__HIPCC__)
#include <hip/hip_runtime.h>
#define HONE_GPU_HIP 1
using honeStream_t = hipStream_t;
using honeError_t = hipError_t;
#define honeSuccess hipSuccess
#define honeGetLastError hipGetLastError
#define honeGetErrorString hipGetErrorString
// AMD wavefronts are 64 wide on CDNA, 32 on RDNA; the reductions below use warpSize, not a constant.
#define HONE_SHFL_XOR(value, mask) __shfl_xor((value), (mask))
#else
#include <cuda_runtime.h>
#define HONE_GPU_CUDA 1
using honeStream_t = cudaStream_t;
using honeError_t = cudaError_t;
#define honeSuccess cudaSuccess
#define honeGetLastError cudaGetLastError
#define honeGetErrorString cudaGetErrorString
#define HONE_SHFL_XOR(value, mask) __shfl_xor_sync(0xffffffffu, (value), (mask))
#endif
