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

#endif
