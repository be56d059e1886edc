#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the web console into OUT: its files from console/ (HTML, CSS,
# JavaScript modules, translations), and Apache ECharts from npm
# (console/node_modules, installed by `npm ci` from the lock file when it is
# missing or older than the lock) as OUT/vendor/echarts.min.js. levee serve
# serves OUT at / (it looks for console/ beside levee-serve).
#
# usage: scripts/build-console.sh SRC_DIR OUT_DIR
set -euo pipefail
src="$1/console"
out="$2"
if [ ! -f "$src/index.html" ]; then
  echo "build-console: no $src/index.html: no console built" >&2
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "build-console: npm is missing (scripts/deps.sh installs it)" >&2
  exit 1
fi
mods="$src/node_modules"
if [ ! -d "$mods/echarts" ] || [ "$src/package-lock.json" -nt "$mods/.package-lock.json" ]; then
  echo "build-console: npm ci in $src" >&2
  (cd "$src" && npm ci --no-audit --no-fund --loglevel=error)
fi
tmp="$out.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp/vendor"
# the console's own files, without what npm and the tests need
(cd "$src" && find . -type f \
  ! -path './node_modules/*' ! -name 'package.json' ! -name 'package-lock.json' \
  ! -name '*.test.*' ! -name '.*' -print0 |
  while IFS= read -r -d '' f; do
    mkdir -p "$tmp/$(dirname "$f")"
    cp "$f" "$tmp/$f"
  done)
cp "$mods/echarts/dist/echarts.min.js" "$tmp/vendor/echarts.min.js"
cp "$mods/echarts/LICENSE" "$tmp/vendor/echarts.LICENSE.txt"
rm -rf "$out"
mv "$tmp" "$out"
