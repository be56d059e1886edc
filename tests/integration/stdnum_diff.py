#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Differential test vectors for levee's identifier validators.

Writes `kind<TAB>value<TAB>expected_valid` lines that test_checks --vectors
checks against the C functions (src/detect/check_*.c). The expectations come
from python-stdnum (Debian python3-stdnum): numbers are generated valid with
stdnum's own check-digit functions, then mutated (digit substitutions,
adjacent transpositions, new check characters, random regions and dates) and
re-judged by stdnum's is_valid().

Where levee's rules are deliberately stricter than stdnum's, the extra rule
is applied here in a few plain lines and named, so that a disagreement always
means a bug on one side:
  ric   stdnum accepts any real date (years 1..9999); levee wants a birth date
        from 1900 up to today in China Standard Time. levee's region rule is
        its own (checked here in ric_region_ok): a code in the GB/T 2260 table
        (stdnum's cn/loc.dat, from which data/gb2260.tsv is generated) or in
        data/gb2260_additions.tsv, or a county-level code (not ending in 00)
        under a prefecture that has a code in the table. Dates within a day of today are left out
        so the test cannot flap at midnight.
  uscc  stdnum checks only alphabet and check character; levee also checks
        the GB 32100 department/type pair and the province part of the region
        code. stdnum wants digits in positions 1-8, so letter departments
        (A, N, Y) are left to the unit tests.
  bank_card  stdnum has Luhn only: cards are generated from issuer prefixes
        with a length that issuer uses and mutated after the prefix, so the
        expectation is Luhn validity; random numbers on unused first digits
        (0, 1 but not 103, 7, 8) are expected invalid whatever their Luhn
        digit.

Usage: stdnum_diff.py OUT.tsv [--seed N] [--corrupt]
--corrupt flips a few expectations, to prove the comparison can fail.
"""

import argparse
import datetime
import os
import random
import sys

from stdnum import luhn
from stdnum.cn import ric, uscc

LOC_DAT = "/usr/lib/python3/dist-packages/stdnum/cn/loc.dat"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# GB 32100-2015 (as amended): organisation types per department.
USCC_TYPES = {"1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239",
              "6": "129", "7": "129", "8": "19", "9": "123"}
PROVINCES = ([10] + list(range(11, 16)) + list(range(21, 24)) +
             list(range(31, 38)) + list(range(41, 47)) + list(range(50, 55)) +
             list(range(61, 66)))
# (prefix, lengths) samples covering every range in check_bank_card.c.
CARD_PREFIXES = [
    ("4", (13, 16, 19)), ("51", (16,)), ("55", (16,)), ("2221", (16,)),
    ("2720", (16,)), ("34", (15,)), ("37", (15,)), ("3528", (16, 19)),
    ("3589", (16, 17, 18, 19)), ("6011", (16, 19)), ("644", (16,)),
    ("649", (16,)), ("65", (16, 19)), ("300", (14, 16)), ("305", (14,)),
    ("36", (14, 16)), ("38", (14,)), ("62", (16, 17, 18, 19)),
    ("95588", (19,)), ("95595", (19,)), ("95599", (19,)), ("103", (19,)),
    ("955100", (19,)), ("95555", (16,)), ("601382", (19,)),
    ("601427", (19,)), ("601428", (17,)), ("9111", (19,)),
    ("966666", (18,)), ("998800", (16,)), ("998802", (16,)), ("303", (16,)),
]

N_RIC = 1500
N_USCC = 1000
N_LUHN = 1000
N_CARD = 600
N_CARD_BAD = 200


def cst_today():
    now = datetime.datetime.now(datetime.timezone.utc)
    return (now + datetime.timedelta(hours=8)).date()


def load_codes():
    codes = []
    with open(LOC_DAT, encoding="utf-8") as f:
        for line in f:
            if line[:1].isdigit():
                codes.append(line[:6])
    return codes


def digits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def mutate(rng, s, alphabet, lo=0):
    """One random edit at index >= lo: substitute or transpose."""
    s = list(s)
    if rng.random() < 0.5 and len(s) - lo >= 2:
        i = rng.randrange(lo, len(s) - 1)
        s[i], s[i + 1] = s[i + 1], s[i]
    else:
        i = rng.randrange(lo, len(s))
        s[i] = rng.choice(alphabet)
    return "".join(s)


def ric_date(number):
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]),
                             int(number[12:14]))
    except ValueError:
        return None


ADDITIONS = set()
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "data", "gb2260_additions.tsv"), encoding="utf-8") as f:
    for line in f:
        if line[:1].isdigit():
            ADDITIONS.add(line[:6])


def ric_region_ok(number, known, prefixes):
    c = number[:6]
    return c in known or c in ADDITIONS or (not c.endswith("00") and
                                            c[:4] in prefixes)


def gen_ric(rng, codes, today, out):
    known = set(codes)
    prefixes = {c[:4] for c in known | ADDITIONS}
    first = datetime.date(1900, 1, 1).toordinal()
    last = (today - datetime.timedelta(days=2)).toordinal()
    for _ in range(N_RIC):
        born = datetime.date.fromordinal(rng.randint(first, last))
        body = rng.choice(codes) + born.strftime("%Y%m%d") + digits(rng, 3)
        good = body + ric.calc_check_digit(body + "0")
        if rng.random() < 0.3:
            good = good.lower()
        out.append(("ric", good, True))
        r = rng.random()
        if r < 0.4:
            bad = mutate(rng, good[:17], "0123456789") + good[17]
        elif r < 0.6:
            bad = good[:17] + rng.choice("0123456789X")
        elif r < 0.8:
            bad = digits(rng, 6) + good[6:]
        else:
            bad = (good[:6] + str(rng.randint(1850, 2150)) + "%02d%02d" %
                   (rng.randint(0, 13), rng.randint(0, 32)) + good[14:])
        if rng.random() < 0.5:  # fix the check digit: test dates, regions
            bad = bad[:17] + ric.calc_check_digit(bad[:17] + "0")
        date = ric_date(bad.upper())
        if date is not None and abs((date - today).days) <= 1:
            continue
        upper = bad.upper()
        want = (upper[:17].isdigit() and
                ric.calc_check_digit(upper) == upper[17] and
                date is not None and date.year >= 1900 and date <= today and
                ric_region_ok(upper, known, prefixes))
        out.append(("ric", bad, want))


def uscc_structure_ok(s):
    s = s.upper()
    return (s[1] in USCC_TYPES.get(s[0], "") and s[2:4].isdigit() and
            int(s[2:4]) in PROVINCES)


def gen_uscc(rng, out):
    for _ in range(N_USCC):
        dept = rng.choice(sorted(USCC_TYPES))
        body = (dept + rng.choice(USCC_TYPES[dept]) +
                "%02d" % rng.choice(PROVINCES) + digits(rng, 4) +
                "".join(rng.choice(USCC_ALPHABET) for _ in range(9)))
        good = body + uscc.calc_check_digit(body)
        if rng.random() < 0.3:
            good = good.lower()
        out.append(("uscc", good, True))
        r = rng.random()
        if r < 0.5:
            bad = mutate(rng, good, USCC_ALPHABET)
        elif r < 0.7:
            bad = good[:17] + rng.choice(USCC_ALPHABET)
        else:  # new department/type/region with a correct check char
            head = rng.choice("0123456789") + rng.choice("0123456789")
            bad = head + digits(rng, 6) + good[8:17]
            bad += uscc.calc_check_digit(bad)
        if not bad[0].isdigit():
            continue
        want = uscc.is_valid(bad) and uscc_structure_ok(bad)
        out.append(("uscc", bad, want))


def gen_luhn(rng, out):
    for _ in range(N_LUHN):
        s = digits(rng, rng.randint(1, 19))
        if rng.random() < 0.5:
            s = s[:-1] + luhn.calc_check_digit(s[:-1]) if len(s) > 1 else "0"
        out.append(("luhn", s, luhn.is_valid(s)))


def gen_cards(rng, out):
    for i in range(N_CARD):
        prefix, lengths = CARD_PREFIXES[i % len(CARD_PREFIXES)]
        n = rng.choice(lengths)
        body = prefix + digits(rng, n - 1 - len(prefix))
        good = body + luhn.calc_check_digit(body)
        out.append(("bank_card", good, True))
        bad = mutate(rng, good, "0123456789", lo=max(6, len(prefix)))
        out.append(("bank_card", bad, luhn.is_valid(bad)))
    for _ in range(N_CARD_BAD):
        body = rng.choice("0178") + digits(rng, rng.randint(12, 17))
        if body.startswith("103"):  # ABC's old BIN
            continue
        out.append(("bank_card", body + luhn.calc_check_digit(body), False))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--corrupt", action="store_true")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    today = cst_today()
    codes = load_codes()

    with open("data/gb2260.tsv", encoding="utf-8") as f:
        shipped = {line[:6] for line in f if line[:1].isdigit()}
    if shipped != set(codes):
        sys.exit("stdnum_diff: data/gb2260.tsv differs from %s; regenerate "
                 "it with tools/gen_gb2260.py" % LOC_DAT)

    out = []
    gen_ric(rng, codes, today, out)
    gen_uscc(rng, out)
    gen_luhn(rng, out)
    gen_cards(rng, out)
    if args.corrupt:
        for i in rng.sample(range(len(out)), 5):
            kind, value, want = out[i]
            out[i] = (kind, value, not want)

    with open(args.out, "w", encoding="ascii") as f:
        for kind, value, want in out:
            f.write("%s\t%s\t%d\n" % (kind, value, int(want)))
    counts = {}
    for kind, _, want in out:
        key = "%s/%s" % (kind, "valid" if want else "invalid")
        counts[key] = counts.get(key, 0) + 1
    print("stdnum_diff: %d vectors (%s)" % (
        len(out), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))


if __name__ == "__main__":
    main()
