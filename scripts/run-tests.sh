#!/usr/bin/env bash
# The whole test suite, in stages: build (warnings are errors under CI), CTest (unit, integration, ui),
# formatting and layering checks, ASan+UBSan over the torch-free libraries, libFuzzer runs, and the .deb
# (built, installed, started, removed). Prints one closing line "suite: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)
export CCACHE_SLOPPINESS=pch_defines,time_macros
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
FUZZ_SECONDS=${HONE_FUZZ_SECONDS:-20}
[ "${CI:-}" = "true" ] && FUZZ_SECONDS=${HONE_FUZZ_SECONDS:-30}
WERROR=OFF
[ "${CI:-}" = "true" ] && WERROR=ON

passed=0
failed=0
failures=()
stage() {  # stage NAME COMMAND...: runs a stage, counts it
  local name=$1
  shift
  printf '\n== %s\n' "$name"
  local t0=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    printf -- '-- %s: ok (%ss)\n' "$name" $((SECONDS - t0))
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf -- '-- %s: FAILED (%ss)\n' "$name" $((SECONDS - t0))
  fi
}

build_release() {
  cmake --preset release -DHONE_WERROR=$WERROR >/dev/null && cmake --build --preset release -j "$JOBS"
}

ctest_counts() {  # adds CTest's own pass/fail counts to the suite's
  local log=$1
  local line
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [ -z "$line" ]; then return 1; fi
  local total fail
  fail=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
  total=$(echo "$line" | sed -E 's/.* failed out of ([0-9]+).*/\1/')
  passed=$((passed + total - fail))
  failed=$((failed + fail))
  [ "$fail" -eq 0 ]
}

run_ctest() {
  local preset=$1 log
  log=$(mktemp)
  ctest --preset "$preset" 2>&1 | tee "$log"
  ctest_counts "$log"
  local rc=$?
  rm -f "$log"
  return $rc
}

check_format() {
  local bad
  bad=$(git ls-files '*.cpp' '*.h' '*.cu' '*.hip' | xargs -r clang-format --dry-run -Werror 2>&1 | grep -E '^[^ ]+:[0-9]+:[0-9]+: error' | cut -d: -f1 | sort -u)
  if [ -n "$bad" ]; then
    echo "clang-format would change (run clang-format -i):"
    echo "$bad"
    return 1
  fi
}

check_layering() {
  local ok=0
  # The UI and Qt services never see torch; the engine never sees Qt.
  if grep -rnE '#include *[<"](torch|ATen|c10)/' ui app/studio core/services core/store; then
    echo "torch headers included from Qt code (above)"
    ok=1
  fi
  local engine_dirs=()
  for d in core/common core/model core/tokenizer core/chat core/system core/device core/infer core/train core/data core/export kernels; do
    [ -d "$d" ] && engine_dirs+=("$d")
  done
  if grep -rnE '#include *<Q[A-Za-z]+>|#include *<Qt' "${engine_dirs[@]}"; then
    echo "Qt headers included from the engine (above)"
    ok=1
  fi
  return $ok
}

asan() {
  cmake --preset asan >/dev/null && cmake --build --preset asan -j "$JOBS" && run_ctest asan
}

fuzz() {
  cmake --preset fuzz >/dev/null && cmake --build --preset fuzz -j "$JOBS" || return 1
  scripts/fuzz.sh "$FUZZ_SECONDS"
}

package() {
  (cd build/release && cpack -G DEB >/dev/null) || return 1
  local deb
  deb=$(ls -t build/release/hone_*.deb | head -1)
  echo "built $deb ($(du -h "$deb" | cut -f1))"
  # The listing is read whole first: `dpkg-deb -c | grep -q` fails under pipefail once grep stops reading early.
  local listing
  listing=$(dpkg-deb -c "$deb") || { echo "cannot list $deb"; return 1; }
  grep -q 'usr/share/applications/hone-studio.desktop' <<<"$listing" || { echo "no .desktop entry"; return 1; }
  grep -q 'usr/share/icons/hicolor/scalable/apps/hone.svg' <<<"$listing" || { echo "no icon"; return 1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "./$deb" >/dev/null || return 1
  local home rc=0
  home=$(mktemp -d)
  /usr/bin/hone --version || rc=1
  QT_QPA_PLATFORM=offscreen timeout 120 /usr/bin/hone-studio --home "$home" --smoke-test "$home/installed.png" || rc=1
  [ -s "$home/installed.png" ] || rc=1
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq hone >/dev/null || rc=1
  rm -rf "$home"
  return $rc
}

stage "build (release, -Werror=$WERROR)" build_release
if [ "$failed" -eq 0 ]; then
  stage "ctest" run_ctest release
  stage "package (.deb builds, installs, starts)" package
fi
stage "clang-format" check_format
stage "layering" check_layering
stage "gpu kernels compile (HIP gfx90a/gfx1030/gfx1100, CUDA sm_80/sm_90)" scripts/check-gpu-kernels.sh
stage "asan+ubsan (torch-free libraries)" asan
stage "fuzz (${FUZZ_SECONDS}s per target)" fuzz

echo
[ ${#failures[@]} -gt 0 ] && echo "failed stages: ${failures[*]}"
echo "test artifacts (screenshots, reports): build/release/test-artifacts"
echo "suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
