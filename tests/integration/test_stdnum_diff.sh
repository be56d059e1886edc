#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Differential test of the identifier validators (src/detect/check_*.c)
# against python-stdnum: stdnum_diff.py writes a few thousand valid and
# mutated numbers with stdnum's verdicts, and test_checks --vectors compares
# each with the C functions. A second run with deliberately flipped
# expectations must fail, so a harness that compares nothing cannot pass.
set -euo pipefail
: "${LEVEE_BUILD:?LEVEE_BUILD must name the build directory}"
src="${LEVEE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$src"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 tests/integration/stdnum_diff.py "$tmp/vectors.tsv"
"$LEVEE_BUILD/test_checks" --vectors "$tmp/vectors.tsv"

/usr/bin/python3 tests/integration/stdnum_diff.py --corrupt "$tmp/corrupt.tsv" >/dev/null
if "$LEVEE_BUILD/test_checks" --vectors "$tmp/corrupt.tsv" >"$tmp/corrupt.out" 2>&1; then
  echo "test_stdnum_diff: flipped expectations were not detected" >&2
  exit 1
fi
grep -q '^[0-9]* passed, 5 failed$' "$tmp/corrupt.out" || {
  echo "test_stdnum_diff: expected exactly 5 disagreements on the corrupted set:" >&2
  cat "$tmp/corrupt.out" >&2
  exit 1
}
echo "test_stdnum_diff: corrupted set rejected as expected"
