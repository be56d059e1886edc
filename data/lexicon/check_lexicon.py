#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""check_lexicon.py: lints abusive_zh.txt and abusive_exclude.txt, and runs a
reference matcher over a labelled event set.

The lint checks the file format (term<TAB>weight<TAB>flags), weights in
0.1..1.0, known flags, terms and exclusions already in normalized form
(NFKC + case fold, no separators, Simplified: the Traditional check needs the
`opencc` command and is skipped without it), `ascii` on Latin terms only, no
duplicates, and no exclusion that swallows a term whole.

The reference matcher is a plain model of the detector's lexicon stage, for
curating data, not the detector: normalized text, exclusions, the
`standalone` and `ascii` rules. An exclusion suppresses a term it covers;
with --overlap, any term it overlaps (what src/detect/conduct_abusive.c does
today). With --eval it prints, for each case labelled
with conduct.abusive (pos or neg), the strongest term found, and counts pos
cases with nothing >= 0.5 and neg cases with something >= 0.5.

Usage: check_lexicon.py [--eval MESSAGES.jsonl LABELS.jsonl] [--overlap] [-v]
Exit 0 if the lint passes (and, with --eval, the counts are both zero).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
FLAGS = {'standalone', 'ascii'}
TS_CONFIG = {
    'name': 'TSCharacters only',
    'segmentation': {'type': 'mmseg', 'dict': {'type': 'ocd2', 'file': '/usr/share/opencc/TSCharacters.ocd2'}},
    'conversion_chain': [{'dict': {'type': 'ocd2', 'file': '/usr/share/opencc/TSCharacters.ocd2'}}],
}


def is_cjk(c):
    o = ord(c)
    return (0x2E80 <= o <= 0x2FDF or 0x3040 <= o <= 0x318F or 0x31A0 <= o <= 0x31FF or 0x3400 <= o <= 0x4DBF
            or 0x4E00 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF
            or 0x1100 <= o <= 0x11FF)


def cls(c):
    if is_cjk(c):
        return 'cjk'
    cat = unicodedata.category(c)
    if c.isspace() or cat[0] == 'P' or cat == 'Zs':
        return 'sep'
    if cat[0] in 'LN':
        return 'word'
    return 'other'


class Normalizer:
    """Model of src/core/normalize.h (see there for the real rules)."""

    def __init__(self):
        self.ts = None
        if shutil.which('opencc') and os.path.exists(TS_CONFIG['segmentation']['dict']['file']):
            fd, self.cfg = tempfile.mkstemp(suffix='.json')
            with os.fdopen(fd, 'w') as f:
                json.dump(TS_CONFIG, f)
            self.ts = self._opencc

    def _opencc(self, texts):
        r = subprocess.run(['opencc', '-c', self.cfg], input='\n'.join(texts), capture_output=True, text=True,
                           check=True)
        out = r.stdout.split('\n')
        return out[:len(texts)]

    @staticmethod
    def fold(text):
        out = []
        for c in text:
            if unicodedata.category(c) == 'Cf':
                continue  # zero-width and other format characters vanish
            out.append(unicodedata.normalize('NFKC', c).casefold())
        return ''.join(out)

    @staticmethod
    def squeeze(s):
        res, i, n = [], 0, len(s)
        while i < n:
            if cls(s[i]) == 'sep':
                j = i
                while j < n and cls(s[j]) == 'sep':
                    j += 1
                if res and j < n and cls(res[-1]) == 'word' and cls(s[j]) == 'word':
                    res.extend(s[i:j])
                i = j
            else:
                res.append(s[i])
                i += 1
        return ''.join(res)

    def many(self, texts):
        folded = [self.fold(t).replace('\n', ' ') for t in texts]
        if self.ts:
            folded = self.ts(folded)
        return [self.squeeze(t) for t in folded]


def read_lines(path):
    with open(path, encoding='utf-8') as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if line.strip() and not line.startswith('#'):
                yield no, line


def load(errors):
    lex, seen = [], set()
    for no, line in read_lines(os.path.join(HERE, 'abusive_zh.txt')):
        parts = line.split('\t')
        if len(parts) != 3:
            errors.append('abusive_zh.txt:%d: need term<TAB>weight<TAB>flags' % no)
            continue
        term, w, flags = parts
        try:
            weight = float(w)
        except ValueError:
            weight = -1
        if not 0.1 <= weight <= 1.0:
            errors.append('abusive_zh.txt:%d: weight %r not in 0.1..1.0' % (no, w))
        fl = set() if flags == '-' else set(flags.split(','))
        if fl - FLAGS:
            errors.append('abusive_zh.txt:%d: unknown flags %s' % (no, ','.join(sorted(fl - FLAGS))))
        is_latin = re.fullmatch(r'[a-z]+', term) is not None
        if ('ascii' in fl) != is_latin:
            errors.append('abusive_zh.txt:%d: %s: ascii flag must be set exactly on Latin-letter terms' % (no, term))
        if term in seen:
            errors.append('abusive_zh.txt:%d: duplicate %s' % (no, term))
        seen.add(term)
        lex.append((no, term, weight, fl))
    excl, eseen = [], set()
    for no, line in read_lines(os.path.join(HERE, 'abusive_exclude.txt')):
        if line in eseen:
            errors.append('abusive_exclude.txt:%d: duplicate %s' % (no, line))
        eseen.add(line)
        excl.append((no, line))
    return lex, excl


def lint(norm, lex, excl, errors, verbose):
    items = [('abusive_zh.txt', no, t) for no, t, _, _ in lex] + [('abusive_exclude.txt', no, e) for no, e in excl]
    normed = norm.many([t for _, _, t in items])
    for (f, no, t), n in zip(items, normed):
        if n != t:
            errors.append('%s:%d: %s is not in normalized form (%s)' % (f, no, t, n))
        if any(cls(c) == 'sep' for c in t):
            errors.append('%s:%d: %s contains a separator' % (f, no, t))
    terms = {t for _, t, _, _ in lex}
    for no, e in excl:
        if e in terms:
            errors.append('abusive_exclude.txt:%d: %s equals a lexicon term and would disable it' % (no, e))
        if verbose and not any(t in e for t in terms):
            print('note: exclusion %s contains no term (kept for safety)' % e)
    if not norm.ts:
        print('note: opencc not found; Traditional->Simplified not checked')


class Matcher:
    def __init__(self, lex, excl, overlap=False):
        self.overlap = overlap
        self.cjk = [(t, w) for _, t, w, fl in lex if not fl & FLAGS]
        self.alone = {t: w for _, t, w, fl in lex if 'standalone' in fl}
        self.latin = []
        for _, t, w, fl in lex:
            if 'ascii' in fl:
                pat = r'(?<![a-z])' + r'[^a-z0-9\u3400-\u9fff]{0,3}'.join(map(re.escape, t)) + r'(?![a-z])'
                self.latin.append((t, w, re.compile(pat)))
        self.excl = [e for _, e in excl]

    def hits(self, norm_text, segments):
        """norm_text: the normalized text; segments: the original split at
        separators, each normalized. Returns [(term, weight)]."""
        spans = []
        for e in self.excl:
            i = norm_text.find(e)
            while i >= 0:
                spans.append((i, i + len(e)))
                i = norm_text.find(e, i + 1)
        out = []
        for t, w in self.cjk:
            i = norm_text.find(t)
            while i >= 0:
                end = i + len(t)
                if self.overlap:
                    hidden = any(a < end and i < b for a, b in spans)
                else:
                    hidden = any(a <= i and end <= b for a, b in spans)
                if not hidden:
                    out.append((t, w))
                    break
                i = norm_text.find(t, i + 1)
        for t, w, rx in self.latin:
            if rx.search(norm_text):
                out.append((t, w))
        for s in segments:
            if s in self.alone:
                out.append((s, self.alone[s]))
        return out


SEG_SPLIT = re.compile(r'[\s\u3000\u00a0]+|[^\w\s]', re.UNICODE)


def run_eval(norm, matcher, msgs, labels, verbose):
    lab = {}
    with open(labels, encoding='utf-8') as f:
        for line in f:
            l = json.loads(line)
            lab[l['id']] = l
    evs = []
    with open(msgs, encoding='utf-8') as f:
        for line in f:
            e = json.loads(line)
            l = lab.get(e['id'])
            if l is None:
                continue
            want = 'pos' if 'conduct.abusive' in l['pos'] or 'conduct' in l['pos'] else None
            if 'conduct.abusive' in l['neg'] or 'conduct' in l['neg']:
                want = 'neg'
            if 'conduct.abusive' not in l['pos'] and want == 'pos':
                want = None
            if want:
                evs.append((e, want))
    texts = [e.get('text', '') for e, _ in evs]
    normed = norm.many(texts)
    seg_lists = []
    for t in texts:
        segs = [s for s in SEG_SPLIT.split(Normalizer.fold(t)) if s]
        seg_lists.append(segs)
    flat = norm.many([s for segs in seg_lists for s in segs]) if any(seg_lists) else []
    k = 0
    missed = fps = 0
    for (e, want), n, segs in zip(evs, normed, seg_lists):
        nseg = flat[k:k + len(segs)]
        k += len(segs)
        h = matcher.hits(n, nseg)
        top = max((w for _, w in h), default=0.0)
        bad = (want == 'pos' and top < 0.5) or (want == 'neg' and top >= 0.5)
        missed += want == 'pos' and top < 0.5
        fps += want == 'neg' and top >= 0.5
        if verbose or bad:
            print('%s %-3s %.1f %s | %s' % ('!!' if bad else '  ', want, top, ' '.join('%s:%.1f' % x for x in h),
                                          e.get('text', '').replace('\n', ' ')))
    print('eval: %d abusive-labelled cases, %d pos without a term >= 0.5, %d neg with one' % (len(evs), missed, fps))
    return missed + fps


def main():
    args = sys.argv[1:]
    verbose = '-v' in args
    overlap = '--overlap' in args
    args = [a for a in args if a not in ('-v', '--overlap')]
    errors = []
    lex, excl = load(errors)
    norm = Normalizer()
    lint(norm, lex, excl, errors, verbose)
    for e in errors:
        print(e)
    print('lexicon: %d terms, %d exclusions, %d errors' % (len(lex), len(excl), len(errors)))
    bad = len(errors)
    if len(args) == 3 and args[0] == '--eval':
        bad += run_eval(norm, Matcher(lex, excl, overlap), args[1], args[2], verbose)
    elif args:
        sys.exit(__doc__)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
