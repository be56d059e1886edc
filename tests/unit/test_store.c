/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store.c: the audit log over the SQLite back end (src/store/store.c):
 * records get dense sequence numbers, commits are atomic (a rollback
 * forgets the records and the tree state), re-adding an event id is a
 * no-op, records of other types are logged, a reopened store continues its
 * log, an unsigned tail after a crash is signed on the next open, and
 * verification catches a record changed together with its stored hashes
 * and leaf, through the signed checkpoint.
 *
 * Without a search text, the store lists events by its filters (alerts
 * only, a department, a category prefix, a keyset cursor that stays put
 * while events arrive) from indexes, and counts them by day (in a time
 * zone, times before 1970 too), category (an event once in each of its
 * categories), department, channel, action and severity, bounded; an
 * older schema gains the indexes on open.
 *
 * With LEVEE_TEST_STORE_URL=postgres://... the same tests run over the
 * PostgreSQL back end (tests/integration/test_store_pg.sh sets it): each
 * test's store is a schema of its own in that database.
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
#include <sqlite3.h>

#include "store/evidence.h"
#include "store/pq_lib.h"
#include "store/record.h"
#include "store/store.h"
#include "store/store_backend.h"
#include "util/limits.h"

#include "store_fixture.h"

static int setup(void **state) {
  return store_fixture_setup(state, "store");
}

static int teardown(void **state) {
  return store_fixture_teardown(state);
}

static uint64_t verify_chunk; /* for verify's two readers; 0: default */

static lv_store *open_store(fixture *f, int read_only, lv_store_opened *info) {
  lv_store_options o = {.location = f->location,
                        .key_path = f->key,
                        .create = !read_only,
                        .read_only = read_only,
                        .checkpoint_records = 4,
                        .verify_chunk = verify_chunk};
  lv_store *s = NULL;
  levee_error err = {0};
  int rc = lv_store_open(&o, &s, info, &err);
  if (rc)
    fprintf(stderr, "open: %s\n", err.message);
  assert_int_equal(rc, 0);
  return s;
}

static levee_str S(const char *s) {
  return (levee_str){s, strlen(s)};
}

/* An event with one finding, as lv_evidence_from would give it. */
static uint64_t add_event(lv_store *s, const char *id, const char *text) {
  lv_ev_finding fd = {
      S("rule"),    S("classified.marking"), -1, 0, 3, 1.0, S("block"),
      S("critical")};
  lv_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.id = S(id);
  ev.time_ms = 1700000000000;
  ev.channel = S("wechat");
  ev.conversation_external = -1;
  ev.sender_id = S("u1");
  ev.action = S("block");
  ev.severity = S("critical");
  ev.findings = &fd;
  ev.n_findings = 1;
  lv_content c;
  memset(&c, 0, sizeof c);
  c.text = S(text);
  c.excerpts = S("[\"x\"]");
  uint64_t seq = 99;
  levee_error err = {0};
  assert_int_equal(lv_store_add_event(s, S("tester"), &ev, &c, &seq, &err), 0);
  return seq;
}

typedef struct problems {
  int n, kinds[16];
  uint64_t seqs[16];
} problems;

static void collect(void *ud, const lv_verify_problem *p) {
  problems *ps = ud;
  if (ps->n < 16) {
    ps->kinds[ps->n] = p->kind;
    ps->seqs[ps->n] = p->seq;
  }
  ps->n++;
}

static problems verify(fixture *f, lv_verify_summary *sum) {
  lv_store_opened info;
  lv_store *s = open_store(f, 1, &info);
  uint8_t pub[32];
  for (int i = 0; i < 32; i++) {
    unsigned v;
    sscanf(info.public_key + 2 * i, "%2x", &v);
    pub[i] = (uint8_t)v;
  }
  problems ps = {0};
  levee_error err = {0};
  assert_int_equal(lv_store_verify(s, pub, collect, &ps, sum, &err), 0);
  assert_int_equal(lv_store_close(s, NULL), 0);
  return ps;
}

static void test_log_and_reopen(void **state) {
  fixture *f = *state;
  lv_store_opened info;
  lv_store *s = open_store(f, 0, &info);
  assert_true(info.created);
  assert_true(info.key_created);
  levee_error err = {0};
  assert_int_equal(lv_store_begin(s, &err), 0);
  assert_int_equal(add_event(s, "e1", "机密★1年"), 1);
  assert_int_equal(add_event(s, "e2", "下午开会"), 2);
  assert_int_equal(add_event(s, "e1", "again"), 0); /* a no-op */
  uint64_t seq = 0;
  assert_int_equal(lv_store_add_record(s, S("tester"), "search", "ok",
                                       S("{\"query\":\"机密\"}"), &seq, &err),
                   0);
  assert_int_equal(seq, 3);
  assert_int_equal(lv_store_commit(s, &err), 0);
  /* A rolled-back batch leaves nothing, in the database or the log. */
  assert_int_equal(lv_store_begin(s, &err), 0);
  assert_int_equal(add_event(s, "e3", "lost"), 4);
  lv_store_rollback(s);
  assert_int_equal(lv_store_begin(s, &err), 0);
  assert_int_equal(add_event(s, "e3", "kept"), 4);
  assert_int_equal(lv_store_commit(s, &err), 0);
  assert_int_equal(lv_store_close(s, &err), 0);

  s = open_store(f, 0, &info);
  assert_false(info.created);
  assert_false(info.key_created);
  assert_int_equal(info.records, 4);
  assert_int_equal(info.tail_signed, 0);
  assert_int_equal(lv_store_begin(s, &err), 0);
  for (int i = 0; i < 9; i++) {
    char id[16];
    snprintf(id, sizeof id, "n%d", i);
    assert_int_equal(add_event(s, id, "普通消息"), 5 + (uint64_t)i);
    assert_int_equal(lv_store_commit(s, &err), 0);
    assert_int_equal(lv_store_begin(s, &err), 0);
  }
  assert_int_equal(lv_store_commit(s, &err), 0);
  assert_int_equal(lv_store_close(s, &err), 0);

  lv_verify_summary sum;
  problems ps = verify(f, &sum);
  assert_int_equal(ps.n, 0);
  assert_int_equal(sum.records, 13);
  assert_int_equal(sum.events, 12);
  assert_true(sum.checkpoints >= 3); /* every 4 records, and at close */
  assert_int_equal(sum.problems, 0);
}

static void test_tail_after_crash(void **state) {
  fixture *f = *state;
  lv_store_opened info;
  lv_store *s = open_store(f, 0, &info);
  levee_error err = {0};
  assert_int_equal(lv_store_begin(s, &err), 0);
  add_event(s, "a", "one");
  add_event(s, "b", "two");
  assert_int_equal(lv_store_commit(s, &err), 0);
  assert_int_equal(lv_store_close(s, &err), 0);
  /* The crash: the last checkpoint never made it. */
  sql(f,
      "DELETE FROM checkpoint WHERE seq = (SELECT max(seq) FROM checkpoint)");
  lv_verify_summary sum;
  problems ps = verify(f, &sum);
  assert_int_equal(sum.problems, 0);
  assert_int_equal(sum.unsigned_tail, 2);
  assert_int_equal(ps.n, 1);
  assert_int_equal(ps.kinds[0], LV_VERIFY_UNSIGNED_TAIL);
  s = open_store(f, 0, &info);
  assert_int_equal(info.tail_signed, 2);
  assert_int_equal(lv_store_close(s, &err), 0);
  ps = verify(f, &sum);
  assert_int_equal(ps.n, 0);
}

/* A forger who changes a message and recomputes its content hash, the
 * leaf, and the saved tree state: every row agrees with itself, and only
 * the signed checkpoint shows the change. */
static void test_recomputed_hashes_caught(void **state) {
  fixture *f = *state;
  lv_store_opened info;
  lv_store *s = open_store(f, 0, &info);
  levee_error err = {0};
  assert_int_equal(lv_store_begin(s, &err), 0);
  for (int i = 0; i < 6; i++) {
    char id[8];
    snprintf(id, sizeof id, "m%d", i);
    add_event(s, id, "原文");
  }
  assert_int_equal(lv_store_commit(s, &err), 0);
  assert_int_equal(lv_store_close(s, &err), 0);

  /* Recompute record 2 as if its text were "改过": content hash, leaf.
   * The stored values are read as text, blobs in hex, from either back
   * end. */
  char v[7][128];
  static const char q_sqlite[] =
      "SELECT hex(c.salt), c.excerpts, r.time_ms, r.actor, r.type,"
      " r.outcome, hex(r.detail_hash) FROM content c"
      " JOIN record r ON r.seq = c.seq WHERE c.seq = 2";
  static const char q_pg[] =
      "SELECT encode(c.salt, 'hex'), c.excerpts, r.time_ms,"
      " convert_from(r.actor, 'UTF8'), r.type, r.outcome,"
      " encode(r.detail_hash, 'hex') FROM content c"
      " JOIN record r ON r.seq = c.seq WHERE c.seq = 2";
  if (f->schema[0]) {
    const lv_pq *pq;
    assert_int_equal(lv_pq_load(&pq, NULL), 0);
    PGresult *r = pg_run(f->location, q_pg);
    assert_int_equal(pq->ntuples(r), 1);
    for (int i = 0; i < 7; i++)
      snprintf(v[i], sizeof v[i], "%s", pq->getvalue(r, 0, i));
    pq->clear(r);
  } else {
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, q_sqlite, -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    for (int i = 0; i < 7; i++)
      snprintf(v[i], sizeof v[i], "%s", sqlite3_column_text(st, i));
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  lv_content c;
  memset(&c, 0, sizeof c);
  for (size_t i = 0; i < sizeof c.salt; i++) {
    unsigned x;
    sscanf(v[0] + 2 * i, "%2x", &x);
    c.salt[i] = (uint8_t)x;
  }
  c.text = S("改过");
  c.excerpts = S(v[1]);
  lv_record rec;
  rec.head =
      (lv_record_head){2, strtoll(v[2], NULL, 10), S(v[3]), S(v[4]), S(v[5])};
  for (int i = 0; i < LV_SHA256_LEN; i++) {
    unsigned x;
    sscanf(v[6] + 2 * i, "%2x", &x);
    rec.detail_hash[i] = (uint8_t)x;
  }
  lv_sha256 h;
  assert_int_equal(lv_sha256_init(&h), 0);
  lv_content_hash(&h, &c, rec.content_hash);
  lv_record_leaf(&h, &rec);
  lv_sha256_cleanup(&h);
  char ch[2 * LV_SHA256_LEN + 1], lf[2 * LV_SHA256_LEN + 1], q[512];
  for (int i = 0; i < LV_SHA256_LEN; i++) {
    snprintf(ch + 2 * i, 3, "%02x", rec.content_hash[i]);
    snprintf(lf + 2 * i, 3, "%02x", rec.leaf[i]);
  }
  if (f->schema[0])
    snprintf(q, sizeof q,
             "UPDATE content SET text = convert_to('改过', 'UTF8')"
             " WHERE seq = 2; UPDATE record SET content_hash = '\\x%s',"
             " leaf = '\\x%s' WHERE seq = 2",
             ch, lf);
  else
    snprintf(q, sizeof q,
             "UPDATE content SET text = '改过' WHERE seq = 2;"
             " UPDATE record SET content_hash = X'%s', leaf = X'%s'"
             " WHERE seq = 2",
             ch, lf);
  sql(f, q);

  lv_verify_summary sum;
  problems ps = verify(f, &sum);
  assert_int_equal(ps.n, 1);
  assert_int_equal(ps.kinds[0], LV_VERIFY_LOG_MISMATCH);
  assert_int_equal(ps.seqs[0], 1); /* the checkpoint covers records 1-6 */
  assert_int_equal(sum.problems, 1);
}

static void test_wrong_key_refused(void **state) {
  fixture *f = *state;
  lv_store_opened info;
  lv_store *s = open_store(f, 0, &info);
  assert_int_equal(lv_store_close(s, NULL), 0);
  /* Another key file for the same store. */
  char other[160];
  snprintf(other, sizeof other, "%s/keys/other.key", f->dir);
  lv_store_options o = {
      .location = f->location, .key_path = other, .create = 1};
  levee_error err = {0};
  assert_int_equal(lv_store_open(&o, &s, &info, &err), LEVEE_ETAMPER);
  assert_non_null(strstr(err.message, "another key"));
}

/* Verifying with two readers (chunks of 8 records: the log is read by two
 * connections, every other chunk each) finds exactly what one reader
 * finds: missing records, missing content, and the checkpoints. */
static void test_two_readers_agree(void **state) {
  fixture *f = *state;
  lv_store_opened info;
  lv_store *s = open_store(f, 0, &info);
  levee_error err = {0};
  assert_int_equal(lv_store_begin(s, &err), 0);
  for (int i = 0; i < 200; i++) {
    char id[16];
    snprintf(id, sizeof id, "t%d", i);
    add_event(s, id, "两个读者");
    if (i % 50 == 49) {
      assert_int_equal(lv_store_commit(s, &err), 0);
      assert_int_equal(lv_store_begin(s, &err), 0);
    }
  }
  assert_int_equal(lv_store_commit(s, &err), 0);
  assert_int_equal(lv_store_close(s, &err), 0);
  lv_verify_summary one, two;
  verify_chunk = 8;
  problems p2 = verify(f, &two);
  verify_chunk = 0;
  problems p1 = verify(f, &one);
  assert_int_equal(p1.n, 0);
  assert_int_equal(p2.n, 0);
  assert_int_equal(two.records, 200);
  assert_int_equal(two.checkpoints, one.checkpoints);
  sql(f, "DELETE FROM record WHERE seq = 57");
  sql(f, "DELETE FROM content WHERE seq = 90");
  verify_chunk = 8;
  p2 = verify(f, &two);
  verify_chunk = 0;
  p1 = verify(f, &one);
  assert_true(p1.n >= 2);
  assert_int_equal(p2.n, p1.n);
  for (int i = 0; i < p1.n && i < 16; i++) {
    assert_int_equal(p2.kinds[i], p1.kinds[i]);
    assert_int_equal(p2.seqs[i], p1.seqs[i]);
  }
  assert_int_equal(two.records, one.records);
  assert_int_equal(two.records, 199);
  assert_int_equal(two.problems, one.problems);
  /* Rows of no record, found as the tables are read: before the first
   * record and after the last are inserted; those a missing record left,
   * at the end of a chunk too, are not named again. */
  sql(f, "DELETE FROM record WHERE seq = 64");
  sql(f, "INSERT INTO content_deleted(seq, purge_seq) VALUES (0, 3)");
  sql(f, "INSERT INTO record_expired(seq, purge_seq) VALUES (500, 3)");
  verify_chunk = 8;
  p2 = verify(f, &two);
  verify_chunk = 0;
  p1 = verify(f, &one);
  assert_int_equal(p2.n, p1.n);
  int inserted = 0;
  for (int i = 0; i < p1.n && i < 16; i++) {
    assert_int_equal(p2.kinds[i], p1.kinds[i]);
    assert_int_equal(p2.seqs[i], p1.seqs[i]);
    if (p1.kinds[i] == LV_VERIFY_INSERTED) {
      assert_true(p1.seqs[i] == 0 || p1.seqs[i] == 500);
      inserted++;
    }
  }
  assert_int_equal(inserted, 2);
}

/* --- listings and counts without a search text -------------------------- */

/* An event of its own kind: its categories (one finding each) decide
 * nothing here; action and severity are the verdict's. */
typedef struct ev_spec {
  const char *id;
  int64_t time_ms;
  const char *channel, *dept, *action, *severity;
  const char *cats[3];
  const char *text;
} ev_spec;

static levee_str O(const char *s) { /* absent when NULL */
  return (levee_str){s, s ? strlen(s) : 0};
}

static uint64_t add_spec(lv_store *s, const ev_spec *e) {
  lv_ev_finding fd[3];
  size_t n = 0;
  for (; n < 3 && e->cats[n]; n++)
    fd[n] = (lv_ev_finding){S("rule"),    S(e->cats[n]), -1, 0, 1, 1.0,
                            S(e->action), S(e->severity)};
  lv_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.id = S(e->id);
  ev.time_ms = e->time_ms;
  ev.channel = S(e->channel);
  ev.conversation_external = -1;
  ev.sender_id = S("u1");
  ev.sender_dept = O(e->dept);
  ev.action = S(e->action);
  ev.severity = S(e->severity);
  ev.findings = n ? fd : NULL;
  ev.n_findings = n;
  lv_content c;
  memset(&c, 0, sizeof c);
  c.text = S(e->text);
  uint64_t seq = 0;
  levee_error err = {0};
  assert_int_equal(lv_store_add_event(s, S("tester"), &ev, &c, &seq, &err), 0);
  return seq;
}

/* Six events: times either side of midnight in China and before 1970,
 * two departments and none, an event with two findings of one category,
 * and one with two categories. */
/* clang-format off */
static const ev_spec six[] = {
    {"e1", 1704124799999, "wechat", "研发部", "allow", "info", {NULL},
     "下午开会"},
    {"e2", 1704124800000, "wechat", "研发部", "alert", "medium",
     {"pii.phone"}, "电话 13800138000"},
    {"e3", 1704189600000, "qq", "财务部", "block", "critical",
     {"classified.marking", "pii.id_card"}, "机密 报表"},
    {"e4", 1704243600000, "email", NULL, "hold", "high",
     {"pii.phone", "pii.phone"}, "电话 电话"},
    {"e5", -3600000, "wechat", "财务部", "allow", "info", {NULL}, "旧消息"},
    {"e6", 1704247200000, "wecom", "研发部", "redact", "high",
     {"financial.statement"}, "报表"},
};
/* clang-format on */

static lv_store *open_six(fixture *f) {
  lv_store_opened info;
  lv_store *s = open_store(f, 0, &info);
  levee_error err = {0};
  assert_int_equal(lv_store_begin(s, &err), 0);
  for (size_t i = 0; i < sizeof six / sizeof *six; i++)
    assert_int_equal(add_spec(s, &six[i]), i + 1);
  uint64_t seq;
  assert_int_equal(
      lv_store_add_record(s, S("tester"), "search", "ok", S("{}"), &seq, &err),
      0);
  assert_int_equal(lv_store_commit(s, &err), 0);
  return s;
}

typedef struct hits {
  size_t n;
  uint64_t seq[32];
  char dept[32][32], cats[32][64], text[32][64];
  int plan_has_index; /* a plan line named the alerts' index */
  size_t plan_lines;
} hits;

static void copy_str(char *out, size_t cap, levee_str v) {
  snprintf(out, cap, "%.*s", v.ptr ? (int)v.len : 6, v.ptr ? v.ptr : "(null)");
}

static int on_hit(void *ud, const lv_search_hit *h) {
  hits *x = ud;
  if (h->plan) {
    x->plan_lines++;
    x->plan_has_index |= strstr(h->plan, "event_alert") != NULL;
    return 0;
  }
  assert_true(x->n < 32);
  x->seq[x->n] = h->seq;
  copy_str(x->dept[x->n], sizeof x->dept[0], h->sender_dept);
  copy_str(x->cats[x->n], sizeof x->cats[0], h->categories);
  copy_str(x->text[x->n], sizeof x->text[0], h->text);
  x->n++;
  return 0;
}

static lv_search_request filters(void) {
  lv_search_request q;
  memset(&q, 0, sizeof q);
  q.since_ms = INT64_MIN;
  q.until_ms = INT64_MAX;
  q.limit = 100;
  return q;
}

/* The hits of q, as "seq,seq,..." */
static const char *list(lv_store *s, const lv_search_request *q, hits *x) {
  static char out[256];
  memset(x, 0, sizeof *x);
  levee_error err = {0};
  int rc = lv_store_search(s, q, on_hit, x, &err);
  if (rc)
    fprintf(stderr, "search: %s\n", err.message);
  assert_int_equal(rc, 0);
  out[0] = '\0';
  for (size_t i = 0; i < x->n; i++)
    snprintf(out + strlen(out), sizeof out - strlen(out), "%s%llu",
             i ? "," : "", (unsigned long long)x->seq[i]);
  return out;
}

static void test_list_without_text(void **state) {
  fixture *f = *state;
  lv_store *s = open_six(f);
  hits x;
  lv_search_request q = filters();
  /* Every event, newest first; records of other types are not events. */
  assert_string_equal(list(s, &q, &x), "6,5,4,3,2,1");
  assert_string_equal(x.dept[3], "财务部");
  assert_string_equal(x.dept[2], "(null)");
  assert_string_equal(x.cats[3], "classified.marking,pii.id_card");
  assert_string_equal(x.cats[5], "(null)");
  assert_string_equal(x.text[3], "机密 报表"); /* unmarked */
  q.text = S("");                              /* an empty text is no text */
  assert_string_equal(list(s, &q, &x), "6,5,4,3,2,1");
  q.text = (levee_str){NULL, 0};

  q.alerts_only = 1;
  assert_string_equal(list(s, &q, &x), "6,4,3,2");
  q.sender_dept = S("研发部");
  assert_string_equal(list(s, &q, &x), "6,2");
  q.alerts_only = 0;
  assert_string_equal(list(s, &q, &x), "6,2,1");
  q.sender_dept = S("研发");
  assert_string_equal(list(s, &q, &x), ""); /* exactly, not a prefix */
  q = filters();
  q.channel = S("wechat");
  q.alerts_only = 1;
  assert_string_equal(list(s, &q, &x), "2");
  q = filters();
  q.category = S("pii.");
  assert_string_equal(list(s, &q, &x), "4,3,2");
  q.category = S("pii.phone");
  assert_string_equal(list(s, &q, &x), "4,2");
  q.category = S("pii");
  assert_string_equal(list(s, &q, &x), "");
  q = filters();
  q.action = S("block");
  assert_string_equal(list(s, &q, &x), "3");
  q.action = S("allow");
  assert_string_equal(list(s, &q, &x), "5,1");
  q.alerts_only = 1; /* allow and not allow: nothing */
  assert_string_equal(list(s, &q, &x), "");
  q = filters();
  q.since_ms = 1704153600000;
  q.until_ms = 1704240000000;
  assert_string_equal(list(s, &q, &x), "3");
  /* Paging by offset, and by the keyset cursor. */
  q = filters();
  q.alerts_only = 1;
  q.offset = 1;
  q.limit = 2;
  assert_string_equal(list(s, &q, &x), "4,3");
  q.offset = 0;
  q.limit = 1;
  q.before_seq = 4;
  assert_string_equal(list(s, &q, &x), "3");
  q.limit = 0; /* nothing asked for, nothing given */
  assert_string_equal(list(s, &q, &x), "");

  /* A page stays put while alerts arrive: the first page, then two new
   * alerts, then the next page before the first page's last. */
  q = filters();
  q.alerts_only = 1;
  q.limit = 2;
  assert_string_equal(list(s, &q, &x), "6,4");
  uint64_t last = x.seq[x.n - 1];
  levee_error err = {0};
  assert_int_equal(lv_store_begin(s, &err), 0);
  ev_spec later = six[1];
  later.id = "e8";
  assert_int_equal(add_spec(s, &later), 8);
  later.id = "e9";
  assert_int_equal(add_spec(s, &later), 9);
  assert_int_equal(lv_store_commit(s, &err), 0);
  q.before_seq = last;
  assert_string_equal(list(s, &q, &x), "3,2");
  q.before_seq = 2;
  assert_string_equal(list(s, &q, &x), "");
  q.before_seq = 0;
  assert_string_equal(list(s, &q, &x), "9,8");

  /* The new filters apply to a full-text search too, and its hits say the
   * department. */
  q = filters();
  q.text = S("电话");
  assert_string_equal(list(s, &q, &x), "9,8,4,2");
  q.sender_dept = S("研发部");
  q.before_seq = 9;
  assert_string_equal(list(s, &q, &x), "8,2");
  assert_string_equal(x.dept[0], "研发部");
  q = filters();
  q.text = S("电话");
  q.alerts_only = 1;
  q.category = S("pii.");
  q.mark_open = "[";
  q.mark_close = "]";
  q.before_seq = 8;
  assert_string_equal(list(s, &q, &x), "4,2");
  assert_string_equal(x.text[0], "[电话] [电话]");
  q.text = S("★"); /* a text with nothing to search for is refused */
  assert_int_equal(lv_store_search(s, &q, on_hit, &x, &err), LEVEE_EINVAL);

  /* The plan of the newest alerts: through the alerts' index. */
  q = filters();
  q.alerts_only = 1;
  q.limit = 50;
  q.explain = 1;
  list(s, &q, &x);
  assert_true(x.plan_lines > 0);
  if (!f->schema[0]) /* PostgreSQL plans a table this small by its size */
    assert_true(x.plan_has_index);
  assert_int_equal(lv_store_close(s, &err), 0);

  lv_verify_summary sum;
  problems ps = verify(f, &sum);
  assert_int_equal(ps.n, 0);
}

typedef struct groups {
  size_t n;
  char text[512];
  int plan;
} groups;

static int on_group(void *ud, levee_str key, uint64_t count) {
  groups *g = ud;
  g->n++;
  size_t at = strlen(g->text);
  snprintf(g->text + at, sizeof g->text - at, "%s%.*s=%llu", at ? " " : "",
           key.ptr ? (int)key.len : 1, key.ptr ? key.ptr : "-",
           (unsigned long long)count);
  return 0;
}

/* The groups of q, as "key=count key=count ..." (absent key: "-"). */
static const char *count_by(lv_store *s, const lv_stats_request *q, groups *g) {
  memset(g, 0, sizeof *g);
  levee_error err = {0};
  int rc = lv_store_stats(s, q, on_group, g, &err);
  if (rc)
    fprintf(stderr, "stats: %s\n", err.message);
  assert_int_equal(rc, 0);
  return g->text;
}

static void test_stats(void **state) {
  fixture *f = *state;
  lv_store *s = open_six(f);
  groups g;
  lv_stats_request q;
  lv_stats_request_init(&q);
  assert_int_equal(q.tz_offset_min, 480);
  /* Days in China Standard Time (the default), in UTC, and in UTC-5. */
  assert_string_equal(count_by(s, &q, &g),
                      "1970-01-01=1 2024-01-01=1 2024-01-02=2 2024-01-03=2");
  q.tz_offset_min = 0;
  assert_string_equal(count_by(s, &q, &g),
                      "1969-12-31=1 2024-01-01=2 2024-01-02=1 2024-01-03=2");
  q.tz_offset_min = -300;
  assert_string_equal(count_by(s, &q, &g),
                      "1969-12-31=1 2024-01-01=2 2024-01-02=3");
  q.tz_offset_min = 480;
  q.filter.alerts_only = 1;
  assert_string_equal(count_by(s, &q, &g), "2024-01-02=2 2024-01-03=2");

  /* Categories: an event once in each of its categories, however many
   * findings it has of one; events without a finding as none, last. */
  lv_stats_request_init(&q);
  q.by = LV_STATS_CATEGORY;
  assert_string_equal(count_by(s, &q, &g),
                      "pii.phone=2 classified.marking=1 financial.statement=1"
                      " pii.id_card=1 -=2");
  q.filter.alerts_only = 1;
  assert_string_equal(count_by(s, &q, &g),
                      "pii.phone=2 classified.marking=1 financial.statement=1"
                      " pii.id_card=1");
  q.filter.alerts_only = 0;
  q.filter.category = S("pii."); /* only the categories asked for */
  assert_string_equal(count_by(s, &q, &g), "pii.phone=2 pii.id_card=1");
  q.filter.category = S("pii.id_card");
  assert_string_equal(count_by(s, &q, &g), "pii.id_card=1");

  lv_stats_request_init(&q);
  q.by = LV_STATS_DEPT;
  assert_string_equal(count_by(s, &q, &g), "研发部=3 财务部=2 -=1");
  q.filter.category = S("pii."); /* a filter on the event's findings */
  assert_string_equal(count_by(s, &q, &g), "研发部=1 财务部=1 -=1");
  q.by = LV_STATS_CHANNEL;
  q.filter.category = (levee_str){NULL, 0};
  assert_string_equal(count_by(s, &q, &g), "wechat=3 email=1 qq=1 wecom=1");
  q.limit = 2; /* the largest two */
  assert_string_equal(count_by(s, &q, &g), "wechat=3 email=1");
  q.limit = 0;
  q.filter.before_seq = 3;
  assert_string_equal(count_by(s, &q, &g), "wechat=2");
  q.filter.before_seq = 0;
  q.by = LV_STATS_ACTION;
  assert_string_equal(count_by(s, &q, &g),
                      "allow=2 alert=1 block=1 hold=1 redact=1");
  q.filter.sender_dept = S("研发部");
  q.filter.alerts_only = 1;
  assert_string_equal(count_by(s, &q, &g), "alert=1 redact=1");
  lv_stats_request_init(&q);
  q.by = LV_STATS_SEVERITY;
  assert_string_equal(count_by(s, &q, &g), "high=2 info=2 critical=1 medium=1");
  q.filter.since_ms = 1704153600000;
  q.filter.until_ms = 1704240000000;
  assert_string_equal(count_by(s, &q, &g), "critical=1");
  q.filter.channel = S("none-such");
  assert_string_equal(count_by(s, &q, &g), "");
  assert_int_equal(g.n, 0);

  /* The plan, and what is refused. */
  lv_stats_request_init(&q);
  q.filter.alerts_only = 1;
  q.explain = 1;
  count_by(s, &q, &g);
  assert_true(g.n > 0);
  if (!f->schema[0])
    assert_non_null(strstr(g.text, "event_alert"));
  lv_stats_request_init(&q);
  levee_error err = {0};
  q.filter.text = S("机密");
  assert_int_equal(lv_store_stats(s, &q, on_group, &g, &err), LEVEE_EINVAL);
  lv_stats_request_init(&q);
  q.tz_offset_min = 15 * 60;
  assert_int_equal(lv_store_stats(s, &q, on_group, &g, &err), LEVEE_EINVAL);
  lv_stats_request_init(&q);
  q.by = (lv_stats_by)99;
  assert_int_equal(lv_store_stats(s, &q, on_group, &g, &err), LEVEE_EINVAL);
  assert_int_equal(lv_store_close(s, &err), 0);
}

/* More days than an answer may have: refused unless the largest few are
 * asked for. */
static void test_stats_bounded(void **state) {
  fixture *f = *state;
  lv_store_opened info;
  lv_store *s = open_store(f, 0, &info);
  levee_error err = {0};
  assert_int_equal(lv_store_begin(s, &err), 0);
  for (unsigned i = 0; i <= LV_MAX_STATS_GROUPS; i++) {
    char id[16];
    snprintf(id, sizeof id, "d%u", i);
    ev_spec e = {id, (int64_t)i * 86400000, "qq", NULL, "alert", "low", {NULL},
                 "x"};
    add_spec(s, &e);
  }
  assert_int_equal(lv_store_commit(s, &err), 0);
  lv_stats_request q;
  lv_stats_request_init(&q);
  q.tz_offset_min = 0;
  groups g;
  memset(&g, 0, sizeof g);
  assert_int_equal(lv_store_stats(s, &q, on_group, &g, &err), LEVEE_ETOOBIG);
  assert_non_null(strstr(err.message, "more than"));
  assert_int_equal(g.n, LV_MAX_STATS_GROUPS);
  q.limit = 3;
  assert_string_equal(count_by(s, &q, &g),
                      "1970-01-01=1 1970-01-02=1 1970-01-03=1");
  q.by = LV_STATS_CHANNEL;
  q.limit = 0;
  assert_string_equal(count_by(s, &q, &g), "qq=10001");
  assert_int_equal(lv_store_close(s, &err), 0);
}

static void test_stats_names_and_days(void **state) {
  (void)state;
  char key[LV_STATS_DAY_KEY_MAX];
  static const struct {
    int64_t day;
    const char *key;
  } days[] = {{0, "1970-01-01"},       {-1, "1969-12-31"},
              {19723, "2024-01-01"},   {11016, "2000-02-29"},
              {-719528, "0000-01-01"}, {2932896, "9999-12-31"}};
  for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
    assert_int_equal(lv_stats_day_key(days[i].day, key), strlen(days[i].key));
    assert_string_equal(key, days[i].key);
  }
  /* The farthest an event's time can be still has a day. */
  assert_true(lv_stats_day_key(INT64_MAX / 86400000, key) > 0);
  assert_true(lv_stats_day_key(INT64_MIN / 86400000 - 1, key) > 0);
  static const char *const names[] = {"day",    "category", "dept",  "channel",
                                      "action", "severity", "sender"};
  for (size_t i = 0; i < 7; i++) {
    lv_stats_by by;
    assert_int_equal(lv_stats_by_parse(names[i], &by), 0);
    assert_int_equal(by, (lv_stats_by)i);
    assert_string_equal(lv_stats_by_name(by), names[i]);
  }
  lv_stats_by by = LV_STATS_DAY;
  assert_int_equal(lv_stats_by_parse("department", &by), -1);
  assert_int_equal(lv_stats_by_parse(NULL, &by), -1);
  assert_null(lv_stats_by_name((lv_stats_by)7));
}

/* The value of a one-number query on the store's database. */
static long long sql_value(fixture *f, const char *q_sqlite, const char *q_pg) {
  long long v = -1;
  if (f->schema[0]) {
    const lv_pq *pq;
    assert_int_equal(lv_pq_load(&pq, NULL), 0);
    PGresult *r = pg_run(f->location, q_pg);
    assert_int_equal(pq->ntuples(r), 1);
    v = strtoll(pq->getvalue(r, 0, 0), NULL, 10);
    pq->clear(r);
    return v;
  }
  sqlite3 *db;
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, q_sqlite, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

/* A store of the schema before listings (SQLite 5, PostgreSQL 2) gains
 * their indexes when opened to write, and lists the same. */
static void test_migration_adds_indexes(void **state) {
  fixture *f = *state;
  lv_store *s = open_six(f);
  levee_error err = {0};
  assert_int_equal(lv_store_close(s, &err), 0);
  static const char count_sqlite[] =
      "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN"
      " ('event_alert', 'event_alert_dept', 'event_alert_channel')";
  static const char count_pg[] =
      "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema()"
      " AND indexname IN ('event_alert', 'event_alert_dept',"
      " 'event_alert_channel')";
  assert_int_equal(sql_value(f, count_sqlite, count_pg), 3);
  if (f->schema[0])
    sql(f, "DROP INDEX event_alert, event_alert_dept, event_alert_channel;"
           " UPDATE meta SET value = '2' WHERE key = 'schema_version'");
  else
    sql(f, "DROP INDEX event_alert;"
           " DROP INDEX event_alert_dept; DROP INDEX event_alert_channel;"
           " PRAGMA user_version = 5");
  assert_int_equal(sql_value(f, count_sqlite, count_pg), 0);
  /* Read-only, the old schema is refused with what to do. */
  lv_store_options o = {
      .location = f->location, .key_path = f->key, .read_only = 1};
  assert_int_equal(lv_store_open(&o, &s, NULL, &err), LEVEE_ESTORE);
  assert_non_null(strstr(err.message, "levee ingest upgrades it"));
  lv_store_opened info;
  s = open_store(f, 0, &info);
  assert_int_equal(sql_value(f, count_sqlite, count_pg), 3);
  assert_int_equal(
      sql_value(f, "PRAGMA user_version",
                "SELECT value::int FROM meta WHERE key = 'schema_version'"),
      f->schema[0] ? 4 : 7);
  hits x;
  lv_search_request q = filters();
  q.alerts_only = 1;
  q.sender_dept = S("研发部");
  assert_string_equal(list(s, &q, &x), "6,2");
  assert_int_equal(lv_store_close(s, &err), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_log_and_reopen, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tail_after_crash, setup, teardown),
      cmocka_unit_test_setup_teardown(test_recomputed_hashes_caught, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_wrong_key_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_two_readers_agree, setup, teardown),
      cmocka_unit_test_setup_teardown(test_list_without_text, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stats_bounded, setup, teardown),
      cmocka_unit_test(test_stats_names_and_days),
      cmocka_unit_test_setup_teardown(test_migration_adds_indexes, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
