/* SPDX-License-Identifier: Apache-2.0 */
/*
 * search_index.c: the SQLite back end's full-text index, written by a
 * thread of its own (search_index.h).
 */
#include "store/search_index.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/fts5_bigram.h"
#include "util/error.h"

/* Bytes of text queued before lv_search_index_add waits for the thread. */
#define QUEUE_MAX_BYTES ((size_t)64 << 20)

typedef struct item {
  uint64_t seq;
  int remove;             /* a removal rather than texts to add */
  char *text, *extracted; /* owned; NULL when absent */
  size_t text_len, extracted_len;
} item;

struct lv_search_index {
  sqlite3 *db;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  item *q; /* queued, in order */
  size_t n, cap, bytes;
  size_t done_gen, want_gen; /* batches written, batches asked for */
  int busy;                  /* the thread holds a batch */
  int stop;
  int rc; /* the thread's first failure */
  char msg[200];
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS doc(seq INTEGER PRIMARY KEY, text TEXT,"
    " extracted TEXT);"
    "CREATE VIRTUAL TABLE IF NOT EXISTS content_fts USING fts5(text,"
    " extracted, content = 'doc', content_rowid = 'seq',"
    " tokenize = '" LV_FTS5_BIGRAM_NAME "');";

static int exec(sqlite3 *db, const char *sql, char *msg, size_t cap) {
  char *m = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &m) == SQLITE_OK)
    return LEVEE_OK;
  snprintf(msg, cap, "%s", m ? m : "SQLite error");
  sqlite3_free(m);
  return LEVEE_ESTORE;
}

static void item_free(item *it) {
  free(it->text);
  free(it->extracted);
}

static int bind_opt(sqlite3_stmt *st, int i, const char *p, size_t n) {
  return p ? sqlite3_bind_text64(st, i, p, n, SQLITE_STATIC, SQLITE_UTF8)
           : sqlite3_bind_null(st, i);
}

/* Writes a batch in one transaction. */
static int write_batch(lv_search_index *x, item *v, size_t n) {
  sqlite3_stmt *add_doc = NULL, *add_fts = NULL, *del_fts = NULL,
               *del_doc = NULL;
  int rc = exec(x->db, "BEGIN IMMEDIATE", x->msg, sizeof x->msg);
  if (rc)
    return rc;
  if (sqlite3_prepare_v2(x->db,
                         "INSERT OR IGNORE INTO doc(seq, text, extracted)"
                         " VALUES (?1, ?2, ?3)",
                         -1, &add_doc, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(x->db,
                         "INSERT INTO content_fts(rowid, text, extracted)"
                         " VALUES (?1, ?2, ?3)",
                         -1, &add_fts, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(x->db,
                         "INSERT INTO content_fts(content_fts, rowid, text,"
                         " extracted) SELECT 'delete', seq, text, extracted"
                         " FROM doc WHERE seq = ?1",
                         -1, &del_fts, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(x->db, "DELETE FROM doc WHERE seq = ?1", -1, &del_doc,
                         NULL) != SQLITE_OK) {
    snprintf(x->msg, sizeof x->msg, "%s", sqlite3_errmsg(x->db));
    rc = LEVEE_ESTORE;
  }
  for (size_t i = 0; !rc && i < n; i++) {
    item *it = &v[i];
    sqlite3_stmt *steps[2] = {add_doc, add_fts};
    if (it->remove) {
      steps[0] = del_fts;
      steps[1] = del_doc;
    }
    for (int k = 0; k < 2 && !rc; k++) {
      sqlite3_stmt *st = steps[k];
      sqlite3_bind_int64(st, 1, (sqlite3_int64)it->seq);
      if (!it->remove) {
        bind_opt(st, 2, it->text, it->text_len);
        bind_opt(st, 3, it->extracted, it->extracted_len);
      }
      if (sqlite3_step(st) != SQLITE_DONE) {
        snprintf(x->msg, sizeof x->msg, "%s", sqlite3_errmsg(x->db));
        rc = LEVEE_ESTORE;
      }
      sqlite3_reset(st);
      /* A record already indexed (caught up at open) is not indexed
       * twice. */
      if (!rc && !it->remove && k == 0 && sqlite3_changes(x->db) == 0)
        break;
    }
  }
  sqlite3_finalize(add_doc);
  sqlite3_finalize(add_fts);
  sqlite3_finalize(del_fts);
  sqlite3_finalize(del_doc);
  if (!rc)
    rc = exec(x->db, "COMMIT", x->msg, sizeof x->msg);
  if (rc)
    (void)exec(x->db, "ROLLBACK", x->msg + strlen(x->msg), 0);
  return rc;
}

static void *writer(void *arg) {
  lv_search_index *x = arg;
  pthread_mutex_lock(&x->mu);
  for (;;) {
    while (!x->n && !x->stop)
      pthread_cond_wait(&x->cv, &x->mu);
    if (!x->n)
      break; /* stop, and nothing left */
    item *v = x->q;
    size_t n = x->n;
    x->q = NULL;
    x->n = x->cap = x->bytes = 0;
    x->busy = 1;
    pthread_mutex_unlock(&x->mu);
    int rc = x->rc ? x->rc : write_batch(x, v, n);
    for (size_t i = 0; i < n; i++)
      item_free(&v[i]);
    free(v);
    pthread_mutex_lock(&x->mu);
    if (rc && !x->rc)
      x->rc = rc;
    x->busy = 0;
    x->done_gen++;
    pthread_cond_broadcast(&x->cv);
  }
  pthread_mutex_unlock(&x->mu);
  return NULL;
}

/* Adds the records levee.db has and the index lacks, and removes what
 * retention deleted, in one transaction (the index database's connection
 * has levee.db attached, read only, as "ev"). */
static int catch_up(lv_search_index *x) {
  /* BEGIN, not BEGIN IMMEDIATE: that would also want levee.db's write lock,
   * which the store's writer may hold. Only search.db is written. */
  static const char sql[] =
      "BEGIN;"
      "INSERT INTO doc(seq, text, extracted) SELECT seq, text, extracted"
      " FROM ev.content WHERE seq > (SELECT coalesce(max(seq), 0) FROM doc);"
      "INSERT INTO content_fts(rowid, text, extracted) SELECT seq, text,"
      " extracted FROM doc WHERE seq > (SELECT coalesce(max(rowid), 0) FROM"
      " content_fts_docsize);"
      "INSERT INTO content_fts(content_fts, rowid, text, extracted)"
      " SELECT 'delete', seq, text, extracted FROM doc WHERE seq IN"
      " (SELECT seq FROM ev.content_deleted UNION SELECT seq FROM"
      " ev.record_expired);"
      "DELETE FROM doc WHERE seq IN (SELECT seq FROM ev.content_deleted"
      " UNION SELECT seq FROM ev.record_expired);"
      "COMMIT;";
  int rc = exec(x->db, sql, x->msg, sizeof x->msg);
  if (rc)
    (void)exec(x->db, "ROLLBACK", x->msg + strlen(x->msg), 0);
  return rc;
}

int lv_search_index_open(const char *dir, lv_search_index **out,
                         levee_error *err) {
  char path[4096], ev[4200];
  if ((size_t)snprintf(path, sizeof path, "%s/search.db", dir) >= sizeof path)
    return lv_error_set(err, LEVEE_ESTORE, "%s: path too long", dir);
  lv_search_index *x = calloc(1, sizeof *x);
  if (!x)
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  pthread_mutex_init(&x->mu, NULL);
  pthread_cond_init(&x->cv, NULL);
  int rc = LEVEE_OK;
  if (sqlite3_open_v2(path, &x->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                          SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK) {
    rc = lv_error_set(err, LEVEE_ESTORE, "%s: %s", path,
                      x->db ? sqlite3_errmsg(x->db) : "cannot open");
    goto fail;
  }
  sqlite3_busy_timeout(x->db, 30000);
  snprintf(ev, sizeof ev, "ATTACH DATABASE '%s/levee.db' AS ev", dir);
  /* Derived data: synchronous=NORMAL (a crash may lose the last batches,
   * which the next open catches up). Pages of 16 KiB, as in levee.db. */
  if ((rc = lv_fts5_bigram_register(x->db)) ||
      (rc = exec(x->db, "PRAGMA page_size = 16384", x->msg, sizeof x->msg)) ||
      (rc = exec(x->db, "PRAGMA journal_mode = WAL", x->msg, sizeof x->msg)) ||
      (rc =
           exec(x->db, "PRAGMA synchronous = NORMAL", x->msg, sizeof x->msg)) ||
      (rc = exec(x->db, "PRAGMA cache_size = -65536", x->msg, sizeof x->msg)) ||
      (rc = exec(x->db, schema, x->msg, sizeof x->msg)) ||
      (rc = (strchr(dir, '\'') ? LEVEE_EINVAL
                               : exec(x->db, ev, x->msg, sizeof x->msg))) ||
      (rc = catch_up(x)) ||
      (rc = exec(x->db, "DETACH DATABASE ev", x->msg, sizeof x->msg))) {
    rc = lv_error_set(err, LEVEE_ESTORE, "%s: the search index: %s", path,
                      x->msg[0] ? x->msg : levee_strerror(rc));
    goto fail;
  }
  if (pthread_create(&x->thread, NULL, writer, x)) {
    rc = lv_error_set(err, LEVEE_ENOMEM, "cannot start the index's thread");
    goto fail;
  }
  *out = x;
  return LEVEE_OK;
fail:
  sqlite3_close(x->db);
  pthread_mutex_destroy(&x->mu);
  pthread_cond_destroy(&x->cv);
  free(x);
  return rc;
}

static char *copy(levee_str s) {
  if (!s.ptr)
    return NULL;
  char *c = malloc(s.len + 1);
  if (c) {
    memcpy(c, s.ptr, s.len);
    c[s.len] = '\0';
  }
  return c;
}

static int enqueue(lv_search_index *x, item *it, size_t bytes) {
  pthread_mutex_lock(&x->mu);
  while (x->bytes > QUEUE_MAX_BYTES && !x->rc)
    pthread_cond_wait(&x->cv, &x->mu);
  int rc = x->rc;
  if (!rc && x->n == x->cap) {
    size_t ncap = x->cap ? x->cap * 2 : 1024;
    item *nq = realloc(x->q, ncap * sizeof *nq);
    if (nq) {
      x->q = nq;
      x->cap = ncap;
    } else
      rc = LEVEE_ENOMEM;
  }
  if (!rc) {
    x->q[x->n++] = *it;
    x->bytes += bytes;
    pthread_cond_broadcast(&x->cv);
  }
  pthread_mutex_unlock(&x->mu);
  if (rc)
    item_free(it);
  return rc;
}

int lv_search_index_add(lv_search_index *x, uint64_t seq, levee_str text,
                        levee_str extracted) {
  item it = {seq, 0, copy(text), copy(extracted), text.len, extracted.len};
  if ((text.ptr && !it.text) || (extracted.ptr && !it.extracted)) {
    item_free(&it);
    return LEVEE_ENOMEM;
  }
  return enqueue(x, &it, sizeof it + text.len + extracted.len);
}

/* Waits until the thread has written everything queued so far. */
static int drain(lv_search_index *x, levee_error *err) {
  pthread_mutex_lock(&x->mu);
  while ((x->n || x->busy) && !x->rc)
    pthread_cond_wait(&x->cv, &x->mu);
  int rc = x->rc;
  pthread_mutex_unlock(&x->mu);
  if (rc)
    lv_error_set(err, rc, "the search index: %s", x->msg);
  return rc;
}

int lv_search_index_remove(lv_search_index *x, uint64_t seq, levee_error *err) {
  item it = {seq, 1, NULL, NULL, 0, 0};
  int rc = enqueue(x, &it, sizeof it);
  return rc ? lv_error_set(err, rc, "the search index: %s", x->msg) : 0;
}

int lv_search_index_close(lv_search_index *x, levee_error *err) {
  if (!x)
    return LEVEE_OK;
  int rc = drain(x, err);
  pthread_mutex_lock(&x->mu);
  x->stop = 1;
  pthread_cond_broadcast(&x->cv);
  pthread_mutex_unlock(&x->mu);
  pthread_join(x->thread, NULL);
  for (size_t i = 0; i < x->n; i++)
    item_free(&x->q[i]);
  free(x->q);
  sqlite3_close(x->db);
  pthread_mutex_destroy(&x->mu);
  pthread_cond_destroy(&x->cv);
  free(x);
  return rc;
}
