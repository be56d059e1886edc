#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The labelled sets (shared dev set and tests/data/eval) must score full
# recall with no false positives, on the sanitizer build.
set -euo pipefail
/usr/bin/python3 "$LEVEE_SRC/tests/integration/score_gate.py" "$LEVEE"
