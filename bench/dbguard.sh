#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/dbguard.sh: levee dbguard's overhead (issue 8's bar: pgbench -S with
# 8 clients through the guard reaches at least 75% of direct TPS, and the
# p50 added latency per statement is within 60 µs), measured side by side
# with PgBouncer (Debian) in session mode as the reference proxy, in one run:
#   - a throwaway PostgreSQL (scripts/pg-test-server.sh, fsync off: a read
#     benchmark), `pgbench -i -s 10`;
#   - throughput: `pgbench -S -c 8 -j 2 -T SECS`, -M simple and -M prepared,
#     straight to the server, through PgBouncer and through the guard,
#     interleaved, ROUNDS rounds, medians;
#   - latency: `pgbench -S -c 1 -T SECS -l` (per-transaction latency in µs;
#     -S is one statement per transaction), p50 and p99 of each target, the
#     added p50 (proxy minus direct), per round, medians.
# The guard runs as deployed: the release build, a policy that blocks
# (tests/data/dbguard/policy-block.yaml) and an audit store (--data) that
# records every statement.
# Two placements of the processes on the CPUs, each measured in the same
# run (DBGUARD_BENCH_PLACEMENTS):
#   - shared: everything on every CPU, as it falls: a proxy's CPU time comes
#     out of the server's;
#   - split: the server (postmaster and backends) on CPU 0, pgbench and the
#     proxy on the others (taskset), as when the proxy runs beside the
#     clients or on its own host: the server's CPU is its own, direct or
#     not. Needs two CPUs or more.
# Writes bench/out/dbguard_results.txt (lines) and bench/out/dbguard.md (a
# markdown table); prints both.
#
# usage: bench/dbguard.sh   (after a Release build: make build)
# Environment: LEVEE_BUILD (default build/), DBGUARD_BENCH_ROUNDS (3),
#   DBGUARD_BENCH_SECONDS (10, throughput runs), DBGUARD_BENCH_LAT_SECONDS
#   (5, latency runs), DBGUARD_BENCH_SCALE (10), DBGUARD_BENCH_CLIENTS (8),
#   LEVEE_DBGUARD (the guard's command; default `levee dbguard`, else
#   levee-dbguard beside levee), DBGUARD_BENCH_PROXIES ("pgbouncer guard
#   pgbouncer-unix guard-unix": -unix reaches the server over its unix socket),
#   DBGUARD_BENCH_PLACEMENTS ("shared split"; split needs two CPUs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LEVEE_BUILD:-$ROOT/build}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
OUT="$ROOT/bench/out"
ROUNDS="${DBGUARD_BENCH_ROUNDS:-3}"
SECS="${DBGUARD_BENCH_SECONDS:-10}"
LAT_SECS="${DBGUARD_BENCH_LAT_SECONDS:-5}"
SCALE="${DBGUARD_BENCH_SCALE:-10}"
CLIENTS="${DBGUARD_BENCH_CLIENTS:-8}"
PROXIES="${DBGUARD_BENCH_PROXIES:-pgbouncer guard pgbouncer-unix guard-unix}"
PLACEMENTS="${DBGUARD_BENCH_PLACEMENTS:-shared split}"
if [ "$(nproc)" -lt 2 ] && [[ " $PLACEMENTS " == *" split "* ]]; then
  echo "dbguard bench: one CPU: measuring the shared placement only" >&2
  PLACEMENTS=shared
fi
for pl in $PLACEMENTS; do
  case $pl in shared | split) ;; *) echo "dbguard bench: unknown placement $pl (shared, split)" >&2; exit 2 ;; esac
done
PY=/usr/bin/python3
RES="$OUT/dbguard_results.txt"
MD="$OUT/dbguard.md"
mkdir -p "$OUT"

for v in $(compgen -e); do
  case $v in PG*) unset "$v" ;; esac
done
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -n "$pgbin" ] && [ -x "$pgbin/pgbench" ] || { echo "dbguard bench: pgbench missing (scripts/deps.sh: postgresql)" >&2; exit 2; }
pgbench=$pgbin/pgbench
psql=$pgbin/psql

# The guard: `levee dbguard`, or levee-dbguard beside levee.
guard_cmd=()
if [[ " $PROXIES " == *" guard"* ]]; then
  if [ -n "${LEVEE_DBGUARD:-}" ]; then
    read -r -a guard_cmd <<<"$LEVEE_DBGUARD"
  elif [ -x "$BUILD/levee" ] && "$BUILD/levee" dbguard --help >/dev/null 2>&1; then
    guard_cmd=("$BUILD/levee" dbguard)
  elif [ -x "$BUILD/levee-dbguard" ]; then
    guard_cmd=("$BUILD/levee-dbguard")
  else
    echo "dbguard bench: no levee dbguard in $BUILD (build it: make build); measuring without it" >&2
    PROXIES=${PROXIES//guard-unix/}
    PROXIES=${PROXIES//guard/}
  fi
  if ((${#guard_cmd[@]})) && [ -f "$BUILD/CMakeCache.txt" ] &&
    ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release' "$BUILD/CMakeCache.txt"; then
    echo "dbguard bench: note: $BUILD is not a Release build" >&2
  fi
fi
if [[ " $PROXIES " == *" pgbouncer"* ]] && [ ! -x /usr/sbin/pgbouncer ]; then
  echo "dbguard bench: pgbouncer missing (scripts/deps.sh: pgbouncer); measuring without it" >&2
  PROXIES=${PROXIES//pgbouncer-unix/}
  PROXIES=${PROXIES//pgbouncer/}
fi
TARGETS="direct $PROXIES"

tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  bash "$ROOT/scripts/pg-test-server.sh" stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"

# port_in_use, free_port
# shellcheck source=scripts/ports.sh
. "$ROOT/scripts/ports.sh"
median() { sort -n | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]; else print "-"}'; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
awk -v l="${load_start%% *}" 'BEGIN {exit !(l > 1.5)}' &&
  echo "dbguard bench: note: load average $load_start at start: other work on this machine skews the figures" >&2
echo "[dbguard 1/4] PostgreSQL (fsync off) and pgbench -i -s $SCALE"
url=$(LEVEE_PG_FSYNC=off bash "$ROOT/scripts/pg-test-server.sh" start "$tmp/pg" 2>"$tmp/pg.err") ||
  { cat "$tmp/pg.err" >&2; exit 1; }
pg_port=${url##*:}
pg_port=${pg_port%%/*}
pg_user=$(stat -c %U "$tmp/pg/data")
"$psql" -X -q "host=127.0.0.1 port=$pg_port user=levee dbname=postgres" -c "CREATE DATABASE bench" >/dev/null
"$pgbench" -i -s "$SCALE" -q "host=127.0.0.1 port=$pg_port user=levee dbname=bench" >"$tmp/init.log" 2>&1 ||
  { cat "$tmp/init.log" >&2; exit 1; }
"$psql" -X -q "host=127.0.0.1 port=$pg_port user=levee dbname=bench" -c "VACUUM ANALYZE" >/dev/null

declare -A port=([direct]=$pg_port)
declare -A proxy_pid=()
echo "[dbguard 2/4] proxies: $PROXIES"
for p in $PROXIES; do
  port[$p]=$(free_port)
  # -unix: the proxy reaches the server over its unix socket (in $tmp/pg)
  upstream_host=127.0.0.1
  [[ $p == *-unix ]] && upstream_host=$tmp/pg
  case $p in
    pgbouncer | pgbouncer-unix)
      d=$tmp/$p
      mkdir -p "$d"
      printf '"levee" ""\n' >"$d/userlist.txt"
      cat >"$d/pgbouncer.ini" <<EOF
[databases]
* = host=$upstream_host port=$pg_port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port[$p]}
unix_socket_dir =
logfile = $d/log
pidfile = $d/pid
auth_type = trust
auth_file = $d/userlist.txt
pool_mode = session
max_client_conn = 100
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
EOF
      chown -R "$pg_user:" "$d" 2>/dev/null || true
      if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid="$pg_user" --regid="$pg_user" --init-groups /usr/sbin/pgbouncer "$d/pgbouncer.ini" 2>"$d/err" &
      else
        /usr/sbin/pgbouncer "$d/pgbouncer.ini" 2>"$d/err" &
      fi
      pids+=($!)
      proxy_pid[$p]=$!
      ready="listening on 127.0.0.1:${port[$p]}"
      log=$d/log
      ;;
    guard | guard-unix)
      log=$tmp/$p.log
      "${guard_cmd[@]}" --listen "127.0.0.1:${port[$p]}" --upstream "$upstream_host:$pg_port" \
        --policy "$ROOT/tests/data/dbguard/policy-block.yaml" --data "$tmp/$p-data" 2>"$log" &
      pids+=($!)
      proxy_pid[$p]=$!
      [ "$p" = guard ] && guard_pid=$!
      ready="levee dbguard: listening on 127.0.0.1:${port[$p]}"
      ;;
  esac
  for ((i = 0; i < 200; i++)); do
    grep -q "$ready" "$log" 2>/dev/null && break
    sleep 0.05
  done
  grep -q "$ready" "$log" 2>/dev/null || { echo "dbguard bench: $p did not start:" >&2; tail -n 5 "$log" >&2; exit 1; }
done
conn() { echo "host=127.0.0.1 port=${port[$1]} user=levee dbname=bench"; }
# Does the guard refuse (else it is measured as a bare pass-through)?
if [ -n "${port[guard]:-}" ]; then
  refusal=$("$psql" -X "$(conn guard)" -c "DROP TABLE pgbench_history" 2>&1 || true)
  if grep -q "levee dbguard" <<<"$refusal"; then
    echo "  the guard refuses a DROP TABLE (policy-block.yaml in force)"
  else
    echo "dbguard bench: the guard did not refuse a DROP TABLE: its figures are for a pass-through" >&2
    echo "NOTE the guard did not refuse DROP TABLE during this run" >>"$tmp/notes"
  fi
fi

# place PLACEMENT: pins the server's processes and the proxies to their
# CPUs; sets front (the command prefix pgbench runs under).
all_cpus="0-$(($(nproc) - 1))"
front=()
place() {
  local db_cpus=$all_cpus front_cpus=$all_cpus pm pid
  if [ "$1" = split ]; then
    db_cpus=0
    front_cpus="1-$(($(nproc) - 1))"
  fi
  pm=$(head -n1 "$tmp/pg/data/postmaster.pid")
  # the postmaster and its children; backends forked later inherit it
  for pid in "$pm" $(pgrep -P "$pm"); do
    taskset -a -p -c "$db_cpus" "$pid" >/dev/null 2>&1 || true
  done
  for pid in "${proxy_pid[@]}"; do
    taskset -a -p -c "$front_cpus" "$pid" >/dev/null
  done
  front=(taskset -c "$front_cpus")
}

# CPU time (clock ticks, all threads) of a process so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# tps TARGET MODE: one throughput run; prints the TPS and the proxy's CPU
# µs per transaction ("-" for direct)
tps() {
  local out pid=${proxy_pid[$1]:-} c0=0 c1 n
  [ -z "$pid" ] || c0=$(cpu_ticks "$pid")
  out=$("${front[@]}" "$pgbench" -n -S -M "$2" -c "$CLIENTS" -j 2 -T "$SECS" "$(conn "$1")" 2>&1) ||
    { echo "dbguard bench: pgbench through $1 failed: $(tail -n2 <<<"$out")" >&2; echo "0 -"; return; }
  n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
  local us=-
  if [ -n "$pid" ] && [ "${n:-0}" -gt 0 ]; then
    c1=$(cpu_ticks "$pid")
    us=$(awk -v d=$((c1 - c0)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", d * 1e6 / hz / n}')
  fi
  echo "$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out") $us"
}
# lat TARGET ROUND: one latency run; prints p50 p99 (µs) and the count
lat() {
  local prefix=$tmp/lat.$1.$2
  "${front[@]}" "$pgbench" -n -S -M simple -c 1 -T "$LAT_SECS" -l --log-prefix="$prefix" "$(conn "$1")" >/dev/null 2>&1 ||
    { echo "- - 0"; return; }
  cat "$prefix".* | awk '{print $3}' | sort -n | awk '{v[NR]=$1} END {print v[int(NR*0.5+0.5)], v[int(NR*0.99+0.5)], NR}'
  rm -f "$prefix".*
}

echo "[dbguard 3/4] throughput: pgbench -S -c $CLIENTS -j 2 -T $SECS, simple and prepared; placements $PLACEMENTS; $ROUNDS rounds, targets interleaved"
: >"$tmp/tps"
for ((r = 1; r <= ROUNDS; r++)); do
  for pl in $PLACEMENTS; do
    place "$pl"
    for mode in simple prepared; do
      for t in $TARGETS; do
        read -r v us < <(tps "$t" "$mode")
        echo "$pl $t $mode $v $us" >>"$tmp/tps"
        printf '  round %d %-6s %-14s %-8s %10.0f tps  proxy CPU %s µs/transaction\n' "$r" "$pl" "$t" "$mode" "$v" "$us"
      done
    done
  done
done

echo "[dbguard 4/4] latency: pgbench -S -c 1 -T $LAT_SECS -l (µs per transaction, one statement each); placements $PLACEMENTS; $ROUNDS rounds"
: >"$tmp/lat"
for ((r = 1; r <= ROUNDS; r++)); do
  for pl in $PLACEMENTS; do
    place "$pl"
    for t in $TARGETS; do
      read -r p50 p99 n < <(lat "$t" "$r")
      echo "$pl $r $t $p50 $p99 $n" >>"$tmp/lat"
      printf '  round %d %-6s %-14s p50 %5s µs  p99 %5s µs  (%s transactions)\n' "$r" "$pl" "$t" "$p50" "$p99" "$n"
    done
  done
done

# The guard's memory, and its audit trail: every statement a record.
guard_note=
if [ -n "${port[guard]:-}" ]; then
  gpid=$guard_pid
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$gpid/status" 2>/dev/null || echo "?")
  kill -TERM "$gpid" 2>/dev/null || true
  wait "$gpid" 2>/dev/null || true
  nrec=$("$PY" - "$tmp/guard-data" <<'PY' || echo "?"
import glob, os, sqlite3, sys
n = 0
for db in glob.glob(os.path.join(sys.argv[1], "**", "levee.db"), recursive=True):
    n += sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute(
        "SELECT count(*) FROM record WHERE type = 'dbop'").fetchone()[0]
print(n)
PY
)
  guard_note="NOTE levee dbguard: resident memory ${rss} kB after the runs; ${nrec} audit records (type dbop) written"
fi

# Medians, ratios and added latency (per round, proxy p50 minus direct p50, then the median).
{
  echo "NOTE $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) CPUs; PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), $(/usr/sbin/pgbouncer --version 2>/dev/null | head -n1); pgbench -i -s $SCALE; rounds $ROUNDS; throughput -T $SECS, latency -T $LAT_SECS"
  echo "NOTE load average at start $load_start, at end $(cut -d' ' -f1-3 /proc/loadavg)"
  [ ! -f "$tmp/notes" ] || cat "$tmp/notes"
  [ -z "$guard_note" ] || echo "$guard_note"
  for pl in $PLACEMENTS; do
    for t in $TARGETS; do
      for mode in simple prepared; do
        m=$(awk -v pl="$pl" -v t="$t" -v m="$mode" '$1 == pl && $2 == t && $3 == m {print $4}' "$tmp/tps" | median)
        all=$(awk -v pl="$pl" -v t="$t" -v m="$mode" '$1 == pl && $2 == t && $3 == m {printf "%s%.0f", s, $4; s = ","}' "$tmp/tps")
        d=$(awk -v pl="$pl" -v m="$mode" '$1 == pl && $2 == "direct" && $3 == m {print $4}' "$tmp/tps" | median)
        ratio=$(awk -v a="$m" -v b="$d" 'BEGIN {if (b > 0) printf "%.3f", a / b; else print "-"}')
        cpu=$(awk -v pl="$pl" -v t="$t" -v m="$mode" '$1 == pl && $2 == t && $3 == m && $5 != "-" {print $5}' "$tmp/tps" | median)
        echo "TPS placement=$pl target=$t mode=$mode clients=$CLIENTS median=$m ratio_to_direct=$ratio cpu_us_per_txn=$cpu runs=$all"
      done
    done
    for t in $TARGETS; do
      p50=$(awk -v pl="$pl" -v t="$t" '$1 == pl && $3 == t {print $4}' "$tmp/lat" | median)
      p99=$(awk -v pl="$pl" -v t="$t" '$1 == pl && $3 == t {print $5}' "$tmp/lat" | median)
      added=$(awk -v pl="$pl" -v t="$t" '$1 == pl && $3 == t {p[$2] = $4} $1 == pl && $3 == "direct" {d[$2] = $4} END {for (r in p) if (r in d) print p[r] - d[r]}' "$tmp/lat" | median)
      echo "LATENCY placement=$pl target=$t p50_us=$p50 p99_us=$p99 added_p50_us=$added"
    done
  done
} >"$RES"

"$PY" - "$RES" "$MD" <<'PY'
import re, sys
res, md = sys.argv[1], sys.argv[2]
tps, lat, notes, placements = {}, {}, [], []
for line in open(res):
    kv = dict(re.findall(r"(\w+)=(\S+)", line))
    if line.startswith("TPS "):
        tps[(kv["placement"], kv["target"], kv["mode"])] = kv
    elif line.startswith("LATENCY "):
        lat[(kv["placement"], kv["target"])] = kv
        if kv["placement"] not in placements:
            placements.append(kv["placement"])
    elif line.startswith("NOTE "):
        notes.append(line[5:].strip())
name = {"direct": "straight to PostgreSQL (TCP)", "pgbouncer": "PgBouncer (session), TCP to the server",
        "guard": "levee dbguard, TCP to the server",
        "pgbouncer-unix": "PgBouncer (session), unix socket to the server",
        "guard-unix": "levee dbguard, unix socket to the server"}
title = {"shared": "Shared: every process on every CPU (a proxy's CPU comes out of the server's)",
         "split": "Split: the server on CPU 0, pgbench and the proxy on the others"}
out = []
for pl in placements:
    targets = [t for t in ("direct", "pgbouncer", "guard", "pgbouncer-unix", "guard-unix") if (pl, t) in lat]
    out += [f"**{title[pl]}**", "",
            "| target | TPS -S simple (ratio) | TPS -S prepared (ratio) | proxy CPU µs/txn (simple, prepared) | p50 µs | p99 µs | added p50 µs |",
            "|---|---|---|---|---|---|---|"]
    for t in targets:
        s, p, l = tps.get((pl, t, "simple"), {}), tps.get((pl, t, "prepared"), {}), lat[(pl, t)]
        def cell(kv):
            if not kv:
                return "-"
            r = kv["ratio_to_direct"]
            return f"{float(kv['median']):,.0f}" + ("" if t == "direct" else f" ({float(r) * 100:.0f}%)" if r != "-" else "")
        added = "-" if t == "direct" else l["added_p50_us"]
        cpu = "-" if t == "direct" else f"{s.get('cpu_us_per_txn', '-')}, {p.get('cpu_us_per_txn', '-')}"
        out.append(f"| {name[t]} | {cell(s)} | {cell(p)} | {cpu} | {l['p50_us']} | {l['p99_us']} | {added} |")
    for gt in ("guard", "guard-unix"):
        if gt not in targets:
            continue
        g = tps.get((pl, gt, "simple"), {})
        ratio = float(g["ratio_to_direct"]) if g.get("ratio_to_direct", "-") != "-" else 0.0
        added = lat[(pl, gt)]["added_p50_us"]
        try:
            added_v = float(added)
        except ValueError:
            added_v = float("inf")
        out.append("")
        out.append(f"Issue 8's bar ({pl}, {name[gt]}): TPS (-S, simple, 8 clients) >= 75% of direct: **{ratio * 100:.0f}%** "
                   f"({'met' if ratio >= 0.75 else 'NOT met'}); added p50 <= 60 µs: **{added} µs** "
                   f"({'met' if added_v <= 60 else 'NOT met'}).")
    out.append("")
out += [f"- {n}" for n in notes]
open(md, "w").write("\n".join(out) + "\n")
PY

echo
cat "$RES"
echo
cat "$MD"
echo "dbguard bench: wrote $RES and $MD"
