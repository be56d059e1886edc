#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The web console against a real levee serve, in Debian's Chromium driven by
# Playwright (tests/browser/console.test.mjs): a fresh store with the
# accounts of `levee admin init` and an integration token; the seed events
# of tests/browser/seed.jsonl (moved so their last day is yesterday) sent
# through POST /v1/events; the server on a free loopback port serving the
# console built from console/ (the build's copy beside levee-serve, else one
# made here with scripts/build-console.sh). The browser test signs in as
# each role and works through the pages; it fails on any browser console
# error and any request to another host. Screenshots of each page go to
# $LEVEE_BUILD/console-screenshots/. Exit 77 (skipped) when Node.js, npm or
# Chromium is not installed.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
build="${LEVEE_BUILD:-$(dirname "$LEVEE")}"
tmp=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
py=/usr/bin/python3
chromium="${CHROMIUM:-/usr/bin/chromium}"

command -v node >/dev/null || { echo "node missing: install Node.js (20 or later) with npm; scripts/deps.sh says so" >&2; exit 77; }
command -v npm >/dev/null || { echo "npm missing: install Node.js with npm; scripts/deps.sh says so" >&2; exit 77; }
[ -x "$chromium" ] || { echo "chromium missing: run scripts/deps.sh (Debian package chromium)" >&2; exit 77; }
command -v curl >/dev/null || { echo "curl missing: run scripts/deps.sh" >&2; exit 1; }

mods="$LEVEE_SRC/console/node_modules"
if [ ! -f "$mods/playwright-core/package.json" ] || [ ! -f "$mods/echarts/dist/echarts.min.js" ]; then
  echo "console: npm ci --prefix console" >&2
  npm ci --prefix "$LEVEE_SRC/console" --no-audit --no-fund --loglevel=error >&2 ||
    { echo "npm ci failed (no network?): the browser test cannot run" >&2; exit 77; }
fi

# The console as the build made it (levee serve's default: console/ beside
# levee-serve), else built here and named with --console.
console_args=()
if [ -f "$build/console/index.html" ] && [ -f "$build/console/vendor/echarts.min.js" ]; then
  console_dir="$build/console"
  [ "$(dirname "$LEVEE")/console" -ef "$console_dir" ] || console_args=(--console "$console_dir")
else
  console_dir="$tmp/console"
  bash "$LEVEE_SRC/scripts/build-console.sh" "$LEVEE_SRC" "$console_dir" >&2
  console_args=(--console "$console_dir")
fi
check "the console is built, with ECharts in vendor/ ($console_dir)" '[ -f "$console_dir/index.html" ] && [ -f "$console_dir/vendor/echarts.min.js" ]'

"$LEVEE" admin init --data "$tmp/d" >"$tmp/init" 2>&1
check "admin init" '[ $? -eq 0 ]'
pw() { awk -v n="$1" '$1 == n {print $3}' "$tmp/init"; }
"$LEVEE" admin token seed --data "$tmp/d" >"$tmp/token" 2>/dev/null
check "an integration token to send the seed events" '[ $? -eq 0 ] && grep -q "^lvt_" "$tmp/token"'

# The seed events, moved in time so that their last day is yesterday (UTC+8):
# the console's default range (the last 30 days) holds them all.
"$py" - "$LEVEE_SRC/tests/browser/seed.jsonl" >"$tmp/seed.jsonl" <<'PY'
import datetime as dt, json, sys
cn = dt.timezone(dt.timedelta(hours=8))
events = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
times = [dt.datetime.fromisoformat(e["time"]) for e in events]
yesterday = dt.datetime.now(cn).date() - dt.timedelta(days=1)
shift = yesterday - max(times).astimezone(cn).date()
for e, t in zip(events, times):
    e["time"] = (t + shift).isoformat()
    print(json.dumps(e, ensure_ascii=False))
PY
check "seed events read" '[ $? -eq 0 ] && [ "$(wc -l <"$tmp/seed.jsonl")" -ge 10 ]'

: >"$tmp/serve.err"
"$LEVEE" serve --data "$tmp/d" --listen 127.0.0.1:0 "${console_args[@]}" 2>"$tmp/serve.err" &
pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/serve.err")
  [ -n "$port" ] && break
  sleep 0.1
done
base="http://127.0.0.1:$port"
check "serve starts with the console" '[ -n "$port" ] && grep -q "console: .* files" "$tmp/serve.err"'
[ -n "$port" ] || { cat "$tmp/serve.err" >&2; echo "$passes passed, $fails failed"; exit 1; }

code=$(curl -s -o "$tmp/index" -D "$tmp/headers" -w '%{http_code}' "$base/")
check "GET / answers the console with its CSP" '[ "$code" = 200 ] && grep -q "js/app.js" "$tmp/index" && grep -qi "^Content-Security-Policy: default-src .self.; script-src .self.;" "$tmp/headers"'
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/vendor/echarts.min.js")
check "ECharts is served from the server" '[ "$code" = 200 ]'

code=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $(cat "$tmp/token")" \
  -H 'Content-Type: application/x-ndjson' --data-binary @"$tmp/seed.jsonl" "$base/v1/events")
n=$(wc -l <"$tmp/seed.jsonl")
check "the seed events stored through POST /v1/events ($n)" '[ "$code" = 200 ] && [ "$("$py" -c "import json,sys; print(json.load(open(sys.argv[1]))[\"stored\"])" "$tmp/body")" = "$n" ]'

shots="$build/console-screenshots"
rm -rf "$shots"
mkdir -p "$shots"
passwords=$("$py" -c 'import json,sys; print(json.dumps(dict(zip(["sysadmin","secadmin","auditor"], sys.argv[1:]))))' \
  "$(pw sysadmin)" "$(pw secadmin)" "$(pw auditor)")
LEVEE_URL="$base" LEVEE_PASSWORDS="$passwords" LEVEE_SHOTS="$shots" CHROMIUM="$chromium" \
  node --test --test-reporter=spec "$LEVEE_SRC/tests/browser/console.test.mjs" >"$tmp/node.out" 2>&1
rc=$?
cat "$tmp/node.out"
check "the browser test passes (node --test tests/browser/console.test.mjs)" '[ $rc -eq 0 ]'
echo "console screenshots: $shots ($(find "$shots" -name '*.png' | wc -l) pages)"
check "screenshots taken" '[ "$(find "$shots" -name "*.png" | wc -l)" -ge 12 ]'

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "serve stops cleanly on SIGTERM" '[ $rc -eq 0 ]'
[ "$fails" -eq 0 ] || { echo "--- levee serve stderr" >&2; tail -n 30 "$tmp/serve.err" >&2; }
"$LEVEE" verify --data "$tmp/d" >"$tmp/verify" 2>&1
check "levee verify: the log is intact after the browser's session ($(tail -1 "$tmp/verify"))" '[ $? -eq 0 ]'

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
