#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# levee serve's accounts and roles (三员分立), with curl as each holder:
# sign-in with the one-time passwords of `levee admin init`, which must be
# changed before anything else; sessions are HttpOnly SameSite cookies and
# a change without the CSRF token is refused; the system admin manages
# accounts and integration tokens and nothing else, the security admin
# policies, inspection and stored events, the auditor reads the trail and
# verifies it; each is refused what is not theirs (403), and a caller
# without credentials gets 401. Every call is an access record the auditor
# reads: who, what, from where, the outcome. A policy PUT is validated
# (422), stored as a version and in force at once; a hot swap during a
# wrk load run fails no request; after a restart the accounts, the
# password changes and the stored policy are still there; the log verifies.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
py=/usr/bin/python3
json() { "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }
spec() { # METHOD PATH STATUS: the last answer ($tmp/body) as docs/openapi.yaml says
  "$py" "$LEVEE_SRC/tests/tools/openapi_check.py" "$LEVEE_SRC/docs/openapi.yaml" "$1" "$2" "$3" "$tmp/body" 2>"$tmp/spec.err" ||
    { cat "$tmp/spec.err" >&2; return 1; }
}

"$LEVEE" admin init --data "$tmp/d" >"$tmp/init" 2>&1
check "admin init" '[ $? -eq 0 ]'
pw() { awk -v n="$1" '$1 == n {print $3}' "$tmp/init"; }

start() {
  : >"$tmp/serve.err"
  "$LEVEE" serve --data "$tmp/d" --listen 127.0.0.1:0 "$@" 2>"$tmp/serve.err" &
  pid=$!
  port=
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/serve.err")
    [ -n "$port" ] && break
    sleep 0.1
  done
  base="http://127.0.0.1:$port"
}
stop() { kill -TERM "$pid"; wait "$pid"; pid=; }
start
check "serve starts with the three accounts" '[ -n "$port" ] && grep -q "3 accounts, 0 tokens" "$tmp/serve.err"'

# req AS METHOD PATH [BODY [TYPE]]: as a signed-in account (its cookie jar
# and CSRF token) or a token (AS = tok:NAME) or nobody (AS = -); body in
# $tmp/body, status echoed
req() {
  local as=$1 m=$2 p=$3 body=${4-} type=${5:-application/json}
  local args=(-s -o "$tmp/body" -w '%{http_code}' -X "$m")
  case $as in
  -) ;;
  tok:*) args+=(-H "Authorization: Bearer $(cat "$tmp/${as#tok:}.token")") ;;
  *) args+=(-b "$tmp/$as.jar" -c "$tmp/$as.jar" -H "X-CSRF-Token: $(cat "$tmp/$as.csrf" 2>/dev/null)") ;;
  esac
  [ -n "$body" ] && args+=(-H "Content-Type: $type" --data-binary "$body")
  curl "${args[@]}" "$base$p"
}
login() { # NAME PASSWORD: signs in; the jar and CSRF token kept
  rm -f "$tmp/$1.jar"
  local code
  code=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -c "$tmp/$1.jar" -X POST \
    -H 'Content-Type: application/json' --data-binary "{\"name\":\"$1\",\"password\":\"$2\"}" "$base/v1/session")
  [ "$code" = 200 ] && json "$tmp/body" 'd["csrf_token"]' >"$tmp/$1.csrf"
  echo "$code"
}

code=$(req - GET /v1/accounts)
check "no credentials: 401, as documented" '[ "$code" = 401 ] && spec GET /v1/accounts 401'
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer lvt_nope" "$base/v1/audit")
check "a bad token: 401" '[ "$code" = 401 ]'
code=$(login sysadmin wrong-password)
check "a wrong password: 401" '[ "$code" = 401 ] && grep -q "wrong name or password" "$tmp/body"'

code=$(login sysadmin "$(pw sysadmin)")
check "sysadmin signs in with the one-time password, as documented" '[ "$code" = 200 ] && spec POST /v1/session 200 && [ "$(json "$tmp/body" "d[\"must_change_password\"]")" = True ]'
check "the session cookie is HttpOnly and SameSite=Strict" 'grep -i "^Set-Cookie: levee_session=" "$tmp/headers" | grep -q "HttpOnly; SameSite=Strict"'
code=$(req sysadmin GET /v1/accounts)
check "before the one-time password is changed: 403" '[ "$code" = 403 ] && grep -q "one-time password" "$tmp/body"'
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -b "$tmp/sysadmin.jar" -X POST -H 'Content-Type: application/json' \
  --data-binary "{\"old\":\"$(pw sysadmin)\",\"new\":\"sysadmin password 2026\"}" "$base/v1/session/password")
check "a change without X-CSRF-Token: 403" '[ "$code" = 403 ] && grep -q "CSRF" "$tmp/body"'
code=$(req sysadmin POST /v1/session/password '{"old":"nope","new":"sysadmin password 2026"}')
check "the old password must be right" '[ "$code" = 403 ]'
code=$(req sysadmin POST /v1/session/password "{\"old\":\"$(pw sysadmin)\",\"new\":\"short\"}")
check "a short new password: 400" '[ "$code" = 400 ] && grep -q "at least 12" "$tmp/body"'
code=$(req sysadmin POST /v1/session/password "{\"old\":\"$(pw sysadmin)\",\"new\":\"sysadmin password 2026\"}")
check "the password changed: 204" '[ "$code" = 204 ]'
for who in secadmin auditor; do
  login "$who" "$(pw "$who")" >/dev/null
  code=$(req "$who" POST /v1/session/password "{\"old\":\"$(pw "$who")\",\"new\":\"$who password 2026\"}")
  check "$who changes its one-time password" '[ "$code" = 204 ]'
done

# --- the system admin: accounts and integrations, nothing else ---------------
code=$(req sysadmin GET /v1/accounts)
check "sysadmin lists the accounts, as documented" '[ "$code" = 200 ] && spec GET /v1/accounts 200 && grep -q "\"name\":\"auditor\"" "$tmp/body" && ! grep -q argon2 "$tmp/body"'
code=$(req sysadmin POST /v1/accounts '{"name":"reviewer2","role":"security-admin"}')
check "sysadmin makes an account, with a one-time password" '[ "$code" = 201 ] && spec POST /v1/accounts 201'
json "$tmp/body" 'd["one_time_password"]' >"$tmp/reviewer2.pw"
code=$(req sysadmin POST /v1/accounts '{"name":"reviewer2","role":"security-admin"}')
check "the same name again: 409" '[ "$code" = 409 ]'
code=$(req sysadmin POST /v1/accounts '{"name":"x","role":"root"}')
check "no such role: 400" '[ "$code" = 400 ]'
code=$(req sysadmin POST /v1/tokens '{"name":"im-gateway","role":"integration"}')
check "sysadmin makes an integration token, shown once" '[ "$code" = 201 ] && spec POST /v1/tokens 201'
json "$tmp/body" 'd["token"]' >"$tmp/gw.token"
for route in "GET /v1/policy" "GET /v1/audit" "GET /v1/alerts" "GET /v1/stats" "POST /v1/verify"; do
  code=$(req sysadmin ${route% *} ${route#* })
  check "sysadmin may not $route: 403" '[ "$code" = 403 ]'
done
code=$(req sysadmin POST /v1/inspect '{"id":"s1","time":1,"channel":"wechat","text":"hi"}')
check "sysadmin may not inspect: 403" '[ "$code" = 403 ]'

# --- the integration ---------------------------------------------------------
code=$(req tok:gw POST /v1/inspect '{"id":"i1","time":1,"channel":"wechat","text":"机密★1年 的文件"}')
check "the gateway inspects: 200, block" '[ "$code" = 200 ] && grep -q "\"action\":\"block\"" "$tmp/body"'
printf '%s\n' '{"id":"e1","time":"2026-11-21T10:00:00+08:00","channel":"wechat","sender":{"id":"u1","name":"张三","dept":"财务部"},"conversation":{"id":"g1","type":"group","title":"项目群"},"text":"机密★5年 会议纪要发群里了"}' \
  '{"id":"e2","time":"2026-11-21T10:01:00+08:00","channel":"wechat","sender":{"id":"u2","name":"李四"},"conversation":{"id":"g1","type":"group"},"text":"收到"}' >"$tmp/events.jsonl"
code=$(req tok:gw POST /v1/events "$(cat "$tmp/events.jsonl")" application/x-ndjson)
check "the gateway sends events: stored, verdicts, as documented" '[ "$code" = 200 ] && spec POST /v1/events 200 && [ "$(json "$tmp/body" "d[\"stored\"]")" = 2 ] && [ "$(json "$tmp/body" "d[\"verdicts\"][0][\"action\"]")" = block ]'
code=$(req tok:gw POST /v1/events "$(cat "$tmp/events.jsonl")" application/x-ndjson)
check "the same events again: duplicates, nothing stored twice" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "d[\"duplicates\"]")" = 2 ]'
code=$(req tok:gw POST /v1/events "$(printf '%s\n{"id":' "$(head -1 "$tmp/events.jsonl")")" application/x-ndjson)
check "a batch with a bad line: 400 naming it, nothing stored" '[ "$code" = 400 ] && grep -q "line 2" "$tmp/body"'
code=$(req tok:gw POST /v1/events '{"id":"x"}' application/json)
check "events not as JSON Lines: 415" '[ "$code" = 415 ]'
for route in "GET /v1/accounts" "GET /v1/audit" "GET /v1/policy"; do
  code=$(req tok:gw ${route% *} ${route#* })
  check "the gateway may not $route: 403" '[ "$code" = 403 ]'
done

# --- the security admin: policy ----------------------------------------------
code=$(req secadmin GET /v1/policy)
check "secadmin reads the policy, as documented" '[ "$code" = 200 ] && spec GET /v1/policy 200 && [ "$(json "$tmp/body" "d[\"version\"]")" = 0 ]'
cat >"$tmp/p1.yaml" <<'YAML'
version: 1
name: strict chat
include_default: true
keyword_lists:
  - name: salary
    words: [工资条]
rules:
  - id: salary
    match:
      category: keyword.salary
    action: block
    severity: high
YAML
code=$(req secadmin PUT /v1/policy "$(cat "$tmp/p1.yaml")" application/yaml)
check "secadmin puts a policy: version 1, as documented" '[ "$code" = 200 ] && spec PUT /v1/policy 200 && [ "$(json "$tmp/body" "d[\"version\"]")" = 1 ]'
code=$(req tok:gw POST /v1/inspect '{"id":"i2","time":1,"channel":"wechat","text":"这个月的工资条发你了"}')
check "the new policy is in force at once" '[ "$code" = 200 ] && grep -q "keyword.salary" "$tmp/body"'
code=$(req secadmin PUT /v1/policy 'version: 1
rules:
  - id: x
    action: explode' application/yaml)
check "a bad policy: 422 with the reason, nothing changed" '[ "$code" = 422 ] && spec PUT /v1/policy 422'
code=$(req secadmin GET /v1/policy)
check "still version 1" '[ "$(json "$tmp/body" "d[\"version\"]")" = 1 ]'
code=$(req secadmin PUT /v1/policy 'x' text/plain)
check "a policy not as YAML: 415" '[ "$code" = 415 ]'
for route in "GET /v1/accounts" "GET /v1/audit" "POST /v1/verify"; do
  code=$(req secadmin ${route% *} ${route#* })
  check "secadmin may not $route: 403" '[ "$code" = 403 ]'
done
code=$(req secadmin POST /v1/tokens '{"name":"x","role":"integration"}')
check "secadmin may not make integration tokens: 403" '[ "$code" = 403 ]'
code=$(req secadmin POST /v1/tokens '{"name":"sec-cli","role":"security-admin"}')
check "secadmin makes a token of its own role" '[ "$code" = 201 ]'
json "$tmp/body" 'd["token"]' >"$tmp/sec.token"
code=$(req tok:sec GET /v1/policy)
check "... which works as secadmin" '[ "$code" = 200 ]'

# --- the security admin: stored events and their review ---------------------
code=$(req secadmin GET "/v1/events/e1?context=3")
check "secadmin reads a stored event in its conversation, as documented" '[ "$code" = 200 ] && spec GET /v1/events/{id} 200 && [ "$(json "$tmp/body" "d[\"review\"][\"status\"]")" = open ] && [ "$(json "$tmp/body" "d[\"after\"][0][\"id\"]")" = e2 ]'
code=$(req secadmin GET /v1/trace/e1)
check "secadmin traces a stored event, as documented" '[ "$code" = 200 ] && spec GET /v1/trace/{id} 200 && [ "$(json "$tmp/body" "d[\"origin\"][\"id\"]")" = e1 ]'
code=$(req secadmin GET /v1/trace/nope)
check "tracing no such event: 404" '[ "$code" = 404 ]'
code=$(req auditor GET /v1/trace/e1)
check "the auditor may not trace: 403" '[ "$code" = 403 ]'
code=$(req secadmin GET /v1/events/nope)
check "no such event: 404" '[ "$code" = 404 ]'
code=$(req secadmin POST /v1/alerts/e1/review '{"decision":"dismiss"}')
check "a review without a note: 400" '[ "$code" = 400 ] && grep -q note "$tmp/body"'
code=$(req secadmin POST /v1/alerts/e1/review '{"decision":"delete","note":"x"}')
check "no such decision: 400" '[ "$code" = 400 ]'
code=$(req secadmin POST /v1/alerts/e2/review '{"decision":"confirm","note":"x"}')
check "an allowed event is no alert: 409" '[ "$code" = 409 ]'
code=$(req tok:gw POST /v1/alerts/e1/review '{"decision":"confirm","note":"x"}')
check "the gateway may not review: 403" '[ "$code" = 403 ]'
code=$(req secadmin POST /v1/alerts/e1/review '{"decision":"escalate","note":"纪要外发，报保密办"}')
check "secadmin escalates an alert, as documented" '[ "$code" = 200 ] && spec POST /v1/alerts/{id}/review 200 && [ "$(json "$tmp/body" "d[\"review\"][\"status\"]")" = escalated ]'
code=$(req secadmin POST /v1/alerts/e1/review '{"decision":"comment","note":"已约谈"}')
check "a comment leaves the status" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "d[\"review\"][\"status\"]")" = escalated ] && [ "$(json "$tmp/body" "d[\"review\"][\"reviews\"]")" = 2 ]'

# --- the security admin: alerts, search, counts --------------------------------
code=$(req secadmin GET /v1/alerts)
check "the alerts: e1 with its review status, not the allowed e2, as documented" '[ "$code" = 200 ] && spec GET /v1/alerts 200 && [ "$(json "$tmp/body" "[a[\"id\"] for a in d[\"alerts\"]] == [\"e1\"]")" = True ] && [ "$(json "$tmp/body" "d[\"alerts\"][0][\"review\"][\"status\"]")" = escalated ] && ! grep -q "会议纪要发群里了" "$tmp/body"'
code=$(req secadmin GET "/v1/alerts?status=open")
check "open alerts: none left" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "len(d[\"alerts\"])")" = 0 ]'
code=$(req secadmin GET "/v1/alerts?dept=%E8%B4%A2%E5%8A%A1%E9%83%A8&text=1")
check "alerts of 财务部, with their text" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "d[\"alerts\"][0][\"id\"]")" = e1 ] && grep -q "会议纪要" "$tmp/body"'
code=$(req secadmin GET "/v1/alerts?limit=0")
check "a bad limit: 400" '[ "$code" = 400 ]'
code=$(req secadmin GET "/v1/search?q=%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81")
check "search 会议纪要: e1 with the match marked, as documented" '[ "$code" = 200 ] && spec GET /v1/search 200 && [ "$(json "$tmp/body" "d[\"hits\"][0][\"id\"]")" = e1 ] && [ "$(json "$tmp/body" "len(d[\"hits\"][0][\"text_matches\"])")" -ge 1 ]'
code=$(req secadmin GET "/v1/stats?by=action,category,dept")
check "counts by action, category and department, as documented" '[ "$code" = 200 ] && spec GET /v1/stats 200 && [ "$(json "$tmp/body" "{g[\"key\"]: g[\"count\"] for g in d[\"action\"]} == {\"allow\": 1, \"block\": 1}")" = True ] && [ "$(json "$tmp/body" "d[\"dept\"][0] == {\"key\": \"财务部\", \"count\": 1}")" = True ]'
code=$(req secadmin GET "/v1/stats?by=sender&limit=1")
check "top sender, and where the reviews stand" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "len(d[\"sender\"])")" = 1 ] && [ "$(json "$tmp/body" "d[\"reviews\"] == {\"confirmed\": 0, \"dismissed\": 0, \"escalated\": 1, \"commented\": 0}")" = True ]'
code=$(req secadmin GET "/v1/stats?by=week")
check "no such dimension: 400" '[ "$code" = 400 ]'
for route in "GET /v1/alerts" "GET /v1/search" "GET /v1/stats"; do
  code=$(req auditor ${route% *} ${route#* })
  check "the auditor may not $route: 403" '[ "$code" = 403 ]'
done

# --- personal data in the event view: masked unless asked, and that recorded --
printf '%s\n' '{"id":"p-phone","time":"2026-11-21T11:00:00+08:00","channel":"wechat","sender":{"id":"u7","name":"赵六"},"conversation":{"id":"g2","type":"group","external":true},"text":"客户电话13800138000，地址见附件"}' >"$tmp/phone.jsonl"
req tok:gw POST /v1/events "$(cat "$tmp/phone.jsonl")" application/x-ndjson >/dev/null
code=$(req secadmin GET /v1/events/p-phone)
check "personal data masked by default, the offsets kept" '[ "$code" = 200 ] && grep -q "客户电话138\*\*\*\*8000" "$tmp/body" && ! grep -q "13800138000" "$tmp/body" && [ "$(json "$tmp/body" "d[\"event\"][\"masked\"]")" = 1 ]'
code=$(req secadmin GET "/v1/events/p-phone?unmask=1")
check "unmask=1: the text whole" '[ "$code" = 200 ] && grep -q "13800138000" "$tmp/body"'
code=$(req secadmin GET "/v1/search?q=%E5%AE%A2%E6%88%B7%E7%94%B5%E8%AF%9D")
check "search: the hit, its personal data masked, the match still marked" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "d[\"hits\"][0][\"text\"]")" = "客户电话138****8000，地址见附件" ] && [ "$(json "$tmp/body" "d[\"hits\"][0][\"text_matches\"]")" = "[[0, 12]]" ]'
code=$(req secadmin GET "/v1/alerts?text=1&sender=u7")
check "alerts with their texts: masked too" '[ "$code" = 200 ] && grep -q "138\*\*\*\*8000" "$tmp/body" && ! grep -q "13800138000" "$tmp/body"'
code=$(req secadmin GET "/v1/search?q=%E5%AE%A2%E6%88%B7%E7%94%B5%E8%AF%9D&unmask=1")
check "search with unmask=1: whole" '[ "$code" = 200 ] && grep -q "13800138000" "$tmp/body"'

# --- the auditor: the trail, verify; no policy changes -----------------------
code=$(req auditor PUT /v1/policy "$(cat "$tmp/p1.yaml")" application/yaml)
check "the auditor may not change the policy: 403" '[ "$code" = 403 ]'
code=$(req auditor POST /v1/accounts '{"name":"y","role":"auditor"}')
check "the auditor may not make accounts: 403" '[ "$code" = 403 ]'
code=$(req auditor GET /v1/policy)
check "the auditor reads the policy" '[ "$code" = 200 ]'
code=$(req auditor GET "/v1/audit?type=access&limit=1000")
check "the auditor reads the access trail, as documented" '[ "$code" = 200 ] && spec GET /v1/audit 200'
cp "$tmp/body" "$tmp/access.json"
trail() { json "$tmp/access.json" "$1"; }
check "the trail: sysadmin made an account, from 127.0.0.1" '[ "$(trail "sum(1 for r in d[\"records\"] if r[\"actor\"] == \"sysadmin\" and r[\"detail\"][\"action\"] == \"POST /v1/accounts\" and r[\"detail\"][\"from\"] == \"127.0.0.1\" and r[\"outcome\"] == \"ok\")")" -ge 1 ]'
check "the trail: refusals are there with their outcome" '[ "$(trail "sum(1 for r in d[\"records\"] if r[\"actor\"] == \"sysadmin\" and r[\"detail\"][\"action\"] == \"GET /v1/audit\" and r[\"outcome\"] == \"refused\" and r[\"detail\"][\"status\"] == 403)")" -ge 1 ]'
check "the trail: the gateway stored events, by its token, with the answer's status" '[ "$(trail "sum(1 for r in d[\"records\"] if r[\"detail\"][\"via\"] == \"token:im-gateway\" and r[\"detail\"][\"action\"] == \"POST /v1/events\" and r[\"detail\"][\"status\"] == 200 and r[\"outcome\"] == \"ok\")")" -ge 2 ]'
check "the trail: secadmin put a policy" '[ "$(trail "sum(1 for r in d[\"records\"] if r[\"actor\"] == \"secadmin\" and r[\"detail\"][\"action\"] == \"PUT /v1/policy\" and r[\"outcome\"] == \"ok\")")" -eq 1 ]'
code=$(req auditor GET "/v1/audit?type=login")
check "sign-ins, the wrong one too" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "sum(1 for r in d[\"records\"] if r[\"detail\"][\"outcome\"] == \"wrong password\")")" -ge 1 ]'
code=$(req auditor GET "/v1/audit?type=policy")
check "the policy versions, with their text" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "d[\"records\"][0][\"detail\"][\"version\"]")" = 1 ] && grep -q "工资条" "$tmp/body"'
code=$(req auditor GET "/v1/audit?type=access&limit=1000")
check "the unmasking is in the trail" '[ "$(json "$tmp/body" "sum(1 for r in d[\"records\"] if r[\"detail\"].get(\"target\") == \"p-phone\" and r[\"detail\"].get(\"about\") == {\"unmask\": True})")" = 1 ] && [ "$(json "$tmp/body" "sum(1 for r in d[\"records\"] if r[\"detail\"][\"action\"] == \"GET /v1/search\" and r[\"detail\"].get(\"about\", {}).get(\"unmask\") == True)")" = 1 ]'
code=$(req auditor GET "/v1/audit?type=review")
check "the reviews, with their notes" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "len(d[\"records\"])")" = 2 ] && grep -q "报保密办" "$tmp/body"'
code=$(req auditor GET /v1/events/e1)
check "the auditor may not read events: 403" '[ "$code" = 403 ]'
code=$(req auditor GET "/v1/audit?type=account")
check "account records without their password hashes" '[ "$code" = 200 ] && ! grep -q "argon2id\\$" "$tmp/body" && grep -q "(argon2id hash)" "$tmp/body" && [ "$(json "$tmp/body" "d[\"records\"][0][\"detail\"][\"name\"]")" = sysadmin ]'
code=$(req auditor GET "/v1/audit?type=access&order=desc&limit=3")
check "the newest first (order=desc), and where the next page starts, as documented" '[ "$code" = 200 ] && spec GET /v1/audit 200 && [ "$(json "$tmp/body" "len(d[\"records\"])")" = 3 ] && [ "$(json "$tmp/body" "d[\"records\"][0][\"record\"] > d[\"records\"][2][\"record\"] and d[\"next_before\"] == d[\"records\"][2][\"record\"]")" = True ]'
nb=$(json "$tmp/body" 'd["next_before"]')
code=$(req auditor GET "/v1/audit?type=access&order=desc&limit=3&before=$nb")
check "... the next page below it" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "d[\"records\"][0][\"record\"] < $nb")" = True ]'
code=$(req auditor GET "/v1/audit?type=nothing")
check "an unknown record type: 400" '[ "$code" = 400 ]'
code=$(req auditor POST /v1/verify)
check "the auditor verifies: ok, as documented" '[ "$code" = 200 ] && spec POST /v1/verify 200 && [ "$(json "$tmp/body" "d[\"ok\"]")" = True ]'
code=$(req auditor GET "/v1/audit?type=verify")
check "... and its result is a verify record" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "d[\"records\"][-1][\"outcome\"]")" = ok ] && [ "$(json "$tmp/body" "d[\"records\"][-1][\"detail\"][\"problems\"]")" = 0 ]'

# --- accounts: disable, reset --------------------------------------------------
login reviewer2 "$(cat "$tmp/reviewer2.pw")" >/dev/null
code=$(req sysadmin POST /v1/accounts/reviewer2/disable)
check "sysadmin disables an account" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "d[\"disabled\"]")" = True ]'
code=$(req reviewer2 GET /v1/session)
check "its session ended" '[ "$code" = 401 ]'
code=$(login reviewer2 "$(cat "$tmp/reviewer2.pw")")
check "it cannot sign in" '[ "$code" = 401 ] && grep -q disabled "$tmp/body"'
code=$(req sysadmin POST /v1/accounts/sysadmin/disable)
check "sysadmin cannot disable itself" '[ "$code" = 409 ]'
code=$(req sysadmin POST /v1/accounts/ghost/reset)
check "no such account: 404" '[ "$code" = 404 ]'

# --- a hot swap during a load run: no failed request -----------------------
if command -v wrk >/dev/null; then
  cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $(cat "$tmp/gw.token")"
wrk.body = '{"id":"w","time":1,"channel":"wechat","text":"明天上午九点开会，带上报表"}'
LUA
  wrk -t2 -c16 -d4s -s "$tmp/post.lua" "$base/v1/inspect" >"$tmp/wrk.out" 2>&1 &
  wpid=$!
  swaps=0
  for i in 1 2 3; do
    sleep 0.8
    code=$(req secadmin PUT /v1/policy "$(sed "s/strict chat/strict chat $i/" "$tmp/p1.yaml")" application/yaml)
    [ "$code" = 200 ] && swaps=$((swaps + 1))
  done
  wait "$wpid"
  reqs=$(awk '/requests in/ {print $1}' "$tmp/wrk.out")
  check "three swaps during the run ($swaps)" '[ $swaps -eq 3 ]'
  check "the run: $reqs requests, none failed or refused" '[ "${reqs:-0}" -gt 1000 ] && ! grep -q "Non-2xx" "$tmp/wrk.out" && ! grep -q "Socket errors" "$tmp/wrk.out"'
  curl -s "$base/metrics" >"$tmp/metrics"
  check "metrics count the swaps" 'grep -q "^levee_policy_swaps_total 4" "$tmp/metrics"'
else
  bad "wrk missing: run scripts/deps.sh"
fi

# --- attachments whose verdict follows ----------------------------------------
convert -size 1240x560 xc:'#f4f1ea' -font Noto-Sans-CJK-SC -pointsize 40 -fill '#222222' \
  -annotate +80+110 "机密★1年" -annotate +80+180 "关于调整有关人员的通知" \
  -annotate +80+250 "各部门：现将有关事项通知如下。" -quality 85 "$tmp/page.jpg"
b64=$(base64 -w0 "$tmp/page.jpg")
followed() { # EVENT_ID: waits (20 s at most) for its verdict record; its detail in $tmp/verdict
  for _ in $(seq 1 100); do
    req auditor GET "/v1/audit?type=verdict&limit=1000" >/dev/null
    json "$tmp/body" "[r for r in d[\"records\"] if r[\"detail\"][\"event\"] == \"$1\"][0]" >"$tmp/verdict" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}
for mode in "follow-up:5s" "inline:1ms"; do
  code=$(req secadmin PUT /v1/policy "$(printf 'version: 1\ninclude_default: true\nattachments:\n  verdict: %s\n  timeout: %s\n' "${mode%:*}" "${mode#*:}")" application/yaml)
  id="photo-${mode%:*}"
  code=$(req tok:gw POST /v1/events "{\"id\":\"$id\",\"time\":1,\"channel\":\"wechat\",\"attachments\":[{\"kind\":\"image\",\"data\":\"$b64\"}]}" application/x-ndjson)
  check "$mode: the event is stored at once, its verdict pending" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "d[\"pending\"] == [\"$id\"]")" = True ] && spec POST /v1/events 200'
  followed "$id"
  check "$mode: the full verdict follows as a record: the photo's marking" '[ $? -eq 0 ] && grep -q "classified.marking" "$tmp/verdict" && grep -q "attachment:0" "$tmp/verdict"'
  req secadmin GET "/v1/events/$id" >/dev/null
  check "$mode: the stored attachment has its digests" '[ "$(json "$tmp/body" "d[\"event\"][\"attachments\"][0][\"sha256\"]")" = "$(sha256sum "$tmp/page.jpg" | cut -d" " -f1)" ] && [ "$(json "$tmp/body" "d[\"event\"][\"attachments\"][0][\"md5\"]")" = "$(md5sum "$tmp/page.jpg" | cut -d" " -f1)" ]'
done
req secadmin PUT /v1/policy "$(cat "$tmp/p1.yaml")" application/yaml >/dev/null

code=$(req secadmin DELETE /v1/session)
check "sign out: 204" '[ "$code" = 204 ]'
code=$(req secadmin GET /v1/session)
check "then the session is gone" '[ "$code" = 401 ]'

# --- a restart keeps what was recorded -----------------------------------------
stop
check "SIGTERM: stopped, checkpointed" 'grep -q "audit store is checkpointed" "$tmp/serve.err"'
start
check "restarted: the stored policy version is in force" 'grep -q "policy: stored version 7" "$tmp/serve.err" && grep -q "4 accounts, 2 tokens" "$tmp/serve.err"'
code=$(login sysadmin "sysadmin password 2026")
check "the changed password still works" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "d[\"must_change_password\"]")" = False ]'
code=$(req tok:gw POST /v1/inspect '{"id":"i3","time":1,"channel":"wechat","text":"工资条"}')
check "the token still works, and the policy" '[ "$code" = 200 ] && grep -q "keyword.salary" "$tmp/body"'
login secadmin "secadmin password 2026" >/dev/null
code=$(req secadmin GET /v1/events/e1)
check "the alert's review status is kept" '[ "$code" = 200 ] && [ "$(json "$tmp/body" "d[\"review\"][\"status\"]")" = escalated ]'
stop

# --- HTTPS ---------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
: >"$tmp/serve.err"
"$LEVEE" serve --data "$tmp/d" --listen 127.0.0.1:0 --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" 2>"$tmp/serve.err" &
pid=$!
tport=
for _ in $(seq 1 100); do
  tport=$(sed -n 's/.*listening on https:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/serve.err")
  [ -n "$tport" ] && break
  sleep 0.1
done
check "serve over HTTPS says so" '[ -n "$tport" ]'
code=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' --cacert "$tmp/cert.pem" -X POST \
  -H 'Content-Type: application/json' --data-binary '{"name":"auditor","password":"auditor password 2026"}' \
  "https://127.0.0.1:$tport/v1/session")
check "sign-in over HTTPS: the cookie is Secure too" '[ "$code" = 200 ] && grep -i "^Set-Cookie: levee_session=" "$tmp/headers" | grep -q "; Secure"'
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$tport/healthz")
check "plain HTTP to the HTTPS port: no answer" '[ "$code" = 000 ]'
stop
"$LEVEE" verify --data "$tmp/d" >"$tmp/verify" 2>&1
check "levee verify: the log is intact ($(tail -1 "$tmp/verify"))" '[ $? -eq 0 ]'

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
