#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stored events without a search text: `levee search` with no QUERY lists
# them by its filters (--alerts, --dept, --category, --before SEQ paging
# that stays put while events arrive), and `levee stats` counts them by
# day (in a time zone: events either side of midnight in China), category
# (an event once in each of its categories), department, channel, action
# and severity; both are recorded in the audit log. Exact counts of eight
# events written here, ingested with the default policy; the plans use the
# alerts' index.
#
# With LEVEE_TEST_STORE=postgres://... (test_store_pg.sh sets it) the same
# runs against PostgreSQL: each store is a database of that server.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

pg_prefix="lv_stats_$$_"
# shellcheck source=tests/integration/store_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/store_lib.sh"

# Eight events, in this order (records 1-8). Under the default policy:
# a1 allow; a2 block (classified.marking); a3 alert (pii.cn_mobile); a4
# block (classified.marking, pii.cn_resident_id); a5 allow with two
# conduct.abusive findings; a6 allow (conduct.order_diversion); a7 alert
# (pii.cn_mobile twice); a8 alert (pii.cn_resident_id). a3 is 00:30 on
# 11 March in China but 10 March in UTC; a8 04:00 on the 13th, the 12th.
cat >"$tmp/events.jsonl" <<'EOF'
{"id":"a1","time":"2024-03-10T02:00:00Z","channel":"wechat","sender":{"id":"u1","name":"张三","dept":"研发部"},"text":"下午三点开会"}
{"id":"a2","time":"2024-03-10T15:30:00Z","channel":"wechat","sender":{"id":"u1","name":"张三","dept":"研发部"},"text":"机密★6个月 会议纪要"}
{"id":"a3","time":"2024-03-10T16:30:00Z","channel":"wecom","sender":{"id":"u2","name":"李四","dept":"财务部"},"text":"我的手机号是13800138000，有事打给我"}
{"id":"a4","time":"2024-03-11T03:00:00Z","channel":"qq","sender":{"id":"u2","name":"李四","dept":"财务部"},"text":"机密★6个月 身份证号11010519491231002X"}
{"id":"a5","time":"2024-03-11T04:00:00Z","channel":"wechat","sender":{"id":"u3","name":"王五","dept":"销售部"},"text":"你个傻逼，滚"}
{"id":"a6","time":"2024-03-11T05:00:00Z","channel":"wechat","sender":{"id":"u3","name":"王五","dept":"销售部"},"text":"加我私人微信，下单走我这边，价格更低"}
{"id":"a7","time":"2024-03-12T01:00:00Z","channel":"email","sender":{"id":"u4"},"text":"客户电话13800138000和13900139000"}
{"id":"a8","time":"2024-03-12T20:00:00Z","channel":"wecom","sender":{"id":"u1","name":"张三","dept":"研发部"},"text":"身份证号11010519491231002X"}
EOF
new_store s
"$LEVEE" ingest $(at s) "$tmp/events.jsonl" >"$tmp/out" 2>&1; rc=$?
check "ingest: 8 stored" '[ $rc -eq 0 ] && grep -q "8 stored" "$tmp/out"'
check "the verdicts this test counts on" '[ "$(q s "SELECT group_concat(action, '"'"','"'"') FROM (SELECT action FROM event ORDER BY seq)" "SELECT string_agg(action, '"'"','"'"' ORDER BY seq) FROM event")" = "allow,block,alert,block,allow,allow,alert,alert" ]'

ids() { # the ids of search --json's results, comma-separated
  /usr/bin/python3 -c 'import json,sys; print(",".join(json.loads(l)["id"] for l in open(sys.argv[1])))' "$1"
}

# --- search without a text: a listing --------------------------------------
"$LEVEE" search --help | grep -q -- "--alerts"; check "search --help: --alerts" '[ $? -eq 0 ]'
"$LEVEE" search $(at s) --json >"$tmp/sout" 2>"$tmp/serr"; rc=$?
check "no QUERY: every event, newest first" '[ $rc -eq 0 ] && [ "$(ids "$tmp/sout")" = a8,a7,a6,a5,a4,a3,a2,a1 ]'
"$LEVEE" search $(at s) --alerts --json >"$tmp/sout"; rc=$?
check "--alerts: the events whose verdict is not allow" '[ $rc -eq 0 ] && [ "$(ids "$tmp/sout")" = a8,a7,a4,a3,a2 ]'
check "... with the department and the text, unmarked" 'grep -q "\"sender\":{\"id\":\"u2\",\"name\":\"李四\",\"dept\":\"财务部\"}" "$tmp/sout" && grep -q "\"text\":\"机密★6个月 身份证号11010519491231002X\",\"text_matches\":\[\]" "$tmp/sout"'
"$LEVEE" search $(at s) --dept 研发部 --json >"$tmp/sout"; rc=$?
check "--dept" '[ $rc -eq 0 ] && [ "$(ids "$tmp/sout")" = a8,a2,a1 ]'
"$LEVEE" search $(at s) --alerts --dept 财务部 --channel qq --json >"$tmp/sout"; rc=$?
check "--alerts --dept --channel" '[ $rc -eq 0 ] && [ "$(ids "$tmp/sout")" = a4 ]'
"$LEVEE" search $(at s) --category pii. --json >"$tmp/sout"; rc=$?
check "--category prefix" '[ $rc -eq 0 ] && [ "$(ids "$tmp/sout")" = a8,a7,a4,a3 ]'
"$LEVEE" search $(at s) --action allow --json >"$tmp/sout"; rc=$?
check "--action allow" '[ $rc -eq 0 ] && [ "$(ids "$tmp/sout")" = a6,a5,a1 ]'
"$LEVEE" search $(at s) --since 2024-03-11 --until 2024-03-12 --json >"$tmp/sout"; rc=$?
check "--since/--until (days in China)" '[ $rc -eq 0 ] && [ "$(ids "$tmp/sout")" = a6,a5,a4,a3 ]'
"$LEVEE" search $(at s) 机密 --dept 财务部 --json >"$tmp/sout"; rc=$?
check "a full-text search with --dept" '[ $rc -eq 0 ] && [ "$(ids "$tmp/sout")" = a4 ]'
"$LEVEE" search $(at s) --alerts --dept 市场部 >"$tmp/sout" 2>"$tmp/serr"; rc=$?
check "nothing listed: exit 1" '[ $rc -eq 1 ] && [ ! -s "$tmp/sout" ] && grep -q "0 results" "$tmp/serr"'
"$LEVEE" search $(at s) --alerts --color never --limit 1 >"$tmp/sout" 2>/dev/null; rc=$?
check "text output: the department after the sender" '[ $rc -eq 0 ] && grep -q "^#8  .*a8  from 张三 (u1), 研发部  alert/low  pii.cn_resident_id$" "$tmp/sout" && grep -q "^    身份证号11010519491231002X$" "$tmp/sout"'

# Paging by the last record: the next page stays put while alerts arrive.
"$LEVEE" search $(at s) --alerts --limit 2 --json >"$tmp/p1" 2>/dev/null
"$LEVEE" search $(at s) --alerts --limit 2 >/dev/null 2>"$tmp/serr"
check "a full page says where the next begins" 'grep -q "there may be more: --before 7" "$tmp/serr"'
printf '%s\n' '{"id":"n1","time":"2024-03-13T01:00:00Z","channel":"qq","sender":{"id":"u2","dept":"财务部"},"text":"机密★1年 新的"}' \
  '{"id":"n2","time":"2024-03-13T02:00:00Z","channel":"qq","sender":{"id":"u2","dept":"财务部"},"text":"机密★1年 又一个"}' >"$tmp/more.jsonl"
copy_store s p
"$LEVEE" ingest $(at p) "$tmp/more.jsonl" >/dev/null 2>&1
"$LEVEE" search $(at p) --alerts --limit 2 --before 7 --json >"$tmp/p2" 2>/dev/null; rc=$?
"$LEVEE" search $(at p) --alerts --limit 2 --before 3 --json >"$tmp/p3" 2>/dev/null; rc3=$?
"$LEVEE" search $(at p) --alerts --limit 2 --json >"$tmp/p0" 2>/dev/null
check "--before: page 1, then 2 new alerts, then page 2 and 3 as they were" '[ "$(ids "$tmp/p1")" = a8,a7 ] && [ $rc -eq 0 ] && [ "$(ids "$tmp/p2")" = a4,a3 ] && [ $rc3 -eq 0 ] && [ "$(ids "$tmp/p3")" = a2 ] && [ "$(ids "$tmp/p0")" = n2,n1 ]'
"$LEVEE" search $(at p) --alerts --limit 2 --offset 2 --json >"$tmp/sout" 2>/dev/null
check "--offset pages too (and moves as alerts arrive)" '[ "$(ids "$tmp/sout")" = a8,a7 ]'
"$LEVEE" search $(at s) --before 0 >/dev/null 2>"$tmp/serr"; rc=$?
check "--before 0: exit 2, said" '[ $rc -eq 2 ] && grep -q "before must be a record number" "$tmp/serr"'
check "a listing is recorded as a search, with its filters" '[ "$(q s "SELECT count(*) FROM record WHERE type = '"'"'search'"'"' AND detail LIKE '"'"'%\"alerts\":true%'"'"' AND detail NOT LIKE '"'"'%\"query\"%'"'"'")" -ge 4 ] && q s "SELECT detail FROM record WHERE type = '"'"'search'"'"'" | grep -q "\"dept\":\"财务部\""'

# The newest alerts come through the alerts' index, not a pass over every
# event. PostgreSQL plans by the table's size: on a copy padded with
# 100,000 events, one in 20 an alert, of 50 departments and 5 channels.
copy_store s x
if [ -n "$pg" ]; then
  q x "" "INSERT INTO event (seq, id, time_ms, channel, conversation_external, sender_dept, action, severity, truncated) SELECT g, convert_to('pad' || g, 'UTF8'), g, convert_to('ch' || (g % 5), 'UTF8'), -1, convert_to('部' || (g % 50), 'UTF8'), CASE WHEN g % 20 = 0 THEN 'alert' ELSE 'allow' END, 'info', 0 FROM generate_series(1000000, 1100000) g; ANALYZE event"
else
  q x "WITH RECURSIVE g(n) AS (SELECT 1000000 UNION ALL SELECT n + 1 FROM g WHERE n < 1100000) INSERT INTO event (seq, id, time_ms, channel, conversation_external, sender_dept, action, severity, truncated) SELECT n, 'pad' || n, n, 'ch' || (n % 5), -1, '部' || (n % 50), CASE WHEN n % 20 = 0 THEN 'alert' ELSE 'allow' END, 'info', 0 FROM g"
fi
"$LEVEE" search $(at x) --alerts --limit 50 --explain >"$tmp/plan"; rc=$?
check "the newest alerts: through event_alert (EXPLAIN)" '[ $rc -eq 0 ] && grep -q "event_alert" "$tmp/plan" && ! grep -Eqi "SCAN e$|SCAN event e$|Seq Scan on event" "$tmp/plan"'
"$LEVEE" search $(at x) --alerts --dept 研发部 --limit 50 --explain >"$tmp/plan"; rc=$?
check "... of a department: through event_alert_dept" '[ $rc -eq 0 ] && grep -q "event_alert_dept" "$tmp/plan"'
"$LEVEE" search $(at x) --alerts --channel ch1 --limit 50 --explain >"$tmp/plan"; rc=$?
check "... of a channel: through event_alert_channel" '[ $rc -eq 0 ] && grep -q "event_alert_channel" "$tmp/plan"'
"$LEVEE" search $(at x) --category pii.cn_mobile --limit 50 --explain >"$tmp/plan"; rc=$?
check "a category's events: through finding_category" '[ $rc -eq 0 ] && grep -q "finding_category" "$tmp/plan"'
"$LEVEE" stats $(at x) --alerts --explain >"$tmp/plan"; rc=$?
check "counting the alerts: through event_alert" '[ $rc -eq 0 ] && grep -q "event_alert" "$tmp/plan"'

# --- export takes the same filters ------------------------------------------
"$LEVEE" export $(at s) --alerts --dept 研发部 --no-content >"$tmp/xout" 2>"$tmp/xerr"; rc=$?
check "export --alerts --dept: the department's alerts, in the order stored" '[ $rc -eq 0 ] && [ "$(ids "$tmp/xout")" = a2,a8 ]'

# --- stats --------------------------------------------------------------------
"$LEVEE" stats --help | grep -q "usage: levee stats"; check "stats --help" '[ $? -eq 0 ]'
"$LEVEE" --help | grep -q "^  stats "; check "levee --help lists stats" '[ $? -eq 0 ]'
n_runs=0
st() { # OUT ARGS...: levee stats on store s, its stdout in OUT
  local out=$1
  shift
  n_runs=$((n_runs + 1))
  "$LEVEE" stats $(at s) "$@" >"$out" 2>"$tmp/stderr"
}
lines() { tr '\n' ' ' <"$1" | sed 's/ *$//; s/  */ /g; s/^ //'; }
st "$tmp/o"; rc=$?
check "by day (China Standard Time): a3 and a8 on the next day" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "2 2024-03-10 4 2024-03-11 1 2024-03-12 1 2024-03-13" ] && grep -q "4 groups by day" "$tmp/stderr"'
st "$tmp/o" --tz Z; rc=$?
check "by day in UTC" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "3 2024-03-10 3 2024-03-11 2 2024-03-12" ]'
st "$tmp/o" --tz -05:00; rc=$?
check "by day in UTC-5" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "1 2024-03-09 4 2024-03-10 2 2024-03-11 1 2024-03-12" ]'
st "$tmp/o" --alerts --json; rc=$?
check "--alerts --json, exactly" '[ $rc -eq 0 ] && [ "$(cat "$tmp/o")" = "{\"by\":\"day\",\"tz\":\"+08:00\",\"groups\":[{\"key\":\"2024-03-10\",\"count\":1},{\"key\":\"2024-03-11\",\"count\":2},{\"key\":\"2024-03-12\",\"count\":1},{\"key\":\"2024-03-13\",\"count\":1}]}" ]'
st "$tmp/o" --by category; rc=$?
check "by category: once in each, conduct findings of allowed events too, none last" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "2 classified.marking 2 pii.cn_mobile 2 pii.cn_resident_id 1 conduct.abusive 1 conduct.order_diversion 1 (none)" ]'
st "$tmp/o" --by category --alerts --json; rc=$?
check "by category --alerts --json" '[ $rc -eq 0 ] && [ "$(cat "$tmp/o")" = "{\"by\":\"category\",\"groups\":[{\"key\":\"classified.marking\",\"count\":2},{\"key\":\"pii.cn_mobile\",\"count\":2},{\"key\":\"pii.cn_resident_id\",\"count\":2}]}" ]'
st "$tmp/o" --by category --category pii.; rc=$?
check "by category, only the prefix asked for" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "2 pii.cn_mobile 2 pii.cn_resident_id" ]'
st "$tmp/o" --by dept --json; rc=$?
check "by dept: no department as null, last" '[ $rc -eq 0 ] && [ "$(cat "$tmp/o")" = "{\"by\":\"dept\",\"groups\":[{\"key\":\"研发部\",\"count\":3},{\"key\":\"财务部\",\"count\":2},{\"key\":\"销售部\",\"count\":2},{\"key\":null,\"count\":1}]}" ]'
st "$tmp/o" --by dept --alerts; rc=$?
check "by dept --alerts" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "2 研发部 2 财务部 1 (none)" ]'
st "$tmp/o" --by channel; rc=$?
check "by channel" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "4 wechat 2 wecom 1 email 1 qq" ]'
st "$tmp/o" --by channel --limit 2; rc=$?
check "--limit: the largest" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "4 wechat 2 wecom" ]'
st "$tmp/o" --by action; rc=$?
check "by action" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "3 alert 3 allow 2 block" ]'
st "$tmp/o" --by severity; rc=$?
check "by severity" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "3 info 3 low 2 critical" ]'
st "$tmp/o" --by sender; rc=$?
check "by sender: name (id), or the id alone" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "3 张三 (u1) 2 李四 (u2) 2 王五 (u3) 1 u4" ]'
st "$tmp/o" --by sender --category conduct.; rc=$?
check "by sender, conduct findings only (per-staff figures)" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "2 王五 (u3)" ]'
st "$tmp/o" --by action --since 2024-03-11 --until 2024-03-12; rc=$?
check "--since/--until days in China" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "2 allow 1 alert 1 block" ]'
st "$tmp/o" --tz Z --since 2024-03-11 --until 2024-03-12; rc=$?
check "... or in --tz" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "3 2024-03-11" ]'
st "$tmp/o" --by channel --dept 研发部 --alerts; rc=$?
check "--dept --alerts" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "1 wechat 1 wecom" ]'
st "$tmp/o" --by dept --channel wecom --action alert; rc=$?
check "--channel --action" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "1 研发部 1 财务部" ]'
st "$tmp/o" --by dept --sender u2; rc=$?
check "--sender" '[ $rc -eq 0 ] && [ "$(lines "$tmp/o")" = "2 财务部" ]'
st "$tmp/o" --channel line; rc=$?
check "nothing counted: exit 1" '[ $rc -eq 1 ] && [ ! -s "$tmp/o" ] && grep -q "0 groups" "$tmp/stderr"'
n_ok=$n_runs
st "$tmp/o" --by week; rc=$?
check "--by week: exit 2, the dimensions named" '[ $rc -eq 2 ] && grep -q "none of day, category, dept" "$tmp/stderr"'
st "$tmp/o" --tz +15:00; rc=$?
check "--tz out of range: exit 2" '[ $rc -eq 2 ] && grep -q "not a time zone offset" "$tmp/stderr"'
st "$tmp/o" --tz 8; rc=$?
check "--tz without a sign: exit 2" '[ $rc -eq 2 ]'
st "$tmp/o" 机密; rc=$?
check "a search text: exit 2, said" '[ $rc -eq 2 ] && grep -q "not a search text" "$tmp/stderr"'
st "$tmp/o" --since yesterday; rc=$?
check "--since not a time: exit 2" '[ $rc -eq 2 ] && grep -q "since: not a time" "$tmp/stderr"'
st "$tmp/o" --limit 0; rc=$?
check "--limit 0: exit 2" '[ $rc -eq 2 ]'
"$LEVEE" stats >/dev/null 2>"$tmp/stderr"; rc=$?
check "no store: exit 2" '[ $rc -eq 2 ] && grep -q "data DIR (or --store URL) is required" "$tmp/stderr"'
check "every count is in the audit log, with its filters" '[ "$(q s "SELECT count(*) FROM record WHERE type = '"'"'stats'"'"'")" -eq "$n_ok" ] && q s "SELECT detail FROM record WHERE type = '"'"'stats'"'"'" | grep -q "{\"by\":\"channel\",\"dept\":\"研发部\",\"alerts\":true,\"groups\":2}"'
"$LEVEE" verify $(at s) >/dev/null; check "verify after listings and counts" '[ $? -eq 0 ]'

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
