#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `levee ingest` takes what `levee scan` takes: event streams, .eml files
# (one email event) and other files (one `file` event whose attachment is
# the file); attachments' size, sha256 and md5 are stored; the text of a
# file attachment is searchable; `levee export` gives the events back,
# recorded in the log and ingestable; and a pipe is committed as it pauses.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
db="$tmp/d/levee.db"
demo="$LEVEE_SRC/demo"

"$LEVEE" ingest --data "$tmp/d" "$demo/notice.eml" "$demo/memo-gb18030.txt" "$demo/chat.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
n=$(grep -c . "$demo/chat.jsonl")
check "ingest of an email, a text file and a stream: exit 0" '[ $rc -eq 0 ] && grep -q "$((n + 2)) events read, $((n + 2)) stored" "$tmp/out"'
check "the email is an event with its path as id" '[ "$(sqlite3 "$db" "SELECT channel FROM event WHERE id = '"'"'$demo/notice.eml'"'"'")" = email ]'
sha=$(sha256sum "$demo/memo-gb18030.txt" | cut -d" " -f1)
md5=$(md5sum "$demo/memo-gb18030.txt" | cut -d" " -f1)
size=$(stat -c %s "$demo/memo-gb18030.txt")
check "the file's attachment: size, sha256 and md5 of its bytes" '[ "$(sqlite3 "$db" "SELECT size || '"'"' '"'"' || sha256 || '"'"' '"'"' || md5 FROM attachment WHERE name = '"'"'memo-gb18030.txt'"'"'")" = "$size $sha $md5" ]'
word=$(iconv -f GB18030 -t UTF-8 "$demo/memo-gb18030.txt" | grep -o "机密\|秘密\|绝密\|内部" | head -n1)
"$LEVEE" search --data "$tmp/d" --json "$word" >"$tmp/sout" 2>/dev/null; rc=$?
check "the file's decoded text is searchable" '[ -n "$word" ] && [ $rc -eq 0 ] && grep -q "memo-gb18030.txt" "$tmp/sout" && grep -q "\"extracted_matches\"" "$tmp/sout"'
"$LEVEE" verify --data "$tmp/d" >/dev/null; check "verify" '[ $? -eq 0 ]'
"$LEVEE" ingest --data "$tmp/d" "$tmp/nonexistent.txt" >/dev/null 2>"$tmp/err"; rc=$?
check "a missing file: exit 2, named" '[ $rc -eq 2 ] && grep -q "nonexistent.txt" "$tmp/err"'

# the search index is derived: without search.db, the next writer (a
# search opens the store for writing) builds it again from the store
rm -f "$tmp/d/search.db" "$tmp/d/search.db-wal" "$tmp/d/search.db-shm"
"$LEVEE" search --data "$tmp/d" --json "$word" >"$tmp/sout" 2>/dev/null; rc=$?
check "a lost search index is rebuilt" '[ $rc -eq 0 ] && grep -q "memo-gb18030.txt" "$tmp/sout" && [ "$(sqlite3 "$tmp/d/search.db" "SELECT count(*) FROM doc")" -eq "$(sqlite3 "$db" "SELECT count(*) FROM content")" ]'

# export: the stored events as JSON Lines, filtered, recorded; ingestable
"$LEVEE" export --help | grep -q "usage: levee export"; check "export --help" '[ $? -eq 0 ]'
"$LEVEE" export --data "$tmp/d" >"$tmp/exp.jsonl" 2>"$tmp/err"; rc=$?
check "export: every event, valid JSON, with verdicts" '[ $rc -eq 0 ] && [ "$(grep -c . "$tmp/exp.jsonl")" -eq $((n + 2)) ] && /usr/bin/python3 -c "import json,sys; [json.loads(l)[\"verdict\"][\"action\"] for l in open(sys.argv[1])]" "$tmp/exp.jsonl"'
check "export: the attachment's extracted text and digests" 'grep "memo-gb18030" "$tmp/exp.jsonl" | grep -q "\"sha256\":\"$sha\".*\"text\":"'
check "export is in the audit log, with its actor and filters" '[ "$(sqlite3 "$db" "SELECT actor FROM record WHERE type = '"'"'export'"'"'")" = "$(id -un)" ]'
"$LEVEE" export --data "$tmp/d" --category classified. --no-content >"$tmp/exp2.jsonl" 2>/dev/null; rc=$?
check "export --category prefix --no-content: fewer events, no text" '[ $rc -eq 0 ] && [ -s "$tmp/exp2.jsonl" ] && [ "$(grep -c . "$tmp/exp2.jsonl")" -lt $((n + 2)) ] && ! grep -q "\"text\":" "$tmp/exp2.jsonl" && ! grep -q "\"excerpts\"" "$tmp/exp2.jsonl"'
check "export detail names the filters" 'sqlite3 "$db" "SELECT detail FROM record WHERE type = '"'"'export'"'"'" | grep -q "\"category\":\"classified.\",\"content\":false"'
"$LEVEE" ingest --data "$tmp/again" "$tmp/exp.jsonl" >"$tmp/out" 2>/dev/null; rc=$?
check "an export ingests into another store, the same events" '[ $rc -eq 0 ] && [ "$(sqlite3 "$tmp/again/levee.db" "SELECT group_concat(id) FROM (SELECT id FROM event ORDER BY id)")" = "$(sqlite3 "$db" "SELECT group_concat(id) FROM (SELECT id FROM event ORDER BY id)")" ]'
# time filters: a date is midnight in UTC+08:00; until is exclusive
since=$(/usr/bin/python3 -c "import datetime as d; print(int(d.datetime(2024,6,21,tzinfo=d.timezone(d.timedelta(hours=8))).timestamp()*1000))")
want=$(/usr/bin/python3 -c "import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)['time'] >= $since))" "$tmp/exp.jsonl")
"$LEVEE" export --data "$tmp/d" --since 2024-06-21 --no-content >"$tmp/exp3.jsonl" 2>/dev/null
"$LEVEE" export --data "$tmp/d" --since "$since" --until "$((since + 1))" --no-content >"$tmp/exp4.jsonl" 2>/dev/null
check "export --since DATE, and --since/--until in milliseconds" '[ "$(grep -c . "$tmp/exp3.jsonl")" -eq "$want" ] && [ "$want" -gt 0 ] && [ "$want" -lt $((n + 2)) ] && ! grep -qv "\"time\":$since," "$tmp/exp4.jsonl"'
"$LEVEE" export --data "$tmp/d" --since yesterday >/dev/null 2>"$tmp/err"; rc=$?
check "a time that is not one: exit 2, said" '[ $rc -eq 2 ] && grep -q "not a time" "$tmp/err"'
"$LEVEE" verify --data "$tmp/d" >/dev/null; check "verify after exports" '[ $? -eq 0 ]'

# a pipe that pauses: what came is committed before the next line arrives
mkfifo "$tmp/fifo"
"$LEVEE" ingest --data "$tmp/p" - <"$tmp/fifo" >"$tmp/pout" 2>"$tmp/perr" &
pid=$!
exec 3>"$tmp/fifo"
printf '%s\n' '{"id":"p1","time":1,"channel":"wechat","text":"第一条"}' >&3
stored=0
for _ in $(seq 100); do
  [ -f "$tmp/p/levee.db" ] && [ "$(sqlite3 "$tmp/p/levee.db" "SELECT count(*) FROM event" 2>/dev/null)" = 1 ] && { stored=1; break; }
  sleep 0.1
done
check "a paused pipe: the event is stored before more input comes" '[ $stored -eq 1 ]'
printf '%s\n' '{"id":"p2","time":1,"channel":"wechat","text":"第二条"}' >&3
exec 3>&-
wait "$pid"; rc=$?
check "the pipe ends: both stored, exit 0" '[ $rc -eq 0 ] && grep -q "2 events read, 2 stored" "$tmp/pout"'

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
