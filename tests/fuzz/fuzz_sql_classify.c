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
 *   - classifying the same text again gives the same result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "levee/levee.h"
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  lv_sql_session s;
  s.standard_conforming_strings = !(data[0] & 1);
  s.client_encoding =
      encodings[(data[0] >> 1) % (sizeof encodings / sizeof encodings[0])];
  const char *text = (const char *)data + 1;
  size_t len = size - 1;
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
  if (rc == LEVEE_OK) {
    /* the same, unless the PL/pgSQL parser was just switched off for the
     * process (LV_SQL_MAX_PLPGSQL_FAILURES): then bodies are unresolved */
    if (again.ops == r.ops) {
      CHECK(again.n_stmts == r.n_stmts);
      CHECK(again.fingerprint == r.fingerprint);
      CHECK(strcmp(again.reason, r.reason) == 0);
    } else {
      CHECK(again.ops & LV_SQL_UNRESOLVED);
    }
    lv_sql_result_free(&again);
  }
  lv_sql_result_free(&r);
  return 0;
}
