/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phrases.c: phrase tables, lexicon files and delimiter checks.
 */
#include "detect/phrases.h"

#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

int lv_compile_phrases(lv_compiler *c, const lv_phrase *p, size_t n,
                       uint32_t base) {
  for (size_t i = 0; i < n; i++) {
    int id = lv_compiler_literal(c, p[i].role, base + (uint32_t)i, p[i].weight,
                                 p[i].text, strlen(p[i].text));
    if (id < 0 && id != LEVEE_EINVAL)
      return id;
  }
  return LEVEE_OK;
}

int lv_lexicon_each(const unsigned char *data, size_t len, lv_lexicon_fn fn,
                    void *ud) {
  const char *p = (const char *)data, *end = p + len;
  size_t index = 0;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *e = nl ? nl : end;
    const char *line = p;
    p = nl ? nl + 1 : end;
    if (e > line && e[-1] == '\r')
      e--;
    if (line == e || *line == '#')
      continue;
    const char *tab = memchr(line, '\t', (size_t)(e - line));
    const char *term_end = tab ? tab : e;
    float weight = 1.0f;
    unsigned flags = 0;
    if (tab) {
      char num[16];
      const char *w = tab + 1;
      const char *tab2 = memchr(w, '\t', (size_t)(e - w));
      size_t wl = (size_t)((tab2 ? tab2 : e) - w);
      if (wl > 0 && wl < sizeof num) {
        memcpy(num, w, wl);
        num[wl] = '\0';
        weight = strtof(num, NULL);
      }
      if (tab2) {
        const char *f = tab2 + 1;
        size_t fl = (size_t)(e - f);
        if (memmem(f, fl, "standalone", 10))
          flags |= LV_LEX_STANDALONE;
        if (memmem(f, fl, "ascii", 5))
          flags |= LV_LEX_ASCII;
      }
    }
    /* Trim trailing spaces of the term. */
    while (term_end > line && (term_end[-1] == ' '))
      term_end--;
    if (term_end == line)
      continue;
    int rc = fn(ud, line, (size_t)(term_end - line), weight, flags, index++);
    if (rc)
      return rc;
  }
  return 0;
}

/* Whitespace or punctuation (ASCII, general and CJK punctuation blocks). */
static int is_delimiter(int32_t cp) {
  if (cp < 0x80)
    return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
             (cp >= 'A' && cp <= 'Z') || cp == '_');
  return (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
         (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
         (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
         cp == 0x00A0 || cp == 0xFE0F || (cp >= 0xFE10 && cp <= 0xFE6F);
}

int lv_original_delimited_before(const lv_inspect *in, uint32_t from) {
  const lv_norm *n = lv_inspect_norm(in);
  size_t a = lv_norm_orig_start(n, from);
  if (a == 0)
    return 1;
  const unsigned char *o = (const unsigned char *)n->orig;
  /* Decode the character that ends at a. */
  size_t k = a - 1;
  while (k > 0 && a - k < 4 && (o[k] & 0xC0) == 0x80)
    k--;
  int32_t cp;
  lv_utf8_decode(o + k, a - k, &cp);
  return is_delimiter(cp);
}

int lv_original_delimited_after(const lv_inspect *in, uint32_t to) {
  const lv_norm *n = lv_inspect_norm(in);
  size_t b = to > 0 ? lv_norm_orig_end(n, to) : 0;
  if (b >= n->orig_len)
    return 1;
  int32_t cp;
  lv_utf8_decode((const unsigned char *)n->orig + b, n->orig_len - b, &cp);
  return is_delimiter(cp);
}

int lv_original_delimited(const lv_inspect *in, uint32_t from, uint32_t to) {
  return lv_original_delimited_before(in, from) &&
         lv_original_delimited_after(in, to);
}

size_t lv_strip_to_alnum(const char *s, size_t n, char *out, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < n && o + 1 < cap; i++) {
    char c = s[i];
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
        (c >= 'A' && c <= 'Z'))
      out[o++] = c;
  }
  if (cap)
    out[o] = '\0';
  return o;
}

void lv_validate_phrases(lv_inspect *in, const lv_detector_inst *inst,
                         const lv_hit *hits, size_t n, lv_mask mask) {
  const lv_norm *norm = lv_inspect_norm(in);
  for (size_t i = 0; i < n; i++) {
    const lv_pattern_info *pi = lv_inspect_pattern(in, hits[i].pid);
    if (pi->role != LV_ROLE_TRIGGER)
      continue;
    uint32_t from = hits[i].from, to = hits[i].to;
    /* A Latin-letter phrase must be a whole word: "confidential" is not in
     * "confidentiality". */
    if (lv_norm_alnum_after(norm, from) && lv_norm_alnum_before(norm, from))
      continue;
    if (lv_norm_alnum_before(norm, to) && lv_norm_alnum_after(norm, to))
      continue;
    if (lv_context_excluded(in, hits, n, from, to))
      continue;
    double conf = pi->weight + lv_context_delta(in, inst, hits, n, from, to);
    lv_inspect_emit(in, inst->category, from, to, lv_clamp01(conf), mask);
  }
}

static int id_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
}

int lv_trim_identifier(const lv_norm *n, uint32_t *from, uint32_t *to) {
  uint32_t a = *from, b = *to;
  while (a < b && !id_char(n->text[a]) && n->text[a] != '+')
    a++;
  while (b > a && !id_char(n->text[b - 1]))
    b--;
  if (a >= b)
    return 0;
  *from = a;
  *to = b;
  return 1;
}

void lv_validate_identifiers(lv_inspect *in, const lv_detector_inst *inst,
                             const lv_hit *hits, size_t n, lv_id_check check,
                             lv_mask mask) {
  const lv_norm *norm = lv_inspect_norm(in);
  for (size_t i = 0; i < n; i++) {
    const lv_pattern_info *pi = lv_inspect_pattern(in, hits[i].pid);
    if (pi->role != LV_ROLE_TRIGGER)
      continue;
    uint32_t from = hits[i].from, to = hits[i].to;
    if (!lv_trim_identifier(norm, &from, &to))
      continue;
    char id[32];
    if (to - from >= 64)
      continue;
    size_t len = lv_strip_to_alnum(norm->text + from, to - from, id, sizeof id);
    if (check(id, len) != 0)
      continue;
    if (lv_context_excluded(in, hits, n, from, to))
      continue;
    double conf = pi->weight + lv_context_delta(in, inst, hits, n, from, to);
    lv_inspect_emit(in, inst->category, from, to, lv_clamp01(conf), mask);
  }
}
