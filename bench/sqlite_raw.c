/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlite_raw.c: SQLite's own insert rate on this machine, the baseline for
 * `levee ingest` (docs/BENCHMARKS.md). It stores the same events (id, time,
 * channel, sender, text) as plain rows, with SQLite set up as levee sets it
 * up (WAL, synchronous=FULL, 64 MiB cache, transactions of 20,000 rows),
 * and nothing else: no inspection, no hashes, no Merkle log, no evidence
 * tables. With --fts it also keeps a full-text index of the texts, built
 * with levee's tokenizer, as levee does.
 *
 * usage: sqlite_raw [--fts] [--runs N] CORPUS.jsonl DIR
 * Prints: STORE name=sqlite_raw[_fts] events=N median_s=S events_per_s=R
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench_corpus.h"
#include "store/fts5_bigram.h"

#define BATCH 20000

static int exec(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    fprintf(stderr, "sqlite_raw: %s: %s\n", sql, msg ? msg : "?");
    sqlite3_free(msg);
    return -1;
  }
  return 0;
}

static int bind(sqlite3_stmt *st, int i, levee_str s) {
  return s.ptr ? sqlite3_bind_text(st, i, s.ptr, (int)s.len, SQLITE_STATIC)
               : sqlite3_bind_null(st, i);
}

static int one_run(const bc_corpus *c, const char *dir, int fts) {
  char path[4096];
  snprintf(path, sizeof path, "%s/raw.db", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/raw.db-wal", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/raw.db", dir);
  sqlite3 *db;
  if (sqlite3_open(path, &db) != SQLITE_OK)
    return -1;
  if (fts && lv_fts5_bigram_register(db))
    return -1;
  if (exec(db, "PRAGMA page_size = 16384") ||
      exec(db, "PRAGMA journal_mode = WAL") ||
      exec(db, "PRAGMA synchronous = FULL") ||
      exec(db, "PRAGMA cache_size = -65536") ||
      exec(db, "CREATE TABLE msg(seq INTEGER PRIMARY KEY, id TEXT NOT NULL"
               " UNIQUE, time_ms INTEGER, channel TEXT, sender TEXT,"
               " text TEXT)"))
    return -1;
  if (fts && exec(db, "CREATE VIRTUAL TABLE msg_fts USING fts5(text,"
                      " content = 'msg', content_rowid = 'seq',"
                      " tokenize = 'levee_bigram')"))
    return -1;
  sqlite3_stmt *ins, *ix = NULL;
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO msg(seq, id, time_ms, channel, sender,"
                         " text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         -1, &ins, NULL) != SQLITE_OK ||
      (fts && sqlite3_prepare_v2(db,
                                 "INSERT INTO msg_fts(rowid, text)"
                                 " VALUES (?1, ?2)",
                                 -1, &ix, NULL) != SQLITE_OK))
    return -1;
  for (size_t i = 0; i < c->n; i++) {
    const levee_event *e = &c->events[i];
    if (i % BATCH == 0 && exec(db, "BEGIN"))
      return -1;
    sqlite3_bind_int64(ins, 1, (sqlite3_int64)i + 1);
    bind(ins, 2, e->id);
    sqlite3_bind_int64(ins, 3, e->time_ms);
    bind(ins, 4, e->channel);
    bind(ins, 5, e->sender.id);
    bind(ins, 6, e->text);
    if (sqlite3_step(ins) != SQLITE_DONE)
      return -1;
    sqlite3_reset(ins);
    if (ix) {
      sqlite3_bind_int64(ix, 1, (sqlite3_int64)i + 1);
      bind(ix, 2, e->text);
      if (sqlite3_step(ix) != SQLITE_DONE)
        return -1;
      sqlite3_reset(ix);
    }
    if ((i + 1) % BATCH == 0 || i + 1 == c->n)
      if (exec(db, "COMMIT"))
        return -1;
  }
  sqlite3_finalize(ins);
  sqlite3_finalize(ix);
  sqlite3_close(db);
  return 0;
}

int main(int argc, char **argv) {
  int fts = 0, runs = 3, a = 1;
  for (; a < argc && argv[a][0] == '-'; a++) {
    if (!strcmp(argv[a], "--fts"))
      fts = 1;
    else if (!strcmp(argv[a], "--runs") && a + 1 < argc)
      runs = atoi(argv[++a]);
    else
      break;
  }
  if (argc - a != 2 || runs < 1 || runs > 99) {
    fprintf(stderr, "usage: sqlite_raw [--fts] [--runs N] CORPUS.jsonl DIR\n");
    return 2;
  }
  /* As levee sets SQLite up (store_sqlite.c): no memory statistics. */
  (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  bc_corpus c;
  if (bc_corpus_load(argv[a], &c))
    return 2;
  mkdir(argv[a + 1], 0700);
  double secs[99];
  for (int r = 0; r < runs; r++) {
    double t0 = bc_now();
    if (one_run(&c, argv[a + 1], fts)) {
      fprintf(stderr, "sqlite_raw: run %d failed\n", r + 1);
      return 1;
    }
    secs[r] = bc_now() - t0;
    fprintf(stderr, "  sqlite_raw%s: run %d/%d: %.3f s\n", fts ? " --fts" : "",
            r + 1, runs, secs[r]);
  }
  double med = bc_median(secs, (size_t)runs);
  printf("STORE name=sqlite_raw%s events=%zu median_s=%.6f events_per_s=%.0f\n",
         fts ? "_fts" : "", c.n, med, (double)c.n / med);
  bc_corpus_free(&c);
  return 0;
}
