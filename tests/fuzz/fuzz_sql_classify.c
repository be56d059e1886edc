/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_sql_classify.c: libFuzzer target for the SQL classifier of levee
 * dbguard (src/sql/).
 *
 * The first byte picks the session: bit 0 turns standard_conforming_strings
 * off, the rest picks the client encoding (UTF8, SQL_ASCII, GBK, BIG5,
 * SJIS, LATIN1, ... and a name that is not an encoding); the other bytes
 * are the SQL text. Besides the sanitizers' checks, every run verifies the
 * result's contract and aborts on a violation:
 *   - the text is NUL-terminated UTF-8 (unless the session is SQL_ASCII);
 *   - every statement lies inside the text; a statement with ops has a
 *     reason, one without has none; reasons are NUL-terminated UTF-8;
 *   - ops is the union of the statements' ops, and the reason is the first
 *     statement's with ops; the fingerprint is the first statement's;
 *   - classifying the same text again gives the same result;
 *   - the shape cache (sql_cache.h) answers as the classifier does: a text
 *     of the same shape with other numbers in it (the shape's marks
 *     replaced by numbers of other values and lengths) is classified
 *     through the cache first, then the input; whatever the cache
 *     remembered, the input's answer must be the classifier's. The cache
 *     lives for the whole run, so inputs also meet shapes of inputs
 *     before them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "levee/levee.h"
#include "sql/sql_cache.h"
#include "sql/sql_classify.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libpg_query 15-4.0.0 leaks its parser's captured stderr (one strdup)
 * each time its PL/pgSQL parser fails; src/sql/sql_plpgsql.c bounds how
 * often that can happen in a process. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
  return "leak:pg_query_raw_parse\n";
}

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_sql_classify: invariant failed: %s (line %d)\n",   \
              #cond, __LINE__);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static const char *const encodings[] = {
    NULL,     "UTF8",    "SQL_ASCII", "GBK",     "BIG5",  "SJIS",
    "LATIN1", "GB18030", "EUC_JP",    "WIN1251", "KOI8R", "UHC",
    "EUC_TW", "WIN1258", "utf-8",     "nonsense"};

static int reason_ok(const char *r) {
  size_t n = strnlen(r, LV_SQL_REASON_MAX);
  return n < LV_SQL_REASON_MAX && lv_utf8_valid(r, n);
}

static int same_result(const lv_sql_result *a, const lv_sql_result *b) {
  if (a->ops != b->ops || a->n_stmts != b->n_stmts ||
      a->fingerprint != b->fingerprint || a->text_len != b->text_len ||
      strcmp(a->reason, b->reason) != 0 ||
      memcmp(a->text, b->text, a->text_len) != 0)
    return 0;
  for (size_t k = 0; k < a->n_stmts; k++) {
    const lv_sql_statement *x = &a->stmts[k], *y = &b->stmts[k];
    if (x->offset != y->offset || x->len != y->len || x->ops != y->ops ||
        x->fingerprint != y->fingerprint || strcmp(x->reason, y->reason) != 0 ||
        strcmp(x->prepare, y->prepare) != 0 ||
        strcmp(x->execute, y->execute) != 0 ||
        strcmp(x->deallocate, y->deallocate) != 0 ||
        x->deallocate_all != y->deallocate_all)
      return 0;
  }
  return 1;
}

/* Numbers put in place of the shape's marks: lengths and values where the
 * grammar could care (int4 and int8 limits, float(p)'s 24 and 53). */
static const char *const numbers[] = {"0",
                                      "1",
                                      "7",
                                      "00",
                                      "24",
                                      "25",
                                      "53",
                                      "54",
                                      "100",
                                      "2147483647",
                                      "2147483648",
                                      "9223372036854775808",
                                      "99999999999999999999999999"};

/* The shape-cache check: aborts when the cache answers wrongly. */
static void check_cache(const char *text, size_t len, const lv_sql_session *s,
                        const lv_sql_result *fresh, unsigned seed, int off) {
  static lv_sql_cache *cache;
  if (!cache && !(cache = lv_sql_cache_new()))
    return;
  char key[LV_SQL_CACHE_KEY_MAX];
  size_t kn = lv_sql_shape(text, len, key, sizeof key);
  if (kn) {
    /* another text of the shape, through the cache first */
    char *other = malloc(kn * 26 + 1);
    if (!other)
      return;
    size_t o = 0;
    for (size_t i = 0; i < kn; i++) {
      if (key[i] != '\x01') {
        other[o++] = key[i];
        continue;
      }
      const char *n = numbers[seed++ % (sizeof numbers / sizeof numbers[0])];
      while (*n)
        other[o++] = *n++;
    }
    char key2[LV_SQL_CACHE_KEY_MAX];
    size_t kn2 = lv_sql_shape(other, o, key2, sizeof key2);
    CHECK(kn2 == kn && memcmp(key, key2, kn) == 0);
    lv_sql_result r;
    if (lv_sql_classify_cached(cache, other, o, s, &r) == LEVEE_OK)
      lv_sql_result_free(&r);
    free(other);
  }
  lv_sql_result r;
  if (lv_sql_classify_cached(cache, text, len, s, &r) != LEVEE_OK)
    return;
  /* as the classifier says (unless PL/pgSQL was switched off meanwhile) */
  if (off == lv_sql_plpgsql_off()) {
    if (!same_result(&r, fresh)) {
      fprintf(stderr, "fuzz_sql_classify: the shape cache answered "
                      "otherwise than the classifier\n");
      abort();
    }
  }
  lv_sql_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  lv_sql_session s;
  s.standard_conforming_strings = !(data[0] & 1);
  s.client_encoding =
      encodings[(data[0] >> 1) % (sizeof encodings / sizeof encodings[0])];
  const char *text = (const char *)data + 1;
  size_t len = size - 1;
  int off = lv_sql_plpgsql_off();
  lv_sql_result r;
  int rc = lv_sql_classify(text, len, &s, &r);
  if (rc != LEVEE_OK) {
    CHECK(rc == LEVEE_ENOMEM);
    return 0;
  }
  CHECK(r.text != NULL);
  CHECK(r.text[r.text_len] == '\0');
  if (!s.client_encoding || strcmp(s.client_encoding, "SQL_ASCII") != 0)
    CHECK(lv_utf8_valid(r.text, r.text_len));
  CHECK(reason_ok(r.reason));
  CHECK((r.ops == 0) == (r.reason[0] == '\0'));
  CHECK((r.ops & ~0x1Fu) == 0);
  unsigned all = 0;
  const char *first_reason = NULL;
  for (size_t k = 0; k < r.n_stmts; k++) {
    const lv_sql_statement *st = &r.stmts[k];
    CHECK(st->offset <= r.text_len && st->len <= r.text_len - st->offset);
    CHECK(reason_ok(st->reason));
    CHECK((st->ops == 0) == (st->reason[0] == '\0'));
    CHECK(strnlen(st->prepare, LV_SQL_NAME_MAX) < LV_SQL_NAME_MAX);
    CHECK(strnlen(st->execute, LV_SQL_NAME_MAX) < LV_SQL_NAME_MAX);
    CHECK(strnlen(st->deallocate, LV_SQL_NAME_MAX) < LV_SQL_NAME_MAX);
    if (st->ops && !first_reason)
      first_reason = st->reason;
    all |= st->ops;
  }
  if (r.n_stmts) {
    CHECK(all == r.ops);
    CHECK(r.fingerprint == r.stmts[0].fingerprint);
    if (first_reason)
      CHECK(strcmp(first_reason, r.reason) == 0);
  } else {
    CHECK(r.fingerprint == 0);
  }
  lv_sql_result again;
  rc = lv_sql_classify(text, len, &s, &again);
  /* the same, unless the PL/pgSQL parser was switched off for the process
   * since the first (LV_SQL_MAX_PLPGSQL_FAILURES): then bodies are
   * unresolved */
  if (off != lv_sql_plpgsql_off()) {
    if (rc == LEVEE_OK)
      lv_sql_result_free(&again);
    lv_sql_result_free(&r);
    return 0;
  }
  if (rc == LEVEE_OK) {
    CHECK(again.ops == r.ops);
    CHECK(again.n_stmts == r.n_stmts);
    CHECK(again.fingerprint == r.fingerprint);
    CHECK(strcmp(again.reason, r.reason) == 0);
    lv_sql_result_free(&again);
  }
  check_cache(text, len, &s, &r, (unsigned)size, off);
  lv_sql_result_free(&r);
  return 0;
}
