/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_fixture.h: a fresh audit store for each unit test of the store
 * (test_store.c, test_trace.c): a temporary directory with its key and
 * SQLite store, or, with LEVEE_TEST_STORE_URL set, a schema of its own in
 * that PostgreSQL database (dropped at teardown). Included by the test
 * files; its functions are static.
 */
#ifndef LV_TESTS_STORE_FIXTURE_H
#define LV_TESTS_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/pq_lib.h"
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

/* The fixture in *state; name names the temporary directory and schema
 * ("store": /tmp/levee-test-store-XXXXXX, lv_test_store_PID_N). */
static int store_fixture_setup(void **state, const char *name) {
  static unsigned n;
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/levee-test-%s-XXXXXX", name);
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->key, sizeof f->key, "%s/keys/store.key", f->dir);
  snprintf(f->db, sizeof f->db, "%s/data/levee.db", f->dir);
  snprintf(f->location, sizeof f->location, "%s/data", f->dir);
  const char *url = getenv("LEVEE_TEST_STORE_URL");
  if (url && *url) {
    snprintf(f->schema, sizeof f->schema, "lv_test_%s_%d_%u", name,
             (int)getpid(), ++n);
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

static int store_fixture_teardown(void **state) {
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

/* Opens the fixture's store (created when not read_only); fails the test
 * when it cannot. */
__attribute__((unused)) static lv_store *store_fixture_open(fixture *f,
                                                            int read_only) {
  lv_store_options o = {.location = f->location,
                        .key_path = f->key,
                        .create = !read_only,
                        .read_only = read_only};
  lv_store *s = NULL;
  levee_error err = {0};
  int rc = lv_store_open(&o, &s, NULL, &err);
  if (rc)
    fprintf(stderr, "open: %s\n", err.message);
  assert_int_equal(rc, 0);
  return s;
}

/* Runs SQL on the fixture's store, behind the log's back (tests of what
 * verification and migration find); fails the test on an error. */
__attribute__((unused)) static void sql(fixture *f, const char *q) {
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

#endif
