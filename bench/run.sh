#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/run.sh: `make bench`. Generates the corpus (once), runs the baselines
# (raw Hyperscan, libyara, ripgrep), `levee scan` end to end, the
# per-message latency of the library API, and the audit store's figures
# (bench/store.sh, to bench/out/store_results.txt) and OCR of a phone photo
# (bench/ocr.sh, to bench/out/ocr_results.txt); prints one table and
# writes it to bench/out/results.md. Everything is single-threaded and the median of
# several runs. See docs/BENCHMARKS.md.
#
# Environment: LEVEE_BUILD (build dir, default build/), BENCH_RUNS (runs of
# each baseline, default 5), BENCH_LEVEE_RUNS (runs of levee scan, default 3),
# BENCH_LATENCY_COUNT (messages, default 200000).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LEVEE_BUILD:-$ROOT/build}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
OUT="$ROOT/bench/out"
RUNS="${BENCH_RUNS:-5}"
LEVEE_RUNS="${BENCH_LEVEE_RUNS:-3}"
LAT_COUNT="${BENCH_LATENCY_COUNT:-200000}"
PY=/usr/bin/python3
TOOL="$ROOT/bench/bench_tool.py"
CORPUS="$OUT/corpus.jsonl"
KEYWORDS="$OUT/keywords.txt"
RESULTS="$OUT/results.txt"
STEPS=18
step=0

progress() { step=$((step + 1)); echo "[$step/$STEPS] $*"; }
note() { echo "  note: $*"; echo "NOTE $*" >>"$RESULTS"; }
have() { command -v "$1" >/dev/null 2>&1; }

[ -x "$PY" ] || { echo "bench: $PY is missing (Debian python3; run scripts/deps.sh)" >&2; exit 2; }
if [ ! -f "$BUILD/build.ninja" ] && [ ! -f "$BUILD/Makefile" ]; then
  echo "bench: no build in $BUILD: run 'make build' first (or set LEVEE_BUILD)" >&2
  exit 2
fi
mkdir -p "$OUT"
# Every timed program runs pinned to one CPU, so "single-threaded" holds even
# if a program starts threads (levee scan may), and runs are less noisy.
PIN=()
if have taskset; then
  CPU=$(($(nproc) - 1))
  PIN=(taskset -c "$CPU")
fi

progress "corpus: bench/gen_corpus.py (64 MiB of chat events, 2,000 keywords)"
"$PY" "$ROOT/bench/gen_corpus.py" || { echo "bench: corpus generation failed" >&2; exit 2; }
: >"$RESULTS"
note "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows wall time; CPU time is shown too)"
if ((${#PIN[@]})); then
  note "every timed program ran pinned to CPU $CPU (taskset -c $CPU)"
else
  note "taskset missing: timed programs not pinned to one CPU"
fi

progress "building levee and the bench programs in $BUILD"
declare -A built=()
for t in levee hs_raw io_floor yara_raw latency bench_parse bench_verdict; do
  if cmake --build "$BUILD" --target "$t" >"$OUT/build-$t.log" 2>&1; then
    built[$t]=1
  else
    note "$t did not build (see bench/out/build-$t.log: $(grep -m1 -E 'error|unknown target' "$OUT/build-$t.log" | cut -c1-160))"
  fi
done
# bench_normalize (normalizer throughput) exists when bench/bench_normalize.c does.
rm -f "$OUT/bench_normalize.txt"
if [ -f "$ROOT/bench/bench_normalize.c" ]; then
  if cmake --build "$BUILD" --target bench_normalize >"$OUT/build-bench_normalize.log" 2>&1; then
    built[bench_normalize]=1
  else
    note "bench_normalize did not build (see bench/out/build-bench_normalize.log)"
  fi
fi

run_prog() { # NAME ARGS...: a bench program; its RESULT/LATENCY line goes to results.txt
  local name="$1"
  shift
  local line
  if line="$("${PIN[@]}" "$BUILD/bench/$name" "$@" | grep -E '^(RESULT|LATENCY) ')"; then
    echo "$line" >>"$RESULTS"
    return 0
  fi
  note "$name $* failed"
  return 1
}

progress "hs_raw: raw Hyperscan over each message text, all matches, median of $RUNS"
if [ -n "${built[hs_raw]:-}" ]; then
  run_prog hs_raw --runs "$RUNS" "$CORPUS" "$KEYWORDS"
  echo "  (and with HS_FLAG_SINGLEMATCH, for reference)"
  run_prog hs_raw --singlematch --runs "$RUNS" "$CORPUS" "$KEYWORDS"
  echo "  (and batched: texts joined into 256 KiB blocks, one hs_scan each, for reference)"
  run_prog hs_raw --batched --runs "$RUNS" "$CORPUS" "$KEYWORDS"
fi

progress "io_floor: read the corpus and write one verdict line per event, nothing else (reference), median of $RUNS"
if [ -n "${built[io_floor]:-}" ]; then
  # /dev/null, like the timed runs of levee scan (bench_tool.py time).
  run_prog io_floor --runs "$RUNS" "$CORPUS" /dev/null
fi

progress "yara_raw: libyara, one rule of 2,000 literal strings, per message, median of 3"
if [ -n "${built[yara_raw]:-}" ]; then
  # YARA is ~100x slower than Hyperscan here: 3 runs keep this step under a minute.
  run_prog yara_raw --runs 3 "$CORPUS" "$KEYWORDS"
  echo "  (and with one reused YR_SCANNER, for reference)"
  run_prog yara_raw --reuse-scanner --runs 3 "$CORPUS" "$KEYWORDS"
fi

progress "ripgrep: rg -j1 -c -F -f keywords.txt corpus.jsonl (whole JSON lines), median of $RUNS"
if have rg; then
  matched="$(rg -j1 -c -F -f "$KEYWORDS" "$CORPUS")"
  if line="$("$PY" "$TOOL" time ripgrep "$RUNS" 0 -- "${PIN[@]}" rg -j1 -c -F -f "$KEYWORDS" "$CORPUS")"; then
    echo "$line matched=$matched" >>"$RESULTS"
  else
    note "ripgrep run failed"
  fi
else
  note "rg is missing (apt-get install ripgrep; scripts/deps.sh lists it): ripgrep not measured"
fi

# levee scan runs with --threads 1 (and pinned); its compiled-pattern cache
# lives in bench/out/cache, filled by the untimed verification run, so the
# timed runs load the databases as a deployed levee would.
export XDG_CACHE_HOME="$OUT/cache"
levee_scan() { # NAME POLICY
  local name="$1" policy="$2" rc
  echo "  $name: one untimed run for verification (verdicts to bench/out/$name.verdicts.jsonl)"
  "$LEVEE" scan --threads 1 --policy "$policy" "$CORPUS" >"$OUT/$name.verdicts.jsonl" 2>"$OUT/$name.err"
  rc=$?
  if [ "$rc" -gt 1 ]; then
    note "$name: levee scan --policy $(basename "$policy") failed (exit $rc: $(head -n1 "$OUT/$name.err" | cut -c1-200))"
    return 1
  fi
  "$PY" "$TOOL" verdicts "$name" "$OUT/$name.verdicts.jsonl" >>"$RESULTS"
  if line="$("$PY" "$TOOL" time "$name" "$LEVEE_RUNS" 0,1 -- "${PIN[@]}" "$LEVEE" scan --threads 1 --policy "$policy" "$CORPUS")"; then
    echo "$line" >>"$RESULTS"
  else
    note "$name: timed run failed"
  fi
  echo "  $name: start-up on the 10-line probe, cold (--no-cache) and warm compile cache"
  if line="$("$PY" "$TOOL" time "${name}_startup_cold" "$LEVEE_RUNS" 0,1 -- "${PIN[@]}" "$LEVEE" scan --no-cache --threads 1 --policy "$policy" "$OUT/probe.jsonl")"; then
    echo "$line" >>"$RESULTS"
  fi
  if line="$("$PY" "$TOOL" time "${name}_startup_warm" "$LEVEE_RUNS" 0,1 -- "${PIN[@]}" "$LEVEE" scan --threads 1 --policy "$policy" "$OUT/probe.jsonl")"; then
    echo "$line" >>"$RESULTS"
  fi
}

progress "levee scan --policy keywords.yaml (keyword list only), end to end, median of $LEVEE_RUNS"
LEVEE="$BUILD/levee"
levee_ok=""
if [ ! -x "$LEVEE" ]; then
  note "$LEVEE is missing: levee scan not measured"
else
  # A 10-line probe: does `levee scan --policy` work yet?
  head -n 10 "$CORPUS" >"$OUT/probe.jsonl"
  "$LEVEE" scan --threads 1 --policy "$OUT/keywords.yaml" "$OUT/probe.jsonl" >"$OUT/probe.out" 2>"$OUT/probe.err"
  rc=$?
  if [ "$rc" -le 1 ] && [ "$(wc -l <"$OUT/probe.out")" -eq 10 ]; then
    levee_ok=1
  else
    note "levee scan does not work yet (exit $rc: $(head -c 200 "$OUT/probe.err" | head -n1)): levee scan not measured"
  fi
fi

if [ -n "$levee_ok" ] && levee_scan levee_keywords "$OUT/keywords.yaml"; then
  echo "  (and, for reference, with --threads $(nproc), not pinned: all CPUs)"
  if line="$("$PY" "$TOOL" time levee_keywords_allcpus "$LEVEE_RUNS" 0,1 -- "$LEVEE" scan --threads "$(nproc)" --policy "$OUT/keywords.yaml" "$CORPUS")"; then
    echo "$line" >>"$RESULTS"
  fi
fi

progress "levee scan --policy keywords_default.yaml (include_default: true + keywords), median of $LEVEE_RUNS"
if [ -n "$levee_ok" ] && levee_scan levee_default "$OUT/keywords_default.yaml"; then
  echo "  (and, for reference, with --threads $(nproc), not pinned: all CPUs)"
  if line="$("$PY" "$TOOL" time levee_default_allcpus "$LEVEE_RUNS" 0,1 -- "$LEVEE" scan --threads "$(nproc)" --policy "$OUT/keywords_default.yaml" "$CORPUS")"; then
    echo "$line" >>"$RESULTS"
  fi
fi

progress "latency: levee_scanner_inspect per message, $LAT_COUNT ordinary messages (< 200 bytes)"
if [ -n "${built[latency]:-}" ]; then
  if line="$("${PIN[@]}" "$BUILD/bench/latency" --count "$LAT_COUNT" --runs 3 "$CORPUS" | grep '^LATENCY ')"; then
    echo "$line label=default_policy" >>"$RESULTS"
  else
    note "latency with the default policy failed"
  fi
  echo "  (and with the default policy plus the 2,000 keywords)"
  if line="$("${PIN[@]}" "$BUILD/bench/latency" --policy "$OUT/keywords_default.yaml" --count "$LAT_COUNT" --runs 3 "$CORPUS" | grep '^LATENCY ')"; then
    echo "$line label=default+keywords" >>"$RESULTS"
  else
    note "latency with keywords_default.yaml failed"
  fi
fi

progress "bench_normalize: normalizer throughput (its own synthetic texts; best of its rounds)"
if [ -n "${built[bench_normalize]:-}" ]; then
  if "${PIN[@]}" "$BUILD/bench/bench_normalize" >"$OUT/bench_normalize.txt"; then
    cat "$OUT/bench_normalize.txt"
  else
    rm -f "$OUT/bench_normalize.txt"
    note "bench_normalize failed"
  fi
else
  echo "  (not built: bench/bench_normalize.c is absent)"
fi

progress "components: bench_parse (event JSON; the tokenizer by path), bench_verdict (verdict JSON)"
rm -f "$OUT/components.txt"
if [ -n "${built[bench_parse]:-}" ]; then
  "${PIN[@]}" "$BUILD/bench/bench_parse" --runs "$RUNS" "$CORPUS" | tee -a "$OUT/components.txt"
  # The JSON tokenizer alone, by each path this CPU has (docs/ARCHITECTURE.md).
  for path in bytewise sse2 avx2 avx512 avx512vbmi2 best; do
    "${PIN[@]}" "$BUILD/bench/bench_parse" --runs "$RUNS" --tokens "$path" "$CORPUS" 2>/dev/null |
      tee -a "$OUT/components.txt" || true
  done
fi
if [ -n "${built[bench_verdict]:-}" ]; then
  "${PIN[@]}" "$BUILD/bench/bench_verdict" | tail -n 1 | sed 's/^/VERDICT /' | tee -a "$OUT/components.txt"
fi

progress "the audit store: bench/store.sh (ingest beside SQLite's own insert rate, verify, search on 1,000,000 messages)"
if ! LEVEE_BUILD="$BUILD" bash "$ROOT/bench/store.sh"; then
  note "bench/store.sh failed"
fi

progress "attachments: bench/ocr.sh (OCR of a 1240x1000 phone photo, beside the tesseract CLI)"
if ! LEVEE_BUILD="$BUILD" bash "$ROOT/bench/ocr.sh"; then
  note "bench/ocr.sh failed"
fi

progress "fingerprints: bench_fingerprint (10,000 registered documents, 100,000 registered images)"
if cmake --build "$BUILD" --target bench_fingerprint >"$OUT/build-bench_fingerprint.log" 2>&1; then
  "${PIN[@]}" "$BUILD/bench/bench_fingerprint" "$CORPUS" | tee "$OUT/fingerprint_results.txt"
else
  note "bench_fingerprint did not build (bench/out/build-bench_fingerprint.log)"
fi

progress "registered images: bench/image_registry.sh (page photos registered, their copies and other photos scanned)"
if ! LEVEE="$BUILD/levee" bash "$ROOT/bench/image_registry.sh" 60 60 | tee "$OUT/image_registry.txt"; then
  note "bench/image_registry.sh failed"
fi

progress "levee serve: bench/serve.sh (wrk on POST /v1/inspect, beside GET /healthz)"
if ! LEVEE="$BUILD/levee" bash "$ROOT/bench/serve.sh" | tee "$OUT/serve.txt"; then
  note "bench/serve.sh failed"
fi

progress "levee serve under abuse: bench/serve_limit.sh (4 clients at 5x the rate limit beside 2 within it; RSS over the run)"
if ! LEVEE="$BUILD/levee" SERVE_LIMIT_RSS_FILE="$OUT/serve_limit_rss.tsv" bash "$ROOT/bench/serve_limit.sh" | tee "$OUT/serve_limit.txt"; then
  note "bench/serve_limit.sh failed"
fi

progress "levee trace: bench/trace.sh (1,000,000 events, 100,000 images)"
if ! LEVEE_BUILD="$BUILD" bash "$ROOT/bench/trace.sh"; then
  note "bench/trace.sh failed"
fi

progress "the console's overview: bench/console_overview.sh (a million events, headless Chromium)"
if ! LEVEE="$BUILD/levee" bash "$ROOT/bench/console_overview.sh" | tee "$OUT/console_overview.txt"; then
  note "bench/console_overview.sh failed"
fi

progress "levee dbguard: bench/dbguard.sh (pgbench -S straight, through PgBouncer and through the guard)"
if ! LEVEE_BUILD="$BUILD" bash "$ROOT/bench/dbguard.sh" | tee "$OUT/dbguard.txt"; then
  note "bench/dbguard.sh failed"
fi

progress "report: bench/out/results.md"
note "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" "$TOOL" report "$RESULTS" "$OUT/corpus.meta.json" "$OUT/results.md"
echo
echo "bench: wrote $OUT/results.md"
