#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The audit store as a user meets it: `levee ingest` then `levee verify`,
# re-ingesting as a no-op, and tampering done with the sqlite3 command-line
# tool, which verify must catch and name (record altered, removed or
# inserted; content changed or deleted), while a crash's unsigned tail is
# repaired and reported, not called tampering.
#
# With LEVEE_TEST_STORE=postgres://... (test_store_pg.sh sets it) the same
# runs against PostgreSQL: each store is a database of that server instead
# of a directory, and the tampering is done with psql.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

pg_prefix="lv_cli_$$_"
# shellcheck source=tests/integration/store_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/store_lib.sh"

"$LEVEE" ingest --help | grep -q "usage: levee ingest"; check "ingest --help" '[ $? -eq 0 ]'
"$LEVEE" verify --help | grep -q "usage: levee verify"; check "verify --help" '[ $? -eq 0 ]'
"$LEVEE" ingest "$tmp/none.jsonl" 2>"$tmp/err"; rc=$?
check "ingest without --data: exit 2" '[ $rc -eq 2 ] && grep -q "^levee: ingest: --data DIR is required" "$tmp/err"'
new_store nostore
"$LEVEE" verify $(at nostore) >/dev/null 2>"$tmp/err"; rc=$?
check "verify of no store: exit 2" '[ $rc -eq 2 ] && grep -q "no audit store here" "$tmp/err"'

# events: the development set's messages, with their real ids
events="$LEVEE_SRC/../shared/data/dev/messages.jsonl"
[ -f "$events" ] || { echo "missing $events" >&2; exit 1; }
n=$(grep -c . "$events")
new_store d
"$LEVEE" ingest $(at d) "$events" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "ingest: exit 0" '[ $rc -eq 0 ]'
check "ingest: all stored" 'grep -q "$n events read, $n stored, 0 already stored" "$tmp/out"'
check "ingest: a new key, its public key printed" 'grep -Eq "a new signing key; its public key is [0-9a-f]{64}" "$tmp/err"'
pub=$(grep -Eo "public key is [0-9a-f]{64}" "$tmp/err" | cut -d" " -f4)
check "the key is apart from the data, mode 0600" '[ "$(stat -c %a "$tmp"/config/levee/keys/*.key)" = 600 ] && { [ -n "$pg" ] || ! ls "$tmp/d" | grep -q key; }'
"$LEVEE" verify $(at d) >"$tmp/out"; rc=$?
check "verify of a fresh store: exit 0, intact" '[ $rc -eq 0 ] && grep -q "$n records ($n events).*intact" "$tmp/out"'
"$LEVEE" verify $(at d) --public-key "$pub" >/dev/null; rc=$?
check "verify with the printed public key" '[ $rc -eq 0 ]'
"$LEVEE" verify $(at d) --public-key "$(printf '%064d' 0)" >"$tmp/out"; rc=$?
check "verify with another public key: exit 1" '[ $rc -eq 1 ] && grep -q "wrong-key" "$tmp/out"'

# idempotent: the same input again stores nothing new
"$LEVEE" ingest $(at d) "$events" >"$tmp/out" 2>&1; rc=$?
check "re-ingest: a no-op" '[ $rc -eq 0 ] && grep -q "0 stored, $n already stored" "$tmp/out"'
check "re-ingest: no more events" '[ "$(q d "SELECT count(*) FROM event")" -eq "$n" ]'
"$LEVEE" verify $(at d) >/dev/null; check "verify after re-ingest" '[ $? -eq 0 ]'

# what is stored: evidence in tables, content apart, people and conversations
check "findings stored" '[ "$(q d "SELECT count(*) FROM finding")" -gt 0 ]'
check "content apart, keyed by record" '[ "$(q d "SELECT count(*) FROM content")" -eq "$n" ]'
check "schema version recorded" '[ "$(q d "PRAGMA user_version" "SELECT value FROM meta WHERE key = '"'"'schema_version'"'"'")" -ge 1 ]'

# tampering, one change at a time, on a copy
tamper() { # NAME SQL EXPECT(grep -E pattern on verify's output) [PGSQL]
  copy_store d t
  q t "$2" "${4:-$2}"
  "$LEVEE" verify $(at t) >"$tmp/vout" 2>&1
  local rc=$?
  expect="$3"
  check "$1: exit 1, named" '[ $rc -eq 1 ] && grep -Eq "$expect" "$tmp/vout"'
}
id5=$(q d "SELECT id FROM event WHERE seq = 5" "SELECT convert_from(id, 'UTF8') FROM event WHERE seq = 5")
tamper "message text changed" "UPDATE content SET text = text || '。' WHERE seq = 5" "^record 5 \\(event $id5\\): content-altered"
fseq=$(q d "SELECT min(seq) FROM finding")
tamper "a finding changed" "UPDATE finding SET category = 'keyword.x' WHERE seq = $fseq" "^record $fseq .*altered"
tamper "a finding deleted" "DELETE FROM finding WHERE seq = $fseq" "^record $fseq .*altered"
tamper "a record header changed" "UPDATE record SET time_ms = time_ms + 1 WHERE seq = 7" "^record 7 .*altered"
tamper "an event's sender changed" "UPDATE event SET sender_id = 'someone-else' WHERE seq = 3" "^record 3 .*altered"
tamper "a record deleted" "DELETE FROM record WHERE seq = 9" "record 9 is missing"
tamper "the last records deleted" "DELETE FROM record WHERE seq >= $((n - 1))" "records $((n - 1))-$n are missing"
tamper "content deleted without a purge" "DELETE FROM content WHERE seq = 11" "^record 11 .*content-missing"
tamper "a finding inserted" "INSERT INTO finding VALUES (12, 9, 'r', 'keyword.x', -1, 0, 1, 1.0, 'alert', 'high')" "^record 12 .*altered"
tamper "rows of no record inserted" "INSERT INTO event(seq, id, time_ms, channel, conversation_external, action, severity, truncated) VALUES (100000, 'forged', 1, 'wechat', -1, 'allow', 'info', 0)" "inserted"
tamper "a checkpoint's root changed" "UPDATE checkpoint SET root = zeroblob(32) WHERE seq = 1" "bad-checkpoint" \
  "UPDATE checkpoint SET root = decode(repeat('00', 32), 'hex') WHERE seq = 1"
# a record changed with its hashes recomputed cannot be told from the rows
# alone; the signed checkpoint catches it
tamper "a leaf rewritten with its record" "UPDATE record SET leaf = zeroblob(32) WHERE seq = 2" "^record 2 .*altered" \
  "UPDATE record SET leaf = decode(repeat('00', 32), 'hex') WHERE seq = 2"

# an unclean shutdown: records after the last checkpoint are not tampering;
# the next ingest checks and signs them
copy_store d c
last=$(q c "SELECT max(seq) FROM checkpoint")
q c "DELETE FROM checkpoint WHERE seq = $last"
"$LEVEE" verify $(at c) >"$tmp/vout"; rc=$?
check "unsigned tail: exit 0, reported" '[ $rc -eq 0 ] && grep -q "unsigned-tail" "$tmp/vout"'
printf '%s\n' '{"id":"after-crash","time":1,"channel":"wechat","text":"下午开会"}' >"$tmp/one.jsonl"
"$LEVEE" ingest $(at c) "$tmp/one.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "ingest after a crash: tail signed and said" '[ $rc -eq 0 ] && grep -q "were checked and signed" "$tmp/err"'
"$LEVEE" verify $(at c) >"$tmp/vout"; rc=$?
check "verify after repair: intact, no tail" '[ $rc -eq 0 ] && ! grep -q "unsigned-tail" "$tmp/vout"'

# verify --json: one object per problem, then a summary
copy_store d t
q t "UPDATE content SET text = 'x' WHERE seq = 2"
"$LEVEE" verify $(at t) --json >"$tmp/vout"; rc=$?
check "verify --json: valid JSON lines" '[ $rc -eq 1 ] && /usr/bin/python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$tmp/vout"'
check "verify --json: the problem, then intact false" 'head -n1 "$tmp/vout" | grep -q "\"record\":2" && tail -n1 "$tmp/vout" | grep -q "\"intact\":false"'

# search: Chinese of one, two or more characters, from the index
"$LEVEE" search --help | grep -q "usage: levee search"; check "search --help" '[ $? -eq 0 ]'
"$LEVEE" search $(at d) --json 机密 --limit 100 >"$tmp/sout"; rc=$?
/usr/bin/python3 - "$events" "$tmp/sout" >"$tmp/scheck" <<'PY'
import json, re, sys
texts = {}
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    texts[e["id"]] = e.get("text") or ""
def norm(t):  # the index's view: Traditional folded, punctuation in CJK runs gone
    return re.sub(r"[\s，。、：；！？★☆*\-_.]", "", t.replace("機", "机"))
want = {i for i, t in texts.items() if "机密" in norm(t)}
got = set()
for line in open(sys.argv[2], encoding="utf-8"):
    h = json.loads(line)
    got.add(h["id"])
    s, e = h["text_matches"][0]
    assert h["text"].encode()[s:e].decode() in ("机密", "機密"), h
print("ok" if got == want and want else f"got {sorted(got)} want {sorted(want)}")
PY
check "search 机密: exactly the messages holding it (Traditional too), matches marked" '[ $rc -eq 0 ] && [ "$(cat "$tmp/scheck")" = ok ]'
"$LEVEE" search $(at d) 飞单 >"$tmp/sout" 2>"$tmp/serr"; rc=$?
check "search 飞单: nothing it should not find" '[ $rc -eq 1 ] && [ ! -s "$tmp/sout" ] && grep -q "0 results" "$tmp/serr"'
"$LEVEE" search $(at d) 机 --limit 100 --json >"$tmp/sout"; rc=$?
check "a one-character query" '[ $rc -eq 0 ] && grep -q "\"id\":\"d025\"" "$tmp/sout" && grep -q "\"id\":\"d008\"" "$tmp/sout"'
"$LEVEE" search $(at d) 机密 --sender s2 --json >"$tmp/sout"; rc=$?
check "a sender filter" '[ $rc -eq 0 ] && [ "$(grep -c . "$tmp/sout")" -eq 2 ] && ! grep -v "\"sender\":{\"id\":\"s2\"" "$tmp/sout" | grep -q .'
"$LEVEE" search $(at d) 机密 --category classified. --json >"$tmp/sout"; rc=$?
check "a category prefix filter" '[ $rc -eq 0 ] && grep -q "\"id\":\"d002\"" "$tmp/sout" && ! grep -q "\"id\":\"d010\"" "$tmp/sout"'
"$LEVEE" search $(at d) 机密 --color never >"$tmp/sout" 2>/dev/null; rc=$?
check "text output marks the match" '[ $rc -eq 0 ] && grep -q "\[\[机密\]\]★6个月" "$tmp/sout"'
if [ -z "$pg" ]; then
  "$LEVEE" search $(at d) --explain 机密 --sender s2 >"$tmp/sout"; rc=$?
  check "the query uses the full-text index (EXPLAIN QUERY PLAN)" '[ $rc -eq 0 ] && grep -q "VIRTUAL TABLE INDEX" "$tmp/sout"'
else
  # PostgreSQL plans by the table's size: on a copy padded with 60,000 rows
  # of other tokens, a query for a rare word uses the GIN index, and one
  # for a sender of a few messages that sender's index.
  copy_store d x
  q x "INSERT INTO content_search SELECT g, ARRAY['pad' || (g % 997)] FROM generate_series(1000000, 1060000) g; ANALYZE content_search"
  "$LEVEE" search $(at x) --explain 机密 >"$tmp/sout"; rc=$?
  check "the query uses the full-text index (EXPLAIN)" '[ $rc -eq 0 ] && grep -q "Bitmap Index Scan on content_search_tokens" "$tmp/sout"'
  "$LEVEE" search $(at x) --explain 机密 --sender s2 >"$tmp/sout"; rc=$?
  check "a sender filter uses the sender index (EXPLAIN)" '[ $rc -eq 0 ] && grep -q "using event_sender" "$tmp/sout"'
fi
"$LEVEE" search $(at d) '★' >/dev/null 2>"$tmp/serr"; rc=$?
check "a query with nothing to search for: exit 2, said" '[ $rc -eq 2 ] && grep -q "nothing to search for" "$tmp/serr"'
"$LEVEE" search $(at d) '"机密" OR body:x' >/dev/null 2>&1; rc=$?
check "query syntax in user text is plain text" '[ $rc -eq 1 ]'
# show: an event in its conversation, findings marked, the view recorded
"$LEVEE" show --help | grep -q "usage: levee show"; check "show --help" '[ $? -eq 0 ]'
"$LEVEE" show $(at d) --color never --context 1 d002 >"$tmp/sout" 2>/dev/null; rc=$?
check "show: the event marked, its findings listed" '[ $rc -eq 0 ] && grep -q "^>> #.*d002" "$tmp/sout" && grep -q "\[\[机密★6个月\]\]" "$tmp/sout" && grep -q "finding: classified.marking" "$tmp/sout"'
"$LEVEE" show $(at d) --json --context 2 d002 >"$tmp/sout" 2>/dev/null; rc=$?
check "show --json: valid, the event is the target" '[ $rc -eq 0 ] && /usr/bin/python3 -c "import json,sys; t=[json.loads(l) for l in open(sys.argv[1])]; assert [x[\"id\"] for x in t if x.get(\"target\")] == [\"d002\"]" "$tmp/sout"'
"$LEVEE" show $(at d) no-such-event >/dev/null 2>"$tmp/serr"; rc=$?
check "show of an unknown id: exit 1, said" '[ $rc -eq 1 ] && grep -q "no event has the id" "$tmp/serr"'
check "every view is in the audit log, the unknown one too" '[ "$(q d "SELECT count(*) FROM record WHERE type = '"'"'view'"'"'")" -eq 3 ] && [ "$(q d "SELECT outcome FROM record WHERE type = '"'"'view'"'"' ORDER BY seq DESC LIMIT 1")" = not-found ]'
# export from this store too (both back ends)
"$LEVEE" export $(at d) --category classified. >"$tmp/sout" 2>/dev/null; rc=$?
check "export: the classified events, and the export recorded" '[ $rc -eq 0 ] && grep -q "\"id\":\"d002\"" "$tmp/sout" && ! grep -q "\"id\":\"d010\"" "$tmp/sout" && [ "$(q d "SELECT count(*) FROM record WHERE type = '"'"'export'"'"'")" -eq 1 ]'

n_search=$(q d "SELECT count(*) FROM record WHERE type = 'search'")
check "every search is in the audit log, with its actor" '[ "$n_search" -ge 7 ] && [ "$(q d "SELECT actor FROM record WHERE type = '"'"'search'"'"' LIMIT 1" "SELECT convert_from(actor, '"'"'UTF8'"'"') FROM record WHERE type = '"'"'search'"'"' LIMIT 1")" = "$(id -un)" ]'
"$LEVEE" verify $(at d) >/dev/null; check "verify after searches" '[ $? -eq 0 ]'

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
