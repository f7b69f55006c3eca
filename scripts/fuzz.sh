#!/usr/bin/env bash
# Runs every libFuzzer target in build/fuzz for SECONDS each (default 20) on a copy of its seed corpus
# (fuzz/corpus/<name without fuzz_>/, or the folder of its first word). Longer runs by hand: scripts/fuzz.sh 3600.
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-20}
rc=0
shopt -s nullglob
targets=(build/fuzz/bin/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
  echo "no fuzz targets built"
  exit 0
fi
for bin in "${targets[@]}"; do
  name=$(basename "$bin")
  seeds=fuzz/corpus/${name#fuzz_}
  [ -d "$seeds" ] || seeds=fuzz/corpus/$(echo "${name#fuzz_}" | cut -d_ -f1)  # fuzz_tokenizer_load -> tokenizer
  work=$(mktemp -d)
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
  echo "-- $name: ${SECONDS_EACH}s"
  if ! "$bin" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="build/fuzz/$name-" "$work" >"build/fuzz/$name.log" 2>&1; then
    echo "   FAILED: see build/fuzz/$name.log"
    tail -30 "build/fuzz/$name.log"
    rc=1
  else
    grep -E 'stat::number_of_executed_units' "build/fuzz/$name.log" | sed 's/^/   /'
  fi
  rm -rf "$work"
done
exit $rc
