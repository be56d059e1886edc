/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sql_cache.c: the SQL shape cache (src/sql/sql_cache.c): which texts
 * have a shape, that an answer from the cache is the classifier's own, and
 * that what depends on more than the shape is classified each time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "levee/levee.h"
#include "sql/sql_cache.h"
#include "sql/sql_classify.h"

/* libpg_query 15-4.0.0 leaks its parser's captured stderr (one strdup)
 * each time its PL/pgSQL parser fails (sql_plpgsql.c bounds it). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
  return "leak:pg_query_raw_parse\n";
}

static size_t shape(const char *text, char *key, size_t cap) {
  return lv_sql_shape(text, strlen(text), key, cap);
}

static void test_shape(void **state) {
  (void)state;
  char key[256];
  size_t n = shape("SELECT a FROM t WHERE id = 42", key, sizeof key);
  assert_int_equal(n, strlen("SELECT a FROM t WHERE id = ?"));
  assert_memory_equal(key, "SELECT a FROM t WHERE id = \x01", n);
  /* every number is one mark, whatever its length; digits in names and
   * parameters stay */
  char k2[256];
  size_t n2 = shape("SELECT a FROM t WHERE id = 1", k2, sizeof k2);
  assert_int_equal(n, n2);
  assert_memory_equal(key, k2, n);
  n = shape("SELECT t1.c2, $1, 1.5e10, .5 FROM t1", key, sizeof key);
  const char want[] = "SELECT t1.c2, $1, \x01.\x01"
                      "e10, .\x01 FROM t1";
  assert_int_equal(n, sizeof want - 1);
  assert_memory_equal(key, want, n);
  /* a `?` in the text is not a mark */
  n = shape("SELECT a ? b", key, sizeof key);
  n2 = shape("SELECT a 5 b", k2, sizeof k2);
  assert_true(n && n2);
  assert_false(n == n2 && memcmp(key, k2, n) == 0);
  /* outside the language: quotes, comments, backslashes, dollar quotes,
   * braces, controls, bytes over 0x7F */
  static const char *const outside[] = {
      "SELECT 'a'",          "SELECT \"a\"",       "SELECT 1 -- c",
      "SELECT /* c */ 1",    "SELECT E\\x",        "SELECT $$a$$",
      "SELECT $q$a$q$",      "SELECT a FROM t{1}", "SELECT \x01",
      "SELECT \xe4\xb8\xad", "SELECT\f1",          "SELECT `a`",
  };
  for (size_t k = 0; k < sizeof outside / sizeof outside[0]; k++)
    if (shape(outside[k], key, sizeof key) != 0)
      fail_msg("has a shape: %s", outside[k]);
  assert_int_equal(lv_sql_shape("SELECT \0 1", 10, key, sizeof key), 0);
  /* a shape over the room given */
  assert_int_equal(shape("SELECT abc FROM t", key, 8), 0);
}

/* Classifies text through the cache and without it; the two agree. */
static lv_sql_result both(lv_sql_cache *cache, const char *text) {
  lv_sql_result a, b;
  assert_int_equal(lv_sql_classify_cached(cache, text, strlen(text), NULL, &a),
                   LEVEE_OK);
  assert_int_equal(lv_sql_classify(text, strlen(text), NULL, &b), LEVEE_OK);
  assert_int_equal(a.ops, b.ops);
  assert_string_equal(a.reason, b.reason);
  assert_int_equal(a.n_stmts, b.n_stmts);
  assert_true(a.fingerprint == b.fingerprint);
  assert_int_equal(a.text_len, b.text_len);
  assert_memory_equal(a.text, b.text, a.text_len);
  for (size_t k = 0; k < a.n_stmts; k++) {
    assert_int_equal(a.stmts[k].offset, b.stmts[k].offset);
    assert_int_equal(a.stmts[k].len, b.stmts[k].len);
    assert_int_equal(a.stmts[k].ops, b.stmts[k].ops);
    assert_true(a.stmts[k].fingerprint == b.stmts[k].fingerprint);
  }
  lv_sql_result_free(&b);
  return a;
}

static void test_hits(void **state) {
  (void)state;
  lv_sql_cache *cache = lv_sql_cache_new();
  assert_non_null(cache);
  lv_sql_result r =
      both(cache, "SELECT abalance FROM pgbench_accounts WHERE aid = 1;");
  assert_int_equal(r.ops, 0);
  assert_true(r.shape_only);
  lv_sql_result_free(&r);
  r = both(cache, "SELECT abalance FROM pgbench_accounts WHERE aid = 987654;");
  lv_sql_result_free(&r);
  /* blanks and semicolons around the statement; a number of another size
   * and kind (int8, numeric) */
  r = both(cache, "  SELECT a FROM t WHERE b > 7 ;  ");
  lv_sql_result_free(&r);
  r = both(cache, "  SELECT a FROM t WHERE b > 99999999999999999999 ;  ");
  assert_int_equal(r.stmts[0].offset, 2);
  assert_int_equal(r.stmts[0].len, strlen("SELECT a FROM t WHERE b > "
                                          "99999999999999999999 ;") -
                                       2);
  lv_sql_result_free(&r);
  r = both(cache, "SELECT count(*), max(x) FROM t JOIN u ON t.id = u.id WHERE "
                  "t.k IN (1, 2, 3) ORDER BY 1 LIMIT 10 FOR UPDATE");
  lv_sql_result_free(&r);
  r = both(cache, "SELECT count(*), max(x) FROM t JOIN u ON t.id = u.id WHERE "
                  "t.k IN (4, 5, 6) ORDER BY 2 LIMIT 20 FOR UPDATE");
  lv_sql_result_free(&r);
  lv_sql_cache_stats st;
  lv_sql_cache_stats_get(cache, &st);
  assert_int_equal(st.hits, 3);
  assert_int_equal(st.misses, 3);
  assert_int_equal(st.stored, 3);
  lv_sql_cache_free(cache);
}

/* Texts whose verdict or fingerprint depends on the numbers in them are
 * never answered from the cache. */
static void test_beyond_shape(void **state) {
  (void)state;
  lv_sql_cache *cache = lv_sql_cache_new();
  assert_non_null(cache);
  static const char *const pairs[][2] = {
      /* a data-modifying CTE whose WHERE is true or not by its numbers */
      {"WITH d AS (DELETE FROM t WHERE 1 = 2 RETURNING *) SELECT * FROM d",
       "WITH d AS (DELETE FROM t WHERE 1 = 1 RETURNING *) SELECT * FROM d"},
      {"UPDATE t SET a = 1 WHERE 1 = 2", "UPDATE t SET a = 1 WHERE 2 = 2"},
      /* SQL text built from numbers for a function that runs it */
      {"SELECT dblink_exec(chr(83)||chr(69)||chr(76)||chr(69)||chr(67)||"
       "chr(84)||chr(32)||chr(49))",
       "SELECT dblink_exec(chr(68)||chr(82)||chr(79)||chr(80)||chr(32)||"
       "chr(84)||chr(65)||chr(66)||chr(76)||chr(69)||chr(32)||chr(116))"},
      /* float(p) is float4 or float8 by p; array bounds; current_time(p) */
      {"SELECT a::float(10) FROM t", "SELECT a::float(30) FROM t"},
      {"SELECT a::int[5] FROM t", "SELECT a::int[6] FROM t"},
      {"SELECT current_time(2)", "SELECT current_time(3)"},
      /* FETCH's count is not a constant node */
      {"FETCH 5 FROM c", "FETCH 6 FROM c"},
  };
  for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
    lv_sql_result r = both(cache, pairs[k][0]);
    assert_false(r.shape_only);
    lv_sql_result_free(&r);
    r = both(cache, pairs[k][1]);
    lv_sql_result_free(&r);
  }
  lv_sql_cache_stats st;
  lv_sql_cache_stats_get(cache, &st);
  assert_int_equal(st.hits, 0);
  assert_int_equal(st.stored, 0);
  /* the DELETE and the dblink_exec pairs: refused the second time */
  lv_sql_result r;
  assert_int_equal(
      lv_sql_classify_cached(cache, pairs[0][1], strlen(pairs[0][1]), NULL, &r),
      LEVEE_OK);
  assert_true(r.ops & LV_SQL_DESTRUCTIVE);
  lv_sql_result_free(&r);
  assert_int_equal(
      lv_sql_classify_cached(cache, pairs[2][1], strlen(pairs[2][1]), NULL, &r),
      LEVEE_OK);
  assert_true(r.ops & LV_SQL_DESTRUCTIVE);
  lv_sql_result_free(&r);
  lv_sql_cache_free(cache);
}

/* Sessions whose encoding is not UTF8 or SQL_ASCII, and texts without a
 * shape, go to the classifier. */
static void test_passing_by(void **state) {
  (void)state;
  lv_sql_cache *cache = lv_sql_cache_new();
  assert_non_null(cache);
  lv_sql_session gbk = {1, "GBK"}, johab = {1, "JOHAB"},
                 ascii = {0, "SQL_ASCII"};
  const char *q = "SELECT a FROM t WHERE id = 1";
  lv_sql_result r;
  for (int k = 0; k < 2; k++) {
    assert_int_equal(lv_sql_classify_cached(cache, q, strlen(q), &gbk, &r),
                     LEVEE_OK);
    assert_int_equal(r.ops, 0);
    lv_sql_result_free(&r);
  }
  /* an encoding the classifier refuses stays refused */
  assert_int_equal(lv_sql_classify_cached(cache, q, strlen(q), &johab, &r),
                   LEVEE_OK);
  assert_true(r.ops & LV_SQL_UNPARSABLE);
  lv_sql_result_free(&r);
  lv_sql_cache_stats st;
  lv_sql_cache_stats_get(cache, &st);
  assert_int_equal(st.hits + st.misses + st.other, 0);
  for (int k = 0; k < 2; k++) {
    assert_int_equal(lv_sql_classify_cached(cache, q, strlen(q), &ascii, &r),
                     LEVEE_OK);
    lv_sql_result_free(&r);
  }
  const char *quoted = "SELECT a FROM t WHERE id = '1'";
  assert_int_equal(
      lv_sql_classify_cached(cache, quoted, strlen(quoted), NULL, &r),
      LEVEE_OK);
  lv_sql_result_free(&r);
  lv_sql_cache_stats_get(cache, &st);
  assert_int_equal(st.hits, 1);
  assert_int_equal(st.misses, 1);
  assert_int_equal(st.other, 1);
  /* the cache's bound: many shapes, one slot each */
  char sql[96];
  for (int k = 0; k < (int)LV_SQL_CACHE_SLOTS * 2; k++) {
    snprintf(sql, sizeof sql, "SELECT c%d FROM t WHERE id = %d", k, k);
    assert_int_equal(lv_sql_classify_cached(cache, sql, strlen(sql), NULL, &r),
                     LEVEE_OK);
    assert_int_equal(r.ops, 0);
    lv_sql_result_free(&r);
  }
  lv_sql_cache_free(cache);
  lv_sql_cache_free(NULL);
  /* no cache */
  assert_int_equal(lv_sql_classify_cached(NULL, q, strlen(q), NULL, &r),
                   LEVEE_OK);
  lv_sql_result_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shape),
      cmocka_unit_test(test_hits),
      cmocka_unit_test(test_beyond_shape),
      cmocka_unit_test(test_passing_by),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
