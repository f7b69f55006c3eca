// The few names that differ between CUDA and HIP, so each kernel is written once. Compiled by nvcc (NVIDIA)
// or by hipcc / clang -x hip (AMD); __HIP_PLATFORM_AMD__ tells them apart.
#pragma once

// HONE_GPU_EMULATE: plain C++ on the CPU (emulate.h), for tests of the kernels' code on machines without a
// GPU.
#if defined(HONE_GPU_EMULATE)
#include "emulate.h"
#elif defined(__HIP_PLATFORM_AMD__) || defined(__HIPCC__)
#include <hip/hip_runtime.h>
#define HONE_GPU_HIP 1
using honeStream_t = hipStream_t;
using honeError_t = hipError_t;
using honeEvent_t = hipEvent_t;
#define honeSuccess hipSuccess
#define honeGetLastError hipGetLastError
#define honeGetErrorString hipGetErrorString
#define honeMalloc hipMalloc
#define honeFree hipFree
#define honeMemcpy hipMemcpy
#define honeMemset hipMemset
#define honeMemcpyHostToDevice hipMemcpyHostToDevice
#define honeMemcpyDeviceToHost hipMemcpyDeviceToHost
#define honeDeviceSynchronize hipDeviceSynchronize
#define honeGetDeviceCount hipGetDeviceCount
#define honeEventCreate hipEventCreate
#define honeEventRecord hipEventRecord
#define honeEventSynchronize hipEventSynchronize
#define honeEventElapsedTime hipEventElapsedTime
#define honeEventDestroy hipEventDestroy
#define honeGetDevice hipGetDevice
#define honeSetDevice hipSetDevice
#define honeFuncGetAttributes hipFuncGetAttributes
using honeFuncAttributes = hipFuncAttributes;
// AMD wavefronts are 64 wide on CDNA, 32 on RDNA; the reductions use warpSize, not a constant.
#define HONE_SHFL_XOR(value, mask) __shfl_xor((value), (mask))
#else
#include <cuda_runtime.h>
#define HONE_GPU_CUDA 1
using honeStream_t = cudaStream_t;
using honeError_t = cudaError_t;
using honeEvent_t = cudaEvent_t;
#define honeSuccess cudaSuccess
#define honeGetLastError cudaGetLastError
#define honeGetErrorString cudaGetErrorString
#define honeMalloc cudaMalloc
#define honeFree cudaFree
#define honeMemcpy cudaMemcpy
#define honeMemset cudaMemset
#define honeMemcpyHostToDevice cudaMemcpyHostToDevice
#define honeMemcpyDeviceToHost cudaMemcpyDeviceToHost
#define honeDeviceSynchronize cudaDeviceSynchronize
#define honeGetDeviceCount cudaGetDeviceCount
#define honeEventCreate cudaEventCreate
#define honeEventRecord cudaEventRecord
#define honeEventSynchronize cudaEventSynchronize
#define honeEventElapsedTime cudaEventElapsedTime
#define honeEventDestroy cudaEventDestroy
#define honeGetDevice cudaGetDevice
#define honeSetDevice cudaSetDevice
#define honeFuncGetAttributes cudaFuncGetAttributes
using honeFuncAttributes = cudaFuncAttributes;
#define HONE_SHFL_XOR(value, mask) __shfl_xor_sync(0xffffffffu, (value), (mask))
#endif

#if !defined(HONE_GPU_EMULATE)
// Kernel launches go through this macro so the emulation can run them on CPU threads.
#define HONE_LAUNCH(kernel, grid, block, stream, ...) kernel<<<(grid), (block), 0, (stream)>>>(__VA_ARGS__)
#endif
