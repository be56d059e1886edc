#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# levee serve under load: wrk (Debian) against POST /v1/inspect with an
# ordinary chat message, keep-alive, beside GET /healthz (the HTTP floor:
# the same server and sockets, no inspection), on this machine's cores.
# Median of SERVE_RUNS (3) runs of SERVE_SECONDS (10) each; wrk's own
# threads share the machine with the server, so the figures are a floor.
#
# usage: bench/serve.sh        env: LEVEE (build/levee), SERVE_CONNECTIONS (32)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
L="${LEVEE:-$here/build/levee}"
RUNS="${SERVE_RUNS:-3}" SECS="${SERVE_SECONDS:-10}" CONNS="${SERVE_CONNECTIONS:-32}"
command -v wrk >/dev/null || { echo "wrk missing: run scripts/deps.sh" >&2; exit 1; }
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/cfg" XDG_CACHE_HOME="$tmp/cache"
# an integration's token, as the API wants one
tok=$("$L" admin token bench --data "$tmp/d" 2>/dev/null)
cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $tok"
wrk.body = '{"id":"m1","time":1700000000000,"channel":"wechat","conversation":{"id":"g1","type":"group"},"sender":{"id":"u1","name":"小王","role":"staff"},"text":"明天上午九点在三楼会议室开会，请大家准时参加，带上上周的报表。"}'
LUA
"$L" serve --data "$tmp/d" --listen 127.0.0.1:0 2>"$tmp/serve.err" &
pid=$!
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/serve.err")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$tmp/serve.err" >&2; exit 1; }
# one run: requests/s and p99 in ms
run() { # URL [SCRIPT]
  local out
  out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency ${2:+-s "$2"} "$1")
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v=v*1000}; print v}')
  echo "$rps $p99"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for what in inspect healthz; do
  : >"$tmp/$what"
  for _ in $(seq 1 "$RUNS"); do
    if [ "$what" = inspect ]; then run "http://127.0.0.1:$port/v1/inspect" "$tmp/post.lua"; else run "http://127.0.0.1:$port/healthz"; fi >>"$tmp/$what"
  done
done
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
ok=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^levee_http_responses_total\{route="inspect",code="2xx"\}/ {print $2}')
bad=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^levee_http_responses_total\{route="inspect",code="[45]xx"\}/ {s+=$2} END {print s+0}')
printf 'SERVE inspect_rps=%s inspect_p99_ms=%s healthz_rps=%s healthz_p99_ms=%s connections=%s runs=%s seconds=%s rss_kb=%s inspect_2xx=%s inspect_errors=%s\n' \
  "$(cut -d' ' -f1 "$tmp/inspect" | median)" "$(cut -d' ' -f2 "$tmp/inspect" | median)" \
  "$(cut -d' ' -f1 "$tmp/healthz" | median)" "$(cut -d' ' -f2 "$tmp/healthz" | median)" \
  "$CONNS" "$RUNS" "$SECS" "$rss" "$ok" "$bad"
