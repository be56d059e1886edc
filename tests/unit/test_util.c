/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_util.c: the util layer under everything else: the bounded buffer
 * (src/util/buf.c), the per-message arena (arena.c), strict UTF-8
 * (utf8.c) and the JSON writer (json_writer.c), whose every document must be
 * valid JSON whatever bytes it is given (checked with jansson).
 */
#include <setjmp.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "levee/levee.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/json_writer.h"
#include "util/utf8.h"

/* --- lv_buf --------------------------------------------------------------- */

static void test_buf_append_and_limit(void **state) {
  (void)state;
  lv_buf b;
  lv_buf_init(&b, 8);
  assert_null(b.data);
  assert_int_equal(lv_buf_append(&b, "abc", 3), LEVEE_OK);
  assert_int_equal(b.len, 3);
  assert_string_equal(b.data, "abc");
  assert_int_equal(lv_buf_puts(&b, "defg"), LEVEE_OK);
  assert_int_equal(lv_buf_putc(&b, 'h'), LEVEE_OK);
  assert_int_equal(b.len, 8);
  assert_string_equal(b.data, "abcdefgh");
  /* Full: one more byte is over the limit and changes nothing. */
  assert_int_equal(lv_buf_putc(&b, 'i'), LEVEE_ETOOBIG);
  assert_int_equal(lv_buf_append(&b, "xyz", 3), LEVEE_ETOOBIG);
  assert_int_equal(b.len, 8);
  assert_string_equal(b.data, "abcdefgh");
  /* Nothing appended is always fine. */
  assert_int_equal(lv_buf_append(&b, "", 0), LEVEE_OK);
  assert_int_equal(b.len, 8);
  lv_buf_cleanup(&b);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  assert_int_equal(b.limit, 8);
}

static void test_buf_reserve_overflow(void **state) {
  (void)state;
  lv_buf b;
  lv_buf_init(&b, 100);
  assert_int_equal(lv_buf_reserve(&b, 101), LEVEE_ETOOBIG);
  assert_int_equal(lv_buf_reserve(&b, SIZE_MAX), LEVEE_ETOOBIG);
  assert_int_equal(lv_buf_append(&b, "0123456789", 10), LEVEE_OK);
  /* len + extra would wrap around: still too big, not a tiny allocation. */
  assert_int_equal(lv_buf_reserve(&b, SIZE_MAX - 5), LEVEE_ETOOBIG);
  assert_int_equal(lv_buf_reserve(&b, 91), LEVEE_ETOOBIG);
  assert_int_equal(lv_buf_reserve(&b, 90), LEVEE_OK);
  assert_true(b.cap >= 101);
  lv_buf_cleanup(&b);
}

static void test_buf_grows(void **state) {
  (void)state;
  lv_buf b;
  lv_buf_init(&b, 1u << 20);
  for (int i = 0; i < 10000; i++)
    assert_int_equal(lv_buf_putc(&b, (char)('a' + i % 26)), LEVEE_OK);
  assert_int_equal(b.len, 10000);
  assert_int_equal(b.data[10000], '\0');
  for (int i = 0; i < 10000; i++)
    assert_int_equal(b.data[i], 'a' + i % 26);
  lv_buf_cleanup(&b);
}

static void test_buf_printf(void **state) {
  (void)state;
  lv_buf b;
  lv_buf_init(&b, 16);
  assert_int_equal(lv_buf_printf(&b, "%d-%s", 42, "ok"), LEVEE_OK);
  assert_string_equal(b.data, "42-ok");
  assert_int_equal(lv_buf_printf(&b, "%s", "0123456789a"), LEVEE_OK);
  assert_int_equal(b.len, 16);
  /* Over the limit: refused whole, nothing half-written. */
  assert_int_equal(lv_buf_printf(&b, "%c", 'x'), LEVEE_ETOOBIG);
  assert_int_equal(b.len, 16);
  assert_string_equal(b.data, "42-ok0123456789a");
  lv_buf_cleanup(&b);
}

static void test_buf_reset_and_detach(void **state) {
  (void)state;
  lv_buf b;
  lv_buf_init(&b, 64);
  assert_int_equal(lv_buf_puts(&b, "hello"), LEVEE_OK);
  char *before = b.data;
  size_t cap = b.cap;
  lv_buf_reset(&b);
  assert_int_equal(b.len, 0);
  assert_string_equal(b.data, "");
  assert_ptr_equal(b.data, before); /* memory kept */
  assert_int_equal(b.cap, cap);
  assert_int_equal(lv_buf_puts(&b, "world"), LEVEE_OK);
  size_t len = 0;
  char *p = lv_buf_detach(&b, &len);
  assert_int_equal(len, 5);
  assert_string_equal(p, "world");
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  assert_int_equal(b.limit, 64);
  free(p);
  /* A buffer never appended to detaches as NULL and cleans up. */
  assert_null(lv_buf_detach(&b, &len));
  assert_int_equal(len, 0);
  lv_buf_reset(&b);
  lv_buf_cleanup(&b);
}

/* --- lv_arena ------------------------------------------------------------- */

static void test_arena_alignment(void **state) {
  (void)state;
  lv_arena a;
  lv_arena_init(&a, 1u << 20);
  static const size_t sizes[] = {1, 3, 15, 16, 17, 100, 1, 7, 64, 33};
  unsigned char *prev[10];
  for (size_t i = 0; i < 10; i++) {
    unsigned char *p = lv_arena_alloc(&a, sizes[i]);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    memset(p, (int)i + 1, sizes[i]);
    prev[i] = p;
  }
  /* No allocation overlaps another. */
  for (size_t i = 0; i < 10; i++)
    for (size_t k = 0; k < sizes[i]; k++)
      assert_int_equal(prev[i][k], i + 1);
  lv_arena_cleanup(&a);
}

static void test_arena_limit(void **state) {
  (void)state;
  lv_arena a;
  lv_arena_init(&a, 1024);
  assert_non_null(lv_arena_alloc(&a, 1000)); /* 1008 after rounding */
  assert_null(lv_arena_alloc(&a, 17));       /* 32 more: 1040 > 1024 */
  assert_non_null(lv_arena_alloc(&a, 16));   /* exactly 1024 */
  assert_int_equal(a.used_total, 1024);
  assert_null(lv_arena_alloc(&a, 1));
  assert_null(lv_arena_strndup(&a, "x", 1));
  lv_arena_reset(&a);
  assert_int_equal(a.used_total, 0);
  assert_non_null(lv_arena_alloc(&a, 1024));
  assert_null(lv_arena_alloc(&a, 1));
  lv_arena_reset(&a);
  /* Sizes whose rounding would wrap around are refused. */
  assert_null(lv_arena_alloc(&a, 1025));
  assert_null(lv_arena_alloc(&a, SIZE_MAX));
  assert_null(lv_arena_alloc(&a, SIZE_MAX - 7));
  assert_int_equal(a.used_total, 0);
  lv_arena_cleanup(&a);
}

static void test_arena_reset_keeps_first_chunk(void **state) {
  (void)state;
  lv_arena a;
  lv_arena_init(&a, 64u << 20);
  void *first = lv_arena_alloc(&a, 8);
  assert_non_null(first);
  /* Larger than a chunk: new chunks, each usable to its last byte. */
  for (int i = 0; i < 3; i++) {
    unsigned char *big = lv_arena_alloc(&a, 300000);
    assert_non_null(big);
    memset(big, 0xAB, 300000);
    assert_int_equal((uintptr_t)big % 16, 0);
  }
  lv_arena_reset(&a);
  assert_int_equal(a.used_total, 0);
  void *again = lv_arena_alloc(&a, 8);
  assert_ptr_equal(again, first);
  lv_arena_cleanup(&a);
  assert_null(a.head);
  /* Reset and cleanup of an arena never used. */
  lv_arena_reset(&a);
  lv_arena_cleanup(&a);
}

static void test_arena_strndup(void **state) {
  (void)state;
  lv_arena a;
  lv_arena_init(&a, 4096);
  char *s = lv_arena_strndup(&a, "机密文件xyz", 12);
  assert_non_null(s);
  assert_string_equal(s, "机密文件");
  char *e = lv_arena_strndup(&a, "ignored", 0);
  assert_non_null(e);
  assert_string_equal(e, "");
  /* Embedded NUL bytes are copied as they are. */
  char *z = lv_arena_strndup(&a, "a\0b", 3);
  assert_memory_equal(z, "a\0b\0", 4);
  lv_arena_cleanup(&a);
}

/* --- UTF-8 ---------------------------------------------------------------- */

static void decode_ok(const char *s, size_t n, int32_t want, int want_len) {
  int32_t cp = 12345;
  assert_int_equal(lv_utf8_decode((const unsigned char *)s, n, &cp), want_len);
  assert_int_equal(cp, want);
}

static void decode_bad(const char *s, size_t n) {
  int32_t cp = 12345;
  assert_int_equal(lv_utf8_decode((const unsigned char *)s, n, &cp), 1);
  assert_int_equal(cp, -1);
  assert_false(lv_utf8_valid(s, n));
}

static void test_utf8_decode_valid(void **state) {
  (void)state;
  decode_ok("A", 1, 'A', 1);
  decode_ok("\0", 1, 0, 1);
  decode_ok("\x7F", 1, 0x7F, 1);
  decode_ok("\xC2\x80", 2, 0x80, 2);
  decode_ok("\xC3\xA9", 2, 0xE9, 2);
  decode_ok("\xDF\xBF", 2, 0x7FF, 2);
  decode_ok("\xE0\xA0\x80", 3, 0x800, 3);
  decode_ok("中", 3, 0x4E2D, 3);
  decode_ok("★", 3, 0x2605, 3);
  decode_ok("\xED\x9F\xBF", 3, 0xD7FF, 3); /* just below the surrogates */
  decode_ok("\xEE\x80\x80", 3, 0xE000, 3); /* just above */
  decode_ok("\xEF\xBF\xBF", 3, 0xFFFF, 3);
  decode_ok("\xF0\x90\x80\x80", 4, 0x10000, 4);
  decode_ok("😀", 4, 0x1F600, 4);
  decode_ok("\xF4\x8F\xBF\xBF", 4, 0x10FFFF, 4);
  /* Only the first character is decoded. */
  decode_ok("中文", 6, 0x4E2D, 3);
}

static void test_utf8_decode_overlongs(void **state) {
  (void)state;
  decode_bad("\xC0\x80", 2);         /* NUL in two bytes */
  decode_bad("\xC0\xAF", 2);         /* '/' in two bytes */
  decode_bad("\xC1\xBF", 2);         /* 0x7F in two bytes */
  decode_bad("\xE0\x80\x80", 3);     /* NUL in three bytes */
  decode_bad("\xE0\x9F\xBF", 3);     /* 0x7FF in three bytes */
  decode_bad("\xF0\x80\x80\x80", 4); /* NUL in four bytes */
  decode_bad("\xF0\x8F\xBF\xBF", 4); /* 0xFFFF in four bytes */
}

static void test_utf8_decode_surrogates_and_range(void **state) {
  (void)state;
  decode_bad("\xED\xA0\x80", 3); /* U+D800 */
  decode_bad("\xED\xAD\xBF", 3); /* U+DB7F */
  decode_bad("\xED\xB0\x80", 3); /* U+DC00 */
  decode_bad("\xED\xBF\xBF", 3); /* U+DFFF */
  /* CESU-8 style pair for U+1F600 */
  decode_bad("\xED\xA0\xBD\xED\xB8\x80", 6);
  decode_bad("\xF4\x90\x80\x80", 4); /* U+110000 */
  decode_bad("\xF5\x80\x80\x80", 4);
  decode_bad("\xF7\xBF\xBF\xBF", 4);
  decode_bad("\xF8\x88\x80\x80\x80", 5);
  decode_bad("\xFE", 1);
  decode_bad("\xFF", 1);
}

static void test_utf8_decode_truncated_and_stray(void **state) {
  (void)state;
  decode_bad("\x80", 1);         /* lone continuation */
  decode_bad("\xBF", 1);         /* lone continuation */
  decode_bad("\xC3", 1);         /* truncated two-byte */
  decode_bad("\xE4\xB8", 2);     /* truncated three-byte */
  decode_bad("\xF0\x9F\x98", 3); /* truncated four-byte */
  decode_bad("\xE4\x41\xAD", 3); /* ASCII where a continuation belongs */
  decode_bad("\xC3\xC3\xA9", 3); /* lead where a continuation belongs */
  decode_bad("\xF0\x9F\x98\x41", 4);
  /* The length bound is honoured even when more bytes follow in memory. */
  decode_bad("\xE4\xB8\xAD", 2);
}

static void test_utf8_encode_round_trip(void **state) {
  (void)state;
  static const int32_t cps[] = {0,      0x41,    0x7F,    0x80,    0x7FF,
                                0x800,  0x4E2D,  0xD7FF,  0xE000,  0xFFFD,
                                0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
  static const int lens[] = {1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4};
  for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
    unsigned char out[4];
    int n = lv_utf8_encode(cps[i], out);
    assert_int_equal(n, lens[i]);
    int32_t back = -2;
    assert_int_equal(lv_utf8_decode(out, (size_t)n, &back), n);
    assert_int_equal(back, cps[i]);
  }
  unsigned char out[4];
  assert_int_equal(lv_utf8_encode(0x4E2D, out), 3);
  assert_memory_equal(out, "中", 3);
  assert_int_equal(lv_utf8_encode(0x2605, out), 3);
  assert_memory_equal(out, "★", 3);
}

static void test_utf8_floor(void **state) {
  (void)state;
  const char *s = "中文ab😀"; /* 3 + 3 + 2 + 4 = 12 bytes */
  assert_int_equal(lv_utf8_floor(s, 12), 12);
  assert_int_equal(lv_utf8_floor(s, 11), 8);
  assert_int_equal(lv_utf8_floor(s, 10), 8);
  assert_int_equal(lv_utf8_floor(s, 8), 8);
  assert_int_equal(lv_utf8_floor(s, 7), 7);
  assert_int_equal(lv_utf8_floor(s, 6), 6);
  assert_int_equal(lv_utf8_floor(s, 5), 3);
  assert_int_equal(lv_utf8_floor(s, 3), 3);
  assert_int_equal(lv_utf8_floor(s, 2), 0);
  assert_int_equal(lv_utf8_floor(s, 0), 0);
  assert_int_equal(lv_utf8_floor("abc", 2), 2);
  /* An invalid lead byte at the end counts as one (replaced) character. */
  assert_int_equal(lv_utf8_floor("ab\xFF", 3), 3);
  /* A cut sequence at the end is cut off. */
  assert_int_equal(lv_utf8_floor("a\xE4\xB8", 3), 1);
  assert_int_equal(lv_utf8_floor("a\xF0\x9F\x98", 4), 1);
  assert_int_equal(lv_utf8_floor("ab\xF0", 3), 2);
  assert_int_equal(lv_utf8_floor("\xE4", 1), 0);
  /* A stray continuation byte after a whole character stands alone. */
  assert_int_equal(lv_utf8_floor("中\x80", 4), 4);
}

static void test_utf8_valid(void **state) {
  (void)state;
  assert_true(lv_utf8_valid("", 0));
  assert_true(lv_utf8_valid("plain ascii", 11));
  assert_true(lv_utf8_valid("机密★1年 😀", strlen("机密★1年 😀")));
  assert_true(lv_utf8_valid("a\0b", 3)); /* length-delimited: NUL is fine */
  assert_false(lv_utf8_valid("ok\xC0\x80", 4));
  assert_false(lv_utf8_valid("ok\xED\xA0\x80", 5));
  assert_false(lv_utf8_valid("中\xE6\x96", 5)); /* truncated at the end */
  assert_false(lv_utf8_valid("\x80中", 4));
  assert_false(lv_utf8_valid("中文\xF4\x90\x80\x80", 10));
  /* Validity is judged within the length only. */
  assert_true(lv_utf8_valid("中\xE6\x96", 3));
}

/* --- JSON writer ---------------------------------------------------------- */

/* Escapes s[0..n) and checks the result against want (and, quoted, that
 * jansson reads it back as a valid JSON string). */
static void check_escape(const char *s, size_t n, const char *want) {
  lv_buf b;
  lv_buf_init(&b, 1u << 16);
  assert_int_equal(lv_buf_putc(&b, '"'), LEVEE_OK);
  assert_int_equal(lv_json_escape(&b, s, n), LEVEE_OK);
  assert_int_equal(lv_buf_putc(&b, '"'), LEVEE_OK);
  assert_int_equal(b.len, strlen(want) + 2);
  assert_memory_equal(b.data + 1, want, strlen(want));
  assert_true(lv_utf8_valid(b.data, b.len));
  json_error_t jerr;
  json_t *j =
      json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
  assert_non_null(j);
  assert_true(json_is_string(j));
  json_decref(j);
  lv_buf_cleanup(&b);
}

static void test_json_escape_specials(void **state) {
  (void)state;
  check_escape("plain", 5, "plain");
  check_escape("", 0, "");
  check_escape("say \"hi\"", 8, "say \\\"hi\\\"");
  check_escape("C:\\dir", 6, "C:\\\\dir");
  check_escape("a/b", 3, "a/b");
  check_escape("\n\r\t\b\f", 5, "\\n\\r\\t\\b\\f");
  check_escape("\x01\x1f", 2, "\\u0001\\u001f");
  check_escape("a\0b", 3, "a\\u0000b");
  check_escape("\x7f", 1, "\x7f"); /* DEL needs no escape in JSON */
  check_escape("\x1b[31m", 5, "\\u001b[31m");
}

static void test_json_escape_utf8(void **state) {
  (void)state;
  /* Valid UTF-8 passes through as is. */
  check_escape("机密★1年😀", strlen("机密★1年😀"), "机密★1年😀");
  /* Each invalid byte becomes U+FFFD. */
  check_escape("\xFF", 1, "\xEF\xBF\xBD");
  check_escape("ab\xC3", 3, "ab\xEF\xBF\xBD");
  check_escape("\xC0\x80", 2, "\xEF\xBF\xBD\xEF\xBF\xBD");
  check_escape("\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  check_escape("\xE4\xB8x", 3, "\xEF\xBF\xBD\xEF\xBF\xBDx");
  check_escape("中\x80文", 7, "中\xEF\xBF\xBD文");
  check_escape("\xF4\x90\x80\x80\"", 5,
               "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\\\"");
}

static void test_json_writer_document(void **state) {
  (void)state;
  lv_buf b;
  lv_buf_init(&b, 4096);
  lv_jw w;
  lv_jw_init(&w, &b);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "id");
  lv_jw_cstring(&w, "e\"1");
  lv_jw_key(&w, "n");
  lv_jw_int(&w, INT64_MIN);
  lv_jw_key(&w, "flags");
  lv_jw_array_begin(&w);
  lv_jw_bool(&w, 1);
  lv_jw_bool(&w, 0);
  lv_jw_null(&w);
  lv_jw_array_end(&w);
  lv_jw_key(&w, "x");
  lv_jw_double(&w, 0.875, 2);
  lv_jw_key(&w, "nan");
  lv_jw_double(&w, NAN, 1);
  lv_jw_key(&w, "empty");
  lv_jw_object_begin(&w);
  lv_jw_object_end(&w);
  lv_jw_key(&w, "nest");
  lv_jw_array_begin(&w);
  lv_jw_array_begin(&w);
  lv_jw_array_end(&w);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "k\n");
  lv_jw_string(&w, "a\0b", 3);
  lv_jw_object_end(&w);
  lv_jw_array_end(&w);
  lv_jw_object_end(&w);
  assert_int_equal(lv_jw_status(&w), LEVEE_OK);
  assert_string_equal(b.data,
                      "{\"id\":\"e\\\"1\",\"n\":-9223372036854775808,"
                      "\"flags\":[true,false,null],\"x\":0.88,\"nan\":0.0,"
                      "\"empty\":{},\"nest\":[[],{\"k\\n\":\"a\\u0000b\"}]}");
  json_error_t jerr;
  json_t *j = json_loadb(b.data, b.len, JSON_ALLOW_NUL, &jerr);
  assert_non_null(j);
  assert_int_equal(json_integer_value(json_object_get(j, "n")), INT64_MIN);
  json_decref(j);
  lv_buf_cleanup(&b);
}

static void test_json_writer_limits(void **state) {
  (void)state;
  /* Nesting past the writer's depth is an error, not an overflow. */
  lv_buf b;
  lv_buf_init(&b, 4096);
  lv_jw w;
  lv_jw_init(&w, &b);
  for (int i = 0; i < 10; i++)
    lv_jw_array_begin(&w);
  assert_int_equal(lv_jw_status(&w), LEVEE_OK);
  for (int i = 0; i < 40; i++)
    lv_jw_array_begin(&w);
  assert_int_equal(lv_jw_status(&w), LEVEE_ETOOBIG);
  lv_buf_cleanup(&b);

  /* The buffer's limit: the first error sticks, later calls do nothing. */
  lv_buf_init(&b, 10);
  lv_jw_init(&w, &b);
  lv_jw_array_begin(&w);
  lv_jw_cstring(&w, "this is longer than ten bytes");
  assert_int_equal(lv_jw_status(&w), LEVEE_ETOOBIG);
  size_t len = b.len;
  lv_jw_int(&w, 1);
  lv_jw_array_end(&w);
  assert_int_equal(b.len, len);
  assert_int_equal(lv_jw_status(&w), LEVEE_ETOOBIG);
  lv_buf_cleanup(&b);
}

static void test_error_set(void **state) {
  (void)state;
  levee_error err = {0};
  assert_int_equal(lv_error_set(&err, LEVEE_ESYNTAX, "line %d: %s", 7, "bad"),
                   LEVEE_ESYNTAX);
  assert_int_equal(err.status, LEVEE_ESYNTAX);
  assert_string_equal(err.message, "line 7: bad");
  assert_int_equal(lv_error_set(NULL, LEVEE_EIO, "x"), LEVEE_EIO);
  /* Long messages are cut, not overflowed. */
  char longs[600];
  memset(longs, 'x', sizeof longs - 1);
  longs[sizeof longs - 1] = '\0';
  lv_error_set(&err, LEVEE_EINVAL, "%s", longs);
  assert_int_equal(strlen(err.message), sizeof err.message - 1);
  assert_string_equal(levee_strerror(LEVEE_OK), "success");
  assert_string_equal(levee_strerror(LEVEE_EMISSING), "required field missing");
  assert_string_equal(levee_strerror(-999), "unknown error");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_buf_append_and_limit),
      cmocka_unit_test(test_buf_reserve_overflow),
      cmocka_unit_test(test_buf_grows),
      cmocka_unit_test(test_buf_printf),
      cmocka_unit_test(test_buf_reset_and_detach),
      cmocka_unit_test(test_arena_alignment),
      cmocka_unit_test(test_arena_limit),
      cmocka_unit_test(test_arena_reset_keeps_first_chunk),
      cmocka_unit_test(test_arena_strndup),
      cmocka_unit_test(test_utf8_decode_valid),
      cmocka_unit_test(test_utf8_decode_overlongs),
      cmocka_unit_test(test_utf8_decode_surrogates_and_range),
      cmocka_unit_test(test_utf8_decode_truncated_and_stray),
      cmocka_unit_test(test_utf8_encode_round_trip),
      cmocka_unit_test(test_utf8_floor),
      cmocka_unit_test(test_utf8_valid),
      cmocka_unit_test(test_json_escape_specials),
      cmocka_unit_test(test_json_escape_utf8),
      cmocka_unit_test(test_json_writer_document),
      cmocka_unit_test(test_json_writer_limits),
      cmocka_unit_test(test_error_set),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
