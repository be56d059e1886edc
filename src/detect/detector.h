/* SPDX-License-Identifier: Apache-2.0 */
/*
 * detector.h: what a detector is, and the two services the engine gives it.
 *
 * A detector finds one category of finding (pii.bank_card, conduct.abusive,
 * ...). It works in two phases:
 *
 *   compile   registers its literals and regexes (in normalized form) with a
 *             lv_compiler; the engine puts every detector's patterns into one
 *             literal database and one regex database (Hyperscan).
 *   validate  receives the hits of its own patterns in one text, sorted by
 *             start offset, confirms candidates (checksums, structure, context)
 *             and emits findings with a confidence.
 *
 * Pattern matches are candidates only. Each pattern carries a role: TRIGGER
 * patterns propose findings; HOT and ANTI words near a candidate raise or
 * lower its confidence; EXCLUDE phrases overlapping a candidate suppress it;
 * AUX patterns are the detector's own business (e.g. parts of a
 * co-occurrence).
 */
#ifndef LV_DETECT_DETECTOR_H
#define LV_DETECT_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "core/normalize.h"
#include "levee/levee.h"

#define LV_DETECTOR_VERSION 1

typedef enum lv_role {
  LV_ROLE_TRIGGER = 0,
  LV_ROLE_HOT,     /* nearby: confidence += weight */
  LV_ROLE_ANTI,    /* nearby: confidence -= weight */
  LV_ROLE_EXCLUDE, /* overlapping: candidate suppressed */
  LV_ROLE_AUX
} lv_role;

typedef enum lv_pattern_kind {
  LV_PAT_LITERAL = 0,
  LV_PAT_REGEX,
  LV_PAT_COMBINATION /* reported with from == to, at the offset it holds */
} lv_pattern_kind;

/* How an excerpt of personal data is masked in verdicts. */
typedef enum lv_mask {
  LV_MASK_NONE = 0,
  LV_MASK_ID,    /* keep first 6 and last 4 alphanumerics */
  LV_MASK_CARD,  /* keep first 4 and last 4 */
  LV_MASK_PHONE, /* keep first 3 and last 4 */
  LV_MASK_EMAIL, /* keep the first character of the local part and domain */
  LV_MASK_SHORT  /* keep first 1 and last 2 */
} lv_mask;

/* Everything known about one pattern, by its global id. */
typedef struct lv_pattern_info {
  uint16_t detector; /* index of the detector instance */
  uint8_t role;      /* lv_role */
  uint8_t kind;      /* lv_pattern_kind */
  uint32_t tag;      /* detector-defined */
  uint32_t lit_len;  /* literal length in normalized bytes (0 for regexes) */
  float weight;      /* base confidence (TRIGGER) or delta (HOT/ANTI) */
} lv_pattern_info;

/* One match of one pattern, in normalized byte offsets [from, to). */
typedef struct lv_hit {
  uint32_t pid;
  uint32_t from, to;
} lv_hit;

typedef struct lv_compiler lv_compiler;
typedef struct lv_inspect lv_inspect;
typedef struct lv_detector_ops lv_detector_ops;

/* A detector in an engine: its ops and its configuration. */
typedef struct lv_detector_inst {
  const lv_detector_ops *ops;
  const char *category; /* owned by the engine */
  const void *config;   /* e.g. a keyword list; owned by the engine */
} lv_detector_inst;

struct lv_detector_ops {
  int version; /* LV_DETECTOR_VERSION */
  const char *category;
  /* Registers patterns for instance inst. */
  int (*compile)(lv_compiler *c, const lv_detector_inst *inst);
  /* Confirms hits (all of this instance's, sorted by from) and emits
   * findings. */
  void (*validate)(lv_inspect *in, const lv_detector_inst *inst,
                   const lv_hit *hits, size_t n);
  /* Context window around a candidate, in normalized bytes. */
  uint32_t window_before, window_after;
};

/* --- compile-time service ------------------------------------------------- */

/* Adds a literal (normalized first, so lexicons may be written in any form).
 * Returns the pattern id (>= 0) or a negative status. Empty literals after
 * normalization are skipped (returns LEVEE_EINVAL). */
int lv_compiler_literal(lv_compiler *c, lv_role role, uint32_t tag,
                        float weight, const char *s, size_t n);
/* Adds a Hyperscan regex over normalized text; UTF-8 mode and leftmost start
 * of match are set by the engine. Returns the pattern id or a negative
 * status. */
int lv_compiler_regex(lv_compiler *c, lv_role role, uint32_t tag, float weight,
                      const char *expr);
/* Adds a regex that is never reported, only used as an operand of a
 * combination (Hyperscan allows no start-of-match tracking there; register
 * the same expression with lv_compiler_regex too where positions matter).
 * Returns the pattern id. */
int lv_compiler_quiet_regex(lv_compiler *c, const char *expr);
/* Adds a Hyperscan logical combination (HS_FLAG_COMBINATION) of ids of quiet
 * regexes, e.g. "12 & 13". Reported at the offset where it becomes true,
 * with from == to. */
int lv_compiler_combination(lv_compiler *c, lv_role role, uint32_t tag,
                            float weight, const char *expr);
/* Records an error message for the compile (first one wins). */
void lv_compiler_fail(lv_compiler *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- scan-time service ---------------------------------------------------- */

const lv_pattern_info *lv_inspect_pattern(const lv_inspect *in, uint32_t pid);
const lv_norm *lv_inspect_norm(const lv_inspect *in);
const levee_event *lv_inspect_event(const lv_inspect *in);
/* The text being inspected: -1 the message text, N attachment N's text
 * (extracted: OCR, a document, a PDF). */
int lv_inspect_source(const lv_inspect *in);

/* Emits a finding over normalized bytes [from, to). */
void lv_inspect_emit(lv_inspect *in, const char *category, uint32_t from,
                     uint32_t to, double confidence, lv_mask mask);

/* Confidence delta from HOT and ANTI hits whose span lies within the
 * detector's window around [from, to); each tag counts once. */
double lv_context_delta(const lv_inspect *in, const lv_detector_inst *inst,
                        const lv_hit *hits, size_t n, uint32_t from,
                        uint32_t to);
/* Whether an EXCLUDE hit overlaps [from, to). */
int lv_context_excluded(const lv_inspect *in, const lv_hit *hits, size_t n,
                        uint32_t from, uint32_t to);

/* Original-text helpers for structure checks: the original bytes that
 * produced normalized [from, to). */
levee_str lv_inspect_original(const lv_inspect *in, uint32_t from, uint32_t to);

/* Whether normalized byte off is preceded (or followed) by an ASCII
 * alphanumeric / digit. */
int lv_norm_digit_before(const lv_norm *n, uint32_t off);
int lv_norm_digit_after(const lv_norm *n, uint32_t off);
int lv_norm_alnum_before(const lv_norm *n, uint32_t off);
int lv_norm_alnum_after(const lv_norm *n, uint32_t off);

static inline double lv_clamp01(double x) {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

#endif
