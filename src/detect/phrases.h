/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phrases.h: tables of phrases, and the lexicon file format, shared by the
 * detectors.
 *
 * A phrase table is a static array of {text, role, weight}; compiling it
 * registers each entry as a literal whose tag is its index, so context
 * scoring counts each phrase once. Lexicon files (under data/lexicon/) hold
 * one entry per line: term <TAB> weight <TAB> flags, '#' comments.
 */
#ifndef LV_DETECT_PHRASES_H
#define LV_DETECT_PHRASES_H

#include "detect/detector.h"

typedef struct lv_phrase {
  const char *text;
  lv_role role;
  float weight;
} lv_phrase;

#define LV_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Registers every phrase; tags are base + index. */
int lv_compile_phrases(lv_compiler *c, const lv_phrase *p, size_t n,
                       uint32_t base);

/* The common validator of phrase detectors: each TRIGGER hit that is not
 * excluded (and, for Latin letters, is a whole word) becomes a finding with
 * its weight plus the context delta as confidence. */
void lv_validate_phrases(lv_inspect *in, const lv_detector_inst *inst,
                         const lv_hit *hits, size_t n, lv_mask mask);

/* Lexicon entry flags. */
enum {
  LV_LEX_STANDALONE = 1u << 0, /* delimited in the original text */
  LV_LEX_ASCII = 1u << 1       /* Latin letters; delimited by non-letters */
};

/* Calls fn for each entry of an embedded lexicon. A line without a weight
 * has weight 1.0 and no flags. Stops at and returns fn's first nonzero
 * result. */
typedef int (*lv_lexicon_fn)(void *ud, const char *term, size_t n, float weight,
                             unsigned flags, size_t index);
int lv_lexicon_each(const unsigned char *data, size_t len, lv_lexicon_fn fn,
                    void *ud);

/* Whether the original text around [from, to) of the normalized text starts
 * and ends at a delimiter: the text edge, whitespace or punctuation. */
int lv_original_delimited(const lv_inspect *in, uint32_t from, uint32_t to);
/* One side of the same: a delimiter (or the text edge) just before
 * normalized offset from / just after normalized end to. */
int lv_original_delimited_before(const lv_inspect *in, uint32_t from);
int lv_original_delimited_after(const lv_inspect *in, uint32_t to);

/* Copies the ASCII letters and digits of s[0..n) into out (at most cap-1),
 * NUL-terminates; returns the count. */
size_t lv_strip_to_alnum(const char *s, size_t n, char *out, size_t cap);

/* Narrows normalized [*from, *to) to start at an ASCII letter, digit or '+'
 * and end at a letter or digit (regexes include the boundary characters
 * around an identifier). Returns 0 if nothing is left. */
int lv_trim_identifier(const lv_norm *n, uint32_t *from, uint32_t *to);

/* The common validator of identifier detectors: for each TRIGGER hit, trims
 * it, strips separators, runs check() on the letters and digits (at most
 * 31), scores base + context, and emits with the given mask. check returns
 * 0 when valid. */
typedef int (*lv_id_check)(const char *s, size_t n);
void lv_validate_identifiers(lv_inspect *in, const lv_detector_inst *inst,
                             const lv_hit *hits, size_t n, lv_id_check check,
                             lv_mask mask);

#endif
