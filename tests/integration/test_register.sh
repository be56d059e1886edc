#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `levee register` as an officer meets it, in both directions: a registered
# document is found when a paragraph of it is pasted into a chat, when a
# docx copy is sent, and when a photo of it is posted (OCR); a registered
# image is found when a resized, re-compressed, cropped or turned copy is
# posted; unrelated text, other notices and other photos are not. Then:
# registrations are audit records (with who made them) that verify covers,
# a file registered twice is skipped, ingest finds what scan finds, and bad
# input gets a clear error.
#
# With LEVEE_TEST_STORE=postgres://... (test_store_pg.sh sets it) the same
# runs against PostgreSQL.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
PY=/usr/bin/python3

pg_prefix="lv_reg_$$_"
# shellcheck source=tests/integration/store_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/store_lib.sh"
# scan takes the store as register does
scan_at() { # NAME: the options naming store NAME for scan
  if [ -n "$pg" ]; then echo "--store ${pg%/*}/$pg_prefix$1"; else echo "--data $tmp/$1"; fi
}

# --- material ------------------------------------------------------------
lines=("关于做好汛期安全防范工作的通知"
  "各乡镇人民政府，县直有关单位："
  "为切实做好今年汛期安全防范工作，确保人民群众生命财产安全，经县政府研究决定，"
  "一、组织力量对辖区内水库、堤防、山塘、地质灾害点开展拉网式排查，"
  "建立隐患台账，逐一明确整改责任人和整改时限，限期整改到位。"
  "二、各单位储备足够的防汛物资，确保关键时刻调得出、用得上。"
  "三、严格执行二十四小时值班和领导带班制度，遇有险情及时报告。")
printf '%s\n' "${lines[@]}" >"$tmp/notice.txt"
# the same text as a docx, and as a photo of the printed page
$PY - "$tmp/notice.txt" "$tmp/notice.docx" <<'PY'
import sys, zipfile
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
body = "".join(f"<w:p><w:r><w:t>{l}</w:t></w:r></w:p>" for l in open(sys.argv[1]).read().splitlines())
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {W}><w:body>{body}</w:body></w:document>')
PY
page() { # OUT LINE...: a page with these lines, Noto Sans CJK SC 30 pt
  local out=$1 args=() y=90
  shift
  for line in "$@"; do
    args+=(-annotate "+60+$y" "$line")
    y=$((y + 56))
  done
  convert -size 1240x560 xc:'#f4f1ea' -font Noto-Sans-CJK-SC -pointsize 30 \
    -fill '#222222' "${args[@]}" "$out"
}
page "$tmp/notice.png" "${lines[@]}"
convert "$tmp/notice.png" -background '#d8d4cc' -rotate 2 -blur 0x0.6 \
  -modulate 90 -quality 80 "$tmp/notice-photo.jpg"
# another notice of the same kind: set phrases shared, content not
other=("关于开展森林防火专项检查的通知" "各乡镇人民政府："
  "根据省林业局统一部署，县里决定开展森林防火专项检查。"
  "一、进山路口设置检查站，对进山人员逐一登记，严禁携带火种进山。"
  "二、各乡镇组建半专业扑火队伍，配齐风力灭火机，定期开展实战演练。"
  "三、清明期间安排专人值守重点林区，发现火情立即报告。")
page "$tmp/other.png" "${other[@]}"
convert "$tmp/other.png" -background '#d8d4cc' -rotate 2 -blur 0x0.6 \
  -modulate 90 -quality 80 "$tmp/other-photo.jpg"
# a picture (a site plan): shapes and gradients, no text; and another one
convert -size 900x640 gradient:'#3a6ea5'-'#e8e0c8' \
  -fill '#aa3322' -draw "rectangle 80,90 380,300" -fill '#228844' -draw "circle 640,220 640,330" \
  -fill '#222222' -draw "rectangle 120,420 820,470" -fill '#ddcc22' -draw "polygon 500,560 700,380 860,600" \
  "$tmp/plan.png"
convert -size 900x640 gradient:'#e8e0c8'-'#553311' \
  -fill '#2244aa' -draw "circle 250,250 250,420" -fill '#88aa22' -draw "rectangle 500,60 860,300" \
  -fill '#eeeeee' -draw "polygon 100,600 400,420 600,620" "$tmp/other-plan.png"
# copies of the plan as they would be posted
convert "$tmp/plan.png" -resize 60% -quality 55 "$tmp/plan-small.jpg"
convert "$tmp/plan.png" -gravity center -crop 95%x95%+0+0 +repage "$tmp/plan-cropped.png"
convert "$tmp/plan.png" -background white -rotate 1.5 -resize 80% -quality 70 "$tmp/plan-turned.jpg"

# --- help and bad input ----------------------------------------------------
"$LEVEE" register --help | grep -q "usage: levee register"; check "register --help" '[ $? -eq 0 ]'
"$LEVEE" --help | grep -q "register"; check "register in levee --help" '[ $? -eq 0 ]'
new_store r
"$LEVEE" register --document "$tmp/notice.txt" 2>"$tmp/err"; rc=$?
check "no --data: exit 2, said" '[ $rc -eq 2 ] && grep -q "^levee: register: --data DIR (or --store URL) is required" "$tmp/err"'
"$LEVEE" register $(at r) "$tmp/notice.txt" 2>"$tmp/err"; rc=$?
check "neither --document nor --image: exit 2, said" '[ $rc -eq 2 ] && grep -q "document or --image" "$tmp/err"'
"$LEVEE" register $(at r) --document --image "$tmp/notice.txt" 2>"$tmp/err"; rc=$?
check "both: exit 2" '[ $rc -eq 2 ] && grep -q "exclude each other" "$tmp/err"'
"$LEVEE" register $(at r) --document --level 顶级 "$tmp/notice.txt" 2>"$tmp/err"; rc=$?
check "a level that is none: exit 2, the levels named" '[ $rc -eq 2 ] && grep -q "绝密, 机密, 秘密 or 内部" "$tmp/err"'
"$LEVEE" register $(at r) --document 2>"$tmp/err"; rc=$?
check "no file: exit 2" '[ $rc -eq 2 ] && grep -q "no FILE" "$tmp/err"'
head -c 3000 /dev/urandom >"$tmp/noise.bin"
printf '短' >"$tmp/short.txt"
"$LEVEE" register $(at r) --document "$tmp/noise.bin" "$tmp/short.txt" "$tmp/missing.txt" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "unreadable files: exit 2, each said" '[ $rc -eq 2 ] && grep -q "noise.bin: a file of no format levee reads" "$tmp/err" && grep -q "short.txt: too little text" "$tmp/err" && grep -q "missing.txt: cannot read" "$tmp/err"'
"$LEVEE" register $(at r) --image "$tmp/notice.txt" 2>"$tmp/err"; rc=$?
check "a text file as an image: exit 2" '[ $rc -eq 2 ] && grep -q "not an image" "$tmp/err"'
"$LEVEE" register $(at r) --list 2>"$tmp/err" >"$tmp/out"; rc=$?
check "nothing registered by the failures" '[ $rc -eq 0 ] && grep -q "0 registrations" "$tmp/err"'

# --- registering -----------------------------------------------------------
"$LEVEE" register $(at r) --document --label "汛期安全防范通知" --level 机密 "$tmp/notice.txt" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a document registered: exit 0, its record named" '[ $rc -eq 0 ] && grep -q "^registered #[0-9]*: document .*notice.txt 机密 \"汛期安全防范通知\": [0-9]* fingerprints" "$tmp/out"'
"$LEVEE" register $(at r) --image --level 秘密 --label "厂区平面图" "$tmp/plan.png" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "an image registered" '[ $rc -eq 0 ] && grep -q "^registered #[0-9]*: image .*plan.png 秘密 \"厂区平面图\": hash [0-9a-f]\{16\}$" "$tmp/out"'
"$LEVEE" register $(at r) --image --label "通知照片" "$tmp/notice.png" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a page image registered with its text" '[ $rc -eq 0 ] && grep -q "with the fingerprints of the text in it" "$tmp/out"'
"$LEVEE" register $(at r) --document "$tmp/notice.txt" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "registered twice: skipped, exit 0" '[ $rc -eq 0 ] && grep -q "already registered as #" "$tmp/err" && [ ! -s "$tmp/out" ]'
"$LEVEE" register $(at r) --list --json >"$tmp/list" 2>/dev/null
check "--list --json: three registrations" '[ "$(grep -c . "$tmp/list")" -eq 3 ]'
check "--list --json: label, level, kind" 'grep -q "\"kind\":\"document\",\"label\":\"汛期安全防范通知\",\"level\":\"机密\",\"name\":\"notice.txt\"" "$tmp/list"'
n_reg=$(q r "SELECT count(*) FROM record WHERE type = 'register'")
check "registrations are audit records" '[ "$n_reg" -eq 3 ]'
who=$(q r "SELECT actor FROM record WHERE type = 'register' LIMIT 1" "SELECT convert_from(actor, 'UTF8') FROM record WHERE type = 'register' LIMIT 1")
check "with who registered them" '[ "$who" = "$(id -un)" ]'
check "the document's text is not kept" '! q r "SELECT detail FROM record WHERE type = '"'"'register'"'"'" | grep -q "排查"'
"$LEVEE" verify $(at r) >/dev/null 2>&1; check "verify after registering" '[ $? -eq 0 ]'

# --- found, and not found ---------------------------------------------------
cat >"$tmp/chat.jsonl" <<EOF
{"id":"paste","time":1,"channel":"wechat","conversation":{"id":"g1","type":"group"},"text":"转发给大家：一、组织力量对辖区内水库、堤防、山塘、地质灾害点开展拉网式排查，建立隐患台账，逐一明确整改责任人和整改时限。"}
{"id":"chat","time":2,"channel":"wechat","conversation":{"id":"g1","type":"group"},"text":"明天上午去水库看看堤防，顺便把防汛物资清点一下，值班表我晚点发群里。"}
{"id":"other","time":3,"channel":"wechat","conversation":{"id":"g1","type":"group"},"text":"$(printf '%s' "${other[@]}")"}
{"id":"docx","time":4,"channel":"wechat","attachments":[{"kind":"file","path":"notice.docx"}]}
{"id":"photo","time":5,"channel":"wechat","attachments":[{"kind":"image","path":"notice-photo.jpg"}]}
{"id":"otherphoto","time":6,"channel":"wechat","attachments":[{"kind":"image","path":"other-photo.jpg"}]}
{"id":"small","time":7,"channel":"wechat","attachments":[{"kind":"image","path":"plan-small.jpg"}]}
{"id":"cropped","time":8,"channel":"wechat","attachments":[{"kind":"image","path":"plan-cropped.png"}]}
{"id":"turned","time":9,"channel":"wechat","attachments":[{"kind":"image","path":"plan-turned.jpg"}]}
{"id":"otherplan","time":10,"channel":"wechat","attachments":[{"kind":"image","path":"other-plan.png"}]}
EOF
"$LEVEE" scan $(scan_at r) "$tmp/chat.jsonl" >"$tmp/v" 2>"$tmp/err"; rc=$?
check "scan with registrations: exit 1" '[ $rc -eq 1 ]'
v() { grep "^{\"id\":\"$1\"" "$tmp/v"; }
check "a pasted paragraph: classified.document, label and level" 'v paste | grep -q "\"category\":\"classified.document\",\"source\":\"text\".*\"registration\":{\"id\":[0-9]*,\"label\":\"汛期安全防范通知\",\"level\":\"机密\",\"name\":\"notice.txt\"},\"matched\":0\.[0-9]*"'
check "... and it is held or blocked" 'v paste | grep -q "^{\"id\":\"paste\",\"action\":\"\(block\|hold\)\""'
check "ordinary chatter on the same subject: nothing" 'v chat | grep -q "\"findings\":\[\]"'
check "another notice: not the registered one" '! v other | grep -q "classified.document"'
check "the docx copy: classified.document at attachment:0" 'v docx | grep -q "\"category\":\"classified.document\",\"source\":\"attachment:0\""'
check "the photo of the page: classified.document (OCR)" 'v photo | grep -q "\"category\":\"classified.document\",\"source\":\"attachment:0\""'
check "the photo of the page: classified.image (text confirmed)" 'v photo | grep -q "\"category\":\"classified.image\".*\"label\":\"通知照片\""'
check "a photo of another notice: neither" '! v otherphoto | grep -q "classified.document\|classified.image"'
for c in small cropped turned; do
  check "the plan, $c: classified.image with its distance" 'v $c | grep -q "\"category\":\"classified.image\",\"source\":\"attachment:0\".*\"label\":\"厂区平面图\",\"level\":\"秘密\",\"name\":\"plan.png\"},\"matched\":[0-9.]*,\"distance\":[0-9]*"'
done
check "another picture: nothing" '! v otherplan | grep -q "classified.image"'
"$LEVEE" scan "$tmp/chat.jsonl" >"$tmp/v0" 2>/dev/null
check "without the store: no registration found" '! grep -q "classified.document\|classified.image" "$tmp/v0"'
if [ -z "$pg" ]; then
  "$LEVEE" scan --data "$tmp/nostore" "$tmp/chat.jsonl" >/dev/null 2>"$tmp/err"; rc=$?
  check "scan --data of a directory with no store: no registrations, no error" '[ $rc -eq 0 ] && [ ! -s "$tmp/err" ]'
fi

# ingest finds the same, and stores it
"$LEVEE" ingest $(at r) "$tmp/chat.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "ingest with registrations: exit 0" '[ $rc -eq 0 ]'
n_doc=$(q r "SELECT count(DISTINCT seq) FROM finding WHERE category = 'classified.document'" "SELECT count(DISTINCT seq) FROM finding WHERE category = convert_to('classified.document', 'UTF8')")
n_img=$(q r "SELECT count(DISTINCT seq) FROM finding WHERE category = 'classified.image'" "SELECT count(DISTINCT seq) FROM finding WHERE category = convert_to('classified.image', 'UTF8')")
check "ingest stored classified.document for paste, docx and photo ($n_doc)" '[ "$n_doc" -eq 3 ]'
check "ingest stored classified.image for the photo and three plan copies ($n_img)" '[ "$n_img" -eq 4 ]'
"$LEVEE" verify $(at r) >/dev/null 2>&1; check "verify after ingest" '[ $? -eq 0 ]'

# tampering with a registration is caught
copy_store r t
q t "UPDATE record SET detail = replace(detail, '秘密', '内部') WHERE type = 'register'" >/dev/null
"$LEVEE" verify $(at t) >"$tmp/out" 2>&1; rc=$?
check "a registration's level changed: verify says tampered" '[ $rc -eq 1 ]'

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
