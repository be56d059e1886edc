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
echo "levee scan exits 0 when nothing reaches alert, 1 when something does (as here), 2 on errors."
echo "Try: build/levee scan --help, build/levee policy check, build/levee policy show-default"
[ "$status" -le 1 ]
