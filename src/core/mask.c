/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mask.c: masking personal data in excerpts.
 *
 * Masking works on ASCII letters and digits only, keeping separators, so
 * "6222 0202 0000 0000 006" becomes "6222 **** **** **** 006"-style output
 * with the kept counts of the style.
 */
#include "core/mask.h"

#include <string.h>

#include "util/limits.h"
#include "util/utf8.h"

static int alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

/* Masks alphanumerics of p[0..n) except the first keep_head and last
 * keep_tail of them. */
static void mask_range(char *p, size_t n, size_t keep_head, size_t keep_tail) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++)
    total += (size_t)alnum(p[i]);
  if (total <= keep_head + keep_tail) {
    /* Too short to keep both ends: keep at most a quarter. */
    keep_head = total / 4;
    keep_tail = 0;
  }
  size_t seen = 0;
  for (size_t i = 0; i < n; i++) {
    if (!alnum(p[i]))
      continue;
    if (seen >= keep_head && seen < total - keep_tail)
      p[i] = '*';
    seen++;
  }
}

char *lv_mask_excerpt(lv_arena *a, const char *s, size_t n, lv_mask style) {
  if (n > LV_MAX_EXCERPT_BYTES)
    n = lv_utf8_floor(s, LV_MAX_EXCERPT_BYTES);
  char *p = lv_arena_strndup(a, s, n);
  if (!p)
    return NULL;
  switch (style) {
  case LV_MASK_NONE: break;
  case LV_MASK_ID: mask_range(p, n, 6, 4); break;
  case LV_MASK_CARD: mask_range(p, n, 4, 4); break;
  case LV_MASK_PHONE: mask_range(p, n, 3, 4); break;
  case LV_MASK_SHORT: mask_range(p, n, 1, 2); break;
  case LV_MASK_EMAIL: {
    char *at = memchr(p, '@', n);
    if (!at) {
      mask_range(p, n, 1, 0);
      break;
    }
    mask_range(p, (size_t)(at - p), 1, 0);
    char *dot = NULL;
    for (char *q = p + n - 1; q > at; q--)
      if (*q == '.') {
        dot = q;
        break;
      }
    if (dot)
      mask_range(at + 1, (size_t)(dot - at - 1), 1, 0);
    break;
  }
  }
  return p;
}
