#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The audit store's PostgreSQL back end (`--store postgres://...`), against
# a real server that scripts/pg-test-server.sh starts in a temporary
# directory and stops at the end:
#   - the SQLite back end's tests, run against it: test_store_cli.sh,
#     test_store_stats.sh, test_register.sh, test_admin.sh,
#     test_store_purge.sh, test_trace.sh, test_store_kill.sh (50 kills) and
#     the unit tests test_store and test_trace (LEVEE_TEST_STORE,
#     LEVEE_TEST_STORE_URL);
#   - the same events and searches give the same results, byte for byte,
#     from either back end (phrases, Traditional/Simplified, full width,
#     attachments' text, filters, paging, highlights);
#   - what only PostgreSQL has: NUL and invalid UTF-8 kept exactly, one
#     writer at a time, candidates the phrase check turns down, errors that
#     say what is wrong (no server, a password in the URL, a newer schema,
#     no usable libpq), and libpq not linked into levee.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
build="${LEVEE_BUILD:-$(dirname "$LEVEE")}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp=$(mktemp -d)
chmod 755 "$tmp" # the server runs as another user when root runs this
server="$tmp/pg"
stop_server() {
  bash "$LEVEE_SRC/scripts/pg-test-server.sh" stop "$server" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap stop_server EXIT
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
t0=$(date +%s)

url=$(bash "$LEVEE_SRC/scripts/pg-test-server.sh" start "$server" 2>"$tmp/server.err") || {
  echo "could not start PostgreSQL: $(tail -n3 "$tmp/server.err")" >&2
  exit 1
}
base=${url%/*}
psql="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)/psql"
sql() { PGOPTIONS="-c client_min_messages=warning" "$psql" -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
newdb() { sql "$url" "CREATE DATABASE $1" && echo "$base/$1"; }

# --- the SQLite back end's tests, against PostgreSQL ---------------------------
for t in test_store_cli test_store_stats test_store_purge test_register test_admin test_trace; do
  LEVEE_TEST_STORE="$url" bash "$here/$t.sh" >"$tmp/$t.out" 2>&1; rc=$?
  check "$t.sh against PostgreSQL ($(tail -n1 "$tmp/$t.out"))" '[ $rc -eq 0 ]'
  [ $rc -eq 0 ] || grep FAIL "$tmp/$t.out" >&2
  echo "$t.sh against PostgreSQL: $(tail -n1 "$tmp/$t.out")"
done
LEVEE_TEST_STORE="$url" LEVEE_KILL_ITERATIONS="${LEVEE_KILL_ITERATIONS:-50}" \
  bash "$here/test_store_kill.sh" >"$tmp/kill.out" 2>&1; rc=$?
check "test_store_kill.sh against PostgreSQL ($(grep '^test_store_kill' "$tmp/kill.out"))" '[ $rc -eq 0 ]'
[ $rc -eq 0 ] || tail -n5 "$tmp/kill.out" >&2
grep '^test_store_kill' "$tmp/kill.out"
if [ -x "$build/test_store" ]; then
  sql "$url" "CREATE DATABASE unit"
  (cd "$LEVEE_SRC" && LEVEE_TEST_STORE_URL="$base/unit" "$build/test_store") >"$tmp/unit.out" 2>&1; rc=$?
  check "unit test test_store against PostgreSQL" '[ $rc -eq 0 ] && grep -q "PASSED" "$tmp/unit.out"'
  [ $rc -eq 0 ] || tail -n20 "$tmp/unit.out" >&2
else
  bad "no $build/test_store: build it (cmake --build ... --target test_store)"
fi
if [ -x "$build/test_trace" ]; then
  sql "$url" "CREATE DATABASE unit_trace"
  (cd "$LEVEE_SRC" && LEVEE_TEST_STORE_URL="$base/unit_trace" "$build/test_trace") >"$tmp/unit_trace.out" 2>&1; rc=$?
  check "unit test test_trace against PostgreSQL" '[ $rc -eq 0 ] && grep -q "PASSED" "$tmp/unit_trace.out"'
  [ $rc -eq 0 ] || tail -n20 "$tmp/unit_trace.out" >&2
else
  bad "no $build/test_trace: build it (cmake --build ... --target test_trace)"
fi

# --- the same answers from both back ends ---------------------------------------
events="$LEVEE_SRC/../shared/data/dev/messages.jsonl"
mkdir -p "$tmp/in"
printf '机密文件：本报告为机密，请勿外传。\nSECRET report\n' >"$tmp/in/a.txt"
/usr/bin/python3 - "$events" "$tmp/in/events.jsonl" <<'PY'
import json, sys
out = open(sys.argv[2], "w", encoding="utf-8")
for line in open(sys.argv[1], encoding="utf-8"):
    out.write(line)
extra = [
    ("x1", "機密文件 請傳達 機密", {}),
    ("x2", "机，密 和 机\u200d密 还有 ｍｉｘｅｄ ＡＢＣ abc", {}),
    ("x3", "机机机机 机机 机密机密机密", {}),
    ("x4", "转账500元给我 转账 500 元", {}),
    ("x5", "Secret SECRET secretary ㍿ 株式会社 ﬁle", {}),
    ("x6", "see attachment 机密", {"attachments": [{"kind": "file", "name": "a.txt", "path": "a.txt"}]}),
    ("x7", "emoji 😀机😀密 ★机密★ 한국어 日本語のテキスト", {}),
]
for i, (id_, text, more) in enumerate(extra):
    e = {"id": id_, "time": 1700000000000 + i, "channel": "qq", "sender": {"id": "s9"}, "text": text}
    e.update(more)
    out.write(json.dumps(e, ensure_ascii=False) + "\n")
PY
same=$(newdb same)
"$LEVEE" ingest --data "$tmp/same" "$tmp/in/events.jsonl" >/dev/null 2>&1
"$LEVEE" ingest --store "$same" "$tmp/in/events.jsonl" >/dev/null 2>&1; rc=$?
check "ingest into PostgreSQL" '[ $rc -eq 0 ]'
n_same=0 n_diff=0
while IFS='|' read -r query opts; do
  "$LEVEE" search --data "$tmp/same" --json --limit 100 $opts -- "$query" >"$tmp/a" 2>&1; ra=$?
  "$LEVEE" search --store "$same" --json --limit 100 $opts -- "$query" >"$tmp/b" 2>&1; rb=$?
  if [ $ra -eq $rb ] && cmp -s "$tmp/a" "$tmp/b"; then
    n_same=$((n_same + 1))
  else
    n_diff=$((n_diff + 1))
    echo "search [$query] $opts: SQLite exit $ra, PostgreSQL exit $rb" >&2
    diff "$tmp/a" "$tmp/b" | head -n4 >&2
  fi
done <<'Q'
机密|
機密|
机|
密|
机密 文件|
机密文件|
机机|
机机机|
机 机|
机密机密|
转账500元|
500 元|
secret|
SECRET secretary|
株式会社|
file|
mixed abc|
请勿外传|
report|
😀|
日本語|
한국어|
身份证|
会议|
机密|--sender s2
机密|--channel qq
机密|--category classified.
机密|--category classified.marking
机密|--action block
机密|--since 2020-07-15 --until 2020-07-16
机|--limit 3
机|--offset 2 --limit 3
"机密" OR body:x|
Q
check "the same hits and highlights from SQLite and PostgreSQL ($n_same searches)" '[ $n_diff -eq 0 ] && [ $n_same -ge 30 ]'
"$LEVEE" search --store "$same" '★' >/dev/null 2>"$tmp/err"; rc=$?
check "nothing to search for: exit 2, said" '[ $rc -eq 2 ] && grep -q "nothing to search for" "$tmp/err"'

# Candidates the phrase check turns down: 60 newer messages hold every token
# of 机密文件 but not the phrase, so the search goes on past them.
/usr/bin/python3 - "$tmp/in/decoys.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i in range(3):
        f.write(json.dumps({"id": "real%d" % i, "time": 1, "channel": "qq", "text": "这是机密文件%d" % i}, ensure_ascii=False) + "\n")
    for i in range(60):
        f.write(json.dumps({"id": "decoy%d" % i, "time": 1, "channel": "qq", "text": "机密 密文 文件 %d" % i}, ensure_ascii=False) + "\n")
PY
decoys=$(newdb decoys)
"$LEVEE" ingest --store "$decoys" "$tmp/in/decoys.jsonl" >/dev/null 2>&1
"$LEVEE" search --store "$decoys" --json --limit 2 机密文件 >"$tmp/sout" 2>/dev/null; rc=$?
check "rows holding the tokens but not the phrase are passed over" '[ $rc -eq 0 ] && [ "$(grep -c . "$tmp/sout")" -eq 2 ] && grep -q "\"id\":\"real2\"" "$tmp/sout" && ! grep -q decoy "$tmp/sout"'
"$LEVEE" search --store "$decoys" --json --offset 2 机密文件 >"$tmp/sout" 2>/dev/null; rc=$?
check "... and paged past" '[ $rc -eq 0 ] && [ "$(grep -c . "$tmp/sout")" -eq 1 ] && grep -q "\"id\":\"real0\"" "$tmp/sout"'

# --- bytes text cannot hold --------------------------------------------------------
printf '%s\n' '{"id":"n\u0000ul","time":1,"channel":"wechat","sender":{"id":"s\u0000x","name":"名\u0000字"},"text":"x\u0000y 机密 end"}' >"$tmp/in/odd.jsonl"
printf '{"id":"bad\xff","time":1,"channel":"wechat","sender":{"id":"u\xfe"},"conversation":{"id":"c\xff","title":"t\xff"},"text":"\xe6\x9c\xba\xff\xe5\xaf\x86 \xe6\x9c\xba\xe5\xaf\x86", "meta": {"k": "\xff"}}\n' >>"$tmp/in/odd.jsonl"
odd=$(newdb odd)
"$LEVEE" ingest --store "$odd" "$tmp/in/odd.jsonl" >"$tmp/out" 2>&1; rc=$?
check "NUL (from \\u0000) and invalid UTF-8 are stored" '[ $rc -eq 0 ] && grep -q "2 stored" "$tmp/out"'
check "... exactly, as bytea" '[ "$(sql "$odd" "SELECT encode(text, '"'"'hex'"'"') FROM content WHERE seq = 1")" = "78007920e69cbae5af8620656e64" ] && [ "$(sql "$odd" "SELECT encode(id, '"'"'hex'"'"') FROM event WHERE seq = 2")" = 626164ff ]'
"$LEVEE" verify --store "$odd" >"$tmp/vout" 2>&1; rc=$?
check "... and verify" '[ $rc -eq 0 ] && grep -q "intact" "$tmp/vout"'
"$LEVEE" search --store "$odd" --json 机密 >"$tmp/sout" 2>/dev/null; rc=$?
check "... and are found, whole" '[ $rc -eq 0 ] && grep -q "\"text\":\"x\\\\u0000y 机密 end\",\"text_matches\":\[\[4,10\]\]" "$tmp/sout" && grep -q "\"id\":\"bad�\"" "$tmp/sout"'
sql "$odd" "UPDATE event SET sender_id = '\\x73007979' WHERE seq = 1"
"$LEVEE" verify --store "$odd" >"$tmp/vout" 2>&1; rc=$?
check "a changed byte after a NUL is caught" '[ $rc -eq 1 ] && grep -q "^record 1 .*altered" "$tmp/vout"'

# --- one writer at a time ------------------------------------------------------------
# Another session holds the writer's lock for 2 s: ingest waits, then runs.
lockdb=$(newdb lockdb)
"$LEVEE" ingest --store "$lockdb" "$tmp/in/decoys.jsonl" >/dev/null 2>&1
"$psql" -X -q -d "$lockdb" >/dev/null 2>&1 <<SQL &
SELECT pg_advisory_lock(1819700837, hashtext('public'));
\! touch "$tmp/locked"
SELECT pg_sleep(2);
SQL
holder=$!
for ((i = 0; i < 100; i++)); do [ -e "$tmp/locked" ] && break; sleep 0.1; done
s0=${EPOCHREALTIME/./}
"$LEVEE" ingest --store "$lockdb" "$tmp/in/odd.jsonl" >"$tmp/out" 2>&1; rc=$?
waited=$(((${EPOCHREALTIME/./} - s0) / 1000))
wait "$holder"
check "a second writer waits for the first (${waited} ms)" '[ $rc -eq 0 ] && [ "$waited" -ge 1000 ] && grep -q "2 stored" "$tmp/out"'
# Two ingests at once of different events: both stored, the log intact.
seq 1 300 | sed 's/.*/{"id":"p&","time":1,"channel":"qq","text":"并发一 &"}/' >"$tmp/in/p1.jsonl"
seq 1 300 | sed 's/.*/{"id":"q&","time":1,"channel":"qq","text":"并发二 &"}/' >"$tmp/in/p2.jsonl"
"$LEVEE" ingest --batch 10 --store "$lockdb" "$tmp/in/p1.jsonl" >"$tmp/o1" 2>&1 &
p1=$!
"$LEVEE" ingest --batch 10 --store "$lockdb" "$tmp/in/p2.jsonl" >"$tmp/o2" 2>&1; r2=$?
wait "$p1"; r1=$?
"$LEVEE" verify --store "$lockdb" >"$tmp/vout" 2>&1; rc=$?
check "two ingests at once: both stored, one after the other, intact" '[ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ $rc -eq 0 ] && [ "$(sql "$lockdb" "SELECT count(*) FROM event")" -eq 665 ]'

# --- errors that say what is wrong ----------------------------------------------------
"$LEVEE" verify --store "postgres://levee:s3cret@127.0.0.1:1/levee?password=s3cret" >/dev/null 2>"$tmp/err"; rc=$?
check "no server there: exit 2, the URL named without its password" '[ $rc -eq 2 ] && grep -q "^levee: postgres://levee@127.0.0.1:1/levee: cannot connect: .*refused" "$tmp/err" && ! grep -q s3cret "$tmp/err"'
"$LEVEE" verify --store "$base/nosuchdb" >/dev/null 2>"$tmp/err"; rc=$?
check "no such database: exit 2, said" '[ $rc -eq 2 ] && grep -q "nosuchdb.*does not exist" "$tmp/err"'
empty=$(newdb empty)
"$LEVEE" verify --store "$empty" >/dev/null 2>"$tmp/err"; rc=$?
check "an empty database: no audit store here" '[ $rc -eq 2 ] && grep -q "no audit store here" "$tmp/err"'
sql "$odd" "UPDATE meta SET value = '99' WHERE key = 'schema_version'"
"$LEVEE" verify --store "$odd" >/dev/null 2>"$tmp/err"; rc=$?
check "a newer schema: refused, said" '[ $rc -eq 2 ] && grep -q "schema version 99.*use a newer levee" "$tmp/err"'
"$LEVEE" ingest --store "$odd" "$tmp/in/odd.jsonl" >/dev/null 2>"$tmp/err"; rc=$?
check "... also for writing" '[ $rc -eq 2 ] && grep -q "schema version 99" "$tmp/err"'
# A libpq.so.5 without libpq's functions, found first.
mkdir -p "$tmp/fakelib"
echo 'int lv_not_libpq;' >"$tmp/fakelib/f.c"
if cc -shared -fPIC -o "$tmp/fakelib/libpq.so.5" "$tmp/fakelib/f.c" 2>/dev/null; then
  LD_LIBRARY_PATH="$tmp/fakelib" "$LEVEE" verify --store "$same" >/dev/null 2>"$tmp/err"; rc=$?
  check "an unusable libpq: exit 2, install libpq5" '[ $rc -eq 2 ] && grep -q "libpq.so.5 has no PQ.*install a newer libpq5" "$tmp/err"'
fi
check "libpq is not linked into levee (loaded on first use)" '! ldd "$LEVEE" | grep -q libpq'

echo "test_store_pg: $(($(date +%s) - t0)) s"
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
