#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `levee serve` as integrations meet it, with curl on a loopback port:
# POST /v1/inspect gives the verdict `levee scan` gives (text, a photo sent
# as base64 data, a registered document); bad requests get the right
# status and a JSON reason (malformed, missing fields, wrong method or
# type, no such route, a body over the limit, with and without its
# length); a file path is not read; a slow client is cut off at the idle
# timeout while others are served; /healthz and /metrics answer; SIGTERM
# lets a request in flight finish, then exits 0; a client past its rate
# limit gets 429 with Retry-After.
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
command -v curl >/dev/null || { echo "curl missing: run scripts/deps.sh" >&2; exit 1; }

"$LEVEE" serve --help >"$tmp/help"; check "serve --help" 'grep -q "usage: levee serve" "$tmp/help"'
"$LEVEE" serve 2>"$tmp/err"; rc=$?
check "serve without --data: exit 2, said" '[ $rc -eq 2 ] && grep -q "^levee: serve: --data DIR (or --store URL) is required" "$tmp/err"'
LEVEE_SERVE_BINARY="$tmp/none" "$LEVEE" serve --data "$tmp/d" 2>"$tmp/err"; rc=$?
check "levee-serve missing: exit 2, said" '[ $rc -eq 2 ] && grep -q "cannot run .*none" "$tmp/err"'
"$LEVEE" serve --data "$tmp/d" --listen nowhere 2>"$tmp/err"; rc=$?
check "a bad --listen: exit 2, said" '[ $rc -eq 2 ] && grep -q "not HOST:PORT" "$tmp/err"'

# a registered document, so the server finds its copies
printf '%s\n' "关于做好汛期安全防范工作的通知" \
  "一、组织力量对辖区内水库、堤防、山塘、地质灾害点开展拉网式排查，建立隐患台账，逐一明确整改责任人和整改时限，限期整改到位。" >"$tmp/notice.txt"
"$LEVEE" register --data "$tmp/d" --document --level 机密 --label 汛期通知 "$tmp/notice.txt" >/dev/null 2>&1
check "a document registered" '[ $? -eq 0 ]'
# an integration's token: every /v1 route wants credentials
token=$("$LEVEE" admin token it --data "$tmp/d" 2>"$tmp/err")
check "an integration token made ($(cat "$tmp/err"))" '[[ "$token" == lvt_* ]]'
auth="Authorization: Bearer $token"

start() { # ARGS...: starts levee serve on a free port; sets pid and base
  "$LEVEE" serve --data "$tmp/d" --listen 127.0.0.1:0 "$@" 2>"$tmp/serve.err" &
  pid=$!
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/serve.err")
    [ -n "$port" ] && break
    sleep 0.1
  done
  base="http://127.0.0.1:$port"
}
# photos are read within the wait even on a loaded machine (ASan, tests
# running side by side): the wait itself is tested below
printf 'version: 1\ninclude_default: true\nattachments:\n  timeout: 60s\n' >"$tmp/wait.yaml"
start --idle-timeout 2 --request-timeout 3 --policy "$tmp/wait.yaml"
check "serve starts and says where it listens" '[ -n "$port" ] && grep -q "1 documents and 0 images registered" "$tmp/serve.err"'

spec() { # METHOD PATH STATUS: the last answer ($tmp/body) as docs/openapi.yaml says
  /usr/bin/python3 "$LEVEE_SRC/tests/tools/openapi_check.py" "$LEVEE_SRC/docs/openapi.yaml" "$1" "$2" "$3" "$tmp/body" 2>"$tmp/spec.err" ||
    { cat "$tmp/spec.err" >&2; return 1; }
}
/usr/bin/python3 "$LEVEE_SRC/tests/tools/openapi_check.py" "$LEVEE_SRC/docs/openapi.yaml" 2>"$tmp/err"
check "docs/openapi.yaml is a valid OpenAPI 3.1 document ($(cat "$tmp/err"))" '[ $? -eq 0 ]'

post() { # BODY [TYPE]: POST /v1/inspect; body in $tmp/body, status echoed
  curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$auth" -H "Content-Type: ${2:-application/json}" \
    --data-binary "$1" "$base/v1/inspect"
}
code=$(curl -s -o "$tmp/body" -w '%{http_code}' "$base/healthz")
check "GET /healthz: 200, ok, as documented" '[ "$code" = 200 ] && grep -q "\"status\":\"ok\"" "$tmp/body" && spec GET /healthz 200'

ev='{"id":"m1","time":"2026-11-21T10:00:00+08:00","channel":"wechat","conversation":{"id":"g1","type":"group"},"text":"机密★1年 的文件发群里了"}'
code=$(post "$ev")
check "a marking: 200, block, classified.marking, as documented" '[ "$code" = 200 ] && grep -q "^{\"id\":\"m1\",\"action\":\"block\"" "$tmp/body" && grep -q "classified.marking" "$tmp/body" && spec POST /v1/inspect 200'
printf '%s\n' "$ev" >"$tmp/ev.jsonl"
"$LEVEE" scan --data "$tmp/d" "$tmp/ev.jsonl" >"$tmp/scan.out" 2>/dev/null
check "the same verdict as levee scan, byte for byte" 'cmp -s "$tmp/body" "$tmp/scan.out"'
code=$(post '{"id":"m2","time":1,"channel":"wechat","text":"今天中午吃什么"}')
check "ordinary chatter: 200, allow" '[ "$code" = 200 ] && grep -q "\"action\":\"allow\",\"severity\":\"info\",\"findings\":\[\]" "$tmp/body"'
code=$(post '{"id":"m3","time":1,"channel":"wechat","text":"转一下：一、组织力量对辖区内水库、堤防、山塘、地质灾害点开展拉网式排查，建立隐患台账，逐一明确整改责任人。"}')
check "a pasted paragraph of a registered document: classified.document, as documented" '[ "$code" = 200 ] && grep -q "\"category\":\"classified.document\".*\"label\":\"汛期通知\",\"level\":\"机密\"" "$tmp/body" && spec POST /v1/inspect 200'

# a photo of a marked page, as base64 data
convert -size 1240x560 xc:'#f4f1ea' -font Noto-Sans-CJK-SC -pointsize 40 -fill '#222222' \
  -annotate +80+110 "机密★1年" -annotate +80+180 "关于调整有关人员的通知" \
  -annotate +80+250 "各部门：现将有关事项通知如下。" -quality 85 "$tmp/page.jpg"
b64=$(base64 -w0 "$tmp/page.jpg")
code=$(post "{\"id\":\"p1\",\"time\":1,\"channel\":\"wechat\",\"attachments\":[{\"kind\":\"image\",\"name\":\"page.jpg\",\"data\":\"$b64\"}]}")
check "a photo as data: classified.marking at attachment:0 (OCR)" '[ "$code" = 200 ] && grep -q "\"category\":\"classified.marking\",\"source\":\"attachment:0\"" "$tmp/body"'
code=$(post '{"id":"p2","time":1,"channel":"wechat","attachments":[{"kind":"file","path":"/etc/passwd"}]}')
check "a path is not read: attachment.unreadable saying so" '[ "$code" = 200 ] && grep -q "reads no files" "$tmp/body"'

# bad requests
code=$(post '{"id":"x","time":1'); check "malformed JSON: 400 with the reason, as documented" '[ "$code" = 400 ] && grep -q "^{\"error\":\"invalid JSON" "$tmp/body" && spec POST /v1/inspect 400'
code=$(post '{"id":"x","time":1}'); check "no channel: 400" '[ "$code" = 400 ] && grep -q "channel" "$tmp/body"'
code=$(post '[1,2]'); check "not an object: 400" '[ "$code" = 400 ]'
code=$(post "$ev" text/plain); check "not application/json: 415, as documented" '[ "$code" = 415 ] && spec POST /v1/inspect 415'
code=$(curl -s -o "$tmp/body" -w '%{http_code}' "$base/v1/inspect"); check "GET /v1/inspect: 405" '[ "$code" = 405 ] && grep -q "use POST" "$tmp/body"'
code=$(curl -s -o "$tmp/body" -w '%{http_code}' "$base/v2/nothing"); check "no such route: 404, JSON" '[ "$code" = 404 ] && grep -q "\"error\"" "$tmp/body"'
head -c $((9 << 20)) /dev/zero | tr '\0' 'a' >"$tmp/big"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$auth" -H 'Content-Type: application/json' --data-binary @"$tmp/big" "$base/v1/inspect")
check "a 9 MiB body: 413, as documented" '[ "$code" = 413 ] && spec POST /v1/inspect 413'
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$auth" -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big" "$base/v1/inspect")
check "a 9 MiB chunked body (no length): 413" '[ "$code" = 413 ]'

# a slow client (slow-loris): cut off at the idle timeout; others served
exec 3<>/dev/tcp/127.0.0.1/"$port"
printf 'POST /v1/inspect HTTP/1.1\r\nHost: x\r\n' >&3
code=$(post '{"id":"m4","time":1,"channel":"wechat","text":"hi"}')
check "served beside a slow client" '[ "$code" = 200 ]'
sleep 3.5
t0=$(date +%s)
timeout 5 cat <&3 >/dev/null 2>&1
check "the slow client's connection closed after the idle timeout" '[ $(( $(date +%s) - t0 )) -lt 4 ]'
exec 3<&- 3>&-

# a body that trickles in, a byte every half second (each resetting the
# idle timer): its connection closed at the request's deadline (3 s)
exec 3<>/dev/tcp/127.0.0.1/"$port"
printf 'POST /v1/inspect HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n' >&3
sent=0
for i in $(seq 1 14); do (printf ' ' >&3) 2>/dev/null || break; sent=$((sent + 1)); sleep 0.5; done
exec 3<&- 3>&-
check "a trickling body: cut off at the request deadline ($sent of 14 bytes went)" '[ $sent -lt 14 ] && grep -q "took over 3 s to arrive" "$tmp/serve.err"'

curl -s "$base/metrics" >"$tmp/metrics"
check "metrics: responses by route and class" 'grep -q "^levee_http_responses_total{route=\"inspect\",code=\"2xx\"} [1-9]" "$tmp/metrics" && grep -q "^levee_http_responses_total{route=\"inspect\",code=\"4xx\"} [1-9]" "$tmp/metrics"'
check "metrics: verdicts by action, latency histogram, extraction" 'grep -q "^levee_verdicts_total{action=\"block\"} [1-9]" "$tmp/metrics" && grep -q "^levee_inspect_seconds_count [1-9]" "$tmp/metrics" && grep -q "^levee_extract_jobs_total{outcome=\"done\"} [1-9]" "$tmp/metrics"'

# SIGTERM while a photo is being read: that request finishes, then exit 0
curl -s -o "$tmp/late" -w '%{http_code}' -X POST -H "$auth" -H 'Content-Type: application/json' \
  --data-binary "{\"id\":\"p3\",\"time\":1,\"channel\":\"wechat\",\"attachments\":[{\"kind\":\"image\",\"data\":\"$b64\"}]}" \
  "$base/v1/inspect" >"$tmp/late.code" &
cpid=$!
sleep 0.2
kill -TERM "$pid"
wait "$cpid"
wait "$pid"; rc=$?
pid=
check "SIGTERM: exit 0, said" '[ $rc -eq 0 ] && grep -q "SIGTERM: no new connections" "$tmp/serve.err" && grep -q "serve: stopped" "$tmp/serve.err"'
check "the request in flight got its verdict" '[ "$(cat "$tmp/late.code")" = 200 ] && grep -q "classified.marking" "$tmp/late"'

# the policy's wait for attachments: a 1 ms timeout reports the photo as not read
cat >"$tmp/policy.yaml" <<EOF
version: 1
include_default: true
attachments:
  verdict: inline
  timeout: 1ms
EOF
start --policy "$tmp/policy.yaml"
code=$(post "{\"id\":\"p4\",\"time\":1,\"channel\":\"wechat\",\"attachments\":[{\"kind\":\"image\",\"data\":\"$b64\"}]}")
check "attachments.timeout: an attachment not read in time is said so" '[ "$code" = 200 ] && grep -q "attachment.unreadable" "$tmp/body" && grep -q "not read within 1 ms" "$tmp/body"'
kill -TERM "$pid"; wait "$pid"; pid=

# text is not held up by photos: one extraction worker, three photos
# being read one after another, and a text request answered while the
# last of them is still waiting
start --extract-workers 1
photo_body="{\"id\":\"q\",\"time\":1,\"channel\":\"wechat\",\"attachments\":[{\"kind\":\"image\",\"data\":\"$b64\"}]}"
pids=()
for i in 1 2 3; do
  curl -s -o /dev/null -X POST -H "$auth" -H 'Content-Type: application/json' --data-binary "$photo_body" "$base/v1/inspect" &
  pids+=($!)
done
sleep 0.2
code=$(post '{"id":"t","time":1,"channel":"wechat","text":"中午一起吃饭吗"}')
running=0
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && running=$((running + 1)); done
check "a text request answered before the first photo was read ($running of 3 still waiting)" '[ "$code" = 200 ] && [ $running -eq 3 ]'
wait "${pids[@]}"
kill -TERM "$pid"; wait "$pid"; pid=

# a rate limit: 5 a second from this address, then 429 with Retry-After
start --rate-limit 5 --burst 5
n200=0
for i in 1 2 3 4 5; do
  code=$(post '{"id":"r","time":1,"channel":"wechat","text":"hi"}')
  [ "$code" = 200 ] && n200=$((n200 + 1))
done
check "within the limit: served" '[ $n200 -eq 5 ]'
code=$(curl -s -D "$tmp/headers" -o "$tmp/body" -w '%{http_code}' -X POST -H "$auth" -H 'Content-Type: application/json' \
  --data-binary '{"id":"r","time":1,"channel":"wechat","text":"hi"}' "$base/v1/inspect")
check "past it: 429, Retry-After, as documented" '[ "$code" = 429 ] && grep -qi "^Retry-After: [1-9]" "$tmp/headers" && spec POST /v1/inspect 429'
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")
check "health is not limited" '[ "$code" = 200 ]'
curl -s "$base/metrics" >"$tmp/metrics"
check "metrics count the refusals" 'grep -q "^levee_http_rate_limited_total [1-9]" "$tmp/metrics"'
sleep 1.1
code=$(post '{"id":"r","time":1,"channel":"wechat","text":"hi"}')
check "a second later: served again" '[ "$code" = 200 ]'
kill -TERM "$pid"; wait "$pid"; pid=

# the web console's files: served from memory with their types and a CSP;
# nothing else of the file system
mkdir -p "$tmp/con/js"
printf '<!doctype html><title>levee</title><script type="module" src="js/app.js"></script>\n' >"$tmp/con/index.html"
printf 'export const x = 1;\n' >"$tmp/con/js/app.js"
printf 'secret\n' >"$tmp/con/.env"
printf 'x\n' >"$tmp/con/notes.bak"
"$LEVEE" serve --data "$tmp/d" --console "$tmp/nowhere" --listen 127.0.0.1:0 2>"$tmp/err"; rc=$?
check "--console DIR that is not there: exit 2, said" '[ $rc -eq 2 ] && grep -q "the console" "$tmp/err"'
start --console "$tmp/con"
check "the console loaded, what is left out said" 'grep -q "console: .*con (2 files)" "$tmp/serve.err" && grep -q "\.env: left out" "$tmp/serve.err" && grep -q "notes.bak: not a kind of file served" "$tmp/serve.err"'
code=$(curl -s -D "$tmp/headers" -o "$tmp/body" -w '%{http_code}' "$base/")
check "GET /: index.html, with its CSP" '[ "$code" = 200 ] && grep -qi "^Content-Type: text/html" "$tmp/headers" && grep -qi "^Content-Security-Policy: default-src .self.; script-src .self." "$tmp/headers" && grep -qi "^X-Frame-Options: DENY" "$tmp/headers" && grep -q "js/app.js" "$tmp/body"'
code=$(curl -s -D "$tmp/headers" -o "$tmp/body" -w '%{http_code}' "$base/js/app.js")
check "a module: text/javascript" '[ "$code" = 200 ] && grep -qi "^Content-Type: text/javascript" "$tmp/headers"'
for p in /.env /notes.bak /../etc/passwd /js/../index.html; do
  code=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$base$p")
  check "GET $p: 404" '[ "$code" = 404 ]'
done
code=$(curl -s -o "$tmp/body" -w '%{http_code}' "$base/v1/nothing")
check "/v1 paths are the API's: 404 JSON" '[ "$code" = 404 ] && grep -q "no such route" "$tmp/body"'
kill -TERM "$pid"; wait "$pid"; pid=

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
