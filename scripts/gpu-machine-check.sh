#!/usr/bin/env bash
# The GPU machine check: what a machine with an NVIDIA GPU (H100 class; PyTorch 2.x + CUDA, transformers and
# peft installed; no Qt, no network) runs to prove Hone's GPU kernels on real hardware.
#
# Invocation, from the repository root:
#     OUT=/path/to/results scripts/gpu-machine-check.sh          # the device machine sets $OUT for us
#     HONE_GPU_CHECK_BUDGET=450 ...                               # seconds for everything (default 450)
#     HONE_GPU_CHECK_DRY=1 scripts/gpu-machine-check.sh           # without a GPU: build what needs none
#     HONE_GPU_CHECK_BUILD=DIR ...                                # build folder (default build/gpu-machine)
#     HONE_TORCH_PREFIX=DIR ...                                   # LibTorch cmake prefix instead of python's
# Steps (each under `timeout`, cut to the time left so the whole run ends inside the budget):
#   1. probe:          nvidia-smi, compute capability, torch / torch.cuda, nvcc.
#   2. parity_build:   nvcc builds kernels/gpu/*.cu, kernels/cpu/*.cpp and tests/kernels/gpu_parity.cu for this
#                      card (sm_XY from nvidia-smi; -arch=native when that is unknown), files in parallel.
#   3. parity_quick / parity_full: gpu_parity compares every kernel (F32/BF16/F16) with the CPU references and
#                      prints one JSON line per kernel with max errors and GPU time.
#   4. engine_configure / engine_build: the LibTorch engine, Hone's kernels for this card
#                      (-DHONE_GPU_KERNELS=CUDA -DHONE_CUDA_ARCHS=XY), the Qt-free `hone` CLI and hone_gpu_check,
#                      against the Python torch (CMAKE_PREFIX_PATH = torch.utils.cmake_prefix_path).
#   5. engine_doctor:  `hone doctor --json` (what the engine sees of the GPU; hone_kernels must be usable).
#   6. engine_checks:  hone_gpu_check --device cuda: every fused op and a LoRA step through Hone's kernels vs
#                      LibTorch's ops, forward logits and greedy tokens on cuda vs the CPU ($OUT/engine.jsonl).
#   7. bench_model, bench_peer, bench_hone (+ bench_hone_libtorch): a random ~1.1B Llama (TinyLlama's shape,
#                      bf16) written once by transformers; LoRA r16 steps, batch 4 x 512, with transformers +
#                      PEFT (scripts/gpu/peer_hf_peft.py) and with Hone (kernels on, then HONE_KERNELS=off);
#                      tokens/s, peak memory and the ratios in $OUT/bench.json.
# Results: $OUT/report.json is rewritten after every step (so a timeout still leaves the partial report),
# with $OUT/parity.jsonl (the kernels' lines), $OUT/engine.jsonl, $OUT/bench.json and $OUT/logs/<step>.log.
# Without nvidia-smi or a working GPU the script says so in report.json and on stdout and exits 0 (skipped);
# exit 1 means a step failed. HONE_DEPS_PREFIX=DIR adds a prefix (lib/cmake, lib/pkgconfig, include) for
# build dependencies the machine lacks (nlohmann_json, pcre2, utf8proc).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
OUT=${OUT:-$ROOT/build/gpu-machine-check}
BUDGET=${HONE_GPU_CHECK_BUDGET:-450}
DRY=${HONE_GPU_CHECK_DRY:-0}
BUILD=${HONE_GPU_CHECK_BUILD:-$ROOT/build/gpu-machine}
JOBS=$(nproc 2>/dev/null || echo 4)
START=$(date +%s)
mkdir -p "$OUT/logs" "$BUILD"
: >"$OUT/steps.jsonl"
: >"$OUT/parity.jsonl"
: >"$OUT/parity-quick.jsonl"
: >"$OUT/engine.jsonl"
rm -f "$OUT/bench.json"
STATUS=running
FAILED=0

left() { echo $((BUDGET - ($(date +%s) - START))); }

# Rebuilds report.json from steps.jsonl, parity.jsonl and the log tails.
write_report() {
  python3 - "$OUT" "$STATUS" "$START" <<'PY' || echo "{\"status\": \"$STATUS\", \"note\": \"python3 missing: see steps.jsonl\"}" >"$OUT/report.json"
import json, os, sys, time
out, status, start = sys.argv[1], sys.argv[2], int(sys.argv[3])
def lines(name):
    path = os.path.join(out, name)
    rows = []
    if os.path.exists(path):
        for line in open(path, errors="replace"):
            line = line.strip()
            if line.startswith("{"):
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    rows.append({"unparsed": line})
    return rows
steps = lines("steps.jsonl")
for s in steps:
    log = os.path.join(out, "logs", s["step"] + ".log")
    if os.path.exists(log):
        s["log_tail"] = open(log, errors="replace").read()[-1500:]
parity = lines("parity.jsonl")
report = {"status": status, "elapsed_s": int(time.time()) - start, "steps": steps, "parity": parity,
          "parity_quick": lines("parity-quick.jsonl"),
          "engine": lines("engine.jsonl"),
          "engine_failed": [e.get("check", "?") + "/" + e.get("op", e.get("compare", "")) for e in lines("engine.jsonl")
                            if e.get("pass") is not True],
          "bench": (json.load(open(os.path.join(out, "bench.json"))) if os.path.exists(os.path.join(out, "bench.json")) else None),
          "parity_passed": sum(1 for p in parity if p.get("pass") is True),
          "parity_failed": [p.get("kernel", "?") + "/" + p.get("dtype", "?") for p in parity if p.get("pass") is not True]}
tmp = os.path.join(out, "report.json.tmp")
json.dump(report, open(tmp, "w"), indent=1)
os.replace(tmp, os.path.join(out, "report.json"))
PY
}

# step NAME MAX_SECONDS CMD...: runs CMD with its output in logs/NAME.log, records rc and seconds.
step() {
  local name=$1 max=$2
  shift 2
  local budget
  budget=$(left)
  if [ "$budget" -lt 10 ]; then
    echo "{\"step\": \"$name\", \"rc\": null, \"skipped\": \"out of time budget\"}" >>"$OUT/steps.jsonl"
    write_report
    return 124
  fi
  [ "$max" -gt "$budget" ] && max=$budget
  echo "== $name (up to ${max}s)"
  local t0 rc
  t0=$(date +%s)
  if declare -F "$1" >/dev/null; then # a function of this script: run it in a child bash (exported)
    timeout --kill-after=5 "$max" bash -c '"$@"' _ "$@" >"$OUT/logs/$name.log" 2>&1
  else
    timeout --kill-after=5 "$max" "$@" >"$OUT/logs/$name.log" 2>&1
  fi
  rc=$?
  echo "{\"step\": \"$name\", \"rc\": $rc, \"seconds\": $(($(date +%s) - t0)), \"timed_out\": $([ $rc -eq 124 ] && echo true || echo false)}" >>"$OUT/steps.jsonl"
  tail -n 5 "$OUT/logs/$name.log"
  [ $rc -ne 0 ] && FAILED=1
  write_report
  return $rc
}

skip_all() {
  STATUS="skipped: $1"
  echo "gpu-machine-check: $STATUS"
  write_report
  exit 0
}

# ---- 1. probe ----
probe() {
  echo "nvidia-smi: $(command -v nvidia-smi || echo missing)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader || true
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), "cmake", torch.utils.cmake_prefix_path)' || echo "torch: not importable"
  echo "nvcc: ${NVCC:-missing}"
  [ -n "${NVCC:-}" ] && "$NVCC" --version | tail -n 2
  echo "cmake: $(cmake --version 2>/dev/null | head -n 1)  ninja: $(command -v ninja || echo missing)  cores: $JOBS"
  return 0
}
NVCC=$(command -v nvcc || true)
for c in /usr/local/cuda/bin/nvcc /usr/local/cuda-*/bin/nvcc; do [ -z "$NVCC" ] && [ -x "$c" ] && NVCC=$c; done
if [ -z "$NVCC" ]; then # pip's nvidia-cuda-nvcc wheel
  c=$(python3 -c 'import nvidia.cuda_nvcc, os; print(os.path.join(list(nvidia.cuda_nvcc.__path__)[0], "bin", "nvcc"))' 2>/dev/null)
  [ -n "$c" ] && [ -x "$c" ] && NVCC=$c
fi
export -f probe
export NVCC JOBS ROOT BUILD OUT
step probe 30 probe

HAVE_GPU=1
if ! command -v nvidia-smi >/dev/null; then
  HAVE_GPU=0
  WHY="nvidia-smi not found: no NVIDIA driver on this machine"
elif ! nvidia-smi -L >/dev/null 2>&1; then
  HAVE_GPU=0
  WHY="nvidia-smi found no usable GPU (driver not loaded or no device)"
fi
if [ $HAVE_GPU -eq 0 ] && [ "$DRY" != 1 ]; then skip_all "$WHY (HONE_GPU_CHECK_DRY=1 builds what needs no GPU)"; fi
TORCH_CUDA=$(python3 -c 'import torch; print(int(torch.cuda.is_available()))' 2>/dev/null || echo 0)
[ "$TORCH_CUDA" = 1 ] || echo "note: torch.cuda is not available; the engine steps will build but not use the GPU"

# ---- 2. parity build ----
ARCH=
CAP=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n 1 | tr -d ' .')
if [ -n "$CAP" ]; then ARCH="-gencode arch=compute_$CAP,code=sm_$CAP"; elif [ $HAVE_GPU -eq 1 ]; then ARCH="-arch=native"; else ARCH="-gencode arch=compute_90,code=sm_90"; fi
parity_build() {
  [ -n "$NVCC" ] || { echo "nvcc not found (PATH, /usr/local/cuda*/bin, pip nvidia-cuda-nvcc): cannot build the kernels"; return 2; }
  mkdir -p "$BUILD/parity"
  local pids=() objs=() src obj rc=0
  for src in kernels/gpu/*.cu kernels/cpu/*.cpp tests/kernels/gpu_parity.cu; do
    obj=$BUILD/parity/$(echo "$src" | tr / _).o
    objs+=("$obj")
    # shellcheck disable=SC2086
    "$NVCC" -std=c++17 -O3 $ARCH -I. -Icore -Ikernels/gpu -c "$src" -o "$obj" &
    pids+=($!)
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 0.2; done
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  [ $rc -eq 0 ] || return 1
  # shellcheck disable=SC2086
  "$NVCC" $ARCH "${objs[@]}" -o "$BUILD/parity/gpu_parity" && echo "built $BUILD/parity/gpu_parity ($ARCH)"
}
export -f parity_build
export ARCH
step parity_build 240 parity_build
PARITY_BUILT=$?

# ---- 3. parity runs ----
if [ $PARITY_BUILT -eq 0 ] && [ $HAVE_GPU -eq 1 ]; then
  step parity_quick 60 "$BUILD/parity/gpu_parity" --quick --out "$OUT/parity-quick.jsonl"
  step parity_full 180 "$BUILD/parity/gpu_parity" --out "$OUT/parity.jsonl"
elif [ $PARITY_BUILT -eq 0 ]; then
  echo "{\"step\": \"parity_run\", \"rc\": null, \"skipped\": \"no GPU (dry run): built, not run\"}" >>"$OUT/steps.jsonl"
fi

# ---- 4. engine ----
engine_configure() {
  local prefix gen=()
  prefix=${HONE_TORCH_PREFIX:-}
  [ -n "$prefix" ] || prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)') ||
    { echo "python3 cannot import torch (set HONE_TORCH_PREFIX to a LibTorch cmake prefix instead)"; return 2; }
  echo "torch cmake prefix: $prefix"
  command -v ninja >/dev/null && gen=(-G Ninja)
  [ -n "${HONE_DEPS_PREFIX:-}" ] && prefix="$prefix;$HONE_DEPS_PREFIX" &&
    export PKG_CONFIG_PATH="$HONE_DEPS_PREFIX/lib/pkgconfig:${PKG_CONFIG_PATH:-}"
  local kernels=(-DHONE_GPU_KERNELS=OFF)
  [ -n "$NVCC" ] && [ -n "$CAPNUM" ] && kernels=(-DHONE_GPU_KERNELS=CUDA -DCMAKE_CUDA_COMPILER="$NVCC" -DHONE_CUDA_ARCHS="$CAPNUM")
  echo "kernels: ${kernels[*]}"
  local common=(-S "$ROOT" -B "$BUILD/engine" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DHONE_WITH_QT=OFF
    -DHONE_WITH_TESTS=OFF -DHONE_WITH_TORCH=ON -DCMAKE_PREFIX_PATH="$prefix")
  cmake "${common[@]}" "${kernels[@]}" && return 0
  [ "${kernels[0]}" = -DHONE_GPU_KERNELS=OFF ] && return 1
  # Without a usable CUDA toolkit for CMake the engine still runs on the GPU through LibTorch's ops: say so and
  # go on, so the engine checks and the benchmark still run (the report shows hone_kernels as not built).
  echo "NOTE: configuring with Hone's kernels failed; configuring without them (LibTorch's ops on the GPU)"
  rm -rf "$BUILD/engine/CMakeCache.txt" "$BUILD/engine/CMakeFiles"
  cmake "${common[@]}" -DHONE_GPU_KERNELS=OFF
}
CAPNUM=$CAP
[ -z "$CAPNUM" ] && [ $HAVE_GPU -eq 0 ] && CAPNUM=90 # the dry run configures for sm_90
export CAPNUM
export -f engine_configure
BENCH_DIR=${HONE_GPU_BENCH_MODEL:-$BUILD/bench-llama-1b}
bench_ratio() { # bench.json from the three sides' last JSON lines
  python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
def last(name):
    p = os.path.join(out, "logs", name + ".log")
    rows = [json.loads(l) for l in open(p, errors="replace") if l.startswith("{")] if os.path.exists(p) else []
    rows = [r for r in rows if r.get("check", "train_bench") == "train_bench" and "tokens_per_s" in r]
    return rows[-1] if rows else None
peer, hone, plain = last("bench_peer"), last("bench_hone"), last("bench_hone_libtorch")
b = {"peer": peer, "hone": hone, "hone_libtorch_ops": plain}
if peer and hone:
    b["speed_ratio"] = hone["tokens_per_s"] / peer["tokens_per_s"]
    if hone.get("peak_device_bytes"):
        b["memory_ratio"] = hone["peak_device_bytes"] / peer["peak_bytes"]
    b["targets"] = "speed >= 2.0x and memory <= 0.5x of transformers + PEFT"
json.dump(b, open(os.path.join(out, "bench.json"), "w"), indent=1)
print(json.dumps(b))
PY
}
export -f bench_ratio
if step engine_configure 90 engine_configure && [ $HAVE_GPU -eq 1 ]; then # a dry run only configures
  if step engine_build 300 cmake --build "$BUILD/engine" --target hone hone_gpu_check -j "$JOBS"; then
    step engine_doctor 30 "$BUILD/engine/bin/hone" doctor --json
    step engine_checks 90 "$BUILD/engine/bin/hone_gpu_check" --device cuda --out "$OUT/engine.jsonl"
    BENCH_ARGS=(--bench-batch 4 --bench-seq 512 --bench-steps 10)
    if [ -f "$BENCH_DIR/config.json" ] || step bench_model 120 python3 scripts/gpu/peer_hf_peft.py "$BENCH_DIR" --write-model; then
      step bench_peer 150 python3 scripts/gpu/peer_hf_peft.py "$BENCH_DIR" --batch 4 --seq 512 --steps 10
      step bench_hone 150 "$BUILD/engine/bin/hone_gpu_check" --device cuda --bench-only --bench-model "$BENCH_DIR" \
        --bench-dtype bf16 "${BENCH_ARGS[@]}"
      step bench_hone_libtorch 120 env HONE_KERNELS=off "$BUILD/engine/bin/hone_gpu_check" --device cuda --bench-only \
        --bench-model "$BENCH_DIR" --bench-dtype bf16 "${BENCH_ARGS[@]}"
      step bench_ratio 30 bench_ratio
    fi
  fi
fi

if [ $HAVE_GPU -eq 0 ]; then STATUS="dry run (no GPU): $WHY$([ $FAILED -eq 1 ] && echo "; a step failed")"; elif [ $FAILED -eq 0 ]; then STATUS=passed; else STATUS=failed; fi
write_report
echo "gpu-machine-check: $STATUS; report: $OUT/report.json"
[ $HAVE_GPU -eq 0 ] && exit 0
exit $FAILED
