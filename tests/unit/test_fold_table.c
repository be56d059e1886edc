/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fold_table.c: differential test of the generated fold table.
 *
 * For every code point except the surrogates, the table's fold
 * (lv_norm_fold) must equal what the real libraries compute at test time:
 * utf8proc_NFKC_Casefold() and then OpenCC with only the TSCharacters
 * dictionary (the same chain tools/gen_fold.c uses, built here
 * independently). OpenCC is called only when the NFKC result holds a
 * character from the Han blocks: every key of TSCharacters is a single Han
 * character (U+346E..U+2B726 in OpenCC 1.1.6), so any other text is left
 * unchanged by it. That keeps the test to a few seconds under ASan.
 *
 * The dictionary is /usr/share/opencc/TSCharacters.ocd2 (Debian's
 * libopencc-data) unless LEVEE_OPENCC_TS_DICT names another.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <opencc.h>
#include <utf8proc.h>

#include "core/normalize.h"
#include "levee/levee.h"
#include "util/utf8.h"

static int is_han(int32_t cp) {
  return (cp >= 0x2E80 && cp <= 0x2FDF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0x20000 && cp <= 0x3FFFF);
}

static int has_han(const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    int32_t cp;
    int k = lv_utf8_decode(s + i, n - i, &cp);
    if (cp >= 0 && is_han(cp))
      return 1;
    i += (size_t)k;
  }
  return 0;
}

/* Opens OpenCC with a configuration chaining only TSCharacters. */
static opencc_t open_ts(void) {
  const char *dict = getenv("LEVEE_OPENCC_TS_DICT");
  if (!dict)
    dict = "/usr/share/opencc/TSCharacters.ocd2";
  char path[] = "/tmp/levee_test_ts_XXXXXX.json";
  int fd = mkstemps(path, 5);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  assert_non_null(f);
  fprintf(f,
          "{\"name\":\"TSCharacters\",\"segmentation\":{\"type\":\"mmseg\","
          "\"dict\":{\"type\":\"ocd2\",\"file\":\"%s\"}},"
          "\"conversion_chain\":[{\"dict\":{\"type\":\"ocd2\",\"file\":\"%s\"}}"
          "]}\n",
          dict, dict);
  assert_int_equal(fclose(f), 0);
  opencc_t cc = opencc_open(path);
  unlink(path);
  if (cc == (opencc_t)-1)
    fail_msg("opencc_open(%s): %s", dict, opencc_error());
  return cc;
}

static void print_bytes(const char *what, const unsigned char *s, size_t n) {
  fprintf(stderr, "  %s:", what);
  for (size_t i = 0; i < n; i++)
    fprintf(stderr, " %02x", s[i]);
  fprintf(stderr, "\n");
}

static void test_every_code_point(void **state) {
  (void)state;
  opencc_t cc = open_ts();
  size_t mismatches = 0, checked = 0, converted = 0, changed = 0;
  for (int32_t cp = 0; cp <= 0x10FFFF; cp++) {
    if (cp >= 0xD800 && cp <= 0xDFFF)
      continue;
    unsigned char enc[5] = {0};
    int n = lv_utf8_encode(cp, enc);

    /* Expected: NFKC_Casefold, then TSCharacters. U+0000 cannot go through
     * the NUL-terminated API; it is unchanged by both. */
    unsigned char *nf = NULL;
    size_t nflen = 1;
    if (cp != 0) {
      nf = utf8proc_NFKC_Casefold(enc);
      assert_non_null(nf);
      nflen = strlen((const char *)nf);
    }
    const unsigned char *want = cp ? nf : enc;
    size_t wantlen = nflen;
    char *ts = NULL;
    if (has_han(want, wantlen)) {
      ts = opencc_convert_utf8(cc, (const char *)want, wantlen);
      assert_non_null(ts);
      want = (const unsigned char *)ts;
      wantlen = strlen(ts);
      converted++;
    }

    char got[LV_NORM_FOLD_MAX];
    size_t gotlen = lv_norm_fold(cp, got);
    if (gotlen != wantlen || memcmp(got, want, gotlen) != 0) {
      if (mismatches < 10) {
        fprintf(stderr, "U+%04X:\n", (unsigned)cp);
        print_bytes("table   ", (const unsigned char *)got, gotlen);
        print_bytes("expected", want, wantlen);
      }
      mismatches++;
    }
    changed += wantlen != (size_t)n || memcmp(want, enc, wantlen) != 0;
    checked++;
    if (ts)
      opencc_convert_utf8_free(ts);
    free(nf);
  }
  opencc_close(cc);
  fprintf(stderr,
          "checked %zu code points, %zu through OpenCC, %zu change, %zu "
          "mismatches\n",
          checked, converted, changed, mismatches);
  assert_int_equal(checked, 0x110000 - 0x800);
  assert_true(changed > 10000); /* the comparison has something to compare */
  assert_int_equal(mismatches, 0);
}

/* The normalizer's own paths (ASCII table, the bitmap of plain CJK, inline
 * and pooled folds) must agree with the fold: a code point alone normalizes
 * to its fold when the fold holds no separator, and to nothing when it is
 * all separators (no word on either side). */
static void test_normalize_agrees_with_fold(void **state) {
  (void)state;
  lv_norm n;
  lv_norm_init(&n);
  size_t compared = 0;
  for (int32_t cp = 0; cp <= 0x10FFFF; cp++) {
    if (cp >= 0xD800 && cp <= 0xDFFF)
      continue;
    unsigned char enc[4];
    int len = lv_utf8_encode(cp, enc);
    char fold[LV_NORM_FOLD_MAX];
    size_t flen = lv_norm_fold(cp, fold);
    size_t ncp = 0, nsep = 0;
    for (size_t i = 0; i < flen;) {
      int32_t c;
      i +=
          (size_t)lv_utf8_decode((const unsigned char *)fold + i, flen - i, &c);
      assert_true(c >= 0);
      ncp++;
      nsep += lv_char_class_of(c) == LV_CC_SEP;
    }
    if (nsep > 0 && nsep < ncp)
      continue; /* separators and text: the rule cuts inside the fold */
    assert_int_equal(lv_normalize(&n, (const char *)enc, (size_t)len),
                     LEVEE_OK);
    size_t want = nsep ? 0 : flen;
    if (n.len != want || memcmp(n.text, fold, want) != 0)
      fail_msg("U+%04X normalizes to %zu bytes, its fold has %zu", (unsigned)cp,
               n.len, want);
    compared++;
  }
  lv_norm_cleanup(&n);
  assert_true(compared > 1100000);
}

static void test_surrogates_fold_to_replacement(void **state) {
  (void)state;
  char out[LV_NORM_FOLD_MAX];
  for (int32_t cp = 0xD800; cp <= 0xDFFF; cp += 0x7F) {
    assert_int_equal(lv_norm_fold(cp, out), 3);
    assert_memory_equal(out, "\xef\xbf\xbd", 3);
  }
  assert_int_equal(lv_norm_fold(0x110000, out), 3);
  assert_int_equal(lv_norm_fold(-5, out), 3);
}

static void test_known_folds(void **state) {
  (void)state;
  static const struct {
    int32_t cp;
    const char *want;
  } cases[] = {
      {'A', "a"},     {0xFF21, "a"},  {0x9577, "长"}, {0x7D55, "绝"},
      {0x3000, " "},  {0x200B, ""},   {0xFEFF, ""},   {0x2060, ""},
      {0x2103, "°c"}, {0x2460, "1"},  {0xFB01, "fi"}, {0x00DF, "ss"},
      {0x2605, "★"},  {0x4E2D, "中"}, {0x962A, "阪"}, {0x337B, "平成"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char out[LV_NORM_FOLD_MAX];
    size_t n = lv_norm_fold(cases[i].cp, out);
    assert_int_equal(n, strlen(cases[i].want));
    assert_memory_equal(out, cases[i].want, n);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_known_folds),
      cmocka_unit_test(test_surrogates_fold_to_replacement),
      cmocka_unit_test(test_every_code_point),
      cmocka_unit_test(test_normalize_agrees_with_fold),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
