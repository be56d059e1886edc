#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/ocr.sh: reading a photographed page (part of `make bench`; run alone
# with `bash bench/ocr.sh` after `make build`). Renders a notice with Noto
# CJK, makes it a 1240x1000 phone photo (tilt, perspective, blur, noise,
# shadow, JPEG), then times, pinned to one CPU, median of runs:
#   bench_ocr      levee's decode, preparation and OCR steps, and the whole
#                  lv_extract call, with the models loaded once;
#   levee scan     the photo as a file event, end to end (process start,
#                  policy, module and model loading, OCR, verdict);
#   tesseract CLI  the same photo: chi_sim with OMP_THREAD_LIMIT=1 (as
#                  levee runs it), chi_sim+eng with one thread and with
#                  its default OpenMP threads.
# Writes bench/out/ocr_results.txt. See docs/BENCHMARKS.md.
#
# Environment: LEVEE_BUILD (default build/), OCR_RUNS (default 5).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LEVEE_BUILD:-$ROOT/build}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
OUT="$ROOT/bench/out"
WORK="$OUT/ocr"
RES="$OUT/ocr_results.txt"
RUNS="${OCR_RUNS:-5}"
export XDG_CACHE_HOME="$OUT/cache" LEVEE_EXTRACT_MODULE="$BUILD/levee-extract.so"
mkdir -p "$WORK"
: >"$RES"
for t in levee bench_ocr; do
  cmake --build "$BUILD" --target "$t" >"$OUT/build-$t.log" 2>&1 ||
    { echo "ocr bench: $t did not build (bench/out/build-$t.log)" >&2; exit 2; }
done
command -v convert >/dev/null && command -v tesseract >/dev/null ||
  { echo "ocr bench: ImageMagick and tesseract are needed (scripts/deps.sh)" >&2; exit 2; }
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c "$(($(nproc) - 1))")
ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "[ocr 1/4] the photo: a notice rendered with Noto Sans CJK SC, then photographed (1240x1000 JPEG)"
lines=("机密★1年" "关于做好近期保密管理工作的通知" "各部门、各单位："
  "为进一步加强涉密文件和信息的管理，防止失泄密事件发生，"
  "现就有关事项通知如下：" "一、涉密文件一律不得拍照、复印或通过微信等工具传送。"
  "二、各单位要定期开展保密自查，发现问题及时整改。"
  "三、因工作需要携带涉密载体外出的，须经主管领导批准。"
  "四、发生泄密事件的，应立即报告保密工作领导小组。"
  "请各部门认真贯彻落实。" "保密办公室" "2024年5月10日")
args=() y=120
for l in "${lines[@]}"; do args+=(-annotate "+90+$y" "$l"); y=$((y + 58)); done
convert -size 1240x1000 xc:'#f5f2ea' -font Noto-Sans-CJK-SC -pointsize 34 -fill '#1e1e1e' \
  "${args[@]}" "$WORK/page.png"
convert "$WORK/page.png" -background '#cfc9bf' -virtual-pixel background \
  -distort Perspective '0,0 25,18  1240,0 1210,0  0,1000 0,985  1240,1000 1235,1000' \
  -rotate 3 -blur 0x0.9 -attenuate 0.35 +noise Gaussian \
  \( -size 1240x1000 gradient:'#ffffff-#b8b8b8' \) -compose multiply -composite \
  -resize '1240x1000!' -quality 78 "$WORK/photo.jpg"
identify "$WORK/photo.jpg" | tee -a "$RES"

echo "[ocr 2/4] bench_ocr: levee's steps, median of $RUNS (models loaded once)"
# bench_ocr links Tesseract, so libgomp is loaded before main() runs: set
# here what the levee command sets for its module (extract.h).
OMP_THREAD_LIMIT=1 "${PIN[@]}" "$BUILD/bench/bench_ocr" --runs "$RUNS" "$WORK/photo.jpg" | tee -a "$RES"

echo "[ocr 3/4] levee scan photo.jpg end to end, median of $RUNS"
times=()
for ((r = 1; r <= RUNS; r++)); do
  t0=$(ms)
  "${PIN[@]}" "$BUILD/levee" scan "$WORK/photo.jpg" >"$WORK/verdict.json"
  times+=("$(($(ms) - t0))")
done
med=$(printf '%s\n' "${times[@]}" | median)
echo "OCR_CLI name=levee_scan median_ms=$med verdict=$(grep -o '"action":"[a-z]*"' "$WORK/verdict.json" | head -1) categories=$(grep -o '"category":"[a-z._]*"' "$WORK/verdict.json" | sort -u | tr '\n' ' ')" | tee -a "$RES"

echo "[ocr 4/4] tesseract CLI on the same photo, median of $RUNS"
# chi_sim with one thread is what levee runs; chi_sim+eng is what the issue
# names; the default OpenMP threads are what the CLI does unless told.
for mode in chi_sim:1 chi_sim+eng:1 chi_sim+eng:default; do
  lang=${mode%%:*} threads=${mode##*:}
  times=()
  for ((r = 1; r <= RUNS; r++)); do
    t0=$(ms)
    if [ "$threads" = 1 ]; then
      OMP_THREAD_LIMIT=1 "${PIN[@]}" tesseract "$WORK/photo.jpg" "$WORK/tess" -l "$lang" >/dev/null 2>&1
    else
      env -u OMP_THREAD_LIMIT "${PIN[@]}" tesseract "$WORK/photo.jpg" "$WORK/tess" -l "$lang" >/dev/null 2>&1
    fi
    times+=("$(($(ms) - t0))")
  done
  med=$(printf '%s\n' "${times[@]}" | median)
  echo "OCR_CLI name=tesseract lang=$lang threads=$threads median_ms=$med marking_read=$(grep -c '机密' "$WORK/tess.txt")" | tee -a "$RES"
done
echo "ocr bench: wrote $RES"
