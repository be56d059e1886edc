/* SPDX-License-Identifier: Apache-2.0 */
/*
 * search_tokens.c: the full-text search tokenizer (see search_tokens.h for
 * the token stream it defines).
 *
 * Part of the store layer, under both back ends' indexes. One call
 * normalizes the text once (core/normalize.h), then walks the normalized
 * text once, classifying each code point with the normalizer's own
 * character classes, so that what the detectors see as a CJK run or a word
 * is what search sees. Tokens are slices of the normalized text (the
 * normalizer leaves nothing between the characters of a CJK run), so no
 * token is copied; their spans in the original come from the normalizer's
 * offset map.
 */
#include "store/search_tokens.h"

#include "core/fold_table.h"
#include "levee/levee.h"
#include "util/limits.h"
#include "util/utf8.h"

/* A text that the normalizer refuses whole because it grows too much is
 * normalized in windows of at most this many bytes (see search_tokens.h):
 * small enough that a few ligatures spoil little text, large enough that
 * few tokens are cut at a window's edge. */
#define GROWTH_WINDOW_BYTES 4096u

/* One tokenization: where tokens go, and which normalized text they are
 * taken from. */
typedef struct tokenizer {
  const lv_norm *n;
  const uint32_t *map; /* n's offset map */
  size_t base;         /* offset of n's original within the caller's text */
  int mode;
  lv_search_token_fn fn;
  void *ud;
} tokenizer;

/* The class of the code point at t[i] (i < len) and its length in *k.
 * The normalized text is valid UTF-8 and its ASCII is case-folded, so
 * ASCII letters and digits are the ASCII words (test_search_tokens.c
 * checks this against lv_char_class_of()) and all other ASCII separates.
 * Chinese characters (U+3000..U+9FFF, three bytes) are looked up in the
 * normalizer's bitmap of CJK characters it leaves alone, anything else in
 * its fold table. Inlined, with the decoding, and with emit() reading the
 * offset map itself, this took DOCUMENT mode on the 313,210 chat messages
 * of the benchmark corpus (12.9 MB) from 92 to 216 MB/s, of which the
 * normalizer's two passes take about half. */
static inline lv_char_class class_at(const unsigned char *t, size_t len,
                                     size_t i, size_t *k) {
  unsigned c = t[i];
  if (c < 0x80) {
    *k = 1;
    unsigned l = c | 0x20;
    return (c >= '0' && c <= '9') || (l >= 'a' && l <= 'z') ? LV_CC_WORD
                                                            : LV_CC_SEP;
  }
  int32_t cp;
  if (c >= 0xE0 && c <= 0xEF && len - i >= 3 && (t[i + 1] & 0xC0) == 0x80 &&
      (t[i + 2] & 0xC0) == 0x80) {
    /* Valid (the normalizer writes no overlong or surrogate). */
    *k = 3;
    cp = (int32_t)((c & 0x0Fu) << 12 | (t[i + 1] & 0x3Fu) << 6 |
                   (t[i + 2] & 0x3Fu));
    if (lv_fold_is_plain_cjk((uint32_t)cp))
      return LV_CC_CJK;
  } else {
    *k = (size_t)lv_utf8_decode(t + i, len - i, &cp);
    if (cp < 0)
      return LV_CC_OTHER;
  }
  return (lv_char_class)LV_FOLD_CLS_FIRST(lv_fold_entry((uint32_t)cp));
}

/* Emits the token text[a..a + tok_len) of the normalized text, whose span
 * there is [a, end) (longer than the token only for a cut word). The
 * span's end in the original is the end of the character that produced
 * normalized byte end - 1, as lv_norm_orig_end() finds it; a token's
 * characters are letters, digits or CJK, which come from valid characters
 * of the original only (an invalid byte becomes U+FFFD, which separates),
 * so the lead byte says how long that character is. */
static inline int emit(const tokenizer *tz, int colocated, size_t a,
                       size_t tok_len, size_t end) {
  const uint32_t *map = tz->map;
  size_t at = map[end - 1], orig_len = tz->n->orig_len;
  unsigned lead = (unsigned char)tz->n->orig[at];
  size_t clen = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  size_t orig_end = at + clen < orig_len ? at + clen : orig_len;
  return tz->fn(tz->ud, colocated, tz->n->text + a, tok_len, tz->base + map[a],
                tz->base + orig_end);
}

/* The tokens of one normalized text, in order. */
static int tokenize_norm(tokenizer *tz) {
  if (tz->n->len == 0)
    return LEVEE_OK;
  tz->map = lv_norm_map(tz->n);
  const unsigned char *t = (const unsigned char *)tz->n->text;
  const size_t len = tz->n->len;
  size_t i = 0, k;
  int rc;
  while (i < len) {
    lv_char_class cls = class_at(t, len, i, &k);
    if (cls == LV_CC_WORD) {
      size_t j = i + k;
      while (j < len && class_at(t, len, j, &k) == LV_CC_WORD)
        j += k;
      size_t tok_len = j - i;
      if (tok_len > LV_MAX_SEARCH_TOKEN_BYTES)
        tok_len = lv_utf8_floor((const char *)t + i, LV_MAX_SEARCH_TOKEN_BYTES);
      if ((rc = emit(tz, 0, i, tok_len, j)))
        return rc;
      i = j;
    } else if (cls == LV_CC_CJK) {
      /* The run's character [a, b), and the next one [b, b + nk) if the
       * run goes on: each character is classified once. */
      size_t a = i, b = i + k;
      for (;;) {
        size_t nk = 0;
        int more = b < len && class_at(t, len, b, &nk) == LV_CC_CJK;
        if (tz->mode == LV_SEARCH_DOCUMENT) {
          if ((rc = emit(tz, 0, a, b - a, b)))
            return rc;
          if (more && (rc = emit(tz, 1, a, b + nk - a, b + nk)))
            return rc;
        } else {
          size_t end = more ? b + nk : b;
          if ((rc = emit(tz, 0, a, end - a, end)))
            return rc;
        }
        if (!more)
          break;
        a = b;
        b += nk;
      }
      i = b;
    } else {
      i += k;
    }
  }
  return LEVEE_OK;
}

int lv_search_tokens_in(lv_norm *scratch, const char *text, size_t len,
                        int mode, lv_search_token_fn fn, void *ud) {
  if (!scratch || (!text && len > 0) || !fn ||
      (mode != LV_SEARCH_DOCUMENT && mode != LV_SEARCH_QUERY))
    return LEVEE_EINVAL;
  /* Tokenize what fits, as the scanner inspects what fits. */
  if (len > LV_MAX_TEXT_BYTES)
    len = lv_utf8_floor(text, LV_MAX_TEXT_BYTES);
  tokenizer tz = {scratch, NULL, 0, mode, fn, ud};
  int rc = lv_normalize(scratch, text, len);
  if (rc != LEVEE_ETOOBIG)
    return rc ? rc : tokenize_norm(&tz);

  /* The text grows past LV_NORM_MAX_GROWTH: window by window, leaving out
   * the windows that still grow too much. */
  for (size_t at = 0; at < len;) {
    size_t w = len - at;
    if (w > GROWTH_WINDOW_BYTES) {
      w = lv_utf8_floor(text + at, GROWTH_WINDOW_BYTES);
      if (w == 0)
        w = 1; /* cannot happen: a character is at most four bytes */
    }
    rc = lv_normalize(scratch, text + at, w);
    if (rc == LEVEE_OK) {
      tz.base = at;
      if ((rc = tokenize_norm(&tz)))
        return rc;
    } else if (rc != LEVEE_ETOOBIG) {
      return rc;
    }
    at += w;
  }
  return LEVEE_OK;
}

int lv_search_tokens(const char *text, size_t len, int mode,
                     lv_search_token_fn fn, void *ud) {
  lv_norm n;
  lv_norm_init(&n);
  int rc = lv_search_tokens_in(&n, text, len, mode, fn, ud);
  lv_norm_cleanup(&n);
  return rc;
}

size_t lv_search_space_at(const unsigned char *s, size_t len, size_t i) {
  unsigned c = s[i];
  if (c == ' ' || (c >= '\t' && c <= '\r') || c == '\0')
    return 1;
  if (c == 0xC2 && i + 1 < len && s[i + 1] == 0xA0)
    return 2; /* U+00A0 no-break space */
  if (c == 0xE3 && i + 2 < len && s[i + 1] == 0x80 && s[i + 2] == 0x80)
    return 3; /* U+3000 ideographic space */
  return 0;
}
