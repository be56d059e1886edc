/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sql_cache.h: classifications remembered by the text's shape, so that the
 * database guard parses an application's recurring statement once, not
 * once per run ("SELECT abalance FROM pgbench_accounts WHERE aid = 4711"
 * with a new number each time).
 *
 * A text's shape is the text with each number written in it replaced by
 * one mark. Only texts of a small language have a shape: printable ASCII
 * without quotes of any kind, backslashes, comments or dollar quoting, in
 * a session whose client encoding is UTF8 or SQL_ASCII. In that language
 * two texts of the same shape lex to the same tokens but for the values of
 * their numeric constants (PostgreSQL's lexer reads a run of digits the
 * same way whatever the digits are; digits inside a name or after `$` are
 * kept in the shape as they are).
 *
 * A classification is remembered only when the classifier says it holds
 * for the shape (lv_sql_result.shape_only): one statement, nothing found,
 * and every node of its tree one whose verdict and libpg_query fingerprint
 * do not depend on the values of constants (a plain SELECT: columns,
 * tables, joins, operators, subqueries, function calls the classifier has
 * no rule for; not casts, not DML, not DDL; src/sql/sql_cache.c names
 * them). Everything else is classified afresh each time. The fuzz target
 * fuzz_sql_classify checks that an answer from the cache is the one the
 * classifier gives.
 *
 * The cache holds at most LV_SQL_CACHE_SLOTS shapes of at most
 * LV_SQL_CACHE_KEY_MAX bytes; a new shape replaces the one in its slot.
 * Not thread-safe: one cache per thread (the guard's event loop).
 */
#ifndef LV_SQL_CACHE_H
#define LV_SQL_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "sql/sql_classify.h"

#define LV_SQL_CACHE_SLOTS 4096u
#define LV_SQL_CACHE_KEY_MAX 2048u

typedef struct lv_sql_cache lv_sql_cache;

typedef struct lv_sql_cache_stats {
  uint64_t hits;   /* answered from the cache */
  uint64_t misses; /* of a shape, classified */
  uint64_t stored; /* classifications remembered */
  uint64_t other;  /* texts without a shape, classified */
} lv_sql_cache_stats;

/* NULL when out of memory. */
lv_sql_cache *lv_sql_cache_new(void);
void lv_sql_cache_free(lv_sql_cache *cache);

/* lv_sql_classify (sql_classify.h), answered from the cache when a text of
 * the same shape was classified before. cache may be NULL (no cache). */
int lv_sql_classify_cached(lv_sql_cache *cache, const char *text, size_t len,
                           const lv_sql_session *s, lv_sql_result *out);

void lv_sql_cache_stats_get(const lv_sql_cache *cache, lv_sql_cache_stats *out);

/* The shape of text into key (cap bytes): its length, or 0 when the text
 * is not of the language above (or its shape is over cap). For tests. */
size_t lv_sql_shape(const char *text, size_t len, char *key, size_t cap);

#endif
