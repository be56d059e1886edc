#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# levee dbguard with real clients in front of a real PostgreSQL (issue 8):
#   1. every `refuse` case of tests/data/dbguard/cases.tsv, sent by psql
#      (simple protocol), gets 42501 from the guard, the session goes on,
#      and the data is intact (a fingerprint of rows, schema, roles,
#      privileges, settings: dbguard_lib.sh); the one-statement cases also
#      through pgbench -M extended and -M prepared;
#   2. every `pass` case goes through and does what it does straight on the
#      server: the same output and the same data afterwards;
#   3. what lexes differently: GBK and BIG5 clients (a character whose
#      second byte is a backslash), standard_conforming_strings off (SET,
#      set_config, at startup), a refusal inside a transaction;
#   4. the protocol as psql does not speak it (dbguard_wire.py): pipelined
#      and split messages, discarding until Sync, ReadyForQuery's status;
#   5. pgbench through the guard: -S and TPC-B, simple, extended and
#      prepared, 4 clients, no errors;
#   6. the audit trail (levee audit --type dbop): records for passed and
#      refused statements, rows of a DELETE ... WHERE; levee verify passes;
#      SIGTERM exits 0.
# Authentication and TLS: test_dbguard_auth.sh; holds: test_dbguard_hold.sh.
# LEVEE_DBGUARD_PROXY=pgbouncer runs it against PgBouncer (dbguard_lib.sh).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/integration/dbguard_lib.sh
. "$here/dbguard_lib.sh"

cases="${LEVEE_DBGUARD_CASES:-$data_dir/cases.tsv}"
[ -f "$cases" ] || skip "no case list $cases (the SQL classifier's helper writes it)"
policy="$data_dir/policy-block.yaml"

pg_start
split_cases "$cases" "$tmp/cases" || {
  notok "the case list $cases reads"
  finish
}
n_refuse=$(awk -F'\t' '$2 == "refuse"' "$tmp/cases/index" | wc -l)
n_pass=$(awk -F'\t' '$2 == "pass"' "$tmp/cases/index" | wc -l)
note "cases: $n_refuse refuse, $n_pass pass, from $cases"
proxy_start --policy "$policy" || {
  notok "the proxy starts"
  finish
}
ok "the proxy starts and says where it listens"

# --- 1. refuse ------------------------------------------------------------------------------
section "1. refuse cases, psql (simple protocol)"
r_ok=0 r_other=0
while IFS=$'\t' read -r n verdict category line fits nq; do
  [ "$verdict" = refuse ] || continue
  case_args "$n"
  gpsql "$(via)" "${qargs[@]}" -c "SELECT 'still here'" >"$tmp/out" 2>&1 || true
  what="refuse line $line ($category): $(case_text "$n")"
  if intact; then i=1; else i=0; fi
  if refused_in "$tmp/out" && grep -q "still here" "$tmp/out" && [ $i = 1 ]; then
    r_ok=$((r_ok + 1))
    ok "$what"
    # The category the refusal names (the unit test checks the classifier's
    # categories; here a difference is only noted: a statement can be in two).
    if ! grep "ERROR:  42501: levee dbguard" "$tmp/out" | grep -q -F "($category)"; then
      r_other=$((r_other + 1))
      note "line $line refused as $(grep -m1 -o "ERROR:  42501: levee dbguard.*" "$tmp/out" | grep -o '(dbop\.[a-z]*)' | tail -n1), the case says $category"
    fi
  else
    notok "$what: $( [ $i = 1 ] && echo "data intact" || echo "DATA CHANGED"), $(refused_in "$tmp/out" && echo "42501 from the guard" || echo "not refused by the guard"), $(grep -q "still here" "$tmp/out" && echo "session went on" || echo "session lost")"
    show "$tmp/out" 4
    [ $i = 1 ] || show "$tmp/fp.diff" 6
  fi
done <"$tmp/cases/index"
note "refused by psql: $r_ok of $n_refuse ($r_other naming another category than the case's)"
gpsql "$(via)" -c "DROP TABLE accounts" >"$tmp/out" 2>&1 || true
check "the refusal names levee and the rule: $(grep -m1 ERROR "$tmp/out" | cut -c1-160)" \
  'grep -q "ERROR:  42501: levee dbguard: .*no-destructive" "$tmp/out" && intact'

section "1b. refuse cases, pgbench -M extended and -M prepared (one-statement cases)"
n_fit=0 n_unfit=0
while IFS=$'\t' read -r n verdict category line fits nq; do
  [ "$verdict" = refuse ] || continue
  if [ "$fits" != 1 ]; then
    n_unfit=$((n_unfit + 1))
    continue
  fi
  n_fit=$((n_fit + 1))
  for mode in extended prepared; do
    rc=0
    timeout 30 "$pgbench" -n -t 1 -M "$mode" -f "$tmp/cases/$n/1.sql" "$(via)" >"$tmp/out" 2>&1 || rc=$?
    what="pgbench -M $mode, refuse line $line ($category)"
    if intact; then i=1; else i=0; fi
    if [ $rc -ne 0 ] && grep -q "levee dbguard" "$tmp/out" && [ $i = 1 ]; then
      ok "$what"
    else
      notok "$what: exit $rc, $( [ $i = 1 ] && echo "data intact" || echo "DATA CHANGED"), $(grep -q "levee dbguard" "$tmp/out" && echo "refused by the guard" || echo "not refused by the guard")"
      grep -m2 -i "error" "$tmp/out" | sed 's/^/#   /' || true
    fi
  done
done <"$tmp/cases/index"
note "pgbench: $n_fit one-statement refuse cases run in both modes; $n_unfit left out (several statements or queries, bytes in another encoding, or a pgbench :variable: psql covers them)"

# --- 2. pass ---------------------------------------------------------------------------------
section "2. pass cases: the same output and the same data as straight on the server"
# Output and the fingerprint after, through CONNINFO; resets what changed.
run_pass() { # CONNINFO CASE OUT
  local rc=0
  case_args "$2"
  timeout 30 "$psql" -X -At -v ON_ERROR_STOP=1 "$1" "${qargs[@]}" >"$3" 2>"$3.err" || rc=$?
  local fp
  fp=$(fingerprint)
  echo "$rc $fp"
  [ "$fp" = "$fp_base" ] || pg_reset
}
while IFS=$'\t' read -r n verdict category line fits nq; do
  [ "$verdict" = pass ] || continue
  what="pass line $line: $(case_text "$n")"
  a=$(run_pass "$(via)" "$n" "$tmp/a")
  b=$(run_pass "$(direct)" "$n" "$tmp/b")
  if [ "${a%% *}" = 0 ] && [ "$a" = "$b" ] && cmp -s "$tmp/a" "$tmp/b"; then
    ok "$what"
  elif [ "${a%% *}" = 0 ] && [ "$a" = "$b" ]; then
    # Output that differs from run to run (now(), random()) is not the guard's doing.
    c=$(run_pass "$(direct)" "$n" "$tmp/c")
    if [ "$b" = "$c" ] && ! cmp -s "$tmp/b" "$tmp/c"; then
      ok "$what (its output differs from run to run; exit status and data compared)"
    else
      notok "$what: the output differs from the server's own"
      diff "$tmp/a" "$tmp/b" | head -n 6 | sed 's/^/#   /'
    fi
  else
    notok "$what: through the proxy exit ${a%% *}, straight exit ${b%% *}$( [ "${a#* }" = "${b#* }" ] || echo ", the data after differ")"
    show "$tmp/a.err" 3
  fi
done <"$tmp/cases/index"

# --- 3. encodings and session settings ----------------------------------------------------
section "3. client encodings, standard_conforming_strings, transactions"
# refuse_sql WHAT [ENV...] -- PSQL-ARGS...: refused with the data intact, the session going on
refuse_sql() {
  local what=$1 envs=()
  shift
  while [ "$1" != -- ]; do
    envs+=("$1")
    shift
  done
  shift
  env "${envs[@]}" timeout 30 "$psql" -X -v ON_ERROR_STOP=0 -v VERBOSITY=verbose "$(via)" "$@" \
    -c "SELECT 'still here'" >"$tmp/out" 2>&1 || true
  if intact; then i=1; else i=0; fi
  if refused_in "$tmp/out" && grep -q "still here" "$tmp/out" && [ $i = 1 ]; then
    ok "$what: refused, data intact"
  else
    notok "$what: $( [ $i = 1 ] && echo "data intact" || echo "DATA CHANGED"), $(refused_in "$tmp/out" && echo "42501 from the guard" || echo "not refused by the guard")"
    show "$tmp/out" 4
  fi
}
# pass_sql WHAT [ENV...] -- PSQL-ARGS...: goes through, output as straight on the server
pass_sql() {
  local what=$1 envs=()
  shift
  while [ "$1" != -- ]; do
    envs+=("$1")
    shift
  done
  shift
  local rca=0 rcb=0
  env "${envs[@]}" timeout 30 "$psql" -X -At -v ON_ERROR_STOP=1 "$(via)" "$@" >"$tmp/a" 2>"$tmp/a.err" || rca=$?
  intact || true
  env "${envs[@]}" timeout 30 "$psql" -X -At -v ON_ERROR_STOP=1 "$(direct)" "$@" >"$tmp/b" 2>"$tmp/b.err" || rcb=$?
  intact || true
  if [ $rca = 0 ] && [ $rcb = 0 ] && cmp -s "$tmp/a" "$tmp/b"; then
    ok "$what: goes through, the same answer as the server's"
  else
    notok "$what: through the proxy exit $rca, straight exit $rcb$(cmp -s "$tmp/a" "$tmp/b" || echo ", answers differ")"
    show "$tmp/a.err" 3
  fi
}
gbk_5c=$'\x81\x5c'  # 乗 in GBK: its second byte is '\'
big5_5c=$'\xa5\x5c' # 功 in BIG5
# Lexed byte by byte, \' escapes the quote and the DROP is inside a string;
# the server, in GBK, sees the character, the quote ends the string, and the
# DROP runs.
refuse_sql "GBK client: E'乗'; DROP TABLE accounts; --' (second byte 0x5c)" PGCLIENTENCODING=GBK -- \
  -c "SELECT E'$gbk_5c'; DROP TABLE accounts; --'"
refuse_sql "BIG5 client: E'功'; DELETE FROM orders; --'" PGCLIENTENCODING=BIG5 -- \
  -c "SELECT E'$big5_5c'; DELETE FROM orders; --'"
refuse_sql "GBK client, standard_conforming_strings off: '乗'; DROP TABLE accounts; --'" PGCLIENTENCODING=GBK -- \
  -c "SET standard_conforming_strings = off" -c "SELECT '$gbk_5c'; DROP TABLE accounts; --'"
refuse_sql "SET client_encoding TO 'GBK' in the session, then E'乗'; TRUNCATE orders; --'" -- \
  -c "SET client_encoding TO 'GBK'" -c "SELECT E'$gbk_5c'; TRUNCATE orders; --'"
# The other way round: harmless in GBK, a DROP when lexed byte by byte.
pass_sql "GBK client: SELECT E'乗', '; DROP TABLE accounts; --' is one harmless SELECT" PGCLIENTENCODING=GBK -- \
  -c "SELECT E'$gbk_5c', '; DROP TABLE accounts; --'"
pass_sql "BIG5 client: Chinese text read back in BIG5, a BIG5 literal with a 0x5c byte" PGCLIENTENCODING=BIG5 -- \
  -c "SELECT name || '$big5_5c' FROM accounts WHERE id = 53"
pass_sql "GBK client: INSERT of GBK text" PGCLIENTENCODING=GBK -- \
  -c "INSERT INTO audit_log (msg) VALUES (E'$gbk_5c$gbk_5c') RETURNING msg"
# standard_conforming_strings off: 'a\'' is the string a' and the DROP runs;
# with it on (the default) the same text is one string.
refuse_sql "SET standard_conforming_strings = off, then SELECT 'a\\''; DROP TABLE accounts; --'" -- \
  -c "SET standard_conforming_strings = off" -c "SELECT 'a\\''; DROP TABLE accounts; --'"
refuse_sql "set_config('standard_conforming_strings', 'off'), then the same" -- \
  -c "SELECT set_config('standard_conforming_strings', 'off', false)" -c "SELECT 'a\\''; DROP TABLE accounts; --'"
# Startup options: the statement refused, or the connection (the guard
# cannot see what -c settings do), the data intact either way.
PGOPTIONS="-c standard_conforming_strings=off" timeout 30 "$psql" -X -v VERBOSITY=verbose "$(via)" \
  -c "SELECT 'a\\''; DROP TABLE accounts; --'" >"$tmp/out" 2>&1 || true
if intact; then i=1; else i=0; fi
check "standard_conforming_strings off at startup (PGOPTIONS), then the same: refused, data intact" \
  '[ $i = 1 ] && { refused_in "$tmp/out" || grep -q "FATAL: .*levee dbguard" "$tmp/out"; }'
[ $i = 1 ] && { refused_in "$tmp/out" || grep -q "levee dbguard" "$tmp/out"; } || show "$tmp/out" 3
pass_sql "standard_conforming_strings on: SELECT 'a\\''; DROP TABLE accounts; --' is one string" -- \
  -c "SELECT 'a\\''; DROP TABLE accounts; --'"
pass_sql "standard_conforming_strings off: SELECT 'a\\'; DROP TABLE accounts; --' is one string" -- \
  -c "SET standard_conforming_strings = off" -c "SELECT 'a\\'; DROP TABLE accounts; --'"
# A refusal inside a transaction: the transaction is failed, COMMIT rolls back.
gpsql "$(via)" -c "BEGIN" -c "INSERT INTO audit_log (msg) VALUES ('before the refusal')" -c "DROP TABLE orders" \
  -c "SELECT 1" -c "COMMIT" -c "SELECT 'still here'" >"$tmp/out" 2>&1 || true
if intact; then i=1; else i=0; fi
check "a refusal inside a transaction: 42501, then 25P02, COMMIT rolls back (the INSERT before is gone)" \
  'refused_in "$tmp/out" && grep -q "ERROR:  25P02" "$tmp/out" && grep -q "^ROLLBACK" "$tmp/out" && grep -q "still here" "$tmp/out" && [ $i = 1 ]'
[ $i = 1 ] && refused_in "$tmp/out" || show "$tmp/out" 8

# --- 4. the protocol, as psql does not speak it -----------------------------------------------
section "4. the protocol: pipelined, split, extended batches (dbguard_wire.py)"
wire_args=("$proxy_port" "$pg_port")
is_guard || wire_args+=(--no-refusals)
"$PY" "$here/dbguard_wire.py" "${wire_args[@]}" >"$tmp/wire.out" 2>&1 || true
relay "$tmp/wire.out"
check "the data intact after the protocol checks" 'intact'

# --- 5. pgbench ---------------------------------------------------------------------------------
section "5. pgbench through the proxy: -S and TPC-B, simple, extended, prepared"
admin -c "CREATE DATABASE bench OWNER ops" >/dev/null
timeout 120 "$pgbench" -i -s 1 -q "$(direct ops bench)" >"$tmp/init.out" 2>&1 ||
  notok "pgbench -i straight on the server: $(tail -n1 "$tmp/init.out")"
for script in select-only tpcb-like; do
  for mode in simple extended prepared; do
    rc=0
    timeout 60 "$pgbench" -n -b "$script" -M "$mode" -c 4 -j 2 -T 3 "$(via ops bench)" >"$tmp/bench.out" 2>&1 || rc=$?
    tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$tmp/bench.out")
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$tmp/bench.out")
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$tmp/bench.out")
    check "pgbench -b $script -M $mode -c 4 -T 3: exit 0, ${tx:-no} transactions, ${failed:-?} failed (${tps:-?} tps)" \
      '[ $rc = 0 ] && [ "${tx:-0}" -gt 0 ] && [ "${failed:-0}" = 0 ] && ! grep -q "error" "$tmp/bench.out"'
    [ $rc = 0 ] || grep -m3 -i error "$tmp/bench.out" | sed 's/^/#   /' || true
  done
done

# --- 6. the audit trail ----------------------------------------------------------------------
section "6. the audit trail"
rc=0
gpsql "$(via app)" -c "DELETE FROM orders WHERE id > 190" >"$tmp/out" 2>&1 || rc=$?
check "DELETE ... WHERE id > 190 through the proxy: DELETE 10" 'grep -q "^DELETE 10" "$tmp/out"'
pg_reset
fp_base=$(fingerprint)
proxy_stop
if is_guard; then
  check "SIGTERM: the guard exits 0 ($proxy_rc)" '[ "$proxy_rc" = 0 ]'
  shaped=$(sed -n 's/.*stopped: [0-9]* statements classified, \([0-9]*\) of them by their shape.*/\1/p' "$proxy_log")
  check "the guard answered statements by their shape from its cache (pgbench's SELECTs): ${shaped:-none}" \
    '[ "${shaped:-0}" -gt 100 ]'
  # The statements' records: levee audit --type dbop (JSON Lines, the
  # record's detail as written by the guard).
  rc=0
  "$LEVEE" audit --data "$guard_data" --type dbop >"$tmp/audit.jsonl" 2>"$tmp/audit.err" || rc=$?
  check "levee audit --data DIR --type dbop: exit 0, records" '[ $rc = 0 ] && [ -s "$tmp/audit.jsonl" ]'
  [ $rc = 0 ] || show "$tmp/audit.err" 3
  "$PY" - "$tmp/audit.jsonl" >"$tmp/audit.out" 2>&1 <<'PY' || true
import json, sys
recs = []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        rec = json.loads(line)
        d = rec.get("detail")
        d = json.loads(d) if isinstance(d, str) else d
    except (ValueError, AttributeError):
        continue
    if rec.get("type") == "dbop" and isinstance(d, dict):
        d.setdefault("outcome", rec.get("outcome"))
        d.setdefault("actor", rec.get("actor"))
        recs.append(d)
stmts = [r for r in recs if r.get("kind", "statement") == "statement" and "statement" in r]
def has(r, k):
    return r.get(k) not in (None, "")
def say(good, what):
    print(("ok - " if good else "not ok - ") + "audit: " + what)
def show(r):
    return " (" + json.dumps(r, ensure_ascii=False)[:300] + ")" if r else ""
print(f"audit records (type dbop): {len(recs)}, of statements {len(stmts)}")
say(len(stmts) > 0, f"{len(stmts)} statement records (type dbop)")
refused = [r for r in stmts if r.get("action") in ("block", "refuse", "deny")]
allowed = [r for r in stmts if r.get("action") in ("allow", "alert")]
say(len(refused) > 0 and len(allowed) > 0, f"records of refused ({len(refused)}) and allowed ({len(allowed)}) statements")
drop = [r for r in refused if "DROP TABLE" in str(r.get("statement", "")).upper()]
say(bool(drop) and all(has(drop[0], k) for k in ("user", "database", "client", "fingerprint", "rule", "categories")),
    "a refused DROP TABLE: user, database, client, fingerprint, categories and the rule" + show(drop[:1] and drop[0]))
dele = [r for r in stmts if "DELETE FROM ORDERS WHERE ID > 190" in str(r.get("statement", "")).upper()]
say(bool(dele) and str(dele[0].get("rows")) == "10" and dele[0].get("user") == "app" and dele[0].get("database") == "shop"
    and has(dele[0], "fingerprint"), "the DELETE ... WHERE: user app, database shop, rows 10, a fingerprint" + show(dele[:1] and dele[0]))
say(all(has(r, "duration_us") for r in allowed), "every allowed statement's record has its duration")
sel = [r for r in allowed if str(r.get("statement", "")).strip().upper().startswith("SELECT ")]
fps = {}
for r in sel:
    fps.setdefault(r.get("fingerprint"), set()).add(r.get("statement"))
say(any(len(v) > 1 for v in fps.values()), "statements that differ in constants only share a fingerprint")
# pgbench -S: the first of these is parsed, the rest answered by their shape
# (src/sql/sql_cache.h); every record has the classifier's fingerprint
ab = [r for r in allowed if str(r.get("statement", "")).startswith("SELECT abalance FROM pgbench_accounts WHERE aid = ")]
abf = {r.get("fingerprint") for r in ab}
say(len(ab) > 100 and len(abf) == 1 and not abf & {None, ""},
    f"pgbench's {len(ab)} SELECT abalance records have one fingerprint ({', '.join(sorted(map(str, abf))[:3])})")
PY
  relay "$tmp/audit.out"
  rc=0
  "$LEVEE" verify --data "$guard_data" >"$tmp/verify.out" 2>&1 || rc=$?
  check "levee verify --data DIR passes after the run" '[ $rc = 0 ]'
  [ $rc = 0 ] || show "$tmp/verify.out" 4
  n_logged=$(grep -c ": refused by " "$proxy_log" || true)
  check "the guard logged a line per refusal ($n_logged lines, $r_ok refused cases)" '[ "$n_logged" -ge "$r_ok" ] && [ "$r_ok" -gt 0 ]'
else
  note "audit trail: PgBouncer keeps none; left out"
fi

finish
