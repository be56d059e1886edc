#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The audit store as a user meets it: `levee ingest` then `levee verify`,
# re-ingesting as a no-op, and tampering done with the sqlite3 command-line
# tool, which verify must catch and name (record altered, removed or
# inserted; content changed or deleted), while a crash's unsigned tail is
# repaired and reported, not called tampering.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
command -v sqlite3 >/dev/null || { echo "sqlite3 missing: run scripts/deps.sh" >&2; exit 1; }

"$LEVEE" ingest --help | grep -q "usage: levee ingest"; check "ingest --help" '[ $? -eq 0 ]'
"$LEVEE" verify --help | grep -q "usage: levee verify"; check "verify --help" '[ $? -eq 0 ]'
"$LEVEE" ingest "$tmp/none.jsonl" 2>"$tmp/err"; rc=$?
check "ingest without --data: exit 2" '[ $rc -eq 2 ] && grep -q "^levee: ingest: --data DIR is required" "$tmp/err"'
"$LEVEE" verify --data "$tmp/nostore" >/dev/null 2>"$tmp/err"; rc=$?
check "verify of no store: exit 2" '[ $rc -eq 2 ] && grep -q "no audit store here" "$tmp/err"'

# events: the development set's messages, with their real ids
events="$LEVEE_SRC/../shared/data/dev/messages.jsonl"
[ -f "$events" ] || { echo "missing $events" >&2; exit 1; }
n=$(grep -c . "$events")
"$LEVEE" ingest --data "$tmp/d" "$events" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "ingest: exit 0" '[ $rc -eq 0 ]'
check "ingest: all stored" 'grep -q "$n events read, $n stored, 0 already stored" "$tmp/out"'
check "ingest: a new key, its public key printed" 'grep -Eq "a new signing key; its public key is [0-9a-f]{64}" "$tmp/err"'
pub=$(grep -Eo "public key is [0-9a-f]{64}" "$tmp/err" | cut -d" " -f4)
check "the key is apart from the data, mode 0600" '[ "$(stat -c %a "$tmp"/config/levee/keys/*.key)" = 600 ] && ! ls "$tmp/d" | grep -q key'
"$LEVEE" verify --data "$tmp/d" >"$tmp/out"; rc=$?
check "verify of a fresh store: exit 0, intact" '[ $rc -eq 0 ] && grep -q "$n records ($n events).*intact" "$tmp/out"'
"$LEVEE" verify --data "$tmp/d" --public-key "$pub" >/dev/null; rc=$?
check "verify with the printed public key" '[ $rc -eq 0 ]'
"$LEVEE" verify --data "$tmp/d" --public-key "$(printf '%064d' 0)" >"$tmp/out"; rc=$?
check "verify with another public key: exit 1" '[ $rc -eq 1 ] && grep -q "wrong-key" "$tmp/out"'

# idempotent: the same input again stores nothing new
"$LEVEE" ingest --data "$tmp/d" "$events" >"$tmp/out" 2>&1; rc=$?
check "re-ingest: a no-op" '[ $rc -eq 0 ] && grep -q "0 stored, $n already stored" "$tmp/out"'
check "re-ingest: no more events" '[ "$(sqlite3 "$tmp/d/levee.db" "SELECT count(*) FROM event")" -eq "$n" ]'
"$LEVEE" verify --data "$tmp/d" >/dev/null; check "verify after re-ingest" '[ $? -eq 0 ]'

# what is stored: evidence in tables, content apart, people and conversations
check "findings stored" '[ "$(sqlite3 "$tmp/d/levee.db" "SELECT count(*) FROM finding")" -gt 0 ]'
check "content apart, keyed by record" '[ "$(sqlite3 "$tmp/d/levee.db" "SELECT count(*) FROM content")" -eq "$n" ]'
check "schema version recorded" '[ "$(sqlite3 "$tmp/d/levee.db" "PRAGMA user_version")" -ge 1 ]'

# tampering, one change at a time, on a copy
tamper() { # NAME SQL EXPECT(grep -E pattern on verify's output)
  rm -rf "$tmp/t"
  cp -r "$tmp/d" "$tmp/t"
  sqlite3 "$tmp/t/levee.db" "$2"
  "$LEVEE" verify --data "$tmp/t" >"$tmp/vout" 2>&1
  local rc=$?
  expect="$3"
  check "$1: exit 1, named" '[ $rc -eq 1 ] && grep -Eq "$expect" "$tmp/vout"'
}
id5=$(sqlite3 "$tmp/d/levee.db" "SELECT id FROM event WHERE seq = 5")
tamper "message text changed" "UPDATE content SET text = text || '。' WHERE seq = 5" "^record 5 \\(event $id5\\): content-altered"
fseq=$(sqlite3 "$tmp/d/levee.db" "SELECT min(seq) FROM finding")
tamper "a finding changed" "UPDATE finding SET category = 'keyword.x' WHERE seq = $fseq" "^record $fseq .*altered"
tamper "a finding deleted" "DELETE FROM finding WHERE seq = $fseq" "^record $fseq .*altered"
tamper "a record header changed" "UPDATE record SET time_ms = time_ms + 1 WHERE seq = 7" "^record 7 .*altered"
tamper "an event's sender changed" "UPDATE event SET sender_id = 'someone-else' WHERE seq = 3" "^record 3 .*altered"
tamper "a record deleted" "DELETE FROM record WHERE seq = 9" "record 9 is missing"
tamper "the last records deleted" "DELETE FROM record WHERE seq >= $((n - 1))" "records $((n - 1))-$n are missing"
tamper "content deleted without a purge" "DELETE FROM content WHERE seq = 11" "^record 11 .*content-missing"
tamper "a finding inserted" "INSERT INTO finding VALUES (12, 9, 'r', 'keyword.x', -1, 0, 1, 1.0, 'alert', 'high')" "^record 12 .*altered"
tamper "rows of no record inserted" "INSERT INTO event(seq, id, time_ms, channel, conversation_external, action, severity, truncated) VALUES (100000, 'forged', 1, 'wechat', -1, 'allow', 'info', 0)" "inserted"
tamper "a checkpoint's root changed" "UPDATE checkpoint SET root = zeroblob(32) WHERE seq = 1" "bad-checkpoint"
# a record changed with its hashes recomputed cannot be told from the rows
# alone; the signed checkpoint catches it
tamper "a leaf rewritten with its record" "UPDATE record SET leaf = zeroblob(32) WHERE seq = 2" "^record 2 .*altered"

# an unclean shutdown: records after the last checkpoint are not tampering;
# the next ingest checks and signs them
rm -rf "$tmp/c"; cp -r "$tmp/d" "$tmp/c"
last=$(sqlite3 "$tmp/c/levee.db" "SELECT max(seq) FROM checkpoint")
sqlite3 "$tmp/c/levee.db" "DELETE FROM checkpoint WHERE seq = $last"
"$LEVEE" verify --data "$tmp/c" >"$tmp/vout"; rc=$?
check "unsigned tail: exit 0, reported" '[ $rc -eq 0 ] && grep -q "unsigned-tail" "$tmp/vout"'
printf '%s\n' '{"id":"after-crash","time":1,"channel":"wechat","text":"下午开会"}' >"$tmp/one.jsonl"
"$LEVEE" ingest --data "$tmp/c" "$tmp/one.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "ingest after a crash: tail signed and said" '[ $rc -eq 0 ] && grep -q "were checked and signed" "$tmp/err"'
"$LEVEE" verify --data "$tmp/c" >"$tmp/vout"; rc=$?
check "verify after repair: intact, no tail" '[ $rc -eq 0 ] && ! grep -q "unsigned-tail" "$tmp/vout"'

# verify --json: one object per problem, then a summary
rm -rf "$tmp/t"; cp -r "$tmp/d" "$tmp/t"
sqlite3 "$tmp/t/levee.db" "UPDATE content SET text = 'x' WHERE seq = 2"
"$LEVEE" verify --data "$tmp/t" --json >"$tmp/vout"; rc=$?
check "verify --json: valid JSON lines" '[ $rc -eq 1 ] && /usr/bin/python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$tmp/vout"'
check "verify --json: the problem, then intact false" 'head -n1 "$tmp/vout" | grep -q "\"record\":2" && tail -n1 "$tmp/vout" | grep -q "\"intact\":false"'

# search: Chinese of one, two or more characters, from the index
"$LEVEE" search --help | grep -q "usage: levee search"; check "search --help" '[ $? -eq 0 ]'
"$LEVEE" search --data "$tmp/d" --json 机密 --limit 100 >"$tmp/sout"; rc=$?
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
"$LEVEE" search --data "$tmp/d" 飞单 >"$tmp/sout" 2>"$tmp/serr"; rc=$?
check "search 飞单: nothing it should not find" '[ $rc -eq 1 ] && [ ! -s "$tmp/sout" ] && grep -q "0 results" "$tmp/serr"'
"$LEVEE" search --data "$tmp/d" 机 --limit 100 --json >"$tmp/sout"; rc=$?
check "a one-character query" '[ $rc -eq 0 ] && grep -q "\"id\":\"d025\"" "$tmp/sout" && grep -q "\"id\":\"d008\"" "$tmp/sout"'
"$LEVEE" search --data "$tmp/d" 机密 --sender s2 --json >"$tmp/sout"; rc=$?
check "a sender filter" '[ $rc -eq 0 ] && [ "$(grep -c . "$tmp/sout")" -eq 2 ] && ! grep -v "\"sender\":{\"id\":\"s2\"" "$tmp/sout" | grep -q .'
"$LEVEE" search --data "$tmp/d" 机密 --category classified. --json >"$tmp/sout"; rc=$?
check "a category prefix filter" '[ $rc -eq 0 ] && grep -q "\"id\":\"d002\"" "$tmp/sout" && ! grep -q "\"id\":\"d010\"" "$tmp/sout"'
"$LEVEE" search --data "$tmp/d" 机密 --color never >"$tmp/sout" 2>/dev/null; rc=$?
check "text output marks the match" '[ $rc -eq 0 ] && grep -q "\[\[机密\]\]★6个月" "$tmp/sout"'
"$LEVEE" search --data "$tmp/d" --explain 机密 --sender s2 >"$tmp/sout"; rc=$?
check "the query uses the full-text index (EXPLAIN QUERY PLAN)" '[ $rc -eq 0 ] && grep -q "VIRTUAL TABLE INDEX" "$tmp/sout"'
"$LEVEE" search --data "$tmp/d" '★' >/dev/null 2>"$tmp/serr"; rc=$?
check "a query with nothing to search for: exit 2, said" '[ $rc -eq 2 ] && grep -q "nothing to search for" "$tmp/serr"'
"$LEVEE" search --data "$tmp/d" '"机密" OR body:x' >/dev/null 2>&1; rc=$?
check "query syntax in user text is plain text" '[ $rc -eq 1 ]'
n_search=$(sqlite3 "$tmp/d/levee.db" "SELECT count(*) FROM record WHERE type = 'search'")
check "every search is in the audit log, with its actor" '[ "$n_search" -ge 7 ] && [ "$(sqlite3 "$tmp/d/levee.db" "SELECT actor FROM record WHERE type = '"'"'search'"'"' LIMIT 1")" = "$(id -un)" ]'
"$LEVEE" verify --data "$tmp/d" >/dev/null; check "verify after searches" '[ $? -eq 0 ]'

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
