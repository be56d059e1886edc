/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_writer.h: JSON output built piece by piece into an lv_buf, never with
 * sprintf of user data. Strings are escaped per RFC 8259; invalid UTF-8 is
 * replaced with U+FFFD so every document we emit is valid JSON.
 */
#ifndef LV_UTIL_JSON_WRITER_H
#define LV_UTIL_JSON_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* A writer tracks whether a comma is due at each nesting level. */
typedef struct lv_jw {
  lv_buf *out;
  int depth;
  unsigned char need_comma[32];
  int rc; /* first error; later calls become no-ops */
} lv_jw;

void lv_jw_init(lv_jw *w, lv_buf *out);
void lv_jw_object_begin(lv_jw *w);
void lv_jw_object_end(lv_jw *w);
void lv_jw_array_begin(lv_jw *w);
void lv_jw_array_end(lv_jw *w);
/* Object member name; the value call follows. */
void lv_jw_key(lv_jw *w, const char *key);
void lv_jw_string(lv_jw *w, const char *s, size_t n);
void lv_jw_cstring(lv_jw *w, const char *s);
void lv_jw_int(lv_jw *w, int64_t v);
void lv_jw_double(lv_jw *w, double v, int decimals);
void lv_jw_bool(lv_jw *w, int v);
void lv_jw_null(lv_jw *w);
/* A value that is already JSON text (the caller has checked it is one
 * value, valid), copied as is. */
void lv_jw_raw(lv_jw *w, const char *json, size_t n);
/* Status of the whole document so far (0 or the first error). */
int lv_jw_status(const lv_jw *w);

/* Appends s[0..n) escaped, without quotes. On failure nothing is
 * appended. */
int lv_json_escape(lv_buf *out, const char *s, size_t n);

/* Building blocks for writers that reserve room once and write straight into
 * memory (verdict.c): the same bytes as the lv_jw_* calls produce. */

/* The most bytes lv_json_escape_into writes for n input bytes: a control
 * byte becomes \u00XX. */
#define LV_JSON_ESCAPE_MAX(n) (6 * (n))

/* Writes s[0..n) escaped (as lv_json_escape appends it) to dst, which has
 * room for LV_JSON_ESCAPE_MAX(n) bytes; returns the bytes written. */
size_t lv_json_escape_into(char *dst, const char *s, size_t n);

/* The exact number of bytes lv_json_escape_into writes for s[0..n). */
size_t lv_json_escaped_len(const char *s, size_t n);

/* The most bytes lv_json_fmt_int and lv_json_fmt_fixed write. */
#define LV_JSON_INT_MAX 20
#define LV_JSON_FIXED_MAX 24

/* Writes v in decimal (as lv_jw_int does) to out; returns the length. */
size_t lv_json_fmt_int(char *out, int64_t v);

/* Writes what snprintf's "%.*f" writes for v with decimals 0..3 (correctly
 * rounded, ties to even, the sign of -0.0 kept) and returns the length; or
 * returns 0, writing nothing, when v is not finite, |v| >= 2^52 or decimals
 * is out of range, for the caller to use snprintf. */
size_t lv_json_fmt_fixed(char *out, double v, int decimals);
/* The values lv_json_fmt_fixed takes are those with |v| below this (2^52). */
#define LV_JSON_FIXED_RANGE 4503599627370496.0

#endif
