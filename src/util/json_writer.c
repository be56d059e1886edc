/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_writer.c: a small streaming JSON builder for verdicts and reports,
 * and the pieces it writes with (string escaping, number formatting), which
 * verdict.c also uses directly on its fast path. Escaping copies runs of
 * bytes that need nothing (tested eight at a time) in one move.
 */
#include "util/json_writer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "levee/levee.h"

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

/* Bytes copied as they are: printable ASCII other than '"' and '\\' (DEL
 * included: JSON does not require escaping it). */
/* clang-format off */
static const unsigned char plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x20 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,  /* 0x50 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x70 */
};
/* clang-format on */

static inline uint64_t load64(const unsigned char *p) {
  uint64_t x;
  memcpy(&x, p, sizeof x);
  return x;
}

/* memcpy for the short runs of ids and names, without a call: overlapping
 * word moves, reading and writing only within [0, n). */
static inline void copy_run(char *dst, const unsigned char *src, size_t n) {
  if (n >= 16) {
    memcpy(dst, src, n);
  } else if (n >= 8) {
    uint64_t a = load64(src), b = load64(src + n - 8);
    memcpy(dst, &a, 8);
    memcpy(dst + n - 8, &b, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    memcpy(&a, src, 4);
    memcpy(&b, src + n - 4, 4);
    memcpy(dst, &a, 4);
    memcpy(dst + n - 4, &b, 4);
  } else {
    for (size_t i = 0; i < n; i++)
      dst[i] = (char)src[i];
  }
}

/* Whether all eight bytes of x are plain: none below 0x20, none '"' or '\\',
 * none at or above 0x80. Each term sets a byte's high bit where a byte is
 * of its kind (and perhaps, through a borrow, above one that is), so the
 * test as a whole is exact. */
static inline int word_plain(uint64_t x) {
  const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  uint64_t ctl = (x - ones * 0x20) & ~x;
  uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
  q = (q - ones) & ~q;
  bs = (bs - ones) & ~bs;
  return ((ctl | q | bs | x) & high) == 0;
}

/* The length of the valid UTF-8 sequence of two to four bytes at s[0..n)
 * (n >= 1, s[0] >= 0x80), or 0 when s[0] is invalid there: the rules of
 * lv_utf8_decode (no overlongs, surrogates or values past U+10FFFF),
 * inlined for speed. */
static inline size_t utf8_seq(const unsigned char *s, size_t n) {
  unsigned c = s[0], lo, hi;
  if (c >= 0xE0 && c <= 0xEF) { /* most of Chinese text */
    if (n < 3)
      return 0;
    lo = c == 0xE0 ? 0xA0 : 0x80;
    hi = c == 0xED ? 0x9F : 0xBF;
    return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
  }
  if (c >= 0xC2 && c <= 0xDF)
    return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4)
      return 0;
    lo = c == 0xF0 ? 0x90 : 0x80;
    hi = c == 0xF4 ? 0x8F : 0xBF;
    return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 &&
                   (s[3] & 0xC0) == 0x80
               ? 4
               : 0;
  }
  return 0;
}

/* Writes the escape for byte c, which is not plain and not the start of a
 * valid sequence: a two-character escape, \u00XX for other control bytes,
 * U+FFFD for an invalid UTF-8 byte. */
static inline char *put_escape(char *o, unsigned c) {
  static const char hex[] = "0123456789abcdef";
  char e;
  switch (c) {
  case '"': e = '"'; break;
  case '\\': e = '\\'; break;
  case '\n': e = 'n'; break;
  case '\r': e = 'r'; break;
  case '\t': e = 't'; break;
  case '\b': e = 'b'; break;
  case '\f': e = 'f'; break;
  default:
    if (c < 0x20) {
      memcpy(o, "\\u00", 4);
      o[4] = hex[c >> 4];
      o[5] = hex[c & 15];
      return o + 6;
    }
    memcpy(o, "\xEF\xBF\xBD", 3);
    return o + 3;
  }
  o[0] = '\\';
  o[1] = e;
  return o + 2;
}

/* Runs of bytes that need nothing (eight at a time where the word test
 * allows, else one byte or one valid sequence at a time) are copied in one
 * memcpy when an escape or the end interrupts them. */
size_t lv_json_escape_into(char *dst, const char *src, size_t n) {
  const unsigned char *s = (const unsigned char *)src;
  char *o = dst;
  size_t i = 0, run = 0; /* run: start of the bytes not yet copied */
  while (i < n) {
    if (n - i >= 8 && word_plain(load64(s + i))) {
      i += 8;
      continue;
    }
    unsigned c = s[i];
    if (plain[c]) {
      i++;
      continue;
    }
    if (c >= 0x80) {
      size_t k = utf8_seq(s + i, n - i);
      if (k) {
        i += k;
        continue;
      }
    }
    copy_run(o, s + run, i - run);
    o += i - run;
    o = put_escape(o, c);
    run = ++i;
  }
  copy_run(o, s + run, n - run);
  o += n - run;
  return (size_t)(o - dst);
}

size_t lv_json_escaped_len(const char *src, size_t n) {
  const unsigned char *s = (const unsigned char *)src;
  size_t i = 0, len = 0;
  while (i < n) {
    unsigned c = s[i];
    size_t k;
    if (plain[c]) {
      len++, i++;
    } else if (c >= 0x80) {
      k = utf8_seq(s + i, n - i);
      len += k ? k : 3; /* an invalid byte: U+FFFD */
      i += k ? k : 1;
    } else {
      char tmp[6];
      len += (size_t)(put_escape(tmp, c) - tmp);
      i++;
    }
  }
  return len;
}

int lv_json_escape(lv_buf *out, const char *s, size_t n) {
  /* The first check is the one this function always made: room for the
   * bytes as they are and the quotes around them. */
  int rc = lv_buf_reserve(out, n + 2);
  if (rc)
    return rc;
  /* Then room for the worst case, or (when that does not fit, or a long
   * string would reserve far too much) for the exact length. */
  size_t need = n <= 4096 ? LV_JSON_ESCAPE_MAX(n) : lv_json_escaped_len(s, n);
  if (lv_buf_reserve(out, need) != LEVEE_OK) {
    need = lv_json_escaped_len(s, n);
    if ((rc = lv_buf_reserve(out, need)))
      return rc;
  }
  out->len += lv_json_escape_into(out->data + out->len, s, n);
  out->data[out->len] = '\0';
  return LEVEE_OK;
}

size_t lv_json_fmt_int(char *out, int64_t v) {
  char tmp[LV_JSON_INT_MAX];
  char *p = tmp + sizeof tmp;
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  do {
    *--p = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  size_t n = (size_t)(tmp + sizeof tmp - p), sign = v < 0;
  if (sign)
    out[0] = '-';
  memcpy(out + sign, p, n);
  return sign + n;
}

/* v = m * 2^e exactly, with m < 2^53; v * 10^decimals is then
 * m * 10^decimals (< 2^63) shifted right by -e, and the bits shifted out say
 * how to round, exactly as printf rounds the exact binary value. */
size_t lv_json_fmt_fixed(char *out, double v, int decimals) {
  static const uint64_t pow10[] = {1, 10, 100, 1000};
  if (decimals < 0 || decimals > 3)
    return 0;
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  unsigned biased = (unsigned)(bits >> 52) & 0x7FF;
  uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
  int e;
  if (biased == 0x7FF)
    return 0; /* infinity or NaN */
  if (biased == 0) {
    e = -1074; /* subnormal */
  } else {
    m |= UINT64_C(1) << 52;
    e = (int)biased - 1075;
  }
  if (e >= 0)
    return 0; /* |v| >= 2^52 */
  uint64_t scale = pow10[decimals], prod = m * scale, q;
  unsigned shift = (unsigned)-e;
  if (shift >= 64) {
    q = 0; /* prod < 2^63 <= half a unit: rounds to zero */
  } else {
    uint64_t rem = prod & ((UINT64_C(1) << shift) - 1);
    uint64_t half = UINT64_C(1) << (shift - 1);
    q = prod >> shift;
    if (rem > half || (rem == half && (q & 1)))
      q++;
  }
  char *p = out;
  if (bits >> 63)
    *p++ = '-';
  p += lv_json_fmt_int(p, (int64_t)(q / scale));
  if (decimals) {
    uint64_t frac = q % scale;
    *p++ = '.';
    for (int d = decimals - 1; d >= 0; d--) {
      p[d] = (char)('0' + frac % 10);
      frac /= 10;
    }
    p += decimals;
  }
  return (size_t)(p - out);
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
  char tmp[LV_JSON_INT_MAX];
  size_t n = lv_json_fmt_int(tmp, v);
  before_value(w);
  put(w, tmp, n);
}

void lv_jw_double(lv_jw *w, double v, int decimals) {
  char tmp[LV_JSON_FIXED_MAX];
  if (!isfinite(v))
    v = 0;
  before_value(w);
  size_t n = lv_json_fmt_fixed(tmp, v, decimals);
  if (n)
    put(w, tmp, n);
  else if (!w->rc) /* huge values (up to 309 digits), other precisions */
    w->rc = lv_buf_printf(w->out, "%.*f", decimals, v);
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

void lv_jw_raw(lv_jw *w, const char *json, size_t n) {
  before_value(w);
  put(w, json, n);
}

int lv_jw_status(const lv_jw *w) {
  return w->rc;
}
