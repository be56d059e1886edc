#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# levee serve's alerts, delivered to real receivers on loopback
# (tests/tools/alert_receiver.py: an HTTP server and a syslog listener,
# UDP and TCP): a marked message sent as an event reaches the generic
# webhook (JSON), the WeCom, DingTalk (signed) and Feishu robots
# (markdown) and syslog (RFC 5424) as the policy routes it; a sink that
# answers 500 gets the alert on a later attempt; repeats from the same
# sender and rule within the window become one follow-up with a count; a
# sink that is down counts its alert as undelivered, visible in the API
# and the metrics; a sink that hangs slows no inspection; a hot swap of
# the policy changes where alerts go.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
pid= rpid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  [ -n "$rpid" ] && kill "$rpid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
py=/usr/bin/python3

mkdir -p "$tmp/rx"
"$py" "$LEVEE_SRC/tests/tools/alert_receiver.py" "$tmp/rx" &
rpid=$!
for _ in $(seq 1 50); do [ -f "$tmp/rx/ports" ] && break; sleep 0.1; done
read -r hp up tp < <(sed 's/[a-z]*=//g' "$tmp/rx/ports")
check "the receivers listen" '[ -n "$hp" ] && [ -n "$up" ] && [ -n "$tp" ]'

cat >"$tmp/policy.yaml" <<YAML
version: 1
include_default: true
alerts:
  window: 3s
  sinks:
    hook: {type: webhook, url: "http://127.0.0.1:$hp/hook"}
    wecom: {type: wecom, url: "http://127.0.0.1:$hp/wecom?key=k1"}
    ding: {type: dingtalk, url: "http://127.0.0.1:$hp/ding?access_token=t1", secret: "SECtest"}
    feishu: {type: feishu, url: "http://127.0.0.1:$hp/flaky-feishu"}
    siem: {type: syslog, address: "udp://127.0.0.1:$up"}
    siem-tcp: {type: syslog, address: "tcp://127.0.0.1:$tp"}
    down: {type: webhook, url: "http://127.0.0.1:1/nothing"}
    hang: {type: webhook, url: "http://127.0.0.1:$hp/hang"}
rules:
  - id: state-secret-marking
    match:
      category: classified.marking
    action: block
    severity: critical
    notify: [hook, wecom, ding, feishu, siem, siem-tcp, down, hang]
YAML
"$LEVEE" policy check "$tmp/policy.yaml" >"$tmp/check" 2>&1
check "the policy with sinks checks ($(tail -1 "$tmp/check"))" '[ $? -eq 0 ]'
"$LEVEE" admin init --data "$tmp/d" >"$tmp/init" 2>&1
tok=$("$LEVEE" admin token gw --data "$tmp/d" 2>/dev/null)
"$LEVEE" serve --data "$tmp/d" --listen 127.0.0.1:0 --policy "$tmp/policy.yaml" \
  --alert-attempts 3 --console-url https://levee.example.cn 2>"$tmp/serve.err" &
pid=$!
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/serve.err")
  [ -n "$port" ] && break
  sleep 0.1
done
base="http://127.0.0.1:$port"
check "serve starts" '[ -n "$port" ]'

events() { # LINES: POST /v1/events as the gateway; status echoed
  curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $tok" \
    -H 'Content-Type: application/x-ndjson' --data-binary "$1" "$base/v1/events"
}
posts() { # PATH_PREFIX: posts the HTTP receiver got on it
  [ -f "$tmp/rx/http.jsonl" ] || { echo 0; return; }
  "$py" -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["path"].startswith(sys.argv[2])))' "$tmp/rx/http.jsonl" "$1"
}
posts_with() { # PATH_PREFIX TEXT: posts on it whose body holds TEXT
  [ -f "$tmp/rx/http.jsonl" ] || { echo 0; return; }
  "$py" -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["path"].startswith(sys.argv[2]) and sys.argv[3] in json.loads(l)["body"]))' "$tmp/rx/http.jsonl" "$1" "$2"
}
wait_for() { # SECONDS CONDITION
  local n=$(($1 * 10))
  for _ in $(seq 1 "$n"); do eval "$2" && return 0; sleep 0.1; done
  return 1
}
body_of() { # PATH_PREFIX N: the Nth post's body on it
  "$py" -c 'import json,sys; b=[json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["path"].startswith(sys.argv[2])]; print(b[int(sys.argv[3])]["body"])' "$tmp/rx/http.jsonl" "$1" "$2"
}

ev='{"id":"a1","time":"2026-11-21T10:00:00+08:00","channel":"wechat","sender":{"id":"u1","name":"张三","dept":"财务部"},"conversation":{"id":"g1","type":"group","title":"项目群"},"text":"机密★5年 的会议纪要发群里了"}'
t0=$(date +%s%N)
code=$(events "$ev")
t1=$(date +%s%N)
check "a marked message is stored and blocked" '[ "$code" = 200 ] && grep -q "\"action\":\"block\"" "$tmp/body"'
check "the answer did not wait for the sinks ($(( (t1 - t0) / 1000000 )) ms)" '[ $(( (t1 - t0) / 1000000 )) -lt 2000 ]'
wait_for 10 '[ "$(posts /hook)" -ge 1 ] && [ "$(posts /wecom)" -ge 1 ] && [ "$(posts /ding)" -ge 1 ] && grep -q "a1" "$tmp/rx/syslog.txt" 2>/dev/null && [ "$(grep -c "^tcp" "$tmp/rx/syslog.txt")" -ge 1 ]'
check "the webhook, WeCom, DingTalk and syslog (UDP, TCP) got it" '[ $? -eq 0 ]'
body_of /hook 0 >"$tmp/hook.json"
check "the webhook: JSON with the event, the rule, the sender and a console link, no message text" 'grep -q "\"a1\"" "$tmp/hook.json" && grep -q "state-secret-marking" "$tmp/hook.json" && grep -q "张三" "$tmp/hook.json" && grep -q "https://levee.example.cn/#/alerts/a1" "$tmp/hook.json" && ! grep -q "会议纪要发群里了" "$tmp/hook.json"'
body_of /wecom 0 >"$tmp/wecom.json"
check "WeCom: a markdown message" '"$py" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"msgtype\"] == \"markdown\" and \"a1\" in d[\"markdown\"][\"content\"]" "$tmp/wecom.json"'
check "DingTalk: markdown, signed (timestamp and sign in the URL)" '"$py" -c "import json,sys; L=[json.loads(l) for l in open(sys.argv[1]) if json.loads(l)[\"path\"].startswith(\"/ding\")]; d=json.loads(L[0][\"body\"]); assert d[\"msgtype\"] == \"markdown\" and \"timestamp=\" in L[0][\"path\"] and \"sign=\" in L[0][\"path\"]" "$tmp/rx/http.jsonl"'
check "syslog: RFC 5424 from levee" 'grep -q "^udp <[0-9]*>1 [0-9T:.Z+-]* [^ ]* levee " "$tmp/rx/syslog.txt"'
wait_for 15 '[ "$(posts /flaky-feishu)" -ge 3 ]'
check "Feishu answered 500 twice: delivered on the third attempt" '[ $? -eq 0 ] && "$py" -c "import json,sys; L=[json.loads(l) for l in open(sys.argv[1]) if json.loads(l)[\"path\"].startswith(\"/flaky\")]; assert [x[\"status\"] for x in L[:3]] == [500, 500, 200]" "$tmp/rx/http.jsonl"'

# while the hanging sink holds its attempt, inspection is not slowed
tok_h="Authorization: Bearer $tok"
slow=0
for i in 1 2 3 4 5; do
  ms=$(curl -s -o /dev/null -w '%{time_total}' -X POST -H "$tok_h" -H 'Content-Type: application/json' \
    --data-binary "{\"id\":\"q$i\",\"time\":1,\"channel\":\"wechat\",\"sender\":{\"id\":\"u$i\"},\"text\":\"机密★1年\"}" "$base/v1/inspect" |
    awk '{print int($1 * 1000)}')
  [ "$ms" -gt 1000 ] && slow=$((slow + 1))
done
check "inspections answered at once while a sink hangs" '[ $slow -eq 0 ]'

# repeats of the same sender and rule within the window: one follow-up with a count
d='{"id":"d1","time":1,"channel":"wechat","sender":{"id":"u50","name":"王五"},"text":"机密★1年 通知"}'
events "$(printf '%s\n%s\n%s\n' "$d" "${d/d1/d2}" "${d/d1/d3}")" >/dev/null
sleep 1
check "three from the same sender within the window: the first sent, the others counted" '[ "$(posts_with /hook "\"u50\"")" -eq 1 ] && [ "$(posts_with /hook "\"d1\"")" -eq 1 ]'
wait_for 10 '[ "$(posts_with /hook "\"u50\"")" -eq 2 ]'
check "when the window closes, one follow-up with the count" '[ $? -eq 0 ] && [ "$(posts_with /hook "\"kind\":\"summary\",\"event_id\":\"d3\"")" -eq 1 ] && [ "$(posts_with /hook "\"count\":2")" -ge 1 ]'

# the sink that is down: undelivered, in the API and the metrics
"$LEVEE" admin list --data "$tmp/d" >/dev/null 2>&1
sp=$(awk '$1 == "secadmin" {print $3}' "$tmp/init")
curl -s -c "$tmp/jar" -o "$tmp/login" -X POST -H 'Content-Type: application/json' \
  --data-binary "{\"name\":\"secadmin\",\"password\":\"$sp\"}" "$base/v1/session"
csrf=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$tmp/login")
curl -s -b "$tmp/jar" -o /dev/null -X POST -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  --data-binary "{\"old\":\"$sp\",\"new\":\"secadmin password 2026\"}" "$base/v1/session/password"
wait_for 15 'curl -s -b "$tmp/jar" "$base/v1/alerts/undelivered" >"$tmp/undelivered" && grep -q "\"sink\":\"down\"" "$tmp/undelivered"'
check "the sink that is down: its alert undelivered, in the API, as documented" '[ $? -eq 0 ] && cp "$tmp/undelivered" "$tmp/body" && "$py" "$LEVEE_SRC/tests/tools/openapi_check.py" "$LEVEE_SRC/docs/openapi.yaml" GET /v1/alerts/undelivered 200 "$tmp/body"'
curl -s "$base/metrics" >"$tmp/metrics"
check "metrics: delivered, retried and failed alerts, per sink" 'grep -q "^levee_alerts_delivered_total [1-9]" "$tmp/metrics" && grep -q "^levee_alerts_retried_total [1-9]" "$tmp/metrics" && grep -q "sink=\"down\"" "$tmp/metrics"'

# a hot swap: alerts go where the new policy says
sed -e 's/notify: \[hook, wecom, ding, feishu, siem, siem-tcp, down, hang\]/notify: [wecom]/' "$tmp/policy.yaml" >"$tmp/p2.yaml"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -b "$tmp/jar" -X PUT -H "X-CSRF-Token: $csrf" \
  -H 'Content-Type: application/yaml' --data-binary @"$tmp/p2.yaml" "$base/v1/policy")
check "a policy that routes to WeCom only" '[ "$code" = 200 ]'
events '{"id":"b1","time":1,"channel":"wechat","sender":{"id":"u9"},"text":"绝密★ 文件"}' >/dev/null
wait_for 10 '[ "$(posts_with /wecom "b1")" -ge 1 ]'
check "after the swap: WeCom got it, the webhook did not" '[ $? -eq 0 ] && sleep 1 && [ "$(posts_with /hook "\"b1\"")" -eq 0 ]'

kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
check "SIGTERM: stopped cleanly" '[ $rc -eq 0 ]'

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
