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

typedef struct fixture {
  char dir[64];
  char key[128];
  char db[128];
  char location[512]; /* DIR/data, or the URL with the test's schema */
  char schema[64];    /* PostgreSQL: the test's schema */
} fixture;

/* PostgreSQL: runs q on url (its search_path set by the URL), returning
 * the result (the caller clears it); fails the test on an error. */
static PGresult *pg_run(const char *url, const char *q) {
  const lv_pq *pq;
  levee_error err = {0};
  assert_int_equal(lv_pq_load(&pq, &err), 0);
  const char *keys[] = {"dbname", NULL}, *values[] = {url, NULL};
  PGconn *c = pq->connectdbParams(keys, values, 1);
  assert_non_null(c);
  if (pq->status(c) != CONNECTION_OK)
    fail_msg("%s: %s", url, pq->errorMessage(c));
  PGresult *r = pq->exec(c, q);
  ExecStatusType st = pq->resultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    fail_msg("%s: %s", q, pq->errorMessage(c));
  pq->finish(c); /* the result outlives its connection */
  return r;
}

static int setup(void **state) {
  static unsigned n;
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/levee-test-store-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->key, sizeof f->key, "%s/keys/store.key", f->dir);
  snprintf(f->db, sizeof f->db, "%s/data/levee.db", f->dir);
  snprintf(f->location, sizeof f->location, "%s/data", f->dir);
  const char *url = getenv("LEVEE_TEST_STORE_URL");
  if (url && *url) {
    snprintf(f->schema, sizeof f->schema, "lv_test_%d_%u", (int)getpid(), ++n);
    snprintf(f->location, sizeof f->location, "%s%coptions=-csearch_path%%3D%s",
             url, strchr(url, '?') ? '&' : '?', f->schema);
    char q[128];
    snprintf(q, sizeof q, "CREATE SCHEMA %s", f->schema);
    const lv_pq *pq;
    assert_int_equal(lv_pq_load(&pq, NULL), 0);
    pq->clear(pg_run(url, q));
  }
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char cmd[256];
  if (f->schema[0]) {
    const lv_pq *pq;
    assert_int_equal(lv_pq_load(&pq, NULL), 0);
    snprintf(cmd, sizeof cmd,
             "SET client_min_messages = warning; DROP SCHEMA %s CASCADE",
             f->schema);
    pq->clear(pg_run(getenv("LEVEE_TEST_STORE_URL"), cmd));
  }
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  if (system(cmd) != 0)
    return -1;
  free(f);
  return 0;
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

static void sql(fixture *f, const char *q) {
  if (f->schema[0]) {
    const lv_pq *pq;
    assert_int_equal(lv_pq_load(&pq, NULL), 0);
    pq->clear(pg_run(f->location, q));
    return;
  }
  sqlite3 *db;
  assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
  char *msg = NULL;
  int rc = sqlite3_exec(db, q, NULL, NULL, &msg);
  if (rc)
    fprintf(stderr, "%s: %s\n", q, msg);
  sqlite3_free(msg);
  sqlite3_close(db);
  assert_int_equal(rc, SQLITE_OK);
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_log_and_reopen, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tail_after_crash, setup, teardown),
      cmocka_unit_test_setup_teardown(test_recomputed_hashes_caught, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_wrong_key_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_two_readers_agree, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
