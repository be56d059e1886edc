/* SPDX-License-Identifier: Apache-2.0 */
/*
 * normalize.c: the run-time normalizer (see normalize.h for the rules).
 *
 * First stage of the core layer: every text of an event passes through here
 * before the multi-pattern scan, and findings on the normalized copy are
 * mapped back to original offsets with the map built here.
 *
 * One pass over the input. ASCII goes through a 128-entry table; runs of
 * Chinese characters that the fold leaves alone (most of Chinese text) are
 * copied with one bitmap test per character, straight from their bytes;
 * any other code point costs one two-stage lookup in the fold table
 * generated at build time (fold_table.h), whose entry says what to write
 * (the input bytes unchanged, up to three bytes inline, or a string in the
 * pool) and how the separator rule sees it. Within a kept run, ASCII
 * whitespace becomes a single space. Separator runs are written
 * optimistically and cut off again (by moving the write position back) when
 * the character after the run shows they must go.
 */
#include "core/normalize.h"

#include <stdlib.h>
#include <string.h>

#include "core/fold_table.h"
#include "levee/levee.h"
#include "util/limits.h"
#include "util/utf8.h"

_Static_assert(LV_MAX_TEXT_BYTES <= UINT32_MAX / LV_NORM_MAX_GROWTH,
               "map entries are 32-bit offsets");

/* Free room kept in the output before each code point: the longest fold,
 * plus slack for the unconditional three-byte store of inline folds. */
#define ROOM (LV_FOLD_MAX_BYTES + 4)
#define NO_RUN SIZE_MAX

static const unsigned char replacement[3] = {0xEF, 0xBF, 0xBD}; /* U+FFFD */

void lv_norm_init(lv_norm *n) {
  memset(n, 0, sizeof *n);
}

void lv_norm_cleanup(lv_norm *n) {
  if (!n)
    return;
  free(n->text);
  free(n->map);
  lv_norm_init(n);
}

/* Grows n's buffers to hold at least want bytes of text (map: want + 1
 * entries), keeping their contents. */
static int reserve(lv_norm *n, size_t want) {
  if (want <= n->cap)
    return LEVEE_OK;
  char *t = realloc(n->text, want);
  if (!t)
    return LEVEE_ENOMEM;
  n->text = t;
  uint32_t *m = realloc(n->map, (want + 1) * sizeof *m);
  if (!m)
    return LEVEE_ENOMEM; /* text grew; cap still describes both safely */
  n->map = m;
  n->cap = want;
  return LEVEE_OK;
}

/* Decodes the code point at s[0..n) (n >= 1) with lv_utf8_decode's rules,
 * inlining the valid cases. Returns the length; *cp is
 * -1 for an invalid byte. */
static inline int decode(const unsigned char *s, size_t n, int32_t *cp) {
  unsigned c = s[0];
  if (c >= 0xE0 && c <= 0xEF && n >= 3) {
    unsigned c1 = s[1], c2 = s[2];
    unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    if (c1 >= lo && c1 <= hi && (c2 & 0xC0) == 0x80) {
      *cp = (int32_t)((c & 0x0F) << 12 | (c1 & 0x3F) << 6 | (c2 & 0x3F));
      return 3;
    }
    *cp = -1;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF && n >= 2 && (s[1] & 0xC0) == 0x80) {
    *cp = (int32_t)((c & 0x1F) << 6 | (s[1] & 0x3F));
    return 2;
  }
  if (c >= 0xF0 && c <= 0xF4 && n >= 4) { /* emoji, among others */
    unsigned c1 = s[1], c2 = s[2], c3 = s[3];
    unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    if (c1 >= lo && c1 <= hi && ((c2 | c3 << 8) & 0xC0C0) == 0x8080) {
      *cp = (int32_t)((c & 0x07) << 18 | (c1 & 0x3F) << 12 | (c2 & 0x3F) << 6 |
                      (c3 & 0x3F));
      return 4;
    }
  }
  return lv_utf8_decode(s, n, cp);
}

/* Four map entries, stored at once. */
typedef uint32_t map4 __attribute__((vector_size(16)));

/* Whether s[0..3) (three bytes that exist) is a CJK character the fold
 * leaves alone: lead bytes E3..E9 with two continuation bytes are exactly
 * U+3000..U+9FFF, the range of lv_fold_cjk_plain, which none of
 * lv_utf8_decode's exclusions (overlongs, surrogates) touch. */
static inline int plain_cjk_at(const unsigned char *s) {
  unsigned c = s[0], c1 = s[1], c2 = s[2];
  if (c - 0xE3u > 0xE9u - 0xE3u || ((c1 | c2 << 8) & 0xC0C0u) != 0x8080u)
    return 0;
  uint32_t d = ((c - 0xE3u) << 12 | (c1 & 0x3Fu) << 6 | (c2 & 0x3Fu)) +
               (0x3000u - LV_FOLD_PLAIN_LO);
  return lv_fold_cjk_plain[d >> 3] >> (d & 7) & 1;
}

/* The bytes of a non-identity entry e: either in pool or unpacked into
 * inl[3]. */
static inline const unsigned char *fold_bytes(uint32_t e, unsigned char *inl,
                                              size_t *len) {
  if (e & LV_FOLD_POOL) {
    const unsigned char *p = lv_fold_pool + LV_FOLD_PAYLOAD(e);
    *len = p[0];
    return p + 1;
  }
  inl[0] = (unsigned char)(e >> 8);
  inl[1] = (unsigned char)(e >> 16);
  inl[2] = (unsigned char)(e >> 24);
  *len = (size_t)(inl[0] != 0) + (inl[1] != 0) + (inl[2] != 0);
  return inl;
}

/* The separator rule's state between code points. */
typedef struct run_state {
  size_t run;    /* output offset where the pending separator run began, or
                    NO_RUN */
  int left_word; /* the last kept non-separator was LV_CC_WORD */
} run_state;

/* A non-separator of class cls follows: settle the pending run (keep it only
 * between two word characters). Returns the new output offset. */
static inline size_t settle(run_state *st, size_t o, unsigned cls) {
  if (st->run != NO_RUN) {
    if (!(st->left_word && cls == LV_CC_WORD))
      o = st->run;
    st->run = NO_RUN;
  }
  return o;
}

/* Writes a fold that mixes separators and other code points, applying the
 * rule to each of its code points. Rare (⑴ -> "(1)", ℀ -> "a/c"). */
static size_t put_mixed(run_state *st, char *t, uint32_t *m, size_t o,
                        uint32_t at, const unsigned char *b, size_t len) {
  for (size_t j = 0; j < len;) {
    int32_t c;
    int k = lv_utf8_decode(b + j, len - j, &c);
    unsigned cls =
        c < 0 ? LV_CC_OTHER : LV_FOLD_CLS_FIRST(lv_fold_entry((uint32_t)c));
    if (cls == LV_CC_SEP) {
      if (st->run == NO_RUN)
        st->run = o;
    } else {
      o = settle(st, o, cls);
      st->left_word = cls == LV_CC_WORD;
    }
    /* lv_utf8_decode never reads past len; the bound reassures the static
     * analyzer. */
    size_t end = j + (size_t)k < len ? j + (size_t)k : len;
    for (; j < end; j++) {
      t[o] = (char)b[j];
      m[o++] = at;
    }
  }
  return o;
}

/* Leaves n describing an empty text (after a failure). */
static void set_empty(lv_norm *n) {
  n->len = 0;
  n->orig = NULL;
  n->orig_len = 0;
  if (n->text)
    n->text[0] = '\0';
  if (n->map)
    n->map[0] = 0;
}

/* Writes the normalization of src[0..len) at offset base of n's buffers
 * (text NUL-terminated, map[len'] == len) and its length to *out_len. What
 * lies before base is kept. */
static int normalize_at(lv_norm *n, size_t base, const char *src, size_t len,
                        size_t *out_len) {
  int rc;
  if (len > LV_MAX_TEXT_BYTES)
    return LEVEE_ETOOBIG;
  if (!src && len > 0)
    return LEVEE_EINVAL;
  /* Normalized text past LV_NORM_MAX_GROWTH times the input is refused; the
   * buffers never need more than limit bytes past base. */
  const size_t limit = (size_t)LV_NORM_MAX_GROWTH * len + ROOM;
  size_t want =
      base + (len + len / 8 + ROOM < limit ? len + len / 8 + ROOM : limit);
  if (base && want > n->cap && want < n->cap * 2)
    want = n->cap * 2; /* appending text after text: grow geometrically */
  if ((rc = reserve(n, want)) != LEVEE_OK)
    return rc;

  const unsigned char *s = (const unsigned char *)src;
  char *t = n->text + base;
  uint32_t *m = n->map + base;
  /* Buffers kept from an earlier, longer text may be larger than this text
   * is allowed to grow: the loop sees no more than limit. */
  size_t cap = n->cap - base < limit ? n->cap - base : limit, i = 0, o = 0;
  /* The separator rule's state, in locals so that they stay in registers. */
  size_t run = NO_RUN;
  int left_word = 0;

  while (i < len) {
    if (cap - o < ROOM) {
      if (o > (size_t)LV_NORM_MAX_GROWTH * len)
        return LEVEE_ETOOBIG;
      size_t grow = cap * 2 < limit ? cap * 2 : limit;
      if ((rc = reserve(n, base + grow)) != LEVEE_OK)
        return rc;
      t = n->text + base;
      m = n->map + base;
      cap = n->cap - base < limit ? n->cap - base : limit;
    }
    unsigned c = s[i];
    if (c < 0x80) {
      /* A run of ASCII, one output byte per input byte, as far as the
       * buffer allows. */
      size_t stop = len - i < cap - o - ROOM ? len : i + (cap - o - ROOM);
      do {
        unsigned a = lv_fold_ascii[c], cls = a >> 8;
        int space = c == ' ' || (c >= '\t' && c <= '\r');
        if (cls == LV_CC_SEP) {
          if (run == NO_RUN)
            run = o;
          else if (space && t[o - 1] == ' ') {
            /* Whitespace inside a run collapses to one space, so
             * "PROJECT  AURORA" and "project\taurora" read alike. */
            i++;
            continue;
          }
        } else {
          if (run != NO_RUN) {
            if (!(left_word && cls == LV_CC_WORD))
              o = run;
            run = NO_RUN;
          }
          left_word = cls == LV_CC_WORD;
        }
        t[o] = space ? ' ' : (char)(a & 0xFF);
        m[o++] = (uint32_t)i++;
      } while (i < stop && (c = s[i]) < 0x80);
      continue;
    }

    if (len - i >= 3 && plain_cjk_at(s + i)) {
      /* The common case of Chinese text: characters kept as they are, the
       * first of which ends any pending run (CJK is not a word character).
       * Like the ASCII run above, a run of them goes as far as the buffer
       * allows, one output byte per input byte. */
      if (run != NO_RUN) {
        o = run;
        run = NO_RUN;
      }
      left_word = 0;
      size_t stop = len - i < cap - o - ROOM ? len : i + (cap - o - ROOM);
      do {
        map4 at = {(uint32_t)i, (uint32_t)i, (uint32_t)i, (uint32_t)i};
        memcpy(t + o, s + i, 3);
        /* Four map entries in one store; the fourth is rewritten next (ROOM
         * leaves space for it). */
        memcpy(m + o, &at, sizeof at);
        o += 3;
        i += 3;
      } while (i + 3 <= stop && plain_cjk_at(s + i));
      continue;
    }

    int32_t cp;
    int k = decode(s + i, len - i, &cp);
    const unsigned char *self = s + i; /* what an identity entry copies */
    uint32_t at = (uint32_t)i;
    if (cp >= 0) {
      i += (size_t)k;
    } else {
      cp = 0xFFFD; /* one invalid byte becomes one U+FFFD */
      self = replacement;
      k = 3;
      i++;
    }
    uint32_t e = lv_fold_entry((uint32_t)cp);
    uint32_t kind = LV_FOLD_KIND(e);

    if (kind == LV_FOLD_KIND_TEXT) {
      if (run != NO_RUN) {
        if (!(left_word && LV_FOLD_CLS_FIRST(e) == LV_CC_WORD))
          o = run;
        run = NO_RUN;
      }
      left_word = LV_FOLD_CLS_LAST(e) == LV_CC_WORD;
    } else if (kind == LV_FOLD_KIND_SEP) {
      if (run == NO_RUN)
        run = o;
    } else if (kind == LV_FOLD_KIND_EMPTY) {
      continue;
    } else {
      run_state st = {run, left_word};
      unsigned char inl[3];
      size_t flen;
      const unsigned char *b = fold_bytes(e, inl, &flen);
      o = put_mixed(&st, t, m, o, at, b, flen);
      run = st.run;
      left_word = st.left_word;
      continue;
    }

    /* Up to four map entries are stored at once, and advanced over by the
     * real length (ROOM allows it). */
    map4 at4 = {at, at, at, at};
    if (e & LV_FOLD_IDENTITY) {
      /* k is 2, 3 or 4 here: ASCII never comes this way, and an invalid byte
       * is the three bytes of U+FFFD. */
      t[o] = (char)self[0];
      t[o + 1] = (char)self[1];
      if (k > 2)
        t[o + 2] = (char)self[2];
      if (k > 3)
        t[o + 3] = (char)self[3];
      memcpy(m + o, &at4, sizeof at4);
      o += (size_t)k;
    } else if (!(e & LV_FOLD_POOL)) {
      /* Up to three bytes inline; all three are stored and the write
       * position advances by the real length. */
      t[o] = (char)(e >> 8);
      t[o + 1] = (char)(e >> 16);
      t[o + 2] = (char)(e >> 24);
      memcpy(m + o, &at4, sizeof at4);
      o += (size_t)((e >> 8 & 0xFF) != 0) + ((e >> 16 & 0xFF) != 0) +
           ((e >> 24) != 0);
    } else {
      const unsigned char *p = lv_fold_pool + LV_FOLD_PAYLOAD(e);
      size_t flen = p[0];
      memcpy(t + o, p + 1, flen);
      for (size_t q = 0; q < flen; q++)
        m[o + q] = at;
      o += flen;
    }
  }
  if (run != NO_RUN)
    o = run; /* a run at the end has no word after it */

  t[o] = '\0';
  m[o] = (uint32_t)len;
  *out_len = o;
  return LEVEE_OK;
}

int lv_normalize(lv_norm *n, const char *src, size_t len) {
  set_empty(n);
  size_t out = 0;
  int rc = normalize_at(n, 0, src, len, &out);
  if (rc) {
    set_empty(n);
    return rc;
  }
  n->len = out;
  n->orig = src;
  n->orig_len = len;
  return LEVEE_OK;
}

int lv_normalize_at(lv_norm *n, size_t base, const char *src, size_t len,
                    size_t *out_len) {
  if (base > n->len + 1 || (base > 0 && base > n->cap))
    return LEVEE_EINVAL;
  n->orig = NULL;
  n->orig_len = 0;
  int rc = normalize_at(n, base, src, len, out_len);
  if (rc) {
    if (base < n->cap) {
      n->text[base] = '\0';
      n->map[base] = 0;
    }
    n->len = base;
    return rc;
  }
  n->len = base + *out_len;
  return LEVEE_OK;
}

size_t lv_norm_orig_start(const lv_norm *n, size_t off) {
  if (off >= n->len)
    return n->orig_len;
  return n->map[off];
}

size_t lv_norm_orig_end(const lv_norm *n, size_t end) {
  if (end > n->len)
    end = n->len;
  if (end == 0)
    return lv_norm_orig_start(n, 0);
  size_t at = n->map[end - 1];
  int32_t cp;
  /* The normalizer consumed the same length at this offset: a whole
   * character, or one invalid byte. */
  int k = lv_utf8_decode((const unsigned char *)n->orig + at, n->orig_len - at,
                         &cp);
  return at + (size_t)k;
}

lv_char_class lv_char_class_of(int32_t cp) {
  if (cp < 0 || cp > 0x10FFFF)
    return LV_CC_OTHER;
  return (lv_char_class)LV_FOLD_CLS_FIRST(lv_fold_entry((uint32_t)cp));
}

size_t lv_norm_fold(int32_t cp, char *out) {
  if (cp < 0 || cp > 0x10FFFF)
    cp = 0xFFFD;
  uint32_t e = lv_fold_entry((uint32_t)cp);
  if (LV_FOLD_KIND(e) == LV_FOLD_KIND_EMPTY)
    return 0;
  if (e & LV_FOLD_IDENTITY)
    return (size_t)lv_utf8_encode(cp, (unsigned char *)out);
  unsigned char inl[3];
  size_t len;
  const unsigned char *b = fold_bytes(e, inl, &len);
  memcpy(out, b, len);
  return len;
}
