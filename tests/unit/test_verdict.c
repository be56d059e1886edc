/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_verdict.c: the verdict line (src/core/verdict.c) and the building
 * blocks it writes with (lv_json_escape_into, lv_json_escaped_len,
 * lv_json_fmt_int, lv_json_fmt_fixed in src/util/json_writer.c).
 *
 * verdict.c writes straight into memory for speed; this file holds a
 * reference written the plain way (a byte-at-a-time escaper with
 * lv_utf8_decode, snprintf for numbers, one append per piece) and checks
 * that both give the same bytes for many verdicts, ordinary and odd, and
 * that jansson reads every line back.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "levee/levee.h"
#include "util/buf.h"
#include "util/json_writer.h"
#include "util/limits.h"
#include "util/utf8.h"

/* --- the reference -------------------------------------------------------- */

static void ref_put(lv_buf *b, const void *p, size_t n) {
  assert_int_equal(lv_buf_append(b, p, n), LEVEE_OK);
}

static void ref_puts(lv_buf *b, const char *s) {
  ref_put(b, s, strlen(s));
}

/* JSON string contents per RFC 8259 with levee's rules: the two-character
 * escapes where JSON has them, \u00XX for other control bytes, valid UTF-8
 * as it is, U+FFFD for each byte that does not start a valid sequence. */
static void ref_escape(lv_buf *b, const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    unsigned c = u[i];
    char tmp[8];
    if (c >= 0x80) {
      int32_t cp;
      int k = lv_utf8_decode(u + i, n - i, &cp);
      if (cp >= 0)
        ref_put(b, u + i, (size_t)k);
      else
        ref_puts(b, "\xEF\xBF\xBD");
      i += cp >= 0 ? (size_t)k : 1;
      continue;
    }
    switch (c) {
    case '"': ref_puts(b, "\\\""); break;
    case '\\': ref_puts(b, "\\\\"); break;
    case '\n': ref_puts(b, "\\n"); break;
    case '\r': ref_puts(b, "\\r"); break;
    case '\t': ref_puts(b, "\\t"); break;
    case '\b': ref_puts(b, "\\b"); break;
    case '\f': ref_puts(b, "\\f"); break;
    default:
      if (c < 0x20) {
        snprintf(tmp, sizeof tmp, "\\u%04x", c);
        ref_puts(b, tmp);
      } else {
        ref_put(b, &u[i], 1);
      }
    }
    i++;
  }
}

static void ref_string(lv_buf *b, const char *s, size_t n) {
  ref_puts(b, "\"");
  ref_escape(b, s, n);
  ref_puts(b, "\"");
}

static void ref_key(lv_buf *b, const char *key, int comma) {
  if (comma)
    ref_puts(b, ",");
  ref_string(b, key, strlen(key));
  ref_puts(b, ":");
}

static void ref_num(lv_buf *b, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  assert_true(n > 0 && (size_t)n < sizeof tmp);
  ref_put(b, tmp, (size_t)n);
}

/* The verdict line as verdict.c wrote it with the lv_jw builder. */
static void ref_verdict(lv_buf *b, const levee_verdict *v) {
  ref_puts(b, "{");
  ref_key(b, "id", 0);
  if (v->id.ptr)
    ref_string(b, v->id.ptr, v->id.len);
  else
    ref_puts(b, "null");
  ref_key(b, "action", 1);
  ref_string(b, levee_action_name(v->action),
             strlen(levee_action_name(v->action)));
  ref_key(b, "severity", 1);
  ref_string(b, levee_severity_name(v->severity),
             strlen(levee_severity_name(v->severity)));
  ref_key(b, "findings", 1);
  ref_puts(b, "[");
  for (size_t i = 0; i < v->n_findings; i++) {
    const levee_finding *f = &v->findings[i];
    if (i)
      ref_puts(b, ",");
    ref_puts(b, "{");
    ref_key(b, "rule", 0);
    ref_string(b, f->rule, strlen(f->rule));
    ref_key(b, "category", 1);
    ref_string(b, f->category, strlen(f->category));
    ref_key(b, "source", 1);
    if (f->source < 0) {
      ref_string(b, "text", 4);
    } else {
      char src[32];
      int n = snprintf(src, sizeof src, "attachment:%d", f->source);
      ref_string(b, src, (size_t)n);
    }
    ref_key(b, "start", 1);
    ref_num(b, "%lld", (long long)(int64_t)f->start);
    ref_key(b, "end", 1);
    ref_num(b, "%lld", (long long)(int64_t)f->end);
    ref_key(b, "excerpt", 1);
    ref_string(b, f->excerpt, strlen(f->excerpt));
    ref_key(b, "confidence", 1);
    ref_num(b, "%.2f", isfinite(f->confidence) ? f->confidence : 0.0);
    ref_key(b, "action", 1);
    ref_string(b, levee_action_name(f->action),
               strlen(levee_action_name(f->action)));
    ref_key(b, "severity", 1);
    ref_string(b, levee_severity_name(f->severity),
               strlen(levee_severity_name(f->severity)));
    if (f->registration) {
      const levee_registration *r = f->registration;
      ref_key(b, "registration", 1);
      ref_puts(b, "{");
      ref_key(b, "id", 0);
      ref_num(b, "%llu", (unsigned long long)r->id);
      ref_key(b, "label", 1);
      ref_string(b, r->label.ptr ? r->label.ptr : "", r->label.len);
      if (r->level.ptr) {
        ref_key(b, "level", 1);
        ref_string(b, r->level.ptr, r->level.len);
      }
      if (r->name.ptr) {
        ref_key(b, "name", 1);
        ref_string(b, r->name.ptr, r->name.len);
      }
      ref_puts(b, "}");
      ref_key(b, "matched", 1);
      ref_num(b, "%.2f", isfinite(f->matched) ? f->matched : 0.0);
      if (f->distance >= 0) {
        ref_key(b, "distance", 1);
        ref_num(b, "%d", f->distance);
      }
    }
    ref_puts(b, "}");
  }
  ref_puts(b, "]");
  if (v->redacted_text) {
    ref_key(b, "redacted_text", 1);
    ref_string(b, v->redacted_text, strlen(v->redacted_text));
  }
  if (v->truncated) {
    ref_key(b, "truncated", 1);
    ref_puts(b, "true");
  }
  ref_puts(b, "}\n");
}

/* --- random inputs -------------------------------------------------------- */

static uint64_t rng = 0x243F6A8885A308D3ull;
static uint32_t rnd(void) {
  rng = rng * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(rng >> 33);
}

static double rnd_unit(void) {
  return (double)(((uint64_t)rnd() << 21) ^ rnd()) / 9007199254740992.0;
}

/* Pieces that the escaper treats differently, including invalid and
 * truncated sequences and the edges of the valid ranges. */
static const char *const pieces[] = {"a",
                                     "Z",
                                     "0",
                                     " ",
                                     "\"",
                                     "\\",
                                     "/",
                                     "\n",
                                     "\r",
                                     "\t",
                                     "\b",
                                     "\f",
                                     "\0",
                                     "\x01",
                                     "\x1f",
                                     "\x7f",
                                     "中",
                                     "文",
                                     "★",
                                     "😀",
                                     "é",
                                     "\xE2\x80\xA8", /* U+2028 */
                                     "\xC2\x80",
                                     "\xDF\xBF",
                                     "\xE0\xA0\x80",
                                     "\xEF\xBF\xBF",
                                     "\xF0\x90\x80\x80",
                                     "\xF4\x8F\xBF\xBF",
                                     "\x80",
                                     "\xBF",
                                     "\xC0\x80",
                                     "\xC1\xBF",
                                     "\xE0\x9F\xBF",
                                     "\xED\xA0\x80",
                                     "\xED\x9F\xBF",
                                     "\xF0\x8F\xBF\xBF",
                                     "\xF4\x90\x80\x80",
                                     "\xF5\x80\x80\x80",
                                     "\xFF",
                                     "\xFE",
                                     "\xE4\xB8",
                                     "\xF0\x9F\x98",
                                     "\xC3",
                                     "plain ascii text ",
                                     "机密★1年 ",
                                     "身份证 110101"};

/* Appends a random string of up to max pieces to b (NUL bytes included
 * unless no_nul). */
static void rnd_string(lv_buf *b, size_t max, int no_nul) {
  size_t n = max ? rnd() % (max + 1) : 0;
  for (size_t i = 0; i < n; i++) {
    const char *p = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];
    if (!p[0] && no_nul)
      continue;
    ref_put(b, p, p[0] ? strlen(p) : 1); /* "\0" is one NUL byte */
  }
}

/* --- the building blocks -------------------------------------------------- */

static void check_escape_same(const char *s, size_t n) {
  lv_buf want;
  lv_buf_init(&want, 1u << 24);
  ref_escape(&want, s, n);
  char *got = malloc(LV_JSON_ESCAPE_MAX(n) + 1);
  assert_non_null(got);
  size_t len = lv_json_escape_into(got, s, n);
  assert_true(len <= LV_JSON_ESCAPE_MAX(n));
  assert_int_equal(len, want.len);
  assert_memory_equal(got, want.data ? want.data : "", len);
  assert_int_equal(lv_json_escaped_len(s, n), len);
  free(got);
  lv_buf_cleanup(&want);
}

static void test_escape_matches_reference(void **state) {
  (void)state;
  unsigned char s[16];
  /* Every string of one and two bytes. */
  for (unsigned a = 0; a < 256; a++) {
    s[0] = (unsigned char)a;
    check_escape_same((char *)s, 1);
    for (unsigned c = 0; c < 256; c++) {
      s[1] = (unsigned char)c;
      check_escape_same((char *)s, 2);
    }
  }
  /* Three- and four-byte strings from the lead bytes and the edges of the
   * continuation ranges, at the start and after seven bytes of ASCII (where
   * the eight-byte test sees the lead). */
  static const unsigned char edge[] = {0x00, 0x22, 0x41, 0x5C, 0x7F, 0x80,
                                       0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
                                       0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xFF};
  const size_t ne = sizeof edge;
  static const unsigned char leads[] = {0xC0, 0xC1, 0xC2, 0xD5, 0xDF, 0xE0,
                                        0xE1, 0xE4, 0xEC, 0xED, 0xEE, 0xEF,
                                        0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
  for (size_t l = 0; l < sizeof leads; l++)
    for (size_t i = 0; i < ne; i++)
      for (size_t j = 0; j < ne; j++)
        for (size_t k = 0; k < ne; k++)
          for (size_t pad = 0; pad <= 7; pad += 7) {
            memset(s, 'x', pad);
            s[pad] = leads[l];
            s[pad + 1] = edge[i];
            s[pad + 2] = edge[j];
            s[pad + 3] = edge[k];
            for (size_t n = pad + 1; n <= pad + 4; n++)
              check_escape_same((char *)s, n);
          }
  /* Random strings, at every alignment. */
  lv_buf b;
  lv_buf_init(&b, 1u << 24);
  for (int t = 0; t < 20000; t++) {
    lv_buf_reset(&b);
    rnd_string(&b, 40, 0);
    size_t off = b.len ? rnd() % 8 : 0;
    off = off < b.len ? off : 0;
    check_escape_same(b.data ? b.data + off : "", b.len - off);
  }
  /* Long runs that need nothing, with one escape somewhere. */
  for (size_t n = 0; n < 100; n++) {
    char buf[100];
    memset(buf, 'q', n);
    check_escape_same(buf, n);
    if (n) {
      buf[rnd() % n] = '"';
      check_escape_same(buf, n);
    }
  }
  lv_buf_cleanup(&b);
}

static void test_escape_appends(void **state) {
  (void)state;
  lv_buf b;
  lv_buf_init(&b, 64);
  assert_int_equal(lv_buf_puts(&b, "x"), LEVEE_OK);
  assert_int_equal(lv_json_escape(&b, "a\"\x01\xFF中", 7), LEVEE_OK);
  assert_string_equal(b.data, "xa\\\"\\u0001\xEF\xBF\xBD中");
  /* A string that fits only when measured exactly: 20 control bytes need
   * 120 bytes at worst but take 40. */
  lv_buf_reset(&b);
  assert_int_equal(
      lv_json_escape(&b, "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n", 20),
      LEVEE_OK);
  assert_int_equal(b.len, 40);
  assert_int_equal(b.data[40], '\0');
  /* Past the limit: an error and nothing appended. */
  lv_buf_reset(&b);
  assert_int_equal(lv_buf_puts(&b, "0123456789"), LEVEE_OK);
  assert_int_equal(
      lv_json_escape(&b, "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01", 10),
      LEVEE_ETOOBIG);
  assert_string_equal(b.data, "0123456789");
  lv_buf_cleanup(&b);
}

static void check_int(int64_t v) {
  char want[32], got[LV_JSON_INT_MAX + 1];
  int n = snprintf(want, sizeof want, "%lld", (long long)v);
  size_t len = lv_json_fmt_int(got, v);
  assert_true(len <= LV_JSON_INT_MAX);
  got[len] = '\0';
  assert_int_equal(len, (size_t)n);
  assert_string_equal(got, want);
}

static void test_fmt_int(void **state) {
  (void)state;
  check_int(0);
  check_int(INT64_MIN);
  check_int(INT64_MAX);
  check_int(INT64_MIN + 1);
  int64_t p = 1;
  for (int i = 0; i < 19; i++) {
    check_int(p);
    check_int(p - 1);
    check_int(p + 1);
    check_int(-p);
    check_int(-p + 1);
    if (i < 18)
      p *= 10; /* up to 10^18 */
  }
  for (int i = 0; i < 100000; i++) {
    check_int((int64_t)(((uint64_t)rnd() << 32) | rnd()));
    check_int((int64_t)(rnd() % 100000));
  }
}

/* lv_json_fmt_fixed against snprintf: equal where it answers, and it answers
 * for every finite |v| < 2^52. */
static void check_fixed(double v, int decimals) {
  char want[512], got[LV_JSON_FIXED_MAX + 1];
  int n = snprintf(want, sizeof want, "%.*f", decimals, v);
  size_t len = lv_json_fmt_fixed(got, v, decimals);
  if (!isfinite(v) || fabs(v) >= LV_JSON_FIXED_RANGE) {
    assert_int_equal(len, 0);
    return;
  }
  assert_true(len > 0 && len <= LV_JSON_FIXED_MAX);
  got[len] = '\0';
  if (len != (size_t)n || strcmp(got, want))
    fail_msg("%.17g with %d decimals: got %s, snprintf %s", v, decimals, got,
             want);
}

static void check_fixed_all(double v) {
  for (int d = 0; d <= 3; d++) {
    check_fixed(v, d);
    check_fixed(-v, d);
  }
}

static void test_fmt_fixed(void **state) {
  (void)state;
  /* Every k/1000 and k/100000 in [0, 1], and their neighbours. */
  for (int k = 0; k <= 100000; k++) {
    double v = k / 100000.0;
    check_fixed_all(v);
    check_fixed_all(nextafter(v, 0));
    check_fixed_all(nextafter(v, 2));
    if (k <= 1000) {
      v = k / 1000.0;
      check_fixed_all(v);
      check_fixed_all(nextafter(v, 0));
      check_fixed_all(nextafter(v, 2));
    }
  }
  /* Exact ties (multiples of 1/8 and 1/1024) and the midpoints of two
   * decimals as close as doubles get. */
  for (int k = 0; k <= 20000; k++) {
    check_fixed_all(k / 8.0);
    check_fixed_all(k / 1024.0);
    double mid = (k + 0.5) / 100.0;
    check_fixed_all(mid);
    check_fixed_all(nextafter(mid, 0));
    check_fixed_all(nextafter(mid, 1e9));
  }
  /* Random values in [0, 1], wider ranges, and random bit patterns. */
  for (int i = 0; i < 50000; i++) {
    check_fixed_all(rnd_unit());
    check_fixed_all(rnd_unit() * 1e6);
    check_fixed_all(ldexp(rnd_unit(), (int)(rnd() % 120) - 60));
    uint64_t bits = ((uint64_t)rnd() << 32) | rnd();
    double v;
    memcpy(&v, &bits, sizeof v);
    check_fixed_all(v);
  }
  /* Edges. */
  static const double edge[] = {0.0,
                                0.005,
                                0.015,
                                0.125,
                                0.995,
                                0.9999999,
                                1.0,
                                4.9e-324,
                                2.2250738585072014e-308,
                                4503599627370495.5,
                                4503599627370496.0,
                                9007199254740993.0,
                                1e300,
                                1.7976931348623157e308,
                                INFINITY,
                                NAN};
  for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
    check_fixed_all(edge[i]);
  /* Other precisions are left to snprintf. */
  char tmp[LV_JSON_FIXED_MAX];
  assert_int_equal(lv_json_fmt_fixed(tmp, 0.5, 4), 0);
  assert_int_equal(lv_json_fmt_fixed(tmp, 0.5, -1), 0);
}

/* The builder's double, for values the fast path does not take: the whole
 * of snprintf's answer. */
static void test_jw_double_wide(void **state) {
  (void)state;
  static const double vals[] = {1e300, -1.7976931348623157e308, 0.5, NAN,
                                -INFINITY};
  static const int decimals[] = {2, 2, 7, 1, 0};
  for (size_t i = 0; i < 5; i++) {
    lv_buf b;
    lv_buf_init(&b, 4096);
    lv_jw w;
    lv_jw_init(&w, &b);
    lv_jw_double(&w, vals[i], decimals[i]);
    assert_int_equal(lv_jw_status(&w), LEVEE_OK);
    char want[512];
    int n = snprintf(want, sizeof want, "%.*f", decimals[i],
                     isfinite(vals[i]) ? vals[i] : 0.0);
    assert_int_equal(b.len, (size_t)n);
    assert_string_equal(b.data, want);
    lv_buf_cleanup(&b);
  }
}

/* --- verdicts ------------------------------------------------------------- */

/* Checks that levee_verdict_json appends exactly what the reference does to
 * a buffer that already holds prefix, and that jansson reads the line. */
static void check_verdict(const levee_verdict *v, const char *prefix) {
  lv_buf want;
  lv_buf_init(&want, (size_t)1 << 30);
  ref_puts(&want, prefix);
  ref_verdict(&want, v);

  size_t plen = strlen(prefix), len = plen, cap = plen + 1;
  char *buf = malloc(cap);
  assert_non_null(buf);
  memcpy(buf, prefix, plen + 1);
  assert_int_equal(levee_verdict_json(v, &buf, &len, &cap), LEVEE_OK);
  assert_true(len < cap);
  assert_int_equal(buf[len], '\0');
  if (len != want.len || memcmp(buf, want.data, len))
    fail_msg("verdict differs:\n got  %.*s\n want %.*s", (int)len, buf,
             (int)want.len, want.data);

  json_error_t jerr;
  json_t *j = json_loadb(buf + plen, len - plen, JSON_ALLOW_NUL, &jerr);
  if (!j)
    fail_msg("verdict does not parse: %s\n%s", jerr.text, buf + plen);
  assert_true(json_is_object(j));
  assert_int_equal(json_array_size(json_object_get(j, "findings")),
                   v->n_findings);
  assert_string_equal(json_string_value(json_object_get(j, "action")),
                      levee_action_name(v->action));
  if (v->id.ptr && lv_utf8_valid(v->id.ptr, v->id.len)) {
    json_t *id = json_object_get(j, "id");
    assert_int_equal(json_string_length(id), v->id.len);
    assert_memory_equal(json_string_value(id), v->id.ptr, v->id.len);
  } else if (!v->id.ptr) {
    assert_true(json_is_null(json_object_get(j, "id")));
  }
  json_decref(j);
  free(buf);
  lv_buf_cleanup(&want);
}

static levee_verdict allow_verdict(const char *id) {
  levee_verdict v;
  memset(&v, 0, sizeof v);
  v.id.ptr = id;
  v.id.len = id ? strlen(id) : 0;
  return v;
}

static void test_verdict_allow(void **state) {
  (void)state;
  levee_verdict v = allow_verdict("msg-000042");
  char *buf = NULL;
  size_t len = 0, cap = 0;
  assert_int_equal(levee_verdict_json(&v, &buf, &len, &cap), LEVEE_OK);
  assert_string_equal(buf, "{\"id\":\"msg-000042\",\"action\":\"allow\","
                           "\"severity\":\"info\",\"findings\":[]}\n");
  /* Appended, not overwritten. */
  size_t first = len;
  v.id.ptr = NULL;
  assert_int_equal(levee_verdict_json(&v, &buf, &len, &cap), LEVEE_OK);
  assert_string_equal(buf + first, "{\"id\":null,\"action\":\"allow\","
                                   "\"severity\":\"info\",\"findings\":[]}\n");
  free(buf);

  const char *ids[] = {"",           "1",
                       "say \"hi\"", "C:\\x",
                       "a\nb\tc",    "\x01\x1f\x7f",
                       "中文编号",   "\xE2\x80\xA8",
                       "bad\xFF",    "\xE4\xB8",
                       "😀",          "0123456789abcdef"};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
    v = allow_verdict(ids[i]);
    check_verdict(&v, "");
    check_verdict(&v, "{\"previous\":1}\n");
  }
  /* An id with a NUL inside (levee_str carries a length). */
  v.id.ptr = "a\0b";
  v.id.len = 3;
  check_verdict(&v, "");
  v = allow_verdict(NULL);
  check_verdict(&v, "");
  /* Ids around the longest one the short path for "allow" takes (4096
   * bytes), of bytes that need no escape and of ones that take six. */
  static const size_t lens[] = {4095, 4096, 4097, 20000};
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    char *id = malloc(lens[i] + 1);
    assert_non_null(id);
    for (int kind = 0; kind < 3; kind++) {
      for (size_t k = 0; k < lens[i]; k++)
        id[k] = kind == 0 ? 'a' : kind == 1 ? '\x01' : "x\"\xE4\xB8\xAD"[k % 5];
      id[lens[i]] = '\0';
      v = allow_verdict(id);
      check_verdict(&v, "");
      check_verdict(&v, "before\n");
    }
    free(id);
  }
  /* Not the short path: no findings, yet not "allow" and "info". */
  v = allow_verdict("m9");
  v.severity = LEVEE_SEVERITY_LOW;
  check_verdict(&v, "");
  v.severity = LEVEE_SEVERITY_INFO;
  v.action = LEVEE_ACTION_HOLD;
  check_verdict(&v, "");
  v.action = LEVEE_ACTION_ALLOW;
  v.truncated = 1;
  check_verdict(&v, "");
  v.truncated = 0;
  v.redacted_text = "";
  check_verdict(&v, "");
}

static void test_verdict_findings(void **state) {
  (void)state;
  levee_finding f[3] = {
      {"state-secret", "marking.state_secret", -1, 0, 12, 0.875, "绝密★10年",
       LEVEE_ACTION_BLOCK, LEVEE_SEVERITY_CRITICAL, NULL, 0, -1},
      {"pii", "pii.cn_resident_id", 0, 5, 23, 1.0, "110101********1234",
       LEVEE_ACTION_ALERT, LEVEE_SEVERITY_HIGH, NULL, 0, -1},
      {"odd \"rule\"", "cat\\egory", 12, SIZE_MAX, (size_t)INT64_MAX + 1, NAN,
       "quote \" back \\ ctl \x01 ls \xE2\x80\xA8 bad \xC3(", (levee_action)9,
       (levee_severity)-3, NULL, 0, -1},
  };
  levee_verdict v = allow_verdict("m1");
  v.action = LEVEE_ACTION_BLOCK;
  v.severity = LEVEE_SEVERITY_CRITICAL;
  v.findings = f;
  v.n_findings = 3;
  check_verdict(&v, "");
  v.redacted_text = "身份证 ******** 手机 \"138****5678\"\n";
  check_verdict(&v, "x");
  v.truncated = 1;
  check_verdict(&v, "");
  v.redacted_text = NULL;
  check_verdict(&v, "");

  char *buf = NULL;
  size_t len = 0, cap = 0;
  v.n_findings = 1;
  v.truncated = 0;
  assert_int_equal(levee_verdict_json(&v, &buf, &len, &cap), LEVEE_OK);
  assert_string_equal(
      buf, "{\"id\":\"m1\",\"action\":\"block\",\"severity\":\"critical\","
           "\"findings\":[{\"rule\":\"state-secret\",\"category\":"
           "\"marking.state_secret\",\"source\":\"text\",\"start\":0,"
           "\"end\":12,\"excerpt\":\"绝密★10年\",\"confidence\":0.88,"
           "\"action\":\"block\",\"severity\":\"critical\"}]}\n");
  free(buf);

  /* Confidences the fast path leaves to snprintf, and odd ones. */
  static const double conf[] = {1e300, -1e20, INFINITY, -0.0,
                                0.005, 0.125, 4.9e-324};
  for (size_t i = 0; i < sizeof conf / sizeof conf[0]; i++) {
    f[0].confidence = conf[i];
    check_verdict(&v, "");
  }
  f[0].source = INT32_MAX;
  check_verdict(&v, "");
}

static void test_verdict_random(void **state) {
  (void)state;
  enum { MAXF = 6, STRS = 4 * MAXF + 2 };
  lv_buf s[STRS];
  for (int i = 0; i < STRS; i++)
    lv_buf_init(&s[i], 1u << 20);
  for (int t = 0; t < 5000; t++) {
    for (int i = 0; i < STRS; i++) {
      lv_buf_reset(&s[i]);
      /* C strings (all but the id) cannot hold a NUL. */
      rnd_string(&s[i], rnd() % 4 ? 6 : 60, i != 0);
      ref_put(&s[i], "", 0); /* allocates, so data is a C string */
    }
    levee_finding f[MAXF];
    levee_registration regs[MAXF];
    levee_verdict v;
    memset(&v, 0, sizeof v);
    v.id.ptr = rnd() % 10 ? s[0].data : NULL;
    v.id.len = s[0].len;
    v.action = (levee_action)(rnd() % 6);
    v.severity = (levee_severity)(rnd() % 6);
    v.n_findings = rnd() % 3 ? 0 : rnd() % (MAXF + 1);
    v.findings = f;
    for (size_t i = 0; i < v.n_findings; i++) {
      f[i].rule = s[2 + 4 * i].data;
      f[i].category = s[3 + 4 * i].data;
      f[i].excerpt = s[4 + 4 * i].data;
      f[i].source = rnd() % 3 ? -1 : (int)(rnd() % 70);
      f[i].start = rnd() % 5 ? rnd() % 1000 : ((size_t)rnd() << 32 | rnd());
      f[i].end = f[i].start + rnd() % 100;
      uint32_t r = rnd() % 8;
      f[i].confidence = r == 0   ? (double)(rnd() % 1001) / 1000.0
                        : r == 1 ? rnd_unit() * 10 - 5
                        : r == 2 ? NAN
                                 : rnd_unit();
      f[i].action = (levee_action)(rnd() % 6);
      f[i].severity = (levee_severity)(rnd() % 6);
      /* Some match a registration, with or without a level and a name. */
      f[i].registration = NULL;
      f[i].distance = -1;
      if (rnd() % 4 == 0) {
        levee_registration *reg = &regs[i];
        reg->id = rnd() % 2 ? rnd() : (uint64_t)rnd() << 32 | rnd();
        reg->label = (levee_str){s[5 + 4 * i].data, s[5 + 4 * i].len};
        reg->level = rnd() % 2 ? reg->label : (levee_str){0};
        reg->name =
            rnd() % 2 ? (levee_str){s[1].data, s[1].len} : (levee_str){0};
        f[i].registration = reg;
        f[i].matched = rnd_unit();
        f[i].distance = rnd() % 2 ? (int)(rnd() % 65) : -1;
      }
    }
    v.redacted_text = rnd() % 5 ? NULL : s[1].data;
    v.truncated = rnd() % 7 == 0;
    check_verdict(&v, t % 2 ? "" : "prefix\n");
  }
  for (int i = 0; i < STRS; i++)
    lv_buf_cleanup(&s[i]);
}

/* A long redacted text: its worst case passes the bound verdict.c reserves
 * at once, so the line is measured exactly (and the debug build asserts the
 * measure). */
static void test_verdict_long_text(void **state) {
  (void)state;
  lv_buf t;
  lv_buf_init(&t, 1u << 24);
  while (t.len < 300000)
    rnd_string(&t, 50, 1);
  levee_verdict v = allow_verdict("long");
  v.action = LEVEE_ACTION_REDACT;
  v.redacted_text = t.data;
  check_verdict(&v, "");
  /* Control bytes only: the exact size is a third of the bound. */
  lv_buf_reset(&t);
  for (int i = 0; i < 100000; i++)
    ref_puts(&t, "\x01\n");
  v.redacted_text = t.data;
  check_verdict(&v, "");
  v.redacted_text = NULL;
  lv_buf_cleanup(&t);

  /* The most findings a verdict lists, each with a long excerpt. */
  static char excerpt[LV_MAX_EXCERPT_BYTES + 1];
  memset(excerpt, '\x02', LV_MAX_EXCERPT_BYTES);
  levee_finding *f = calloc(LV_MAX_FINDINGS, sizeof *f);
  assert_non_null(f);
  for (int i = 0; i < LV_MAX_FINDINGS; i++)
    f[i] = (levee_finding){"r",
                           "c",
                           i % 3 - 1,
                           (size_t)i,
                           (size_t)i + 9,
                           i / 256.0,
                           excerpt,
                           LEVEE_ACTION_ALERT,
                           LEVEE_SEVERITY_LOW,
                           NULL,
                           0,
                           -1};
  v.findings = f;
  v.n_findings = LV_MAX_FINDINGS;
  v.truncated = 1;
  check_verdict(&v, "");
  free(f);
}

/* Past the buffer's limit (1 GiB): an error, and the buffer as it was. */
static void test_verdict_too_big(void **state) {
  (void)state;
  levee_verdict v = allow_verdict("x");
  char *buf = malloc(16);
  assert_non_null(buf);
  memcpy(buf, "keep", 5);
  /* A length near the limit with a capacity that claims room: the limit
   * check comes first, so no byte past the real allocation is touched. */
  size_t len = ((size_t)1 << 30) - 10, cap = (size_t)1 << 31;
  assert_int_equal(levee_verdict_json(&v, &buf, &len, &cap), LEVEE_ETOOBIG);
  assert_int_equal(len, ((size_t)1 << 30) - 10);
  assert_int_equal(cap, (size_t)1 << 31);
  assert_string_equal(buf, "keep");
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_escape_matches_reference),
      cmocka_unit_test(test_escape_appends),
      cmocka_unit_test(test_fmt_int),
      cmocka_unit_test(test_fmt_fixed),
      cmocka_unit_test(test_jw_double_wide),
      cmocka_unit_test(test_verdict_allow),
      cmocka_unit_test(test_verdict_findings),
      cmocka_unit_test(test_verdict_random),
      cmocka_unit_test(test_verdict_long_text),
      cmocka_unit_test(test_verdict_too_big),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
