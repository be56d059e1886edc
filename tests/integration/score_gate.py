#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Scores `levee scan` on the labelled sets and fails unless recall is full
and there are no false positives.

Usage: score_gate.py LEVEE_BIN
Sets: the shared development set (../shared/data/dev, scored by the shared
../shared/tools/score.py) and the project's own extended evaluation set
(tests/data/eval), scored by the same scorer."""
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
shared = os.path.join(os.path.dirname(root), 'shared')
scorer = os.path.join(shared, 'tools', 'score.py')
levee = os.path.abspath(sys.argv[1])

sets = [('dev', os.path.join(shared, 'data', 'dev')),
        ('eval', os.path.join(root, 'tests', 'data', 'eval'))]
if not os.path.exists(scorer):
    sys.exit('score_gate: %s not found (shared/ must sit beside the repository)' % scorer)
failed = False
for name, d in sets:
    events, labels = os.path.join(d, 'messages.jsonl'), os.path.join(d, 'labels.jsonl')
    if not os.path.exists(events):
        sys.exit('score_gate: %s set missing: %s' % (name, events))
    r = subprocess.run([sys.executable, scorer, levee, events, labels, '-v'],
                       capture_output=True, text=True)
    out = r.stdout.strip()
    print('%s set: %s' % (name, out.splitlines()[-1] if out else r.stderr.strip()))
    m = re.search(r'recall (\d+)/(\d+), false positives (\d+)/(\d+)', out)
    if r.returncode or not m or m.group(1) != m.group(2) or m.group(3) != '0':
        failed = True
        print(out)
        print(r.stderr, file=sys.stderr)
sys.exit(1 if failed else 0)
