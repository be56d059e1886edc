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
/* Status of the whole document so far (0 or the first error). */
int lv_jw_status(const lv_jw *w);

/* Appends s[0..n) escaped, without quotes. */
int lv_json_escape(lv_buf *out, const char *s, size_t n);

#endif
