/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_text_decode.c: plain-text files and MIME charsets to UTF-8
 * (src/ingest/text_decode.c). Byte samples were produced with Python's
 * codecs (utf-16-le, utf-16-be, gb18030, gbk) and are checked against the
 * UTF-8 of the same strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "extract/text_decode.h"
#include "util/limits.h"

static lv_arena arena;

static int setup(void **state) {
  lv_arena_init(&arena, LV_MAX_ARENA_BYTES);
  return 0;
}

static int teardown(void **state) {
  lv_arena_cleanup(&arena);
  return 0;
}

#define assert_text(s, want)                                                   \
  do {                                                                         \
    levee_str s_ = (s);                                                        \
    const char *w_ = (want);                                                   \
    if (!s_.ptr || s_.len != strlen(w_) || memcmp(s_.ptr, w_, s_.len)) {       \
      fprintf(stderr, "got [%.*s] (%zu bytes), want [%s]\n",                   \
              s_.ptr ? (int)s_.len : 6, s_.ptr ? s_.ptr : "(null)", s_.len,    \
              w_);                                                             \
      fail();                                                                  \
    }                                                                          \
  } while (0)

/* Decodes b[0..n) and checks text and encoding. */
static void decode_ok(const char *b, size_t n, const char *want_text,
                      const char *want_enc) {
  levee_str out = {NULL, 0};
  const char *enc = NULL;
  levee_error err = {0, ""};
  lv_arena_reset(&arena);
  int rc = lv_text_decode(b, n, &arena, &out, &enc, &err);
  if (rc)
    fprintf(stderr, "rc %d: %s\n", rc, err.message);
  assert_int_equal(rc, LEVEE_OK);
  assert_text(out, want_text);
  assert_string_equal(enc, want_enc);
}

static void decode_fails(const char *b, size_t n, int want_rc) {
  levee_str out = {"untouched", 9};
  const char *enc = "untouched";
  levee_error err = {0, ""};
  lv_arena_reset(&arena);
  assert_int_equal(lv_text_decode(b, n, &arena, &out, &enc, &err), want_rc);
  assert_int_equal(err.status, want_rc);
  /* OUT parameters are written only on success. */
  assert_string_equal(enc, "untouched");
  assert_int_equal(out.len, 9);
}

static void test_utf8_borrowed(void **state) {
  const char *s = "会议纪要：下周一 9:00 开会\n";
  levee_str out;
  const char *enc;
  assert_int_equal(lv_text_decode(s, strlen(s), &arena, &out, &enc, NULL),
                   LEVEE_OK);
  assert_ptr_equal(out.ptr, s); /* valid UTF-8 is not copied */
  assert_int_equal(out.len, strlen(s));
  assert_string_equal(enc, "utf-8");
}

static void test_utf8_bom(void **state) {
  static const char b[] = "\xef\xbb\xbf"
                          "绝密★启用前";
  levee_str out;
  const char *enc;
  assert_int_equal(lv_text_decode(b, sizeof b - 1, &arena, &out, &enc, NULL),
                   LEVEE_OK);
  assert_ptr_equal(out.ptr, b + 3);
  assert_text(out, "绝密★启用前");
  assert_string_equal(enc, "utf-8");
}

static void test_utf8_bom_repairs_bad_bytes(void **state) {
  static const char b[] = "\xef\xbb\xbf"
                          "ab\xff"
                          "c";
  decode_ok(b, sizeof b - 1,
            "ab\xef\xbf\xbd"
            "c",
            "utf-8");
}

static void test_empty(void **state) {
  decode_ok("", 0, "", "utf-8");
}

static void test_utf16le_bom(void **state) {
  /* BOM + "保密 memo\n" */
  static const char b[] = "\xff\xfe\xdd\x4f\xc6\x5b\x20\x00\x6d\x00\x65\x00"
                          "\x6d\x00\x6f\x00\x0a\x00";
  decode_ok(b, sizeof b - 1, "保密 memo\n", "utf-16le");
}

static void test_utf16be_bom(void **state) {
  static const char b[] = "\xfe\xff\x4f\xdd\x5b\xc6\x00\x20\x00\x6d\x00\x65"
                          "\x00\x6d\x00\x6f\x00\x0a";
  decode_ok(b, sizeof b - 1, "保密 memo\n", "utf-16be");
}

static void test_utf16_surrogates(void **state) {
  /* U+20000 as a pair, then a lone high surrogate and an odd last byte. */
  static const char b[] = "\xff\xfe\x40\xd8\x00\xdc\x41\x00\x00\xd8\x42\x00"
                          "\x7a";
  decode_ok(b, sizeof b - 1,
            "\xf0\xa0\x80\x80"
            "A\xef\xbf\xbd"
            "B\xef\xbf\xbd",
            "utf-16le");
}

static void test_utf16le_without_bom(void **state) {
  /* "Hello, world\r\n" */
  static const char b[] = "\x48\x00\x65\x00\x6c\x00\x6c\x00\x6f\x00\x2c\x00"
                          "\x20\x00\x77\x00\x6f\x00\x72\x00\x6c\x00\x64\x00"
                          "\x0d\x00\x0a\x00";
  decode_ok(b, sizeof b - 1, "Hello, world\r\n", "utf-16le");
}

static void test_utf16be_without_bom_chinese(void **state) {
  /* "保密 memo\n": zeros only at even offsets. */
  static const char b[] = "\x4f\xdd\x5b\xc6\x00\x20\x00\x6d\x00\x65\x00\x6d"
                          "\x00\x6f\x00\x0a";
  decode_ok(b, sizeof b - 1, "保密 memo\n", "utf-16be");
}

static void test_gb18030(void **state) {
  /* "【内部资料 严禁外传】\n" in GBK/GB18030 */
  static const char b[] = "\xa1\xbe\xc4\xda\xb2\xbf\xd7\xca\xc1\xcf\x20\xd1"
                          "\xcf\xbd\xfb\xcd\xe2\xb4\xab\xa1\xbf\x0a";
  decode_ok(b, sizeof b - 1, "【内部资料 严禁外传】\n", "gb18030");
}

static void test_gb18030_four_byte(void **state) {
  /* "朱镕基" (镕 is GBK, not GB2312), "€" and U+20000 (a 4-byte sequence). */
  static const char b[] = "\xd6\xec\xe9\x46\xbb\xf9\xa2\xe3\x95\x32\x82\x36";
  decode_ok(b, sizeof b - 1, "朱镕基€\xf0\xa0\x80\x80", "gb18030");
}

static void test_binary_png(void **state) {
  static const char b[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x01"
                          "\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00";
  decode_fails(b, sizeof b - 1, LEVEE_EENCODING);
  levee_str out;
  const char *enc;
  levee_error err;
  assert_int_equal(lv_text_decode(b, sizeof b - 1, &arena, &out, &enc, &err),
                   LEVEE_EENCODING);
  assert_string_equal(err.message,
                      "not text: binary or unsupported encoding; office and "
                      "image formats come with attachment support");
}

static void test_binary_no_nul(void **state) {
  /* Invalid in UTF-8 and GB18030 alike (0x80 and 0xFF never start a
   * character). */
  static const char b[] = "\x80\xff\xfe\x80\x81";
  decode_fails(b, sizeof b - 1, LEVEE_EENCODING);
  /* Valid GB18030 but with control bytes text files do not have. */
  static const char c[] = "\x01\x02\x03\xb0\xa1\x04";
  decode_fails(c, sizeof c - 1, LEVEE_EENCODING);
}

static void test_nul_in_utf8(void **state) {
  /* NULs at both parities: neither text nor UTF-16. */
  static const char b[] = "ab\x00\x00"
                          "cd";
  decode_fails(b, sizeof b - 1, LEVEE_EENCODING);
  /* Zeros at one parity, but an odd length: not UTF-16. */
  static const char c[] = "a\x00"
                          "b\x00"
                          "c";
  decode_fails(c, sizeof c - 1, LEVEE_EENCODING);
}

static void test_too_big(void **state) {
  /* Checked before any byte is read. */
  static const char b[] = "x";
  decode_fails(b, (size_t)LV_MAX_FILE_BYTES + 1, LEVEE_ETOOBIG);
}

static void convert_ok(const char *charset, const char *b, size_t n,
                       const char *want) {
  levee_str out = {NULL, 0};
  levee_error err = {0, ""};
  int rc = lv_text_convert(charset, b, n, &arena, &out, &err);
  if (rc)
    fprintf(stderr, "rc %d: %s\n", rc, err.message);
  assert_int_equal(rc, LEVEE_OK);
  assert_text(out, want);
}

static void test_convert_labels(void **state) {
  static const char gbk[] = "\xd6\xec\xe9\x46\xbb\xf9"; /* 朱镕基 */
  /* gb2312-labelled mail routinely holds GBK characters. */
  convert_ok("gb2312", gbk, 6, "朱镕基");
  convert_ok("GBK", gbk, 6, "朱镕基");
  convert_ok("x-gbk", gbk, 6, "朱镕基");
  /* Unlabelled and unknown labels are guessed. */
  convert_ok(NULL, gbk, 6, "朱镕基");
  convert_ok("x-unknown-charset", gbk, 6, "朱镕基");
  /* A label with iconv suffixes is not passed to iconv. */
  convert_ok("utf-8//IGNORE", "ok", 2, "ok");
  /* A real other charset through iconv. */
  convert_ok("iso-8859-1", "caf\xe9", 4, "café");
  convert_ok("big5", "\xa4\xa4\xa4\xe5", 4, "中文");
  /* Bad bytes in a declared charset become U+FFFD, conversion goes on. */
  convert_ok("gb18030", "\xb0\xa1\xff\xb0\xa1", 5, "啊\xef\xbf\xbd啊");
  /* Labelled UTF-8 that is valid is borrowed. */
  levee_str out;
  const char *s = "纯文本";
  assert_int_equal(lv_text_convert("UTF-8", s, strlen(s), &arena, &out, NULL),
                   LEVEE_OK);
  assert_ptr_equal(out.ptr, s);
  /* Neither UTF-8 nor GB18030: repaired. */
  convert_ok(NULL, "a\x80z", 3, "a\xef\xbf\xbdz");
}

static void test_demo_memo(void **state) {
  FILE *f = fopen("demo/memo-gb18030.txt", "rb");
  assert_non_null(f);
  static char buf[4096];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  decode_ok(
      buf, n,
      "【内部资料 严禁外传】\r\n"
      "关于第三季度门店价格调整的内部备忘\r\n"
      "\r\n"
      "一、自7月1日起，会员卡年费由1280元调整为1480元，老会员续费仍按原价。\r\n"
      "二、新价格表在公告前不得向顾客透露，不得拍照外发。\r\n"
      "三、如有疑问，请联系运营部。\r\n"
      "\r\n"
      "运营部  2024年6月20日\r\n",
      "gb18030");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_utf8_borrowed),
      cmocka_unit_test(test_utf8_bom),
      cmocka_unit_test(test_utf8_bom_repairs_bad_bytes),
      cmocka_unit_test(test_empty),
      cmocka_unit_test(test_utf16le_bom),
      cmocka_unit_test(test_utf16be_bom),
      cmocka_unit_test(test_utf16_surrogates),
      cmocka_unit_test(test_utf16le_without_bom),
      cmocka_unit_test(test_utf16be_without_bom_chinese),
      cmocka_unit_test(test_gb18030),
      cmocka_unit_test(test_gb18030_four_byte),
      cmocka_unit_test(test_binary_png),
      cmocka_unit_test(test_binary_no_nul),
      cmocka_unit_test(test_nul_in_utf8),
      cmocka_unit_test(test_too_big),
      cmocka_unit_test(test_convert_labels),
      cmocka_unit_test(test_demo_memo),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
