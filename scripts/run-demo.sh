#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make run`: scans the demo data with the embedded default policy and prints
# the verdicts, then starts levee serve on the embedded defaults with the
# demo events stored through its API. On a terminal the server keeps
# running until Ctrl-C; otherwise it is stopped after the demo's calls.
# LEVEE_DEMO_LISTEN (127.0.0.1:8080) is where it listens.
set -uo pipefail
cd "$(dirname "$0")/.."
levee=build/levee
echo "== levee scan demo/chat.jsonl   (chat events, JSON Lines)"
"$levee" scan --quiet demo/chat.jsonl
echo
echo "== levee scan --format wecom demo/wecom.json   (WeCom chat archive)"
"$levee" scan --quiet --format wecom demo/wecom.json
echo
echo "== levee scan demo/notice.eml demo/memo-gb18030.txt   (an email, a GB18030 text file)"
"$levee" scan --quiet demo/notice.eml demo/memo-gb18030.txt
status=$?
echo
echo "== levee scan demo/notice-photo.jpg   (a phone photo of a marked notice, read by OCR)"
"$levee" scan --quiet demo/notice-photo.jpg
[ $? -le 1 ] || status=2
echo
echo "== levee register --document demo/memo-gb18030.txt, then a chat pasting part of it"
demo_store=$(mktemp -d)
trap 'rm -rf "$demo_store"' EXIT
XDG_CONFIG_HOME="$demo_store/config" "$levee" register --data "$demo_store/data" --document \
  --label "三季度价格调整备忘" --level 内部 demo/memo-gb18030.txt 2>/dev/null
printf '%s\n' '{"id":"demo-paste","time":"2024-06-21T10:00:00+08:00","channel":"wechat","conversation":{"id":"vip-group","type":"group","external":true},"sender":{"id":"u7","name":"小林","role":"staff"},"text":"告诉大家个消息：自7月1日起，会员卡年费由1280元调整为1480元，老会员续费仍按原价。"}' |
  XDG_CONFIG_HOME="$demo_store/config" "$levee" scan --quiet --data "$demo_store/data" -
[ $? -le 1 ] || status=2
echo
echo "levee scan exits 0 when nothing reaches alert, 1 when something does (as here), 2 on errors."
echo "Try: build/levee scan --help, build/levee policy check, build/levee policy show-default"
[ "$status" -le 1 ] || exit 1

echo
echo "== levee serve   (the daemon: accounts, an integration's token, the demo events stored by its API)"
export XDG_CONFIG_HOME="$demo_store/config" XDG_CACHE_HOME="$demo_store/cache"
serve_data="$demo_store/serve"
"$levee" admin init --data "$serve_data" 2>/dev/null
token=$("$levee" admin token demo-gateway --data "$serve_data" 2>/dev/null)
listen="${LEVEE_DEMO_LISTEN:-127.0.0.1:8080}"
"$levee" serve --data "$serve_data" --listen "$listen" 2>"$demo_store/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$demo_store"' EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$demo_store/serve.err" && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.1
done
if ! grep -q "listening on" "$demo_store/serve.err"; then
  cat "$demo_store/serve.err" >&2
  echo "levee serve did not start (is $listen in use? set LEVEE_DEMO_LISTEN)" >&2
  exit 1
fi
base="http://$listen"
echo "integration token (shown once): $token"
echo "POST $base/v1/events < demo/chat.jsonl:"
curl -s -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/x-ndjson' \
  --data-binary @demo/chat.jsonl "$base/v1/events" |
  /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print("  stored %d events; actions: %s" % (d["stored"], ", ".join(v["id"] + " " + v["action"] for v in d["verdicts"])))'
echo "GET $base/metrics (verdicts):"
curl -s "$base/metrics" | grep '^levee_verdicts_total' | sed 's/^/  /'
echo
echo "Sign in as secadmin with its one-time password above (POST /v1/session), change it"
echo "(POST /v1/session/password), then GET /v1/alerts; docs/CLI.md and docs/openapi.yaml say more."
if [ -t 0 ]; then
  echo "levee serve is running on $base; Ctrl-C stops it."
  wait $pid
else
  kill -TERM $pid
  wait $pid
  echo "levee serve stopped (not on a terminal)."
fi
