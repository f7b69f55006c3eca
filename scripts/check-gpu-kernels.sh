#!/usr/bin/env bash
# Compiles every GPU kernel source in kernels/gpu/ for AMD (HIP through Debian's clang-15: gfx90a, gfx1030,
# gfx1100) and NVIDIA (nvcc: sm_80, sm_90), and checks that each object holds code for every target.
# gfx1100 needs a device-library shim: Debian's rocm-device-libs 5.2 stops at gfx1036, so the missing
# oclc_isa_version_1100.bc is generated from the gfx1036 one (same data layout, ISA version 11000).
# Warnings are errors on both compilers. The parity program (tests/kernels/gpu_parity.cu, run on a GPU machine
# by scripts/gpu-machine-check.sh) is compiled too, for one target per vendor.
# No GPU is needed; this is what CI can prove about the kernels.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
OUT=build/gpu-kernels
mkdir -p "$OUT"
BITCODE=/usr/lib/x86_64-linux-gnu/amdgcn/bitcode
AMD_ARCHS=(gfx90a gfx1030 gfx1100)
CUDA_ARCHS=(80 90)
rc=0
shopt -s nullglob
sources=(kernels/gpu/*.cu)

make_shim() {
  local shim=$OUT/devlibs
  [ -f "$shim/oclc_isa_version_1100.bc" ] && { echo "$shim"; return 0; }
  mkdir -p "$shim"
  for f in "$BITCODE"/*.bc; do ln -sf "$f" "$shim/"; done
  llvm-dis-15 "$BITCODE/oclc_isa_version_1036.bc" -o - |
    sed 's/constant i32 10306/constant i32 11000/' | llvm-as-15 -o "$shim/oclc_isa_version_1100.bc" - || return 1
  echo "$shim"
}

if command -v clang++-15 >/dev/null && [ -d "$BITCODE" ] && [ -f /usr/include/hip/hip_runtime.h ]; then
  shim=$(make_shim) || { echo "cannot build the gfx1100 device-library shim"; exit 1; }
  for src in "${sources[@]}"; do
    obj=$OUT/$(basename "$src" .cu).hip.o
    args=()
    for a in "${AMD_ARCHS[@]}"; do args+=(--offload-arch="$a"); done
    if clang++-15 -x hip -std=c++17 -O3 -Wall -Wextra -Wshadow -Werror -D__HIP_PLATFORM_AMD__=1 --rocm-path=/usr --hip-device-lib-path="$shim" \
        "${args[@]}" -Ikernels/gpu -c "$src" -o "$obj"; then
      # The fat binary names each code object hipv4-amdgcn-amd-amdhsa--<arch>.
      objcopy --dump-section .hip_fatbin="$obj.fatbin" "$obj"
      for a in "${AMD_ARCHS[@]}"; do
        if ! grep -aq -- "amdhsa--$a\b" "$obj.fatbin"; then echo "$obj: no code object for $a"; rc=1; fi
      done
      echo "hip  ok: $src (${AMD_ARCHS[*]})"
    else
      echo "hip  FAILED: $src"
      rc=1
    fi
  done
  if clang++-15 -x hip -std=c++17 -O1 -Wall -Wextra -Werror -D__HIP_PLATFORM_AMD__=1 --rocm-path=/usr \
      --hip-device-lib-path="$shim" --offload-arch=gfx90a -I. -Icore -Ikernels/gpu \
      -c tests/kernels/gpu_parity.cu -o "$OUT/gpu_parity.hip.o"; then
    echo "hip  ok: tests/kernels/gpu_parity.cu (gfx90a, compile only)"
  else
    echo "hip  FAILED: tests/kernels/gpu_parity.cu"
    rc=1
  fi
else
  echo "HIP toolchain missing (clang-15, rocm-device-libs, libamdhip64-dev)"
  rc=1
fi

NVCC=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
if [ -x "$NVCC" ]; then
  for src in "${sources[@]}"; do
    obj=$OUT/$(basename "$src" .cu).cuda.o
    gencode=()
    for a in "${CUDA_ARCHS[@]}"; do gencode+=(-gencode "arch=compute_$a,code=sm_$a"); done
    if "$NVCC" -std=c++17 -O3 -Werror all-warnings -Xcompiler -Wall,-Wextra,-Wshadow "${gencode[@]}" -Ikernels/gpu \
        -c "$src" -o "$obj"; then
      # Each embedded cubin carries its target name (sm_NN).
      for a in "${CUDA_ARCHS[@]}"; do
        if ! grep -aq "sm_$a" "$obj"; then echo "$obj: no code for sm_$a"; rc=1; fi
      done
      echo "cuda ok: $src (${CUDA_ARCHS[*]/#/sm_})"
    else
      echo "cuda FAILED: $src"
      rc=1
    fi
  done
  if "$NVCC" -std=c++17 -O1 -Werror all-warnings -Xcompiler -Wall,-Wextra -arch=sm_90 -I. -Icore -Ikernels/gpu \
      -c tests/kernels/gpu_parity.cu -o "$OUT/gpu_parity.cuda.o"; then
    echo "cuda ok: tests/kernels/gpu_parity.cu (sm_90, compile only)"
  else
    echo "cuda FAILED: tests/kernels/gpu_parity.cu"
    rc=1
  fi
  # The engine side of a CUDA build: CMake's -DHONE_GPU_KERNELS=CUDA builds the kernel library, and the
  # backend that takes LibTorch's current stream compiles against the c10 CUDA headers. Debian's CPU LibTorch
  # ships those headers without their generated c10/cuda/impl/cuda_cmake_macros.h, so a one-line stand-in is
  # put on the include path for this compile check only (a CUDA LibTorch has the real one).
  # Configured afresh each time: a cache from another nvcc path would make CMake drop the option silently.
  rm -rf "$OUT/cmake-cuda"
  if cmake -S . -B "$OUT/cmake-cuda" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHONE_WITH_QT=OFF -DHONE_WITH_TESTS=OFF \
      -DHONE_GPU_KERNELS=CUDA -DCMAKE_CUDA_COMPILER="$NVCC" -DHONE_WERROR=ON >"$OUT/cmake-cuda.log" 2>&1 &&
      ninja -C "$OUT/cmake-cuda" hone_kernels_gpu >>"$OUT/cmake-cuda.log" 2>&1; then
    echo "cuda ok: cmake -DHONE_GPU_KERNELS=CUDA builds hone_kernels_gpu"
  else
    tail -n 20 "$OUT/cmake-cuda.log"
    echo "cuda FAILED: cmake -DHONE_GPU_KERNELS=CUDA (log: $OUT/cmake-cuda.log)"
    rc=1
  fi
  # nvcc on PATH may be a wrapper script (this machine kind has one in /usr/local/bin), so the toolkit's
  # headers are looked for where a CUDA install keeps them rather than beside the nvcc that was found, and
  # last where nvcc itself says its toolkit is (the TOP of its --dryrun).
  cuda_inc=""
  top=$("$NVCC" --dryrun -x cu -c /dev/null -o /dev/null 2>&1 | sed -n 's/^#\$ TOP=//p' | head -n 1)
  for d in ${CUDA_HOME:+"$CUDA_HOME/include"} ${CUDA_PATH:+"$CUDA_PATH/include"} /usr/local/cuda/include \
      ${top:+"$top/include"} ${top:+"$top/targets/x86_64-linux/include"}; do
    if [ -f "$d/cuda_runtime_api.h" ]; then cuda_inc=$d; break; fi
  done
  [ -n "$cuda_inc" ] || echo "no cuda_runtime_api.h under \$CUDA_HOME, \$CUDA_PATH, /usr/local/cuda or nvcc's toolkit ($top)"
  shim=$OUT/c10-shim
  mkdir -p "$shim/c10/cuda/impl"
  [ -f /usr/include/c10/cuda/impl/cuda_cmake_macros.h ] || echo '#pragma once' >"$shim/c10/cuda/impl/cuda_cmake_macros.h"
  if g++ -std=c++20 -fsyntax-only -Wall -Wextra -Wshadow -Werror -I"$shim" -Icore -I. \
      -isystem /usr/include/torch/csrc/api/include -isystem "${cuda_inc:-/usr/local/cuda/include}" \
      '-DHONE_GPU_VENDOR="cuda"' '-DHONE_GPU_ARCHITECTURES="sm_80 sm_90"' core/train/gpu_backend_device.cpp; then
    echo "cuda ok: core/train/gpu_backend_device.cpp (c10 CUDA stream API, compile only)"
  else
    echo "cuda FAILED: core/train/gpu_backend_device.cpp"
    rc=1
  fi
elif [ "${CI:-}" = "true" ]; then
  echo "nvcc not found (expected in /usr/local/cuda on this machine kind)"
  rc=1
else
  echo "nvcc not found: CUDA compile check skipped (install the CUDA toolkit to run it)"
fi
exit $rc
