#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/trace.sh: `levee trace` on a store of 1,000,000 events with 100,000
# images (issue 7: under 1 s median), through the library (trace_bench,
# bench/trace_bench.c says what it generates and measures), and the
# command itself end to end on a few events. Run alone with
# `bash bench/trace.sh` after a Release build (make build); writes
# bench/out/trace_results.txt.
#
# Environment: LEVEE_BUILD (a Release build directory, default build/),
# TRACE_EVENTS (default 1000000), TRACE_IMAGES (default 100000),
# TRACE_RUNS (runs of the whole measurement, default 3), TRACE_STORE_URL (a
# postgres:// database to measure that back end too; it must be empty).
# The corpus is bench/out/corpus.jsonl (make bench generates it).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LEVEE_BUILD:-$ROOT/build}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
OUT="$ROOT/bench/out"
EVENTS="${TRACE_EVENTS:-1000000}"
IMAGES="${TRACE_IMAGES:-100000}"
RUNS="${TRACE_RUNS:-3}"
CORPUS="$OUT/corpus.jsonl"
WORK="$OUT/trace"
RES="$OUT/trace_results.txt"
export XDG_CONFIG_HOME="$WORK/config" XDG_CACHE_HOME="$OUT/cache"

[ -f "$CORPUS" ] || { echo "trace bench: $CORPUS is missing: run make bench (it generates the corpus)" >&2; exit 2; }
for t in levee trace_bench; do
  cmake --build "$BUILD" --target "$t" >"$OUT/build-$t.log" 2>&1 ||
    { echo "trace bench: $t did not build (bench/out/build-$t.log)" >&2; exit 2; }
done
rm -rf "$WORK"
mkdir -p "$WORK"
: >"$RES"

measure() { # NAME STORE
  local name=$1 store=$2
  echo "[trace] $name: generating $EVENTS events, $IMAGES images"
  "$BUILD/bench/trace_bench" generate --events "$EVENTS" --images "$IMAGES" "$CORPUS" "$store" |
    sed "s/^/$name /" | tee -a "$RES"
  for ((r = 1; r <= RUNS; r++)); do
    echo "[trace] $name: run $r of $RUNS"
    "$BUILD/bench/trace_bench" run --events "$EVENTS" "$store" | sed "s/^/$name /" | tee -a "$RES"
  done
  # The command, end to end: start-up, open, trace, its audit record
  # (committed), output.
  for id in chain-7-3 chain-8-5 "e$((EVENTS / 2 + 5))"; do
    local t0=${EPOCHREALTIME/./}
    "$BUILD/levee" trace $3 "$store" --format json "$id" >/dev/null || echo "trace $id failed" >&2
    echo "$name COMMAND id=$id ms=$(((${EPOCHREALTIME/./} - t0) / 1000))" | tee -a "$RES"
  done
}
measure sqlite "$WORK/store" --data
if [ -n "${TRACE_STORE_URL:-}" ]; then
  measure postgres "$TRACE_STORE_URL" --store
fi
echo "results: $RES"
