#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""gen_corpus.py: the benchmark corpus (first step of `make bench`).

Writes into bench/out/ (git-ignored):
  corpus.jsonl          64 MiB of chat events (spec/interface.md section 1), one per line
  keywords.txt          2,000 custom keywords, one per line (UTF-8)
  keywords.yaml         a levee policy holding only that keyword list
  keywords_default.yaml the same plus the default policy (include_default: true)
  corpus.meta.json      counts the other steps print (messages, text bytes, ...)
  .stamp                hash of this script and its inputs; when it matches and the
                        outputs exist, nothing is regenerated

Chinese words are drawn by frequency from the jieba dictionary that Debian's
python3-jieba ships (/usr/lib/python3/dist-packages/jieba/dict.txt, MIT licence,
lines "word freq tag"). About 1% of messages carry sensitive content (mobile
numbers, resident-ID-like numbers, bank cards, 密级 markings, company
confidentiality markers, amounts) so that validators have work to do.
Everything is deterministic for a given script, dictionary and seed.
"""
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

SEED = 20240601
TARGET_BYTES = 64 << 20
N_KEYWORDS = 2000
# Keywords come from this rank band of the 2+-character dictionary words by
# frequency: frequent enough that a few percent of messages hit one, rare
# enough not to be everyday function words.
KEYWORD_RANKS = (10000, 40000)
SENSITIVE_RATE = 0.01
DICT = "/usr/lib/python3/dist-packages/jieba/dict.txt"

CJK = re.compile(r"^[\u4e00-\u9fff]+$")


def log(msg):
    print(f"  gen_corpus: {msg}", flush=True)


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_dict():
    words, freqs = [], []
    with open(DICT, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2 or not parts[1].isdigit():
                continue
            words.append(parts[0])
            freqs.append(int(parts[1]))
    return words, freqs


def simplified_only(cands):
    """Keeps the words that OpenCC's t2s leaves unchanged, so a keyword is the
    same before and after levee's Traditional->Simplified normalization."""
    opencc = shutil.which("opencc")
    if not opencc:
        sys.exit("gen_corpus: the opencc command is missing (run scripts/deps.sh)")
    out = subprocess.run([opencc, "-c", "t2s.json"], input="\n".join(cands) + "\n",
                         capture_output=True, text=True, check=True).stdout.split("\n")
    return [w for w, s in zip(cands, out) if w == s]


def pick_keywords(rng, words, freqs):
    ranked = sorted(((f, w) for w, f in zip(words, freqs)
                     if len(w) >= 2 and CJK.match(w)), key=lambda t: (-t[0], t[1]))
    band, seen = [], set()
    for _, w in ranked[KEYWORD_RANKS[0]:KEYWORD_RANKS[1]]:
        if w not in seen:
            seen.add(w)
            band.append(w)
    band = simplified_only(band)
    return sorted(rng.sample(band, N_KEYWORDS))


# --- sensitive content -----------------------------------------------------

AREAS = ["110105", "110108", "310104", "310115", "440305", "440106", "330106",
         "320102", "510107", "420106", "610113", "370202"]
MOBILE_PREFIXES = ["130", "131", "132", "135", "136", "137", "138", "139", "150",
                   "151", "152", "155", "157", "158", "159", "166", "176", "177",
                   "180", "181", "182", "185", "186", "187", "188", "189", "191",
                   "198", "199"]


def resident_id(rng, valid=True):
    y, m, d = rng.randint(1960, 2005), rng.randint(1, 12), rng.randint(1, 28)
    body = f"{rng.choice(AREAS)}{y:04d}{m:02d}{d:02d}{rng.randint(0, 999):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    if not valid:
        check = "10X98765432"[("10X98765432".index(check) + 1) % 11]
    return body + check


def luhn_card(rng, valid=True):
    n = rng.choice([16, 16, 16, 19])
    body = rng.choice(["622202", "621700", "622848", "623058", "621483"])
    body += "".join(str(rng.randint(0, 9)) for _ in range(n - 7))
    total = 0
    for i, c in enumerate(reversed(body)):
        v = int(c)
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    check = (10 - total % 10) % 10
    if not valid:
        check = (check + 3) % 10
    return body + str(check)


def mobile(rng):
    num = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99999999):08d}"
    style = rng.random()
    if style < 0.6:
        return num
    if style < 0.8:
        return f"{num[:3]} {num[3:7]} {num[7:]}"
    return f"{num[:3]}-{num[3:7]}-{num[7:]}"


def amount(rng):
    v = rng.randint(1000, 5000000)
    style = rng.random()
    if style < 0.4:
        return f"¥{v:,}.{rng.randint(0, 99):02d}"
    if style < 0.7:
        return f"{v}元"
    return f"{v / 10000:.1f}万元"


def sensitive_snippet(rng):
    kind = rng.randrange(10)
    if kind == 0:
        return rng.choice(["我手机号", "电话", "联系我", "加我微信，手机"]) + mobile(rng)
    if kind == 1:
        return rng.choice(["身份证号", "他的身份证：", "证件号码 "]) + \
            resident_id(rng, valid=rng.random() < 0.8)
    if kind == 2:
        return rng.choice(["卡号", "打到这张卡", "收款账户 "]) + luhn_card(rng, rng.random() < 0.8)
    if kind == 3:
        lvl = rng.choice(["绝密", "机密", "秘密"])
        period = rng.choice(["★1年", "★5年", "★10年", "★长期", "★6个月", "★"])
        return rng.choice(["这份文件标了", "附件是", "注意：", ""]) + lvl + period + \
            rng.choice(["，别外传", "，仅限内部", "的通知", ""])
    if kind == 4:
        return rng.choice(["内部资料 严禁外传", "内部资料，请勿转发", "公司机密", "商业秘密，注意保密",
                           "CONFIDENTIAL"])
    if kind == 5:
        return rng.choice(["本月流水", "上季度营收", "这笔转账", "报销金额", "合同金额"]) + amount(rng)
    if kind == 6:
        return rng.choice(["资产负债表发你了", "财务账单在附件", "利润表初稿"]) + "，" + amount(rng)
    if kind == 7:
        return "直接转我私人账户吧，" + amount(rng) + "，别走公司"
    if kind == 8:
        return "客户资料：" + mobile(rng) + "，" + resident_id(rng)
    return rng.choice(["机密文件", "保密协议", "机密★"]) + rng.choice(["看一下", "已发送", ""])


# --- ordinary chat ---------------------------------------------------------

STOCK = ["好的", "收到", "嗯嗯", "谢谢", "好", "OK", "ok", "明白", "可以", "没问题", "辛苦了",
         "收到，谢谢", "好的👍", "[微笑]", "稍等", "在吗", "马上", "👌", "哈哈哈", "1"]
ENDINGS = ["", "", "", "。", "。", "？", "！", "～", "...", "吧", "呢", "啊"]
CHANNELS = ["wecom", "wechat", "dingtalk", "qq", "feishu", "email"]
CHANNEL_W = [45, 20, 15, 10, 6, 4]


class Generator:
    def __init__(self, rng, words, freqs):
        self.rng = rng
        self.words = words
        cum, t = [], 0
        for f in freqs:
            t += f
            cum.append(t)
        self.cum = cum
        self.groups = [(f"g{i:04d}", rng.random() < 0.2) for i in range(600)]
        self.t_ms = 1717171200000  # 2024-06-01T00:00:00+08:00

    def text(self):
        rng = self.rng
        if rng.random() < 0.12:
            return rng.choice(STOCK)
        n = min(30, max(2, int(rng.lognormvariate(2.0, 0.6))))
        ws = rng.choices(self.words, cum_weights=self.cum, k=n)
        parts = []
        for i, w in enumerate(ws):
            parts.append(w)
            if i + 1 < n and rng.random() < 0.09:
                parts.append(rng.choice("，，，、 "))
        if rng.random() < 0.03:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(["@张经理 ", "👍", "[捂脸]", "OK "]))
        return "".join(parts) + rng.choice(ENDINGS)

    def event(self, seq):
        rng = self.rng
        self.t_ms += rng.randint(0, 900)
        text = self.text()
        sensitive = rng.random() < SENSITIVE_RATE
        if sensitive:
            snippet = sensitive_snippet(rng)
            pos = rng.random()
            text = snippet + "，" + text if pos < 0.3 else (
                text + snippet if pos < 0.7 else self.text() + "，" + snippet + "，" + text)
        channel = rng.choices(CHANNELS, weights=CHANNEL_W)[0]
        if rng.random() < 0.65:
            gid, external = rng.choice(self.groups)
            conv = {"id": gid, "type": "group", "external": external}
        else:
            external = rng.random() < 0.3
            conv = {"id": f"d{rng.randrange(20000):05d}", "type": "direct", "external": external}
        role = "customer" if external and rng.random() < 0.4 else "staff"
        sender = {"id": (f"c{rng.randrange(5000):05d}" if role == "customer"
                         else f"u{rng.randrange(3000):05d}"), "role": role}
        if seq % 10 == 7:
            t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.t_ms // 1000 + 8 * 3600))
            when = f"{t}.{self.t_ms % 1000:03d}+08:00"
        else:
            when = self.t_ms
        ev = {"id": f"m{seq:08d}", "time": when, "channel": channel, "conversation": conv,
              "sender": sender, "text": text}
        return ev, sensitive


POLICY = """# Benchmark policy written by bench/gen_corpus.py: only the custom keyword list.
version: 1
{extra}keyword_lists:
  - name: bench
    file: keywords.txt
rules:
  - id: bench-keywords
    match: {{ category: [keyword.bench] }}
    action: alert
    severity: low
"""


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "out")
    os.makedirs(out, exist_ok=True)
    names = ["corpus.jsonl", "keywords.txt", "keywords.yaml", "keywords_default.yaml",
             "corpus.meta.json"]
    st = os.stat(DICT)
    stamp = hashlib.sha256(
        (file_sha256(os.path.abspath(__file__)) + f"|{st.st_size}|{SEED}|{TARGET_BYTES}")
        .encode()).hexdigest()
    stamp_path = os.path.join(out, ".stamp")
    if all(os.path.exists(os.path.join(out, n)) for n in names) and os.path.exists(stamp_path):
        with open(stamp_path) as f:
            if f.read().strip() == stamp:
                log("up to date (bench/out/.stamp matches), not regenerating")
                return
    if os.path.exists(stamp_path):
        os.unlink(stamp_path)

    t0 = time.time()
    log(f"reading {DICT}")
    words, freqs = load_dict()
    rng = random.Random(SEED)
    keywords = pick_keywords(rng, words, freqs)
    with open(os.path.join(out, "keywords.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(keywords) + "\n")
    log(f"wrote keywords.txt ({len(keywords)} keywords, ranks {KEYWORD_RANKS[0]}-{KEYWORD_RANKS[1]})")
    with open(os.path.join(out, "keywords.yaml"), "w", encoding="utf-8") as f:
        f.write(POLICY.format(extra=""))
    with open(os.path.join(out, "keywords_default.yaml"), "w", encoding="utf-8") as f:
        f.write(POLICY.format(extra="include_default: true\n"))

    gen = Generator(rng, words, freqs)
    total = text_bytes = n = n_sens = short = 0
    next_report = 8 << 20
    tmp = os.path.join(out, "corpus.jsonl.tmp")
    with open(tmp, "wb") as f:
        while total < TARGET_BYTES:
            ev, sens = gen.event(n)
            line = (json.dumps(ev, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
            f.write(line)
            tb = len(ev["text"].encode())
            text_bytes += tb
            short += tb < 200
            total += len(line)
            n += 1
            n_sens += sens
            if total >= next_report:
                log(f"{total >> 20} / {TARGET_BYTES >> 20} MiB, {n} messages")
                next_report += 8 << 20
    os.replace(tmp, os.path.join(out, "corpus.jsonl"))
    meta = {"messages": n, "corpus_bytes": total, "text_bytes": text_bytes,
            "sensitive_messages": n_sens, "messages_under_200_bytes": short,
            "keywords": len(keywords), "seed": SEED}
    with open(os.path.join(out, "corpus.meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    with open(stamp_path, "w") as f:
        f.write(stamp + "\n")
    log(f"wrote corpus.jsonl: {n} messages, {total} bytes ({text_bytes} text bytes), "
        f"{n_sens} with sensitive content, in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
