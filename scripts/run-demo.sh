#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make run`: scans the demo data with the embedded default policy and prints
# the verdicts. (Later issues turn `make run` into the server and console.)
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
[ "$status" -le 1 ]
