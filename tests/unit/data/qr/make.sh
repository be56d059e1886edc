#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make.sh: regenerates the QR code images test_qr.c reads. They are kept in
# the tree (a few KB each) so the unit test needs neither qrencode nor
# ImageMagick; run this (both installed, see scripts/deps.sh) to remake them.
# Every payload here is invented: no real account is encoded.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# ImageMagick 6; -strip leaves out dates, so the same script makes the same bytes.
IM=/usr/bin/convert

# One code each, 1-bit palette PNGs as qrencode writes them.
qrencode -o wechat_pay.png -s 4 -m 4 'wxp://f2f0W2sEwVqF8d7bR3kT1yHnLmPzXcQa'
qrencode -o wechat_contact.png -s 4 -m 4 'https://u.wechat.com/EDeAbCdEfGhIjKlMnOpQrSt'
qrencode -o url.png -s 4 -m 4 'https://example.com/shop?id=42'
qrencode -o text.png -s 4 -m 4 '加微信 abc123 私聊，价格更低'
# Alipay's blue on white, as 24-bit RGB; capitals, as Alipay writes its codes.
qrencode -o "$tmp/alipay.png" -s 4 -m 4 --foreground=1677FF \
  'HTTPS://QR.ALIPAY.COM/FKX09484ZQWERTYUIOP12'
$IM "$tmp/alipay.png" -strip PNG24:alipay.png
# Black modules on a transparent black background, as 32-bit RGBA.
qrencode -o "$tmp/alpha.png" -s 4 -m 4 --foreground=000000FF \
  --background=00000000 'weixin://wxpay/bizpayurl?pr=XIKYjUK'
$IM "$tmp/alpha.png" -strip PNG32:alpha.png
# Two codes side by side.
qrencode -o "$tmp/url.png" -s 4 -m 4 'https://example.com/shop?id=42'
$IM wechat_pay.png "$tmp/url.png" -gravity center +append -strip two.png
# A phone photo, roughly: tilted 10 degrees, blurred, noisy, scaled down,
# JPEG.
$IM wechat_pay.png -bordercolor white -border 40 -background white \
  -rotate 10 -blur 0x1 -seed 7 -attenuate 0.6 +noise Gaussian -resize 80% \
  -colorspace Gray -quality 85 -strip photo.jpg
# No code: a noisy gradient.
$IM -size 120x90 gradient:white-gray40 -seed 7 -attenuate 0.5 +noise Uniform \
  -colorspace Gray -depth 8 -strip nocode.png
# 18 codes (code-01 .. code-18), 6 by 3: more than LV_MAX_QR_CODES.
for i in $(seq -w 1 18); do
  qrencode -o "$tmp/c$i.png" -s 3 -m 2 "code-$i"
done
montage "$tmp"/c[0-9]*.png -tile 6x3 -geometry +4+4 -background white \
  "$tmp/many.png"
$IM "$tmp/many.png" -colorspace Gray -threshold 50% -type bilevel -strip many.png
# Payloads over LV_MAX_QR_PAYLOAD_BYTES: 7089 digits (numeric mode), and
# 1817 kanji in Shift JIS (kanji mode), which zbar returns as 5451 bytes of
# UTF-8.
/usr/bin/python3 -c "print(''.join(str(i % 10) for i in range(7089)), end='')" \
  >"$tmp/digits.txt"
qrencode -o long_numeric.png -s 2 -m 4 -r "$tmp/digits.txt"
/usr/bin/python3 -c "
import sys
sys.stdout.buffer.write(('漢字東京大阪' * 303)[:1817].encode('shift_jis'))" \
  >"$tmp/kanji.sjis"
qrencode -k -o kanji.png -s 2 -m 4 -r "$tmp/kanji.sjis"
