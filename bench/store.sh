#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/store.sh: the audit store's figures (part of `make bench`; run alone
# with `bash bench/store.sh` after `make build`): levee ingest into SQLite
# beside SQLite's own insert rate, levee verify, and full-text search on a
# store of 1,000,000 messages. Writes bench/out/store_results.txt and
# prints a table. See docs/BENCHMARKS.md.
#
# Environment: LEVEE_BUILD (default build/), STORE_RUNS (runs of the timed
# commands, default 3), STORE_MILLION (messages in the large store, default
# 1000000).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LEVEE_BUILD:-$ROOT/build}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
OUT="$ROOT/bench/out"
RUNS="${STORE_RUNS:-3}"
MILLION="${STORE_MILLION:-1000000}"
PY=/usr/bin/python3
LEVEE="$BUILD/levee"
CORPUS="$OUT/corpus.jsonl"
WORK="$OUT/store"
RES="$OUT/store_results.txt"
export XDG_CONFIG_HOME="$WORK/config" XDG_CACHE_HOME="$OUT/cache"

[ -f "$CORPUS" ] || { echo "store bench: $CORPUS is missing: run make bench (it generates the corpus)" >&2; exit 2; }
for t in levee sqlite_raw store_search; do
  cmake --build "$BUILD" --target "$t" >"$OUT/build-$t.log" 2>&1 ||
    { echo "store bench: $t did not build (bench/out/build-$t.log)" >&2; exit 2; }
done
rm -rf "$WORK"
mkdir -p "$WORK"
: >"$RES"
ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "[store 1/5] inputs: 100,000 events, and $MILLION events (the corpus repeated with new ids)"
head -n 100000 "$CORPUS" >"$WORK/100k.jsonl"
"$PY" - "$CORPUS" "$WORK/million.jsonl" "$MILLION" <<'PY'
import sys
src, dst, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(src, encoding="utf-8").read().splitlines()
n = 0
with open(dst, "w", encoding="utf-8") as f:
    copy = 0
    while n < want:
        for l in lines:
            if n == want:
                break
            # ids are "m" + digits at the start of each line: make them unique per copy
            f.write(l.replace('"id":"m', '"id":"c%d-m' % copy, 1) + "\n")
            n += 1
        copy += 1
PY

echo "[store 2/5] SQLite's own insert rate (sqlite_raw: plain rows; and with levee's search index), median of $RUNS"
"$BUILD/bench/sqlite_raw" --runs "$RUNS" "$WORK/100k.jsonl" "$WORK/raw" | tee -a "$RES"
"$BUILD/bench/sqlite_raw" --fts --runs "$RUNS" "$WORK/100k.jsonl" "$WORK/raw" | tee -a "$RES"

echo "[store 3/5] levee ingest of 100,000 events into a new store (keyword policy), median of $RUNS"
times=()
for ((r = 1; r <= RUNS; r++)); do
  rm -rf "$WORK/s100k"
  t0=$(ms)
  "$LEVEE" ingest --quiet --data "$WORK/s100k" --policy "$OUT/keywords.yaml" "$WORK/100k.jsonl" >"$WORK/ingest.out" 2>"$WORK/ingest.err" ||
    { echo "store bench: levee ingest failed: $(head -n2 "$WORK/ingest.err")" >&2; exit 1; }
  t=$(($(ms) - t0))
  echo "  levee ingest: run $r/$RUNS: $t ms ($(cat "$WORK/ingest.out"))"
  times+=("$t")
done
med=$(printf '%s\n' "${times[@]}" | median)
echo "STORE name=levee_ingest events=100000 median_s=$(awk "BEGIN{print $med/1000}") events_per_s=$(awk "BEGIN{printf \"%.0f\", 100000000/$med}")" | tee -a "$RES"

# verify_median STORE NAME RECORDS: levee verify of STORE, median of $RUNS
verify_median() {
  local times=() t t0 r med
  for ((r = 1; r <= RUNS; r++)); do
    t0=$(ms)
    "$LEVEE" verify --data "$1" >"$WORK/verify.out" || { echo "store bench: verify of $1 failed" >&2; exit 1; }
    t=$(($(ms) - t0))
    echo "  levee verify: run $r/$RUNS: $t ms ($(cat "$WORK/verify.out"))"
    times+=("$t")
  done
  med=$(printf '%s\n' "${times[@]}" | median)
  echo "STORE name=$2 records=$3 median_s=$(awk "BEGIN{print $med/1000}") records_per_s=$(awk "BEGIN{printf \"%.0f\", $3*1000/$med}")" | tee -a "$RES"
}

echo "[store 4/5] levee verify of that store, median of $RUNS (the time includes the process's start, about 5 ms)"
verify_median "$WORK/s100k" levee_verify 100000

echo "[store 5/5] a store of $MILLION messages: ingest (once), verify (median of $RUNS), and search"
t0=$(ms)
"$LEVEE" ingest --quiet --data "$WORK/s1m" --policy "$OUT/keywords.yaml" "$WORK/million.jsonl" >"$WORK/ingest1m.out" 2>"$WORK/ingest1m.err" ||
  { echo "store bench: levee ingest of $MILLION failed: $(head -n2 "$WORK/ingest1m.err")" >&2; exit 1; }
t=$(($(ms) - t0))
echo "STORE name=levee_ingest_million events=$MILLION median_s=$(awk "BEGIN{print $t/1000}") events_per_s=$(awk "BEGIN{printf \"%.0f\", $MILLION*1000/$t}") db_bytes=$(stat -c %s "$WORK/s1m/levee.db")" | tee -a "$RES"
verify_median "$WORK/s1m" levee_verify_million "$MILLION"
# the busiest sender, and two-character words: a common one and a rarer one
sender=$(sqlite3 "$WORK/s1m/levee.db" "SELECT sender_id FROM event GROUP BY sender_id ORDER BY count(*) DESC LIMIT 1")
for query in 公司 机密 飞单; do
  "$BUILD/bench/store_search" --runs 21 "$WORK/s1m" "$query" "$sender" | tee -a "$RES"
done
times=()
for ((r = 1; r <= 7; r++)); do
  t0=$(ms)
  "$LEVEE" search --data "$WORK/s1m" --sender "$sender" 公司 >/dev/null 2>&1
  times+=("$(($(ms) - t0))")
done
med=$(printf '%s\n' "${times[@]}" | median)
echo "SEARCH_CLI query=公司 sender=$sender median_ms=$med runs=7 (process start, the search, its audit record and checkpoint)" | tee -a "$RES"
echo "store bench: wrote $RES"
