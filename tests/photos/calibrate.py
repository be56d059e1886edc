#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""calibrate.py: how well the tesseract CLI reads the photos gen_photos.py made.

For each photo in DIR/manifest.jsonl it runs `tesseract PHOTO stdout -l chi_sim+eng`
(optionally after a preparation, --prep, closer to what levee's OCR does first: grey,
upscaled, deskewed, table lines painted out),
times it, and checks whether the OCR text still holds what a detector needs: the level
word (绝密/机密/秘密), a marking's structure (level, one character, period), how the ★
came out, and for telegrams 密码电报 and the 密级 field. With --levee it also feeds the
OCR text, and the page's own text, to `levee scan` as message text and reports which
pages get a classified.* finding.

Prints a table per page kind and distortion level, the ★ readings seen, and writes the
per-photo results to DIR/calibration.jsonl. Standard library only.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

PERIOD = r"(?:长期|[0-9lIoO]{1,3}(?:年|个月|月)|[一二三四五六七八九十两]{1,3}(?:年|个月))"
LEVEL = r"(?:绝密|机密|秘密)"
WS = re.compile(r"[\s\u3000]+")


def squash(s):
    return WS.sub("", s)


REMOVE_LINES = ["-write", "mpr:g", "+delete",
                "(", "mpr:g", "-negate", "-lat", "31x31+10%", "-morphology", "Open", "rectangle:71x1", ")",
                "(", "mpr:g", "-negate", "-lat", "31x31+10%", "-morphology", "Open", "rectangle:1x71", ")",
                "-compose", "Lighten", "-composite", "-morphology", "Dilate", "square:2",
                "mpr:g", "+swap", "-compose", "Lighten", "-composite"]
PREP = {
    "none": None,
    "up": ["-colorspace", "Gray", "-resize", "200%"],
    "up-deskew": ["-colorspace", "Gray", "-resize", "200%", "-deskew", "40%", "+repage"],
    "up-deskew-lat": ["-colorspace", "Gray", "-resize", "200%", "-deskew", "40%", "+repage",
                      "-lat", "41x41-8%"],
    # deskewed, and the long straight lines (table rules, red lines) painted out
    "deskew-lines": ["-colorspace", "Gray", "-deskew", "40%", "+repage"] + REMOVE_LINES,
    "fit-deskew-lines": ["-colorspace", "Gray", "-resize", "1600x<", "-deskew", "40%", "+repage"]
                        + REMOVE_LINES,
}


def ocr(path, lang, psm, prep, workdir):
    """OCR text of one photo and the seconds tesseract took (preparation not counted)."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    src = path
    if PREP[prep]:
        src = os.path.join(workdir, os.path.basename(path) + ".prep.png")
        subprocess.run(["convert", path] + PREP[prep] + [src], check=True,
                       env=dict(env, MAGICK_THREAD_LIMIT="1"))
    cmd = ["tesseract", src, "stdout", "-l", lang]
    if psm:
        cmd += ["--psm", str(psm)]
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    dt = time.monotonic() - t0
    if src != path:
        os.unlink(src)
    return p.stdout.decode("utf-8", "replace"), dt


def analyse(rec, text):
    s = squash(text)
    out = {}
    lvl = rec.get("secrecy")
    out["level_word"] = bool(lvl and lvl in s)
    # what stands after the level word in the first marking-looking place
    m = re.search(LEVEL + r"(.{0,4})", s)
    out["after_level"] = m.group(1) if m else None
    out["structure"] = bool(re.search(LEVEL + r"(?:[^0-9一二三四五六七八九十两长]?" + PERIOD + r"|[★☆]|级)", s))
    mark = rec.get("marking")
    if mark and mark != "密码电报":
        out["marking_exact"] = squash(mark) in s
        # how the ★ of this marking was read: the text between level and period
        if "★" in mark:
            lv, _, per = squash(mark).partition("★")
            mm = re.search(re.escape(lv) + r"(.{0,3}?)" + (re.escape(per[0]) if per else "$|\n"), s)
            if not per:
                mm = re.search(re.escape(lv) + r"(.{0,2})", s)
            out["star_as"] = mm.group(1) if mm else None
    if rec["kind"] == "telegram":
        out["heading"] = "密码电报" in s
        out["field"] = bool(re.search("密级.{0,3}" + LEVEL, s))
    for k in rec.get("keys", []):
        out.setdefault("keys_found", 0)
        out["keys_found"] += squash(k) in s
    return out


def levee_classified(levee, texts, workdir, tag):
    """For each text, whether `levee scan` finds a classified.* category in it."""
    path = os.path.join(workdir, "%s.jsonl" % tag)
    with open(path, "w", encoding="utf-8") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": "t%d" % i, "time": 1, "channel": "wechat", "text": t},
                               ensure_ascii=False) + "\n")
    p = subprocess.run([levee, "scan", "--threads", "2", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=dict(os.environ, XDG_CACHE_HOME=workdir))
    res = {}
    for line in p.stdout.decode("utf-8").splitlines():
        v = json.loads(line)
        cats = [f["category"] for f in v.get("findings", []) if f["category"].startswith("classified.")]
        exc = [f.get("excerpt", "") for f in v.get("findings", []) if f["category"].startswith("classified.")]
        res[int(v["id"][1:])] = (bool(cats), exc)
    return [res.get(i, (None, [])) for i in range(len(texts))]


def pct(n, d):
    return "-" if d == 0 else "%3.0f%%" % (100.0 * n / d)


def main(argv):
    ap = argparse.ArgumentParser(description="Calibrate gen_photos.py output with the tesseract CLI.")
    ap.add_argument("dir", help="directory with manifest.jsonl and the photos")
    ap.add_argument("--lang", default="chi_sim+eng")
    ap.add_argument("--psm", type=int, default=0, help="tesseract --psm (default: its own, 3)")
    ap.add_argument("--prep", default="none", choices=sorted(PREP),
                    help="what is done to a photo before tesseract: none, or grey and 2x (up), "
                         "then deskewed, then locally thresholded")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--levee", help="levee binary: also run the detector on the OCR text")
    ap.add_argument("--out", help="per-photo results (default DIR/calibration[-up].jsonl)")
    a = ap.parse_args(argv)
    if not shutil.which("tesseract"):
        print("calibrate: tesseract not installed", file=sys.stderr)
        return 3
    recs = [json.loads(l) for l in open(os.path.join(a.dir, "manifest.jsonl"), encoding="utf-8")]
    with tempfile.TemporaryDirectory(prefix="calibrate.") as work:
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
            outs = list(ex.map(lambda r: ocr(os.path.join(a.dir, r["file"]), a.lang, a.psm, a.prep, work),
                               recs))
        det = truth = None
        if a.levee:
            det = levee_classified(a.levee, [t for t, _ in outs], work, "ocr")
            truth = levee_classified(a.levee, [r["text"] for r in recs], work, "truth")
    results = []
    for i, (r, (text, dt)) in enumerate(zip(recs, outs)):
        an = analyse(r, text)
        an.update(file=r["file"], kind=r["kind"], level=r["level"], expected=r["expected"],
                  seconds=round(dt, 2), ocr=text)
        if det:
            an["levee_ocr"], an["levee_ocr_excerpts"] = det[i]
            an["levee_truth"], an["levee_truth_excerpts"] = truth[i]
        results.append(an)
    out = a.out or os.path.join(a.dir, "calibration-%s-%s-psm%d.jsonl" % (a.prep, a.lang, a.psm or 3))
    print("tesseract -l %s --psm %d, preparation: %s" % (a.lang, a.psm or 3, a.prep))
    with open(out, "w", encoding="utf-8") as f:
        for x in results:
            f.write(json.dumps(x, ensure_ascii=False) + "\n")

    groups = collections.OrderedDict()
    for x in sorted(results, key=lambda x: (x["expected"], x["kind"], ["clean", "mild", "moderate",
                                                                     "strong"].index(x["level"]))):
        groups.setdefault((x["kind"], x["level"]), []).append(x)
    hdr = "%-17s %-9s %3s %6s %6s %6s %6s %6s %7s %7s %6s" % (
        "kind", "level", "n", "level", "struct", "exact", "head", "field", "det-ocr", "det-txt", "sec")
    print(hdr)
    print("-" * len(hdr))
    for (kind, level), xs in groups.items():
        n = len(xs)
        cnt = lambda k: sum(1 for x in xs if x.get(k))
        has = lambda k: sum(1 for x in xs if k in x)
        print("%-17s %-9s %3d %6s %6s %6s %6s %6s %7s %7s %6.2f" % (
            kind, level, n,
            pct(cnt("level_word"), n) if xs[0]["expected"] == "classified" else "",
            pct(cnt("structure"), n),
            pct(cnt("marking_exact"), has("marking_exact")),
            pct(cnt("heading"), has("heading")), pct(cnt("field"), has("field")),
            pct(cnt("levee_ocr"), n) if det else "", pct(cnt("levee_truth"), n) if det else "",
            sum(x["seconds"] for x in xs) / n))
    secs = sorted(x["seconds"] for x in results)
    print("\ntesseract time per photo: mean %.2f s, median %.2f s, max %.2f s (%d photos)" % (
        sum(secs) / len(secs), secs[len(secs) // 2], secs[-1], len(secs)))
    stars = collections.Counter(x["star_as"] for x in results if "star_as" in x)
    print("★ read as: " + ", ".join("%r x%d" % (k, v) for k, v in stars.most_common()))
    after = collections.Counter(x["after_level"] for x in results
                                if x["expected"] == "classified" and x["after_level"] is not None)
    print("text after the first level word (classified pages): " +
          ", ".join("%r x%d" % (k, v) for k, v in after.most_common(25)))
    if det:
        for kind in ("classified", "quiet"):
            xs = [x for x in results if x["expected"] == kind]
            hit = sum(1 for x in xs if x["levee_ocr"])
            print("levee on OCR text, %s pages: %d/%d with a classified.* finding" % (kind, hit, len(xs)))
        fp = [x for x in results if x["expected"] == "quiet" and (x["levee_ocr"] or x["levee_truth"])]
        for x in fp:
            print("  quiet page flagged: %s ocr=%s truth=%s %s %s" % (
                x["file"], x["levee_ocr"], x["levee_truth"], x["levee_ocr_excerpts"],
                x["levee_truth_excerpts"]))
        miss = [x for x in results if x["expected"] == "classified" and not x["levee_ocr"]]
        for x in miss:
            print("  classified page missed: %s after-level=%r truth=%s" % (
                x["file"], x["after_level"], x["levee_truth"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
