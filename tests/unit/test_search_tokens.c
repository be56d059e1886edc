/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_search_tokens.c: the full-text search tokenizer
 * (src/store/search_tokens.c) and its FTS5 adapter and query quoting
 * (src/store/fts5_bigram.c).
 *
 * First the token streams of known inputs, with exact original offsets:
 * mixed Chinese, English and digits, punctuation inside Chinese, full-width
 * letters, Traditional characters, zero-width characters, emoji, invalid
 * UTF-8, kana and hangul, ligatures, the limits. Then a real FTS5 table in
 * an in-memory SQLite database: about twenty chat messages, and the exact
 * rows that queries of one, two and more characters, Traditional queries,
 * Latin words and would-be FTS5 syntax find, what highlight() marks, and
 * that MATCH is answered from the full-text index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/normalize.h"
#include "levee/levee.h"
#include "store/fts5_bigram.h"
#include "store/search_tokens.h"
#include "util/buf.h"
#include "util/limits.h"

/* --- token streams --------------------------------------------------- */

/* Collects tokens as "tok@start-end", a colocated one as "+tok@start-end",
 * separated by spaces; stops with 99 after stop_after tokens (if set). */
typedef struct collector {
  lv_buf out;
  size_t n;
  size_t stop_after;
} collector;

static int collect(void *ud, int colocated, const char *tok, size_t tok_len,
                   size_t start, size_t end) {
  collector *c = ud;
  assert_true(tok_len > 0);
  assert_true(start < end);
  assert_int_equal(lv_buf_printf(&c->out, "%s%s%.*s@%zu-%zu",
                                 c->out.len ? " " : "", colocated ? "+" : "",
                                 (int)tok_len, tok, start, end),
                   LEVEE_OK);
  c->n++;
  return c->stop_after && c->n == c->stop_after ? 99 : 0;
}

/* The token stream of text[0..len) in mode, as collect() writes it (a
 * static buffer, overwritten by the next call). */
static const char *tokens_n(const char *text, size_t len, int mode) {
  static char result[4096];
  collector c = {.n = 0, .stop_after = 0};
  lv_buf_init(&c.out, sizeof result - 1);
  assert_int_equal(lv_search_tokens(text, len, mode, collect, &c), LEVEE_OK);
  snprintf(result, sizeof result, "%s", c.out.data ? c.out.data : "");
  lv_buf_cleanup(&c.out);
  return result;
}

static const char *doc(const char *text) {
  return tokens_n(text, strlen(text), LV_SEARCH_DOCUMENT);
}

static const char *query(const char *text) {
  return tokens_n(text, strlen(text), LV_SEARCH_QUERY);
}

static void test_han_document_and_query(void **state) {
  (void)state;
  /* One character: its unigram, in both modes. */
  assert_string_equal(doc("机"), "机@0-3");
  assert_string_equal(query("机"), "机@0-3");
  /* Unigrams with colocated bigrams; the last character only a unigram. */
  assert_string_equal(doc("机密文件"), "机@0-3 +机密@0-6 密@3-6 +密文@3-9 "
                                       "文@6-9 +文件@6-12 件@9-12");
  /* A query: the bigrams, then the last character's unigram. */
  assert_string_equal(query("机密"), "机密@0-6 密@3-6");
  assert_string_equal(query("机密文件"), "机密@0-6 密文@3-9 文件@6-12 件@9-12");
}

static void test_mixed_chinese_latin_digits(void **state) {
  (void)state;
  /* 转 0-3, 账 3-6, 500 6-9, 元 9-12, 给 12-15, Alice 15-20 */
  assert_string_equal(doc("转账500元给Alice"),
                      "转@0-3 +转账@0-6 账@3-6 500@6-9 元@9-12 +元给@9-15 "
                      "给@12-15 alice@15-20");
  assert_string_equal(query("转账500元给Alice"),
                      "转账@0-6 账@3-6 500@6-9 元给@9-15 给@12-15 "
                      "alice@15-20");
  assert_string_equal(doc("Hello, World 2024!"),
                      "hello@0-5 world@7-12 2024@13-17");
  /* Punctuation between Latin words separates them: a.b@c.com, a_b. */
  assert_string_equal(doc("a.b@c.com x_y"), "a@0-1 b@2-3 c@4-5 com@6-9 "
                                            "x@10-11 y@12-13");
  /* A space between a word and Chinese is dropped by the normalizer; the
   * class change still separates. */
  assert_string_equal(doc("WeChat 号"), "wechat@0-6 号@7-10");
  /* Symbols separate: 绝密★ indexes 绝密, not ★. */
  assert_string_equal(doc("绝密★一年"),
                      "绝@0-3 +绝密@0-6 密@3-6 一@9-12 +一年@9-15 年@12-15");
}

static void test_punctuation_inside_chinese(void **state) {
  (void)state;
  /* 机 0-3, ， 3-6, 密 6-9: indexed like 机密, the bigram spanning the
   * comma in the original. */
  assert_string_equal(doc("机，密"), "机@0-3 +机密@0-9 密@6-9");
  assert_string_equal(query("机，密"), "机密@0-9 密@6-9");
  assert_string_equal(doc("机 。密"), "机@0-3 +机密@0-10 密@7-10");
}

static void test_full_width_and_traditional(void **state) {
  (void)state;
  /* Full-width letters and digits are three bytes each. */
  assert_string_equal(doc("ＡＢＣ１２３"), "abc123@0-18");
  assert_string_equal(doc("機密資料"), "机@0-3 +机密@0-6 密@3-6 +密资@3-9 "
                                       "资@6-9 +资料@6-12 料@9-12");
  assert_string_equal(query("機密"), "机密@0-6 密@3-6");
}

static void test_zero_width(void **state) {
  (void)state;
  /* U+200D (3 bytes) inside Chinese and U+200B inside a word vanish. */
  assert_string_equal(doc("机\u200d密"), "机@0-3 +机密@0-9 密@6-9");
  assert_string_equal(doc("pass\u200bword"), "password@0-11");
}

static void test_emoji_and_invalid_utf8(void **state) {
  (void)state;
  /* 好 0-3, U+1F44D 3-7, 棒 7-10: an emoji separates. */
  assert_string_equal(doc("好👍棒"), "好@0-3 棒@7-10");
  /* An invalid byte becomes U+FFFD, which separates. */
  assert_string_equal(doc("机\xff密"), "机@0-3 密@4-7");
  assert_string_equal(doc("ab\xc3"), "ab@0-2");
  assert_string_equal(doc("\xe6\x9c"), "");
  assert_string_equal(tokens_n("a\0b", 3, LV_SEARCH_DOCUMENT), "a@0-1 b@2-3");
}

static void test_kana_hangul_supplementary(void **state) {
  (void)state;
  /* Kana and hangul are treated like Han. */
  assert_string_equal(doc("カタカナ"), "カ@0-3 +カタ@0-6 タ@3-6 +タカ@3-9 "
                                       "カ@6-9 +カナ@6-12 ナ@9-12");
  assert_string_equal(query("한국어"), "한국@0-6 국어@3-9 어@6-9");
  /* Four-byte ideographs (U+20000, U+20001). */
  assert_string_equal(doc("\xf0\xa0\x80\x80\xf0\xa0\x80\x81"),
                      "\xf0\xa0\x80\x80@0-4 +\xf0\xa0\x80\x80\xf0\xa0\x80\x81"
                      "@0-8 \xf0\xa0\x80\x81@4-8");
}

static void test_one_character_many_tokens(void **state) {
  (void)state;
  /* ㍿ (U+337F, 3 bytes) folds to 株式会社: four positions, each spanning
   * the one original character. */
  assert_string_equal(doc("㍿"), "株@0-3 +株式@0-3 式@0-3 +式会@0-3 会@0-3 "
                                 "+会社@0-3 社@0-3");
  /* ﬁ folds to "fi", part of the word. */
  assert_string_equal(doc("ﬁx"), "fix@0-4");
}

static void test_long_word_cut(void **state) {
  (void)state;
  char text[300], want[300];
  memset(text, 'a', 200);
  memcpy(text + 200, " 机", sizeof " 机");
  memset(want, 'a', LV_MAX_SEARCH_TOKEN_BYTES);
  snprintf(want + LV_MAX_SEARCH_TOKEN_BYTES,
           sizeof want - LV_MAX_SEARCH_TOKEN_BYTES, "@0-200 机@201-204");
  assert_string_equal(doc(text), want);
  assert_string_equal(query(text), want);
}

static void test_ascii_classes_match_normalizer(void **state) {
  (void)state;
  /* The tokenizer's ASCII shortcut agrees with the normalizer's classes:
   * each folded ASCII character alone is a word iff it is a letter or a
   * digit. */
  for (int c = 1; c < 128; c++) {
    char s[2] = {(char)c, 0};
    int alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                (c >= 'A' && c <= 'Z');
    assert_int_equal(lv_char_class_of(c) == LV_CC_WORD, alnum);
    assert_int_equal(doc(s)[0] != '\0', alnum);
  }
}

static void test_stop_and_errors(void **state) {
  (void)state;
  collector c = {.n = 0, .stop_after = 2};
  lv_buf_init(&c.out, 1024);
  assert_int_equal(lv_search_tokens("机密文件", strlen("机密文件"),
                                    LV_SEARCH_DOCUMENT, collect, &c),
                   99);
  assert_string_equal(c.out.data, "机@0-3 +机密@0-6");
  lv_buf_cleanup(&c.out);

  c.n = 0;
  c.stop_after = 0;
  lv_buf_init(&c.out, 1024);
  assert_int_equal(lv_search_tokens(NULL, 3, LV_SEARCH_QUERY, collect, &c),
                   LEVEE_EINVAL);
  assert_int_equal(lv_search_tokens("a", 1, LV_SEARCH_QUERY, NULL, &c),
                   LEVEE_EINVAL);
  assert_int_equal(lv_search_tokens("a", 1, 7, collect, &c), LEVEE_EINVAL);
  assert_int_equal(lv_search_tokens(NULL, 0, LV_SEARCH_QUERY, collect, &c),
                   LEVEE_OK);
  assert_int_equal(c.n, 0);
  lv_buf_cleanup(&c.out);
}

static void test_scratch_reuse(void **state) {
  (void)state;
  lv_norm n;
  lv_norm_init(&n);
  collector c = {.n = 0, .stop_after = 0};
  lv_buf_init(&c.out, 1024);
  const char *a = "很长的一段中文消息用来撑大缓冲区", *b = "机密";
  assert_int_equal(
      lv_search_tokens_in(&n, a, strlen(a), LV_SEARCH_QUERY, collect, &c),
      LEVEE_OK);
  lv_buf_reset(&c.out);
  assert_int_equal(
      lv_search_tokens_in(&n, b, strlen(b), LV_SEARCH_DOCUMENT, collect, &c),
      LEVEE_OK);
  assert_string_equal(c.out.data, "机@0-3 +机密@0-6 密@3-6");
  lv_buf_cleanup(&c.out);
  lv_norm_cleanup(&n);
}

/* A text over LV_MAX_TEXT_BYTES is tokenized up to the limit. */
static void test_text_over_limit(void **state) {
  (void)state;
  size_t len = LV_MAX_TEXT_BYTES + 7;
  char *text = malloc(len);
  assert_non_null(text);
  memset(text, 'a', LV_MAX_TEXT_BYTES - 1);
  static const char tail[8] = " 机密z"; /* 1 + 6 + 1 bytes, no NUL */
  memcpy(text + LV_MAX_TEXT_BYTES - 1, tail, sizeof tail);
  collector c = {.n = 0, .stop_after = 0};
  lv_buf_init(&c.out, 4096);
  assert_int_equal(lv_search_tokens(text, len, LV_SEARCH_DOCUMENT, collect, &c),
                   LEVEE_OK);
  assert_int_equal(c.n, 1); /* the cut word; 机密z lies past the limit */
  char want[64];
  snprintf(want, sizeof want, "@0-%u", LV_MAX_TEXT_BYTES - 1);
  assert_non_null(strstr(c.out.data, want));
  lv_buf_cleanup(&c.out);
  free(text);
}

/* A text that the normalizer refuses for growth (U+FDFA folds to 33 bytes)
 * is tokenized in windows: the clean ones still give their tokens, at their
 * offsets in the whole text. */
static void test_growth_windows(void **state) {
  (void)state;
  size_t len = 4096 + 4096 + 6;
  char *text = malloc(len + 1);
  assert_non_null(text);
  memcpy(text, "机密", 6);
  memset(text + 6, ' ', 4090);
  for (size_t i = 0; i < 1365; i++)
    memcpy(text + 4096 + 3 * i, "\xef\xb7\xba", 3); /* U+FDFA */
  text[8191] = ' ';
  memcpy(text + 8192, "文件", 6);
  text[len] = '\0';
  lv_norm n;
  lv_norm_init(&n);
  assert_int_equal(lv_normalize(&n, text, len), LEVEE_ETOOBIG);
  lv_norm_cleanup(&n);
  assert_string_equal(tokens_n(text, len, LV_SEARCH_DOCUMENT),
                      "机@0-3 +机密@0-6 密@3-6 "
                      "文@8192-8195 +文件@8192-8198 件@8195-8198");
  free(text);
}

/* --- quoting user text for FTS5 ------------------------------------------ */

static void check_quote(const char *in, size_t len, const char *want) {
  char *q = NULL;
  size_t qlen = 12345;
  assert_int_equal(lv_fts5_quote_query(in, len, &q, &qlen), LEVEE_OK);
  assert_non_null(q);
  assert_string_equal(q, want);
  assert_int_equal(qlen, strlen(want));
  free(q);
}

static void test_quote_query(void **state) {
  (void)state;
  check_quote("机密", 6, "\"机密\"");
  check_quote(" 机密  文件\t", strlen(" 机密  文件\t"), "\"机密\" \"文件\"");
  check_quote("机密\u3000文件\u00a0x", strlen("机密\u3000文件\u00a0x"),
              "\"机密\" \"文件\" \"x\"");
  check_quote("a\"b", 3, "\"a\"\"b\"");
  check_quote("\"机密", strlen("\"机密"), "\"\"\"机密\"");
  check_quote("机密 OR 飞单", strlen("机密 OR 飞单"),
              "\"机密\" \"OR\" \"飞单\"");
  check_quote("body:机密*", strlen("body:机密*"), "\"body:机密*\"");
  check_quote("a\0b", 3, "\"a\" \"b\"");
  /* Pieces without a token are left out; nothing left is "". */
  check_quote("★ !! 机密 \"\"", strlen("★ !! 机密 \"\""), "\"机密\"");
  check_quote("  ★ ?? ", strlen("  ★ ?? "), "");
  check_quote("", 0, "");

  char *q = (char *)"untouched";
  char big[LV_MAX_SEARCH_QUERY_BYTES + 1];
  memset(big, 'a', sizeof big);
  assert_int_equal(lv_fts5_quote_query(big, sizeof big, &q, NULL),
                   LEVEE_ETOOBIG);
  assert_string_equal(q, "untouched");
  assert_int_equal(lv_fts5_quote_query(NULL, 1, &q, NULL), LEVEE_EINVAL);
}

/* --- a real FTS5 table ------------------------------------------------ */

static const char *const messages[] = {
    /* 1 */ "这份文件是机密，请勿外传",
    /* 2 */ "绝密★长期 项目预算",
    /* 3 */ "客户说可以走飞单，私下 转账给我",
    /* 4 */ "機密資料已經發給你了",
    /* 5 */ "机，密材料明天交",
    /* 6 */ "机场见，密码发你微信", /* 机 and 密 apart */
    /* 7 */ "今天下午三点开会",
    /* 8 */ "请把报表发到邮箱 finance@example.com",
    /* 9 */ "Project Aurora 的预算是 500 万",
    /* 10 */ "转账500元给张三",
    /* 11 */ "这个方案很机智，密切关注进展", /* 机智密切: no 机密 */
    /* 12 */ "我私下跟他说了",
    /* 13 */ "飞单的事别声张",
    /* 14 */ "秘密★一年",
    /* 15 */ "密机", /* reversed */
    /* 16 */ "明天的会议取消了",
    /* 17 */ "WeChat 转账记录截图",
    /* 18 */ "机密",
    /* 19 */ "机",
    /* 20 */ "密文传输",
    /* 21 */ "一个机密一个绝密",
    /* 22 */ "ＶＰＮ账号发我", /* full-width letters */
};
#define N_MESSAGES (sizeof messages / sizeof messages[0])

static sqlite3 *open_table(void) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(lv_fts5_bigram_register(db), LEVEE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "CREATE VIRTUAL TABLE t USING fts5(body, "
                                "tokenize='levee_bigram')",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "INSERT INTO t(rowid, body) "
                                      "VALUES (?1, ?2)",
                                      -1, &st, NULL),
                   SQLITE_OK);
  for (size_t i = 0; i < N_MESSAGES; i++) {
    sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
    sqlite3_bind_text(st, 2, messages[i], -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  return db;
}

/* The rowids, ascending and comma-separated, that the FTS5 query q finds
 * (a static buffer). */
static const char *match_raw(sqlite3 *db, const char *q) {
  static char out[512];
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT rowid FROM t WHERE t MATCH ?1 "
                                      "ORDER BY rowid",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, q, -1, SQLITE_TRANSIENT);
  size_t o = 0;
  int rc;
  out[0] = '\0';
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    o += (size_t)snprintf(out + o, sizeof out - o, "%s%lld", o ? "," : "",
                          (long long)sqlite3_column_int64(st, 0));
  if (rc != SQLITE_DONE)
    fail_msg("MATCH %s: %s", q, sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return out;
}

/* match_raw() of user text, quoted with lv_fts5_quote_query(). */
static const char *match(sqlite3 *db, const char *user) {
  char *q = NULL;
  size_t qlen = 0;
  assert_int_equal(lv_fts5_quote_query(user, strlen(user), &q, &qlen),
                   LEVEE_OK);
  assert_true(qlen > 0);
  const char *r = match_raw(db, q);
  free(q);
  return r;
}

static void test_fts5_match(void **state) {
  (void)state;
  sqlite3 *db = open_table();
  /* One character. */
  assert_string_equal(match(db, "机"), "1,4,5,6,11,15,18,19,21");
  assert_string_equal(match(db, "密"), "1,2,4,5,6,11,14,15,18,20,21");
  /* Two characters: adjacent and in order only (not 6, 11, 15); the
   * Traditional 機密 (4) and the split 机，密 (5) included. */
  assert_string_equal(match(db, "机密"), "1,4,5,18,21");
  assert_string_equal(match(db, "飞单"), "3,13");
  assert_string_equal(match(db, "转账"), "3,10,17");
  assert_string_equal(match(db, "密机"), "15");
  /* The same as a phrase in FTS5's own syntax. */
  assert_string_equal(match_raw(db, "\"机密\""), "1,4,5,18,21");
  /* Traditional and split queries. */
  assert_string_equal(match(db, "機密"), "1,4,5,18,21");
  assert_string_equal(match(db, "机，密"), "1,4,5,18,21");
  assert_string_equal(match(db, "機密資料"), "4");
  /* Three and more characters. */
  assert_string_equal(match(db, "机密资料"), "4");
  assert_string_equal(match(db, "明天交"), "5");
  assert_string_equal(match(db, "机密文件"), "");
  assert_string_equal(match(db, "绝密★"), "2,21");
  /* Pieces are ANDed; one piece is a phrase (the space in 私下 转账 went
   * with normalization). */
  assert_string_equal(match(db, "私下 转账"), "3");
  assert_string_equal(match(db, "私下转账"), "3");
  assert_string_equal(match(db, "私下"), "3,12");
  /* Latin words, digits, and phrases that run on past Chinese. */
  assert_string_equal(match(db, "AURORA"), "9");
  assert_string_equal(match(db, "project aurora"), "9");
  assert_string_equal(match(db, "Aurora的预算"), "9");
  assert_string_equal(match(db, "finance@example.com"), "8");
  assert_string_equal(match(db, "500"), "9,10");
  assert_string_equal(match(db, "转账500元"), "10");
  assert_string_equal(match(db, "vpn"), "22");
  assert_string_equal(match(db, "ＶＰＮ账号"), "22");
  /* User text is never FTS5 syntax. */
  assert_string_equal(match(db, "机密 OR 飞单"), "");
  assert_string_equal(match(db, "body:机密"), "");
  assert_string_equal(match(db, "\"机密"), "1,4,5,18,21");
  assert_string_equal(match(db, "机密*"), "1,4,5,18,21");
  assert_string_equal(match(db, "NOT 机密"), "");
  /* Unquoted, the same text is syntax (or a syntax error). */
  assert_string_equal(match_raw(db, "机密 OR 飞单"), "1,3,4,5,13,18,21");
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT rowid FROM t WHERE t MATCH "
                                      "'\"机密'",
                                      -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ERROR);
  sqlite3_finalize(st);
  /* An empty query is a syntax error: lv_fts5_quote_query()'s "" must not
   * reach MATCH. */
  st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT rowid FROM t WHERE t MATCH ''",
                                      -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ERROR);
  sqlite3_finalize(st);
  /* The index agrees with the rows re-tokenized. */
  assert_int_equal(sqlite3_exec(db,
                                "INSERT INTO t(t) VALUES('integrity-check')",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  /* Deleting re-tokenizes the row: it is gone from the index. */
  assert_int_equal(
      sqlite3_exec(db, "DELETE FROM t WHERE rowid = 18", NULL, NULL, NULL),
      SQLITE_OK);
  assert_string_equal(match(db, "机密"), "1,4,5,21");
  sqlite3_close(db);
}

/* highlight() of row id for the user text q (a static buffer). */
static const char *highlight(sqlite3 *db, const char *user, int id) {
  static char out[512];
  char *q = NULL;
  assert_int_equal(lv_fts5_quote_query(user, strlen(user), &q, NULL), LEVEE_OK);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT highlight(t, 0, '[', ']') FROM "
                                      "t WHERE t MATCH ?1 AND rowid = ?2",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, q, -1, free);
  sqlite3_bind_int(st, 2, id);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  return out;
}

static void test_fts5_highlight(void **state) {
  (void)state;
  sqlite3 *db = open_table();
  assert_string_equal(highlight(db, "机密", 1), "这份文件是[机密]，请勿外传");
  assert_string_equal(highlight(db, "机", 1), "这份文件是[机]密，请勿外传");
  assert_string_equal(highlight(db, "机密", 5), "[机，密]材料明天交");
  assert_string_equal(highlight(db, "機密", 4), "[機密]資料已經發給你了");
  assert_string_equal(highlight(db, "机密资料", 4), "[機密資料]已經發給你了");
  assert_string_equal(highlight(db, "私下转账", 3),
                      "客户说可以走飞单，[私下 转账]给我");
  assert_string_equal(highlight(db, "转账500元", 10), "[转账500元]给张三");
  assert_string_equal(highlight(db, "机密", 21), "一个[机密]一个绝密");
  assert_string_equal(highlight(db, "密", 21), "一个机[密]一个绝[密]");
  assert_string_equal(highlight(db, "aurora", 9),
                      "Project [Aurora] 的预算是 500 万");
  assert_string_equal(highlight(db, "vpn", 22), "[ＶＰＮ]账号发我");
  sqlite3_close(db);
}

static void test_fts5_uses_index(void **state) {
  (void)state;
  sqlite3 *db = open_table();
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "EXPLAIN QUERY PLAN SELECT rowid FROM t "
                                      "WHERE t MATCH '\"机密\"'",
                                      -1, &st, NULL),
                   SQLITE_OK);
  int found = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *detail = (const char *)sqlite3_column_text(st, 3);
    if (detail && strstr(detail, "VIRTUAL TABLE INDEX"))
      found = 1;
  }
  sqlite3_finalize(st);
  assert_true(found);
  sqlite3_close(db);
}

static void test_fts5_register_errors(void **state) {
  (void)state;
  sqlite3 *db = NULL;
  assert_int_equal(lv_fts5_bigram_register(NULL), LEVEE_EINVAL);
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  /* Not registered: the table cannot be made. */
  assert_int_not_equal(sqlite3_exec(db,
                                    "CREATE VIRTUAL TABLE t USING fts5(body, "
                                    "tokenize='levee_bigram')",
                                    NULL, NULL, NULL),
                       SQLITE_OK);
  assert_int_equal(lv_fts5_bigram_register(db), LEVEE_OK);
  /* The tokenizer takes no options. */
  assert_int_not_equal(sqlite3_exec(db,
                                    "CREATE VIRTUAL TABLE u USING fts5(body, "
                                    "tokenize='levee_bigram x')",
                                    NULL, NULL, NULL),
                       SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "CREATE VIRTUAL TABLE t USING fts5(body, "
                                "tokenize='levee_bigram')",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_han_document_and_query),
      cmocka_unit_test(test_mixed_chinese_latin_digits),
      cmocka_unit_test(test_punctuation_inside_chinese),
      cmocka_unit_test(test_full_width_and_traditional),
      cmocka_unit_test(test_zero_width),
      cmocka_unit_test(test_emoji_and_invalid_utf8),
      cmocka_unit_test(test_kana_hangul_supplementary),
      cmocka_unit_test(test_one_character_many_tokens),
      cmocka_unit_test(test_long_word_cut),
      cmocka_unit_test(test_ascii_classes_match_normalizer),
      cmocka_unit_test(test_stop_and_errors),
      cmocka_unit_test(test_scratch_reuse),
      cmocka_unit_test(test_text_over_limit),
      cmocka_unit_test(test_growth_windows),
      cmocka_unit_test(test_quote_query),
      cmocka_unit_test(test_fts5_match),
      cmocka_unit_test(test_fts5_highlight),
      cmocka_unit_test(test_fts5_uses_index),
      cmocka_unit_test(test_fts5_register_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
