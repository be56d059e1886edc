/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_sqlite.c: the embedded back end of the audit store: one SQLite
 * database, DIR/levee.db, in WAL mode with synchronous=FULL, so a commit
 * that returned is on disk. The schema is versioned (PRAGMA user_version)
 * and migrated forward on open, one step per version, each in its own
 * transaction.
 *
 * Rows only: hashing, the Merkle log and checkpoints are store.c's.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/directory.h"
#include "store/fts5_bigram.h"
#include "store/search_index.h"
#include "store/store_backend.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/limits.h"

/* --- schema ------------------------------------------------------------ */

/* Each entry takes the schema from version i to i + 1. Never edit one that
 * has shipped: add the next. */
static const char *const migrations[] = {
    /* 1: the log, events as evidence, content apart, checkpoints. */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE record("
    " seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,"
    " actor TEXT NOT NULL, type TEXT NOT NULL, outcome TEXT NOT NULL,"
    " detail TEXT, detail_hash BLOB NOT NULL, content_hash BLOB NOT NULL,"
    " leaf BLOB NOT NULL);"
    "CREATE TABLE event("
    " seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " time_ms INTEGER NOT NULL, channel TEXT NOT NULL,"
    " conversation_id TEXT, conversation_type TEXT, conversation_title TEXT,"
    " conversation_external INTEGER NOT NULL,"
    " sender_id TEXT, sender_name TEXT, sender_dept TEXT, sender_role TEXT,"
    " recipients TEXT, forwarded_from TEXT, meta TEXT,"
    " action TEXT NOT NULL, severity TEXT NOT NULL,"
    " truncated INTEGER NOT NULL);"
    "CREATE INDEX event_time ON event(time_ms);"
    "CREATE INDEX event_sender ON event(sender_id, seq);"
    "CREATE INDEX event_conversation ON event(conversation_id, seq);"
    "CREATE INDEX event_forwarded ON event(forwarded_from)"
    " WHERE forwarded_from IS NOT NULL;"
    "CREATE TABLE finding("
    " seq INTEGER NOT NULL, n INTEGER NOT NULL, rule TEXT NOT NULL,"
    " category TEXT NOT NULL, source INTEGER NOT NULL,"
    " start INTEGER NOT NULL, \"end\" INTEGER NOT NULL,"
    " confidence REAL NOT NULL, action TEXT NOT NULL,"
    " severity TEXT NOT NULL, PRIMARY KEY(seq, n)) WITHOUT ROWID;"
    "CREATE INDEX finding_category ON finding(category, seq);"
    "CREATE TABLE attachment("
    " seq INTEGER NOT NULL, n INTEGER NOT NULL, kind TEXT, name TEXT,"
    " path TEXT, sha256 TEXT, md5 TEXT, size INTEGER NOT NULL,"
    " text_start INTEGER NOT NULL, text_len INTEGER NOT NULL,"
    " PRIMARY KEY(seq, n)) WITHOUT ROWID;"
    "CREATE INDEX attachment_sha256 ON attachment(sha256)"
    " WHERE sha256 IS NOT NULL;"
    "CREATE INDEX attachment_md5 ON attachment(md5) WHERE md5 IS NOT NULL;"
    "CREATE TABLE content("
    " seq INTEGER PRIMARY KEY, salt BLOB NOT NULL, text TEXT,"
    " extracted TEXT, excerpts TEXT);"
    "CREATE TABLE content_deleted("
    " seq INTEGER PRIMARY KEY, purge_seq INTEGER NOT NULL);"
    "CREATE TABLE person("
    " id TEXT PRIMARY KEY, name TEXT, dept TEXT, role TEXT,"
    " first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,"
    " events INTEGER NOT NULL);"
    "CREATE TABLE conversation("
    " id TEXT PRIMARY KEY, type TEXT, title TEXT, external INTEGER,"
    " first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,"
    " events INTEGER NOT NULL);"
    "CREATE TABLE checkpoint("
    " seq INTEGER PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL,"
    " time_ms INTEGER NOT NULL, prev BLOB NOT NULL, sig BLOB NOT NULL);",
    /* 2: full-text search over message and extracted text, an index whose
     * text is the content table's own (external content): deleting content
     * must delete its index entries first. */
    "CREATE VIRTUAL TABLE content_fts USING fts5(text, extracted,"
    " content = 'content', content_rowid = 'seq',"
    " tokenize = '" LV_FTS5_BIGRAM_NAME "');"
    "INSERT INTO content_fts(content_fts) VALUES ('rebuild');",
    /* 3: records whose evidence expired under retention. */
    ("CREATE TABLE record_expired("
     " seq INTEGER PRIMARY KEY, purge_seq INTEGER NOT NULL);"),
    /* 4: the search index moves to a database of its own (search.db,
     * search_index.c), which the next writer builds from content. */
    "DROP TABLE IF EXISTS content_fts;",
    /* 5: records that are not events, by type (registrations, the trail
     * of what people did), without a pass over every event's. */
    ("CREATE INDEX record_type ON record(type, seq)"
     " WHERE type <> 'event';"),
    /* 6: listings and counts of the events whose verdict is not allow
     * (levee serve's alerts, levee stats), newest first: all of them, by
     * department, by channel. Partial indexes: only those events' rows,
     * so ingest hardly pays for them (2% more CPU; one over every event's
     * department cost 9%). */
    ("CREATE INDEX event_alert ON event(seq) WHERE action <> 'allow';"
     "CREATE INDEX event_alert_dept ON event(sender_dept, seq)"
     " WHERE action <> 'allow';"
     "CREATE INDEX event_alert_channel ON event(channel, seq)"
     " WHERE action <> 'allow';"),
    /* 7: the trace index (trace_index.h): each event's fingerprints and
     * image hashes (trace, with the inverted trace_fp and trace_block),
     * and who took part in each conversation (member, by the ids' keys:
     * lv_trace_id_key). Derived data; the
     * events already stored get their fingerprints and members from their
     * content and rows (backfill_trace(), in the same transaction), not
     * their image hashes, which only the images give. */
    ("CREATE TABLE IF NOT EXISTS trace("
     " seq INTEGER PRIMARY KEY, fps BLOB, images BLOB);"
     "CREATE TABLE IF NOT EXISTS trace_fp("
     " hash INTEGER NOT NULL, seq INTEGER NOT NULL,"
     " PRIMARY KEY(hash, seq)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS trace_block("
     " key INTEGER NOT NULL, seq INTEGER NOT NULL, phash INTEGER NOT NULL,"
     " PRIMARY KEY(key, seq, phash)) WITHOUT ROWID;"
     "CREATE TABLE IF NOT EXISTS member("
     " conversation INTEGER NOT NULL, person INTEGER NOT NULL,"
     " PRIMARY KEY(conversation, person)) WITHOUT ROWID;"),
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof *migrations))

/* --- statements -------------------------------------------------------- */

enum {
  ST_META_GET,
  ST_META_SET,
  ST_LAST_SEQ,
  ST_EVENT_SEEN,
  ST_PUT_RECORD,
  ST_PUT_EVENT,
  ST_PUT_FINDING,
  ST_PUT_ATTACHMENT,
  ST_PUT_CONTENT,
  ST_PUT_PERSON,
  ST_PUT_CONVERSATION,
  ST_PUT_CHECKPOINT,
  ST_COUNT
};

static const char *const statement_sql[ST_COUNT] = {
    [ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [ST_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2)"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [ST_LAST_SEQ] = "SELECT max(seq) FROM record",
    [ST_EVENT_SEEN] = "SELECT 1 FROM event WHERE id = ?1",
    [ST_PUT_RECORD] = "INSERT INTO record(seq, time_ms, actor, type, outcome,"
                      " detail, detail_hash, content_hash, leaf)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_PUT_EVENT] =
        "INSERT INTO event(seq, id, time_ms, channel, conversation_id,"
        " conversation_type, conversation_title, conversation_external,"
        " sender_id, sender_name, sender_dept, sender_role, recipients,"
        " forwarded_from, meta, action, severity, truncated)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
        " ?14, ?15, ?16, ?17, ?18)",
    [ST_PUT_FINDING] = "INSERT INTO finding(seq, n, rule, category, source,"
                       " start, \"end\", confidence, action, severity)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [ST_PUT_ATTACHMENT] = "INSERT INTO attachment(seq, n, kind, name, path,"
                          " sha256, md5, size, text_start, text_len)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [ST_PUT_CONTENT] = "INSERT INTO content(seq, salt, text, extracted,"
                       " excerpts) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_PUT_PERSON] =
        "INSERT INTO person(id, name, dept, role, first_seq, last_seq,"
        " events) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        " ON CONFLICT(id) DO UPDATE SET"
        " name = coalesce(excluded.name, name),"
        " dept = coalesce(excluded.dept, dept),"
        " role = coalesce(excluded.role, role),"
        " last_seq = excluded.last_seq, events = events + excluded.events",
    [ST_PUT_CONVERSATION] =
        "INSERT INTO conversation(id, type, title, external, first_seq,"
        " last_seq, events) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        " ON CONFLICT(id) DO UPDATE SET"
        " type = coalesce(excluded.type, type),"
        " title = coalesce(excluded.title, title),"
        " external = coalesce(excluded.external, external),"
        " last_seq = excluded.last_seq, events = events + excluded.events",
    [ST_PUT_CHECKPOINT] = "INSERT INTO checkpoint(seq, size, root, time_ms,"
                          " prev, sig) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

/* The trace index's statements, prepared on first use (a store that is
 * only read, or migrated, needs few of them). */
enum {
  TS_PUT_TRACE,
  TS_PUT_FP,
  TS_PUT_BLOCK,
  TS_PUT_MEMBER,
  TS_BY_ID,
  TS_BY_FORWARDED,
  TS_BY_SHA256,
  TS_BY_MD5,
  TS_BY_FP,
  TS_BY_BLOCK,
  TS_EVENT,
  TS_ATTACHMENTS,
  TS_ENTRY,
  TS_MEMBER,
  TS_DELETE_FP,
  TS_DELETE_BLOCK,
  TS_COUNT
};

static const char *const trace_sql[TS_COUNT] = {
    [TS_PUT_TRACE] = "INSERT OR REPLACE INTO trace(seq, fps, images)"
                     " VALUES (?1, ?2, ?3)",
    [TS_PUT_FP] = "INSERT OR IGNORE INTO trace_fp(hash, seq) VALUES (?1, ?2)",
    [TS_PUT_BLOCK] = "INSERT OR IGNORE INTO trace_block(key, seq, phash)"
                     " VALUES (?1, ?2, ?3)",
    [TS_PUT_MEMBER] = "INSERT OR IGNORE INTO member(conversation, person)"
                      " VALUES (?1, ?2)",
    [TS_BY_ID] = "SELECT seq, 0 FROM event WHERE id = ?1 LIMIT ?2",
    [TS_BY_FORWARDED] = "SELECT seq, 0 FROM event WHERE forwarded_from = ?1"
                        " ORDER BY seq LIMIT ?2",
    [TS_BY_SHA256] = "SELECT DISTINCT seq, 0 FROM attachment"
                     " WHERE sha256 = ?1 ORDER BY seq LIMIT ?2",
    [TS_BY_MD5] = "SELECT DISTINCT seq, 0 FROM attachment WHERE md5 = ?1"
                  " ORDER BY seq LIMIT ?2",
    [TS_BY_FP] = "SELECT seq, hash FROM trace_fp WHERE hash = ?1"
                 " ORDER BY seq LIMIT ?2",
    [TS_BY_BLOCK] = "SELECT seq, phash FROM trace_block WHERE key = ?1"
                    " ORDER BY seq LIMIT ?2",
    [TS_EVENT] = "SELECT id, time_ms, channel, conversation_id,"
                 " conversation_type, conversation_title, sender_id,"
                 " sender_name, recipients, forwarded_from FROM event"
                 " WHERE seq = ?1",
    [TS_ATTACHMENTS] = "SELECT sha256, md5 FROM attachment WHERE seq = ?1"
                       " ORDER BY n",
    [TS_ENTRY] = "SELECT fps, images FROM trace WHERE seq = ?1",
    [TS_MEMBER] = "SELECT 1 FROM member WHERE conversation = ?1"
                  " AND person = ?2",
    [TS_DELETE_FP] = "DELETE FROM trace_fp WHERE hash = ?1 AND seq = ?2",
    [TS_DELETE_BLOCK] = "DELETE FROM trace_block WHERE key = ?1 AND seq = ?2"
                        " AND phash = ?3",
};

typedef struct sqlite_store {
  sqlite3 *db;
  sqlite3_stmt *st[ST_COUNT];
  sqlite3_stmt *trace_st[TS_COUNT]; /* the trace index's, once needed */
  /* Members of conversations (trace_index.h): the (conversation, person)
   * key pairs of the open transaction, written at commit, and those
   * written before (up to MEMBERS_KNOWN), not written again. */
  uint64_t (*pairs)[2];
  size_t n_pairs, cap_pairs;
  lv_trace_keyset pairs_txn, pairs_known;
  uint64_t members_hash;                 /* of the last entry's members added */
  lv_buf scratch;                        /* the trace index's blobs */
  sqlite3_stmt *cursor_st[LV_CUR_COUNT]; /* each_row's, prepared once */
  lv_arena arena;                        /* one row's lists during each_row */
  lv_directory people, conversations;    /* of the open transaction */
  char *dir;                             /* the store's directory */
  int lock_fd;            /* the writer's lock (DIR/levee.lock), or -1 */
  lv_search_index *index; /* its search index's writer, once needed */
  int search_attached;    /* search.db attached as "search" */
  /* The search index's work of the open transaction, handed over at
   * commit (a rolled-back record's number is used again). */
  struct pending_text {
    uint64_t seq;
    int remove;
    levee_str text, extracted; /* in pending_arena */
  } * pending;
  size_t n_pending, cap_pending;
  lv_arena pending_arena;
} sqlite_store;

static int db_error(sqlite_store *s, levee_error *err, const char *what) {
  return lv_error_set(err, LEVEE_ESTORE, "%s: %s", what, sqlite3_errmsg(s->db));
}

static int exec(sqlite_store *s, const char *sql, levee_error *err) {
  char *msg = NULL;
  if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    lv_error_set(err, LEVEE_ESTORE, "%s", msg ? msg : "SQLite error");
    sqlite3_free(msg);
    return LEVEE_ESTORE;
  }
  return LEVEE_OK;
}

/* --- binding ----------------------------------------------------------- */

static int bind_str(sqlite3_stmt *st, int i, levee_str v) {
  if (!v.ptr)
    return sqlite3_bind_null(st, i);
  return sqlite3_bind_text64(st, i, v.len ? v.ptr : "", v.len, SQLITE_STATIC,
                             SQLITE_UTF8);
}

static int bind_cstr(sqlite3_stmt *st, int i, const char *v) {
  return bind_str(st, i, (levee_str){v, v ? strlen(v) : 0});
}

static int bind_hash(sqlite3_stmt *st, int i, const uint8_t *h, size_t n) {
  return sqlite3_bind_blob(st, i, h, (int)n, SQLITE_STATIC);
}

/* Steps a statement that returns no rows, then resets it. */
static int run(sqlite_store *s, sqlite3_stmt *st, levee_error *err,
               const char *what) {
  int rc = sqlite3_step(st);
  int ok = rc == SQLITE_DONE || rc == SQLITE_ROW;
  if (!ok)
    db_error(s, err, what);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return ok ? LEVEE_OK : LEVEE_ESTORE;
}

/* A text column, NULL as {NULL, 0}. Through the column's value: one call
 * into the statement instead of two, which verify makes some 30 times a
 * record. (The value is "unprotected", which only matters to a connection
 * shared between threads; levee's never are.) */
static levee_str col_str(sqlite3_stmt *st, int i) {
  sqlite3_value *v = sqlite3_column_value(st, i);
  const unsigned char *p = sqlite3_value_text(v);
  if (!p)
    return (levee_str){NULL, 0};
  return (levee_str){(const char *)p, (size_t)sqlite3_value_bytes(v)};
}

/* A hash column into out; a wrong size reads as all zero bytes (and so
 * fails every comparison). */
static void col_hash(sqlite3_stmt *st, int i, uint8_t *out, size_t n) {
  sqlite3_value *v = sqlite3_column_value(st, i);
  const void *p = sqlite3_value_blob(v);
  if (p && (size_t)sqlite3_value_bytes(v) == n)
    memcpy(out, p, n);
  else
    memset(out, 0, n);
}

/* --- open and close ----------------------------------------------------- */

/* The version that adds the trace index, whose migration fills it for the
 * events already stored (below). */
#define TRACE_SCHEMA 7
static int backfill_trace(sqlite_store *s, levee_error *err);
/* The transaction's members of conversations, written at commit; then
 * known, or forgotten. */
static int put_members(sqlite_store *s, levee_error *err);
static void members_done(sqlite_store *s, int committed);
/* Member pairs remembered as written (16 bytes of memory each). */
#define MEMBERS_KNOWN 1000000

static int migrate(sqlite_store *s, levee_error *err) {
  sqlite3_stmt *st;
  int version = 0;
  if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) !=
      SQLITE_OK)
    return db_error(s, err, "reading the schema version");
  if (sqlite3_step(st) == SQLITE_ROW)
    version = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (version > SCHEMA_VERSION)
    return lv_error_set(err, LEVEE_ESTORE,
                        "the store's schema is version %d, newer than this "
                        "levee knows (%d): use a newer levee",
                        version, SCHEMA_VERSION);
  for (; version < SCHEMA_VERSION; version++) {
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", version + 1);
    int rc = exec(s, "BEGIN IMMEDIATE", err);
    if (rc)
      return rc;
    if ((rc = exec(s, migrations[version], err)) ||
        (version + 1 == TRACE_SCHEMA && (rc = backfill_trace(s, err))) ||
        (rc = exec(s, pragma, err)) || (rc = exec(s, "COMMIT", err))) {
      (void)exec(s, "ROLLBACK", NULL);
      return rc;
    }
  }
  return LEVEE_OK;
}

static void sqlite_close(void *db) {
  sqlite_store *s = db;
  if (!s)
    return;
  for (int i = 0; i < ST_COUNT; i++)
    sqlite3_finalize(s->st[i]);
  for (int i = 0; i < LV_CUR_COUNT; i++)
    sqlite3_finalize(s->cursor_st[i]);
  for (int i = 0; i < TS_COUNT; i++)
    sqlite3_finalize(s->trace_st[i]);
  sqlite3_close(s->db);
  free(s->pairs);
  lv_trace_keyset_cleanup(&s->pairs_txn);
  lv_trace_keyset_cleanup(&s->pairs_known);
  lv_buf_cleanup(&s->scratch);
  if (s->lock_fd >= 0)
    close(s->lock_fd); /* the lock goes with it */
  lv_arena_cleanup(&s->arena);
  lv_directory_cleanup(&s->people);
  lv_directory_cleanup(&s->conversations);
  (void)lv_search_index_close(s->index, NULL);
  free(s->pending);
  lv_arena_cleanup(&s->pending_arena);
  free(s->dir);
  free(s);
}

/* Once, before SQLite's first use in the process: no memory statistics.
 * They take one process-wide mutex at every allocation, which the two
 * threads of ingest (evidence, search index) and of verify (two readers)
 * contend for. (Should SQLite be in use already, the call changes
 * nothing.) */
static pthread_once_t configure_once = PTHREAD_ONCE_INIT;

static void configure_sqlite(void) {
  (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* The one writer. SQLite lets a second process write between this one's
 * transactions, but the log's state (the next sequence number, the Merkle
 * accumulator) lives in the writer's memory: a second writer would write
 * records the first does not know of. A writable open takes an exclusive
 * flock on DIR/levee.lock, held until close, waiting up to LOCK_WAIT_S
 * for a writer that is finishing (as the PostgreSQL back end does with its
 * advisory lock). Readers take no lock. */
#define LOCK_WAIT_S 30

static int lock_writer(sqlite_store *s, const char *dir, levee_error *err) {
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/levee.lock", dir) >= sizeof path)
    return lv_error_set(err, LEVEE_ESTORE, "%s: path too long", dir);
  if ((s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
    return lv_error_set(err, LEVEE_ESTORE, "%s: %s", path, strerror(errno));
  for (int waited_ms = 0;; waited_ms += 100) {
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) == 0)
      return LEVEE_OK;
    if (errno != EWOULDBLOCK && errno != EINTR)
      return lv_error_set(err, LEVEE_ESTORE, "%s: %s", path, strerror(errno));
    if (waited_ms >= LOCK_WAIT_S * 1000)
      return lv_error_set(err, LEVEE_EBUSY,
                          "another levee is writing this store (levee serve "
                          "or ingest?): waited %d s for it",
                          LOCK_WAIT_S);
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

static int sqlite_open(const char *dir, int create, int read_only, void **out,
                       levee_error *err) {
  pthread_once(&configure_once, configure_sqlite);
  char path[4096];
  struct stat st;
  if (create && !read_only && mkdir(dir, 0700) && errno != EEXIST)
    return lv_error_set(err, LEVEE_ESTORE, "%s: %s", dir, strerror(errno));
  if (!create && stat(dir, &st) && errno == ENOENT)
    return lv_error_set(err, LEVEE_ENOTFOUND,
                        "no audit store here (levee ingest creates one)");
  if (stat(dir, &st) || !S_ISDIR(st.st_mode))
    return lv_error_set(err, LEVEE_ESTORE, "%s: %s", dir,
                        errno ? strerror(errno) : "not a directory");
  if ((size_t)snprintf(path, sizeof path, "%s/levee.db", dir) >= sizeof path)
    return lv_error_set(err, LEVEE_ESTORE, "%s: path too long", dir);
  if (!create && stat(path, &st))
    return lv_error_set(err, LEVEE_ENOTFOUND,
                        "no audit store here (levee ingest creates one)");
  sqlite_store *s = calloc(1, sizeof *s);
  if (!s)
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  lv_arena_init(&s->arena, LV_MAX_ARENA_BYTES);
  lv_directory_init(&s->people);
  lv_directory_init(&s->conversations);
  lv_trace_keyset_init(&s->pairs_txn, SIZE_MAX);
  lv_trace_keyset_init(&s->pairs_known, MEMBERS_KNOWN);
  lv_buf_init(&s->scratch, (size_t)1 << 30);
  lv_arena_init(&s->pending_arena, (size_t)1 << 30);
  s->lock_fd = -1;
  if (!(s->dir = strdup(dir))) {
    free(s);
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  }
  int rc = LEVEE_OK;
  if (!read_only && (rc = lock_writer(s, dir, err)))
    goto out;
  int flags = read_only ? SQLITE_OPEN_READONLY
                        : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK) {
    rc = lv_error_set(err, LEVEE_ESTORE, "%s: %s", path,
                      s->db ? sqlite3_errmsg(s->db) : "cannot open");
    goto out;
  }
  sqlite3_busy_timeout(s->db, 5000);
  sqlite3_extended_result_codes(s->db, 1);
  /* Before any use of the search index, migrations included. */
  if ((rc = lv_fts5_bigram_register(s->db))) {
    lv_error_set(err, rc, "%s: cannot register the search tokenizer", path);
    goto out;
  }
  if (!read_only) {
    /* Pages of 16 KiB (for a new store; an existing one keeps its own):
     * ingest writes and verify reads the tables front to back, and both
     * ran 8-12% faster than with 4 KiB pages (docs/BENCHMARKS.md). WAL
     * with FULL sync: each commit is fsynced before it returns. */
    if ((rc = exec(s, "PRAGMA page_size = 16384", err)) ||
        (rc = exec(s, "PRAGMA journal_mode = WAL", err)) ||
        (rc = exec(s, "PRAGMA synchronous = FULL", err)) ||
        (rc = exec(s, "PRAGMA cache_size = -65536", err)) ||
        (rc = exec(s, "PRAGMA temp_store = MEMORY", err)) ||
        (rc = migrate(s, err)))
      goto out;
  } else {
    sqlite3_stmt *v;
    int version = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &v, NULL) ==
        SQLITE_OK) {
      if (sqlite3_step(v) == SQLITE_ROW)
        version = sqlite3_column_int(v, 0);
      sqlite3_finalize(v);
    }
    if (version != SCHEMA_VERSION) {
      rc = lv_error_set(err, LEVEE_ESTORE,
                        "%s: schema version %d, this levee reads %d%s", path,
                        version, SCHEMA_VERSION,
                        version < SCHEMA_VERSION ? " (levee ingest upgrades it)"
                                                 : " (use a newer levee)");
      goto out;
    }
  }
  for (int i = 0; i < ST_COUNT; i++) {
    if (read_only && i >= ST_PUT_RECORD)
      break;
    if (sqlite3_prepare_v3(s->db, statement_sql[i], -1,
                           SQLITE_PREPARE_PERSISTENT, &s->st[i],
                           NULL) != SQLITE_OK) {
      rc = db_error(s, err, "preparing statements");
      goto out;
    }
  }
out:
  if (rc) {
    sqlite_close(s);
    return rc;
  }
  *out = s;
  return LEVEE_OK;
}

static int sqlite_begin(void *db, levee_error *err) {
  return exec(db, "BEGIN IMMEDIATE", err);
}

/* The people and conversations of the transaction, one row each. */
static int put_directory(sqlite_store *s, const lv_directory *d, int which,
                         levee_error *err) {
  for (size_t i = 0; i < d->n; i++) {
    const lv_dir_entry *e = &d->v[i];
    sqlite3_stmt *st = s->st[which];
    bind_str(st, 1, e->id);
    bind_str(st, 2, e->attr[0]);
    bind_str(st, 3, e->attr[1]);
    if (which == ST_PUT_PERSON)
      bind_str(st, 4, e->attr[2]);
    else if (e->external >= 0)
      sqlite3_bind_int64(st, 4, e->external);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)e->first_seq);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)e->last_seq);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)e->count);
    int rc = run(s, st, err,
                 which == ST_PUT_PERSON ? "storing a person"
                                        : "storing a conversation");
    if (rc)
      return rc;
  }
  return LEVEE_OK;
}

static void pending_reset(sqlite_store *s) {
  s->n_pending = 0;
  lv_arena_reset(&s->pending_arena);
}

/* Notes work for the search index, done once the transaction commits. */
static int pending_add(sqlite_store *s, uint64_t seq, int remove,
                       levee_str text, levee_str extracted) {
  if (s->n_pending == s->cap_pending) {
    size_t ncap = s->cap_pending ? s->cap_pending * 2 : 1024;
    struct pending_text *n = realloc(s->pending, ncap * sizeof *n);
    if (!n)
      return LEVEE_ENOMEM;
    s->pending = n;
    s->cap_pending = ncap;
  }
  struct pending_text *p = &s->pending[s->n_pending];
  p->seq = seq;
  p->remove = remove;
  p->text = p->extracted = (levee_str){NULL, 0};
  if (text.ptr &&
      !(p->text.ptr = lv_arena_strndup(&s->pending_arena, text.ptr, text.len)))
    return LEVEE_ENOMEM;
  p->text.len = text.len;
  if (extracted.ptr && !(p->extracted.ptr = lv_arena_strndup(
                             &s->pending_arena, extracted.ptr, extracted.len)))
    return LEVEE_ENOMEM;
  p->extracted.len = extracted.len;
  s->n_pending++;
  return LEVEE_OK;
}

static int sqlite_commit(void *db, levee_error *err) {
  sqlite_store *s = db;
  int rc = put_directory(s, &s->people, ST_PUT_PERSON, err);
  if (!rc)
    rc = put_directory(s, &s->conversations, ST_PUT_CONVERSATION, err);
  if (!rc)
    rc = put_members(s, err);
  lv_directory_reset(&s->people);
  lv_directory_reset(&s->conversations);
  if (!rc)
    rc = exec(s, "COMMIT", err);
  members_done(s, !rc);
  if (rc) {
    pending_reset(s);
    return rc;
  }
  /* Committed: the search index may now have the texts. (Opening it the
   * first time catches up with what is committed, this batch included.) */
  if (s->n_pending && !s->index &&
      (rc = lv_search_index_open(s->dir, &s->index, err))) {
    pending_reset(s);
    return rc;
  }
  for (size_t i = 0; !rc && i < s->n_pending; i++) {
    struct pending_text *p = &s->pending[i];
    rc = p->remove
             ? lv_search_index_remove(s->index, p->seq, err)
             : lv_search_index_add(s->index, p->seq, p->text, p->extracted);
    if (rc && !err->message[0])
      lv_error_set(err, rc, "the search index: %s", levee_strerror(rc));
  }
  pending_reset(s);
  return rc;
}

static void sqlite_rollback(void *db) {
  sqlite_store *s = db;
  pending_reset(s);
  lv_directory_reset(&s->people);
  lv_directory_reset(&s->conversations);
  members_done(s, 0);
  if (!sqlite3_get_autocommit(s->db))
    (void)exec(s, "ROLLBACK", NULL);
}

/* --- meta -------------------------------------------------------------- */

static int sqlite_meta_get(void *db, const char *key, lv_buf *value,
                           int *found) {
  sqlite_store *s = db;
  sqlite3_stmt *st = s->st[ST_META_GET];
  bind_cstr(st, 1, key);
  int rc = sqlite3_step(st), status = LEVEE_OK;
  *found = 0;
  if (rc == SQLITE_ROW) {
    levee_str v = col_str(st, 0);
    lv_buf_reset(value);
    status = lv_buf_append(value, v.ptr ? v.ptr : "", v.len);
    *found = status == LEVEE_OK;
  } else if (rc != SQLITE_DONE)
    status = LEVEE_ESTORE;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return status;
}

static int sqlite_meta_set(void *db, const char *key, const char *value) {
  sqlite_store *s = db;
  sqlite3_stmt *st = s->st[ST_META_SET];
  bind_cstr(st, 1, key);
  bind_cstr(st, 2, value);
  return run(s, st, NULL, "meta");
}

static int sqlite_last_seq(void *db, uint64_t *seq) {
  sqlite_store *s = db;
  sqlite3_stmt *st = s->st[ST_LAST_SEQ];
  int rc = sqlite3_step(st);
  *seq = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? LEVEE_OK : LEVEE_ESTORE;
}

static int sqlite_event_seen(void *db, levee_str id, int *seen) {
  sqlite_store *s = db;
  sqlite3_stmt *st = s->st[ST_EVENT_SEEN];
  bind_str(st, 1, id);
  int rc = sqlite3_step(st);
  *seen = rc == SQLITE_ROW;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? LEVEE_OK : LEVEE_ESTORE;
}

/* --- writing ----------------------------------------------------------- */

static int put_record_row(sqlite_store *s, const lv_record *r, levee_str detail,
                          levee_error *err) {
  sqlite3_stmt *st = s->st[ST_PUT_RECORD];
  sqlite3_bind_int64(st, 1, (sqlite3_int64)r->head.seq);
  sqlite3_bind_int64(st, 2, r->head.time_ms);
  bind_str(st, 3, r->head.actor);
  bind_str(st, 4, r->head.type);
  bind_str(st, 5, r->head.outcome);
  bind_str(st, 6, detail);
  bind_hash(st, 7, r->detail_hash, LV_SHA256_LEN);
  bind_hash(st, 8, r->content_hash, LV_SHA256_LEN);
  bind_hash(st, 9, r->leaf, LV_SHA256_LEN);
  return run(s, st, err, "storing a record");
}

static int sqlite_put_record(void *db, const lv_record *rec, levee_str detail,
                             levee_error *err) {
  return put_record_row(db, rec, detail, err);
}

static int sqlite_put_event(void *db, const lv_record *rec,
                            const lv_evidence *e, const lv_content *c,
                            levee_error *err) {
  sqlite_store *s = db;
  sqlite3_int64 seq = (sqlite3_int64)rec->head.seq;
  int rc = put_record_row(s, rec, (levee_str){NULL, 0}, err);
  if (rc)
    return rc;
  sqlite3_stmt *st = s->st[ST_PUT_EVENT];
  sqlite3_bind_int64(st, 1, seq);
  bind_str(st, 2, e->id);
  sqlite3_bind_int64(st, 3, e->time_ms);
  bind_str(st, 4, e->channel);
  bind_str(st, 5, e->conversation_id);
  bind_str(st, 6, e->conversation_type);
  bind_str(st, 7, e->conversation_title);
  sqlite3_bind_int64(st, 8, e->conversation_external);
  bind_str(st, 9, e->sender_id);
  bind_str(st, 10, e->sender_name);
  bind_str(st, 11, e->sender_dept);
  bind_str(st, 12, e->sender_role);
  bind_str(st, 13, e->recipients);
  bind_str(st, 14, e->forwarded_from);
  bind_str(st, 15, e->meta);
  bind_str(st, 16, e->action);
  bind_str(st, 17, e->severity);
  sqlite3_bind_int64(st, 18, e->truncated);
  if ((rc = run(s, st, err, "storing an event")))
    return rc;
  for (size_t i = 0; i < e->n_findings; i++) {
    const lv_ev_finding *f = &e->findings[i];
    st = s->st[ST_PUT_FINDING];
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
    bind_str(st, 3, f->rule);
    bind_str(st, 4, f->category);
    sqlite3_bind_int64(st, 5, f->source);
    sqlite3_bind_int64(st, 6, f->start);
    sqlite3_bind_int64(st, 7, f->end);
    sqlite3_bind_double(st, 8, f->confidence);
    bind_str(st, 9, f->action);
    bind_str(st, 10, f->severity);
    if ((rc = run(s, st, err, "storing a finding")))
      return rc;
  }
  for (size_t i = 0; i < e->n_attachments; i++) {
    const lv_ev_attachment *a = &e->attachments[i];
    st = s->st[ST_PUT_ATTACHMENT];
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
    bind_str(st, 3, a->kind);
    bind_str(st, 4, a->name);
    bind_str(st, 5, a->path);
    bind_str(st, 6, a->sha256);
    bind_str(st, 7, a->md5);
    sqlite3_bind_int64(st, 8, a->size);
    sqlite3_bind_int64(st, 9, a->text_start);
    sqlite3_bind_int64(st, 10, a->text_len);
    if ((rc = run(s, st, err, "storing an attachment")))
      return rc;
  }
  st = s->st[ST_PUT_CONTENT];
  sqlite3_bind_int64(st, 1, seq);
  bind_hash(st, 2, c->salt, sizeof c->salt);
  bind_str(st, 3, c->text);
  bind_str(st, 4, c->extracted);
  bind_str(st, 5, c->excerpts);
  if ((rc = run(s, st, err, "storing content")))
    return rc;
  /* The index's writer starts with the first event, so it catches up
   * with what is already committed while this transaction is written. */
  if (!s->index && (rc = lv_search_index_open(s->dir, &s->index, err)))
    return rc;
  if (pending_add(s, (uint64_t)seq, 0, c->text, c->extracted))
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  const levee_str person[3] = {e->sender_name, e->sender_dept, e->sender_role};
  const levee_str conversation[3] = {
      e->conversation_type, e->conversation_title, {NULL, 0}};
  if (lv_directory_add(&s->people, e->sender_id, person, -1, (uint64_t)seq) ||
      lv_directory_add(&s->conversations, e->conversation_id, conversation,
                       e->conversation_external, (uint64_t)seq))
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  return LEVEE_OK;
}

static int sqlite_put_checkpoint(void *db, const lv_checkpoint *c,
                                 levee_error *err) {
  sqlite_store *s = db;
  sqlite3_stmt *st = s->st[ST_PUT_CHECKPOINT];
  sqlite3_bind_int64(st, 1, (sqlite3_int64)c->seq);
  sqlite3_bind_int64(st, 2, (sqlite3_int64)c->size);
  bind_hash(st, 3, c->root, sizeof c->root);
  sqlite3_bind_int64(st, 4, c->time_ms);
  bind_hash(st, 5, c->prev, sizeof c->prev);
  bind_hash(st, 6, c->sig, sizeof c->sig);
  return run(s, st, err, "storing a checkpoint");
}

/* --- reading ----------------------------------------------------------- */

static int sqlite_each_checkpoint(void *db, lv_checkpoint_fn fn, void *ud) {
  sqlite_store *s = db;
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db,
                         "SELECT seq, size, root, time_ms, prev, sig"
                         " FROM checkpoint ORDER BY seq",
                         -1, &st, NULL) != SQLITE_OK)
    return LEVEE_ESTORE;
  int rc, status = LEVEE_OK;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    lv_checkpoint c;
    c.seq = (uint64_t)sqlite3_column_int64(st, 0);
    c.size = (uint64_t)sqlite3_column_int64(st, 1);
    col_hash(st, 2, c.root, sizeof c.root);
    c.time_ms = sqlite3_column_int64(st, 3);
    col_hash(st, 4, c.prev, sizeof c.prev);
    col_hash(st, 5, c.sig, sizeof c.sig);
    if ((status = fn(ud, &c)))
      break;
  }
  if (!status && rc != SQLITE_DONE)
    status = LEVEE_ESTORE;
  sqlite3_finalize(st);
  return status;
}

static const char *const cursor_sql[LV_CUR_COUNT] = {
    [LV_CUR_RECORD] = "SELECT seq, time_ms, actor, type, outcome, detail,"
                      " detail_hash, content_hash, leaf FROM record"
                      " WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq",
    [LV_CUR_EVENT] = "SELECT seq, id, time_ms, channel, conversation_id,"
                     " conversation_type, conversation_title,"
                     " conversation_external, sender_id, sender_name,"
                     " sender_dept, sender_role, recipients, forwarded_from,"
                     " meta, action, severity, truncated FROM event"
                     " WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq",
    [LV_CUR_FINDING] = "SELECT seq, rule, category, source, start, \"end\","
                       " confidence, action, severity FROM finding"
                       " WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq, n",
    [LV_CUR_ATTACH] =
        "SELECT seq, kind, name, path, sha256, md5, size,"
        " text_start, text_len FROM attachment WHERE seq >= ?1 AND seq <= ?2"
        " ORDER BY seq, n",
    [LV_CUR_CONTENT] =
        ("SELECT seq, salt, text, extracted, excerpts"
         " FROM content WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq"),
    [LV_CUR_DEL] =
        ("SELECT seq, purge_seq FROM content_deleted WHERE seq >= ?1 "
         "AND seq <= ?2"
         " ORDER BY seq"),
    [LV_CUR_EXPIRED] = ("SELECT seq, purge_seq FROM record_expired"
                        " WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq"),
};

typedef struct cursor {
  sqlite3_stmt *st;
  int live;     /* positioned on a row */
  uint64_t seq; /* ... whose seq this is */
} cursor;

static int advance(cursor *c) {
  int rc = sqlite3_step(c->st);
  c->live = rc == SQLITE_ROW;
  if (c->live)
    c->seq = (uint64_t)sqlite3_column_int64(c->st, 0);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? LEVEE_OK : LEVEE_ESTORE;
}

static uint64_t cur_seq(const cursor *c) {
  return c->seq;
}

/* Moves cursor i past rows before seq: rows of the previous record left
 * unread, and rows of no record, which go to o. */
static int skip_to(cursor *cur, int i, uint64_t seq, lv_orphan_sink *o) {
  cursor *c = &cur[i];
  int rc = LEVEE_OK;
  while (!rc && c->live && cur_seq(c) < seq)
    if (!(rc = lv_orphan_sink_pass(o, i, lv_row_tables[i - 1], cur_seq(c))))
      rc = advance(c);
  return rc;
}

static int sqlite_each_row(void *db, uint64_t from, uint64_t to, lv_row_fn fn,
                           lv_orphan_fn orphan, void *ud) {
  sqlite_store *s = db;
  cursor cur[LV_CUR_COUNT];
  memset(cur, 0, sizeof cur);
  lv_orphan_sink o;
  lv_orphan_sink_init(&o, orphan, ud);
  int status = LEVEE_OK;
  /* Prepared at the first call: verify reads a log in many ranges. */
  for (int i = 0; i < LV_CUR_COUNT && !status; i++) {
    if (!s->cursor_st[i] &&
        sqlite3_prepare_v2(s->db, cursor_sql[i], -1, &s->cursor_st[i], NULL) !=
            SQLITE_OK) {
      status = LEVEE_ESTORE;
      break;
    }
    cur[i].st = s->cursor_st[i];
    sqlite3_bind_int64(cur[i].st, 1,
                       from > INT64_MAX ? INT64_MAX : (sqlite3_int64)from);
    sqlite3_bind_int64(cur[i].st, 2,
                       to > INT64_MAX ? INT64_MAX : (sqlite3_int64)to);
    status = advance(&cur[i]);
  }
  while (!status && cur[LV_CUR_RECORD].live) {
    sqlite3_stmt *r = cur[LV_CUR_RECORD].st;
    lv_stored_row row;
    memset(&row, 0, sizeof row);
    lv_arena_reset(&s->arena);
    uint64_t seq = cur_seq(&cur[LV_CUR_RECORD]);
    row.rec.head.seq = seq;
    row.rec.head.time_ms = sqlite3_column_int64(r, 1);
    row.rec.head.actor = col_str(r, 2);
    row.rec.head.type = col_str(r, 3);
    row.rec.head.outcome = col_str(r, 4);
    row.detail = col_str(r, 5);
    col_hash(r, 6, row.rec.detail_hash, LV_SHA256_LEN);
    col_hash(r, 7, row.rec.content_hash, LV_SHA256_LEN);
    col_hash(r, 8, row.rec.leaf, LV_SHA256_LEN);
    for (int i = LV_CUR_EVENT; i < LV_CUR_COUNT && !status; i++)
      status = skip_to(cur, i, seq, &o);
    if (status)
      break;
    lv_orphan_sink_record(&o, seq);
    cursor *e = &cur[LV_CUR_EVENT];
    if (e->live && cur_seq(e) == seq) {
      sqlite3_stmt *q = e->st;
      lv_evidence *ev = &row.ev;
      row.is_event = 1;
      ev->id = col_str(q, 1);
      ev->time_ms = sqlite3_column_int64(q, 2);
      ev->channel = col_str(q, 3);
      ev->conversation_id = col_str(q, 4);
      ev->conversation_type = col_str(q, 5);
      ev->conversation_title = col_str(q, 6);
      ev->conversation_external = sqlite3_column_int64(q, 7);
      ev->sender_id = col_str(q, 8);
      ev->sender_name = col_str(q, 9);
      ev->sender_dept = col_str(q, 10);
      ev->sender_role = col_str(q, 11);
      ev->recipients = col_str(q, 12);
      ev->forwarded_from = col_str(q, 13);
      ev->meta = col_str(q, 14);
      ev->action = col_str(q, 15);
      ev->severity = col_str(q, 16);
      ev->truncated = sqlite3_column_int64(q, 17);
      /* Findings and attachments: copied, since stepping their cursors
       * moves on. */
      size_t n = 0, cap = 0;
      cursor *f = &cur[LV_CUR_FINDING];
      while (!status && f->live && cur_seq(f) == seq) {
        if (n == cap) {
          size_t ncap = cap ? cap * 2 : 8;
          lv_ev_finding *nf = lv_arena_alloc(&s->arena, ncap * sizeof *nf);
          if (!nf) {
            status = LEVEE_ENOMEM;
            break;
          }
          if (n)
            memcpy(nf, ev->findings, n * sizeof *nf);
          ev->findings = nf;
          cap = ncap;
        }
        lv_ev_finding *g = &ev->findings[n++];
        sqlite3_stmt *q2 = f->st;
        levee_str t[4] = {col_str(q2, 1), col_str(q2, 2), col_str(q2, 7),
                          col_str(q2, 8)};
        for (int k = 0; k < 4; k++)
          if (t[k].ptr &&
              !(t[k].ptr = lv_arena_strndup(&s->arena, t[k].ptr, t[k].len)))
            status = LEVEE_ENOMEM;
        g->rule = t[0];
        g->category = t[1];
        g->source = sqlite3_column_int64(q2, 3);
        g->start = sqlite3_column_int64(q2, 4);
        g->end = sqlite3_column_int64(q2, 5);
        g->confidence = sqlite3_column_double(q2, 6);
        g->action = t[2];
        g->severity = t[3];
        if (!status)
          status = advance(f);
      }
      ev->n_findings = n;
      n = cap = 0;
      cursor *a = &cur[LV_CUR_ATTACH];
      while (!status && a->live && cur_seq(a) == seq) {
        if (n == cap) {
          size_t ncap = cap ? cap * 2 : 4;
          lv_ev_attachment *na = lv_arena_alloc(&s->arena, ncap * sizeof *na);
          if (!na) {
            status = LEVEE_ENOMEM;
            break;
          }
          if (n)
            memcpy(na, ev->attachments, n * sizeof *na);
          ev->attachments = na;
          cap = ncap;
        }
        lv_ev_attachment *g = &ev->attachments[n++];
        sqlite3_stmt *q2 = a->st;
        levee_str t[5] = {col_str(q2, 1), col_str(q2, 2), col_str(q2, 3),
                          col_str(q2, 4), col_str(q2, 5)};
        for (int k = 0; k < 5; k++)
          if (t[k].ptr &&
              !(t[k].ptr = lv_arena_strndup(&s->arena, t[k].ptr, t[k].len)))
            status = LEVEE_ENOMEM;
        g->kind = t[0];
        g->name = t[1];
        g->path = t[2];
        g->sha256 = t[3];
        g->md5 = t[4];
        g->size = sqlite3_column_int64(q2, 6);
        g->text_start = sqlite3_column_int64(q2, 7);
        g->text_len = sqlite3_column_int64(q2, 8);
        g->has_phash = 0; /* the trace index's, not evidence */
        g->phash = 0;
        if (!status)
          status = advance(a);
      }
      ev->n_attachments = n;
    }
    cursor *c = &cur[LV_CUR_CONTENT];
    if (!status && c->live && cur_seq(c) == seq) {
      row.has_content = 1;
      col_hash(c->st, 1, row.content.salt, sizeof row.content.salt);
      row.content.text = col_str(c->st, 2);
      row.content.extracted = col_str(c->st, 3);
      row.content.excerpts = col_str(c->st, 4);
    }
    cursor *d = &cur[LV_CUR_DEL];
    row.content_deleted = d->live && cur_seq(d) == seq;
    if (row.content_deleted)
      row.purged_by = (uint64_t)sqlite3_column_int64(d->st, 1);
    cursor *x = &cur[LV_CUR_EXPIRED];
    row.expired = x->live && cur_seq(x) == seq;
    if (row.expired)
      row.purged_by = (uint64_t)sqlite3_column_int64(x->st, 1);
    if (status || (status = fn(ud, &row)))
      break;
    status = advance(&cur[LV_CUR_RECORD]);
  }
  /* Rows after the range's last record. */
  for (int i = LV_CUR_EVENT; orphan && i < LV_CUR_COUNT && !status; i++)
    status = skip_to(cur, i, UINT64_MAX, &o);
  for (int i = 0; i < LV_CUR_COUNT; i++)
    if (cur[i].st)
      sqlite3_reset(cur[i].st);
  return status;
}

static int sqlite_each_orphan_outside(void *db, uint64_t from, uint64_t to,
                                      lv_orphan_fn fn, void *ud) {
  sqlite_store *s = db;
  int status = LEVEE_OK;
  for (size_t t = 0; t < LV_ROW_TABLES && !status; t++) {
    char sql[512];
    /* Two ranges of the key, not an OR (which scans the table). */
    snprintf(sql, sizeof sql,
             "SELECT x.seq FROM %s x WHERE x.seq < ?1 AND NOT EXISTS"
             " (SELECT 1 FROM record r WHERE r.seq = x.seq)"
             " UNION SELECT x.seq FROM %s x WHERE x.seq > ?2 AND NOT EXISTS"
             " (SELECT 1 FROM record r WHERE r.seq = x.seq) ORDER BY 1",
             lv_row_tables[t], lv_row_tables[t]);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
      return LEVEE_ESTORE;
    sqlite3_bind_int64(st, 1,
                       from > INT64_MAX ? INT64_MAX : (sqlite3_int64)from);
    sqlite3_bind_int64(st, 2, to > INT64_MAX ? INT64_MAX : (sqlite3_int64)to);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
      if ((status =
               fn(ud, lv_row_tables[t], (uint64_t)sqlite3_column_int64(st, 0))))
        break;
    if (!status && rc != SQLITE_DONE)
      status = LEVEE_ESTORE;
    sqlite3_finalize(st);
  }
  return status;
}

/* --- search -------------------------------------------------------------- */

/* Parameters of the search, listing and count statements, the same in
 * each (a statement uses some of them; the others are bound for nothing). */
enum {
  P_MATCH = 1,
  P_MARK_OPEN,
  P_MARK_CLOSE,
  P_SENDER,
  P_CONVERSATION,
  P_CHANNEL,
  P_ACTION,
  P_CATEGORY, /* a category, or a prefix ending in '.' */
  P_SINCE,
  P_UNTIL,
  P_LIMIT,
  P_OFFSET,
  P_CATEGORY_END, /* past the prefix's last category: '.' becomes '/' */
  P_DEPT,
  P_BEFORE,
  P_TZ_MS
};

static int is_prefix(levee_str category) {
  return category.len && category.ptr[category.len - 1] == '.';
}

/* How filter_sql() asks for a category among an event's findings. */
enum {
  CATEGORY_EXISTS, /* a finding of e's: when another index drives (FTS) */
  CATEGORY_IN,     /* e's seq among those of the category's findings: the
                      category's index drives (a rare category is not a
                      pass over every event) */
  CATEGORY_OF_F    /* the finding f the statement joins (by category) */
};

/* The request's filters as " AND ..." terms over event e, only those
 * asked for (so each leaves no "?n IS NULL OR" for the planner to see
 * through). seq is the column the record bound applies to; category says
 * how the category is matched. */
static int filter_sql(const lv_search_request *q, const char *seq, int category,
                      lv_buf *sql) {
  int rc = LEVEE_OK;
  if (!rc && q->sender.ptr)
    rc = lv_buf_puts(sql, " AND e.sender_id = ?4");
  if (!rc && q->conversation.ptr)
    rc = lv_buf_puts(sql, " AND e.conversation_id = ?5");
  if (!rc && q->sender_dept.ptr)
    rc = lv_buf_puts(sql, " AND e.sender_dept = ?14");
  if (!rc && q->channel.ptr)
    rc = lv_buf_puts(sql, " AND e.channel = ?6");
  if (!rc && q->action.ptr)
    rc = lv_buf_puts(sql, " AND e.action = ?7");
  /* An action other than allow says the same as alerts_only, in the words
   * of the partial indexes' WHERE, so that they serve it. */
  if (!rc && (q->alerts_only ||
              (q->action.ptr &&
               !(q->action.len == 5 && !memcmp(q->action.ptr, "allow", 5)))))
    rc = lv_buf_puts(sql, " AND e.action <> 'allow'");
  if (!rc && q->category.ptr) {
    const char *match = is_prefix(q->category)
                            ? "f.category >= ?8 AND f.category < ?13"
                            : "f.category = ?8";
    if (category == CATEGORY_OF_F)
      rc = lv_buf_printf(sql, " AND %s", match);
    else if (category == CATEGORY_IN)
      rc = lv_buf_printf(sql,
                         " AND e.seq IN (SELECT f.seq FROM finding f"
                         " WHERE %s%s)",
                         match, q->before_seq ? " AND f.seq < ?15" : "");
    else
      rc = lv_buf_printf(sql,
                         " AND EXISTS (SELECT 1 FROM finding f"
                         " WHERE f.seq = e.seq AND %s)",
                         match);
  }
  if (!rc && q->since_ms != INT64_MIN)
    rc = lv_buf_puts(sql, " AND e.time_ms >= ?9");
  if (!rc && q->until_ms != INT64_MAX)
    rc = lv_buf_puts(sql, " AND e.time_ms < ?10");
  if (!rc && q->before_seq)
    rc = lv_buf_printf(sql, " AND %s < ?15", seq);
  return rc;
}

/* Binds the filters' parameters; *end is the prefix's end, the caller's
 * to free. */
static int bind_filters(sqlite3_stmt *st, const lv_search_request *q,
                        char **end) {
  bind_str(st, P_SENDER, q->sender);
  bind_str(st, P_CONVERSATION, q->conversation);
  bind_str(st, P_CHANNEL, q->channel);
  bind_str(st, P_ACTION, q->action);
  bind_str(st, P_CATEGORY, q->category);
  bind_str(st, P_DEPT, q->sender_dept);
  sqlite3_bind_int64(st, P_SINCE, q->since_ms);
  sqlite3_bind_int64(st, P_UNTIL, q->until_ms);
  sqlite3_bind_int64(st, P_BEFORE,
                     q->before_seq > INT64_MAX ? INT64_MAX
                                               : (sqlite3_int64)q->before_seq);
  *end = NULL;
  if (q->category.ptr && is_prefix(q->category)) {
    if (!(*end = malloc(q->category.len)))
      return LEVEE_ENOMEM;
    memcpy(*end, q->category.ptr, q->category.len);
    (*end)[q->category.len - 1] = '/';
    sqlite3_bind_text64(st, P_CATEGORY_END, *end, q->category.len,
                        SQLITE_STATIC, SQLITE_UTF8);
  }
  return LEVEE_OK;
}

/* The columns of a hit, in the order every search statement gives them;
 * the text and extracted text follow. */
#define HIT_COLUMNS                                                            \
  "e.seq, e.id, e.time_ms, e.channel, e.sender_id, e.sender_name,"             \
  " e.conversation_id, e.conversation_title, e.action, e.severity,"            \
  " e.sender_dept,"                                                            \
  " (SELECT group_concat(f.category, ',') FROM finding f"                      \
  "  WHERE f.seq = e.seq),"

/* The search statement: the FTS index drives it, newest first, and stops
 * after the page. */
static int search_sql(const lv_search_request *q, lv_buf *sql) {
  int rc = lv_buf_puts(sql, "SELECT " HIT_COLUMNS
                            " highlight(content_fts, 0, ?2, ?3),"
                            " highlight(content_fts, 1, ?2, ?3)"
                            " FROM search.content_fts JOIN event e"
                            " ON e.seq = content_fts.rowid"
                            " WHERE content_fts MATCH ?1");
  if (!rc)
    rc = filter_sql(q, "content_fts.rowid", CATEGORY_EXISTS, sql);
  if (!rc)
    rc = lv_buf_puts(sql, " ORDER BY content_fts.rowid DESC"
                          " LIMIT ?11 OFFSET ?12");
  return rc;
}

/* The listing statement: events newest first, through the index that
 * the filters pick (the planner's choice), stopping after the page. */
static int list_sql(const lv_search_request *q, lv_buf *sql) {
  int rc = lv_buf_puts(sql, "SELECT " HIT_COLUMNS " c.text, c.extracted"
                            " FROM event e LEFT JOIN content c"
                            " ON c.seq = e.seq WHERE 1");
  if (!rc)
    rc = filter_sql(q, "e.seq", CATEGORY_IN, sql);
  if (!rc)
    rc = lv_buf_puts(sql, " ORDER BY e.seq DESC LIMIT ?11 OFFSET ?12");
  return rc;
}

/* Attaches the search index (search.db, search_index.c), a writer
 * first bringing it up to date with the store. */
static int attach_search(sqlite_store *s, levee_error *err) {
  char path[4200];
  struct stat st;
  int rc;
  if (s->search_attached)
    return LEVEE_OK;
  if (!s->index && !sqlite3_db_readonly(s->db, "main") &&
      (rc = lv_search_index_open(s->dir, &s->index, err)))
    return rc;
  if (s->index && (rc = lv_search_index_close(s->index, err))) {
    s->index = NULL;
    return rc;
  }
  s->index = NULL;
  snprintf(path, sizeof path, "%s/search.db", s->dir);
  if (stat(path, &st))
    return lv_error_set(err, LEVEE_ENOTFOUND,
                        "the search index is missing (levee ingest "
                        "builds it)");
  sqlite3_stmt *at;
  if (sqlite3_prepare_v2(s->db, "ATTACH DATABASE ?1 AS search", -1, &at,
                         NULL) != SQLITE_OK)
    return db_error(s, err, "opening the search index");
  sqlite3_bind_text(at, 1, path, -1, SQLITE_STATIC);
  rc = sqlite3_step(at);
  sqlite3_finalize(at);
  if (rc != SQLITE_DONE)
    return db_error(s, err, "opening the search index");
  s->search_attached = 1;
  return LEVEE_OK;
}

static int sqlite_search(void *db, const lv_search_request *q,
                         lv_search_hit_fn fn, void *ud, levee_error *err) {
  sqlite_store *s = db;
  char *match = NULL, *end = NULL;
  size_t match_len = 0;
  int rc, listing = !q->text.len;
  if (!listing) {
    if ((rc = attach_search(s, err)))
      return rc;
    if ((rc = lv_fts5_quote_query(q->text.ptr ? q->text.ptr : "", q->text.len,
                                  &match, &match_len)))
      return lv_error_set(err, rc, "the search text: %s", levee_strerror(rc));
    if (!match_len) {
      free(match);
      return lv_error_set(err, LEVEE_EINVAL,
                          "nothing to search for in the search text");
    }
  }
  lv_buf sql;
  lv_buf_init(&sql, 1u << 16);
  sqlite3_stmt *st = NULL;
  if ((rc = lv_buf_puts(&sql, q->explain ? "EXPLAIN QUERY PLAN " : "")) ||
      (rc = listing ? list_sql(q, &sql) : search_sql(q, &sql))) {
    lv_error_set(err, rc, "the search: %s", levee_strerror(rc));
    goto out;
  }
  if (sqlite3_prepare_v2(s->db, sql.data, (int)sql.len, &st, NULL) !=
      SQLITE_OK) {
    rc = db_error(s, err, "preparing the search");
    goto out;
  }
  if (match)
    sqlite3_bind_text(st, P_MATCH, match, (int)match_len, SQLITE_STATIC);
  bind_cstr(st, P_MARK_OPEN, q->mark_open ? q->mark_open : "");
  bind_cstr(st, P_MARK_CLOSE, q->mark_close ? q->mark_close : "");
  if ((rc = bind_filters(st, q, &end))) {
    lv_error_set(err, rc, "the search: %s", levee_strerror(rc));
    goto out;
  }
  sqlite3_bind_int64(
      st, P_LIMIT, q->limit > INT64_MAX ? INT64_MAX : (sqlite3_int64)q->limit);
  sqlite3_bind_int64(st, P_OFFSET,
                     q->offset > INT64_MAX ? INT64_MAX
                                           : (sqlite3_int64)q->offset);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    lv_search_hit h;
    memset(&h, 0, sizeof h);
    if (q->explain) {
      h.plan = (const char *)sqlite3_column_text(st, 3);
    } else {
      h.seq = (uint64_t)sqlite3_column_int64(st, 0);
      h.id = col_str(st, 1);
      h.time_ms = sqlite3_column_int64(st, 2);
      h.channel = col_str(st, 3);
      h.sender_id = col_str(st, 4);
      h.sender_name = col_str(st, 5);
      h.conversation_id = col_str(st, 6);
      h.conversation_title = col_str(st, 7);
      h.action = col_str(st, 8);
      h.severity = col_str(st, 9);
      h.sender_dept = col_str(st, 10);
      h.categories = col_str(st, 11);
      h.text = col_str(st, 12);
      h.extracted = col_str(st, 13);
    }
    if ((rc = fn(ud, &h)))
      goto out;
  }
  if (step != SQLITE_DONE)
    rc = db_error(s, err, "searching");
out:
  sqlite3_finalize(st);
  lv_buf_cleanup(&sql);
  free(match);
  free(end);
  return rc;
}

/* --- counts -------------------------------------------------------------- */

/* A group's key over event e (and finding f, by category). The day is
 * floor((time_ms + tz) / day) without adding the two (time_ms is any
 * int64): the truncated quotient, corrected by where the remainder plus
 * the offset (both under a day) falls. */
static const char *stats_key(lv_stats_by by) {
  switch (by) {
  case LV_STATS_DAY:
    return "e.time_ms / 86400000"
           " + (e.time_ms % 86400000 + ?16 >= 86400000)"
           " - (e.time_ms % 86400000 + ?16 < 0)"
           " - (e.time_ms % 86400000 + ?16 < -86400000)";
  case LV_STATS_CATEGORY: return "f.category";
  case LV_STATS_DEPT: return "e.sender_dept";
  case LV_STATS_CHANNEL: return "e.channel";
  case LV_STATS_ACTION: return "e.action";
  case LV_STATS_SEVERITY: return "e.severity";
  case LV_STATS_SENDER:
    return "CASE WHEN e.sender_name IS NULL THEN e.sender_id"
           " ELSE e.sender_name || ' (' || coalesce(e.sender_id, '') || ')'"
           " END";
  }
  return "NULL";
}

static int stats_sql(const lv_stats_request *q, lv_buf *sql) {
  int by_category = q->by == LV_STATS_CATEGORY;
  /* By category: each finding's, an event counted once in each; without
   * a category filter, events with no finding too (as no category). */
  int rc = lv_buf_printf(
      sql, "SELECT k, n FROM (SELECT %s AS k, %s AS n FROM event e%s WHERE 1",
      stats_key(q->by), by_category ? "count(DISTINCT e.seq)" : "count(*)",
      !by_category             ? ""
      : q->filter.category.ptr ? " JOIN finding f ON f.seq = e.seq"
                               : " LEFT JOIN finding f ON f.seq = e.seq");
  if (!rc)
    rc = filter_sql(&q->filter, "e.seq",
                    by_category ? CATEGORY_OF_F : CATEGORY_IN, sql);
  if (!rc)
    rc = lv_buf_puts(sql, q->by == LV_STATS_DAY
                              ? " GROUP BY 1) ORDER BY k LIMIT ?11"
                              : " GROUP BY 1) ORDER BY k IS NULL, n DESC, k"
                                " LIMIT ?11");
  return rc;
}

static int sqlite_stats(void *db, const lv_stats_request *q, uint64_t limit,
                        lv_stats_fn fn, void *ud, levee_error *err) {
  sqlite_store *s = db;
  lv_buf sql;
  lv_buf_init(&sql, 1u << 16);
  sqlite3_stmt *st = NULL;
  char *end = NULL;
  int rc;
  if ((rc = lv_buf_puts(&sql, q->explain ? "EXPLAIN QUERY PLAN " : "")) ||
      (rc = stats_sql(q, &sql))) {
    lv_error_set(err, rc, "counting: %s", levee_strerror(rc));
    goto out;
  }
  if (sqlite3_prepare_v2(s->db, sql.data, (int)sql.len, &st, NULL) !=
      SQLITE_OK) {
    rc = db_error(s, err, "preparing the count");
    goto out;
  }
  if ((rc = bind_filters(st, &q->filter, &end))) {
    lv_error_set(err, rc, "counting: %s", levee_strerror(rc));
    goto out;
  }
  sqlite3_bind_int64(st, P_LIMIT,
                     limit > INT64_MAX ? INT64_MAX : (sqlite3_int64)limit);
  sqlite3_bind_int64(st, P_TZ_MS, (sqlite3_int64)q->tz_offset_min * 60000);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (q->explain) {
      rc = fn(ud, col_str(st, 3), 0);
    } else if (q->by == LV_STATS_DAY) {
      char key[LV_STATS_DAY_KEY_MAX];
      size_t n = lv_stats_day_key(sqlite3_column_int64(st, 0), key);
      rc = fn(ud, (levee_str){key, n}, (uint64_t)sqlite3_column_int64(st, 1));
    } else {
      rc = fn(ud, col_str(st, 0), (uint64_t)sqlite3_column_int64(st, 1));
    }
    if (rc)
      goto out;
  }
  if (step != SQLITE_DONE)
    rc = db_error(s, err, "counting");
out:
  sqlite3_finalize(st);
  lv_buf_cleanup(&sql);
  free(end);
  return rc;
}

/* --- one event in its conversation -----------------------------------------
 */

/* Sequence numbers the statement sql (bound: ?1 conversation, ?2 seq, ?3
 * limit) returns, appended to seqs. */
static int context_seqs(sqlite_store *s, const char *sql, levee_str conv,
                        uint64_t seq, size_t limit, uint64_t *seqs, size_t *n,
                        levee_error *err) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
    return db_error(s, err, "reading a conversation");
  bind_str(st, 1, conv);
  sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
  sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    seqs[(*n)++] = (uint64_t)sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? LEVEE_OK
                           : db_error(s, err, "reading a conversation");
}

static int sqlite_event_context(void *db, levee_str id, size_t before,
                                size_t after, uint64_t *seqs, size_t *n,
                                size_t *at, levee_error *err) {
  sqlite_store *s = db;
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db,
                         "SELECT seq, conversation_id FROM event WHERE id = ?1",
                         -1, &st, NULL) != SQLITE_OK)
    return db_error(s, err, "looking up an event");
  bind_str(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) {
    sqlite3_finalize(st);
    return rc == SQLITE_DONE
               ? lv_error_set(err, LEVEE_ENOTFOUND, "no event has this id")
               : db_error(s, err, "looking up an event");
  }
  uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
  levee_str conv = col_str(st, 1);
  char *conv_copy = NULL;
  if (conv.ptr && !(conv_copy = malloc(conv.len + 1))) {
    sqlite3_finalize(st);
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  }
  if (conv.ptr)
    memcpy(conv_copy, conv.ptr, conv.len);
  conv.ptr = conv_copy;
  sqlite3_finalize(st);
  *n = 0;
  rc = LEVEE_OK;
  if (conv.ptr && before)
    rc = context_seqs(s,
                      "SELECT seq FROM event WHERE conversation_id = ?1"
                      " AND seq < ?2 ORDER BY seq DESC LIMIT ?3",
                      conv, seq, before, seqs, n, err);
  for (size_t i = 0; i < *n / 2; i++) { /* oldest first */
    uint64_t t = seqs[i];
    seqs[i] = seqs[*n - 1 - i];
    seqs[*n - 1 - i] = t;
  }
  *at = *n;
  seqs[(*n)++] = seq;
  if (!rc && conv.ptr && after)
    rc = context_seqs(s,
                      "SELECT seq FROM event WHERE conversation_id = ?1"
                      " AND seq > ?2 ORDER BY seq LIMIT ?3",
                      conv, seq, after, seqs, n, err);
  free(conv_copy);
  return rc;
}

/* --- retention ----------------------------------------------------------- */

static int sqlite_each_record(void *db, const char *type, lv_record_row_fn fn,
                              void *ud) {
  sqlite_store *s = db;
  sqlite3_stmt *st;
  /* The redundant type <> 'event' lets the partial index record_type
   * serve the query. */
  if (sqlite3_prepare_v2(s->db,
                         "SELECT seq, time_ms, actor, outcome, detail"
                         " FROM record WHERE type = ?1 AND type <> 'event'"
                         " ORDER BY seq",
                         -1, &st, NULL) != SQLITE_OK)
    return LEVEE_ESTORE;
  bind_cstr(st, 1, type);
  int rc, status = LEVEE_OK;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    lv_record_head h = {
        .seq = (uint64_t)sqlite3_column_int64(st, 0),
        .time_ms = sqlite3_column_int64(st, 1),
        .actor = col_str(st, 2),
        .type = {type, strlen(type)},
        .outcome = col_str(st, 3),
    };
    if ((status = fn(ud, &h, col_str(st, 4))))
      break;
  }
  if (!status && rc != SQLITE_DONE)
    status = LEVEE_ESTORE;
  sqlite3_finalize(st);
  return status;
}

static int sqlite_each_purge_candidate(void *db, int64_t before_ms,
                                       lv_purge_candidate_fn fn, void *ud) {
  sqlite_store *s = db;
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(
          s->db,
          "SELECT r.seq, r.time_ms,"
          " EXISTS (SELECT 1 FROM content c WHERE c.seq = r.seq),"
          " (SELECT group_concat(f.category, char(10)) FROM finding f"
          "  WHERE f.seq = r.seq)"
          " FROM record r JOIN event e ON e.seq = r.seq"
          " WHERE r.time_ms < ?1 AND r.seq NOT IN"
          " (SELECT seq FROM record_expired) ORDER BY r.seq",
          -1, &st, NULL) != SQLITE_OK)
    return LEVEE_ESTORE;
  sqlite3_bind_int64(st, 1, before_ms);
  int rc, status = LEVEE_OK;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    lv_purge_candidate c;
    const char *cats[64];
    char buf[4096];
    c.seq = (uint64_t)sqlite3_column_int64(st, 0);
    c.time_ms = sqlite3_column_int64(st, 1);
    c.has_content = sqlite3_column_int(st, 2);
    c.n_categories = 0;
    const char *list = (const char *)sqlite3_column_text(st, 3);
    if (list) {
      /* Categories are short names; the first 64 that fit are enough to
       * find the longest retention among them. */
      snprintf(buf, sizeof buf, "%s", list);
      for (char *p = buf, *nl; p && c.n_categories < 64; p = nl) {
        nl = strchr(p, '\n');
        if (nl)
          *nl++ = '\0';
        cats[c.n_categories++] = p;
      }
    }
    c.categories = cats;
    if ((status = fn(ud, &c)))
      break;
  }
  if (!status && rc != SQLITE_DONE)
    status = LEVEE_ESTORE;
  sqlite3_finalize(st);
  return status;
}

/* Removes a record's entries from the search index, once the purge
 * commits (search_index.c). */
static int unindex(sqlite_store *s, uint64_t seq, levee_error *err) {
  if (pending_add(s, seq, 1, (levee_str){NULL, 0}, (levee_str){NULL, 0}))
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  return LEVEE_OK;
}

static int exec_seq(sqlite_store *s, const char *sql, uint64_t seq,
                    uint64_t purge_seq, levee_error *err) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
    return db_error(s, err, "preparing a purge");
  sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
  if (sqlite3_bind_parameter_count(st) >= 2)
    sqlite3_bind_int64(st, 2, (sqlite3_int64)purge_seq);
  int rc =
      sqlite3_step(st) == SQLITE_DONE ? LEVEE_OK : db_error(s, err, "purging");
  sqlite3_finalize(st);
  return rc;
}

/* --- the trace index ------------------------------------------------------ */

static sqlite3_stmt *trace_stmt(sqlite_store *s, int i) {
  if (!s->trace_st[i] &&
      sqlite3_prepare_v3(s->db, trace_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                         &s->trace_st[i], NULL) != SQLITE_OK)
    return NULL;
  return s->trace_st[i];
}

/* Numbers as a blob, 8 bytes each, big-endian. */
static void be_put64(unsigned char *o, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8)
    o[i] = (unsigned char)(v & 0xff);
}

static uint64_t be_get64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | p[i];
  return v;
}

/* The fingerprints' blob, then the images' (each n, text_fps, hash: 16
 * bytes), in s->scratch; *split where the images' begin. */
static int entry_blobs(sqlite_store *s, const lv_trace_entry *t,
                       size_t *split) {
  lv_buf *b = &s->scratch;
  lv_buf_reset(b);
  int rc = lv_buf_reserve(b, t->n_fps * 8 + t->n_images * 16);
  if (rc)
    return rc;
  unsigned char *o = (unsigned char *)b->data;
  for (size_t i = 0; i < t->n_fps; i++, o += 8)
    be_put64(o, t->fps[i]);
  *split = t->n_fps * 8;
  for (size_t i = 0; i < t->n_images; i++, o += 16) {
    const lv_trace_image *im = &t->images[i];
    be_put64(o, (uint64_t)im->n << 32 | im->text_fps);
    be_put64(o + 8, im->phash);
  }
  b->len = t->n_fps * 8 + t->n_images * 16;
  return LEVEE_OK;
}

/* The entry's rows but its members: trace, trace_fp and trace_block. */
static int put_entry_rows(sqlite_store *s, uint64_t seq,
                          const lv_trace_entry *t, levee_error *err) {
  if (!t->n_fps && !t->n_images)
    return LEVEE_OK;
  size_t split;
  int rc = entry_blobs(s, t, &split);
  if (rc)
    return lv_error_set(err, rc, "the trace index: %s", levee_strerror(rc));
  sqlite3_stmt *st = trace_stmt(s, TS_PUT_TRACE);
  if (!st)
    return db_error(s, err, "the trace index");
  sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
  if (t->n_fps)
    sqlite3_bind_blob(st, 2, s->scratch.data, (int)split, SQLITE_STATIC);
  if (t->n_images)
    sqlite3_bind_blob(st, 3, s->scratch.data + split,
                      (int)(s->scratch.len - split), SQLITE_STATIC);
  if ((rc = run(s, st, err, "storing the trace index")))
    return rc;
  if (t->n_fps && !(st = trace_stmt(s, TS_PUT_FP)))
    return db_error(s, err, "the trace index");
  for (size_t i = 0; i < t->n_fps; i++) {
    sqlite3_bind_int64(st, 1, (sqlite3_int64)t->fps[i]);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    if ((rc = run(s, st, err, "storing the trace index")))
      return rc;
  }
  if (t->n_images && !(st = trace_stmt(s, TS_PUT_BLOCK)))
    return db_error(s, err, "the trace index");
  for (size_t i = 0; i < t->n_images; i++)
    for (int k = 0; k < LV_TRACE_BLOCKS; k++) {
      sqlite3_bind_int64(st, 1, lv_trace_block_key(t->images[i].phash, k));
      sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
      sqlite3_bind_int64(st, 3, (sqlite3_int64)t->images[i].phash);
      if ((rc = run(s, st, err, "storing the trace index")))
        return rc;
    }
  return LEVEE_OK;
}

/* Notes that person took part in conversation (keys), unless that is
 * known to be written: in the transaction's pairs, written at commit. */
static int note_member(sqlite_store *s, uint64_t conversation,
                       uint64_t person) {
  uint64_t key = lv_trace_pair_key(conversation, person);
  if (lv_trace_keyset_has(&s->pairs_known, key))
    return LEVEE_OK;
  int rc = lv_trace_keyset_add(&s->pairs_txn, key);
  if (rc <= 0)
    return rc;
  if (s->n_pairs == s->cap_pairs) {
    size_t ncap = s->cap_pairs ? s->cap_pairs * 2 : 1024;
    uint64_t(*n)[2] = realloc(s->pairs, ncap * sizeof *n);
    if (!n)
      return LEVEE_ENOMEM;
    s->pairs = n;
    s->cap_pairs = ncap;
  }
  s->pairs[s->n_pairs][0] = conversation;
  s->pairs[s->n_pairs++][1] = person;
  return LEVEE_OK;
}

static int sqlite_put_trace(void *db, uint64_t seq, const lv_trace_entry *t,
                            levee_error *err) {
  sqlite_store *s = db;
  int rc = put_entry_rows(s, seq, t, err);
  if (rc || !t->conversation.ptr || t->members_hash == s->members_hash)
    return rc;
  uint64_t c = lv_trace_id_key(t->conversation);
  for (size_t i = 0; !rc && i < t->n_members; i++)
    rc = note_member(s, c, lv_trace_id_key(t->members[i]));
  if (rc)
    return lv_error_set(err, rc, "the trace index: %s", levee_strerror(rc));
  s->members_hash = t->members_hash;
  return LEVEE_OK;
}

static int put_member(sqlite_store *s, uint64_t conversation, uint64_t person,
                      levee_error *err) {
  sqlite3_stmt *st = trace_stmt(s, TS_PUT_MEMBER);
  if (!st)
    return db_error(s, err, "the trace index");
  sqlite3_bind_int64(st, 1, (sqlite3_int64)conversation);
  sqlite3_bind_int64(st, 2, (sqlite3_int64)person);
  return run(s, st, err, "storing a conversation's members");
}

static int put_members(sqlite_store *s, levee_error *err) {
  int rc = LEVEE_OK;
  for (size_t i = 0; !rc && i < s->n_pairs; i++)
    rc = put_member(s, s->pairs[i][0], s->pairs[i][1], err);
  return rc;
}

static void members_done(sqlite_store *s, int committed) {
  for (size_t i = 0; committed && i < s->n_pairs; i++)
    if (lv_trace_keyset_add(&s->pairs_known,
                            lv_trace_pair_key(s->pairs[i][0], s->pairs[i][1])) <
        0)
      break; /* out of memory: they will be written again */
  s->n_pairs = 0;
  lv_trace_keyset_clear(&s->pairs_txn);
  s->members_hash = 0;
}

/* Schema 7: the events already stored get their fingerprints (from their
 * content) and their conversations' members (from their rows). */
static int backfill_trace(sqlite_store *s, levee_error *err) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(
          s->db,
          "SELECT e.seq, e.conversation_id, e.sender_id, e.recipients,"
          " c.text, c.extracted FROM event e LEFT JOIN content c"
          " ON c.seq = e.seq WHERE NOT EXISTS"
          " (SELECT 1 FROM trace t WHERE t.seq = e.seq) ORDER BY e.seq",
          -1, &st, NULL) != SQLITE_OK)
    return db_error(s, err, "building the trace index");
  lv_trace_indexer x;
  lv_trace_indexer_init(&x);
  int step, rc = LEVEE_OK;
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
    lv_trace_entry t;
    memset(&t, 0, sizeof t);
    if ((rc = lv_trace_text_fps(&x, col_str(st, 4), col_str(st, 5), &t.fps,
                                &t.n_fps))) {
      lv_error_set(err, rc, "building the trace index: %s", levee_strerror(rc));
      break;
    }
    if ((rc = put_entry_rows(s, seq, &t, err)))
      break;
    levee_str conv = col_str(st, 1);
    if (!conv.ptr)
      continue;
    const levee_str *m;
    size_t n;
    if ((rc = lv_trace_members(&x, col_str(st, 2), col_str(st, 3), &m, &n))) {
      lv_error_set(err, rc, "building the trace index: %s", levee_strerror(rc));
      break;
    }
    uint64_t c = lv_trace_id_key(conv);
    for (size_t i = 0; !rc && i < n; i++) {
      uint64_t p = lv_trace_id_key(m[i]);
      int fresh = lv_trace_keyset_add(&s->pairs_known, lv_trace_pair_key(c, p));
      if (fresh < 0)
        rc = lv_error_set(err, fresh, "out of memory");
      else if (fresh)
        rc = put_member(s, c, p, err);
    }
  }
  if (!rc && step != SQLITE_DONE)
    rc = db_error(s, err, "building the trace index");
  sqlite3_finalize(st);
  lv_trace_indexer_cleanup(&x);
  return rc;
}

static int sqlite_trace_find(void *db, const lv_trace_lookup *q,
                             lv_trace_found_fn fn, void *ud, levee_error *err) {
  sqlite_store *s = db;
  static const int which[] = {
      [LV_TRACE_BY_ID] = TS_BY_ID,
      [LV_TRACE_BY_FORWARDED] = TS_BY_FORWARDED,
      [LV_TRACE_BY_SHA256] = TS_BY_SHA256,
      [LV_TRACE_BY_MD5] = TS_BY_MD5,
      [LV_TRACE_BY_FP] = TS_BY_FP,
      [LV_TRACE_BY_BLOCK] = TS_BY_BLOCK,
  };
  if ((size_t)q->by >= sizeof which / sizeof *which)
    return lv_error_set(err, LEVEE_EINVAL, "the trace index: no such lookup");
  sqlite3_stmt *st = trace_stmt(s, which[q->by]);
  if (!st)
    return db_error(s, err, "the trace index");
  int numbers = q->by == LV_TRACE_BY_FP || q->by == LV_TRACE_BY_BLOCK;
  int rc = LEVEE_OK;
  for (size_t i = 0; !rc && i < q->n; i++) {
    if (numbers)
      sqlite3_bind_int64(st, 1, (sqlite3_int64)q->nums[i]);
    else if (!q->strs[i].ptr)
      continue;
    else
      bind_str(st, 1, q->strs[i]);
    sqlite3_bind_int64(
        st, 2, q->per_key > INT64_MAX ? INT64_MAX : (sqlite3_int64)q->per_key);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
      if ((rc = fn(ud, (uint64_t)sqlite3_column_int64(st, 0),
                   (uint64_t)sqlite3_column_int64(st, 1))))
        break;
    if (!rc && step != SQLITE_DONE)
      rc = db_error(s, err, "reading the trace index");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  return rc;
}

/* A text column copied into a. */
static int keep_col(sqlite3_stmt *st, int i, lv_arena *a, levee_str *out) {
  levee_str v = col_str(st, i);
  *out = (levee_str){NULL, 0};
  if (!v.ptr)
    return LEVEE_OK;
  char *c = lv_arena_strndup(a, v.ptr, v.len);
  if (!c)
    return LEVEE_ENOMEM;
  *out = (levee_str){c, v.len};
  return LEVEE_OK;
}

/* A list that grows in a: room for one more of size sz. */
static void *grow_list(lv_arena *a, void *v, size_t n, size_t *cap, size_t sz) {
  if (n < *cap)
    return v;
  size_t ncap = *cap ? *cap * 2 : 4;
  void *nv = lv_arena_alloc(a, ncap * sz);
  if (nv && n)
    memcpy(nv, v, n * sz);
  if (nv)
    *cap = ncap;
  return nv;
}

/* The record's trace entry (fingerprints and images) into e. */
static int read_entry(sqlite_store *s, uint64_t seq, lv_arena *a,
                      lv_trace_event *e) {
  sqlite3_stmt *st = trace_stmt(s, TS_ENTRY);
  if (!st)
    return LEVEE_ESTORE;
  sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
  int rc = LEVEE_OK, step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    const unsigned char *f = sqlite3_column_blob(st, 0);
    size_t nf = (size_t)sqlite3_column_bytes(st, 0) / 8;
    const unsigned char *im = sqlite3_column_blob(st, 1);
    size_t ni = (size_t)sqlite3_column_bytes(st, 1) / 16;
    if (nf && f && (e->fps = lv_arena_alloc(a, nf * sizeof *e->fps))) {
      for (size_t i = 0; i < nf; i++)
        e->fps[i] = be_get64(f + 8 * i);
      e->n_fps = nf;
    } else if (nf && f)
      rc = LEVEE_ENOMEM;
    if (!rc && ni && im &&
        (e->images = lv_arena_alloc(a, ni * sizeof *e->images))) {
      for (size_t i = 0; i < ni; i++) {
        uint64_t h = be_get64(im + 16 * i);
        e->images[i] = (lv_trace_image){(uint32_t)(h >> 32), (uint32_t)h,
                                        be_get64(im + 16 * i + 8)};
      }
      e->n_images = ni;
    } else if (!rc && ni && im)
      rc = LEVEE_ENOMEM;
  } else if (step != SQLITE_DONE)
    rc = LEVEE_ESTORE;
  sqlite3_reset(st);
  return rc;
}

static int sqlite_trace_event(void *db, uint64_t seq, lv_arena *a,
                              lv_trace_event *out, levee_error *err) {
  sqlite_store *s = db;
  lv_trace_event e;
  memset(&e, 0, sizeof e);
  e.seq = seq;
  sqlite3_stmt *st = trace_stmt(s, TS_EVENT);
  if (!st)
    return db_error(s, err, "reading an event");
  sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
  int rc = LEVEE_OK, step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    levee_str *cols[] = {&e.id,
                         NULL,
                         &e.channel,
                         &e.conversation_id,
                         &e.conversation_type,
                         &e.conversation_title,
                         &e.sender_id,
                         &e.sender_name,
                         &e.recipients,
                         &e.forwarded_from};
    for (int i = 0; !rc && i < (int)(sizeof cols / sizeof(levee_str *)); i++)
      if (cols[i])
        rc = keep_col(st, i, a, cols[i]);
    e.time_ms = sqlite3_column_int64(st, 1);
  } else {
    rc = step == SQLITE_DONE ? LEVEE_ENOTFOUND : LEVEE_ESTORE;
  }
  sqlite3_reset(st);
  if (rc == LEVEE_ENOTFOUND)
    return lv_error_set(err, rc, "record %llu holds no event",
                        (unsigned long long)seq);
  if (!rc && !(st = trace_stmt(s, TS_ATTACHMENTS)))
    rc = LEVEE_ESTORE;
  if (!rc) {
    size_t cap_s = 0, cap_m = 0;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
      for (int k = 0; !rc && k < 2; k++) {
        levee_str v;
        if (!col_str(st, k).ptr || (rc = keep_col(st, k, a, &v)))
          continue;
        levee_str **list = k ? &e.md5 : &e.sha256;
        size_t *n = k ? &e.n_md5 : &e.n_sha256;
        levee_str *nl =
            grow_list(a, *list, *n, k ? &cap_m : &cap_s, sizeof **list);
        if (!nl) {
          rc = LEVEE_ENOMEM;
          break;
        }
        *list = nl;
        nl[(*n)++] = v;
      }
    }
    if (!rc && step != SQLITE_DONE)
      rc = LEVEE_ESTORE;
    sqlite3_reset(st);
  }
  if (!rc)
    rc = read_entry(s, seq, a, &e);
  if (rc == LEVEE_ESTORE)
    return db_error(s, err, "reading an event");
  if (rc)
    return lv_error_set(err, rc, "reading an event: %s", levee_strerror(rc));
  *out = e;
  return LEVEE_OK;
}

static int sqlite_trace_member(void *db, levee_str conversation,
                               levee_str person, int *member,
                               levee_error *err) {
  sqlite_store *s = db;
  sqlite3_stmt *st = trace_stmt(s, TS_MEMBER);
  if (!st)
    return db_error(s, err, "reading a conversation's members");
  sqlite3_bind_int64(st, 1, (sqlite3_int64)lv_trace_id_key(conversation));
  sqlite3_bind_int64(st, 2, (sqlite3_int64)lv_trace_id_key(person));
  int step = sqlite3_step(st);
  *member = step == SQLITE_ROW;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return step == SQLITE_ROW || step == SQLITE_DONE
             ? LEVEE_OK
             : db_error(s, err, "reading a conversation's members");
}

/* Takes a record out of the trace index: its fingerprints (its content was
 * deleted), or its whole entry (its evidence expired). */
static int untrace(sqlite_store *s, uint64_t seq, int whole, levee_error *err) {
  lv_arena a;
  lv_arena_init(&a, LV_MAX_ARENA_BYTES);
  lv_trace_event e;
  memset(&e, 0, sizeof e);
  int rc = read_entry(s, seq, &a, &e);
  sqlite3_stmt *st = NULL;
  if (rc == LEVEE_ENOMEM)
    rc = lv_error_set(err, rc, "out of memory");
  else if (rc)
    rc = db_error(s, err, "the trace index");
  if (!rc && e.n_fps && !(st = trace_stmt(s, TS_DELETE_FP)))
    rc = db_error(s, err, "the trace index");
  for (size_t i = 0; !rc && i < e.n_fps; i++) {
    sqlite3_bind_int64(st, 1, (sqlite3_int64)e.fps[i]);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    rc = run(s, st, err, "the trace index");
  }
  if (!rc && whole && e.n_images && !(st = trace_stmt(s, TS_DELETE_BLOCK)))
    rc = db_error(s, err, "the trace index");
  for (size_t i = 0; !rc && whole && i < e.n_images; i++)
    for (int k = 0; !rc && k < LV_TRACE_BLOCKS; k++) {
      sqlite3_bind_int64(st, 1, lv_trace_block_key(e.images[i].phash, k));
      sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
      sqlite3_bind_int64(st, 3, (sqlite3_int64)e.images[i].phash);
      rc = run(s, st, err, "the trace index");
    }
  lv_arena_cleanup(&a);
  if (!rc)
    rc = exec_seq(s,
                  whole ? "DELETE FROM trace WHERE seq = ?1"
                        : "UPDATE trace SET fps = NULL WHERE seq = ?1",
                  seq, 0, err);
  return rc;
}

static int sqlite_delete_content(void *db, uint64_t seq, uint64_t purge_seq,
                                 levee_error *err) {
  sqlite_store *s = db;
  int rc;
  if ((rc = unindex(s, seq, err)) || (rc = untrace(s, seq, 0, err)) ||
      (rc = exec_seq(s, "DELETE FROM content WHERE seq = ?1", seq, 0, err)) ||
      (rc = exec_seq(s,
                     "INSERT OR IGNORE INTO content_deleted(seq, purge_seq)"
                     " VALUES (?1, ?2)",
                     seq, purge_seq, err)))
    return rc;
  return LEVEE_OK;
}

static int sqlite_expire_record(void *db, uint64_t seq, uint64_t purge_seq,
                                levee_error *err) {
  sqlite_store *s = db;
  static const char *const sql[] = {
      "DELETE FROM content WHERE seq = ?1",
      "DELETE FROM content_deleted WHERE seq = ?1",
      "DELETE FROM finding WHERE seq = ?1",
      "DELETE FROM attachment WHERE seq = ?1",
      "DELETE FROM event WHERE seq = ?1",
      "INSERT INTO record_expired(seq, purge_seq) VALUES (?1, ?2)",
  };
  int rc = unindex(s, seq, err);
  if (!rc)
    rc = untrace(s, seq, 1, err);
  for (size_t i = 0; !rc && i < sizeof sql / sizeof *sql; i++)
    rc = exec_seq(s, sql[i], seq, purge_seq, err);
  return rc;
}

const lv_store_backend lv_store_sqlite = {
    .version = LV_STORE_BACKEND_VERSION,
    .name = "sqlite",
    .open = sqlite_open,
    .close = sqlite_close,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .meta_get = sqlite_meta_get,
    .meta_set = sqlite_meta_set,
    .last_seq = sqlite_last_seq,
    .event_seen = sqlite_event_seen,
    .put_event = sqlite_put_event,
    .put_record = sqlite_put_record,
    .put_checkpoint = sqlite_put_checkpoint,
    .each_checkpoint = sqlite_each_checkpoint,
    .each_row = sqlite_each_row,
    .each_orphan_outside = sqlite_each_orphan_outside,
    .search = sqlite_search,
    .event_context = sqlite_event_context,
    .each_record = sqlite_each_record,
    .each_purge_candidate = sqlite_each_purge_candidate,
    .delete_content = sqlite_delete_content,
    .expire_record = sqlite_expire_record,
    .stats = sqlite_stats,
    .put_trace = sqlite_put_trace,
    .trace_find = sqlite_trace_find,
    .trace_event = sqlite_trace_event,
    .trace_member = sqlite_trace_member,
};
