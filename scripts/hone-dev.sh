#!/usr/bin/env bash
# The work behind ./hone.sh: dependencies, build, launch, and the test suite's stages.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=${1:-}
JOBS=$(nproc)
export CCACHE_SLOPPINESS=pch_defines,time_macros
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
say() { printf '\n== %s\n' "$*"; }

# What building and running Hone needs (Debian 12 package names).
RUNTIME_PKGS=(
  cmake ninja-build ccache g++ pkg-config
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libqt6sql6-sqlite qt6-tools-dev qt6-l10n-tools
  qt6-tools-dev-tools qt6-httpserver-dev qt6-translations-l10n
  libtorch-dev libopenblas0-openmp libsqlite3-dev nlohmann-json3-dev libutf8proc-dev libpcre2-dev
)
# What the test suite adds: oracles (Python Jinja2, PyTorch peer, node for HF tokenizers), display-less GUI,
# clang for fuzzers, packaging tools, HIP for kernel compile checks.
TEST_PKGS=(
  python3 python3-jinja2 python3-torch xvfb xauth imagemagick clang-15 clang-format dpkg-dev file
  hipcc libamdhip64-dev rocm-device-libs llvm-15
)

install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${#missing[@]} Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# LibTorch links the libblas.so.3 alternative: make it OpenBLAS with OpenMP (reference BLAS is ~30x slower,
# the pthreads variant fights LibTorch's OpenMP threads).
select_openblas() {
  local dir=/usr/lib/x86_64-linux-gnu/openblas-openmp
  for lib in libblas.so.3 liblapack.so.3; do
    local alt="$lib-x86_64-linux-gnu"
    if [ "$(update-alternatives --query "$alt" 2>/dev/null | awk '/^Value:/{print $2}')" != "$dir/$lib" ]; then
      $SUDO update-alternatives --set "$alt" "$dir/$lib" >/dev/null
    fi
  done
}

install_node_oracles() {
  if ! command -v npm >/dev/null 2>&1; then install_packages nodejs npm; fi
  local dir=tests/oracles stamp=tests/oracles/node_modules/.hone-stamp
  [ -f "$dir/package.json" ] || return 0
  if [ ! -f "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ]; then
    say "installing test oracles from npm ($dir/package.json)"
    (cd "$dir" && npm install --no-audit --no-fund --no-package-lock --loglevel=error)
    touch "$stamp"
  fi
}

configure_and_build() {
  local preset=$1
  say "configure ($preset)"
  cmake --preset "$preset" >/dev/null
  say "build ($preset, $JOBS jobs)"
  cmake --build --preset "$preset" -j "$JOBS"
}

case "$MODE" in
  studio)
    install_packages "${RUNTIME_PKGS[@]}"
    select_openblas
    configure_and_build release
    say "starting hone-studio"
    exec build/release/bin/hone-studio "${@:2}"
    ;;
  test)
    install_packages "${RUNTIME_PKGS[@]}" "${TEST_PKGS[@]}"
    select_openblas
    install_node_oracles
    exec scripts/run-tests.sh
    ;;
  *)
    echo "usage: ./hone.sh studio|test" >&2
    exit 2
    ;;
esac
