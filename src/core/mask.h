/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mask.h: excerpts for verdicts, with personal data masked
 * (e.g. 110105********1234), so a verdict can be shown without exposing
 * what it protects.
 */
#ifndef LV_CORE_MASK_H
#define LV_CORE_MASK_H

#include <stddef.h>

#include "detect/detector.h"
#include "util/arena.h"

/* A NUL-terminated copy of s[0..n) cut to LV_MAX_EXCERPT_BYTES at a
 * character boundary, masked per style; NULL when out of memory. */
char *lv_mask_excerpt(lv_arena *a, const char *s, size_t n, lv_mask style);

/* Each character of p[0..n) replaced, in place, by a mark of the same byte
 * length (*, ·, ＊, or a padlock for four bytes), so offsets into the text
 * around it stay where they were: how a span is masked when its excerpt
 * does not say how. */
void lv_mask_blot(char *p, size_t n);

/* Masks, in place, the personal data (pii.* findings of the text, source
 * -1) of text t[0..n): each span as its excerpt is masked when the lengths
 * agree (138****5678), else blotted. Returns the spans masked. */
struct levee_finding;
size_t lv_mask_findings(char *t, size_t n, const struct levee_finding *f,
                        size_t n_findings);

#endif
