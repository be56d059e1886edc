#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Retention: a policy's retention section, `levee purge`, and what verify
# says afterwards. Content deleted under retention leaves the log
# verifiable ("content deleted under retention", not tampering); a purge is
# itself a record; a deletion that no purge made, or evidence expired
# before the 180 days records are kept, is tampering. Records are stored
# "months ago" with the debug build's test clock (LEVEE_TEST_NOW_MS).
#
# With LEVEE_TEST_STORE=postgres://... (test_store_pg.sh sets it) the same
# runs against PostgreSQL: each store is a database of that server instead
# of a directory, and the forgeries are done with psql.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

pg_prefix="lv_purge_$$_"
# shellcheck source=tests/integration/store_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/store_lib.sh"
day=86400000
now=$(($(date +%s) * 1000))

"$LEVEE" purge --help | grep -q "usage: levee purge"; check "purge --help" '[ $? -eq 0 ]'

# the policy: records a year, content 180 days, health content 30 days,
# classified content a year
cat >"$tmp/retain.yaml" <<'YAML'
version: 1
include_default: true
retention:
  records: 1y
  content: 180d
  categories:
    pii.health: { content: 30d }
    classified: { content: 1y }
YAML
"$LEVEE" policy check "$tmp/retain.yaml" >"$tmp/out"; rc=$?
check "policy check explains retention" '[ $rc -eq 0 ] && grep -q "retention of pii.health: records 365 days, content 30 days" "$tmp/out"'
printf 'version: 1\ninclude_default: true\nretention:\n  records: 90d\n' >"$tmp/short.yaml"
"$LEVEE" policy check "$tmp/short.yaml" 2>"$tmp/err"; rc=$?
check "records kept less than 180 days: refused, citing the law" '[ $rc -eq 2 ] && grep -q "at least 180 days" "$tmp/err" && grep -q "网络安全法第二十一条" "$tmp/err"'
printf 'version: 1\ninclude_default: true\nretention:\n  categories:\n    pii: { records: 30d }\n' >"$tmp/short2.yaml"
"$LEVEE" policy check "$tmp/short2.yaml" 2>"$tmp/err"; rc=$?
check "per-category records under 180 days: refused" '[ $rc -eq 2 ] && grep -q "at least 180 days" "$tmp/err"'
new_store d
"$LEVEE" purge $(at d) --policy "$tmp/short.yaml" 2>"$tmp/err"; rc=$?
check "purge with such a policy: refused" '[ $rc -eq 2 ] && grep -q "at least 180 days" "$tmp/err"'

events="$LEVEE_SRC/../shared/data/dev/messages.jsonl"
n=$(grep -c . "$events")
LEVEE_TEST_NOW_MS=$((now - 200 * day)) "$LEVEE" ingest $(at d) "$events" >/dev/null 2>&1
if [ "$(q d "SELECT min(time_ms) FROM record")" != "$((now - 200 * day))" ]; then
  echo "skipped: $LEVEE has no test clock (a release build); run with the debug build"
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
  exit
fi
# two more, stored 100 days ago: an ordinary message (content kept 180
# days) and a health one (content kept 30 days)
printf '%s\n' '{"id":"recent","time":1,"channel":"wechat","text":"下午三点开会"}' \
  '{"id":"health","time":1,"channel":"wechat","text":"员工张三体温38.5度，已隔离观察"}' >"$tmp/recent.jsonl"
LEVEE_TEST_NOW_MS=$((now - 100 * day)) "$LEVEE" ingest $(at d) "$tmp/recent.jsonl" >/dev/null 2>&1
keep=$(q d "SELECT count(DISTINCT seq) FROM finding WHERE category LIKE 'classified.%'")

"$LEVEE" purge $(at d) --policy "$tmp/retain.yaml" --dry-run >"$tmp/out"; rc=$?
check "the health message has a pii.health finding" '[ "$(q d "SELECT count(*) FROM finding f JOIN event e ON e.seq = f.seq WHERE e.id = '"'"'health'"'"' AND f.category = '"'"'pii.health'"'"'")" -ge 1 ]'
check "dry run: counts, changes nothing" '[ $rc -eq 0 ] && grep -q "content deleted from $((n - keep + 1))," "$tmp/out" && [ "$(q d "SELECT count(*) FROM content")" -eq $((n + 2)) ]'
"$LEVEE" purge $(at d) --policy "$tmp/retain.yaml" >"$tmp/out"; rc=$?
check "purge: content older than its retention deleted" '[ $rc -eq 0 ] && grep -q "content deleted from $((n - keep + 1)), evidence expired for 0" "$tmp/out"'
check "classified content (1y) and the recent ordinary one kept; health content (30d) gone" '[ "$(q d "SELECT count(*) FROM content")" -eq $((keep + 1)) ] && [ "$(q d "SELECT count(*) FROM content c JOIN event e ON e.seq = c.seq WHERE e.id = '"'"'health'"'"'")" -eq 0 ]'
check "the purge is a record, with its actor and counts" '[ "$(q d "SELECT actor FROM record WHERE type = '"'"'purge'"'"'" "SELECT convert_from(actor, '"'"'UTF8'"'"') FROM record WHERE type = '"'"'purge'"'"'")" = "$(id -un)" ] && q d "SELECT detail FROM record WHERE type = '"'"'purge'"'"'" | grep -q "\"content_deleted\":$((n - keep + 1))"'
"$LEVEE" verify $(at d) >"$tmp/vout"; rc=$?
check "verify after purge: intact, content deleted under retention" '[ $rc -eq 0 ] && grep -q "$((n - keep + 1)) with content deleted" "$tmp/vout"'
"$LEVEE" search $(at d) 手机 >/dev/null 2>&1; rc=$?
check "deleted content is gone from the search index" '[ $rc -eq 1 ]'
if [ -z "$pg" ]; then
  # SQLite keeps the index in search.db, with a copy of each indexed text:
  # none of the deleted texts may stay there
  check "search.db holds only the content still kept" '[ "$(sqlite3 "$tmp/d/search.db" "SELECT count(*) FROM doc")" -eq "$(sqlite3 "$tmp/d/levee.db" "SELECT count(*) FROM content")" ]'
fi
"$LEVEE" search $(at d) 机密 --json >"$tmp/sout" 2>/dev/null; rc=$?
check "kept content is still found" '[ $rc -eq 0 ] && grep -q "\"id\":\"d002\"" "$tmp/sout"'
check "evidence stays: findings and events" '[ "$(q d "SELECT count(*) FROM event")" -eq $((n + 2)) ]'

# forgeries: a deletion no purge made; evidence expired too early
purge_seq=$(q d "SELECT seq FROM record WHERE type = 'purge'")
recent=$(q d "SELECT seq FROM event WHERE id = 'recent'")
copy_store d f1
q f1 "INSERT INTO content_fts(content_fts, rowid, text, extracted) SELECT 'delete', seq, text, extracted FROM content WHERE seq = $recent" \
  "DELETE FROM content_search WHERE seq = $recent" 2>/dev/null
q f1 "DELETE FROM content WHERE seq = $recent; INSERT INTO content_deleted VALUES ($recent, 99999)"
"$LEVEE" verify $(at f1) >"$tmp/vout"; rc=$?
check "a deletion claimed by no purge: tampering, named" '[ $rc -eq 1 ] && grep -q "^record $recent: content-missing: .*by a purge the log does not hold" "$tmp/vout"'
copy_store d f2
q f2 "INSERT INTO content_fts(content_fts, rowid, text, extracted) SELECT 'delete', seq, text, extracted FROM content WHERE seq = $recent" \
  "DELETE FROM content_search WHERE seq = $recent" 2>/dev/null
q f2 "DELETE FROM content WHERE seq = $recent; DELETE FROM finding WHERE seq = $recent; DELETE FROM event WHERE seq = $recent; INSERT INTO record_expired VALUES ($recent, $purge_seq)"
"$LEVEE" verify $(at f2) >"$tmp/vout"; rc=$?
check "evidence expired before 180 days: tampering, named" '[ $rc -eq 1 ] && grep -q "^missing: record $recent.s evidence .*before the 180 days" "$tmp/vout"'

# a year later the records themselves expire: headers and hashes stay
LEVEE_TEST_NOW_MS=$((now + 200 * day)) "$LEVEE" purge $(at d) --policy "$tmp/retain.yaml" >"$tmp/out"; rc=$?
check "records past a year: evidence expired" '[ $rc -eq 0 ] && grep -q "evidence expired for $n" "$tmp/out"'
check "expired: no event rows or content left for them" '[ "$(q d "SELECT count(*) FROM event")" -eq 2 ]'
"$LEVEE" verify $(at d) >"$tmp/vout"; rc=$?
check "verify after expiry: intact, said" '[ $rc -eq 0 ] && grep -q "$n with evidence expired" "$tmp/vout"'

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
