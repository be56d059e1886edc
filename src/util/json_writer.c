/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_writer.c: a small streaming JSON builder for verdicts and reports.
 */
#include "util/json_writer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "levee/levee.h"
#include "util/utf8.h"

void lv_jw_init(lv_jw *w, lv_buf *out) {
  w->out = out;
  w->depth = 0;
  w->need_comma[0] = 0;
  w->rc = 0;
}

static void put(lv_jw *w, const char *s, size_t n) {
  if (!w->rc)
    w->rc = lv_buf_append(w->out, s, n);
}

/* Emits the separator owed before a value at the current level. The level's
 * state is 0 (nothing yet), 1 (a value was written: comma due) or 2 (a key
 * was just written: the value follows without a comma). */
static void before_value(lv_jw *w) {
  if (w->need_comma[w->depth] == 1)
    put(w, ",", 1);
  w->need_comma[w->depth] = 1;
}

static void open(lv_jw *w, char c) {
  before_value(w);
  put(w, &c, 1);
  if (w->depth + 1 >= (int)sizeof w->need_comma) {
    if (!w->rc)
      w->rc = LEVEE_ETOOBIG;
    return;
  }
  w->need_comma[++w->depth] = 0;
}

static void close_(lv_jw *w, char c) {
  if (w->depth > 0)
    w->depth--;
  put(w, &c, 1);
}

void lv_jw_object_begin(lv_jw *w) {
  open(w, '{');
}
void lv_jw_object_end(lv_jw *w) {
  close_(w, '}');
}
void lv_jw_array_begin(lv_jw *w) {
  open(w, '[');
}
void lv_jw_array_end(lv_jw *w) {
  close_(w, ']');
}

void lv_jw_key(lv_jw *w, const char *key) {
  if (w->need_comma[w->depth] == 1)
    put(w, ",", 1);
  put(w, "\"", 1);
  if (!w->rc)
    w->rc = lv_json_escape(w->out, key, strlen(key));
  put(w, "\":", 2);
  w->need_comma[w->depth] = 2;
}

int lv_json_escape(lv_buf *out, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0, run = 0; /* run: start of bytes copied verbatim */
  int rc = lv_buf_reserve(out, n + 2);
  if (rc)
    return rc;
  while (i < n) {
    unsigned c = u[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0x80) {
      int32_t cp;
      int len = lv_utf8_decode(u + i, n - i, &cp);
      if (cp >= 0) {
        i += (size_t)len;
        continue;
      }
    }
    if ((rc = lv_buf_append(out, s + run, i - run)))
      return rc;
    char esc[8];
    size_t elen = 2;
    esc[0] = '\\';
    switch (c) {
    case '"': esc[1] = '"'; break;
    case '\\': esc[1] = '\\'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '\t': esc[1] = 't'; break;
    case '\b': esc[1] = 'b'; break;
    case '\f': esc[1] = 'f'; break;
    default:
      if (c < 0x20) {
        memcpy(esc, "\\u00", 4);
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        elen = 6;
      } else { /* invalid UTF-8 byte: U+FFFD */
        memcpy(esc, "\xEF\xBF\xBD", 3);
        elen = 3;
      }
    }
    if ((rc = lv_buf_append(out, esc, elen)))
      return rc;
    run = ++i;
  }
  return lv_buf_append(out, s + run, n - run);
}

void lv_jw_string(lv_jw *w, const char *s, size_t n) {
  before_value(w);
  put(w, "\"", 1);
  if (!w->rc)
    w->rc = lv_json_escape(w->out, s, n);
  put(w, "\"", 1);
}

void lv_jw_cstring(lv_jw *w, const char *s) {
  lv_jw_string(w, s, strlen(s));
}

void lv_jw_int(lv_jw *w, int64_t v) {
  char tmp[24];
  int n = snprintf(tmp, sizeof tmp, "%lld", (long long)v);
  before_value(w);
  put(w, tmp, (size_t)n);
}

void lv_jw_double(lv_jw *w, double v, int decimals) {
  char tmp[48];
  if (!isfinite(v))
    v = 0;
  int n = snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
  before_value(w);
  put(w, tmp, (size_t)n);
}

void lv_jw_bool(lv_jw *w, int v) {
  before_value(w);
  if (v)
    put(w, "true", 4);
  else
    put(w, "false", 5);
}

void lv_jw_null(lv_jw *w) {
  before_value(w);
  put(w, "null", 4);
}

int lv_jw_status(const lv_jw *w) {
  return w->rc;
}
