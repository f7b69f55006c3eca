#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (see README):
#   ./hone.sh studio   install what Hone needs, build, launch hone-studio
#   ./hone.sh test     install what Hone and its tests need, build, run the whole test suite
# Both are idempotent: packages are installed only when missing, builds are incremental (ccache).
set -euo pipefail
cd "$(dirname "$0")"
exec scripts/hone-dev.sh "$@"
