/* SPDX-License-Identifier: Apache-2.0 */
/*
 * utf8.h: UTF-8 decoding and encoding over bounded buffers.
 */
#ifndef LV_UTIL_UTF8_H
#define LV_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point from s[0..n). Returns its length in bytes (1..4) and
 * sets *cp; on an invalid or truncated sequence returns 1 and sets *cp = -1.
 * n must be >= 1. Overlongs, surrogates and values past U+10FFFF are
 * invalid. */
int lv_utf8_decode(const unsigned char *s, size_t n, int32_t *cp);

/* Encodes cp (0..0x10FFFF, not a surrogate) into out[4]; returns the length. */
int lv_utf8_encode(int32_t cp, unsigned char out[4]);

/* The largest k <= n such that s[0..k) ends on a character boundary. */
size_t lv_utf8_floor(const char *s, size_t n);

/* Whether s[0..n) is entirely valid UTF-8. */
int lv_utf8_valid(const char *s, size_t n);

#endif
