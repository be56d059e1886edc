#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# levee dbguard decides a prepared statement again at each Execute (issue
# 8): a time-of-day rule that let a DELETE without WHERE through when it was
# prepared (a protocol Parse) does not let its Execute through when the
# hours have passed. tests/data/dbguard/policy-window.yaml lets destruction
# through in 09:00-11:00 (alert), refuses it in 22:00-23:59 and holds it
# otherwise (the default). The guard's clock is a file the test moves
# (LEVEE_TEST_NOW_FILE, debug builds). With a raw protocol client
# (dbguard_wire.py), one session:
#   - at 10:00 the DELETE is prepared, and runs (in a transaction rolled
#     back);
#   - at 12:00 its Execute is held: denied, 42501 and the rows intact;
#     approved, it runs;
#   - at 23:00 its Execute is refused with 42501 naming the rule, in and
#     out of a transaction block and in a pipelined batch, whose rest the
#     server discards until Sync; the session goes on;
#   - a prepared SELECT runs at any hour;
# then the audit trail has the refused and held Executes.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/integration/dbguard_lib.sh
. "$here/dbguard_lib.sh"
is_guard || skip "deciding at Execute needs levee dbguard (LEVEE_DBGUARD_PROXY=$proxy_kind)"
grep -q '^CMAKE_BUILD_TYPE:STRING=Debug' "$build/CMakeCache.txt" 2>/dev/null ||
  skip "the guard's clock can be moved in debug builds only ($build is not one)"

pg_start
ctl=$tmp/dbguard.sock
export LEVEE_TEST_NOW_FILE=$tmp/now
"$PY" -c 'import time; print(int(time.mktime(time.strptime(time.strftime("%Y-%m-%d") + " 10:00", "%Y-%m-%d %H:%M"))))' \
  >"$LEVEE_TEST_NOW_FILE"
proxy_start --policy "$data_dir/policy-window.yaml" --control "$ctl" || {
  notok "the guard starts with the window policy"
  finish
}

section "a prepared statement, decided again at each Execute"
"$PY" - "$here" "$proxy_port" "$pg_port" "$LEVEE_TEST_NOW_FILE" "$LEVEE" "$ctl" >"$tmp/exec.out" 2>&1 <<'PY' || true
import os, subprocess, sys, time
here, proxy, server, clock, levee, ctl = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:]
sys.path.insert(0, here)
from dbguard_wire import B, Conn, E, P, Q, S, errors, refused, rows, say, scalar, status, types

def at(hhmm):
    day = time.strftime("%Y-%m-%d")
    with open(clock, "w") as f:
        f.write(str(int(time.mktime(time.strptime(day + " " + hhmm, "%Y-%m-%d %H:%M")))))

def count():
    return scalar(server, "SELECT count(*) FROM orders")

def hold_id(pattern):
    for _ in range(60):
        out = subprocess.run([levee, "approve", "--control", ctl, "--list"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if pattern in line:
                return line.split()[0]
        time.sleep(0.05)
    return None

def approve(hid, deny=False):
    args = [levee, "approve", "--control", ctl] + (["--deny"] if deny else []) + [hid]
    return subprocess.run(args, capture_output=True, text=True).returncode

n0 = count()
say(n0 not in (None, "0"), f"orders has rows ({n0})")
c = Conn(proxy)

at("10:00")
c.send(P("del", "DELETE FROM orders") + P("sel", "SELECT count(*) FROM orders") + S)
r = c.until_ready()
say(not errors(r) and types(r) == "11Z", f"10:00, in the maintenance window: the DELETE without WHERE is prepared ({types(r)})")
c.send(Q("BEGIN"))
c.until_ready()
c.send(B("", "del") + E() + S)
r = c.until_ready()
c.send(Q("ROLLBACK"))
c.until_ready()
say(not errors(r) and "C" in types(r), f"10:00: its Execute runs ({types(r)}), rolled back")
say(count() == n0, "... and the rows are back")

at("12:00")
c.send(B("", "del") + E() + S)
hid = hold_id("DELETE FROM orders")
say(hid is not None, f"12:00, outside the window: its Execute is held ({hid})")
rc = approve(hid, deny=True) if hid else -1
r = c.until_ready()
e = errors(r)
say(rc == 0 and len(e) == 1 and e[0].get("C") == "42501" and status(r) == "I" and "N" in types(r),
    f"denied: a NoticeResponse while held, then 42501 and ReadyForQuery idle ({types(r)}, {e[:1]})")
say(count() == n0, "... and the rows are intact")
c.send(Q("BEGIN"))
c.until_ready()
c.send(B("", "del") + E() + S)
hid = hold_id("DELETE FROM orders")
rc = approve(hid) if hid else -1
r = c.until_ready()
say(hid is not None and rc == 0 and not errors(r) and "C" in types(r) and status(r) == "T",
    f"approved: it runs, in its transaction ({types(r)})")
c.send(Q("ROLLBACK"))
c.until_ready()
say(count() == n0, "... rolled back, the rows are back")

at("23:00")
c.send(B("", "del") + E() + S)
r = c.until_ready()
e = errors(r)
say(len(e) == 1 and refused(e[0]) and "night-block" in e[0].get("M", "") and status(r) == "I",
    f"23:00: its Execute is refused by night-block, ReadyForQuery idle ({types(r)}, {e[:1]})")
say(count() == n0, "... and the rows are intact")
c.send(Q("BEGIN"))
c.until_ready()
c.send(B("", "del") + E() + S)
r = c.until_ready()
e = errors(r)
say(len(e) == 1 and refused(e[0]) and status(r) == "E",
    f"23:00, in a transaction block: refused, the transaction failed ({types(r)})")
c.send(Q("ROLLBACK"))
c.until_ready()
c.send(B("", "sel") + E() + B("", "del") + E() + B("", "sel") + E() + S)
r = c.until_ready()
e = errors(r)
say(len(e) == 1 and refused(e[0]) and rows(r) == [n0] and status(r) == "I",
    f"23:00, a pipelined batch: the SELECT before runs, the refused Execute errs, the rest is discarded ({types(r)})")
c.send(B("", "sel") + E() + S)
r = c.until_ready()
say(not errors(r) and rows(r) == [n0], f"23:00: a prepared SELECT runs ({rows(r)})")
c.send(Q("SELECT 1"))
r = c.until_ready()
say(rows(r) == ["1"], "the session goes on")
c.close()
say(count() == n0, "the rows are intact at the end")
PY
relay "$tmp/exec.out"
grep -q "^ok - " "$tmp/exec.out" || notok "the protocol client ran: $(tail -n3 "$tmp/exec.out" | tr '\n' ' ')"

section "the audit trail"
proxy_stop
check "SIGTERM: the guard exits 0 ($proxy_rc)" '[ "$proxy_rc" = 0 ]'
rc=0
"$LEVEE" audit --data "$guard_data" --type dbop >"$tmp/audit.jsonl" 2>"$tmp/audit.err" || rc=$?
check "levee audit --type dbop: exit 0" '[ $rc = 0 ]'
"$PY" - "$tmp/audit.jsonl" >"$tmp/audit.out" 2>&1 <<'PY' || true
import json, sys
recs = []
for line in open(sys.argv[1], encoding="utf-8"):
    rec = json.loads(line)
    d = rec.get("detail")
    d = json.loads(d) if isinstance(d, str) else d
    d["outcome"] = rec.get("outcome")
    recs.append(d)
dels = [r for r in recs if r.get("kind") == "statement" and r.get("statement") == "DELETE FROM orders"]
def say(good, what):
    print(("ok - " if good else "not ok - ") + "audit: " + what)
say(any(r["outcome"] == "refused" and r.get("rule") == "night-block" and r.get("fingerprint") for r in dels),
    "the refused Execute: outcome refused, rule night-block, the fingerprint")
say(any(r["outcome"] == "ok" and r.get("hold") and r.get("approver") for r in dels),
    "the approved Execute: its hold and its approver")
holds = [r for r in recs if r.get("kind") == "hold"]
say({"held", "denied", "approved"} <= {r["outcome"] for r in holds}, f"the holds: {sorted({r['outcome'] for r in holds})}")
PY
relay "$tmp/audit.out"
finish
