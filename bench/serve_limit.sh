#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# levee serve under abuse (issue 5, "Load test"): the per-client rate limit
# at five times its rate. One store, one token per client; `levee serve
# --rate-limit R --burst R`; wrk (Debian) on POST /v1/inspect, one wrk
# process per client, all at once:
#   - polite clients: 2 connections x 1 request every 4 ms each (500/s < R);
#   - abusive clients: 5 x R each, paced: wrk's delay() before each request
#     holds it to a schedule of one request every 1/(5 R) s for the client
#     (its wrk thread), on 40 connections, enough that the schedule and not
#     the round trips sets the rate (what they really sent is measured).
# Each run is a baseline (the polite clients alone) and then the same with
# the abusive ones. The server's VmRSS is sampled every second for the whole
# bench (a file of samples, SERVE_LIMIT_RSS_FILE). Prints one SERVE_LIMIT_RUN
# line per run and a SERVE_LIMIT line with the medians over the runs.
# wrk shares the two cores with the server, so latencies are ceilings.
# Why R = 2000/s: on this 2-core machine the server answers about 90,000
# inspections/s (bench/serve.sh); 4 x 5 x 2000 + 1000 = 41,000 requests/s
# offered, of which 4 x 2000 + 1000 = 9,000/s inspected, keeps the machine
# below saturation, so what is measured is the limiter, not a full CPU. An
# abusive client gets R/s plus its burst once: R + R/SECONDS 2xx a second.
#
# usage: bench/serve_limit.sh
# env: LEVEE (build/levee; levee-serve must be beside it), SERVE_LIMIT_RUNS (3),
#      SERVE_LIMIT_SECONDS (20), SERVE_LIMIT_RATE (2000 requests/s a client;
#      the burst is the same), SERVE_LIMIT_POLITE (2 clients),
#      SERVE_LIMIT_ABUSIVE (4 clients), SERVE_LIMIT_ABUSE_FACTOR (5: an
#      abusive client sends that times the rate), SERVE_LIMIT_ABUSIVE_CONNECTIONS
#      (40 each), SERVE_LIMIT_RSS_FILE (bench/out/serve_limit_rss.tsv; the
#      server's /metrics at the end go beside it, serve_limit_rss.metrics.txt)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
L="${LEVEE:-$here/build/levee}"
RUNS="${SERVE_LIMIT_RUNS:-3}" SECS="${SERVE_LIMIT_SECONDS:-20}"
RATE="${SERVE_LIMIT_RATE:-2000}"
NPOL="${SERVE_LIMIT_POLITE:-2}" NABU="${SERVE_LIMIT_ABUSIVE:-4}"
PCONNS=2 PDELAY=4
FACTOR="${SERVE_LIMIT_ABUSE_FACTOR:-5}"
ACONNS="${SERVE_LIMIT_ABUSIVE_CONNECTIONS:-40}"
RSSFILE="${SERVE_LIMIT_RSS_FILE:-$here/bench/out/serve_limit_rss.tsv}"
command -v wrk >/dev/null || { echo "wrk missing: run scripts/deps.sh" >&2; exit 1; }
[ -x "$L" ] || { echo "serve_limit: $L is missing (set LEVEE)" >&2; exit 1; }
# All clients come from 127.0.0.1: the server takes 256 connections from one
# address (docs/CLI.md); keep one free for curl.
conns=$((NPOL * PCONNS + NABU * ACONNS))
if [ "$conns" -gt 255 ]; then
  echo "serve_limit: $conns connections from one address; the server takes 256" >&2
  exit 1
fi
tmp=$(mktemp -d)
pid='' sampler=''
cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  jobs -p | while read -r j; do kill "$j" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_CONFIG_HOME="$tmp/cfg" XDG_CACHE_HOME="$tmp/cache"

body='{"id":"m1","time":1700000000000,"channel":"wechat","conversation":{"id":"g1","type":"group"},"sender":{"id":"u1","name":"小王","role":"staff"},"text":"明天上午九点在三楼会议室开会，请大家准时参加，带上上周的报表。"}'
script() { # NAME polite|abusive: a token for NAME (before the server starts) and its wrk script
  local tok
  tok=$("$L" admin token "$1" --data "$tmp/d" 2>"$tmp/token.err") ||
    { cat "$tmp/token.err" >&2; exit 1; }
  {
    echo 'wrk.method = "POST"'
    echo 'wrk.headers["Content-Type"] = "application/json"'
    echo "wrk.headers[\"Authorization\"] = \"Bearer $tok\""
    echo "wrk.body = '$body'"
    if [ "$2" = polite ]; then
      echo "function delay() return $PDELAY end"
    else
      # LuaJIT (wrk's) reads CLOCK_MONOTONIC through its FFI; the slot of
      # each request is the one before plus the gap, never more than 100 ms
      # behind (after a stall the client catches up that much, no more); the
      # delay is in whole ms (wrk's timers), so a request may leave up to
      # 1 ms early, which does not add up.
      cat <<LUA
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long sec; long nsec; } serve_limit_ts;
int clock_gettime(int clock, serve_limit_ts *ts);
]]
local ts = ffi.new("serve_limit_ts")
local gap = 1000 / ($FACTOR * $RATE)
local slot = nil
function delay()
  ffi.C.clock_gettime(1, ts)
  local now = tonumber(ts.sec) * 1000 + tonumber(ts.nsec) / 1e6
  if slot == nil or slot < now - 100 then slot = now end
  slot = slot + gap
  local d = slot - now
  if d < 1 then return 0 end
  return math.floor(d)
end
LUA
    fi
  } >"$tmp/$1.lua"
}
# the store: `levee admin token` wants one (admin init makes it, with the
# three accounts, whose passwords are not needed here)
"$L" admin init --data "$tmp/d" >/dev/null 2>"$tmp/init.err" || { cat "$tmp/init.err" >&2; exit 1; }
for i in $(seq 1 "$NPOL"); do script "polite$i" polite; done
for i in $(seq 1 "$NABU"); do script "abusive$i" abusive; done

"$L" serve --data "$tmp/d" --listen 127.0.0.1:0 --rate-limit "$RATE" --burst "$RATE" \
  2>"$tmp/serve.err" &
pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/serve.err")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$tmp/serve.err" >&2; exit 1; }
url="http://127.0.0.1:$port/v1/inspect"

# VmRSS of the server every second, with the phase it was taken in and the
# CPU time it has used (user + system, s).
mkdir -p "$(dirname "$RSSFILE")"
setphase() { echo "$1" >"$tmp/phase.new" && mv "$tmp/phase.new" "$tmp/phase"; }
setphase idle
(
  t0=$(date +%s.%N)
  hz=$(getconf CLK_TCK)
  printf 'seconds\tphase\tvmrss_kb\tcpu_s\n'
  while [ -r "/proc/$pid/status" ]; do
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null) || break
    cpu=$(awk -v hz="$hz" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$pid/stat" 2>/dev/null) || break
    [ -n "$kb" ] || break
    printf '%s\t%s\t%s\t%s\n' "$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN {printf "%.1f", a - b}')" "$(cat "$tmp/phase")" "$kb" "$cpu"
    sleep 1
  done
) >"$RSSFILE" &
sampler=$!

metric() { # NAME: a counter of /metrics (labels included in NAME)
  curl -s "http://127.0.0.1:$port/metrics" | awk -v n="$1" '$1 == n {print $2; f=1} END {if (!f) print 0}'
}
# wrk output -> fields
ms() { # PERCENT: that latency percentile of a wrk --latency output (stdin), in ms
  awk -v p="$1%" '$1 == p {v=$2; if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v=v*1000}; print v}'
}
sent() { awk '/requests in/ {print $1}'; }
non2xx() { awk '/Non-2xx/ {n=$NF} END {print n+0}'; }
rps() { awk '/Requests\/sec/ {print $2}'; }
sockerr() { awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10; f=1} END {if (!f) print 0}'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
maxof() { sort -g | tail -n1; }
sum() { awk '{s+=$1} END {printf "%.0f\n", s}'; }
calc() { # FORMAT EXPR: awk arithmetic
  awk "BEGIN {printf \"$1\", $2}"
}

phase() { # NAME WITH_ABUSE: run all clients at once for SECS; outputs in $tmp/NAME.*
  local name="$1" abuse="$2"
  local jobs_=()
  setphase "$name"
  local rl0 c4xx0
  rl0=$(metric levee_http_rate_limited_total)
  c4xx0=$(metric 'levee_http_responses_total{route="inspect",code="4xx"}')
  for i in $(seq 1 "$NPOL"); do
    wrk -t1 -c"$PCONNS" -d"${SECS}s" --latency -s "$tmp/polite$i.lua" "$url" >"$tmp/$name.polite$i" &
    jobs_+=($!)
  done
  if [ "$abuse" = 1 ]; then
    for i in $(seq 1 "$NABU"); do
      wrk -t1 -c"$ACONNS" -d"${SECS}s" --latency -s "$tmp/abusive$i.lua" "$url" >"$tmp/$name.abusive$i" &
      jobs_+=($!)
    done
  fi
  for j in "${jobs_[@]}"; do wait "$j"; done
  setphase between
  echo $(($(metric levee_http_rate_limited_total) - rl0)) >"$tmp/$name.limited"
  echo $(($(metric 'levee_http_responses_total{route="inspect",code="4xx"}') - c4xx0)) >"$tmp/$name.4xx"
}

# one run: the baseline, then with abuse; prints a SERVE_LIMIT_RUN line and
# appends its figures to $tmp/runs
for r in $(seq 1 "$RUNS"); do
  sleep 2 # a quiet gap in the samples between phases
  phase "base$r" 0
  sleep 2
  phase "abuse$r" 1
  b="$tmp/base$r" a="$tmp/abuse$r"
  bp50=$(for i in $(seq 1 "$NPOL"); do ms 50 <"$b.polite$i"; done | maxof)
  bp99=$(for i in $(seq 1 "$NPOL"); do ms 99 <"$b.polite$i"; done | maxof)
  brps=$(for i in $(seq 1 "$NPOL"); do rps <"$b.polite$i"; done | sum)
  bbad=$(for i in $(seq 1 "$NPOL"); do non2xx <"$b.polite$i"; sockerr <"$b.polite$i"; done | sum)
  pp50=$(for i in $(seq 1 "$NPOL"); do ms 50 <"$a.polite$i"; done | maxof)
  pp99=$(for i in $(seq 1 "$NPOL"); do ms 99 <"$a.polite$i"; done | maxof)
  prps=$(for i in $(seq 1 "$NPOL"); do rps <"$a.polite$i"; done | sum)
  pbad=$(for i in $(seq 1 "$NPOL"); do non2xx <"$a.polite$i"; sockerr <"$a.polite$i"; done | sum)
  asent=$(for i in $(seq 1 "$NABU"); do sent <"$a.abusive$i"; done | sum)
  anon=$(for i in $(seq 1 "$NABU"); do non2xx <"$a.abusive$i"; done | sum)
  aerr=$(for i in $(seq 1 "$NABU"); do sockerr <"$a.abusive$i"; done | sum)
  arps=$(for i in $(seq 1 "$NABU"); do rps <"$a.abusive$i"; done | sum)
  ap99=$(for i in $(seq 1 "$NABU"); do ms 99 <"$a.abusive$i"; done | maxof)
  # per abusive client: requests/s sent, and 2xx/s let through
  arps1=$(calc %.0f "$arps / $NABU")
  a2xx=$((asent - anon))
  a2xx1=$(calc %.0f "$a2xx / $NABU / $SECS")
  ax=$(calc %.2f "$arps1 / $RATE")
  ratio=$(calc %.2f "$pp99 / $bp99")
  # VmRSS while this run's abusive clients were sending: min, median, max,
  # and growth: the last sample minus the first of the phase's second half
  rss=$(awk -F'\t' -v p="abuse$r" '$2 == p {print $3}' "$RSSFILE")
  rn=$(echo "$rss" | wc -l)
  rgrow=$(($(echo "$rss" | tail -n1) - $(echo "$rss" | sed -n "$((rn / 2 + 1))p")))
  # the server's CPU while the abusive clients sent (100 = one core)
  cpu=$(awk -F'\t' -v p="abuse$r" '$2 == p {if (!n++) {t0=$1; c0=$4}; t=$1; c=$4}
    END {printf "%.0f", (t > t0 ? 100 * (c - c0) / (t - t0) : 0)}' "$RSSFILE")
  line="polite_p50_ms=$pp50 polite_p99_ms=$pp99 polite_rps=$prps polite_non2xx=$pbad base_p50_ms=$bp50 base_p99_ms=$bp99 base_rps=$brps base_non2xx=$bbad p99_ratio=$ratio abusive_sent=$asent abusive_rps=$arps1 abusive_x=$ax abusive_2xx=$a2xx abusive_2xx_rps=$a2xx1 abusive_non2xx=$anon abusive_errors=$aerr abusive_p99_ms=$ap99 rate_limited=$(cat "$a.limited") inspect_4xx=$(cat "$a.4xx") rss_kb_min=$(echo "$rss" | sort -n | head -n1) rss_kb_median=$(echo "$rss" | median) rss_kb_max=$(echo "$rss" | maxof) rss_growth_kb=$rgrow server_cpu_pct=$cpu load=$(cut -d' ' -f1 /proc/loadavg)"
  echo "SERVE_LIMIT_RUN run=$r $line"
  echo "$line" >>"$tmp/runs"
done
setphase end
# the server's own counters and latency histogram, beside the samples
curl -s "http://127.0.0.1:$port/metrics" >"${RSSFILE%.tsv}.metrics.txt" || true
sleep 1.5
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
sampler=

field() { # NAME: its value in every run, one a line
  sed -n "s/.* \?$1=\([^ ]*\).*/\1/p" "$tmp/runs"
}
med() { field "$1" | median; }
# RSS: every sample taken while the abusive clients were sending (all runs);
# growth: the largest of the runs' (it should be about 0); drift: the server
# at rest after the last run's abuse minus at rest after the first's (the
# last sample before the next baseline, or the end).
rss_abuse=$(awk -F'\t' 'NR > 1 && $2 ~ /^abuse/ {print $3}' "$RSSFILE")
rest=$(awk -F'\t' 'NR == 1 {next} $2 ~ /^abuse/ {a=1; next}
  a && $2 ~ /^base/ {print v; a=0} a {v=$3} END {if (a) print v}' "$RSSFILE")
printf 'SERVE_LIMIT rate=%s burst=%s runs=%s seconds=%s polite_clients=%s polite_connections=%s polite_delay_ms=%s abusive_clients=%s abusive_connections=%s abusive_target_rps=%s ' \
  "$RATE" "$RATE" "$RUNS" "$SECS" "$NPOL" "$PCONNS" "$PDELAY" "$NABU" "$ACONNS" "$((FACTOR * RATE))"
printf 'polite_p50_ms=%s polite_p99_ms=%s polite_p99_ms_max=%s polite_non2xx=%s base_p50_ms=%s base_p99_ms=%s p99_ratio=%s ' \
  "$(med polite_p50_ms)" "$(med polite_p99_ms)" "$(field polite_p99_ms | maxof)" \
  "$(field polite_non2xx | sum)" "$(med base_p50_ms)" "$(med base_p99_ms)" \
  "$(calc %.2f "$(med polite_p99_ms) / $(med base_p99_ms)")"
printf 'abusive_sent=%s abusive_rps=%s abusive_x=%s abusive_2xx=%s abusive_2xx_rps=%s abusive_429=%s abusive_errors=%s ' \
  "$(med abusive_sent)" "$(med abusive_rps)" "$(med abusive_x)" "$(med abusive_2xx)" \
  "$(med abusive_2xx_rps)" "$(med rate_limited)" "$(field abusive_errors | sum)"
printf 'rss_kb_min=%s rss_kb_median=%s rss_kb_max=%s rss_growth_kb=%s rss_rest_kb_first=%s rss_rest_kb_last=%s rss_drift_kb=%s\n' \
  "$(echo "$rss_abuse" | sort -n | head -n1)" "$(echo "$rss_abuse" | median)" \
  "$(echo "$rss_abuse" | maxof)" "$(field rss_growth_kb | maxof)" \
  "$(echo "$rest" | head -n1)" "$(echo "$rest" | tail -n1)" \
  "$(($(echo "$rest" | tail -n1) - $(echo "$rest" | head -n1)))"
