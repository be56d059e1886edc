/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_normalize.c: the normalizer's rules (NFKC + case folding, Traditional
 * -> Simplified, zero-width removal, the separator rule, U+FFFD for invalid
 * bytes), its offset map back to the original text, and its limits. The
 * per-code-point fold table is compared with utf8proc and OpenCC in
 * test_fold_table.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/normalize.h"
#include "levee/levee.h"
#include "util/limits.h"
#include "util/utf8.h"

/* Normalizes in and checks the text, the map's end and UTF-8 validity. */
static void check_norm(const char *in, const char *want) {
  lv_norm n;
  lv_norm_init(&n);
  size_t len = strlen(in);
  assert_int_equal(lv_normalize(&n, in, len), LEVEE_OK);
  assert_string_equal(n.text, want);
  assert_int_equal(n.len, strlen(want));
  assert_int_equal(lv_norm_map(&n)[n.len], len);
  assert_int_equal(n.orig_len, len);
  assert_true(lv_utf8_valid(n.text, n.len));
  lv_norm_cleanup(&n);
}

static void test_secret_marking_with_spaces(void **state) {
  (void)state;
  check_norm("秘 密 ★ 1 年", "秘密★1年");
  check_norm("绝  密 ★ 长 期", "绝密★长期");
}

static void test_traditional_to_simplified(void **state) {
  (void)state;
  check_norm("絕密★長期", "绝密★长期");
  check_norm("機密文件請勿外傳", "机密文件请勿外传");
  /* 阪 has two candidates in TSCharacters (阪 坂); the first is kept. */
  check_norm("大阪", "大阪");
}

static void test_zero_width_removed(void **state) {
  (void)state;
  check_norm("绝\u200d密", "绝密");
  check_norm("绝\u200b密", "绝密");
  check_norm("绝\u200c密", "绝密");
  check_norm("绝\ufeff密", "绝密");
  check_norm("绝\u2060密", "绝密");
  check_norm("\ufeff机\u00ad密", "机密"); /* BOM, soft hyphen */
  /* A zero-width character neither starts nor ends a separator run. */
  check_norm("pass\u200bword", "password");
  check_norm("pass\u200b word", "pass word");
}

static void test_full_width_to_ascii(void **state) {
  (void)state;
  check_norm("ＣＯＮＦＩＤＥＮＴＩＡＬ", "confidential");
  check_norm("卡号：６２２２　０２０２", "卡号6222 0202");
  check_norm("ｓａｌａｒｙ　ｂａｎｄｓ", "salary bands");
}

static void test_case_folding(void **state) {
  (void)state;
  check_norm("Salary BANDS", "salary bands");
  check_norm("STRAẞE Straße", "strasse strasse");
  check_norm("ΣΊΣΥΦΟΣ", "σίσυφοσ");
}

static void test_ideographic_space_in_cjk(void **state) {
  (void)state;
  check_norm("机\u3000密", "机密");
  check_norm("\u3000\u3000机密\u3000", "机密");
}

static void test_separators_in_cjk_words(void **state) {
  (void)state;
  check_norm("傻*逼", "傻逼");
  check_norm("傻_逼", "傻逼");
  check_norm("傻.逼", "傻逼");
  check_norm("傻 逼", "傻逼");
  check_norm("傻-逼", "傻逼");
  check_norm("傻＊逼", "傻逼");        /* full-width asterisk */
  check_norm("傻 ， 。逼", "傻逼");    /* a run of mixed separators */
  check_norm("傻\t\r\n逼", "傻逼");    /* whitespace controls */
  check_norm("「机密」", "机密");      /* CJK brackets at both ends */
  check_norm("飞・单", "飞单");        /* katakana middle dot */
  check_norm("卡号 6222", "卡号6222"); /* CJK on one side only */
  check_norm("6222 卡号", "6222卡号");
}

static void test_separators_between_words_kept(void **state) {
  (void)state;
  check_norm("salary bands", "salary bands");
  check_norm("a.b@c.com", "a.b@c.com");
  check_norm("6222 0202", "6222 0202");
  check_norm("6222-0202-1234", "6222-0202-1234");
  check_norm("Hello, world", "hello, world");
  check_norm("naïve café", "naïve café");
  /* Leading and trailing runs have no word on one side. */
  check_norm("  hello world. ", "hello world");
  check_norm("...", "");
}

static void test_whitespace_collapsed_between_words(void **state) {
  (void)state;
  check_norm("PROJECT  AURORA", "project aurora");
  check_norm("project\t\taurora", "project aurora");
  check_norm("a \n b", "a b");
  check_norm("a. b", "a. b"); /* punctuation in a run is kept as written */
  check_norm("6222  0202", "6222 0202");
}

static void test_symbols_kept(void **state) {
  (void)state;
  check_norm("★☆", "★☆");
  check_norm("36℃", "36°c");
  check_norm("a + b", "a+b"); /* + is a symbol, so neither run has two words */
  check_norm("价格 $100", "价格$100");
}

static void test_mixed_folds(void **state) {
  (void)state;
  /* ⑴ folds to "(1)": the rule applies inside the fold too. */
  check_norm("第⑴条", "第1条");
  check_norm("x⑴y", "x(1)y");
  check_norm("㍻", "平成");
  check_norm("ﬁle", "file");
}

/* Checks that the normalized span [off, end) maps back to want in orig. */
static void check_span(const lv_norm *n, size_t off, size_t end,
                       const char *want_norm, const char *want_orig) {
  assert_true(end <= n->len);
  assert_int_equal(end - off, strlen(want_norm));
  assert_memory_equal(n->text + off, want_norm, end - off);
  size_t os = lv_norm_orig_start(n, off), oe = lv_norm_orig_end(n, end);
  assert_true(os <= oe && oe <= n->orig_len);
  assert_int_equal(oe - os, strlen(want_orig));
  assert_memory_equal(n->orig + os, want_orig, oe - os);
}

static void test_offsets_multibyte(void **state) {
  (void)state;
  const char *in = "絕 密★Ａ";
  lv_norm n;
  lv_norm_init(&n);
  assert_int_equal(lv_normalize(&n, in, strlen(in)), LEVEE_OK);
  assert_string_equal(n.text, "绝密★a");
  check_span(&n, 0, 3, "绝", "絕");
  check_span(&n, 3, 6, "密", "密");
  check_span(&n, 0, 6, "绝密", "絕 密"); /* the dropped space inside */
  check_span(&n, 6, 9, "★", "★");
  check_span(&n, 9, 10, "a", "Ａ");
  check_span(&n, 0, 10, "绝密★a", in);
  /* Offsets inside a character map to its start and end. */
  assert_int_equal(lv_norm_orig_start(&n, 4), 4);
  assert_int_equal(lv_norm_orig_end(&n, 5), 7);
  assert_int_equal(lv_norm_orig_start(&n, n.len), strlen(in));
  lv_norm_cleanup(&n);
}

static void test_offsets_dropped_characters(void **state) {
  (void)state;
  lv_norm n;
  lv_norm_init(&n);
  const char *in = "A\u200bB 卡号：６２２２。";
  assert_int_equal(lv_normalize(&n, in, strlen(in)), LEVEE_OK);
  assert_string_equal(n.text, "ab卡号6222");
  check_span(&n, 1, 2, "b", "B");
  check_span(&n, 0, 2, "ab", "A\u200bB");
  check_span(&n, 2, 8, "卡号", "卡号");
  check_span(&n, 8, 12, "6222", "６２２２");
  check_span(&n, 1, 12, "b卡号6222", "B 卡号：６２２２");
  /* The trailing 。 is dropped: the last character ends before it. */
  assert_int_equal(lv_norm_orig_end(&n, n.len), strlen(in) - 3);
  assert_int_equal(lv_norm_map(&n)[n.len], strlen(in));

  /* One code point that grows: every byte maps to its start. */
  const char *lig = "xﬁ";
  assert_int_equal(lv_normalize(&n, lig, strlen(lig)), LEVEE_OK);
  assert_string_equal(n.text, "xfi");
  check_span(&n, 2, 3, "i", "ﬁ");
  check_span(&n, 1, 3, "fi", "ﬁ");
  lv_norm_cleanup(&n);
}

static void test_invalid_utf8(void **state) {
  (void)state;
  static const struct {
    const char *in, *want;
  } cases[] = {
      {"a\xff\xfe"
       "b",
       "a\xef\xbf\xbd\xef\xbf\xbd"
       "b"},
      {"\xe4\xb8", "\xef\xbf\xbd\xef\xbf\xbd"}, /* truncated 中 */
      {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong / */
      {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate */
      {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {"机\x80密", "机\xef\xbf\xbd密"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    check_norm(cases[i].in, cases[i].want);

  lv_norm n;
  lv_norm_init(&n);
  const char *in = "a\xff"
                   "b";
  assert_int_equal(lv_normalize(&n, in, 3), LEVEE_OK);
  check_span(&n, 1, 4, "\xef\xbf\xbd", "\xff");
  lv_norm_cleanup(&n);
}

static void test_empty_input(void **state) {
  (void)state;
  lv_norm n;
  lv_norm_init(&n);
  assert_int_equal(lv_normalize(&n, "", 0), LEVEE_OK);
  assert_int_equal(n.len, 0);
  assert_string_equal(n.text, "");
  assert_int_equal(lv_norm_map(&n)[0], 0);
  assert_int_equal(lv_norm_orig_start(&n, 0), 0);
  assert_int_equal(lv_normalize(&n, NULL, 0), LEVEE_OK);
  assert_int_equal(n.len, 0);
  /* Only separators and zero-width characters: nothing left. */
  assert_int_equal(lv_normalize(&n, " \u200b\u3000 ", 8), LEVEE_OK);
  assert_int_equal(n.len, 0);
  assert_int_equal(lv_norm_map(&n)[0], 8);
  lv_norm_cleanup(&n);
}

static void test_limits(void **state) {
  (void)state;
  lv_norm n;
  lv_norm_init(&n);
  size_t big = LV_MAX_TEXT_BYTES + 1;
  char *buf = malloc(big);
  assert_non_null(buf);
  memset(buf, 'a', big);
  assert_int_equal(lv_normalize(&n, buf, big), LEVEE_ETOOBIG);
  assert_int_equal(n.len, 0);
  assert_int_equal(lv_normalize(&n, buf, big - 1), LEVEE_OK);
  assert_int_equal(n.len, big - 1);
  assert_int_equal(lv_norm_map(&n)[n.len - 1], big - 2);

  /* U+FDFA (3 bytes) folds to 33: a text of nothing else outgrows
   * LV_NORM_MAX_GROWTH and is refused; one of them is fine. */
  size_t reps = 1000;
  for (size_t i = 0; i < reps; i++)
    memcpy(buf + 3 * i, "\xef\xb7\xba", 3);
  assert_int_equal(lv_normalize(&n, buf, 3 * reps), LEVEE_ETOOBIG);
  assert_int_equal(n.len, 0);
  assert_string_equal(n.text, ""); /* a failed call leaves an empty text */
  assert_int_equal(lv_norm_orig_end(&n, 0), 0);
  assert_int_equal(lv_normalize(&n, buf, 3), LEVEE_OK);
  assert_int_equal(n.len, 33);
  free(buf);
  lv_norm_cleanup(&n);
  lv_norm_cleanup(NULL);
}

static void test_buffer_reuse(void **state) {
  (void)state;
  lv_norm n;
  lv_norm_init(&n);
  char *long_in = malloc(30000);
  assert_non_null(long_in);
  for (size_t i = 0; i < 10000; i++)
    memcpy(long_in + 3 * i, "機", 3);
  assert_int_equal(lv_normalize(&n, long_in, 30000), LEVEE_OK);
  assert_int_equal(n.len, 30000);
  assert_memory_equal(n.text + 29997, "机", 3);
  assert_int_equal(lv_normalize(&n, "Ｘ", 3), LEVEE_OK);
  assert_string_equal(n.text, "x");
  assert_int_equal(lv_norm_map(&n)[1], 3);
  free(long_in);
  lv_norm_cleanup(&n);
}

/* Runs of plain Chinese characters are copied in a loop that stops where
 * the output buffer does. A text that first expands (U+337F folds to the
 * 12 bytes of 株式会社) brings the buffer near full just as such a run
 * starts: every
 * split of the two must read only its input (the buffer is exactly the
 * text, so AddressSanitizer sees an over-read) and give the two parts'
 * normalizations one after the other, with the run's map entries pointing
 * at each character's first byte. */
static void test_cjk_run_at_buffer_edge(void **state) {
  (void)state;
  lv_norm n, part;
  lv_norm_init(&n);
  lv_norm_init(&part);
  for (size_t wide = 0; wide <= 24; wide++)
    for (size_t run = 1; run <= 48; run++) {
      size_t len = 3 * wide + 3 * run;
      char *in = malloc(len);
      assert_non_null(in);
      for (size_t i = 0; i < wide; i++)
        memcpy(in + 3 * i, "\xe3\x8d\xbf", 3); /* U+337F */
      for (size_t i = 0; i < run; i++)
        memcpy(in + 3 * wide + 3 * i, i % 2 ? "中" : "文", 3);
      assert_int_equal(lv_normalize(&part, in, 3 * wide), LEVEE_OK);
      size_t head = part.len;
      assert_int_equal(lv_normalize(&n, in, len), LEVEE_OK);
      assert_int_equal(n.len, head + 3 * run);
      assert_memory_equal(n.text, part.text, head);
      assert_memory_equal(n.text + head, in + 3 * wide, 3 * run);
      const uint32_t *map = lv_norm_map(&n);
      for (size_t i = 0; i < 3 * run; i++)
        assert_int_equal(map[head + i], 3 * wide + i / 3 * 3);
      assert_int_equal(map[n.len], len);
      free(in);
    }
  lv_norm_cleanup(&part);
  lv_norm_cleanup(&n);
}

/* The same at the buffer's edge, with Chinese punctuation inside the run
 * (dropped without leaving the run's loop): the text is the characters
 * alone, each mapped to its first byte. */
static void test_cjk_run_with_punctuation_at_buffer_edge(void **state) {
  (void)state;
  lv_norm n;
  lv_norm_init(&n);
  for (size_t wide = 0; wide <= 24; wide++)
    for (size_t run = 1; run <= 32; run++) {
      char in[3 * 24 + 6 * 32];
      size_t len = 0, at[32];
      for (size_t i = 0; i < wide; i++, len += 3)
        memcpy(in + len, "\xe3\x8d\xbf", 3); /* U+337F: 株式会社 */
      for (size_t i = 0; i < run; i++) {
        at[i] = len;
        memcpy(in + len, i % 2 ? "中" : "文", 3);
        len += 3;
        if (i % 3 == 1) {
          memcpy(in + len, i % 2 ? "，" : "\u200b", 3);
          len += 3;
        }
      }
      assert_int_equal(lv_normalize(&n, in, len), LEVEE_OK);
      size_t head = 12 * wide;
      assert_int_equal(n.len, head + 3 * run);
      const uint32_t *map = lv_norm_map(&n);
      for (size_t i = 0; i < run; i++) {
        assert_memory_equal(n.text + head + 3 * i, i % 2 ? "中" : "文", 3);
        for (size_t b = 0; b < 3; b++)
          assert_int_equal(map[head + 3 * i + b], at[i]);
      }
      assert_int_equal(map[n.len], len);
    }
  lv_norm_cleanup(&n);
}

/* A separator after a CJK character goes whatever follows it (CJK is not a
 * word character), and spans over it map back to it. */
static void test_separators_after_cjk(void **state) {
  (void)state;
  check_norm("中，。！文", "中文");
  check_norm("中～文", "中~文"); /* ～ folds to ~, a symbol */
  check_norm("中，", "中");
  check_norm("中\u200b\u3000文", "中文");
  check_norm("中，OK", "中ok");
  check_norm("中\u2057文", "中文"); /* a separator that folds to 12 bytes */
  check_norm("中⑴文", "中1文");     /* a mixed fold is not dropped whole */
  check_norm("ab，cd", "ab,cd");    /* between words it stays */
  lv_norm n;
  lv_norm_init(&n);
  const char *in = "机密，。文件";
  assert_int_equal(lv_normalize(&n, in, strlen(in)), LEVEE_OK);
  assert_string_equal(n.text, "机密文件");
  check_span(&n, 3, 9, "密文", "密，。文");
  check_span(&n, 6, 12, "文件", "文件");
  lv_norm_cleanup(&n);
}

/* The map is built on first use, for the text last normalized. */
static void test_map_built_per_text(void **state) {
  (void)state;
  lv_norm n;
  lv_norm_init(&n);
  assert_null(lv_norm_map(&n)); /* nothing normalized */
  assert_int_equal(lv_normalize(&n, "中文", 6), LEVEE_OK);
  const uint32_t *map = lv_norm_map(&n);
  assert_non_null(map);
  assert_int_equal(map[3], 3);
  assert_int_equal(map[6], 6);
  assert_ptr_equal(lv_norm_map(&n), map); /* built once */
  assert_int_equal(lv_normalize(&n, "Ａ中", 6), LEVEE_OK);
  assert_string_equal(n.text, "a中");
  map = lv_norm_map(&n);
  assert_int_equal(map[0], 0);
  assert_int_equal(map[1], 3);
  assert_int_equal(map[4], 6);
  assert_int_equal(lv_norm_orig_end(&n, 1), 3);
  lv_norm_cleanup(&n);
}

/* lv_normalize_at: texts normalized one after another into one buffer
 * (batch inspection), each NUL-terminated with its own map; a failure
 * keeps what came before. */
static void test_normalize_at(void **state) {
  (void)state;
  lv_norm n;
  lv_norm_init(&n);
  static const char *const in[] = {"絕 密★ 1年", "", "ＡＢＣ abc", "機"};
  static const char *const want[] = {"绝密★1年", "", "abc abc", "机"};
  size_t at = 0, starts[4], out;
  for (size_t k = 0; k < 4; k++) {
    starts[k] = at;
    assert_int_equal(lv_normalize_at(&n, at, in[k], strlen(in[k]), &out),
                     LEVEE_OK);
    assert_int_equal(out, strlen(want[k]));
    assert_int_equal(n.len, at + out);
    at += out + 1;
  }
  for (size_t k = 0; k < 4; k++) {
    /* Each text is intact after the later ones were written. */
    assert_string_equal(n.text + starts[k], want[k]);
    /* Its view builds its map (in order: a map built in place may use the
     * next text's entries as room). */
    lv_norm view;
    lv_norm_view(&view, &n, starts[k], strlen(want[k]), in[k], strlen(in[k]));
    assert_string_equal(view.text, want[k]);
    const uint32_t *map = lv_norm_map(&view);
    assert_ptr_equal(map, n.map + starts[k]);
    assert_int_equal(map[strlen(want[k])], strlen(in[k]));
    if (k == 2) {
      /* Map entries are offsets in their own text: "ＡＢＣ abc" -> 'b' at
       * 3. */
      assert_int_equal(map[1], 3);
      assert_int_equal(map[4], strlen("ＡＢＣ "));
      assert_int_equal(lv_norm_orig_start(&view, 4), strlen("ＡＢＣ "));
      assert_int_equal(lv_norm_orig_end(&view, 3), strlen("ＡＢＣ"));
    }
  }
  /* A text that grows too much fails and leaves the earlier ones alone. */
  char wide[30];
  for (size_t i = 0; i < 10; i++)
    memcpy(wide + 3 * i, "\xef\xb7\xba", 3); /* U+FDFA: 3 -> 33 bytes */
  assert_int_equal(lv_normalize_at(&n, at, wide, sizeof wide, &out),
                   LEVEE_ETOOBIG);
  assert_int_equal(n.len, at);
  assert_string_equal(n.text + starts[0], want[0]);
  assert_string_equal(n.text + starts[3], want[3]);
  /* Writing past the end of what is there is refused. */
  assert_int_equal(lv_normalize_at(&n, n.len + 2, "x", 1, &out), LEVEE_EINVAL);
  /* Starting again at 0 is a fresh buffer. */
  assert_int_equal(lv_normalize_at(&n, 0, "Ｘ", 3, &out), LEVEE_OK);
  assert_int_equal(out, 1);
  assert_string_equal(n.text, "x");
  lv_norm_cleanup(&n);
}

static void test_char_classes(void **state) {
  (void)state;
  assert_int_equal(lv_char_class_of('a'), LV_CC_WORD);
  assert_int_equal(lv_char_class_of('Z'), LV_CC_WORD);
  assert_int_equal(lv_char_class_of('7'), LV_CC_WORD);
  assert_int_equal(lv_char_class_of(0xFF21), LV_CC_WORD); /* Ａ */
  assert_int_equal(lv_char_class_of(0x00E9), LV_CC_WORD); /* é */
  assert_int_equal(lv_char_class_of(0x0663), LV_CC_WORD); /* Arabic 3 */
  assert_int_equal(lv_char_class_of(0x4E2D), LV_CC_CJK);  /* 中 */
  assert_int_equal(lv_char_class_of(0x9577), LV_CC_CJK);  /* 長 */
  assert_int_equal(lv_char_class_of(0x3042), LV_CC_CJK);  /* あ */
  assert_int_equal(lv_char_class_of(0xD55C), LV_CC_CJK);  /* 한 */
  assert_int_equal(lv_char_class_of(0x3105), LV_CC_CJK);  /* ㄅ */
  assert_int_equal(lv_char_class_of(0x20000), LV_CC_CJK);
  assert_int_equal(lv_char_class_of(' '), LV_CC_SEP);
  assert_int_equal(lv_char_class_of('\n'), LV_CC_SEP);
  assert_int_equal(lv_char_class_of('*'), LV_CC_SEP);
  assert_int_equal(lv_char_class_of('_'), LV_CC_SEP);
  assert_int_equal(lv_char_class_of(0x3000), LV_CC_SEP);   /* ideographic sp */
  assert_int_equal(lv_char_class_of(0x3002), LV_CC_SEP);   /* 。 */
  assert_int_equal(lv_char_class_of(0x2605), LV_CC_OTHER); /* ★ */
  assert_int_equal(lv_char_class_of('$'), LV_CC_OTHER);
  assert_int_equal(lv_char_class_of(0x200B), LV_CC_OTHER); /* vanishes */
  assert_int_equal(lv_char_class_of(-1), LV_CC_OTHER);
  assert_int_equal(lv_char_class_of(0x110000), LV_CC_OTHER);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_secret_marking_with_spaces),
      cmocka_unit_test(test_traditional_to_simplified),
      cmocka_unit_test(test_zero_width_removed),
      cmocka_unit_test(test_full_width_to_ascii),
      cmocka_unit_test(test_case_folding),
      cmocka_unit_test(test_ideographic_space_in_cjk),
      cmocka_unit_test(test_separators_in_cjk_words),
      cmocka_unit_test(test_separators_between_words_kept),
      cmocka_unit_test(test_whitespace_collapsed_between_words),
      cmocka_unit_test(test_symbols_kept),
      cmocka_unit_test(test_mixed_folds),
      cmocka_unit_test(test_offsets_multibyte),
      cmocka_unit_test(test_cjk_run_at_buffer_edge),
      cmocka_unit_test(test_cjk_run_with_punctuation_at_buffer_edge),
      cmocka_unit_test(test_separators_after_cjk),
      cmocka_unit_test(test_map_built_per_text),
      cmocka_unit_test(test_normalize_at),
      cmocka_unit_test(test_offsets_dropped_characters),
      cmocka_unit_test(test_invalid_utf8),
      cmocka_unit_test(test_empty_input),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_buffer_reuse),
      cmocka_unit_test(test_char_classes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
