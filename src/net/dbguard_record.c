/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbguard_record.c: the database guard's audit records, type "dbop"
 * (docs/DBGUARD.md "The audit trail"). One for every statement (who, from
 * where, which database, the statement and its libpg_query fingerprint,
 * its categories, the decision and its rule, how it ended, rows, duration,
 * the hold and its approver); one for every connection (let in or
 * refused); one for every end of a hold. The actor is the database user.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "net/dbguard_int.h"
#include "util/json_writer.h"

size_t dbg_categories(unsigned ops, const char *names[8]) {
  size_t n = 0;
  for (unsigned bit = 1; bit && n < 8; bit <<= 1)
    if (ops & bit) {
      const char *name = lv_sql_category_name(bit);
      if (name)
        names[n++] = name;
    }
  return n;
}

int64_t dbg_now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

uint64_t dbg_mono_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void dbg_log(const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  /* the analyzer misses the va_start just above */
  // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  fprintf(stderr, "levee dbguard: %s\n", line);
}

/* The members every record has: who and from where. */
static void who(lv_jw *w, const dbg_conn *c, const char *kind) {
  lv_jw_key(w, "kind");
  lv_jw_cstring(w, kind);
  lv_jw_key(w, "session");
  lv_jw_int(w, c->id);
  lv_jw_key(w, "user");
  lv_jw_cstring(w, c->user);
  lv_jw_key(w, "database");
  lv_jw_cstring(w, c->database);
  lv_jw_key(w, "client");
  lv_jw_cstring(w, c->client_addr);
  if (c->application[0]) {
    lv_jw_key(w, "application");
    lv_jw_cstring(w, c->application);
  }
  lv_jw_key(w, "tls");
  lv_jw_bool(w, c->ssl != NULL);
}

/* A record someone waits for (a refusal, a hold's end) is written at
 * once; a statement that ran gathers with others. */
static uint64_t submit(dbg_conn *c, lv_buf *b, lv_jw *w, const char *outcome) {
  uint64_t t = 0;
  int urgent = strcmp(outcome, "ok") != 0 && strcmp(outcome, "error") != 0;
  if (!lv_jw_status(w))
    t = lv_dbguard_audit_add(c->srv->audit, c->user[0] ? c->user : "-", "dbop",
                             outcome, b->data, b->len, urgent);
  lv_buf_cleanup(b);
  if (!t)
    dbg_log("connection %u: an audit record was not queued", c->id);
  return t;
}

static void opt_string(lv_jw *w, const char *key, const char *v) {
  if (v && *v) {
    lv_jw_key(w, key);
    lv_jw_cstring(w, v);
  }
}

uint64_t dbg_record_statement(dbg_conn *c, const char *text, size_t len,
                              unsigned ops, uint64_t fingerprint,
                              const char *reason, levee_action action,
                              const char *rule, const char *outcome,
                              const char *sqlstate, int64_t rows,
                              int64_t duration_us, const char *hold_id,
                              const char *approver) {
  lv_buf *b = &c->srv->record;
  lv_jw w;
  lv_jw_init(&w, b);
  lv_jw_object_begin(&w);
  who(&w, c, "statement");
  int cut = len > DBG_RECORD_TEXT_MAX;
  lv_jw_key(&w, "statement");
  lv_jw_string(&w, text, cut ? DBG_RECORD_TEXT_MAX : len);
  if (cut) {
    lv_jw_key(&w, "statement_bytes");
    lv_jw_int(&w, (int64_t)len);
  }
  if (fingerprint) {
    char fp[17];
    snprintf(fp, sizeof fp, "%016llx", (unsigned long long)fingerprint);
    lv_jw_key(&w, "fingerprint");
    lv_jw_cstring(&w, fp);
  }
  lv_jw_key(&w, "categories");
  lv_jw_array_begin(&w);
  const char *names[8];
  size_t n = dbg_categories(ops, names);
  for (size_t i = 0; i < n; i++)
    lv_jw_cstring(&w, names[i]);
  lv_jw_array_end(&w);
  opt_string(&w, "reason", reason);
  lv_jw_key(&w, "action");
  lv_jw_cstring(&w, levee_action_name(action));
  opt_string(&w, "rule", rule);
  opt_string(&w, "sqlstate", sqlstate);
  if (rows >= 0) {
    lv_jw_key(&w, "rows");
    lv_jw_int(&w, rows);
  }
  if (duration_us >= 0) {
    lv_jw_key(&w, "duration_us");
    lv_jw_int(&w, duration_us);
  }
  opt_string(&w, "hold", hold_id);
  opt_string(&w, "approver", approver);
  lv_jw_object_end(&w);
  return submit(c, b, &w, outcome);
}

uint64_t dbg_record_connection(dbg_conn *c, const char *outcome,
                               const char *reason, const char *rule) {
  lv_buf *b = &c->srv->record;
  lv_jw w;
  lv_jw_init(&w, b);
  lv_jw_object_begin(&w);
  who(&w, c, "connection");
  opt_string(&w, "reason", reason);
  opt_string(&w, "rule", rule);
  lv_jw_object_end(&w);
  return submit(c, b, &w, outcome);
}

uint64_t dbg_record_hold(dbg_conn *c, const char *outcome,
                         const char *approver) {
  const dbg_decision *d = &c->dec;
  lv_buf *b = &c->srv->record;
  lv_jw w;
  lv_jw_init(&w, b);
  lv_jw_object_begin(&w);
  who(&w, c, "hold");
  lv_jw_key(&w, "hold");
  lv_jw_cstring(&w, d->hold_id);
  if (d->have_res) {
    size_t len = d->res.text_len;
    lv_jw_key(&w, "statement");
    lv_jw_string(&w, d->res.text,
                 len > DBG_RECORD_TEXT_MAX ? DBG_RECORD_TEXT_MAX : len);
  }
  lv_jw_key(&w, "categories");
  lv_jw_array_begin(&w);
  const char *names[8];
  size_t n = dbg_categories(d->ops, names);
  for (size_t i = 0; i < n; i++)
    lv_jw_cstring(&w, names[i]);
  lv_jw_array_end(&w);
  opt_string(&w, "reason", d->reason);
  opt_string(&w, "rule", d->rule);
  opt_string(&w, "approver", approver);
  lv_jw_key(&w, "waited_ms");
  lv_jw_int(&w, dbg_now_ms() - (int64_t)d->hold_started_ms);
  lv_jw_object_end(&w);
  return submit(c, b, &w, outcome);
}
