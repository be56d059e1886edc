#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Registered images against photos of documents (classified.image), in both
# directions: N generated page photos (tests/photos/gen_photos.py) are
# registered with `levee register --image`; a copy of each (70% size,
# JPEG 60, 2% cropped from each side, turned 1 degree) must match its own
# registration and no other; M further photos, never registered, must
# match none. Pages of one layout hash alike (src/core/registry.h), so
# this measures the text confirmation as much as the hash.
#
# usage: bench/image_registry.sh [N] [M]   (defaults 30 and 30)
# env: LEVEE (default build/levee), SEED (default 11)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
L="${LEVEE:-$here/build/levee}"
N="${1:-30}" M="${2:-30}" SEED="${SEED:-11}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/cfg" XDG_CACHE_HOME="$tmp/cache"
python3 "$here/tests/photos/gen_photos.py" "$tmp/p" --count $((N + M)) --seed "$SEED" --jobs 2 >/dev/null
mapfile -t photos < <(ls "$tmp/p"/*.jpg | sort)
reg=("${photos[@]:0:N}") others=("${photos[@]:N:M}")
t0=$(date +%s.%N)
"$L" register --data "$tmp/d" --image "${reg[@]}" >"$tmp/reg.out" 2>/dev/null
t1=$(date +%s.%N)
found=0 wrong=0 missed=0 false=0
for f in "${reg[@]}"; do
  c="$tmp/copy-$(basename "$f")"
  convert "$f" -resize 70% -gravity center -crop 96%x96%+0+0 +repage -background white -rotate 1 -quality 60 "$c"
  name=$(basename "$f")
  got=$("$L" scan --data "$tmp/d" "$c" | grep -o '"category":"classified.image"[^}]*"name":"[^"]*"' | grep -o '"name":"[^"]*"' | head -n1 || true)
  if [ "$got" = "\"name\":\"$name\"" ]; then found=$((found + 1)); elif [ -n "$got" ]; then wrong=$((wrong + 1)); else missed=$((missed + 1)); fi
done
for f in "${others[@]}"; do
  "$L" scan --data "$tmp/d" "$f" | grep -q '"classified.image"' && false=$((false + 1))
done
texts=$(grep -c "with the fingerprints" "$tmp/reg.out" || true)
printf 'IMAGE_REGISTRY registered=%d with_text=%d copies_found=%d/%d wrong=%d missed=%d unrelated_matched=%d/%d register_s=%.1f\n' \
  "$N" "$texts" "$found" "$N" "$wrong" "$missed" "$false" "$M" "$(echo "$t1 - $t0" | bc)"
