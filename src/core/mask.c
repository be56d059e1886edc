/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mask.c: masking personal data in excerpts.
 *
 * Masking works on letters and digits (ASCII and full-width), keeping
 * separators, so
 * "6222 0202 0000 0000 006" becomes "6222 **** **** **** 006"-style output
 * with the kept counts of the style.
 */
#include "core/mask.h"

#include <string.h>

#include "util/limits.h"
#include "util/utf8.h"

/* An ASCII or full-width letter or digit (U+FF10-19, FF21-3A, FF41-5A):
 * its length in bytes at p[0..n), or 0. */
static size_t alnum_at(const char *p, size_t n) {
  unsigned char c = (unsigned char)p[0];
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
      (c >= 'A' && c <= 'Z'))
    return 1;
  if (c == 0xEF && n >= 3) {
    unsigned b1 = (unsigned char)p[1], b2 = (unsigned char)p[2];
    unsigned cp = 0xF000u | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
    if ((b1 & 0xC0) == 0x80 && (b2 & 0xC0) == 0x80 &&
        ((cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
         (cp >= 0xFF41 && cp <= 0xFF5A)))
      return 3;
  }
  return 0;
}

/* Masks the letters and digits of p[0..*n) except the first keep_head and
 * last keep_tail of them, in place; a masked full-width character becomes
 * one '*', so *n may shrink. */
static void mask_range(char *p, size_t *n, size_t keep_head, size_t keep_tail) {
  size_t total = 0;
  for (size_t i = 0; i < *n;) {
    size_t k = alnum_at(p + i, *n - i);
    total += k != 0;
    i += k ? k : 1;
  }
  if (total <= keep_head + keep_tail) {
    /* Too short to keep both ends: keep at most a quarter. */
    keep_head = total / 4;
    keep_tail = 0;
  }
  size_t seen = 0, o = 0;
  for (size_t i = 0; i < *n;) {
    size_t k = alnum_at(p + i, *n - i);
    if (k && seen >= keep_head && seen < total - keep_tail) {
      p[o++] = '*';
      i += k;
    } else {
      size_t step = k ? k : 1;
      memmove(p + o, p + i, step);
      o += step;
      i += step;
    }
    seen += k != 0;
  }
  *n = o;
  p[o] = '\0';
}

char *lv_mask_excerpt(lv_arena *a, const char *s, size_t n, lv_mask style) {
  if (n > LV_MAX_EXCERPT_BYTES)
    n = lv_utf8_floor(s, LV_MAX_EXCERPT_BYTES);
  char *p = lv_arena_strndup(a, s, n);
  if (!p)
    return NULL;
  switch (style) {
  case LV_MASK_NONE: break;
  case LV_MASK_ID: mask_range(p, &n, 6, 4); break;
  case LV_MASK_CARD: mask_range(p, &n, 4, 4); break;
  case LV_MASK_PHONE: mask_range(p, &n, 3, 4); break;
  case LV_MASK_SHORT: mask_range(p, &n, 1, 2); break;
  case LV_MASK_EMAIL: {
    /* local@domain.tld: keep the first character of local and domain and
     * the whole tld. The at sign and dot may be full-width. */
    size_t at = n, atlen = 1, dot = n, dotlen = 1;
    char *q = memchr(p, '@', n);
    if (!q && (q = memmem(p, n, "＠", 3)))
      atlen = 3;
    if (!q) {
      mask_range(p, &n, 1, 0);
      break;
    }
    at = (size_t)(q - p);
    for (size_t i = n; i > at + atlen; i--) {
      if (p[i - 1] == '.') {
        dot = i - 1;
        break;
      }
      if (i >= at + atlen + 3 && !memcmp(p + i - 3, "．", 3)) {
        dot = i - 3, dotlen = 3;
        break;
      }
    }
    (void)dotlen;
    char *out = lv_arena_alloc(a, n + 1);
    if (!out)
      return NULL;
    size_t o = 0, seg;
    memcpy(out, p, seg = at); /* local part */
    mask_range(out, &seg, 1, 0);
    o = seg;
    memcpy(out + o, p + at, atlen);
    o += atlen;
    seg = dot - (at + atlen); /* domain without the tld */
    memcpy(out + o, p + at + atlen, seg);
    mask_range(out + o, &seg, 1, 0);
    o += seg;
    memcpy(out + o, p + dot, n - dot); /* the tld, kept */
    o += n - dot;
    out[o] = '\0';
    return out;
  }
  }
  return p;
}

void lv_mask_blot(char *p, size_t n) {
  /* A mark of each length: *, ·, ＊ and a padlock (U+1F512). */
  static const unsigned char marks[4][4] = {
      {'*'}, {0xC2, 0xB7}, {0xEF, 0xBC, 0x8A}, {0xF0, 0x9F, 0x94, 0x92}};
  for (size_t i = 0; i < n;) {
    unsigned char b = (unsigned char)p[i];
    size_t k = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (k > n - i)
      k = n - i;
    for (size_t m = 0; m < k; m++)
      p[i + m] = (char)marks[k - 1][m];
    i += k;
  }
}

size_t lv_mask_findings(char *t, size_t n, const levee_finding *f,
                        size_t n_findings) {
  size_t masked = 0;
  for (size_t i = 0; i < n_findings; i++) {
    const levee_finding *g = &f[i];
    if (g->source != -1 || strncmp(g->category, "pii.", 4) != 0 ||
        g->end <= g->start || g->end > n)
      continue;
    size_t len = g->end - g->start;
    if (g->excerpt && strlen(g->excerpt) == len &&
        memcmp(g->excerpt, t + g->start, len) != 0)
      memcpy(t + g->start, g->excerpt, len);
    else
      lv_mask_blot(t + g->start, len);
    masked++;
  }
  return masked;
}
