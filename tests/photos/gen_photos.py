#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""gen_photos.py: makes phone photos of Chinese official pages for levee's OCR tests.

It writes page photos (JPEG) and manifest.jsonl into OUTDIR. Each photo is one page,
rendered with ImageMagick's `convert` in the Noto CJK fonts (fonts-noto-cjk), then
photographed: tilted, warped, blurred, darkened, made noisy, shrunk and re-compressed as
JPEG. Pages are of two sorts:

  classified  notices marked 绝密/机密/秘密 (with or without ★ and a period) in the
              红头文件 style, and 密码电报 (cipher telegrams) with their header table
  quiet       ordinary notices (meetings, holidays, canteen, parking), some in the same
              红头文件 style, and hard negatives that talk about secrecy without being
              marked (保密工作会议, 保密教育培训, 保守国家秘密 posters, 《机密文件管理规定》
              named in a sentence, a film night for 《绝密飞行》)

The wording is drawn from templates with seeded randomness, so a run is reproducible
(--seed) and a different seed gives other pages. Photo i depends only on the seed and i,
so a larger --count keeps the first photos unchanged.

Each manifest line: file, expected ("classified" | "quiet"), kind, variant, level,
distortions (what was applied), marking (classified pages: the marking as printed),
secrecy (the level word shown), keys (strings an OCR of the page should contain),
page (size, dpi), text (the page's text, line by line), seed.

Standard library only. Exit status: 0 done, 2 bad arguments, 3 convert or the fonts
missing, 4 convert failed.
"""

import argparse
import concurrent.futures
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile

FONT_SERIF = "Noto-Serif-CJK-SC"
FONT_SERIF_BOLD = "Noto-Serif-CJK-SC-Bold"
FONT_SANS = "Noto-Sans-CJK-SC"
FONT_SANS_BOLD = "Noto-Sans-CJK-SC-Bold"
FONTS = (FONT_SERIF, FONT_SERIF_BOLD, FONT_SANS, FONT_SANS_BOLD)

CLASSIFIED_KINDS = ("redhead", "telegram")
QUIET_KINDS = (
    "meeting",
    "secrecy_meeting",
    "holiday",
    "secrecy_training",
    "canteen",
    "secrecy_poster",
    "parking",
    "secrecy_rules",
    "film_night",
)
ALL_KINDS = CLASSIFIED_KINDS + QUIET_KINDS
LEVELS = ("clean", "mild", "moderate", "strong")
DEFAULT_LEVELS = ("clean", "mild", "moderate")

# --------------------------------------------------------------------------------------
# wording

PLACES = ["江城市", "临江市", "青山县", "云溪县", "东湖区", "南平县", "西岭县", "白河县",
          "清水县", "长丰县", "北川区", "宁远县"]
ORGANS = [  # (name pattern, number prefix pattern)
    ("{p}人民政府办公室", "{a}政办发"),
    ("中共{p}委办公室", "{a}委办发"),
    ("{p}公安局", "{a}公发"),
    ("{p}司法局", "{a}司发"),
    ("{p}应急管理局", "{a}应急发"),
    ("{p}发展和改革委员会", "{a}发改发"),
    ("{p}财政局", "{a}财发"),
    ("{p}教育局", "{a}教发"),
    ("{p}民政局", "{a}民发"),
    ("{p}卫生健康委员会", "{a}卫健发"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "敏", "静", "强", "磊", "洋", "勇", "军", "杰", "涛", "明", "华", "建国",
         "志刚", "海燕", "晓东", "红梅", "国平", "文军"]
TOPICS = [
    "近期重点工作安排", "有关人员职务调整", "专项督查工作", "重大活动安全保障工作",
    "防汛抗旱应急准备工作", "年度目标考核工作", "突发事件应对处置工作", "信访维稳工作",
    "干部选拔任用有关工作", "重点项目推进工作", "安全生产大检查", "森林防火工作",
    "节日期间值班值守工作", "基层治理有关工作", "重点人员稳控工作", "应急物资储备工作",
]
TITLE_FORMS = ["关于做好{t}的通知", "关于加强{t}的通知", "关于{t}的通知", "关于{t}的意见",
               "关于进一步做好{t}的紧急通知", "关于{t}的实施方案"]
ADDRESSEES = ["各县（市、区）人民政府，市政府各部门：", "各乡镇人民政府、街道办事处，县直各单位：",
              "各县（市、区）委，市直各单位：", "局机关各科室，各直属单位：",
              "各区委、区政府，市直有关部门："]
OPENINGS = [
    "为进一步做好{t}，经{o}同意，现就有关事项通知如下。",
    "根据上级有关部署要求，结合我{u}实际，现就{t}通知如下。",
    "近期，{t}面临一些新情况新问题。为切实抓好各项工作落实，经研究，现将有关事项通知如下。",
    "为认真贯彻落实上级会议精神，扎实推进{t}，现提出如下要求。",
]
SECTIONS = [
    ("提高思想认识", "各单位要充分认识{t}的重要性和紧迫性，切实加强组织领导，主要负责同志要亲自研究部署，"
                   "明确责任分工，确保各项措施落实到位。"),
    ("明确工作任务", "{d}前，各单位要完成本辖区情况排查，建立工作台账，逐项明确责任人和完成时限，"
                   "并将工作进展情况书面报送{o}。"),
    ("强化协调配合", "各有关部门要按照职责分工，密切配合，加强信息沟通，形成工作合力，"
                   "遇有重要情况要第一时间报告，不得迟报、漏报。"),
    ("严格督促检查", "{o}将会同有关部门适时开展督查，对工作不力、措施不实的单位予以通报，"
                   "对造成严重后果的依规依纪追究责任。"),
    ("加强值班值守", "各单位要严格执行领导带班和二十四小时值班制度，保持通信畅通，"
                   "确保遇有突发情况能够及时有效处置。"),
    ("注意工作方法", "要坚持依法依规、稳妥有序，注重方式方法，防止简单化、一刀切，"
                   "切实维护群众合法权益和社会大局稳定。"),
]
NUMERALS = "一二三四五六七八九十"
CLOSINGS = ["特此通知。", "请认真贯彻执行。", "以上意见，请结合实际认真抓好落实。"]
BUILDINGS = ["行政中心", "市民中心", "办公大楼", "综合楼", "机关大院"]
HOLIDAYS = [("元旦", 1, 1, 1), ("春节", 2, 10, 8), ("清明节", 4, 4, 3), ("劳动节", 5, 1, 5),
            ("端午节", 6, 10, 3), ("中秋节", 9, 15, 3), ("国庆节", 10, 1, 7)]
WEEKDAYS = "一二三四五六日"


def person(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def landline(rng):
    return "0%d-%d" % (rng.choice([571, 551, 731, 851, 431, 871, 591, 791]),
                       rng.randint(81000000, 89999999))


def date_cn(rng, year):
    return "%d年%d月%d日" % (year, rng.randint(1, 12), rng.randint(1, 28))


def organ(rng):
    place = rng.choice(PLACES)
    name, prefix = rng.choice(ORGANS)
    return name.format(p=place), prefix.format(a=place[0]), place


def marking(rng):
    """A secrecy marking as GB/T 9704 pages print it, with a rough real-world mix."""
    level = rng.choices(["机密", "秘密", "绝密"], [4, 4, 2])[0]
    form = rng.choices(["years", "months", "long", "bare", "star", "spaced"], [5, 2, 2, 2, 1, 1])[0]
    if form == "years":
        text = "%s★%d年" % (level, rng.choice([1, 1, 2, 3, 5, 5, 10, 10, 15, 20, 30]))
    elif form == "months":
        text = "%s★%d个月" % (level, rng.choice([3, 6, 6]))
    elif form == "long":
        text = level + "★长期"
    elif form == "star":
        text = level + "★"
    elif form == "spaced":  # 两字密级 spread over the width of four, as some templates do
        text = level[0] + "\u3000" + level[1]
    else:
        text = level
    return text, level, form


# --------------------------------------------------------------------------------------
# page drawing


def im_text(s):
    """Text for -annotate/label: its % escapes and backslashes made literal."""
    return s.replace("\\", "\\\\").replace("%", "%%")


def em_width(s):
    """Width of s in ems: CJK and full-width forms 1, everything else about 0.58."""
    w = 0.0
    for ch in s:
        o = ord(ch)
        w += 1.0 if (o >= 0x2E80 or 0x2010 <= o <= 0x2027 or 0x2600 <= o <= 0x27BF) else 0.58
    return w


NO_LINE_START = set("，。、；：？！）》」』”’〕】%)")


def wrap(text, width_em, indent_em=0.0):
    """Lines of text no wider than width_em; a closing mark never starts a line."""
    lines, cur, w = [], "", indent_em
    for ch in text:
        cw = em_width(ch)
        if cur and w + cw > width_em and ch not in NO_LINE_START:
            lines.append(cur)
            cur, w = "", 0.0
        cur += ch
        w += cw
    if cur:
        lines.append(cur)
    return lines


class Page:
    """A page being laid out: convert arguments plus the text drawn, in reading order."""

    def __init__(self, width, height, dpi, paper):
        self.w, self.h, self.dpi = width, height, dpi
        self.s = dpi / 150.0  # layout below is in 150-dpi pixels
        self.paper = paper
        self.ops = []
        self.lines = []
        self.left = round(165 * self.s)
        self.right = self.w - round(154 * self.s)
        self.top = round(190 * self.s)
        self.bottom = self.h - round(170 * self.s)
        self.y = self.top
        self.body_pt = round(33 * self.s)

    def px(self, v):
        return round(v * self.s)

    def text(self, s, y, font, size, color="#141414", align="left", x=None, record=True):
        grav = {"left": "NorthWest", "center": "North", "right": "NorthEast"}[align]
        if x is None:
            x = self.left if align == "left" else (self.w - self.right if align == "right" else 0)
        self.ops += ["-stroke", "none", "-fill", color, "-font", font, "-pointsize", str(size),
                     "-gravity", grav, "-annotate", "+%d+%d" % (x, y), im_text(s)]
        if record:
            self.lines.append(s)

    def rect(self, x0, y0, x1, y1, color):
        self.ops += ["-stroke", "none", "-fill", color,
                     "-draw", "rectangle %d,%d %d,%d" % (x0, y0, x1, y1)]

    def hline(self, y, color, thick, x0=None, x1=None):
        self.rect(self.left if x0 is None else x0, y, self.right if x1 is None else x1,
                  y + max(1, thick) - 1, color)

    def vline(self, x, y0, y1, color, thick):
        self.rect(x, y0, x + max(1, thick) - 1, y1, color)

    def seal(self, cx, cy, r, name):
        """An organ's round red seal centred on (cx, cy): rim, name on an arc, star."""
        red = "rgba(212,28,28,0.78)"
        n = len(name)
        lw = max(2, self.px(5))
        R = r + lw  # the seal is drawn on its own square canvas, then laid on the page
        # the name on an arc whose text top is near the rim: arc length n*pt at a
        # radius of about 0.8 r, at most 260 degrees
        pt = min(0.24 * r, 0.8 * r * math.radians(260) / n)
        arc = max(70, math.degrees(n * pt / (0.8 * r)))
        pt = max(8, round(pt))
        self.ops += ["(", "-size", "%dx%d" % (2 * R, 2 * R), "xc:none",
                     "-fill", "none", "-stroke", red, "-strokewidth", str(lw),
                     "-draw", "circle %d,%d %d,%d" % (R, R, R, R - r),
                     "(", "+size", "-background", "none", "-stroke", "none", "-fill", red,
                     "-font", FONT_SERIF_BOLD, "-pointsize", str(pt), "label:" + im_text(name),
                     "-virtual-pixel", "transparent",
                     "-define", "distort:viewport=%dx%d-%d-%d" % (2 * R, 2 * R, R, R),
                     "-distort", "Arc", "%.0f" % arc, "+repage", ")",
                     "-compose", "over", "-composite",
                     "-stroke", "none", "-fill", red, "-font", FONT_SANS,
                     "-pointsize", str(round(r * 0.62)), "-gravity", "center", "-annotate", "+0+0", "★",
                     ")", "-gravity", "NorthWest", "-geometry", "+%d+%d" % (cx - R, cy - R),
                     "-compose", "over", "-composite"]

    def stamp(self, s, right, top, size, angle, color):
        """A red ink stamp of s in a frame, its top-right corner near (right, top)."""
        w = round(em_width(s) * size + 0.9 * size)
        h = round(1.9 * size)
        lw = max(2, round(size * 0.1))
        self.ops += ["(", "-size", "%dx%d" % (w, h), "xc:none", "-fill", "none", "-stroke", color,
                     "-strokewidth", str(lw), "-draw", "rectangle %d,%d %d,%d" % (lw, lw, w - lw - 1, h - lw - 1),
                     "-stroke", "none", "-fill", color, "-font", FONT_SANS_BOLD, "-pointsize", str(size),
                     "-gravity", "center", "-annotate", "+0+0", im_text(s),
                     "-background", "none", "-rotate", "%.1f" % angle, ")",
                     "-gravity", "NorthEast", "-geometry", "+%d+%d" % (self.w - right, top),
                     "-compose", "over", "-composite"]
        self.lines.append(s)

    def paragraph(self, s, indent=True, size=None, font=FONT_SERIF, pitch=1.78):
        """Wraps and draws a body paragraph; False once the page is full."""
        size = size or self.body_pt
        width_em = (self.right - self.left) / size
        for line in wrap(("\u3000\u3000" if indent else "") + s, width_em - 0.3):
            if self.y + size > self.bottom:
                return False
            self.text(line, self.y, font, size)
            self.y += round(size * pitch)
        return True

    def render(self, out_png):
        args = ["-size", "%dx%d" % (self.w, self.h), "xc:" + self.paper] + self.ops
        run_convert(args + ["-strip", out_png])


def page_geometry(rng):
    dpi = rng.choices([150, 120, 100], [6, 3, 2])[0]
    w = round(210 / 25.4 * dpi)
    h = round(297 / 25.4 * dpi)
    paper = rng.choice(["#f8f6ef", "#f5f2e8", "#faf9f4", "#f1eee4", "#f6f4ee"])
    return Page(w, h, dpi, paper)


def red(rng):
    return rng.choice(["#d21a1a", "#c81414", "#e02020", "#cc2222"])


def red_header(pg, rng, organ_name, doc_no, with_file=True):
    """发文机关标志, 发文字号 and the red line (GB/T 9704 layout)."""
    title = organ_name + ("文件" if with_file else "")
    size = pg.px(min(62, 1000 / max(6, len(title))))
    pg.text(title, pg.y, FONT_SERIF_BOLD, size, color=red(rng), align="center")
    pg.y += round(size * 1.45) + pg.px(40)
    if doc_no:
        pg.text(doc_no, pg.y, FONT_SERIF, pg.body_pt, align="center")
        pg.y += round(pg.body_pt * 1.45) + pg.px(16)
    pg.hline(pg.y, red(rng), pg.px(rng.choice([3, 4, 5])))
    pg.y += pg.px(60)


def body_sections(pg, rng, topic, organ_name, year, count):
    unit = "局" if organ_name.endswith("局") else ("委" if organ_name.endswith("委员会") else "市")
    ok = pg.paragraph(rng.choice(OPENINGS).format(t=topic, o=rng.choice(["市政府", "领导", organ_name]),
                                                   u=unit))
    for i, (head, body) in enumerate(rng.sample(SECTIONS, count)):
        if not ok:
            return False
        d = "%d年%d月%d日" % (year, rng.randint(1, 12), rng.randint(1, 28))
        ok = pg.paragraph("%s、%s。" % (NUMERALS[i], head) + body.format(t=topic, d=d, o=organ_name))
    return ok


def signature(pg, rng, organ_name, year, seal=True):
    """Signature, date and seal, right-aligned, if the page has room."""
    if pg.y + pg.px(300) > pg.bottom:
        return
    pg.y += pg.px(60)
    right = pg.px(rng.choice([150, 190, 230]))
    pg.text(organ_name, pg.y, FONT_SERIF, pg.body_pt, align="right", x=pg.w - pg.right + right - pg.px(120))
    date = date_cn(rng, year)
    pg.text(date, pg.y + round(pg.body_pt * 1.8), FONT_SERIF, pg.body_pt, align="right",
            x=pg.w - pg.right + right - pg.px(80))
    if seal:
        cx = pg.right - right + pg.px(40) - pg.px(120)
        pg.seal(cx, pg.y + pg.body_pt, pg.px(118), organ_name)
    pg.y += pg.px(200)


def page_number(pg):
    pg.text("— 1 —", pg.h - pg.px(120), FONT_SERIF, pg.px(28), align="center")


# --------------------------------------------------------------------------------------
# page kinds; each returns (page, info) where info goes into the manifest


def kind_redhead(rng):
    pg = page_geometry(rng)
    year = rng.randint(2019, 2025)
    organ_name, prefix, _ = organ(rng)
    mark, level, form = marking(rng)
    variant = ["marking-" + form]
    mark_pt = pg.px(34)
    stamped = rng.random() < 0.15
    if stamped:  # a copy marked afterwards with a red 密级 stamp, top right
        if form == "spaced":
            mark = level
        pg.stamp(mark, pg.right + pg.px(10), pg.y - pg.px(60), pg.px(rng.choice([36, 40, 46])),
                 rng.uniform(-6, 6), "rgba(205,25,25,0.85)")
        variant.append("stamp")
        pg.y += pg.px(40)
    if rng.random() < 0.5:
        pg.text("%06d" % rng.randint(1, 999), pg.y, FONT_SANS, pg.px(30))
        pg.y += pg.px(56)
        variant.append("copy-no")
    if not stamped:
        pg.text(mark, pg.y, FONT_SANS_BOLD, mark_pt)
        pg.y += pg.px(56)
    if rng.random() < 0.4:
        pg.text(rng.choice(["特急", "加急"]), pg.y, FONT_SANS_BOLD, mark_pt)
        pg.y += pg.px(56)
        variant.append("urgency")
    pg.y += pg.px(40)
    header = rng.choices(["file", "minutes", "letter"], [6, 2, 2])[0]
    variant.append("header-" + header)
    if header == "file":
        doc_no = "%s〔%d〕%d号" % (prefix, year, rng.randint(1, 160))
        red_header(pg, rng, organ_name, doc_no)
    elif header == "letter":
        doc_no = "%s函〔%d〕%d号" % (prefix[:-1], year, rng.randint(1, 160))
        red_header(pg, rng, organ_name, doc_no, with_file=False)
    else:  # 会议纪要: the header names the minutes; issue number, organ and date under it
        doc_no = "第%d期" % rng.randint(1, 40)
        red_header(pg, rng, rng.choice(["会议纪要", "专题会议纪要", "党委会会议纪要"]), doc_no,
                   with_file=False)
        pg.y -= pg.px(40)
        pg.text(organ_name, pg.y, FONT_SERIF, pg.body_pt)
        pg.text(date_cn(rng, year), pg.y, FONT_SERIF, pg.body_pt, align="right")
        pg.y += pg.px(90)
    topic = rng.choice(TOPICS)
    title = rng.choice(TITLE_FORMS).format(t=topic)
    if header == "minutes":
        title = rng.choice(["关于研究{t}的会议纪要", "{t}专题会议纪要"]).format(t=topic)
    for line in wrap(title, 20):
        pg.text(line, pg.y, FONT_SERIF_BOLD, pg.px(42), align="center")
        pg.y += pg.px(70)
    pg.y += pg.px(24)
    pg.paragraph(rng.choice(ADDRESSEES), indent=False)
    ok = body_sections(pg, rng, topic, organ_name, year, rng.randint(2, 4))
    if ok:
        ok = pg.paragraph(rng.choice(CLOSINGS))
    if ok:
        signature(pg, rng, organ_name, year, seal=rng.random() < 0.8)
    page_number(pg)
    return pg, {"expected": "classified", "variant": "/".join(variant), "marking": mark,
                "secrecy": level, "keys": [mark.replace("\u3000", ""), doc_no]}


def kind_telegram(rng):
    pg = page_geometry(rng)
    year = rng.randint(2019, 2025)
    organ_name, prefix, _ = organ(rng)
    variant = []
    level = rng.choices(["机密", "秘密", "绝密"], [5, 4, 2])[0]
    level_field = level + ("★" if rng.random() < 0.25 else "")
    top_mark = None
    if rng.random() < 0.3:
        top_mark, _, form = marking(rng)
        top_mark = level + top_mark[2:] if not top_mark.startswith(level) else top_mark
        if "\u3000" in top_mark:
            top_mark = level
        pg.text(top_mark, pg.y, FONT_SANS_BOLD, pg.px(34))
        pg.y += pg.px(70)
        variant.append("top-marking")
    spaced = rng.random() < 0.5
    heading = "密\u2002码\u2002电\u2002报" if spaced else "密码电报"
    variant.append("heading-spaced" if spaced else "heading")
    hsize = pg.px(rng.choice([64, 70, 76]))
    pg.text(heading, pg.y, FONT_SERIF_BOLD, hsize, color=red(rng), align="center")
    pg.y += hsize + pg.px(50)
    ink = red(rng) if rng.random() < 0.6 else "#222222"
    variant.append("table-red" if ink != "#222222" else "table-black")
    # the header table: 4 columns, 3 rows
    x0, x3 = pg.left - pg.px(10), pg.right + pg.px(10)
    x1 = x0 + pg.px(150)
    x2 = x0 + round((x3 - x0) * 0.64)
    x2b = x2 + pg.px(110)
    row_h = pg.px(74)
    t = pg.px(3)
    rows = [
        ("发电单位", organ_name, "签批", person(rng)),
        ("等\u3000级", rng.choice(["特急", "特急", "加急", "平急", "特提"]), "密级", level_field),
        ("电报号", "%s电〔%d〕%d号" % (prefix[:-1], year, rng.randint(1, 99)), "共印",
         "%d份" % rng.choice([10, 20, 30, 45, 60])),
    ]
    if rng.random() < 0.5:  # some forms put the number first
        rows = [rows[2], rows[0], rows[1]]
        variant.append("rows-number-first")
    ytab = pg.y
    fsz = pg.px(30)
    for i, row in enumerate(rows):
        pg.hline(ytab + i * row_h, ink, t, x0, x3)
        yt = ytab + i * row_h + (row_h - round(fsz * 1.45)) // 2 + t
        label_font = FONT_SANS
        pg.text(row[0], yt, label_font, fsz, x=x0 + pg.px(14))
        val_size = fsz if em_width(row[1]) * fsz < (x2 - x1 - pg.px(24)) else \
            int((x2 - x1 - pg.px(24)) / em_width(row[1]))
        pg.text(row[1], yt, FONT_SERIF, val_size, x=x1 + pg.px(14))
        pg.text(row[2], yt, label_font, fsz, x=x2 + pg.px(14))
        pg.text(row[3], yt, FONT_SANS_BOLD if row[2] == "密级" else FONT_SERIF, fsz, x=x2b + pg.px(14))
    yb = ytab + len(rows) * row_h
    pg.hline(yb, ink, t, x0, x3)
    for x in (x0, x1, x2, x2b, x3):
        pg.vline(x, ytab, yb + t - 1, ink, t)
    pg.y = yb + pg.px(70)
    topic = rng.choice(TOPICS)
    title = rng.choice(TITLE_FORMS).format(t=topic)
    for line in wrap(title, 20):
        pg.text(line, pg.y, FONT_SERIF_BOLD, pg.px(40), align="center")
        pg.y += pg.px(66)
    pg.y += pg.px(20)
    pg.paragraph(rng.choice(ADDRESSEES), indent=False)
    ok = body_sections(pg, rng, topic, organ_name, year, rng.randint(2, 3))
    if ok and rng.random() < 0.5:
        ok = pg.paragraph("本电报发至县级，只传达不印发。")
    if ok:
        signature(pg, rng, organ_name, year, seal=False)
    return pg, {"expected": "classified", "variant": "/".join(variant),
                "marking": top_mark or "密码电报", "secrecy": level,
                "keys": ["密码电报", "密级", level_field] + ([top_mark] if top_mark else [])}


def notice_head(pg, rng, organ_name, prefix, year, title, redhead_p=0.5):
    """Either a 红头 header without a marking, or a plain title: ordinary notices."""
    variant = "plain"
    if rng.random() < redhead_p:
        pg.y += pg.px(60)
        red_header(pg, rng, organ_name, "%s〔%d〕%d号" % (prefix, year, rng.randint(1, 160)))
        variant = "redhead"
    else:
        pg.y += pg.px(40)
    for line in wrap(title, 20):
        pg.text(line, pg.y, FONT_SERIF_BOLD, pg.px(44), align="center")
        pg.y += pg.px(74)
    pg.y += pg.px(30)
    return variant


def quiet_notice(rng, title, addressee, paragraphs, signer=None, redhead_p=0.5):
    pg = page_geometry(rng)
    year = rng.randint(2019, 2025)
    organ_name, prefix, _ = organ(rng)
    signer = signer or organ_name
    variant = notice_head(pg, rng, organ_name, prefix, year, title.format(y=year), redhead_p)
    if addressee:
        pg.paragraph(addressee, indent=False)
    ok = True
    for p in paragraphs:
        if ok:
            ok = pg.paragraph(p(year) if callable(p) else p.format(y=year, d=date_cn(rng, year)))
    if ok:
        signature(pg, rng, signer, year, seal=rng.random() < 0.6)
    page_number(pg)
    return pg, {"expected": "quiet", "variant": variant, "keys": [title.format(y=year)[:8]]}


def kind_meeting(rng):
    what = rng.choice(["第一季度工作例会", "年中工作推进会", "安全生产工作会议", "项目调度会",
                       "党风廉政建设工作会议", "经济运行分析会"])
    place = rng.choice(BUILDINGS)
    return quiet_notice(rng, "关于召开%s的通知" % what, rng.choice(ADDRESSEES), [
        "经研究，定于近期召开%s，现将有关事项通知如下：" % what,
        "一、会议时间：{d}上午9:00，会期半天。",
        "二、会议地点：%s%d楼第%d会议室。" % (place, rng.randint(2, 12), rng.randint(1, 6)),
        "三、参会人员：各单位主要负责同志或分管负责同志1人。",
        "四、会议议程：通报前一阶段工作情况，安排部署下一阶段重点任务，有关单位作交流发言。",
        "五、有关要求：请参会人员提前10分钟到场签到，会议期间将手机调至静音状态。请各单位于会前"
        "一天将参会人员名单报%s，联系人：%s，电话：%s。" % ("办公室", person(rng), landline(rng)),
    ])


def kind_holiday(rng):
    name, m, d, days = rng.choice(HOLIDAYS)
    return quiet_notice(rng, "关于{y}年%s放假安排的通知" % name, "局机关各科室，各直属单位：", [
        "根据国务院办公厅通知精神，经研究，现将{y}年%s放假安排通知如下：" % name,
        lambda y: "%d月%d日至%d月%d日放假调休，共%d天。%s" % (
            m, d, m, d + days - 1, days,
            "%d月%d日（星期六）上班。" % (m, max(1, d - 2)) if days > 3 else ""),
        "节假日期间，各部门要妥善安排好值班和安全保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，"
        "确保全体职工祥和平安度过节日假期。",
        "祝全体职工节日快乐！",
    ], signer="办公室", redhead_p=0.3)


def kind_canteen(rng):
    reason = rng.choice(["食堂设备检修", "夏季作息时间调整", "厨房改造施工", "冬季作息时间调整"])
    return quiet_notice(rng, "关于调整职工食堂供餐时间的通知", "各位职工：", [
        "因%s，自{d}起，职工食堂供餐时间调整如下：" % reason,
        "早餐7:00—8:30，午餐11:30—13:00，晚餐17:30—19:00。周六、周日只供应午餐。",
        "请各位职工相互转告，错峰就餐，自觉排队，文明用餐，节约粮食，杜绝浪费。就餐时请出示工作证或刷卡。",
        "如有意见和建议，请与后勤服务中心联系，电话：%s。" % landline(rng),
    ], signer="后勤服务中心", redhead_p=0.1)


def kind_parking(rng):
    return quiet_notice(rng, "关于地下停车场施工期间车辆停放的通知", "各单位、各位职工：", [
        "因地下停车场防水改造施工，{d}至施工结束期间，地下停车场暂停使用。",
        "施工期间，职工车辆请停放在%s东侧临时停车场，外来办事车辆由门卫引导停放。请勿占用消防通道和"
        "盲道，电动自行车请停放在指定区域，严禁在楼道内充电。" % rng.choice(BUILDINGS),
        "给大家带来的不便，敬请谅解。如有疑问，请联系物业服务中心，电话：%s。" % landline(rng),
    ], signer=rng.choice(["机关事务服务中心", "物业服务中心", "办公室"]), redhead_p=0.1)


def kind_secrecy_meeting(rng):
    return quiet_notice(rng, "关于召开{y}年全市保密工作会议的通知", rng.choice(ADDRESSEES), [
        "经市委保密委员会同意，定于{d}召开全市保密工作会议，现将有关事项通知如下：",
        lambda y: "一、会议内容：传达学习全省保密工作会议精神，总结%d年全市保密工作，部署%d年保密工作任务，"
                  "表彰保密工作先进集体和先进个人。" % (y - 1, y),
        "二、参会人员：各单位分管保密工作的负责同志和专（兼）职保密干部。",
        "三、有关要求：请各单位高度重视，于会前三天将参会人员名单报市保密局。参会人员不得携带手机等"
        "电子设备进入会场，请提前交由会务人员统一保管。",
        "联系人：%s，电话：%s。" % (person(rng), landline(rng)),
    ])


def kind_secrecy_training(rng):
    return quiet_notice(rng, "关于开展{y}年度保密教育培训的通知", "局机关各科室，各直属单位：", [
        "为进一步增强干部职工保密意识，提高保密工作能力，经研究，决定开展年度保密教育培训。现将有关事项"
        "通知如下：",
        "一、培训内容：学习《中华人民共和国保守国家秘密法》及其实施条例；涉密文件资料和涉密载体管理；"
        "微信等即时通信工具使用保密要求；典型泄密案例警示教育。",
        "二、培训对象：各科室负责人、保密员及新入职工作人员。",
        "三、培训时间和地点：{d}下午2:30，%s%d楼报告厅。" % (rng.choice(BUILDINGS), rng.randint(2, 9)),
        "四、培训结束后进行保密知识测试，测试成绩纳入年度考核。请各科室严格考勤，不得无故缺席。",
    ])


def kind_secrecy_rules(rng):
    return quiet_notice(rng, "关于开展办公室文件资料清理工作的通知", "局机关各科室：", [
        "为规范文件资料管理，经研究，决定在全局开展一次文件资料清理工作，现将有关事项通知如下：",
        "一、清理范围：各科室{y}年以前形成的文件、资料、会议记录和各类工作台账。",
        "二、工作要求：各科室要对照《机密文件管理规定》和档案管理有关要求，逐件登记，分类整理。"
        "需要归档的及时移交档案室，需要销毁的统一登记后送指定地点集中处理，不得擅自处理。",
        "三、时间安排：请于{d}前完成清理，并将清理情况报办公室。",
    ], redhead_p=0.4)


def kind_film_night(rng):
    place = rng.choice(BUILDINGS)
    return quiet_notice(rng, "关于组织观看电影《绝密飞行》的通知", "各分会：", [
        "为丰富职工业余文化生活，经研究，定于{d}晚7:30在%s多功能厅组织观看电影《绝密飞行》。" % place,
        "请各分会组织会员准时参加，凭工会会员证入场，每人限带家属一名。请大家保持影厅安静，"
        "爱护公共设施，观影结束后有序离场。",
    ], signer=rng.choice(["机关工会", "工会委员会"]), redhead_p=0.0)


def kind_secrecy_poster(rng):
    pg = page_geometry(rng)
    place = rng.choice(PLACES)
    banner = red(rng)
    pg.rect(0, 0, pg.w, pg.px(330), banner)
    main = rng.choice(["保守国家秘密\u3000人人有责", "保密工作\u3000人人有责", "保密就是保安全"])
    first, _, second = main.partition("\u3000")
    pg.text(first, pg.px(70), FONT_SANS_BOLD, pg.px(96), color="#fff8e8", align="center")
    pg.y = pg.px(360)
    if second:
        pg.text(second, pg.y, FONT_SANS_BOLD, pg.px(96), color=banner, align="center")
        pg.y += pg.px(170)
    else:
        pg.y += pg.px(40)
    slogans = rng.sample(["涉密不上网\u3000上网不涉密", "手机不谈密\u3000微信不传密",
                          "保密就是保安全\u3000保密就是保发展", "保密工作无小事\u3000处处留心皆保密",
                          "筑牢保密防线\u3000守护国家安全", "国家利益高于一切\u3000保密责任重于泰山"], 4)
    for sl in slogans:
        pg.text(sl, pg.y, FONT_SERIF_BOLD, pg.px(52), align="center")
        pg.y += pg.px(120)
    pg.y += pg.px(20)
    law = rng.random() < 0.5
    text = ("《中华人民共和国保守国家秘密法》规定，国家秘密的密级分为绝密、机密、秘密三级。绝密级国家秘密"
            "是最重要的国家秘密，泄露会使国家安全和利益遭受特别严重的损害。" if law else
            "每年4月15日是全民国家安全教育日。增强保密意识，掌握保密常识，严守保密纪律，"
            "自觉做保守国家秘密的坚定捍卫者。")
    for line in wrap(text, (pg.right - pg.left) / pg.px(34) - 1):
        pg.text(line, pg.y, FONT_SERIF, pg.px(34))
        pg.y += pg.px(60)
    pg.text("%s国家保密局\u3000宣" % place, pg.bottom - pg.px(40), FONT_SERIF, pg.px(34),
            align="right", x=pg.w - pg.right)
    return pg, {"expected": "quiet", "variant": "poster" + ("/law-quote" if law else ""), "keys": [first]}


KIND_FUNCS = {
    "redhead": kind_redhead, "telegram": kind_telegram, "meeting": kind_meeting,
    "holiday": kind_holiday, "canteen": kind_canteen, "parking": kind_parking,
    "secrecy_meeting": kind_secrecy_meeting, "secrecy_training": kind_secrecy_training,
    "secrecy_poster": kind_secrecy_poster, "secrecy_rules": kind_secrecy_rules,
    "film_night": kind_film_night,
}

# --------------------------------------------------------------------------------------
# the phone photo

# Ranges per level: tilt in degrees (either way); perspective, the corner shift as a fraction
# of the width; blur, the Gaussian sigma in pixels of the final photo; noise, ImageMagick's
# -attenuate for +noise Gaussian; bright, -modulate brightness in %; shade, the darkest
# corner's light factor; width, the photo's width in pixels, with the chance `small` of
# about 800 px instead (WeChat's compressed size); quality, JPEG; crop, the chance that
# only the top of the page is in the frame. "strong" is past a realistic phone photo: it
# is for calibration, not for the tests.
LEVEL_RANGES = {
    "mild": dict(tilt=(2.0, 4.0), persp=(0.005, 0.025), blur=(0.6, 0.8), noise=(0.1, 0.3),
                 bright=(88, 98), shade=(0.82, 0.95), width=(1000, 1240), small=0.0,
                 quality=(74, 85), crop=0.15),
    "moderate": dict(tilt=(3.0, 8.0), persp=(0.02, 0.05), blur=(0.8, 1.2), noise=(0.2, 0.45),
                     bright=(74, 90), shade=(0.68, 0.85), width=(950, 1200), small=0.3,
                     quality=(62, 78), crop=0.2),
    "strong": dict(tilt=(6.0, 12.0), persp=(0.04, 0.08), blur=(1.2, 1.7), noise=(0.6, 0.9),
                   bright=(62, 78), shade=(0.55, 0.7), width=(800, 950), small=0.5,
                   quality=(50, 62), crop=0.2),
}
DESKS = ["#5d5246", "#7a6a58", "#3f4448", "#8c8a84", "#6b5e50", "#2f3033"]


def photo_args(rng, level, w, h, dpi, seed_int):
    """convert arguments that turn a clean page into a phone photo, and what they do.

    The order follows a camera: light on the page, the page seen at an angle and
    tilted (one distortion), the frame (a top-only crop), then the sensor and the
    app: scaling to the photo's width, blur, exposure, noise, JPEG. Blur and noise
    are applied at the photo's final size, so their strength is what OCR meets."""
    if level == "clean":
        return ["-quality", "92"], {"quality": 92}
    r = LEVEL_RANGES[level]
    u = lambda a: rng.uniform(*a)
    info, args = {}, ["-seed", str(seed_int)]
    desk = rng.choice(DESKS)
    border = round(w * rng.uniform(0.02, 0.05))
    args += ["-bordercolor", desk, "-border", str(border)]
    W, H = w + 2 * border, h + 2 * border
    info["border"] = border
    # uneven light: a smooth multiply from white to grey, its darkest spot at a corner
    shade = u(r["shade"])
    dark = rng.choice([(0, 0), (1, 0), (0, 1), (1, 1)])
    lit = (rng.uniform(0.25, 0.75), rng.uniform(0.25, 0.75))
    # perspective: the page seen a little from one side, then tilted; one distortion
    d = u(r["persp"]) * W
    side = rng.choice(["top", "bottom", "left", "right"])
    src = [(0, 0), (W, 0), (W, H), (0, H)]
    dst = [list(p) for p in src]
    j = lambda: rng.uniform(0.3, 1.0) * d
    if side == "top":
        dst[0][0] += j(); dst[1][0] -= j()
    elif side == "bottom":
        dst[3][0] += j(); dst[2][0] -= j()
    elif side == "left":
        dst[0][1] += j(); dst[3][1] -= j()
    else:
        dst[1][1] += j(); dst[2][1] -= j()
    for p in dst:  # a little jitter at every corner
        p[0] += rng.uniform(-0.2, 0.2) * d
        p[1] += rng.uniform(-0.2, 0.2) * d
    tilt = u(r["tilt"]) * rng.choice([-1, 1])
    c, sn = math.cos(math.radians(tilt)), math.sin(math.radians(tilt))
    cx, cy = W / 2, H / 2
    dst = [(cx + (x - cx) * c - (y - cy) * sn, cy + (x - cx) * sn + (y - cy) * c) for x, y in dst]
    minx, maxx = min(p[0] for p in dst), max(p[0] for p in dst)
    miny, maxy = min(p[1] for p in dst), max(p[1] for p in dst)
    width = rng.randint(*r["width"])
    if rng.random() < r["small"]:
        width = rng.randint(760, 840)
    width = min(width, round(maxx - minx))  # a phone does not add pixels the page lacks
    # scale first (the distortion is cheaper on fewer pixels), then distort to the
    # photo's final width
    k = width / (maxx - minx)
    W2, H2 = round(W * k), round(H * k)
    args += ["-resize", "%dx%d!" % (W2, H2)]
    g = round(255 * shade)
    args += ["(", "+clone", "-sparse-color", "Shepards", "%d,%d white %d,%d rgb(%d,%d,%d)" % (
        lit[0] * W2, lit[1] * H2, dark[0] * W2, dark[1] * H2, g, g, g),
             ")", "-compose", "multiply", "-composite"]
    info["shade"] = round(shade, 2)
    src = [(0, 0), (W2, 0), (W2, H2), (0, H2)]
    dst = [(x * k, y * k) for x, y in dst]
    vw, vh = width, round((maxy - miny) * k)
    pts = " ".join("%d,%d %.1f,%.1f" % (s[0], s[1], t[0], t[1]) for s, t in zip(src, dst))
    args += ["-virtual-pixel", "background", "-background", desk,
             "-define", "distort:viewport=%dx%d%+d%+d" % (vw, vh, round(minx * k), round(miny * k)),
             "-distort", "Perspective", pts, "+repage"]
    info["perspective"] = {"side": side, "shift_px": round(d)}
    info["tilt_deg"] = round(tilt, 2)
    info["width"] = width
    if rng.random() < r["crop"]:  # only the top of the page in the frame: a header photographed
        crop = rng.uniform(0.42, 0.62)
        args += ["-gravity", "North", "-crop", "%dx%d+0+0" % (vw, round(vh * crop)), "+repage"]
        info["crop_top"] = round(crop, 2)
    sigma = u(r["blur"])
    args += ["-blur", "0x%.2f" % sigma]
    info["blur_sigma"] = round(sigma, 2)
    bright = u(r["bright"])
    args += ["-modulate", "%.0f,%.0f" % (bright, rng.uniform(85, 100))]
    info["brightness"] = round(bright)
    noise = u(r["noise"])
    args += ["-attenuate", "%.2f" % noise, "+noise", "Gaussian"]
    info["noise"] = round(noise, 2)
    q = rng.randint(*r["quality"])
    args += ["-sampling-factor", "2x2", "-quality", str(q)]
    info["quality"] = q
    return args, info


# --------------------------------------------------------------------------------------
# running convert

CONVERT = None


class ConvertError(Exception):
    pass


def run_convert(args):
    env = dict(os.environ)
    env.setdefault("MAGICK_THREAD_LIMIT", "1")
    p = subprocess.run([CONVERT] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if p.returncode != 0:
        raise ConvertError("convert failed (%d): %s" % (p.returncode,
                                                         p.stderr.decode("utf-8", "replace").strip()[:500]))


def check_tools():
    global CONVERT
    CONVERT = os.environ.get("CONVERT") or shutil.which("convert")
    if not CONVERT:
        return "ImageMagick's convert is not installed (apt-get install imagemagick)"
    p = subprocess.run([CONVERT, "-list", "font"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    listed = set()
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line.startswith("Font:"):
            listed.add(line[5:].strip())
    missing = [f for f in FONTS if f not in listed]
    if missing:
        return "fonts missing from ImageMagick: %s (apt-get install fonts-noto-cjk)" % ", ".join(missing)
    return None


# --------------------------------------------------------------------------------------


def plan(count, kinds, levels):
    """Photo i: its kind and level. Classified and quiet pages alternate; kinds and
    levels rotate so a small count still covers each."""
    cls = [k for k in CLASSIFIED_KINDS if k in kinds]
    qui = [k for k in QUIET_KINDS if k in kinds]
    out = []
    ci = qi = 0
    for i in range(count):
        if (i % 2 == 0 and cls) or not qui:
            k, j = divmod(ci, len(cls))
            kind, level = cls[j], levels[(k + j) % len(levels)]
            ci += 1
        else:
            k, j = divmod(qi, len(qui))
            kind, level = qui[j], levels[(k + j) % len(levels)]
            qi += 1
        out.append((kind, level))
    return out


def make_one(i, kind, level, seed, outdir, workdir, keep_pages):
    rng = random.Random("%s:%d:%s" % (seed, i, kind))
    pg, info = KIND_FUNCS[kind](rng)
    page_png = os.path.join(outdir if keep_pages else workdir, "page_%03d_%s.png" % (i, kind))
    pg.render(page_png)
    seed_int = int.from_bytes(("%s:%d" % (seed, i)).encode(), "little") % 2147483647
    args, dist = photo_args(rng, level, pg.w, pg.h, pg.dpi, seed_int)
    name = "%03d_%s_%s.jpg" % (i, kind, level)
    run_convert([page_png] + args + ["-strip", os.path.join(outdir, name)])
    if not keep_pages:
        os.unlink(page_png)
    rec = {"file": name, "expected": info["expected"], "kind": kind, "variant": info["variant"],
           "level": level, "distortions": dist}
    if info["expected"] == "classified":
        rec["marking"] = info["marking"]
        rec["secrecy"] = info["secrecy"]
    rec["keys"] = info["keys"]
    rec["page"] = {"width": pg.w, "height": pg.h, "dpi": pg.dpi}
    if keep_pages:
        rec["page_file"] = os.path.basename(page_png)
    rec["seed"] = "%s:%d" % (seed, i)
    rec["text"] = "\n".join(pg.lines)
    return rec


def main(argv):
    ap = argparse.ArgumentParser(
        description="Generate phone photos of Chinese official pages (classified and quiet) "
                    "with a manifest.jsonl, for levee's OCR tests.")
    ap.add_argument("outdir", help="output directory (created if missing)")
    ap.add_argument("--seed", default="1", help="seed of all randomness (default 1)")
    ap.add_argument("--count", type=int, default=24, help="number of photos (default 24)")
    ap.add_argument("--levels", default=",".join(DEFAULT_LEVELS),
                    help="distortion levels to rotate through, from %s (default %s)"
                         % ("/".join(LEVELS), ",".join(DEFAULT_LEVELS)))
    ap.add_argument("--kinds", default="all",
                    help="page kinds, comma-separated, or all (default); kinds: " + ", ".join(ALL_KINDS))
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                    help="convert processes at once (default min(2, CPUs))")
    ap.add_argument("--keep-pages", action="store_true", help="also keep the clean page PNGs")
    a = ap.parse_args(argv)
    levels = [x for x in a.levels.split(",") if x]
    kinds = ALL_KINDS if a.kinds == "all" else [x for x in a.kinds.split(",") if x]
    bad = [x for x in levels if x not in LEVELS] + [x for x in kinds if x not in ALL_KINDS]
    if bad or not levels or not kinds or a.count < 1 or a.jobs < 1:
        ap.error("bad level, kind, count or jobs: %s" % (", ".join(bad) or "empty"))
    why = check_tools()
    if why:
        print("gen_photos: " + why, file=sys.stderr)
        return 3
    os.makedirs(a.outdir, exist_ok=True)
    todo = plan(a.count, kinds, levels)
    recs = [None] * len(todo)
    with tempfile.TemporaryDirectory(prefix="gen_photos.") as work:
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
            futs = {ex.submit(make_one, i, k, lv, a.seed, a.outdir, work, a.keep_pages): i
                    for i, (k, lv) in enumerate(todo)}
            try:
                for f in concurrent.futures.as_completed(futs):
                    recs[futs[f]] = f.result()
            except ConvertError as e:
                print("gen_photos: %s" % e, file=sys.stderr)
                return 4
    with open(os.path.join(a.outdir, "manifest.jsonl"), "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    n_cls = sum(r["expected"] == "classified" for r in recs)
    print("gen_photos: %d photos (%d classified, %d quiet) in %s" % (len(recs), n_cls, len(recs) - n_cls,
                                                                      a.outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
