#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target of the debug build for SECONDS each (default
# 600), one after another, each on a scratch copy of its corpus so the
# committed corpus stays small. New crashes are left in build-debug/fuzz-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
out=build-debug/fuzz-out
mkdir -p "$out"
status=0
for bin in build-debug/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  work="$out/$name-corpus"
  rm -rf "$work"; mkdir -p "$work"
  cp -r "tests/fuzz/corpus/$name/." "$work/" 2>/dev/null || true
  echo "== $name for ${secs}s"
  if ! "$bin" -max_total_time="$secs" -max_len=65536 -artifact_prefix="$out/$name-" \
       -print_final_stats=1 "$work" >"$out/$name.log" 2>&1; then
    echo "   FINDING: see $out/$name.log"; status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$out/$name.log" | tail -2 | sed 's/^/   /'
  fi
done
exit $status
