#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/console_overview.sh: the console's overview on a store of a million
# events (bench/out/store/million.jsonl, the store bench's messages, their
# times spread over the last 90 days), rendered in headless Chromium
# (bench/console_overview.mjs): the median of RUNS page loads until the
# overview is no longer busy, for the default range (30 days, a third of
# the events) and 90 days (all of them); beside it, the same on a store of
# the first 10,000 of those events (the baseline: the console's own cost).
#
# usage: bench/console_overview.sh     env: LEVEE (build/levee), RUNS (5),
#        CONSOLE_MILLION (1000000)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
L="${LEVEE:-$here/build/levee}"
N="${CONSOLE_MILLION:-1000000}"
src="$here/bench/out/store/million.jsonl"
[ -f "$src" ] || { echo "console bench: $src is missing: run bash bench/store.sh first" >&2; exit 2; }
command -v /usr/bin/chromium >/dev/null || { echo "console bench: chromium missing (scripts/deps.sh)" >&2; exit 2; }
[ -d "$here/console/node_modules/playwright-core" ] || (cd "$here/console" && npm ci --no-audit --no-fund --loglevel=error)
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/cfg" XDG_CACHE_HOME="$tmp/cache"

# the events, their times spread evenly over the 90 days before now
spread() { # COUNT OUT
  /usr/bin/python3 - "$src" "$1" "$2" <<'PY'
import json, sys, time
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
now = int(time.time() * 1000) - 3600_000
span = 90 * 86400_000
with open(src, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as o:
    for i, line in enumerate(f):
        if i == n:
            break
        e = json.loads(line)
        e["time"] = now - span + i * span // n
        o.write(json.dumps(e, ensure_ascii=False) + "\n")
PY
}

run() { # LABEL COUNT
  local d="$tmp/$1"
  spread "$2" "$tmp/$1.jsonl"
  local t0=$SECONDS
  "$L" ingest --data "$d" "$tmp/$1.jsonl" >/dev/null 2>"$tmp/$1.ingest"
  "$L" admin init --data "$d" >"$tmp/$1.pw" 2>/dev/null
  echo "console bench: $1: $2 events stored in $((SECONDS - t0)) s" >&2
  "$L" serve --data "$d" --listen 127.0.0.1:0 2>"$tmp/$1.serve" &
  pid=$!
  local port=
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/$1.serve")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$tmp/$1.serve" >&2; exit 2; }
  LEVEE_URL="http://127.0.0.1:$port" LEVEE_SRC="$here" \
    LEVEE_PASSWORD="$(awk '$1 == "secadmin" {print $3}' "$tmp/$1.pw")" \
    node "$here/bench/console_overview.mjs" | sed "s/^OVERVIEW /OVERVIEW store=$1 events=$2 /"
  kill -TERM $pid
  wait $pid || true
  pid=
}

run baseline 10000
run million "$N"
