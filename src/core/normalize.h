/* SPDX-License-Identifier: Apache-2.0 */
/*
 * normalize.h: text normalization with an offset map back to the original.
 *
 * Detection runs on a normalized copy of each text; findings are reported in
 * byte offsets of the original. One pass, one table lookup per code point
 * (the fold table generated at build time by tools/gen_fold.c):
 *
 *   - NFKC + case folding + removal of default-ignorable code points
 *     (utf8proc's NFKC_Casefold: full-width -> ASCII, U+3000 -> space,
 *     zero-width characters vanish), applied per code point;
 *   - Traditional -> Simplified per character (OpenCC TSCharacters, first
 *     candidate);
 *   - separator runs (whitespace, Unicode punctuation, which includes * - _ .)
 *     are dropped unless the characters on both sides of the run are "word"
 *     characters (letters or digits outside the CJK scripts). So
 *     "秘 密 ★ 1 年" -> "秘密★1年", "傻*逼" -> "傻逼", but "salary bands",
 *     "6222 0202" and "a.b@c.com" keep their separators;
 *   - invalid UTF-8 bytes become U+FFFD.
 *
 * Symbols (★ ☆ ℃ + ...) are not separators and are kept (after NFKC: ℃ is
 * "°c").
 *
 * The offset map (normalized byte -> original byte) is built lazily: a
 * call normalizes the text only, and the first lv_norm_map(),
 * lv_norm_orig_start() or lv_norm_orig_end() on it runs a second pass of
 * the same normalizer that writes the map, into room allocated with the
 * text (so it cannot fail). Only texts with findings, or whose detectors
 * look at the original, pay for a map. The original must therefore stay
 * unchanged until the text is done with.
 */
#ifndef LV_CORE_NORMALIZE_H
#define LV_CORE_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

/* A normalizer's output; the buffers are owned and reused between calls. */
typedef struct lv_norm {
  char *text;       /* normalized UTF-8, NUL-terminated */
  size_t len;       /* bytes in text */
  uint32_t *map;    /* room for the offset map, which is built on first use:
                       read it through lv_norm_map() */
  const char *orig; /* borrowed original text of the last call */
  size_t orig_len;
  size_t cap; /* allocated bytes of text (map has cap + 1 entries) */
  int mapped; /* map holds the map of text (set by lv_norm_map(), which
                 updates it through a const pointer: a cache, so no lv_norm
                 may be defined const) */
} lv_norm;

void lv_norm_init(lv_norm *n);
void lv_norm_cleanup(lv_norm *n);

/* Normalizes src[0..len). Returns LEVEE_OK, LEVEE_ETOOBIG if len exceeds
 * LV_MAX_TEXT_BYTES, or LEVEE_ENOMEM. src is borrowed until the next call,
 * and must not change while the map may still be built from it.
 * (LEVEE_ETOOBIG also when the normalized text would outgrow
 * LV_NORM_MAX_GROWTH times len, which takes a text made of long ligatures
 * such as U+FDFA; on any failure n holds an empty text.) */
int lv_normalize(lv_norm *n, const char *src, size_t len)
    __attribute__((warn_unused_result));

/* Writes the normalization of src[0..len) at offset at of n's buffers,
 * keeping what is before it, so that many texts can be normalized one after
 * another into one buffer (batch inspection): the text is NUL-terminated at
 * n->text + at. Its map is not built; lv_norm_view() gives each text a view
 * that builds it. at may be 0 or at most n->len + 1 (just past the previous
 * text's NUL). On success n->len is at + *out_len; n->orig is not set, so
 * lv_norm_map(), lv_norm_orig_start() and lv_norm_orig_end() do not apply to
 * n itself. Errors as lv_normalize(); on failure n->len is at. */
int lv_normalize_at(lv_norm *n, size_t at, const char *src, size_t len,
                    size_t *out_len) __attribute__((warn_unused_result));

/* Makes view describe the text of len bytes that lv_normalize_at() wrote at
 * offset at of texts, normalized from orig[0..orig_len) (which must be
 * unchanged): its text and map are texts' buffers from at on, and its map is
 * built on first use, in place (writing entries of texts' map past the
 * text's own, which belong to later texts: build views in order, each
 * after the one before is no longer used). view owns nothing. */
void lv_norm_view(lv_norm *view, const lv_norm *texts, size_t at, size_t len,
                  const char *orig, size_t orig_len);

/* The offset map of n's text, built on the first call (a second pass of the
 * normalizer over n->orig, writing only the map; it needs no memory, as the
 * map's room was allocated with the text): map[i] is the original byte
 * offset of the code point that produced text[i], and map[len] ==
 * orig_len. NULL when nothing was normalized into n yet. */
const uint32_t *lv_norm_map(const lv_norm *n);

/* Original byte offset where normalized offset off begins (0 <= off <= len).
 * Builds the map on first use. */
size_t lv_norm_orig_start(const lv_norm *n, size_t off);
/* Original byte offset just past the code point that produced normalized
 * byte end - 1 (for an exclusive end, 0 < end <= len). Builds the map on
 * first use. */
size_t lv_norm_orig_end(const lv_norm *n, size_t end);

/* Character classes of the fold table, exposed for detectors that check
 * boundaries on normalized text. */
typedef enum lv_char_class {
  LV_CC_WORD = 0, /* letters and digits outside CJK */
  LV_CC_CJK,      /* Han, kana, hangul, bopomofo */
  LV_CC_SEP,      /* whitespace and punctuation */
  LV_CC_OTHER     /* symbols and everything else */
} lv_char_class;

/* Class of a code point after folding (of the folded form's first code
 * point). */
lv_char_class lv_char_class_of(int32_t cp);

/* The longest fold of one code point, in bytes. */
#define LV_NORM_FOLD_MAX 48

/* The fold of one code point as the table holds it (before the separator
 * rule): writes TSCharacters(NFKC_Casefold(cp)) as UTF-8 to out, which has
 * room for LV_NORM_FOLD_MAX bytes, and returns its length (0 when cp
 * vanishes, as zero-width characters do). A cp outside 0..0x10FFFF or a
 * surrogate folds to U+FFFD. For tests and tools; lv_normalize() is the fast
 * path. */
size_t lv_norm_fold(int32_t cp, char *out);

#endif
