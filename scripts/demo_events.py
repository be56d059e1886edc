#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""demo_events.py: the demo data set of `make run`, made ready and loaded (scripts/run-demo.sh).

demo/cases/*.jsonl are levee events (spec/interface.md, section 1) replaying the seed cases. Their
photos are not committed: an attachment's `path` names a page description, demo/cases/pages/NAME.txt
(or NAME.tsv for a spreadsheet), and this script renders it with ImageMagick in the Noto CJK fonts,
then "photographs" it (tilt, uneven light, blur, noise, JPEG), so a photo forwarded from group to
group is the same bytes everywhere. The events' times are moved by whole days so the newest lies
within the last day (the night stays night).

  demo_events.py prepare OUTDIR          writes OUTDIR/<case>.jsonl, attachments inline as base64
                                         `data` and their sha256 and md5, as a gateway sends them (what
                                         `levee serve` takes); `levee scan` reads them
  demo_events.py post BASE TOKEN FILE... POSTs the events to BASE/v1/events in batches, in the
                                         order of their times, checks that every one was stored,
                                         prints a summary per case

Environment: LEVEE_DEMO_NOW (epoch ms) fixes "now" for `prepare`. Exit status: 0 done, 1 failed,
3 convert, qrencode or the fonts are missing. Standard library only.
"""

import base64
import datetime
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from xml.sax.saxutils import escape

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "demo", "cases")
SERIF, SERIF_BOLD = "Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold"
SANS, SANS_BOLD = "Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold"
RED = "#c8161d"
INK = "#1d1d1f"
BATCH = 50  # events a request (the server takes up to 1,000)
BATCH_BYTES = 4 << 20  # and bytes (it takes up to 8 MiB)


def fail(code, why):
    print("demo_events: " + why, file=sys.stderr)
    sys.exit(code)


def run(args):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        fail(1, "%s failed: %s" % (args[0], p.stderr.decode("utf-8", "replace").strip()))
    return p.stdout


def literal(text):
    """Text for -annotate: ImageMagick's % escapes and backslashes made literal."""
    return text.replace("\\", "\\\\").replace("%", "%%")


# --- pages ------------------------------------------------------------------------------------
#
# A page description is lines of `TAG: text`, after `%key value` settings:
#   %style redhead|telegram|memo|fax|paycode   the look (default memo)
#   %size WxH          the page before it is photographed (default 1100x1300)
#   %photo K=V ...     tilt (degrees), light (0..1, uneven light), blur (sigma), noise,
#                      scale (final size), quality (JPEG); %photo none keeps the page as is
#   %from NAME         start from page NAME (rendered first) instead of drawing text: a photo
#                      of a printed fax, say
#   %qr PAYLOAD        paycode: the QR code's payload (qrencode)
# Tags: L left, R right, C centred, T title (big; red on a 红头 page), H heading (bold, centred),
#   P paragraph (wrapped, first line indented), B a body line as is, F a table row of cells
#   separated by " | " (telegram header), -- a rule (red on a 红头 page), an empty line a gap.


def parse_page(path):
    opts = {"style": "memo", "size": "1100x1300", "photo": "", "from": "", "qr": ""}
    lines = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            raw = raw.rstrip("\n")
            if raw.startswith("%"):
                key, _, value = raw[1:].partition(" ")
                if key not in opts:
                    fail(1, "%s: unknown setting %%%s" % (path, key))
                opts[key] = value.strip()
            elif raw.startswith("#"):
                continue
            elif raw.strip() == "":
                lines.append(("", ""))
            elif raw.strip() == "--":
                lines.append(("--", ""))
            else:
                tag, sep, text = raw.partition(": ")
                if not sep or tag not in ("L", "R", "C", "T", "H", "P", "B", "F"):
                    fail(1, "%s: a line must be TAG: text, not %r" % (path, raw))
                lines.append((tag, text))
    return opts, lines


def ems(text):
    """Width of text in em (CJK 1, ASCII about 1/2)."""
    return sum(0.55 if ord(ch) < 128 else 1.0 for ch in text)


def wrap(text, width):
    """Splits text into lines of at most width characters (CJK counts 1, ASCII 1/2)."""
    out, cur, n = [], "", 0.0
    for ch in text:
        w = 0.5 if ord(ch) < 128 else 1.0
        if n + w > width and cur:
            out.append(cur)
            cur, n = "", 0.0
        cur += ch
        n += w
    if cur:
        out.append(cur)
    return out


def draw_page(opts, lines, out):
    w, h = (int(v) for v in opts["size"].split("x"))
    style = opts["style"]
    paper = {"fax": "white", "paycode": "#1aad19"}.get(style, "#f7f5ef")
    body_font = SANS if style in ("fax", "paycode") else SERIF
    size = 34 if style != "paycode" else 40
    margin = 90
    per_line = (w - 2 * margin) / size - 1
    args = ["convert", "-size", "%dx%d" % (w, h), "xc:" + paper, "-fill", INK]
    y = 70

    def text(gravity, x, font, pt, colour, s):
        if ems(s) * pt > w - x - 60:
            fail(1, "%s: %r is too wide for the page" % (os.path.basename(out), s))
        args.extend(["-gravity", gravity, "-font", font, "-pointsize", str(pt), "-fill", colour,
                     "-annotate", "+%d+%d" % (x, y), literal(s)])

    i = 0
    while i < len(lines):
        tag, s = lines[i]
        i += 1
        if tag == "":
            y += size // 2
        elif tag == "--":
            colour = RED if style in ("redhead", "telegram") else INK
            args.extend(["-stroke", colour, "-strokewidth", "3", "-draw",
                         "line %d,%d %d,%d" % (margin - 20, y + 8, w - margin + 20, y + 8), "-stroke", "none"])
            y += 36
        elif tag == "T":
            pt = 62 if style in ("redhead", "telegram") else 54
            colour = RED if style in ("redhead", "telegram") else INK
            text("North", 0, SERIF_BOLD if style != "paycode" else SANS_BOLD, pt,
                 "white" if style == "paycode" else colour, s)
            y += int(pt * 1.6)
        elif tag == "H":
            text("North", 0, SERIF_BOLD if style not in ("fax", "paycode") else SANS_BOLD, size + 6,
                 "white" if style == "paycode" else INK, s)
            y += int((size + 6) * 1.6)
        elif tag == "C":
            text("North", 0, body_font, size, "white" if style == "paycode" else INK, s)
            y += int(size * 1.6)
        elif tag == "L":  # 份号, 密级, 紧急程度: 黑体 as GB/T 9704 has them
            text("NorthWest", margin, SANS_BOLD if style in ("redhead", "memo") else SANS, size, INK, s)
            y += int(size * 1.5)
        elif tag == "R":
            text("NorthEast", margin, body_font, size, INK, s)
            y += int(size * 1.6)
        elif tag == "B":
            text("NorthWest", margin, body_font, size, INK, s)
            y += int(size * 1.6)
        elif tag == "P":
            for k, part in enumerate(wrap(s, per_line - 2)):
                text("NorthWest", margin + (2 * size if k == 0 else 0), body_font, size, INK, part)
                y += int(size * 1.6)
        elif tag == "F":  # a table: this row and the F rows that follow it
            rows = [s]
            while i < len(lines) and lines[i][0] == "F":
                rows.append(lines[i][1])
                i += 1
            rows = [[c.strip() for c in r.split(" | ")] for r in rows]
            cols = max(len(r) for r in rows)
            pt = size - 4
            need = [max(ems(r[c]) if c < len(r) else 0 for r in rows) * pt + 28 for c in range(cols)]
            spare = (w - 2 * margin + 40 - sum(need)) / cols
            if spare < 0:
                fail(1, "%s: a table row is too wide for the page" % os.path.basename(out))
            line = RED if style == "telegram" else INK
            row_h = int(pt * 2.1)
            x0, top = margin - 20, y - 14
            xs = [x0]
            for c in range(cols):
                xs.append(xs[-1] + int(need[c] + spare))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    text("NorthWest", xs[c] + 14, SANS_BOLD if "★" in cell else SANS, pt, INK, cell)
                y += row_h
            bottom = top + row_h * len(rows)
            draw = ["line %d,%d %d,%d" % (xs[0], top + r * row_h, xs[-1], top + r * row_h)
                    for r in range(len(rows) + 1)]
            draw += ["line %d,%d %d,%d" % (x, top, x, bottom) for x in xs]
            args.extend(["-fill", "none", "-stroke", line, "-strokewidth", "3"])
            for d in draw:
                args.extend(["-draw", d])
            args.extend(["-stroke", "none", "-fill", INK])
            y += 10
        if y > h - 40:
            fail(1, "%s: the text does not fit the page (%%size)" % os.path.basename(out))
    args.append(out)
    run(args)


def paycode(opts, lines, out, tmp):
    qr = os.path.join(tmp, os.path.basename(out) + ".qr.png")
    run(["qrencode", "-s", "12", "-m", "2", "-o", qr, opts["qr"]])
    page = os.path.join(tmp, os.path.basename(out) + ".card.png")
    draw_page(opts, lines, page)
    w, h = (int(v) for v in opts["size"].split("x"))
    run(["convert", page, "(", qr, "-bordercolor", "white", "-border", "24", ")", "-gravity", "South",
         "-geometry", "+0+%d" % (h // 8), "-composite", out])


def seed(out):
    """ImageMagick's noise seeded from the file's name: the same page, the same bytes."""
    return str(zlib.crc32(os.path.basename(out).encode("utf-8")) % 100000)


def photograph(src, opts, out):
    """A phone photo of the page: tilted on a desk, uneven light, a little blur and noise."""
    p = {"tilt": "1.5", "light": "0.25", "blur": "0.5", "noise": "0.3", "scale": "100", "quality": "80"}
    if opts["photo"] == "none":
        run(["convert", src, "-quality", "85", out])
        return
    for kv in opts["photo"].split():
        k, _, v = kv.partition("=")
        if k not in p:
            fail(1, "%s: unknown %%photo key %s" % (out, k))
        p[k] = v
    w, h = (int(v) for v in run(["identify", "-format", "%w %h", src]).split())
    shade = int(255 * (1 - float(p["light"])))
    run(["convert", "-seed", seed(out), src,
         "(", "-size", "%dx%d" % (w, h), "gradient:white-rgb(%d,%d,%d)" % (shade, shade, shade - 8),
         "-rotate", "0", ")", "-compose", "multiply", "-composite",
         "-background", "#4a3f35", "-rotate", p["tilt"],
         "-blur", "0x" + p["blur"], "-attenuate", p["noise"], "+noise", "Gaussian",
         "-resize", p["scale"] + "%", "-quality", p["quality"], "-strip", out])


def fax(src, out):
    """A received fax: fine mode (1728 dots a line), black and white, a few specks."""
    run(["convert", "-seed", seed(out), src, "-colorspace", "gray", "-resize", "1728x", "-attenuate", "0.05",
         "+noise", "Impulse", "-threshold", "60%", "-type", "bilevel", "-strip", out])


def xlsx(tsv, out):
    """A spreadsheet of one sheet from a TSV file (first row a header), as office software writes."""
    with open(tsv, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]
    strings, index = [], {}

    def cell(ref, value):
        try:
            float(value.replace(",", ""))
            return '<c r="%s"><v>%s</v></c>' % (ref, value.replace(",", ""))
        except ValueError:
            if value not in index:
                index[value] = len(strings)
                strings.append(value)
            return '<c r="%s" t="s"><v>%d</v></c>' % (ref, index[value])

    sheet_rows = []
    for r, row in enumerate(rows, 1):
        cells = "".join(cell("%s%d" % (chr(65 + c), r), v) for c, v in enumerate(row) if v != "")
        sheet_rows.append('<row r="%d">%s</row>' % (r, cells))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>",
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>' % rel,
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook %s xmlns:r="%s"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        % (ns, rel),
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="%s/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        % (rel, rel),
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        "<worksheet %s><sheetData>%s</sheetData></worksheet>" % (ns, "".join(sheet_rows)),
        "xl/sharedStrings.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst %s count="%d" uniqueCount="%d">%s</sst>'
        % (ns, len(strings), len(strings), "".join("<si><t>%s</t></si>" % escape(s) for s in strings)),
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body)


def render(name, outdir, tmp, done):
    """Renders page NAME (once) into outdir; returns the file's path."""
    if name in done:
        return done[name]
    base = os.path.join(CASES, "pages", name)
    if os.path.exists(base + ".tsv"):
        out = os.path.join(outdir, name + ".xlsx")
        xlsx(base + ".tsv", out)
        done[name] = out
        return out
    if not os.path.exists(base + ".txt"):
        fail(1, "no page description demo/cases/pages/%s.txt" % name)
    opts, lines = parse_page(base + ".txt")
    raw = os.path.join(tmp, name + ".png")
    if opts["from"]:
        raw = render(opts["from"], outdir, tmp, done)
    elif opts["style"] == "paycode":
        paycode(opts, lines, raw, tmp)
    else:
        draw_page(opts, lines, raw)
    if opts["style"] == "fax":
        out = os.path.join(outdir, name + ".png")
        fax(raw, out)
    else:
        out = os.path.join(outdir, name + ".jpg")
        photograph(raw, opts, out)
    done[name] = out
    return out


# --- events ------------------------------------------------------------------------------------


def parse_time(t):
    return datetime.datetime.fromisoformat(t)


def prepare(outdir):
    for tool in ("convert", "identify", "qrencode"):
        if not shutil.which(tool):
            fail(3, "%s is missing (apt-get install imagemagick qrencode; scripts/deps.sh)" % tool)
    fonts = run(["convert", "-list", "font"]).decode("utf-8", "replace")
    if SERIF not in fonts or SANS not in fonts:
        fail(3, "the Noto CJK fonts are missing (apt-get install fonts-noto-cjk)")
    files = sorted(glob.glob(os.path.join(CASES, "*.jsonl")))
    if not files:
        fail(1, "no demo/cases/*.jsonl")
    cases = []
    latest = None
    for path in files:
        events = []
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    ev = json.loads(line)
                    t = parse_time(ev["time"])
                except (ValueError, KeyError, TypeError) as e:
                    fail(1, "%s:%d: %s" % (path, n, e))
                latest = t if latest is None or t > latest else latest
                events.append(ev)
        cases.append((os.path.basename(path), events))
    # Whole days, so the newest event lies within the day before now.
    now_ms = int(os.environ.get("LEVEE_DEMO_NOW") or time.time() * 1000)
    now = datetime.datetime.fromtimestamp(now_ms / 1000, tz=datetime.timezone.utc)
    shift = datetime.timedelta(days=max(0, (now - latest).days))
    os.makedirs(outdir, exist_ok=True)
    pages = os.path.join(outdir, "pages")
    os.makedirs(pages, exist_ok=True)
    done, data = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, events in cases:
            with open(os.path.join(outdir, name), "w", encoding="utf-8") as out:
                for ev in events:
                    ev["time"] = (parse_time(ev["time"]) + shift).isoformat()
                    for a in ev.get("attachments", []):
                        p = a.pop("path", None)
                        if p is None:
                            continue
                        page = os.path.splitext(os.path.basename(p))[0]
                        if page not in data:
                            with open(render(page, pages, tmp, done), "rb") as f:
                                raw = f.read()
                            # as a gateway sends them: the bytes and their digests
                            data[page] = {"data": base64.b64encode(raw).decode("ascii"),
                                          "sha256": hashlib.sha256(raw).hexdigest(),
                                          "md5": hashlib.md5(raw).hexdigest()}
                        a.update(data[page])
                    out.write(json.dumps(ev, ensure_ascii=False, separators=(",", ":")) + "\n")
    size = sum(os.path.getsize(p) for p in done.values())
    print("demo: %d events in %d cases, %d attachments (%d KB), times moved by %d days" %
          (sum(len(e) for _, e in cases), len(cases), len(done), size // 1024, shift.days))


def post(base, token, files):
    """Sends the events of every case in the order of their times, so the store's newest are the
    newest events, as an integration would have sent them; says what each case gave."""
    events = []
    for path in files:
        case = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    events.append((parse_time(json.loads(line)["time"]), case, line))
    events.sort(key=lambda e: e[0])
    chunks, cur, size = [], [], 0
    for e in events:
        n = len(e[2].encode("utf-8"))
        if cur and (len(cur) == BATCH or size + n > BATCH_BYTES):
            chunks.append(cur)
            cur, size = [], 0
        cur.append(e)
        size += n
    if cur:
        chunks.append(cur)
    stored = dup = pending = 0
    count, alerted, found = {}, {}, {}
    for chunk in chunks:
        rq = urllib.request.Request(base.rstrip("/") + "/v1/events", method="POST",
                                    data="".join(e[2] for e in chunk).encode("utf-8"),
                                    headers={"Authorization": "Bearer " + token,
                                             "Content-Type": "application/x-ndjson"})
        for attempt in range(20):
            try:
                with urllib.request.urlopen(rq, timeout=600) as r:
                    answer = json.load(r)
                break
            except urllib.error.HTTPError as e:
                body = e.read().decode("utf-8", "replace")
                if e.code in (429, 503) and attempt < 19:  # busy: as Retry-After says
                    time.sleep(float(e.headers.get("Retry-After") or 1))
                    continue
                fail(1, "POST /v1/events: %d %s" % (e.code, body.strip()))
            except (urllib.error.URLError, OSError) as e:
                fail(1, "POST /v1/events: %s" % e)
        stored += answer.get("stored", 0)
        dup += answer.get("duplicates", 0)
        pending += len(answer.get("pending") or [])
        for (_, case, _), v in zip(chunk, answer.get("verdicts", [])):
            count[case] = count.get(case, 0) + 1
            if v["action"] != "allow":
                alerted[case] = alerted.get(case, 0) + 1
                found.setdefault(case, set()).update(f["category"] for f in v["findings"])
        if sys.stdout.isatty():
            print("\r  %d of %d events stored" % (stored + dup, len(events)), end="", flush=True)
    if sys.stdout.isatty():
        print()
    for case in sorted(count):
        print("  %-10s %3d events, %2d alerted: %s" % (case, count[case], alerted.get(case, 0),
                                                  ", ".join(sorted(found.get(case, ()))) or "-"))
    print("demo: %d events sent, %d stored, %d already were" % (len(events), stored, dup))
    if pending:
        print("demo: %d events' attachments were not read in time; their verdicts follow as records "
              "(GET /v1/audit?type=verdict)" % pending)
    if stored + dup != len(events):
        fail(1, "%d events sent but %d stored" % (len(events), stored + dup))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "prepare":
        prepare(sys.argv[2])
    elif len(sys.argv) >= 5 and sys.argv[1] == "post":
        post(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        fail(1, "usage: demo_events.py prepare OUTDIR | post BASE TOKEN FILE...")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
