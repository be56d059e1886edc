#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Photos of documents (OCR of image attachments, issue 4), as the real cases
# send them: phone photos of classified notices and cipher telegrams. The
# photos are made here by tests/photos/gen_photos.py (Chinese pages rendered
# in the Noto CJK fonts by ImageMagick, then tilted, warped, blurred,
# darkened, made noisy, shrunk and JPEG-compressed). `levee scan PHOTO` must
# find every classified page as classified.* and stay quiet on ordinary
# notices, including those that talk about secrecy without being marked.
#
# Environment: LEVEE, LEVEE_SRC (as for every integration test), and
#   LEVEE_PHOTOS_COUNT  photos to make (default 18: 9 classified, 9 quiet)
#   LEVEE_PHOTOS_SEED   the generator's seed (default 1); try others
#   LEVEE_PHOTOS_KEEP   a directory to keep the photos, manifest and verdicts in
# Exit 77 (skipped) when convert or the fonts are missing, or when levee has
# no OCR yet.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/xdg"
skip() { echo "skipped: $*"; exit 77; }

py=/usr/bin/python3
[ -x "$py" ] || py=python3
count="${LEVEE_PHOTOS_COUNT:-18}"
seed="${LEVEE_PHOTOS_SEED:-1}"
dir="${LEVEE_PHOTOS_KEEP:-$tmp/photos}"
mkdir -p "$dir"

command -v convert >/dev/null || skip "ImageMagick's convert is not installed"
start=$SECONDS
gen() { # OUTDIR COUNT [OPTION...]
  local out=$1 n=$2
  shift 2
  "$py" "$LEVEE_SRC/tests/photos/gen_photos.py" "$out" --count "$n" --seed "$seed" --jobs 2 "$@" \
    >/dev/null 2>"$tmp/gen.err"
  local rc=$?
  [ $rc -ne 3 ] || skip "$(cat "$tmp/gen.err")"
  if [ $rc -ne 0 ]; then
    cat "$tmp/gen.err" >&2
    echo "FAIL: gen_photos.py exited $rc" >&2
    exit 1
  fi
}

# Probe: clean photos of a classified notice and a cipher telegram. Without
# OCR, levee sees no text in an image, and its help does not mention OCR.
gen "$tmp/probe" 2 --kinds redhead,telegram --levels clean
timeout 300 "$LEVEE" scan "$tmp"/probe/*.jpg >"$tmp/probe.out" 2>"$tmp/probe.err"
if ! grep -q '"category":"classified\.' "$tmp/probe.out" &&
  ! "$LEVEE" scan --help 2>&1 | grep -qiE 'ocr|tesseract'; then
  skip "levee has no OCR of images yet (clean photos of classified pages gave no classified finding; scan --help does not mention OCR)"
fi

gen "$dir" "$count"
echo "generated $count photos (seed $seed) in $((SECONDS - start)) s"

# Each photo alone, as a user would: one `file` event, one verdict.
"$py" - "$LEVEE" "$dir" <<'PY'
import json, os, subprocess, sys, time

levee, d = sys.argv[1], sys.argv[2]
recs = [json.loads(l) for l in open(os.path.join(d, "manifest.jsonl"), encoding="utf-8")]
fails = []
verdicts = open(os.path.join(d, "verdicts.jsonl"), "w", encoding="utf-8")
seconds = []
for r in recs:
    path = os.path.join(d, r["file"])
    t0 = time.monotonic()
    try:
        p = subprocess.run([levee, "scan", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=300)
        rc, out, err = p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        rc, out, err = -1, "", "timed out after 300 s"
    dt = time.monotonic() - t0
    seconds.append(dt)
    verdicts.write(out)
    lines = [l for l in out.splitlines() if l.strip()]
    why = None
    found = []
    if rc not in (0, 1):
        why = "levee exited %d: %s" % (rc, err.strip()[:200])
    elif len(lines) != 1:
        why = "%d verdict lines, expected 1" % len(lines)
    else:
        v = json.loads(lines[0])
        found = [f for f in v.get("findings", []) if f.get("category", "").startswith("classified.")]
        if v.get("id") != path:
            why = "verdict id %r, expected the path" % v.get("id")
        elif r["expected"] == "classified" and not found:
            why = "no classified.* finding (marking \"%s\")" % r.get("marking")
        elif r["expected"] == "classified" and not any(
                str(f.get("source", "")).startswith("attachment:") for f in found):
            why = "classified finding not from the attachment: %r" % found
        elif r["expected"] == "quiet" and found:
            why = "quiet page flagged"
        elif r["expected"] == "classified" and rc != 1:
            why = "classified finding but exit status %d, not 1 (action %r)" % (rc, v.get("action"))
    shown = "; ".join("%s %r" % (f["category"], f.get("excerpt", "")) for f in found[:3]) or "-"
    print("%-4s %-10s %-34s %5.1fs  %s" % ("ok" if not why else "FAIL", r["expected"], r["file"], dt, shown))
    if why:
        print("     %s [%s, %s]" % (why, r["kind"], r["variant"]))
        fails.append(r["file"])
verdicts.close()
cls = [r for r in recs if r["expected"] == "classified"]
qui = [r for r in recs if r["expected"] == "quiet"]
print("classified found: %d/%d; quiet kept quiet: %d/%d; levee scan %.1f s per photo (max %.1f s)" % (
    sum(1 for r in cls if r["file"] not in fails), len(cls),
    sum(1 for r in qui if r["file"] not in fails), len(qui),
    sum(seconds) / len(seconds), max(seconds)))
sys.exit(1 if fails else 0)
PY
rc=$?
echo "total $((SECONDS - start)) s"
[ -z "${LEVEE_PHOTOS_KEEP:-}" ] || echo "photos, manifest.jsonl and verdicts.jsonl kept in $dir"
exit $rc
