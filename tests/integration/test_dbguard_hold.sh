#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# levee dbguard's holds (issue 8), with tests/data/dbguard/policy-hold.yaml
# (timeout 3 s, a keep-alive every second): a held statement waits while
# `levee approve --list` shows it; approved, it runs (the table is gone);
# denied, it gets 42501; unanswered, 57014 after the timeout with
# NoticeResponse keep-alives meanwhile; cancelled (SIGINT to psql), 57014;
# its client gone, the hold goes. The data stays for all but the approved
# one. Meanwhile other sessions are served, statements that are not
# destructive are not held, and a hold through the extended protocol
# (pgbench -M extended) is approved the same way.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/integration/dbguard_lib.sh
. "$here/dbguard_lib.sh"
is_guard || skip "holds need levee dbguard (LEVEE_DBGUARD_PROXY=$proxy_kind)"
"$LEVEE" approve --help >/dev/null 2>&1 || skip "levee approve is not built yet"

pg_start
ctl=$tmp/dbguard.sock
proxy_start --policy "$data_dir/policy-hold.yaml" --control "$ctl" || {
  notok "the guard starts with the hold policy"
  finish
}
approve() { timeout 10 "$LEVEE" approve --control "$ctl" "$@"; }
# held PATTERN: the id of the pending hold whose line matches (waits up to 2 s)
held() {
  local i line
  for ((i = 0; i < 40; i++)); do
    if approve --list >"$tmp/list" 2>"$tmp/list.err" && line=$(grep -m1 -i -F -- "$1" "$tmp/list"); then
      echo "${line%%[[:space:]]*}"
      return 0
    fi
    sleep 0.05
  done
  return 1
}

section "not destructive: not held"
t0=$(date +%s%N)
rc=0
timeout 10 "$psql" -X -At "$(via)" -c "SELECT count(*) FROM orders" >"$tmp/out" 2>&1 || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "a SELECT under the hold policy answers at once (${ms} ms)" '[ $rc = 0 ] && [ "$(cat "$tmp/out")" = 200 ] && [ $ms -lt 2000 ]'

section "approved"
hold_start "DROP TABLE orders"
id=$(held "DROP TABLE orders") || id=
check "a held DROP TABLE is listed by levee approve --list (id ${id:-none})" '[ -n "$id" ]'
[ -n "$id" ] || show "$tmp/list.err" 3
check "... and it has not run yet" '! gone orders'
rc=0
[ -z "$id" ] || approve "$id" >"$tmp/out" 2>&1 || rc=$?
check "levee approve ID: exit 0" '[ -n "$id" ] && [ $rc = 0 ]'
hold_wait
check "the approved DROP TABLE ran: psql exit 0, the table is gone" '[ $hrc = 0 ] && grep -q "^DROP TABLE" "$tmp/held" && gone orders'
[ $hrc = 0 ] || show "$tmp/held" 4
rc=0
approve "$id" >"$tmp/out" 2>&1 || rc=$?
check "approving it again: nonzero exit" '[ $rc != 0 ]'
rc=0
approve no-such-hold-4711 >"$tmp/out" 2>&1 || rc=$?
check "approving an id that is not pending: nonzero exit ($(head -c 100 "$tmp/out"))" '[ $rc != 0 ]'
pg_reset
fp_base=$(fingerprint)
fingerprint_parts >"$tmp/fp.base"

section "denied"
hold_start "DROP TABLE accounts"
id=$(held "DROP TABLE accounts") || id=
rc=0
[ -z "$id" ] || approve --deny "$id" >"$tmp/out" 2>&1 || rc=$?
check "levee approve --deny ID: exit 0" '[ -n "$id" ] && [ $rc = 0 ]'
hold_wait
check "the denied DROP TABLE: 42501 naming levee, data intact" '[ $hrc != 0 ] && grep -q "ERROR:  42501: levee dbguard" "$tmp/held" && intact'
[ $hrc != 0 ] || show "$tmp/held" 4

section "timed out, with keep-alives; others served meanwhile"
t0=$(date +%s%N)
hold_start "TRUNCATE audit_log"
id=$(held "TRUNCATE audit_log") || id=
check "a held TRUNCATE is listed" '[ -n "$id" ]'
t1=$(date +%s%N)
rc=0
timeout 10 "$psql" -X -At "$(via)" -c "SELECT count(*) FROM accounts" >"$tmp/out" 2>&1 || rc=$?
ms=$((($(date +%s%N) - t1) / 1000000))
check "another session is served while a hold waits (${ms} ms)" '[ $rc = 0 ] && [ "$(cat "$tmp/out")" = 53 ] && [ $ms -lt 1500 ]'
hold_wait
ms=$((($(date +%s%N) - t0) / 1000000))
check "no answer: 57014 after the 3 s timeout (${ms} ms)" '[ $hrc != 0 ] && grep -q "ERROR:  57014" "$tmp/held" && [ $ms -ge 2900 ] && [ $ms -lt 8000 ]'
[ $hrc != 0 ] || show "$tmp/held" 4
n=$(grep -c "NOTICE: .*levee dbguard: .*held for approval" "$tmp/held" || true)
check "keep-alive notices while held: $n (at least 2 in 3 s), naming the id" '[ "$n" -ge 2 ] && grep "NOTICE: .*held for approval" "$tmp/held" | grep -q -F -- "$id"'
check "... data intact" 'intact'
approve --list >"$tmp/list" 2>&1 || true
check "the timed-out hold is no longer listed" '[ -z "$id" ] || ! grep -q -F -- "$id" "$tmp/list"'

section "cancelled"
hold_start "DELETE FROM orders"
id=$(held "DELETE FROM orders") || id=
check "a held DELETE without WHERE is listed" '[ -n "$id" ]'
t0=$(date +%s%N)
kill -INT "$hp" 2>/dev/null || true
hold_wait
ms=$((($(date +%s%N) - t0) / 1000000))
check "SIGINT to psql (a CancelRequest) ends the hold: 57014 (${ms} ms)" '[ $hrc != 0 ] && grep -q "ERROR:  57014" "$tmp/held" && [ $ms -lt 2500 ]'
[ $hrc != 0 ] && grep -q "57014" "$tmp/held" || show "$tmp/held" 4
check "... data intact" 'intact'
approve --list >"$tmp/list" 2>&1 || true
check "the cancelled hold is no longer listed" '[ -z "$id" ] || ! grep -q -F -- "$id" "$tmp/list"'

section "the client goes away while held"
hold_start "DROP TABLE accounts"
id=$(held "DROP TABLE accounts") || id=
{ # (the shell's "Killed" notice is not a failure)
  kill -KILL "$hp" 2>/dev/null || true
  hold_wait
} 2>/dev/null
for ((i = 0; i < 40; i++)); do
  approve --list >"$tmp/list" 2>&1 || true
  [ -n "$id" ] && grep -q -F -- "$id" "$tmp/list" || break
  sleep 0.05
done
check "the hold of a client that went away is no longer listed" '[ -n "$id" ] && ! grep -q -F -- "$id" "$tmp/list"'
[ -z "$id" ] || approve "$id" >/dev/null 2>&1 || true
sleep 0.3
check "... approving it then runs nothing: data intact" 'intact'

section "held through the extended protocol"
printf 'DROP TABLE orders;\n' >"$tmp/drop.sql"
timeout 20 "$pgbench" -n -t 1 -M extended -f "$tmp/drop.sql" "$(via)" >"$tmp/held" 2>&1 &
hp=$!
bg_pids+=("$hp")
id=$(held "DROP TABLE orders") || id=
rc=0
[ -z "$id" ] || approve "$id" >"$tmp/out" 2>&1 || rc=$?
hold_wait
check "pgbench -M extended: the held DROP is listed, approved, and runs" '[ -n "$id" ] && [ $rc = 0 ] && [ $hrc = 0 ] && gone orders'
[ $hrc = 0 ] || show "$tmp/held" 4
pg_reset

proxy_stop
check "SIGTERM: the guard exits 0 ($proxy_rc)" '[ "$proxy_rc" = 0 ]'
# The trail: each hold's end, with who approved or denied it.
rc=0
"$LEVEE" audit --data "$guard_data" --type dbop >"$tmp/audit.jsonl" 2>"$tmp/audit.err" || rc=$?
check "levee audit --type dbop: exit 0" '[ $rc = 0 ]'
"$PY" - "$tmp/audit.jsonl" >"$tmp/audit.out" 2>&1 <<'PY' || true
import json, sys
holds = []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        rec = json.loads(line)
        d = rec.get("detail")
        d = json.loads(d) if isinstance(d, str) else d
    except (ValueError, AttributeError):
        continue
    if isinstance(d, dict) and d.get("kind") == "hold":
        holds.append((rec.get("outcome"), d))
outcomes = sorted(o for o, _ in holds)
print("# hold records: " + ", ".join(outcomes))
def say(good, what):
    print(("ok - " if good else "not ok - ") + "audit: " + what)
for want in ("approved", "denied", "timeout", "cancelled"):
    say(want in outcomes, f"a hold record with outcome {want}")
appr = [d for o, d in holds if o == "approved"]
say(bool(appr) and all(d.get("approver") and d.get("statement") and d.get("hold") for d in appr),
    "approved holds name the approver, the statement and the hold id" + (" (" + json.dumps(appr[0], ensure_ascii=False)[:200] + ")" if appr else ""))
PY
relay "$tmp/audit.out"
n_logged=$(grep -c ": held " "$proxy_log" || true)
check "the guard logged a line per held statement ($n_logged, 6 held)" '[ "$n_logged" -ge 6 ]'

section "alerts: a hold and a refusal reach the policy's sinks"
proxy_stop
mkdir -p "$tmp/rx"
"$PY" "$LEVEE_SRC/tests/tools/alert_receiver.py" "$tmp/rx" &
bg_pids+=($!)
for _ in $(seq 1 100); do [ -s "$tmp/rx/ports" ] && break; sleep 0.05; done
rx_port=$(sed -n 's/.*http=\([0-9]*\).*/\1/p' "$tmp/rx/ports")
{
  cat "$data_dir/policy-hold.yaml"
  printf 'alerts:\n  window: 0\n  default: [secops]\n  sinks:\n    secops: {type: webhook, url: "http://127.0.0.1:%s/hook"}\n' "$rx_port"
} >"$tmp/policy-alerts.yaml"
sed -i 's/action: block/action: block\n    notify: [secops]/' "$tmp/policy-alerts.yaml"
proxy_start --policy "$tmp/policy-alerts.yaml" --control "$ctl" || notok "the guard starts with alert sinks"
hold_start "DROP TABLE orders"
id=$(held "DROP TABLE orders") || id=
[ -z "$id" ] || approve --deny "$id" >/dev/null 2>&1 || true
hold_wait
gpsql "$(via)" -c "SELECT 1; SELEC broken" >"$tmp/out" 2>&1 || true
for _ in $(seq 1 100); do [ "$(grep -c . "$tmp/rx/http.jsonl" 2>/dev/null || echo 0)" -ge 2 ] && break; sleep 0.1; done
grep -F -- "${id:-no-hold}" "$tmp/rx/http.jsonl" >"$tmp/rx/held" 2>/dev/null || true
check "the held DROP TABLE reached the webhook, with its hold id and category" \
  '[ -n "$id" ] && grep -q "dbop.destructive" "$tmp/rx/held"'
check "the refused text reached it too (dbop.unparsable, action block)" \
  'grep -q "dbop.unparsable" "$tmp/rx/http.jsonl"'
finish
