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
elif [ "${CI:-}" = "true" ]; then
  echo "nvcc not found (expected in /usr/local/cuda on this machine kind)"
  rc=1
else
  echo "nvcc not found: CUDA compile check skipped (install the CUDA toolkit to run it)"
fi
exit $rc
