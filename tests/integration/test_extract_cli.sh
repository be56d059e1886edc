#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Attachments through `levee scan` and `levee ingest`: a photographed page is
# read by OCR and inspected (findings at attachment:N offsets into the OCR
# text); an ordinary page stays quiet; a corrupt image, one whose header
# claims too many pixels, and a missing extraction module each give an
# attachment.unreadable finding, never a crash; plain text needs no module.
# Pages are rendered here with ImageMagick and Noto CJK (scripts/deps.sh).
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/cfg"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
PY=/usr/bin/python3

# page FILE TEXT...: a white page with these lines, Noto Sans CJK SC 40 pt
page() {
  local out=$1
  shift
  local args=() y=110
  for line in "$@"; do
    args+=(-annotate "+80+$y" "$line")
    y=$((y + 64))
  done
  convert -size 1240x1000 xc:'#f4f1ea' -font Noto-Sans-CJK-SC -pointsize 40 \
    -fill '#222222' "${args[@]}" "$out"
}

page "$tmp/secret.png" "机密★1年" "关于调整有关人员的通知" "各部门：" \
  "现将有关事项通知如下，请认真落实。" "办公室 2024年3月5日"
page "$tmp/notice.png" "关于国庆节放假安排的通知" "各部门：" \
  "十月一日至七日放假调休，共七天。" "请各部门做好值班安排。" "办公室 2024年9月20日"
# a phone photo of the secret page: tilted, blurred, darker, JPEG
convert "$tmp/secret.png" -background '#d8d4cc' -rotate 4 -blur 0x0.8 \
  -modulate 85 -resize 1240x -quality 75 "$tmp/photo.jpg"

"$LEVEE" scan "$tmp/secret.png" >"$tmp/out"; rc=$?
check "a page with a marking: exit 1" '[ $rc -eq 1 ]'
check "classified.marking at attachment:0" \
  'grep -q "\"category\":\"classified.marking\",\"source\":\"attachment:0\"" "$tmp/out"'
check "the verdict holds it (a file, not a chat message)" 'grep -q "^{\"id\":\"$tmp/secret.png\",\"action\":\"hold\"" "$tmp/out"'
"$LEVEE" scan "$tmp/photo.jpg" >"$tmp/out"; rc=$?
check "the tilted, darker JPEG photo: classified.marking" \
  '[ $rc -eq 1 ] && grep -q "classified.marking" "$tmp/out"'
"$LEVEE" scan "$tmp/notice.png" >"$tmp/out"; rc=$?
check "an ordinary notice: exit 0, no finding" '[ $rc -eq 0 ] && grep -q "\"findings\":\[\]" "$tmp/out"'

# an email with the photo attached (base64): its attachment is read too
$PY - "$tmp/photo.jpg" "$tmp/photo.eml" <<'PY'
import base64, sys
img = base64.encodebytes(open(sys.argv[1], "rb").read()).decode()
open(sys.argv[2], "w").write(
    "From: a@example.com\nTo: b@example.org\nSubject: photo\n"
    "Message-ID: <p1@example.com>\nMIME-Version: 1.0\n"
    'Content-Type: multipart/mixed; boundary="XX"\n\n'
    "--XX\nContent-Type: text/plain; charset=UTF-8\n\nsee attached\n"
    '--XX\nContent-Type: image/jpeg; name="IMG_0001.jpg"\n'
    'Content-Disposition: attachment; filename="IMG_0001.jpg"\n'
    "Content-Transfer-Encoding: base64\n\n" + img + "--XX--\n")
PY
"$LEVEE" scan "$tmp/photo.eml" >"$tmp/out"; rc=$?
check "an email's attached photo: classified.marking at attachment:0" \
  '[ $rc -eq 1 ] && grep -q "classified.marking\",\"source\":\"attachment:0\"" "$tmp/out"'

# a phone's photo stored sideways or upside down, its EXIF saying how to
# turn it: read upright
for spec in "6:-rotate -90" "8:-rotate 90" "3:-rotate 180" "5:-transpose"; do
  o=${spec%%:*}
  convert "$tmp/secret.png" ${spec#*:} -quality 85 "$tmp/turned.jpg"
  $PY "$LEVEE_SRC/tests/tools/jpeg_orientation.py" "$tmp/turned.jpg" "$tmp/o$o.jpg" "$o"
  "$LEVEE" scan "$tmp/o$o.jpg" >"$tmp/out"; rc=$?
  check "EXIF orientation $o: turned upright and read" '[ $rc -eq 1 ] && grep -q "classified.marking" "$tmp/out"'
done

# other OCR models: named with LEVEE_OCR_LANGUAGES; missing ones said
LEVEE_OCR_LANGUAGES=chi_sim+eng "$LEVEE" scan "$tmp/secret.png" >"$tmp/out"; rc=$?
check "LEVEE_OCR_LANGUAGES=chi_sim+eng: read as well" '[ $rc -eq 1 ] && grep -q "classified.marking" "$tmp/out"'
LEVEE_OCR_LANGUAGES=xx_nosuch "$LEVEE" scan "$tmp/secret.png" >"$tmp/out"; rc=$?
check "models that are not installed: attachment.unreadable naming them" \
  '[ $rc -eq 1 ] && grep -q "attachment.unreadable" "$tmp/out" && grep -q "xx_nosuch" "$tmp/out"'

# offsets point into the OCR text: the excerpt is what lies there
$PY - "$tmp/secret.png" "$LEVEE" >"$tmp/offsets" 2>&1 <<'PY'
import json, subprocess, sys
v = json.loads(subprocess.run([sys.argv[2], "scan", sys.argv[1]], capture_output=True, text=True).stdout)
f = [x for x in v["findings"] if x["category"] == "classified.marking"][0]
print("ok" if f["end"] > f["start"] and f["excerpt"] else "bad", f["start"], f["end"], f["excerpt"])
PY
check "a finding has a span and an excerpt" 'grep -q "^ok" "$tmp/offsets"'

# a JSONL event with the photo as an attachment, by path and by data
b64=$(base64 -w0 "$tmp/photo.jpg")
cat >"$tmp/events.jsonl" <<JSONL
{"id":"p1","time":1700000000000,"channel":"wechat","conversation":{"id":"g1","type":"group"},"sender":{"id":"u1"},"text":"看看这个","attachments":[{"kind":"image","name":"IMG_0001.jpg","path":"photo.jpg"}]}
{"id":"p2","time":1700000000001,"channel":"wechat","conversation":{"id":"g1","type":"group"},"sender":{"id":"u1"},"text":"再发一次","attachments":[{"kind":"image","name":"IMG_0002.jpg","data":"$b64"}]}
{"id":"p3","time":1700000000002,"channel":"wechat","conversation":{"id":"g1","type":"group"},"sender":{"id":"u1"},"text":"放假通知","attachments":[{"kind":"image","name":"notice.png","path":"notice.png"}]}
JSONL
"$LEVEE" scan "$tmp/events.jsonl" >"$tmp/out"; rc=$?
check "chat events with the photo: blocked (chat channel), by path and by data" \
  '[ $rc -eq 1 ] && [ "$(grep -c "\"action\":\"block\".*classified.marking.*attachment:0" "$tmp/out")" -eq 2 ]'
check "the notice in chat: allowed" 'grep "\"id\":\"p3\"" "$tmp/out" | grep -q "\"action\":\"allow\""'

# office documents: the text of a docx (its header too); a zip bomb refused
$PY - "$tmp/minutes.docx" "$tmp/bomb.docx" <<'PY'
import sys, zipfile
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
def para(t):
    return f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>"
doc = f'<?xml version="1.0"?><w:document {W}><w:body>{para("关于调整有关人员的会议纪要")}{para("与会人员：办公室全体")}</w:body></w:document>'
hdr = f'<?xml version="1.0"?><w:hdr {W}>{para("秘密★6个月")}</w:hdr>'
ct = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", ct)
    z.writestr("word/document.xml", doc)
    z.writestr("word/header1.xml", hdr)
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", ct)
    z.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {W}><w:body>' + " " * (64 << 20) + "</w:body></w:document>")
PY
"$LEVEE" scan "$tmp/minutes.docx" >"$tmp/out"; rc=$?
check "a docx whose header holds the marking: classified.marking" '[ $rc -eq 1 ] && grep -q "classified.marking" "$tmp/out"'
"$LEVEE" scan "$tmp/bomb.docx" >"$tmp/out"; rc=$?
check "a zip bomb docx: attachment.unreadable, saying why" \
  '[ $rc -eq 1 ] && grep -q "attachment.unreadable" "$tmp/out" && grep -qi "ratio\|limit" "$tmp/out"'

# a personal payment code, photographed and sent to a customer by staff
qrencode -s 8 -m 4 -o "$tmp/paycode.png" 'wxp://f2f0Gz3hJ5-kQx1y2mPdEu7ALB5c'
convert "$tmp/paycode.png" -bordercolor '#ece8e0' -border 120 -rotate 5 -blur 0x0.6 \
  -quality 80 "$tmp/paycode.jpg"
b64=$(base64 -w0 "$tmp/paycode.jpg")
cat >"$tmp/pay.jsonl" <<JSONL
{"id":"d1","time":1700000000000,"channel":"wecom","conversation":{"id":"c9","type":"direct","external":true},"sender":{"id":"s7","role":"staff"},"text":"扫这个","attachments":[{"kind":"image","name":"code.jpg","data":"$b64"}]}
{"id":"d2","time":1700000000001,"channel":"wecom","conversation":{"id":"g2","type":"group","external":false},"sender":{"id":"s7","role":"staff"},"text":"饭钱AA","attachments":[{"kind":"image","name":"code.jpg","data":"$b64"}]}
JSONL
"$LEVEE" scan "$tmp/pay.jsonl" >"$tmp/out"; rc=$?
check "a pay code to a customer: conduct.order_diversion at attachment:0, alert" \
  'grep "\"id\":\"d1\"" "$tmp/out" | grep -q "\"action\":\"alert\".*conduct.order_diversion\",\"source\":\"attachment:0\""'
check "the same code among colleagues: recorded, not alerted" \
  'grep "\"id\":\"d2\"" "$tmp/out" | grep -q "\"action\":\"allow\""'

# corrupt, truncated and oversized images: an attachment.unreadable finding
head -c 3000 "$tmp/photo.jpg" >"$tmp/truncated.jpg"
printf '\x89PNG\r\n\x1a\n%s' "this is not a png at all" >"$tmp/garbage.png"
$PY - "$tmp/huge.png" <<'PY'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)  # 900 megapixels claimed
row = b"\0" + b"\xff" * 30000
data = zlib.compress(row * 4)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b""))
PY
for f in garbage.png huge.png truncated.jpg; do
  "$LEVEE" scan "$tmp/$f" >"$tmp/out" 2>"$tmp/err"; rc=$?
  case $f in
  truncated.jpg) # libjpeg pads a truncated JPEG: it decodes, and is read
    check "$f: read or reported, exit 0-1, no crash" '[ $rc -le 1 ]' ;;
  *)
    check "$f: attachment.unreadable, exit 1" \
      '[ $rc -eq 1 ] && grep -q "\"category\":\"attachment.unreadable\",\"source\":\"attachment:0\"" "$tmp/out"' ;;
  esac
done
"$LEVEE" scan "$tmp/huge.png" >"$tmp/out"
check "the oversized image: its size and the limit in the excerpt" 'grep -q "30000x30000 pixels, over the limit" "$tmp/out"'

# PDF: a text layer is read as it is; a scan (an image, no text layer) is
# rendered and read by OCR; a broken PDF is unreadable
convert "$tmp/secret.png" -quality 85 "$tmp/secret.jpg"
$PY "$LEVEE_SRC/tests/tools/jpeg_to_pdf.py" "$tmp/secret.jpg" "$tmp/scan.pdf"
OMP_THREAD_LIMIT=1 tesseract "$tmp/secret.png" "$tmp/searchable" -l chi_sim+eng pdf >/dev/null 2>&1
"$LEVEE" scan "$tmp/scan.pdf" >"$tmp/out"; rc=$?
check "a scanned PDF: OCR finds the marking" '[ $rc -eq 1 ] && grep -q "classified.marking" "$tmp/out"'
"$LEVEE" scan "$tmp/searchable.pdf" >"$tmp/out"; rc=$?
check "a PDF with a text layer: the marking" '[ $rc -eq 1 ] && grep -q "classified.marking" "$tmp/out"'
head -c 600 "$tmp/scan.pdf" >"$tmp/broken.pdf"
"$LEVEE" scan "$tmp/broken.pdf" >"$tmp/out" 2>/dev/null; rc=$?
check "a broken PDF: attachment.unreadable" '[ $rc -eq 1 ] && grep -q "attachment.unreadable" "$tmp/out"'

# without the extraction module: images are reported, plain text still read
printf '秘密★6个月 会议纪要\n' >"$tmp/minutes.txt"
LEVEE_EXTRACT_MODULE=/nonexistent/levee-extract.so "$LEVEE" scan "$tmp/secret.png" >"$tmp/out"; rc=$?
check "no module: the image is unreadable, saying why" \
  '[ $rc -eq 1 ] && grep -q "attachment.unreadable" "$tmp/out" && grep -q "cannot load" "$tmp/out"'
LEVEE_EXTRACT_MODULE=/nonexistent/levee-extract.so "$LEVEE" scan "$tmp/minutes.txt" >"$tmp/out"; rc=$?
check "no module: a text file is still read" '[ $rc -eq 1 ] && grep -q "classified.marking" "$tmp/out"'
head -c 2000 /dev/urandom | tr -d '\000-\037' | head -c 1000 >"$tmp/bin.dat"
printf '\x00\x01\x02' >>"$tmp/bin.dat"
"$LEVEE" scan "$tmp/bin.dat" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a file of no format levee reads: exit 2, said on stderr" \
  '[ $rc -eq 2 ] && grep -q "not a file levee reads" "$tmp/err"'

# ingest: the photo's OCR text is stored as the attachment's extracted text
# and found by search
"$LEVEE" ingest --quiet --data "$tmp/store" "$tmp/events.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "ingest of the chat events: exit 0" '[ $rc -eq 0 ]'
"$LEVEE" search --data "$tmp/store" 有关人员 >"$tmp/out" 2>&1
check "search finds the OCR text of the photos" 'grep -q "p1" "$tmp/out" && grep -q "p2" "$tmp/out"'
"$LEVEE" verify --data "$tmp/store" >/dev/null; rc=$?
check "the store verifies" '[ $rc -eq 0 ]'

echo "test_extract_cli: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
