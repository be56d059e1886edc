/* SPDX-License-Identifier: Apache-2.0 */
/*
 * normalize.c: the run-time normalizer (see normalize.h for the rules).
 *
 * First stage of the core layer: every text of an event passes through here
 * before the multi-pattern scan, and findings on the normalized copy are
 * mapped back to original offsets with the map built here.
 *
 * Two passes share one loop (pass()): the text pass writes the normalized
 * text, and nothing else; the map pass, run only when someone asks for an
 * original offset (lv_norm_map(), through lv_norm_orig_start/end), goes
 * over the same input again and writes only the map, into room that the
 * text pass allocated. Most texts never need a map (on the keyword
 * benchmark, 94% of events have no finding), so they no longer pay for
 * four bytes of map per byte of text.
 *
 * Each pass goes once over the input. ASCII goes through a 128-entry table;
 * runs of Chinese characters that the fold leaves alone (most of Chinese
 * text) are copied with one bitmap test per character, straight from their
 * bytes, and separators or vanishing characters among them (Chinese
 * punctuation, zero-width characters) are skipped in the same loop, since
 * no separator after a CJK character is ever kept; any other code point
 * costs one two-stage lookup in the fold table generated at build time
 * (fold_table.h), whose entry says what to write (the input bytes
 * unchanged, up to three bytes inline, or a string in the pool) and how the
 * separator rule sees it. Within a kept run, ASCII whitespace becomes a
 * single space. Separator runs are written optimistically and cut off
 * again (by moving the write position back) when the character after the
 * run shows they must go.
 *
 * On the 313,210 texts of the benchmark corpus (bench_normalize -c), the
 * text pass costs 51 ns per text where the one pass that wrote text and
 * map cost 63.
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

/* A little-endian 32-bit load's value. */
static inline uint32_t le32(uint32_t w) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return __builtin_bswap32(w);
#else
  return w;
#endif
}

/* A little-endian 64-bit load's value. */
static inline uint64_t le64(uint64_t w) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return __builtin_bswap64(w);
#else
  return w;
#endif
}

/* Four map entries, stored at once. */
typedef uint32_t map4 __attribute__((vector_size(16)));

/* Whether the three bytes at the low end of w (first byte lowest) are a CJK
 * character the fold leaves alone: lead bytes E3..E9 with two continuation
 * bytes are exactly U+3000..U+9FFF, the range of lv_fold_cjk_plain, which
 * none of lv_utf8_decode's exclusions (overlongs, surrogates) touch. The
 * bitmap is read as 64-bit little-endian words: the lead byte's low bits and
 * the first continuation byte pick the word, the second continuation byte
 * the bit (fewer steps than a byte and a bit: 55 -> 51 ns per event of the
 * benchmark corpus, bench_normalize -c). */
static inline int plain_cjk_w(uint32_t w) {
  uint32_t word =
      ((w & 0x0Fu) << 6 | (w >> 8 & 0x3Fu)) - (LV_FOLD_PLAIN_LO >> 6);
  if ((w & 0xC0C0F0u) != 0x8080E0u ||
      word >= (LV_FOLD_PLAIN_HI - LV_FOLD_PLAIN_LO) >> 6)
    return 0;
  uint64_t bits;
  memcpy(&bits, lv_fold_cjk_plain + 8 * (size_t)word, sizeof bits);
  return (int)(le64(bits) >> (w >> 16 & 0x3Fu) & 1);
}

/* plain_cjk_w() of s[0..3) (three bytes that exist). */
static inline int plain_cjk_at(const unsigned char *s) {
  return plain_cjk_w((uint32_t)s[0] | (uint32_t)s[1] << 8 |
                     (uint32_t)s[2] << 16);
}

/* Whether s[0..3) (three bytes that exist) is a character that goes
 * without a trace after a CJK character: a valid three-byte sequence whose
 * fold is all separators (no run that follows a CJK character is kept) or
 * empty (zero-width characters). */
static inline int dropped3_at(const unsigned char *s) {
  unsigned c = s[0], c1 = s[1], c2 = s[2];
  if ((c & 0xF0) != 0xE0 || ((c1 | c2 << 8) & 0xC0C0u) != 0x8080u ||
      (c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F))
    return 0;
  uint32_t kind = LV_FOLD_KIND(
      lv_fold_entry((c & 0x0Fu) << 12 | (c1 & 0x3Fu) << 6 | (c2 & 0x3Fu)));
  return kind == LV_FOLD_KIND_SEP || kind == LV_FOLD_KIND_EMPTY;
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
 * rule to each of its code points, to the text t (text pass) or the map m
 * (map pass; the other one is NULL). Rare (⑴ -> "(1)", ℀ -> "a/c"). */
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
    for (; j < end; j++, o++) {
      if (t)
        t[o] = (char)b[j];
      else
        m[o] = at;
    }
  }
  return o;
}

/* Leaves n describing an empty text (after a failure). */
static void set_empty(lv_norm *n) {
  n->len = 0;
  n->orig = NULL;
  n->orig_len = 0;
  n->mapped = 0;
  if (n->text)
    n->text[0] = '\0';
}

/* The output bound of a text of len bytes: normalized text past
 * LV_NORM_MAX_GROWTH times the input is refused, so the buffers never need
 * more than this many bytes (map entries) past the text's start. */
static inline size_t out_limit(size_t len) {
  return (size_t)LV_NORM_MAX_GROWTH * len + ROOM;
}

/* One pass of the normalizer over s[0..len), output starting at offset base
 * of n's buffers. The same code makes both passes, so that they cannot
 * disagree:
 *
 *   text pass (MAP == 0): writes the text, NUL-terminated, growing n's
 *     buffers as needed (room for the map included);
 *   map pass (MAP == 1): writes only the map (map[len'] == len), into
 *     buffers that the text pass of the same input already sized: it makes
 *     the same steps at the same output offsets, so it never needs more
 *     room than the text pass had, and it reads back no text (the one
 *     byte the separator rule looks back at is kept in a local).
 *
 * The scan never needs the map except to report offsets in the original,
 * so the text pass is all most texts get (about 94% of the events of the
 * keyword benchmark have no finding). Skipping the map's stores took
 * the corpus's texts from 63 to 58 ns each (bench_normalize -c), ~40-byte
 * Chinese messages from 473 to 540 MB/s (bench_normalize -p 40). */
static inline __attribute__((always_inline)) int
pass(lv_norm *n, size_t base, const unsigned char *s, size_t len,
     size_t *out_len, const int MAP) {
  int rc;
  const size_t limit = out_limit(len);
  char *t = NULL;
  uint32_t *m = NULL;
  if (!MAP) {
    size_t want =
        base + (len + len / 8 + ROOM < limit ? len + len / 8 + ROOM : limit);
    if (base && want > n->cap && want < n->cap * 2)
      want = n->cap * 2; /* appending text after text: grow geometrically */
    if ((rc = reserve(n, want)) != LEVEE_OK)
      return rc;
    t = n->text + base;
  } else {
    m = n->map + base;
  }
  /* Buffers kept from an earlier, longer text may be larger than this text
   * is allowed to grow: the loop sees no more than limit. */
  size_t cap = n->cap - base < limit ? n->cap - base : limit, i = 0, o = 0;
  /* The separator rule's state, in locals so that they stay in registers. */
  size_t run = NO_RUN;
  int left_word = 0;
  /* Map pass: the last byte the text pass would have written (the text
   * pass reads it back as t[o - 1]). */
  unsigned char last = 0;

  while (i < len) {
    if (cap - o < ROOM) {
      if (MAP || o > (size_t)LV_NORM_MAX_GROWTH * len)
        return LEVEE_ETOOBIG; /* the map pass: the input changed */
      size_t grow = cap * 2 < limit ? cap * 2 : limit;
      if ((rc = reserve(n, base + grow)) != LEVEE_OK)
        return rc;
      t = n->text + base;
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
        unsigned char out = space ? ' ' : (unsigned char)(a & 0xFF);
        if (cls == LV_CC_SEP) {
          if (run == NO_RUN)
            run = o;
          else if (space && (MAP ? last : (unsigned char)t[o - 1]) == ' ') {
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
        if (MAP) {
          last = out;
          m[o++] = (uint32_t)i++;
        } else {
          t[o++] = (char)out;
          i++;
        }
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
      for (;;) {
        if (MAP) {
          /* Four map entries in one store; the fourth is rewritten next
           * (ROOM leaves space for it). */
          map4 at = {(uint32_t)i, (uint32_t)i, (uint32_t)i, (uint32_t)i};
          memcpy(m + o, &at, sizeof at);
        } else {
          memcpy(t + o, s + i, 3);
        }
        o += 3;
        i += 3;
        if (!MAP) {
          /* While four bytes can be read: one load, one check and one
           * store per character (the fourth byte stored is rewritten
           * next; ROOM leaves space for it): 56 -> 55 ns per text of the
           * corpus. Two characters per step (eight bytes) did not pay. */
          while (i + 4 <= stop) {
            uint32_t w;
            memcpy(&w, s + i, sizeof w);
            if (!plain_cjk_w(le32(w)))
              break;
            memcpy(t + o, s + i, sizeof w);
            o += 3;
            i += 3;
          }
        }
        while (i + 3 <= stop && !plain_cjk_at(s + i)) {
          /* A separator after a CJK character is dropped whatever follows
           * it, as is a vanishing character: Chinese punctuation (，。！)
           * need not leave the loop (58 -> 56 ns per text of the corpus). */
          if (!dropped3_at(s + i))
            goto run_end;
          i += 3;
        }
        if (i + 3 > stop)
          break;
      }
    run_end:
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
      if (MAP && flen)
        last = b[flen - 1];
      run = st.run;
      left_word = st.left_word;
      continue;
    }

    /* The fold's bytes (text pass) or its length and last byte (map pass),
     * then as many map entries, stored up to four at once and advanced over
     * by the real length (ROOM allows it). */
    size_t flen;
    if (e & LV_FOLD_IDENTITY) {
      /* k is 2, 3 or 4 here: ASCII never comes this way, and an invalid byte
       * is the three bytes of U+FFFD. */
      flen = (size_t)k;
      if (MAP) {
        last = self[k - 1];
      } else {
        t[o] = (char)self[0];
        t[o + 1] = (char)self[1];
        if (k > 2)
          t[o + 2] = (char)self[2];
        if (k > 3)
          t[o + 3] = (char)self[3];
      }
    } else if (!(e & LV_FOLD_POOL)) {
      /* Up to three bytes inline; all three are stored and the write
       * position advances by the real length. */
      flen = (size_t)((e >> 8 & 0xFF) != 0) + ((e >> 16 & 0xFF) != 0) +
             ((e >> 24) != 0);
      if (MAP) {
        last = (unsigned char)(e >> (8 * flen));
      } else {
        t[o] = (char)(e >> 8);
        t[o + 1] = (char)(e >> 16);
        t[o + 2] = (char)(e >> 24);
      }
    } else {
      const unsigned char *p = lv_fold_pool + LV_FOLD_PAYLOAD(e);
      flen = p[0];
      if (MAP) {
        if (flen)
          last = p[flen];
      } else {
        memcpy(t + o, p + 1, flen);
      }
    }
    if (MAP) {
      map4 at4 = {at, at, at, at};
      memcpy(m + o, &at4, sizeof at4);
      for (size_t q = 4; q < flen; q++)
        m[o + q] = at;
    }
    o += flen;
  }
  if (run != NO_RUN)
    o = run; /* a run at the end has no word after it */

  if (MAP)
    m[o] = (uint32_t)len;
  else
    t[o] = '\0';
  *out_len = o;
  return LEVEE_OK;
}

/* The text pass: writes the normalization of src[0..len) at offset base of
 * n's buffers (NUL-terminated, its map not built) and its length to
 * *out_len. What lies before base is kept. */
static int normalize_at(lv_norm *n, size_t base, const char *src, size_t len,
                        size_t *out_len) {
  if (len > LV_MAX_TEXT_BYTES)
    return LEVEE_ETOOBIG;
  if (!src && len > 0)
    return LEVEE_EINVAL;
  return pass(n, base, (const unsigned char *)src, len, out_len, 0);
}

/* The map pass over n's original: fills n->map[0..n->len]. n's buffers are
 * written through its map pointer only (n is const to callers: the map is a
 * cache of what the text pass skipped). */
static void build_map(const lv_norm *n) {
  lv_norm w = *n; /* a copy to pass along; only the map it points at is
                     written */
  size_t out = 0;
  int rc =
      n->orig_len <= LV_MAX_TEXT_BYTES && (n->orig || !n->orig_len)
          ? pass(&w, 0, (const unsigned char *)n->orig, n->orig_len, &out, 1)
          : LEVEE_EINVAL;
  if (rc || out != n->len) {
    /* Not the text that n was normalized from (a caller broke the contract
     * that orig stays unchanged): a map that keeps offsets in bounds. */
    for (size_t k = 0; k < n->len; k++)
      n->map[k] = 0;
    n->map[n->len] = (uint32_t)n->orig_len;
  }
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
  n->mapped = 0;
  int rc = normalize_at(n, base, src, len, out_len);
  if (rc) {
    if (base < n->cap)
      n->text[base] = '\0';
    n->len = base;
    return rc;
  }
  n->len = base + *out_len;
  return LEVEE_OK;
}

void lv_norm_view(lv_norm *view, const lv_norm *texts, size_t at, size_t len,
                  const char *orig, size_t orig_len) {
  view->text = texts->text + at;
  view->len = len;
  view->map = texts->map + at;
  view->orig = orig;
  view->orig_len = orig_len;
  view->cap = texts->cap - at;
  view->mapped = 0;
}

const uint32_t *lv_norm_map(const lv_norm *n) {
  if (!n->map)
    return NULL; /* nothing normalized yet */
  if (!n->mapped) {
    build_map(n);
    /* The one write through a const lv_norm: the map is a cache that does
     * not change what n describes, and no lv_norm is defined const. */
    ((lv_norm *)n)->mapped = 1;
  }
  return n->map;
}

size_t lv_norm_orig_start(const lv_norm *n, size_t off) {
  if (off >= n->len)
    return n->orig_len;
  return lv_norm_map(n)[off];
}

size_t lv_norm_orig_end(const lv_norm *n, size_t end) {
  if (end > n->len)
    end = n->len;
  if (end == 0)
    return lv_norm_orig_start(n, 0);
  size_t at = lv_norm_map(n)[end - 1];
  if (at >= n->orig_len)
    return n->orig_len;
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
