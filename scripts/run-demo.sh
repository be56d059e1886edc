#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make run` (after `make build`): levee serve on 127.0.0.1 with the embedded
# store in ./levee-data. The first run makes the accounts (levee admin init),
# registers the demo's confidential report, makes an integration token and
# stores the demo data set (demo/cases/, the seed cases replayed as chat
# events; demo/cases/README.md) through POST /v1/events, so every event is
# inspected, stored and alerted as an integration's would be. Later runs only
# start the server. On a terminal it runs until Ctrl-C; with stdin not a
# terminal (scripts, CI, tests/integration/test_demo.sh) it stops once the
# data is loaded.
#
#   scripts/run-demo.sh               as above
#   scripts/run-demo.sh --events DIR  only writes the demo events, photos
#                                     inline, to DIR/*.jsonl (for levee scan)
#
# Environment:
#   LEVEE               the levee binary (default build/levee)
#   LEVEE_DATA          the data directory (default ./levee-data)
#   LEVEE_DEMO_LISTEN   where levee serve listens (default 127.0.0.1:8080;
#                       port 0 picks a free one)
#   LEVEE_DEMO_POLICY   a policy file for levee serve (default: the embedded one)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
levee="${LEVEE:-build/levee}"
data="${LEVEE_DATA:-./levee-data}"
listen="${LEVEE_DEMO_LISTEN:-127.0.0.1:8080}"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
say() { printf '%s\n' "$*"; }
die() {
  printf 'run-demo: %s\n' "$*" >&2
  exit 1
}

if [ "${1:-}" = "--events" ]; then
  [ -n "${2:-}" ] || die "usage: scripts/run-demo.sh [--events DIR]"
  exec "$py" scripts/demo_events.py prepare "$2"
fi
[ $# -eq 0 ] || die "usage: scripts/run-demo.sh [--events DIR]"
[ -x "$levee" ] || die "$levee is missing: run make build (or set LEVEE)"

tmp=$(mktemp -d)
pid=
stop_server() {
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
  fi
}
cleanup() {
  stop_server
  rm -rf "$tmp"
}
trap cleanup EXIT

# A store with accounts was set up by an earlier run; no store (or one
# without accounts) is set up now.
if ! accounts=$("$levee" admin list --data "$data" 2>"$tmp/list.err") &&
  ! grep -q "no audit store here" "$tmp/list.err"; then
  cat "$tmp/list.err" >&2
  die "cannot read the store in $data (is levee serve running on it already?)"
fi
first=0
[ -n "$accounts" ] || first=1
created=0
[ -e "$data" ] || created=1
# Something answering there already (an earlier make run?): say so before
# anything is made.
host="${listen%:*}" port="${listen##*:}"
host="${host#[}" host="${host%]}"
if [ "$port" != 0 ] && (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  die "$listen is in use (another levee serve?): stop it, or set LEVEE_DEMO_LISTEN=127.0.0.1:PORT"
fi

# A first run that failed half way leaves nothing behind: the one-time
# passwords would be lost with it.
undo() {
  stop_server
  if [ "$first" = 1 ] && [ "$created" = 1 ]; then
    rm -rf "$data"
    say "run-demo: $data removed; run make run again" >&2
  fi
  die "$@"
}

if [ "$first" = 1 ]; then
  trap 'undo "interrupted"' INT TERM
  say "== First run: the demo data set (demo/cases/README.md), its photos drawn by ImageMagick"
  "$py" scripts/demo_events.py prepare "$tmp/events" ||
    die "could not make the demo events (a tool missing? run make deps)"
  mkdir -p "$data"
  "$levee" admin init --data "$data" >"$tmp/accounts" 2>"$tmp/init.err" ||
    { cat "$tmp/init.err" >&2; undo "levee admin init failed"; }
  # The secrecy officer's copy of the 机密 report of case 2: a photo of a page
  # without its marking is then found as classified.document.
  "$levee" register --data "$data" --document --level 机密 \
    --label "关于全县2025年度重大建设项目调整计划的报告" demo/cases/registered-report.txt \
    >/dev/null 2>"$tmp/register.err" ||
    { cat "$tmp/register.err" >&2; undo "levee register failed"; }
  token=$("$levee" admin token demo-loader --data "$data" 2>"$tmp/token.err") ||
    { cat "$tmp/token.err" >&2; undo "levee admin token failed"; }
fi

log="$data/serve.log"
policy=()
[ -z "${LEVEE_DEMO_POLICY:-}" ] || policy=(--policy "$LEVEE_DEMO_POLICY")
"$levee" serve --data "$data" --listen "$listen" "${policy[@]}" 2>"$log" &
pid=$!
url=
for _ in $(seq 1 300); do
  url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$log" | head -n 1)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  cat "$log" >&2
  undo "levee serve did not start (is $listen in use? set LEVEE_DEMO_LISTEN)"
fi
url="${url%/}/"

if [ "$first" = 1 ]; then
  say "== Storing the demo events through POST ${url}v1/events (inspected as they arrive)"
  "$py" scripts/demo_events.py post "$url" "$token" "$tmp"/events/*.jsonl ||
    { tail -n 20 "$log" >&2; undo "the demo events could not be stored"; }
fi
trap 'stop_server; exit 0' INT TERM

say
say "levee serve: $url   (its log: $log)"
if [ "$first" = 1 ]; then
  pub=$(sed -n 's/.*its public key is \([0-9a-f]*\).*/\1/p' "$tmp/init.err" | head -n 1)
  [ -z "$pub" ] || say "The store's public key (levee verify --data $data --public-key KEY): $pub"
  say "Sign in with these accounts; each one-time password is shown this once and must be"
  say "changed at first sign-in (三员分立: one duty each):"
  while read -r name role pass; do
    case "$role" in
      security-admin) what="alerts, conversations, the spread of a photo, policies" ;;
      auditor) what="the audit trail and its verification" ;;
      system-admin) what="accounts and integrations' tokens" ;;
      *) continue ;;
    esac
    printf '  %-9s %-15s %s   %s\n' "$name" "$role" "$pass" "$what"
  done <"$tmp/accounts"
else
  say "The accounts were made on the first run; their one-time passwords are not shown again."
  say "To start over with a fresh store and new passwords: stop levee, rm -rf $data, make run."
fi
say "The API: docs/openapi.yaml; the demo's cases: demo/cases/README.md."
if [ -t 0 ]; then
  say "Ctrl-C stops it."
  wait "$pid"
  rc=$?
  pid=
  [ $rc -eq 0 ] || { cat "$log" >&2; die "levee serve exited with status $rc"; }
else
  stop_server
  say "levee serve stopped (stdin is not a terminal). Look at the store with, e.g.:"
  say "  $levee search --data $data --alerts"
fi
