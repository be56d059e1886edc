/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_pg.c: the PostgreSQL back end of the audit store (store_backend.h),
 * for `--store postgres://...`: the same tables, columns and meaning as
 * store_sqlite.c, so store.c's log logic (hashes, Merkle tree, checkpoints,
 * verification) runs unchanged over either. libpq is loaded on first use
 * (pq_lib.h).
 *
 * Strings. PostgreSQL's text can hold neither NUL, which an event's JSON
 * gives with \u0000, nor invalid UTF-8, which levee stores as it came (the
 * SQLite back end keeps both). Refusing such an event would stop the whole
 * ingest (store.c has already put it in the Merkle tree when the back end
 * sees it), so any message could stop the audit trail. So every column
 * that holds what came from outside levee (an event's fields, message and
 * extracted text, attachment names, a policy's rule and category names,
 * the OS user as actor) is bytea: the exact bytes, hashed as stored and
 * read back, so `levee verify` checks exactly what is kept. What levee
 * writes itself (JSON from its writer: details, recipients, excerpts;
 * action and severity names; meta) is text. psql shows bytea as hex;
 * convert_from(col, 'UTF8') reads the valid ones as text.
 *
 * Lengths. A btree index entry holds at most 2704 bytes, and outside
 * strings have no such bound (a longer sender id must not stop an
 * ingest). So event ids are kept unique by an exclusion constraint over a
 * hash index (no length limit, and event_seen() looks ids up with it);
 * people and conversations by unique indexes on sha256(id) (ON CONFLICT
 * needs a unique index; they are written once per transaction); and the
 * lookups by sender, conversation, forwarded message, category and
 * attachment hash are btrees on the first 1,024 bytes: a query uses one
 * with `WHERE substring(sender_id from 1 for 1024) = substring($1 from 1
 * for 1024) AND sender_id = $1`. (sha256() indexes cost 3 us a row each,
 * a third of the event table's COPY; a hash index would walk the whole
 * bucket of a sender with millions of messages at each insert.)
 *
 * Writing. One writer per store: a writable open takes a session advisory
 * lock (waiting up to LOCK_WAIT_S for a writer that is finishing, as after
 * a kill), held until close, so store.c's view of the log (its last
 * record, its saved tree) cannot go stale under it and two ingests cannot
 * interleave sequence numbers. Rows of a transaction are written with
 * binary COPY, table by table, when a table's buffer reaches
 * COPY_FLUSH_BYTES and at commit, not one round trip per row; the event
 * ids of the open transaction are kept in memory so event_seen() sees
 * those not yet sent, and the hashes of the store's ids too (up to
 * ID_CACHE_MAX of them) so that a new id costs no round trip either.
 * People and conversations are upserted once per transaction
 * (directory.h) from arrays, one statement each. A commit returns once
 * PostgreSQL has committed (synchronous_commit is set on). 100,000 events
 * of the benchmark corpus took 6 s (SQLite: 3.4 s): 3.9 s of it the GIN
 * index, 1.2 s the event table's indexes.
 *
 * Reading. A read-only open runs in one REPEATABLE READ READ ONLY
 * transaction, so verify sees one snapshot throughout. Reads stream
 * through server-side cursors fetched a few MiB at a time; each_row is a
 * merge join over one cursor per table in seq order, as in SQLite.
 *
 * Search. Each content row's token set (search_tokens.h, DOCUMENT mode,
 * message and extracted text together) is a text[] in content_search, with
 * a GIN index. A query's tokens (QUERY mode) must all be in a row
 * (tokens @> ...); each candidate is then checked in C the way FTS5 checks
 * a phrase (each piece of the query, its tokens at consecutive positions
 * of the message or of the extracted text) and its matches marked the way
 * FTS5's highlight() marks them, so both back ends return the same hits.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/directory.h"
#include "store/pq_lib.h"
#include "store/search_tokens.h"
#include "store/store.h"
#include "store/store_backend.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/limits.h"

/* The oldest server: sha256() (11) in the unique indexes; 12 is the oldest
 * release still updated when this was written. */
#define MIN_SERVER_VERSION 120000
/* How long a writable open waits for another writer's lock. */
#define LOCK_WAIT_S 30
/* A table's COPY buffer is sent when it reaches this. */
#define COPY_FLUSH_BYTES (8u << 20)
/* A COPY buffer holds at most this (one row may be this large; PostgreSQL
 * refuses a field over 1 GiB anyway). */
#define COPY_MAX_BYTES ((size_t)1 << 30)
/* Retention deletions sent in one statement. */
#define PURGE_BATCH 10000
/* What one FETCH from a cursor aims at, and its bounds in rows. */
#define FETCH_TARGET_BYTES (4u << 20)
#define FETCH_MAX_ROWS 10000
/* The id cache (below) holds at most this many ids (32 MiB); a writer to
 * a larger store asks the server about each event. */
#define ID_CACHE_MAX ((size_t)2 << 20)
/* The cache is loaded once the lookups it would have saved cost about
 * what loading it costs: a round trip is worth this many ids loaded. */
#define ID_CACHE_RATIO 64
/* A tokenizer scratch grown past this by one long text is released. */
#define SCRATCH_KEEP_BYTES (256u << 10)

/* Type OIDs (pg_type.h; fixed since PostgreSQL 7). */
enum {
  OID_BYTEA = 17,
  OID_INT8 = 20,
  OID_TEXT = 25,
  OID_BYTEA_ARRAY = 1001,
  OID_TEXT_ARRAY = 1009,
  OID_INT8_ARRAY = 1016
};

/* --- schema --------------------------------------------------------------- */

/* Each entry takes the schema from version i to i + 1, in its own
 * transaction; the version is meta's schema_version. Never edit one that
 * has shipped: add the next. */
static const char *const migrations[] = {
    /* 1: the log, events as evidence, content apart, its search tokens,
     * checkpoints, retention's marks. */
    "CREATE TABLE meta(key text PRIMARY KEY, value text NOT NULL);"
    "CREATE TABLE record("
    " seq bigint PRIMARY KEY, time_ms bigint NOT NULL,"
    " actor bytea NOT NULL, type text NOT NULL, outcome text NOT NULL,"
    " detail text, detail_hash bytea NOT NULL, content_hash bytea NOT NULL,"
    " leaf bytea NOT NULL);"
    "CREATE TABLE event("
    " seq bigint PRIMARY KEY, id bytea NOT NULL,"
    " time_ms bigint NOT NULL, channel bytea NOT NULL,"
    " conversation_id bytea, conversation_type bytea,"
    " conversation_title bytea, conversation_external bigint NOT NULL,"
    " sender_id bytea, sender_name bytea, sender_dept bytea,"
    " sender_role bytea, recipients text, forwarded_from bytea, meta bytea,"
    " action text NOT NULL, severity text NOT NULL,"
    " truncated bigint NOT NULL);"
    "ALTER TABLE event ADD CONSTRAINT event_id EXCLUDE USING hash (id WITH =);"
    "CREATE INDEX event_time ON event (time_ms);"
    "CREATE INDEX event_sender ON event"
    " (substring(sender_id from 1 for 1024), seq);"
    "CREATE INDEX event_conversation ON event"
    " (substring(conversation_id from 1 for 1024), seq);"
    "CREATE INDEX event_forwarded ON event"
    " (substring(forwarded_from from 1 for 1024))"
    " WHERE forwarded_from IS NOT NULL;"
    "CREATE TABLE finding("
    " seq bigint NOT NULL, n bigint NOT NULL, rule bytea NOT NULL,"
    " category bytea NOT NULL, source bigint NOT NULL,"
    " start bigint NOT NULL, \"end\" bigint NOT NULL,"
    " confidence double precision NOT NULL, action text NOT NULL,"
    " severity text NOT NULL, PRIMARY KEY (seq, n));"
    "CREATE INDEX finding_category ON finding"
    " (substring(category from 1 for 1024), seq);"
    "CREATE TABLE attachment("
    " seq bigint NOT NULL, n bigint NOT NULL, kind bytea, name bytea,"
    " path bytea, sha256 bytea, md5 bytea, size bigint NOT NULL,"
    " text_start bigint NOT NULL, text_len bigint NOT NULL,"
    " PRIMARY KEY (seq, n));"
    "CREATE INDEX attachment_sha256 ON attachment"
    " (substring(sha256 from 1 for 1024)) WHERE sha256 IS NOT NULL;"
    "CREATE INDEX attachment_md5 ON attachment"
    " (substring(md5 from 1 for 1024)) WHERE md5 IS NOT NULL;"
    "CREATE TABLE content("
    " seq bigint PRIMARY KEY, salt bytea NOT NULL, text bytea,"
    " extracted bytea, excerpts text);"
    "CREATE TABLE content_search("
    " seq bigint PRIMARY KEY, tokens text[] NOT NULL);"
    "CREATE INDEX content_search_tokens ON content_search USING gin (tokens);"
    "CREATE TABLE content_deleted("
    " seq bigint PRIMARY KEY, purge_seq bigint NOT NULL);"
    "CREATE TABLE record_expired("
    " seq bigint PRIMARY KEY, purge_seq bigint NOT NULL);"
    "CREATE TABLE person("
    " id bytea NOT NULL, name bytea, dept bytea, role bytea,"
    " first_seq bigint NOT NULL, last_seq bigint NOT NULL,"
    " events bigint NOT NULL);"
    "CREATE UNIQUE INDEX person_id ON person (sha256(id));"
    "CREATE TABLE conversation("
    " id bytea NOT NULL, type bytea, title bytea, external bigint,"
    " first_seq bigint NOT NULL, last_seq bigint NOT NULL,"
    " events bigint NOT NULL);"
    "CREATE UNIQUE INDEX conversation_id ON conversation (sha256(id));"
    "CREATE TABLE checkpoint("
    " seq bigint PRIMARY KEY, size bigint NOT NULL, root bytea NOT NULL,"
    " time_ms bigint NOT NULL, prev bytea NOT NULL, sig bytea NOT NULL);",
    /* 2: records that are not events, by type (registrations, the trail
     * of what people did), without a pass over every event's. */
    "CREATE INDEX record_type ON record (type, seq) WHERE type <> 'event';",
    /* 3: listings and counts of the events whose verdict is not allow
     * (levee serve's alerts, levee stats), newest first: all of them, by
     * department, by channel. Partial indexes: only those events' rows,
     * so ingest hardly pays for them. */
    "CREATE INDEX event_alert ON event (seq) WHERE action <> 'allow';"
    "CREATE INDEX event_alert_dept ON event"
    " (substring(sender_dept from 1 for 1024), seq)"
    " WHERE action <> 'allow';"
    "CREATE INDEX event_alert_channel ON event"
    " (substring(channel from 1 for 1024), seq) WHERE action <> 'allow';",
    /* 4: the trace index (trace_index.h): each event's fingerprints and
     * image hashes (trace: images as pairs of n << 32 | text_fps and the
     * hash; with the inverted trace_fp and trace_block), and who took part
     * in each conversation (member, by the SHA-256 of the ids: they have
     * no bound on their length). Derived data; the events already stored
     * get their fingerprints and members from their content and rows
     * (backfill_trace(), in the same transaction), not their image
     * hashes, which only the images give. */
    "CREATE TABLE IF NOT EXISTS trace("
    " seq bigint PRIMARY KEY, fps bigint[], images bigint[]);"
    "CREATE TABLE IF NOT EXISTS trace_fp("
    " hash bigint NOT NULL, seq bigint NOT NULL, PRIMARY KEY (hash, seq));"
    "CREATE TABLE IF NOT EXISTS trace_block("
    " key bigint NOT NULL, seq bigint NOT NULL, phash bigint NOT NULL,"
    " PRIMARY KEY (key, seq, phash));"
    "CREATE TABLE IF NOT EXISTS member("
    " conversation bytea NOT NULL, person bytea NOT NULL,"
    " PRIMARY KEY (conversation, person));",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof *migrations))

/* --- rows written with COPY ----------------------------------------------- */

enum {
  T_RECORD,
  T_EVENT,
  T_FINDING,
  T_ATTACHMENT,
  T_CONTENT,
  T_SEARCH,
  T_TRACE,
  T_TRACE_FP,
  T_TRACE_BLOCK,
  T_COUNT
};

static const char *const copy_sql[T_COUNT] = {
    [T_RECORD] = "COPY record (seq, time_ms, actor, type, outcome, detail,"
                 " detail_hash, content_hash, leaf) FROM STDIN (FORMAT binary)",
    [T_EVENT] = "COPY event (seq, id, time_ms, channel, conversation_id,"
                " conversation_type, conversation_title, conversation_external,"
                " sender_id, sender_name, sender_dept, sender_role, recipients,"
                " forwarded_from, meta, action, severity, truncated)"
                " FROM STDIN (FORMAT binary)",
    [T_FINDING] =
        "COPY finding (seq, n, rule, category, source, start, \"end\","
        " confidence, action, severity) FROM STDIN (FORMAT binary)",
    [T_ATTACHMENT] = "COPY attachment (seq, n, kind, name, path, sha256, md5,"
                     " size, text_start, text_len) FROM STDIN (FORMAT binary)",
    [T_CONTENT] = "COPY content (seq, salt, text, extracted, excerpts)"
                  " FROM STDIN (FORMAT binary)",
    [T_SEARCH] = "COPY content_search (seq, tokens) FROM STDIN (FORMAT binary)",
    [T_TRACE] = "COPY trace (seq, fps, images) FROM STDIN (FORMAT binary)",
    [T_TRACE_FP] = "COPY trace_fp (hash, seq) FROM STDIN (FORMAT binary)",
    [T_TRACE_BLOCK] =
        "COPY trace_block (key, seq, phash) FROM STDIN (FORMAT binary)",
};

/* --- prepared statements -------------------------------------------------- */

enum {
  ST_META_GET,
  ST_META_SET,
  ST_LAST_SEQ,
  ST_EVENT_SEEN,
  ST_PUT_CHECKPOINT,
  ST_PUT_PEOPLE,
  ST_PUT_CONVERSATIONS,
  ST_DELETE_CONTENT,
  ST_EXPIRE,
  ST_PUT_MEMBERS,
  ST_MEMBER,
  ST_TRACE_EVENT,
  ST_COUNT
};

#define MAX_PARAMS 16

static const struct {
  const char *name, *sql;
  int n;
  Oid types[MAX_PARAMS];
} statements[ST_COUNT] = {
    [ST_META_GET] = {"lv_meta_get",
                     "SELECT value FROM meta WHERE key = $1",
                     1,
                     {OID_TEXT}},
    [ST_META_SET] = {"lv_meta_set",
                     "INSERT INTO meta(key, value) VALUES ($1, $2)"
                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     2,
                     {OID_TEXT, OID_TEXT}},
    [ST_LAST_SEQ] = {"lv_last_seq",
                     "SELECT coalesce(max(seq), 0) FROM record",
                     0,
                     {0}},
    [ST_EVENT_SEEN] = {"lv_event_seen",
                       "SELECT 1 FROM event WHERE id = $1",
                       1,
                       {OID_BYTEA}},
    [ST_PUT_CHECKPOINT] = {"lv_put_checkpoint",
                           "INSERT INTO checkpoint(seq, size, root, time_ms,"
                           " prev, sig) VALUES ($1, $2, $3, $4, $5, $6)",
                           6,
                           {OID_INT8, OID_INT8, OID_BYTEA, OID_INT8, OID_BYTEA,
                            OID_BYTEA}},
    [ST_PUT_PEOPLE] =
        {"lv_put_people",
         "INSERT INTO person AS p(id, name, dept, role, first_seq, last_seq,"
         " events) SELECT * FROM unnest($1::bytea[], $2::bytea[],"
         " $3::bytea[], $4::bytea[], $5::int8[], $6::int8[], $7::int8[])"
         " ON CONFLICT ((sha256(id))) DO UPDATE SET"
         " name = coalesce(excluded.name, p.name),"
         " dept = coalesce(excluded.dept, p.dept),"
         " role = coalesce(excluded.role, p.role),"
         " last_seq = excluded.last_seq, events = p.events + excluded.events",
         7,
         {OID_BYTEA_ARRAY, OID_BYTEA_ARRAY, OID_BYTEA_ARRAY, OID_BYTEA_ARRAY,
          OID_INT8_ARRAY, OID_INT8_ARRAY, OID_INT8_ARRAY}},
    [ST_PUT_CONVERSATIONS] =
        {"lv_put_conversations",
         "INSERT INTO conversation AS c(id, type, title, external, first_seq,"
         " last_seq, events) SELECT * FROM unnest($1::bytea[], $2::bytea[],"
         " $3::bytea[], $4::int8[], $5::int8[], $6::int8[], $7::int8[])"
         " ON CONFLICT ((sha256(id))) DO UPDATE SET"
         " type = coalesce(excluded.type, c.type),"
         " title = coalesce(excluded.title, c.title),"
         " external = coalesce(excluded.external, c.external),"
         " last_seq = excluded.last_seq, events = c.events + excluded.events",
         7,
         {OID_BYTEA_ARRAY, OID_BYTEA_ARRAY, OID_BYTEA_ARRAY, OID_INT8_ARRAY,
          OID_INT8_ARRAY, OID_INT8_ARRAY, OID_INT8_ARRAY}},
    /* Retention, PURGE_BATCH records at a time: ($1[i], $2[i]) is a record
     * and the purge record that deletes from it. */
    [ST_DELETE_CONTENT] =
        {"lv_delete_content",
         "WITH d AS (SELECT * FROM unnest($1::int8[], $2::int8[])"
         "  AS t(seq, purge_seq)),"
         " s AS (DELETE FROM content_search x USING d WHERE x.seq = d.seq),"
         " tf AS (DELETE FROM trace_fp x USING (SELECT t.seq, unnest(t.fps)"
         "  AS h FROM trace t JOIN d ON t.seq = d.seq) y"
         "  WHERE x.hash = y.h AND x.seq = y.seq),"
         " tu AS (UPDATE trace t SET fps = NULL FROM d WHERE t.seq = d.seq),"
         " c AS (DELETE FROM content x USING d WHERE x.seq = d.seq)"
         " INSERT INTO content_deleted(seq, purge_seq)"
         " SELECT seq, purge_seq FROM d ON CONFLICT DO NOTHING",
         2,
         {OID_INT8_ARRAY, OID_INT8_ARRAY}},
    [ST_EXPIRE] =
        {"lv_expire",
         "WITH d AS (SELECT * FROM unnest($1::int8[], $2::int8[])"
         "  AS t(seq, purge_seq)),"
         " s AS (DELETE FROM content_search x USING d WHERE x.seq = d.seq),"
         " c AS (DELETE FROM content x USING d WHERE x.seq = d.seq),"
         " cd AS (DELETE FROM content_deleted x USING d WHERE x.seq = d.seq),"
         " f AS (DELETE FROM finding x USING d WHERE x.seq = d.seq),"
         " a AS (DELETE FROM attachment x USING d WHERE x.seq = d.seq),"
         " tf AS (DELETE FROM trace_fp x USING (SELECT t.seq, unnest(t.fps)"
         "  AS h FROM trace t JOIN d ON t.seq = d.seq) y"
         "  WHERE x.hash = y.h AND x.seq = y.seq),"
         " tb AS (DELETE FROM trace_block x USING (SELECT t.seq, b.i, im.p"
         "  FROM trace t JOIN d ON t.seq = d.seq,"
         "  unnest(t.images) WITH ORDINALITY AS im(p, o),"
         "  generate_series(0, 3) AS b(i) WHERE im.o % 2 = 0) y"
         "  WHERE x.key = (y.i::int8 << 16) | ((y.p >> (16 * y.i)) & 65535)"
         "  AND x.seq = y.seq AND x.phash = y.p),"
         " tt AS (DELETE FROM trace x USING d WHERE x.seq = d.seq),"
         " e AS (DELETE FROM event x USING d WHERE x.seq = d.seq)"
         " INSERT INTO record_expired(seq, purge_seq)"
         " SELECT seq, purge_seq FROM d",
         2,
         {OID_INT8_ARRAY, OID_INT8_ARRAY}},
    /* The trace index: members of conversations, a transaction's at once
     * ($1[i] took part in $2[i]); is one there; one event's entry. */
    [ST_PUT_MEMBERS] =
        {"lv_put_members",
         "INSERT INTO member(conversation, person)"
         " SELECT sha256(c), sha256(p) FROM unnest($1::bytea[], $2::bytea[])"
         " AS t(c, p) ON CONFLICT DO NOTHING",
         2,
         {OID_BYTEA_ARRAY, OID_BYTEA_ARRAY}},
    [ST_MEMBER] = {"lv_member",
                   "SELECT 1 FROM member WHERE conversation = sha256($1)"
                   " AND person = sha256($2)",
                   2,
                   {OID_BYTEA, OID_BYTEA}},
    [ST_TRACE_EVENT] =
        {"lv_trace_event",
         "SELECT e.id, e.time_ms, e.channel, e.conversation_id,"
         " e.conversation_type, e.conversation_title, e.sender_id,"
         " e.sender_name, e.recipients, e.forwarded_from,"
         " (SELECT array_agg(a.sha256 ORDER BY a.n) FROM attachment a"
         "  WHERE a.seq = e.seq AND a.sha256 IS NOT NULL),"
         " (SELECT array_agg(a.md5 ORDER BY a.n) FROM attachment a"
         "  WHERE a.seq = e.seq AND a.md5 IS NOT NULL),"
         " t.fps, t.images FROM event e LEFT JOIN trace t ON t.seq = e.seq"
         " WHERE e.seq = $1",
         1,
         {OID_INT8}},
};

/* --- a set of byte strings ------------------------------------------------ */

/* The event ids of a transaction, and one row's search tokens. */
typedef struct strset {
  lv_buf pool; /* the strings, back to back */
  struct sentry {
    size_t off, len;
    uint64_t hash;
  } * v;
  size_t n, cap;
  uint32_t *slots; /* index + 1; 0 empty */
  size_t n_slots;
} strset;

static void strset_init(strset *t) {
  memset(t, 0, sizeof *t);
  lv_buf_init(&t->pool, COPY_MAX_BYTES);
}

static void strset_cleanup(strset *t) {
  lv_buf_cleanup(&t->pool);
  free(t->v);
  free(t->slots);
  memset(t, 0, sizeof *t);
}

/* Forgets the strings; memory grown by an unusual set is given back. */
static void strset_reset(strset *t) {
  t->n = 0;
  lv_buf_reset(&t->pool);
  if (t->n_slots > 65536) {
    free(t->slots);
    free(t->v);
    t->slots = NULL;
    t->v = NULL;
    t->n_slots = t->cap = 0;
  } else if (t->slots) {
    memset(t->slots, 0, t->n_slots * sizeof *t->slots);
  }
}

static int strset_find(const strset *t, const char *p, size_t len, uint64_t h,
                       size_t *slot) {
  size_t k = (size_t)h & (t->n_slots - 1);
  while (t->slots[k]) {
    const struct sentry *e = &t->v[t->slots[k] - 1];
    if (e->hash == h && e->len == len &&
        (len == 0 || !memcmp(t->pool.data + e->off, p, len)))
      return 1;
    k = (k + 1) & (t->n_slots - 1);
  }
  *slot = k;
  return 0;
}

static int strset_has(const strset *t, const char *p, size_t len) {
  size_t slot;
  return t->n_slots && strset_find(t, p, len, lv_fnv1a(p, len), &slot);
}

/* Adds p[0..len) unless present. */
static int strset_add(strset *t, const char *p, size_t len) {
  if ((t->n + 1) * 2 > t->n_slots) {
    size_t ns = t->n_slots ? t->n_slots * 2 : 256;
    if (ns > UINT32_MAX)
      return LEVEE_ETOOBIG;
    uint32_t *slots = calloc(ns, sizeof *slots);
    if (!slots)
      return LEVEE_ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
      size_t k = (size_t)t->v[i].hash & (ns - 1);
      while (slots[k])
        k = (k + 1) & (ns - 1);
      slots[k] = (uint32_t)i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = ns;
  }
  uint64_t h = lv_fnv1a(p, len);
  size_t slot;
  if (strset_find(t, p, len, h, &slot))
    return LEVEE_OK;
  if (t->n == t->cap) {
    size_t nc = t->cap ? t->cap * 2 : 256;
    struct sentry *v = realloc(t->v, nc * sizeof *v);
    if (!v)
      return LEVEE_ENOMEM;
    t->v = v;
    t->cap = nc;
  }
  size_t off = t->pool.len;
  int rc = lv_buf_append(&t->pool, p, len);
  if (rc)
    return rc;
  t->v[t->n] = (struct sentry){off, len, h};
  t->slots[slot] = (uint32_t)++t->n;
  return LEVEE_OK;
}

/* --- the id cache --------------------------------------------------------- */

/* Hashes of the event ids of the store, so that event_seen() can say "not
 * stored" without a round trip, which was a third of an ingest's time
 * (one round trip, about 40 us here, per event). The writer's lock makes
 * it exact for such answers: only this connection adds events, and its
 * own go in at commit. An id whose hash is in the cache is looked up (it
 * may be a collision, or an event expired under retention). */
typedef struct idcache {
  uint64_t *slots; /* open addressing; 0 empty */
  size_t n_slots, n;
  int state;               /* 0 not loaded yet, 1 loaded, -1 not used */
  uint64_t lookups, after; /* load after this many lookups */
} idcache;

static uint64_t id_hash(const char *p, size_t n) {
  uint64_t h = lv_fnv1a(p, n);
  return h ? h : 1;
}

static void idcache_drop(idcache *c, int state) {
  free(c->slots);
  c->slots = NULL;
  c->n_slots = c->n = 0;
  c->state = state;
}

static int idcache_has(const idcache *c, uint64_t h) {
  if (!c->n_slots)
    return 0;
  for (size_t k = (size_t)h & (c->n_slots - 1); c->slots[k];
       k = (k + 1) & (c->n_slots - 1))
    if (c->slots[k] == h)
      return 1;
  return 0;
}

/* Adds h; past ID_CACHE_MAX ids (or out of memory) the cache is dropped,
 * which only costs round trips. */
static void idcache_add(idcache *c, uint64_t h) {
  if (c->state != 1)
    return;
  if ((c->n + 1) * 4 > c->n_slots * 3) {
    size_t ns = c->n_slots ? c->n_slots * 2 : 1024;
    uint64_t *slots =
        c->n + 1 > ID_CACHE_MAX ? NULL : calloc(ns, sizeof *slots);
    if (!slots) {
      idcache_drop(c, -1);
      return;
    }
    for (size_t i = 0; i < c->n_slots; i++) {
      if (!c->slots[i])
        continue;
      size_t k = (size_t)c->slots[i] & (ns - 1);
      while (slots[k])
        k = (k + 1) & (ns - 1);
      slots[k] = c->slots[i];
    }
    free(c->slots);
    c->slots = slots;
    c->n_slots = ns;
  }
  size_t k = (size_t)h & (c->n_slots - 1);
  while (c->slots[k]) {
    if (c->slots[k] == h)
      return;
    k = (k + 1) & (c->n_slots - 1);
  }
  c->slots[k] = h;
  c->n++;
}

/* --- the store ------------------------------------------------------------ */

typedef struct pg_store {
  const lv_pq *pq;
  PGconn *conn;
  char where[160]; /* the URL without its password, for messages */
  int read_only;
  int in_txn;        /* a write transaction is open */
  unsigned prepared; /* bit i: statement i is prepared */
  unsigned cursors;  /* cursors declared so far, for their names */
  lv_buf copy[T_COUNT];
  strset ids;    /* event ids put in the open transaction */
  idcache seen;  /* event ids committed (writers) */
  strset tokens; /* one content row's search tokens */
  lv_directory people, conversations; /* of the open transaction */
  lv_directory members;  /* (conversation, person) pairs of the open
                            transaction (trace_index.h) */
  uint64_t members_hash; /* of the last trace entry's members added */
  int purge_kind;        /* ST_DELETE_CONTENT or ST_EXPIRE */
  int64_t (*purges)[2];  /* seq, purge_seq */
  size_t n_purges, cap_purges;
  lv_buf scratch; /* arrays of parameters */
  lv_arena arena; /* one row's lists during each_row */
  lv_norm norm;   /* the tokenizer's scratch */
} pg_store;

static void quiet(void *arg, const char *message) {
  (void)arg;
  (void)message; /* notices are not levee's to print */
}

/* One line of a libpq message: newlines and tabs become spaces, trailing
 * ones go. */
static void one_line(const char *in, char *out, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; in && in[i] && o + 1 < cap; i++) {
    char c = in[i];
    if (c == '\n' || c == '\t' || c == '\r')
      c = ' ';
    if (c == ' ' && (o == 0 || out[o - 1] == ' '))
      continue;
    out[o++] = c;
  }
  while (o && out[o - 1] == ' ')
    o--;
  out[o] = '\0';
}

/* An error of what from r (cleared here) or the connection. */
static int pg_fail(pg_store *s, PGresult *r, levee_error *err,
                   const char *what) {
  const char *msg =
      r ? s->pq->resultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  char line[200];
  one_line(msg ? msg : s->pq->errorMessage(s->conn), line, sizeof line);
  if (s->pq->status(s->conn) == CONNECTION_BAD)
    lv_error_set(err, LEVEE_ESTORE, "%s: %s: the connection was lost (%s)",
                 s->where, what, line);
  else
    lv_error_set(err, LEVEE_ESTORE, "%s: %s", what,
                 line[0] ? line : "PostgreSQL error");
  if (r)
    s->pq->clear(r);
  return LEVEE_ESTORE;
}

/* The URL without a password, for messages: postgres://user:pw@host/db ->
 * postgres://user@host/db, and no password=... parameter (store.h). */
void lv_store_url_redact(const char *url, char *out, size_t cap) {
  lv_buf b;
  lv_buf_init(&b, cap ? cap - 1 : 0);
  const char *p = strstr(url, "://");
  size_t head = p ? (size_t)(p - url) + 3 : 0;
  const char *auth = url + head;
  size_t alen = strcspn(auth, "/?");
  const char *at = NULL;
  for (size_t i = 0; i < alen; i++)
    if (auth[i] == '@')
      at = auth + i;
  (void)lv_buf_append(&b, url, head);
  if (at) {
    size_t ulen = strcspn(auth, ":@");
    (void)lv_buf_append(&b, auth, ulen);
    (void)lv_buf_append(&b, at, (size_t)(auth + alen - at));
  } else {
    (void)lv_buf_append(&b, auth, alen);
  }
  const char *rest = auth + alen;
  const char *q = strchr(rest, '?');
  (void)lv_buf_append(&b, rest, q ? (size_t)(q - rest) : strlen(rest));
  if (q) {
    int first = 1;
    for (const char *k = q + 1; *k;) {
      size_t n = strcspn(k, "&");
      if (!(n >= 9 && !strncmp(k, "password=", 9))) {
        (void)lv_buf_putc(&b, first ? '?' : '&');
        (void)lv_buf_append(&b, k, n);
        first = 0;
      }
      k += n + (k[n] == '&');
    }
  }
  snprintf(out, cap, "%s", b.data ? b.data : "");
  lv_buf_cleanup(&b);
}

/* Runs a statement that needs no parameters; returns its result when it
 * succeeded (the caller clears it), else NULL with err set. */
static PGresult *run_sql(pg_store *s, const char *sql, levee_error *err,
                         const char *what) {
  PGresult *r = s->pq->exec(s->conn, sql);
  ExecStatusType st = r ? s->pq->resultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
    return r;
  pg_fail(s, r, err, what);
  return NULL;
}

static int simple(pg_store *s, const char *sql, levee_error *err,
                  const char *what) {
  PGresult *r = run_sql(s, sql, err, what);
  if (!r)
    return LEVEE_ESTORE;
  s->pq->clear(r);
  return LEVEE_OK;
}

/* --- binary values -------------------------------------------------------- */

static void be64(char *o, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8)
    o[i] = (char)(v & 0xff);
}

static uint64_t get_be64(const char *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | (unsigned char)p[i];
  return v;
}

static int put_u16(lv_buf *b, uint16_t v) {
  char o[2] = {(char)(v >> 8), (char)(v & 0xff)};
  return lv_buf_append(b, o, 2);
}

static int put_u32(lv_buf *b, uint32_t v) {
  char o[4] = {(char)(v >> 24), (char)(v >> 16 & 0xff), (char)(v >> 8 & 0xff),
               (char)(v & 0xff)};
  return lv_buf_append(b, o, 4);
}

static int put_i64(lv_buf *b, int64_t v) {
  char o[8];
  be64(o, (uint64_t)v);
  return lv_buf_append(b, o, 8);
}

/* A value: its length, then its bytes (binary COPY and array elements);
 * absent is NULL. */
static int put_field(lv_buf *b, levee_str v) {
  if (!v.ptr)
    return put_u32(b, UINT32_MAX); /* -1: NULL */
  if (v.len > COPY_MAX_BYTES)
    return LEVEE_ETOOBIG;
  int rc = put_u32(b, (uint32_t)v.len);
  return rc ? rc : lv_buf_append(b, v.ptr, v.len);
}

static int put_int_field(lv_buf *b, int64_t v) {
  int rc = put_u32(b, 8);
  return rc ? rc : put_i64(b, v);
}

static int put_f64_field(lv_buf *b, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  int rc = put_u32(b, 8);
  return rc ? rc : put_i64(b, (int64_t)bits);
}

static int put_hash_field(lv_buf *b, const uint8_t *h, size_t n) {
  return put_field(b, (levee_str){(const char *)h, n});
}

/* A one-dimensional array's header (array_recv's format). */
static int put_array_header(lv_buf *b, Oid elem, size_t n, int has_null) {
  int rc;
  if ((rc = put_u32(b, n ? 1 : 0)) || (rc = put_u32(b, has_null ? 1 : 0)) ||
      (rc = put_u32(b, elem)))
    return rc;
  if (!n)
    return LEVEE_OK;
  if (n > INT32_MAX)
    return LEVEE_ETOOBIG;
  if ((rc = put_u32(b, (uint32_t)n)) || (rc = put_u32(b, 1)))
    return rc;
  return LEVEE_OK;
}

/* Parameters of one statement, all in binary. */
typedef struct params {
  int n, too_big;
  const char *values[MAX_PARAMS];
  int lengths[MAX_PARAMS], formats[MAX_PARAMS];
  Oid types[MAX_PARAMS];
  char ints[MAX_PARAMS][8];
} params;

static void p_i64(params *p, int64_t v) {
  be64(p->ints[p->n], (uint64_t)v);
  p->values[p->n] = p->ints[p->n];
  p->lengths[p->n] = 8;
  p->formats[p->n] = 1;
  p->types[p->n++] = OID_INT8;
}

static void p_bytes(params *p, Oid type, const char *v, size_t len) {
  if (len > INT_MAX) {
    p->too_big = 1;
    len = 0;
  }
  p->values[p->n] = v ? (len ? v : "") : NULL;
  p->lengths[p->n] = (int)len;
  p->formats[p->n] = 1;
  p->types[p->n++] = type;
}

static void p_str(params *p, Oid type, levee_str v) {
  p_bytes(p, type, v.ptr, v.len);
}

/* A result's values, in binary. An integer or hash of the wrong size (a
 * column changed behind levee's back) reads as zero. */
static levee_str col_str(const lv_pq *pq, const PGresult *r, int row, int c) {
  if (pq->getisnull(r, row, c))
    return (levee_str){NULL, 0};
  return (levee_str){pq->getvalue(r, row, c), (size_t)pq->getlength(r, row, c)};
}

static int64_t col_i64(const lv_pq *pq, const PGresult *r, int row, int c) {
  if (pq->getisnull(r, row, c) || pq->getlength(r, row, c) != 8)
    return 0;
  return (int64_t)get_be64(pq->getvalue(r, row, c));
}

static double col_f64(const lv_pq *pq, const PGresult *r, int row, int c) {
  uint64_t bits = (uint64_t)col_i64(pq, r, row, c);
  double v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

static void col_hash(const lv_pq *pq, const PGresult *r, int row, int c,
                     uint8_t *out, size_t n) {
  if (!pq->getisnull(r, row, c) && (size_t)pq->getlength(r, row, c) == n)
    memcpy(out, pq->getvalue(r, row, c), n);
  else
    memset(out, 0, n);
}

/* Runs a prepared statement (prepared on first use); returns its result
 * (the caller clears it) or NULL with err set. */
static PGresult *run_st(pg_store *s, int st, const params *p, levee_error *err,
                        const char *what) {
  const lv_pq *pq = s->pq;
  if (p && p->too_big) {
    lv_error_set(err, LEVEE_ETOOBIG, "%s: a value over 2 GiB", what);
    return NULL;
  }
  if (!(s->prepared & (1u << st))) {
    PGresult *r = pq->prepare(s->conn, statements[st].name, statements[st].sql,
                              statements[st].n, statements[st].types);
    if (!r || pq->resultStatus(r) != PGRES_COMMAND_OK) {
      pg_fail(s, r, err, what);
      return NULL;
    }
    pq->clear(r);
    s->prepared |= 1u << st;
  }
  PGresult *r = pq->execPrepared(s->conn, statements[st].name, p ? p->n : 0,
                                 p ? p->values : NULL, p ? p->lengths : NULL,
                                 p ? p->formats : NULL, 1);
  ExecStatusType rs = r ? pq->resultStatus(r) : PGRES_FATAL_ERROR;
  if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK)
    return r;
  pg_fail(s, r, err, what);
  return NULL;
}

/* Runs sql with parameters p (binary results). */
static PGresult *run_params(pg_store *s, const char *sql, const params *p,
                            levee_error *err, const char *what) {
  if (p->too_big) {
    lv_error_set(err, LEVEE_ETOOBIG, "%s: a value over 2 GiB", what);
    return NULL;
  }
  PGresult *r = s->pq->execParams(s->conn, sql, p->n, p->types, p->values,
                                  p->lengths, p->formats, 1);
  ExecStatusType rs = r ? s->pq->resultStatus(r) : PGRES_FATAL_ERROR;
  if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK)
    return r;
  pg_fail(s, r, err, what);
  return NULL;
}

/* --- COPY ----------------------------------------------------------------- */

/* Starts a row of table t with n fields (the COPY header first). */
static int copy_row(pg_store *s, int t, uint16_t n) {
  static const char header[] = "PGCOPY\n\377\r\n"; /* and a NUL: 11 bytes */
  lv_buf *b = &s->copy[t];
  int rc;
  if (!b->len && ((rc = lv_buf_append(b, header, 11)) || (rc = put_u32(b, 0)) ||
                  (rc = put_u32(b, 0))))
    return rc;
  return put_u16(b, n);
}

/* Sends table t's rows with one COPY. */
static int copy_flush(pg_store *s, int t, levee_error *err) {
  const lv_pq *pq = s->pq;
  lv_buf *b = &s->copy[t];
  if (!b->len)
    return LEVEE_OK;
  int rc = put_u16(b, UINT16_MAX); /* the trailer: -1 */
  if (rc) {
    lv_buf_reset(b);
    return lv_error_set(err, rc, "storing rows: %s", levee_strerror(rc));
  }
  PGresult *r = pq->exec(s->conn, copy_sql[t]);
  if (!r || pq->resultStatus(r) != PGRES_COPY_IN) {
    lv_buf_reset(b);
    return pg_fail(s, r, err, "storing rows");
  }
  pq->clear(r);
  int ok = 1;
  for (size_t off = 0; ok && off < b->len;) {
    size_t n = b->len - off > (1u << 20) ? (1u << 20) : b->len - off;
    ok = pq->putCopyData(s->conn, b->data + off, (int)n) == 1;
    off += n;
  }
  ok = pq->putCopyEnd(s->conn, ok ? NULL : "levee: sending rows failed") == 1 &&
       ok;
  lv_buf_reset(b);
  rc = LEVEE_OK;
  while ((r = pq->getResult(s->conn))) {
    if (!rc && pq->resultStatus(r) != PGRES_COMMAND_OK) {
      rc = pg_fail(s, r, err, "storing rows");
      continue;
    }
    pq->clear(r);
  }
  if (!rc && !ok)
    rc = pg_fail(s, NULL, err, "storing rows");
  return rc;
}

/* --- retention's deletions, sent in batches ------------------------------- */

static int purge_flush(pg_store *s, levee_error *err) {
  if (!s->n_purges)
    return LEVEE_OK;
  lv_buf *b = &s->scratch;
  lv_buf_reset(b);
  int rc = put_array_header(b, OID_INT8, s->n_purges, 0);
  for (size_t i = 0; !rc && i < s->n_purges; i++)
    rc = put_int_field(b, s->purges[i][0]);
  size_t half = b->len;
  if (!rc)
    rc = put_array_header(b, OID_INT8, s->n_purges, 0);
  for (size_t i = 0; !rc && i < s->n_purges; i++)
    rc = put_int_field(b, s->purges[i][1]);
  s->n_purges = 0;
  if (rc)
    return lv_error_set(err, rc, "purging: %s", levee_strerror(rc));
  params p = {0};
  p_bytes(&p, OID_INT8_ARRAY, b->data, half);
  p_bytes(&p, OID_INT8_ARRAY, b->data + half, b->len - half);
  PGresult *r = run_st(s, s->purge_kind, &p, err, "purging");
  if (!r)
    return LEVEE_ESTORE;
  s->pq->clear(r);
  return LEVEE_OK;
}

/* Sends everything the open transaction holds back, so that a statement
 * that reads or changes those tables sees it. */
static int flush_all(pg_store *s, levee_error *err) {
  int rc = LEVEE_OK;
  for (int t = 0; t < T_COUNT && !rc; t++)
    rc = copy_flush(s, t, err);
  return rc ? rc : purge_flush(s, err);
}

/* --- open and close ------------------------------------------------------- */

/* The schema's version: 0 when there is no store here, -1 when a table
 * named meta is there but is not levee's. */
static int schema_version(pg_store *s, int *version, levee_error *err) {
  PGresult *r = run_sql(s, "SELECT to_regclass('meta') IS NOT NULL", err,
                        "reading the schema version");
  if (!r)
    return LEVEE_ESTORE;
  int exists = s->pq->ntuples(r) == 1 && s->pq->getvalue(r, 0, 0)[0] == 't';
  s->pq->clear(r);
  *version = 0;
  if (!exists)
    return LEVEE_OK;
  r = run_sql(s, "SELECT value FROM meta WHERE key = 'schema_version'", err,
              "reading the schema version");
  if (!r)
    return LEVEE_ESTORE;
  *version = -1;
  if (s->pq->ntuples(r) == 1) {
    const char *v = s->pq->getvalue(r, 0, 0);
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!errno && end != v && !*end && n > 0 && n < INT_MAX)
      *version = (int)n;
  }
  s->pq->clear(r);
  return LEVEE_OK;
}

/* The version that adds the trace index, whose migration fills it for the
 * events already stored (below). */
#define TRACE_SCHEMA 4
static int backfill_trace(pg_store *s, levee_error *err);

static int migrate(pg_store *s, int version, levee_error *err) {
  for (; version < SCHEMA_VERSION; version++) {
    char set[128];
    snprintf(set, sizeof set,
             "INSERT INTO meta(key, value) VALUES ('schema_version', '%d')"
             " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
             version + 1);
    int rc;
    if ((rc = simple(s, "BEGIN", err, "upgrading the schema")))
      return rc;
    if ((rc = simple(s, migrations[version], err, "upgrading the schema")) ||
        (version + 1 == TRACE_SCHEMA && (rc = backfill_trace(s, err))) ||
        (rc = simple(s, set, err, "upgrading the schema")) ||
        (rc = simple(s, "COMMIT", err, "upgrading the schema"))) {
      (void)simple(s, "ROLLBACK", NULL, "");
      return rc;
    }
  }
  return LEVEE_OK;
}

/* The one writer: a session lock of this database and schema, waited for
 * up to LOCK_WAIT_S. */
static int lock_writer(pg_store *s, levee_error *err) {
  char sql[64];
  snprintf(sql, sizeof sql, "SET lock_timeout = '%ds'", LOCK_WAIT_S);
  int rc = simple(s, sql, err, "setting up the session");
  if (rc)
    return rc;
  PGresult *r =
      s->pq->exec(s->conn, "SELECT pg_advisory_lock(1819700837,"
                           " hashtext(coalesce(current_schema(), '')))");
  if (!r || s->pq->resultStatus(r) != PGRES_TUPLES_OK) {
    const char *code = r ? s->pq->resultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (code && !strcmp(code, "55P03")) {
      s->pq->clear(r);
      return lv_error_set(err, LEVEE_ESTORE,
                          "another levee is writing to this store "
                          "(waited %d s); try again once it is done",
                          LOCK_WAIT_S);
    }
    return pg_fail(s, r, err, "locking the store");
  }
  s->pq->clear(r);
  return simple(s, "SET lock_timeout = 0", err, "setting up the session");
}

static void pg_close(void *db) {
  pg_store *s = db;
  if (!s)
    return;
  if (s->conn)
    s->pq->finish(s->conn); /* ends any transaction and the writer's lock */
  for (int t = 0; t < T_COUNT; t++)
    lv_buf_cleanup(&s->copy[t]);
  strset_cleanup(&s->ids);
  strset_cleanup(&s->tokens);
  idcache_drop(&s->seen, 0);
  lv_directory_cleanup(&s->people);
  lv_directory_cleanup(&s->conversations);
  lv_directory_cleanup(&s->members);
  free(s->purges);
  lv_buf_cleanup(&s->scratch);
  lv_arena_cleanup(&s->arena);
  lv_norm_cleanup(&s->norm);
  free(s);
}

static int pg_open(const char *url, int create, int read_only, void **out,
                   levee_error *err) {
  const lv_pq *pq;
  int rc = lv_pq_load(&pq, err);
  if (rc)
    return rc;
  pg_store *s = calloc(1, sizeof *s);
  if (!s)
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  s->pq = pq;
  s->read_only = read_only;
  lv_store_url_redact(url, s->where, sizeof s->where);
  for (int t = 0; t < T_COUNT; t++)
    lv_buf_init(&s->copy[t], COPY_MAX_BYTES);
  strset_init(&s->ids);
  strset_init(&s->tokens);
  lv_directory_init(&s->people);
  lv_directory_init(&s->conversations);
  lv_directory_init(&s->members);
  lv_buf_init(&s->scratch, COPY_MAX_BYTES);
  lv_arena_init(&s->arena, LV_MAX_ARENA_BYTES);
  lv_norm_init(&s->norm);

  /* The URL's own settings win over the first two; client_encoding must
   * be UTF8 whatever it says. */
  const char *keys[] = {"connect_timeout", "fallback_application_name",
                        "dbname", "client_encoding", NULL};
  const char *values[] = {"10", "levee", url, "UTF8", NULL};
  s->conn = pq->connectdbParams(keys, values, 1);
  if (!s->conn) {
    rc = lv_error_set(err, LEVEE_ENOMEM, "out of memory");
    goto out;
  }
  if (pq->status(s->conn) != CONNECTION_OK) {
    char line[200];
    one_line(pq->errorMessage(s->conn), line, sizeof line);
    rc = lv_error_set(err, LEVEE_ESTORE, "cannot connect: %s", line);
    goto out;
  }
  pq->setNoticeProcessor(s->conn, quiet, NULL);
  int v = pq->serverVersion(s->conn);
  if (v < MIN_SERVER_VERSION) {
    rc = lv_error_set(err, LEVEE_ESTORE,
                      "the server is PostgreSQL %d.%d, too old: levee "
                      "needs PostgreSQL %d or newer",
                      v / 10000, v >= 100000 ? v % 10000 : v / 100 % 100,
                      MIN_SERVER_VERSION / 10000);
    goto out;
  }
  const char *enc = pq->parameterStatus(s->conn, "server_encoding");
  if (!enc || strcmp(enc, "UTF8") != 0) {
    rc = lv_error_set(err, LEVEE_ESTORE,
                      "the database's encoding is %s: levee needs UTF8 "
                      "(CREATE DATABASE ... ENCODING 'UTF8')",
                      enc ? enc : "unknown");
    goto out;
  }
  /* Commits are durable when they return, whatever the server's default;
   * string literals in levee's SQL are standard. */
  if ((rc = simple(s,
                   "SET synchronous_commit = on;"
                   " SET standard_conforming_strings = on;"
                   " SET client_min_messages = warning",
                   err, "setting up the session")))
    goto out;
  /* A writer's work_mem also sizes the merge of the search index's
   * pending entries into the GIN tree, which inserts do every 4 MiB of
   * them: 64 MiB took 100,000 messages' tokens in 4.6 s instead of 5.8. */
  if (!read_only && ((rc = lock_writer(s, err)) ||
                     (rc = simple(s, "SET work_mem = '64MB'", err,
                                  "setting up the session"))))
    goto out;
  if (read_only &&
      (rc = simple(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err,
                   "starting to read")))
    goto out;
  int version;
  if ((rc = schema_version(s, &version, err)))
    goto out;
  if (version < 0) {
    rc = lv_error_set(err, LEVEE_ESTORE,
                      "a table named meta is here, but not levee's (no "
                      "schema_version): use another database or schema");
    goto out;
  }
  if (version == 0 && (!create || read_only)) {
    rc = lv_error_set(err, LEVEE_ENOTFOUND,
                      "no audit store here (levee ingest creates one)");
    goto out;
  }
  if (version > SCHEMA_VERSION || (read_only && version != SCHEMA_VERSION)) {
    rc = lv_error_set(err, LEVEE_ESTORE,
                      "schema version %d, this levee %s %d%s", version,
                      read_only ? "reads" : "knows up to", SCHEMA_VERSION,
                      version < SCHEMA_VERSION ? " (levee ingest upgrades it)"
                                               : " (use a newer levee)");
    goto out;
  }
  if (!read_only && (rc = migrate(s, version, err)))
    goto out;
out:
  if (rc) {
    pg_close(s);
    return rc;
  }
  *out = s;
  return LEVEE_OK;
}

/* --- transactions --------------------------------------------------------- */

static void forget_txn(pg_store *s) {
  for (int t = 0; t < T_COUNT; t++)
    lv_buf_reset(&s->copy[t]);
  strset_reset(&s->ids);
  lv_directory_reset(&s->people);
  lv_directory_reset(&s->conversations);
  lv_directory_reset(&s->members);
  s->members_hash = 0;
  s->n_purges = 0;
  s->in_txn = 0;
}

static int pg_begin(void *db, levee_error *err) {
  pg_store *s = db;
  if (s->read_only)
    return lv_error_set(err, LEVEE_EINVAL, "the store is open read-only");
  forget_txn(s);
  int rc = simple(s, "BEGIN", err, "starting a transaction");
  if (!rc)
    s->in_txn = 1;
  return rc;
}

/* Entries of a directory as arrays: ids, the three attributes (or two and
 * whether external), first and last records, counts. */
static int put_directory(pg_store *s, const lv_directory *d, int st,
                         levee_error *err) {
  if (!d->n)
    return LEVEE_OK;
  lv_buf *b = &s->scratch;
  lv_buf_reset(b);
  size_t off[8];
  int n_str = st == ST_PUT_PEOPLE ? 4 : 3, rc = LEVEE_OK;
  for (int c = 0; c < 7 && !rc; c++) {
    off[c] = b->len;
    int is_str = c < n_str;
    int has_null = 0;
    for (size_t i = 0; i < d->n; i++)
      if (is_str ? !(c ? d->v[i].attr[c - 1] : d->v[i].id).ptr
                 : c == 3 && d->v[i].external < 0)
        has_null = 1;
    rc = put_array_header(b, is_str ? OID_BYTEA : OID_INT8, d->n, has_null);
    for (size_t i = 0; i < d->n && !rc; i++) {
      const lv_dir_entry *e = &d->v[i];
      if (is_str)
        rc = put_field(b, c ? e->attr[c - 1] : e->id);
      else if (c == 3)
        rc = e->external < 0 ? put_field(b, (levee_str){NULL, 0})
                             : put_int_field(b, e->external);
      else
        rc = put_int_field(b, (int64_t)(c == 4   ? e->first_seq
                                        : c == 5 ? e->last_seq
                                                 : e->count));
    }
  }
  off[7] = b->len;
  if (rc)
    return lv_error_set(err, rc, "storing people and conversations: %s",
                        levee_strerror(rc));
  params p = {0};
  for (int c = 0; c < 7; c++)
    p_bytes(&p, c < n_str ? OID_BYTEA_ARRAY : OID_INT8_ARRAY, b->data + off[c],
            off[c + 1] - off[c]);
  PGresult *r =
      run_st(s, st, &p, err,
             st == ST_PUT_PEOPLE ? "storing people" : "storing conversations");
  if (!r)
    return LEVEE_ESTORE;
  s->pq->clear(r);
  return LEVEE_OK;
}

/* The transaction's members of conversations (the trace index). */
static int put_members(pg_store *s, levee_error *err);

static int pg_commit(void *db, levee_error *err) {
  pg_store *s = db;
  if (!s->in_txn)
    return LEVEE_OK;
  int rc;
  if ((rc = flush_all(s, err)) ||
      (rc = put_directory(s, &s->people, ST_PUT_PEOPLE, err)) ||
      (rc = put_directory(s, &s->conversations, ST_PUT_CONVERSATIONS, err)) ||
      (rc = put_members(s, err)))
    return rc;
  if (s->pq->transactionStatus(s->conn) != PQTRANS_INTRANS)
    return lv_error_set(err, LEVEE_ESTORE,
                        "committing: the transaction failed before");
  PGresult *r = run_sql(s, "COMMIT", err, "committing");
  if (!r)
    return LEVEE_ESTORE;
  /* COMMIT of a failed transaction reports ROLLBACK, not an error. */
  int committed = !strcmp(s->pq->cmdStatus(r), "COMMIT");
  s->pq->clear(r);
  if (!committed)
    return lv_error_set(err, LEVEE_ESTORE,
                        "committing: PostgreSQL rolled the transaction back");
  for (size_t i = 0; i < s->ids.n; i++)
    idcache_add(&s->seen, s->ids.v[i].hash ? s->ids.v[i].hash : 1);
  forget_txn(s);
  return LEVEE_OK;
}

static void pg_rollback(void *db) {
  pg_store *s = db;
  forget_txn(s);
  if (s->pq->transactionStatus(s->conn) != PQTRANS_IDLE)
    (void)simple(s, "ROLLBACK", NULL, "rolling back");
}

/* --- meta ----------------------------------------------------------------- */

static int pg_meta_get(void *db, const char *key, lv_buf *value, int *found) {
  pg_store *s = db;
  params p = {0};
  p_str(&p, OID_TEXT, (levee_str){key, strlen(key)});
  *found = 0;
  PGresult *r = run_st(s, ST_META_GET, &p, NULL, "meta");
  if (!r)
    return LEVEE_ESTORE;
  int rc = LEVEE_OK;
  if (s->pq->ntuples(r) == 1) {
    levee_str v = col_str(s->pq, r, 0, 0);
    lv_buf_reset(value);
    rc = lv_buf_append(value, v.ptr ? v.ptr : "", v.len);
    *found = rc == LEVEE_OK;
  }
  s->pq->clear(r);
  return rc;
}

static int pg_meta_set(void *db, const char *key, const char *value) {
  pg_store *s = db;
  params p = {0};
  p_str(&p, OID_TEXT, (levee_str){key, strlen(key)});
  p_str(&p, OID_TEXT, (levee_str){value, strlen(value)});
  PGresult *r = run_st(s, ST_META_SET, &p, NULL, "meta");
  if (!r)
    return LEVEE_ESTORE;
  s->pq->clear(r);
  return LEVEE_OK;
}

static int pg_last_seq(void *db, uint64_t *seq) {
  pg_store *s = db;
  if (s->in_txn && flush_all(s, NULL))
    return LEVEE_ESTORE;
  PGresult *r = run_st(s, ST_LAST_SEQ, NULL, NULL, "reading the log");
  if (!r)
    return LEVEE_ESTORE;
  *seq = s->pq->ntuples(r) == 1 ? (uint64_t)col_i64(s->pq, r, 0, 0) : 0;
  s->pq->clear(r);
  return LEVEE_OK;
}

/* --- writing -------------------------------------------------------------- */

static int record_row(pg_store *s, const lv_record *r, levee_str detail) {
  lv_buf *b = &s->copy[T_RECORD];
  int rc;
  if ((rc = copy_row(s, T_RECORD, 9)) ||
      (rc = put_int_field(b, (int64_t)r->head.seq)) ||
      (rc = put_int_field(b, r->head.time_ms)) ||
      (rc = put_field(b, r->head.actor)) || (rc = put_field(b, r->head.type)) ||
      (rc = put_field(b, r->head.outcome)) || (rc = put_field(b, detail)) ||
      (rc = put_hash_field(b, r->detail_hash, LV_SHA256_LEN)) ||
      (rc = put_hash_field(b, r->content_hash, LV_SHA256_LEN)) ||
      (rc = put_hash_field(b, r->leaf, LV_SHA256_LEN)))
    return rc;
  return LEVEE_OK;
}

/* Sends the buffers that have grown to COPY_FLUSH_BYTES. */
static int flush_full(pg_store *s, levee_error *err) {
  for (int t = 0; t < T_COUNT; t++) {
    int rc;
    if (s->copy[t].len >= COPY_FLUSH_BYTES && (rc = copy_flush(s, t, err)))
      return rc;
  }
  return LEVEE_OK;
}

static int pg_put_record(void *db, const lv_record *rec, levee_str detail,
                         levee_error *err) {
  pg_store *s = db;
  if (!s->in_txn)
    return lv_error_set(err, LEVEE_EINVAL, "no transaction");
  int rc = record_row(s, rec, detail);
  if (rc)
    return lv_error_set(err, rc, "storing a record: %s", levee_strerror(rc));
  return flush_full(s, err);
}

/* One token of a content row: into the row's set. */
static int add_token(void *ud, int colocated, const char *tok, size_t tok_len,
                     size_t start, size_t end) {
  int rc = strset_add(ud, tok, tok_len);
  return rc ? -rc : 0; /* positive, as the tokenizer wants; undone below */
}

/* The row of content_search: the distinct tokens of the message and the
 * extracted text, as a text[]. Nothing for a row without tokens. */
static int search_row(pg_store *s, uint64_t seq, const lv_content *c) {
  strset *t = &s->tokens;
  strset_reset(t);
  levee_str texts[2] = {c->text, c->extracted};
  for (int i = 0; i < 2; i++) {
    if (!texts[i].ptr)
      continue;
    int rc = lv_search_tokens_in(&s->norm, texts[i].ptr, texts[i].len,
                                 LV_SEARCH_DOCUMENT, add_token, t);
    if (s->norm.cap > SCRATCH_KEEP_BYTES) {
      lv_norm_cleanup(&s->norm);
      lv_norm_init(&s->norm);
    }
    if (rc)
      return rc > 0 ? -rc : rc;
  }
  if (!t->n)
    return LEVEE_OK;
  size_t bytes = 20;
  for (size_t i = 0; i < t->n; i++)
    bytes += 4 + t->v[i].len;
  lv_buf *b = &s->copy[T_SEARCH];
  int rc;
  if ((rc = copy_row(s, T_SEARCH, 2)) || (rc = put_int_field(b, (int64_t)seq)))
    return rc;
  if (bytes > COPY_MAX_BYTES)
    return LEVEE_ETOOBIG;
  if ((rc = put_u32(b, (uint32_t)bytes)) ||
      (rc = put_array_header(b, OID_TEXT, t->n, 0)))
    return rc;
  for (size_t i = 0; i < t->n && !rc; i++)
    rc = put_field(b, (levee_str){t->pool.data + t->v[i].off, t->v[i].len});
  return rc;
}

static int event_rows(pg_store *s, const lv_record *rec, const lv_evidence *e,
                      const lv_content *c) {
  int64_t seq = (int64_t)rec->head.seq;
  int rc = record_row(s, rec, (levee_str){NULL, 0});
  lv_buf *b = &s->copy[T_EVENT];
  if (rc || (rc = copy_row(s, T_EVENT, 18)) || (rc = put_int_field(b, seq)) ||
      (rc = put_field(b, e->id)) || (rc = put_int_field(b, e->time_ms)) ||
      (rc = put_field(b, e->channel)) ||
      (rc = put_field(b, e->conversation_id)) ||
      (rc = put_field(b, e->conversation_type)) ||
      (rc = put_field(b, e->conversation_title)) ||
      (rc = put_int_field(b, e->conversation_external)) ||
      (rc = put_field(b, e->sender_id)) ||
      (rc = put_field(b, e->sender_name)) ||
      (rc = put_field(b, e->sender_dept)) ||
      (rc = put_field(b, e->sender_role)) ||
      (rc = put_field(b, e->recipients)) ||
      (rc = put_field(b, e->forwarded_from)) || (rc = put_field(b, e->meta)) ||
      (rc = put_field(b, e->action)) || (rc = put_field(b, e->severity)) ||
      (rc = put_int_field(b, e->truncated)))
    return rc;
  b = &s->copy[T_FINDING];
  for (size_t i = 0; i < e->n_findings; i++) {
    const lv_ev_finding *f = &e->findings[i];
    if ((rc = copy_row(s, T_FINDING, 10)) || (rc = put_int_field(b, seq)) ||
        (rc = put_int_field(b, (int64_t)i)) || (rc = put_field(b, f->rule)) ||
        (rc = put_field(b, f->category)) ||
        (rc = put_int_field(b, f->source)) ||
        (rc = put_int_field(b, f->start)) || (rc = put_int_field(b, f->end)) ||
        (rc = put_f64_field(b, f->confidence)) ||
        (rc = put_field(b, f->action)) || (rc = put_field(b, f->severity)))
      return rc;
  }
  b = &s->copy[T_ATTACHMENT];
  for (size_t i = 0; i < e->n_attachments; i++) {
    const lv_ev_attachment *a = &e->attachments[i];
    if ((rc = copy_row(s, T_ATTACHMENT, 10)) || (rc = put_int_field(b, seq)) ||
        (rc = put_int_field(b, (int64_t)i)) || (rc = put_field(b, a->kind)) ||
        (rc = put_field(b, a->name)) || (rc = put_field(b, a->path)) ||
        (rc = put_field(b, a->sha256)) || (rc = put_field(b, a->md5)) ||
        (rc = put_int_field(b, a->size)) ||
        (rc = put_int_field(b, a->text_start)) ||
        (rc = put_int_field(b, a->text_len)))
      return rc;
  }
  b = &s->copy[T_CONTENT];
  if ((rc = copy_row(s, T_CONTENT, 5)) || (rc = put_int_field(b, seq)) ||
      (rc = put_hash_field(b, c->salt, sizeof c->salt)) ||
      (rc = put_field(b, c->text)) || (rc = put_field(b, c->extracted)) ||
      (rc = put_field(b, c->excerpts)))
    return rc;
  return search_row(s, rec->head.seq, c);
}

static int pg_put_event(void *db, const lv_record *rec, const lv_evidence *e,
                        const lv_content *c, levee_error *err) {
  pg_store *s = db;
  if (!s->in_txn)
    return lv_error_set(err, LEVEE_EINVAL, "no transaction");
  /* The event's rows go whole or not at all: a row half written to a
   * buffer would corrupt the COPY. */
  size_t mark[T_COUNT];
  for (int t = 0; t < T_COUNT; t++)
    mark[t] = s->copy[t].len;
  int rc = event_rows(s, rec, e, c);
  if (!rc && e->id.ptr)
    rc = strset_add(&s->ids, e->id.ptr, e->id.len);
  if (rc) {
    for (int t = 0; t < T_COUNT; t++)
      s->copy[t].len = mark[t];
    return lv_error_set(err, rc, "storing an event: %s", levee_strerror(rc));
  }
  const levee_str person[3] = {e->sender_name, e->sender_dept, e->sender_role};
  const levee_str conversation[3] = {
      e->conversation_type, e->conversation_title, {NULL, 0}};
  if (lv_directory_add(&s->people, e->sender_id, person, -1, rec->head.seq) ||
      lv_directory_add(&s->conversations, e->conversation_id, conversation,
                       e->conversation_external, rec->head.seq))
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  return flush_full(s, err);
}

static int pg_put_checkpoint(void *db, const lv_checkpoint *c,
                             levee_error *err) {
  pg_store *s = db;
  params p = {0};
  p_i64(&p, (int64_t)c->seq);
  p_i64(&p, (int64_t)c->size);
  p_bytes(&p, OID_BYTEA, (const char *)c->root, sizeof c->root);
  p_i64(&p, c->time_ms);
  p_bytes(&p, OID_BYTEA, (const char *)c->prev, sizeof c->prev);
  p_bytes(&p, OID_BYTEA, (const char *)c->sig, sizeof c->sig);
  PGresult *r = run_st(s, ST_PUT_CHECKPOINT, &p, err, "storing a checkpoint");
  if (!r)
    return LEVEE_ESTORE;
  s->pq->clear(r);
  return LEVEE_OK;
}

/* --- reading: transactions and cursors ------------------------------------ */

/* Reads run in a transaction: the read-only connection's, or the open write
 * transaction (with what it holds back sent first), or else one of their
 * own, read-only, which read_end() ends. */
static int read_begin(pg_store *s, int *own, levee_error *err) {
  *own = 0;
  if (s->read_only)
    return LEVEE_OK;
  if (s->in_txn)
    return flush_all(s, err);
  int rc = simple(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err,
                  "starting to read");
  if (!rc)
    *own = 1;
  return rc;
}

static void read_end(pg_store *s, int own) {
  if (own)
    (void)simple(s,
                 s->pq->transactionStatus(s->conn) == PQTRANS_INTRANS
                     ? "COMMIT"
                     : "ROLLBACK",
                 NULL, "ending a read");
}

/* A server-side cursor, read FETCH by FETCH in binary. */
typedef struct cursor {
  char name[32];
  PGresult *res; /* the rows of the last FETCH */
  int row, nrows;
  int declared, done; /* done: the last FETCH was the last */
  int live;           /* positioned on a row */
  long fetch;         /* rows per FETCH */
} cursor;

static int cur_advance(pg_store *s, cursor *c) {
  const lv_pq *pq = s->pq;
  if (c->res && c->row + 1 < c->nrows) {
    c->row++;
    return LEVEE_OK;
  }
  if (c->res)
    pq->clear(c->res);
  c->res = NULL;
  c->live = 0;
  if (c->done)
    return LEVEE_OK;
  char sql[64];
  snprintf(sql, sizeof sql, "FETCH %ld FROM %s", c->fetch, c->name);
  params none = {0};
  PGresult *r = run_params(s, sql, &none, NULL, "reading");
  if (!r)
    return LEVEE_ESTORE;
  c->nrows = pq->ntuples(r);
  c->done = c->nrows < c->fetch;
  if (!c->nrows) {
    pq->clear(r);
    return LEVEE_OK;
  }
  /* The next FETCH aims at FETCH_TARGET_BYTES, from these rows' size. */
  size_t bytes = 0;
  int nf = pq->nfields(r);
  for (int i = 0; i < c->nrows; i++)
    for (int k = 0; k < nf; k++)
      bytes += (size_t)pq->getlength(r, i, k) + 4;
  size_t per_row = bytes / (size_t)c->nrows + 1;
  size_t next = FETCH_TARGET_BYTES / per_row;
  c->fetch = next < 1 ? 1 : next > FETCH_MAX_ROWS ? FETCH_MAX_ROWS : (long)next;
  c->res = r;
  c->row = 0;
  c->live = 1;
  return LEVEE_OK;
}

/* Declares a cursor for sql (with p) and reads its first rows. */
static int cur_open(pg_store *s, cursor *c, const char *sql, const params *p,
                    long first_fetch, levee_error *err, const char *what) {
  memset(c, 0, sizeof *c);
  snprintf(c->name, sizeof c->name, "lv_cursor_%u", ++s->cursors);
  c->fetch = first_fetch;
  lv_buf *b = &s->scratch;
  lv_buf_reset(b);
  int rc = lv_buf_printf(b, "DECLARE %s NO SCROLL CURSOR FOR %s", c->name, sql);
  if (rc)
    return lv_error_set(err, rc, "%s: %s", what, levee_strerror(rc));
  params none = {0};
  PGresult *r = run_params(s, b->data, p ? p : &none, err, what);
  if (!r)
    return LEVEE_ESTORE;
  s->pq->clear(r);
  c->declared = 1;
  rc = cur_advance(s, c);
  if (rc)
    lv_error_set(err, rc, "%s: reading failed", what);
  return rc;
}

static void cur_close(pg_store *s, cursor *c) {
  if (c->res)
    s->pq->clear(c->res);
  c->res = NULL;
  c->live = 0;
  if (c->declared && s->pq->transactionStatus(s->conn) == PQTRANS_INTRANS) {
    char sql[64];
    snprintf(sql, sizeof sql, "CLOSE %s", c->name);
    (void)simple(s, sql, NULL, "closing a cursor");
  }
  c->declared = 0;
}

/* Streams the rows of sql through fn(s, res, row, ud), in a read
 * transaction. */
typedef int (*row_cb)(pg_store *s, const PGresult *r, int row, void *ud);

static int each_result_row(pg_store *s, const char *sql, const params *p,
                           row_cb fn, void *ud) {
  int own, rc = read_begin(s, &own, NULL);
  if (rc)
    return rc;
  cursor c;
  rc = cur_open(s, &c, sql, p, 1000, NULL, "reading");
  while (!rc && c.live) {
    if ((rc = fn(s, c.res, c.row, ud)))
      break;
    rc = cur_advance(s, &c);
  }
  cur_close(s, &c);
  read_end(s, own);
  return rc;
}

/* --- event ids ------------------------------------------------------------ */

/* Loads the id cache: every event id of the store, hashed. */
static int idcache_load(pg_store *s) {
  idcache *c = &s->seen;
  c->state = 1;
  cursor cur;
  int rc = cur_open(s, &cur, "SELECT id FROM event", NULL, 10000, NULL,
                    "reading event ids");
  while (!rc && cur.live && c->state == 1) {
    levee_str id = col_str(s->pq, cur.res, cur.row, 0);
    idcache_add(c, id_hash(id.ptr ? id.ptr : "", id.len));
    rc = cur_advance(s, &cur);
  }
  cur_close(s, &cur);
  if (rc)
    idcache_drop(c, -1);
  return rc;
}

static int pg_event_seen(void *db, levee_str id, int *seen) {
  pg_store *s = db;
  if (id.ptr && strset_has(&s->ids, id.ptr, id.len)) {
    *seen = 1; /* put in this transaction, perhaps not sent yet */
    return LEVEE_OK;
  }
  idcache *c = &s->seen;
  if (c->state == 0 && s->in_txn && c->lookups++ == 0) {
    /* Loading costs about one round trip per ID_CACHE_RATIO ids. */
    PGresult *r = run_st(s, ST_LAST_SEQ, NULL, NULL, "reading the log");
    if (!r)
      return LEVEE_ESTORE;
    uint64_t records = (uint64_t)col_i64(s->pq, r, 0, 0);
    s->pq->clear(r);
    c->after = records / ID_CACHE_RATIO;
    if (records > ID_CACHE_MAX)
      c->state = -1;
  }
  if (c->state == 0 && s->in_txn && c->lookups > c->after && idcache_load(s))
    return LEVEE_ESTORE;
  if (c->state == 1 && id.ptr && !idcache_has(c, id_hash(id.ptr, id.len))) {
    *seen = 0;
    return LEVEE_OK;
  }
  params p = {0};
  p_str(&p, OID_BYTEA, id);
  PGresult *r = run_st(s, ST_EVENT_SEEN, &p, NULL, "looking up an event id");
  if (!r)
    return LEVEE_ESTORE;
  *seen = s->pq->ntuples(r) > 0;
  s->pq->clear(r);
  return LEVEE_OK;
}

/* --- one event in its conversation -----------------------------------------
 */

/* Sequence numbers sql ($1 conversation, $2 seq, $3 limit) returns,
 * appended to seqs. */
static int context_seqs(pg_store *s, const char *sql, levee_str conv,
                        uint64_t seq, size_t limit, uint64_t *seqs, size_t *n,
                        levee_error *err) {
  params p = {0};
  p_str(&p, OID_BYTEA, conv);
  p_i64(&p, (int64_t)seq);
  p_i64(&p, (int64_t)limit);
  PGresult *r = run_params(s, sql, &p, err, "reading a conversation");
  if (!r)
    return LEVEE_ESTORE;
  int rows = s->pq->ntuples(r);
  for (int i = 0; i < rows; i++)
    seqs[(*n)++] = (uint64_t)col_i64(s->pq, r, i, 0);
  s->pq->clear(r);
  return LEVEE_OK;
}

static int pg_event_context(void *db, levee_str id, size_t before, size_t after,
                            uint64_t *seqs, size_t *n, size_t *at,
                            levee_error *err) {
  pg_store *s = db;
  int own, rc = read_begin(s, &own, err);
  if (rc)
    return rc;
  params p = {0};
  p_str(&p, OID_BYTEA, id);
  PGresult *r = run_params(s,
                           "SELECT seq, conversation_id FROM event"
                           " WHERE id = $1",
                           &p, err, "looking up an event");
  if (!r) {
    rc = LEVEE_ESTORE;
    goto out;
  }
  if (s->pq->ntuples(r) == 0) {
    s->pq->clear(r);
    rc = lv_error_set(err, LEVEE_ENOTFOUND, "no event has this id");
    goto out;
  }
  uint64_t seq = (uint64_t)col_i64(s->pq, r, 0, 0);
  levee_str conv = col_str(s->pq, r, 0, 1);
  *n = 0;
  if (conv.ptr && before)
    rc = context_seqs(s,
                      "SELECT seq FROM event WHERE"
                      " substring(conversation_id from 1 for 1024) ="
                      " substring($1 from 1 for 1024) AND conversation_id = $1"
                      " AND seq < $2 ORDER BY seq DESC LIMIT $3",
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
                      "SELECT seq FROM event WHERE"
                      " substring(conversation_id from 1 for 1024) ="
                      " substring($1 from 1 for 1024) AND conversation_id = $1"
                      " AND seq > $2 ORDER BY seq LIMIT $3",
                      conv, seq, after, seqs, n, err);
  s->pq->clear(r);
out:
  read_end(s, own);
  return rc;
}

/* --- reading: checkpoints, records, orphans ------------------------------- */

typedef struct checkpoint_ctx {
  lv_checkpoint_fn fn;
  void *ud;
} checkpoint_ctx;

static int checkpoint_row(pg_store *s, const PGresult *r, int i, void *ud) {
  const checkpoint_ctx *x = ud;
  const lv_pq *pq = s->pq;
  lv_checkpoint c;
  c.seq = (uint64_t)col_i64(pq, r, i, 0);
  c.size = (uint64_t)col_i64(pq, r, i, 1);
  col_hash(pq, r, i, 2, c.root, sizeof c.root);
  c.time_ms = col_i64(pq, r, i, 3);
  col_hash(pq, r, i, 4, c.prev, sizeof c.prev);
  col_hash(pq, r, i, 5, c.sig, sizeof c.sig);
  return x->fn(x->ud, &c);
}

static int pg_each_checkpoint(void *db, lv_checkpoint_fn fn, void *ud) {
  checkpoint_ctx x = {fn, ud};
  return each_result_row(db,
                         "SELECT seq, size, root, time_ms, prev, sig"
                         " FROM checkpoint ORDER BY seq",
                         NULL, checkpoint_row, &x);
}

static const char *const cursor_sql[LV_CUR_COUNT] = {
    [LV_CUR_RECORD] = "SELECT seq, time_ms, actor, type, outcome, detail,"
                      " detail_hash, content_hash, leaf FROM record"
                      " WHERE seq >= $1 AND seq <= $2 ORDER BY seq",
    [LV_CUR_EVENT] = "SELECT seq, id, time_ms, channel, conversation_id,"
                     " conversation_type, conversation_title,"
                     " conversation_external, sender_id, sender_name,"
                     " sender_dept, sender_role, recipients, forwarded_from,"
                     " meta, action, severity, truncated FROM event"
                     " WHERE seq >= $1 AND seq <= $2 ORDER BY seq",
    [LV_CUR_FINDING] = "SELECT seq, rule, category, source, start, \"end\","
                       " confidence, action, severity FROM finding"
                       " WHERE seq >= $1 AND seq <= $2 ORDER BY seq, n",
    [LV_CUR_ATTACH] =
        "SELECT seq, kind, name, path, sha256, md5, size,"
        " text_start, text_len FROM attachment WHERE seq >= $1 AND seq <= $2"
        " ORDER BY seq, n",
    [LV_CUR_CONTENT] =
        "SELECT seq, salt, text, extracted, excerpts"
        " FROM content WHERE seq >= $1 AND seq <= $2 ORDER BY seq",
    [LV_CUR_DEL] = "SELECT seq, purge_seq FROM content_deleted WHERE seq >= $1 "
                   "AND seq <= $2"
                   " ORDER BY seq",
    [LV_CUR_EXPIRED] = "SELECT seq, purge_seq FROM record_expired"
                       " WHERE seq >= $1 AND seq <= $2 ORDER BY seq",
};

static uint64_t cur_seq(const pg_store *s, const cursor *c) {
  return (uint64_t)col_i64(s->pq, c->res, c->row, 0);
}

/* Moves cursor i past rows before seq: rows of the previous record left
 * unread, and rows of no record, which go to o. */
static int skip_to(pg_store *s, cursor *cur, int i, uint64_t seq,
                   lv_orphan_sink *o) {
  cursor *c = &cur[i];
  int rc = LEVEE_OK;
  while (!rc && c->live && cur_seq(s, c) < seq)
    if (!(rc = lv_orphan_sink_pass(o, i, lv_row_tables[i - 1], cur_seq(s, c))))
      rc = cur_advance(s, c);
  return rc;
}

/* A copy of a string column in the arena (the cursor moves on). */
static int keep_str(pg_store *s, const PGresult *r, int row, int col,
                    levee_str *out) {
  levee_str v = col_str(s->pq, r, row, col);
  if (v.ptr && !(v.ptr = lv_arena_strndup(&s->arena, v.ptr, v.len)))
    return LEVEE_ENOMEM;
  *out = v;
  return LEVEE_OK;
}

/* The findings of record seq, from cursor f (moved past them). */
static int read_findings(pg_store *s, cursor *f, uint64_t seq,
                         lv_evidence *ev) {
  const lv_pq *pq = s->pq;
  size_t n = 0, cap = 0;
  int rc = LEVEE_OK;
  while (!rc && f->live && cur_seq(s, f) == seq) {
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 8;
      lv_ev_finding *nf = lv_arena_alloc(&s->arena, ncap * sizeof *nf);
      if (!nf)
        return LEVEE_ENOMEM;
      if (n)
        memcpy(nf, ev->findings, n * sizeof *nf);
      ev->findings = nf;
      cap = ncap;
    }
    lv_ev_finding *g = &ev->findings[n++];
    const PGresult *r = f->res;
    int i = f->row;
    if ((rc = keep_str(s, r, i, 1, &g->rule)) ||
        (rc = keep_str(s, r, i, 2, &g->category)) ||
        (rc = keep_str(s, r, i, 7, &g->action)) ||
        (rc = keep_str(s, r, i, 8, &g->severity)))
      return rc;
    g->source = col_i64(pq, r, i, 3);
    g->start = col_i64(pq, r, i, 4);
    g->end = col_i64(pq, r, i, 5);
    g->confidence = col_f64(pq, r, i, 6);
    rc = cur_advance(s, f);
  }
  ev->n_findings = n;
  return rc;
}

static int read_attachments(pg_store *s, cursor *a, uint64_t seq,
                            lv_evidence *ev) {
  const lv_pq *pq = s->pq;
  size_t n = 0, cap = 0;
  int rc = LEVEE_OK;
  while (!rc && a->live && cur_seq(s, a) == seq) {
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 4;
      lv_ev_attachment *na = lv_arena_alloc(&s->arena, ncap * sizeof *na);
      if (!na)
        return LEVEE_ENOMEM;
      if (n)
        memcpy(na, ev->attachments, n * sizeof *na);
      ev->attachments = na;
      cap = ncap;
    }
    lv_ev_attachment *g = &ev->attachments[n++];
    const PGresult *r = a->res;
    int i = a->row;
    if ((rc = keep_str(s, r, i, 1, &g->kind)) ||
        (rc = keep_str(s, r, i, 2, &g->name)) ||
        (rc = keep_str(s, r, i, 3, &g->path)) ||
        (rc = keep_str(s, r, i, 4, &g->sha256)) ||
        (rc = keep_str(s, r, i, 5, &g->md5)))
      return rc;
    g->size = col_i64(pq, r, i, 6);
    g->text_start = col_i64(pq, r, i, 7);
    g->text_len = col_i64(pq, r, i, 8);
    g->has_phash = 0; /* the trace index's, not evidence */
    g->phash = 0;
    rc = cur_advance(s, a);
  }
  ev->n_attachments = n;
  return rc;
}

static int pg_each_row(void *db, uint64_t from, uint64_t to, lv_row_fn fn,
                       lv_orphan_fn orphan, void *ud) {
  pg_store *s = db;
  const lv_pq *pq = s->pq;
  cursor cur[LV_CUR_COUNT];
  memset(cur, 0, sizeof cur);
  lv_orphan_sink o;
  lv_orphan_sink_init(&o, orphan, ud);
  int own, status = read_begin(s, &own, NULL);
  if (status)
    return status;
  params p = {0};
  p_i64(&p, from > INT64_MAX ? INT64_MAX : (int64_t)from);
  p_i64(&p, to > INT64_MAX ? INT64_MAX : (int64_t)to);
  for (int i = 0; i < LV_CUR_COUNT && !status; i++)
    status = cur_open(s, &cur[i], cursor_sql[i], &p, 256, NULL, "reading");
  while (!status && cur[LV_CUR_RECORD].live) {
    const PGresult *r = cur[LV_CUR_RECORD].res;
    int ri = cur[LV_CUR_RECORD].row;
    lv_stored_row row;
    memset(&row, 0, sizeof row);
    lv_arena_reset(&s->arena);
    uint64_t seq = cur_seq(s, &cur[LV_CUR_RECORD]);
    row.rec.head.seq = seq;
    row.rec.head.time_ms = col_i64(pq, r, ri, 1);
    row.rec.head.actor = col_str(pq, r, ri, 2);
    row.rec.head.type = col_str(pq, r, ri, 3);
    row.rec.head.outcome = col_str(pq, r, ri, 4);
    row.detail = col_str(pq, r, ri, 5);
    col_hash(pq, r, ri, 6, row.rec.detail_hash, LV_SHA256_LEN);
    col_hash(pq, r, ri, 7, row.rec.content_hash, LV_SHA256_LEN);
    col_hash(pq, r, ri, 8, row.rec.leaf, LV_SHA256_LEN);
    for (int i = LV_CUR_EVENT; i < LV_CUR_COUNT && !status; i++)
      status = skip_to(s, cur, i, seq, &o);
    if (status)
      break;
    lv_orphan_sink_record(&o, seq);
    cursor *e = &cur[LV_CUR_EVENT];
    if (e->live && cur_seq(s, e) == seq) {
      const PGresult *q = e->res;
      int i = e->row;
      lv_evidence *ev = &row.ev;
      row.is_event = 1;
      ev->id = col_str(pq, q, i, 1);
      ev->time_ms = col_i64(pq, q, i, 2);
      ev->channel = col_str(pq, q, i, 3);
      ev->conversation_id = col_str(pq, q, i, 4);
      ev->conversation_type = col_str(pq, q, i, 5);
      ev->conversation_title = col_str(pq, q, i, 6);
      ev->conversation_external = col_i64(pq, q, i, 7);
      ev->sender_id = col_str(pq, q, i, 8);
      ev->sender_name = col_str(pq, q, i, 9);
      ev->sender_dept = col_str(pq, q, i, 10);
      ev->sender_role = col_str(pq, q, i, 11);
      ev->recipients = col_str(pq, q, i, 12);
      ev->forwarded_from = col_str(pq, q, i, 13);
      ev->meta = col_str(pq, q, i, 14);
      ev->action = col_str(pq, q, i, 15);
      ev->severity = col_str(pq, q, i, 16);
      ev->truncated = col_i64(pq, q, i, 17);
      /* Copied, since reading on moves their cursors. */
      if ((status = read_findings(s, &cur[LV_CUR_FINDING], seq, ev)) ||
          (status = read_attachments(s, &cur[LV_CUR_ATTACH], seq, ev)))
        break;
    }
    cursor *c = &cur[LV_CUR_CONTENT];
    if (c->live && cur_seq(s, c) == seq) {
      row.has_content = 1;
      col_hash(pq, c->res, c->row, 1, row.content.salt,
               sizeof row.content.salt);
      row.content.text = col_str(pq, c->res, c->row, 2);
      row.content.extracted = col_str(pq, c->res, c->row, 3);
      row.content.excerpts = col_str(pq, c->res, c->row, 4);
    }
    cursor *d = &cur[LV_CUR_DEL];
    row.content_deleted = d->live && cur_seq(s, d) == seq;
    if (row.content_deleted)
      row.purged_by = (uint64_t)col_i64(pq, d->res, d->row, 1);
    cursor *x = &cur[LV_CUR_EXPIRED];
    row.expired = x->live && cur_seq(s, x) == seq;
    if (row.expired)
      row.purged_by = (uint64_t)col_i64(pq, x->res, x->row, 1);
    if ((status = fn(ud, &row)))
      break;
    status = cur_advance(s, &cur[LV_CUR_RECORD]);
  }
  /* Rows after the range's last record. */
  for (int i = LV_CUR_EVENT; orphan && i < LV_CUR_COUNT && !status; i++)
    status = skip_to(s, cur, i, UINT64_MAX, &o);
  for (int i = 0; i < LV_CUR_COUNT; i++)
    cur_close(s, &cur[i]);
  read_end(s, own);
  return status;
}

typedef struct orphan_ctx {
  lv_orphan_fn fn;
  void *ud;
  const char *table;
} orphan_ctx;

static int orphan_row(pg_store *s, const PGresult *r, int i, void *ud) {
  const orphan_ctx *x = ud;
  return x->fn(x->ud, x->table, (uint64_t)col_i64(s->pq, r, i, 0));
}

static int pg_each_orphan_outside(void *db, uint64_t from, uint64_t to,
                                  lv_orphan_fn fn, void *ud) {
  int status = LEVEE_OK;
  for (size_t t = 0; t < LV_ROW_TABLES && !status; t++) {
    char sql[512];
    /* Two ranges of the key, not an OR (which scans the table). */
    snprintf(sql, sizeof sql,
             "SELECT x.seq FROM %s x WHERE x.seq < $1 AND NOT EXISTS"
             " (SELECT 1 FROM record r WHERE r.seq = x.seq)"
             " UNION SELECT x.seq FROM %s x WHERE x.seq > $2 AND NOT EXISTS"
             " (SELECT 1 FROM record r WHERE r.seq = x.seq) ORDER BY 1",
             lv_row_tables[t], lv_row_tables[t]);
    params p = {0};
    p_i64(&p, from > INT64_MAX ? INT64_MAX : (int64_t)from);
    p_i64(&p, to > INT64_MAX ? INT64_MAX : (int64_t)to);
    orphan_ctx x = {fn, ud, lv_row_tables[t]};
    status = each_result_row(db, sql, &p, orphan_row, &x);
  }
  return status;
}

/* --- retention ------------------------------------------------------------ */

typedef struct record_ctx {
  const char *type;
  lv_record_row_fn fn;
  void *ud;
} record_ctx;

static int typed_record_row(pg_store *s, const PGresult *r, int i, void *ud) {
  const record_ctx *x = ud;
  const lv_pq *pq = s->pq;
  lv_record_head h = {
      .seq = (uint64_t)col_i64(pq, r, i, 0),
      .time_ms = col_i64(pq, r, i, 1),
      .actor = col_str(pq, r, i, 2),
      .type = {x->type, strlen(x->type)},
      .outcome = col_str(pq, r, i, 3),
  };
  return x->fn(x->ud, &h, col_str(pq, r, i, 4));
}

static int pg_each_record(void *db, const char *type, lv_record_row_fn fn,
                          void *ud) {
  params p = {0};
  p_str(&p, OID_TEXT, (levee_str){type, strlen(type)});
  record_ctx x = {type, fn, ud};
  /* The redundant type <> 'event' matches the partial index record_type
   * for certain. */
  return each_result_row(db,
                         "SELECT seq, time_ms, actor, outcome, detail"
                         " FROM record WHERE type = $1 AND type <> 'event'"
                         " ORDER BY seq",
                         &p, typed_record_row, &x);
}

typedef struct candidate_ctx {
  lv_purge_candidate_fn fn;
  void *ud;
} candidate_ctx;

static int candidate_row(pg_store *s, const PGresult *r, int i, void *ud) {
  const candidate_ctx *x = ud;
  const lv_pq *pq = s->pq;
  lv_purge_candidate c;
  const char *cats[64];
  char buf[4096];
  c.seq = (uint64_t)col_i64(pq, r, i, 0);
  c.time_ms = col_i64(pq, r, i, 1);
  c.has_content = col_i64(pq, r, i, 2) != 0;
  c.n_categories = 0;
  levee_str list = col_str(pq, r, i, 3);
  if (list.ptr) {
    /* Categories are short names; the first 64 that fit are enough to
     * find the longest retention among them (as in the SQLite back end,
     * a name ends at a NUL). */
    size_t n = list.len < sizeof buf - 1 ? list.len : sizeof buf - 1;
    memcpy(buf, list.ptr, n);
    buf[n] = '\0';
    for (char *p = buf, *nl; p && c.n_categories < 64; p = nl) {
      nl = strchr(p, '\n');
      if (nl)
        *nl++ = '\0';
      cats[c.n_categories++] = p;
    }
  }
  c.categories = cats;
  return x->fn(x->ud, &c);
}

static int pg_each_purge_candidate(void *db, int64_t before_ms,
                                   lv_purge_candidate_fn fn, void *ud) {
  params p = {0};
  p_i64(&p, before_ms);
  candidate_ctx x = {fn, ud};
  return each_result_row(
      db,
      "SELECT r.seq, r.time_ms,"
      " (EXISTS (SELECT 1 FROM content c WHERE c.seq = r.seq))::int::int8,"
      " (SELECT string_agg(f.category, '\\x0a'::bytea ORDER BY f.n)"
      "  FROM finding f WHERE f.seq = r.seq)"
      " FROM record r JOIN event e ON e.seq = r.seq"
      " WHERE r.time_ms < $1 AND NOT EXISTS"
      " (SELECT 1 FROM record_expired x WHERE x.seq = r.seq) ORDER BY r.seq",
      &p, candidate_row, &x);
}

/* Queues a deletion of kind (ST_DELETE_CONTENT or ST_EXPIRE); they are
 * sent in batches, in order. */
static int queue_purge(pg_store *s, int kind, uint64_t seq, uint64_t purge_seq,
                       levee_error *err) {
  if (!s->in_txn)
    return lv_error_set(err, LEVEE_EINVAL, "no transaction");
  int rc;
  if (s->n_purges && s->purge_kind != kind && (rc = purge_flush(s, err)))
    return rc;
  /* Rows the transaction added must be there to be deleted. */
  for (int t = 0; t < T_COUNT; t++)
    if ((rc = copy_flush(s, t, err)))
      return rc;
  if (s->n_purges == s->cap_purges) {
    size_t ncap = s->cap_purges ? s->cap_purges * 2 : 256;
    int64_t(*n)[2] = realloc(s->purges, ncap * sizeof *n);
    if (!n)
      return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
    s->purges = n;
    s->cap_purges = ncap;
  }
  s->purge_kind = kind;
  s->purges[s->n_purges][0] = (int64_t)seq;
  s->purges[s->n_purges++][1] = (int64_t)purge_seq;
  return s->n_purges >= PURGE_BATCH ? purge_flush(s, err) : LEVEE_OK;
}

static int pg_delete_content(void *db, uint64_t seq, uint64_t purge_seq,
                             levee_error *err) {
  return queue_purge(db, ST_DELETE_CONTENT, seq, purge_seq, err);
}

static int pg_expire_record(void *db, uint64_t seq, uint64_t purge_seq,
                            levee_error *err) {
  return queue_purge(db, ST_EXPIRE, seq, purge_seq, err);
}

/* --- the trace index ------------------------------------------------------ */

/* An int8[] of n values (binary, as a field of COPY or a parameter). */
static int put_i64_array(lv_buf *b, const uint64_t *v, size_t n) {
  int rc = put_array_header(b, OID_INT8, n, 0);
  for (size_t i = 0; !rc && i < n; i++)
    rc = put_int_field(b, (int64_t)v[i]);
  return rc;
}

/* An array field of COPY: its length, then the array. */
static int put_i64_array_field(lv_buf *b, const uint64_t *v, size_t n) {
  if (!n)
    return put_field(b, (levee_str){NULL, 0});
  size_t at = b->len;
  int rc = put_u32(b, 0);
  size_t start = b->len;
  if (!rc)
    rc = put_i64_array(b, v, n);
  if (rc)
    return rc;
  size_t len = b->len - start;
  if (len > INT32_MAX)
    return LEVEE_ETOOBIG;
  unsigned char *p = (unsigned char *)b->data + at;
  p[0] = (unsigned char)(len >> 24);
  p[1] = (unsigned char)(len >> 16);
  p[2] = (unsigned char)(len >> 8);
  p[3] = (unsigned char)len;
  return LEVEE_OK;
}

/* The entry's rows but its members, into the COPY buffers. */
static int entry_rows(pg_store *s, uint64_t seq, const lv_trace_entry *t) {
  if (!t->n_fps && !t->n_images)
    return LEVEE_OK;
  uint64_t pairs[2 * LV_MAX_ATTACHMENTS];
  size_t np = 0;
  for (size_t i = 0;
       i < t->n_images && np + 2 <= (size_t)2 * LV_MAX_ATTACHMENTS; i++) {
    pairs[np++] = (uint64_t)t->images[i].n << 32 | t->images[i].text_fps;
    pairs[np++] = t->images[i].phash;
  }
  lv_buf *b = &s->copy[T_TRACE];
  int rc;
  if ((rc = copy_row(s, T_TRACE, 3)) || (rc = put_int_field(b, (int64_t)seq)) ||
      (rc = put_i64_array_field(b, t->fps, t->n_fps)) ||
      (rc = put_i64_array_field(b, pairs, np)))
    return rc;
  b = &s->copy[T_TRACE_FP];
  for (size_t i = 0; i < t->n_fps; i++)
    if ((rc = copy_row(s, T_TRACE_FP, 2)) ||
        (rc = put_int_field(b, (int64_t)t->fps[i])) ||
        (rc = put_int_field(b, (int64_t)seq)))
      return rc;
  b = &s->copy[T_TRACE_BLOCK];
  for (size_t i = 0; i < t->n_images; i++)
    for (int k = 0; k < LV_TRACE_BLOCKS; k++)
      if ((rc = copy_row(s, T_TRACE_BLOCK, 3)) ||
          (rc = put_int_field(b, lv_trace_block_key(t->images[i].phash, k))) ||
          (rc = put_int_field(b, (int64_t)seq)) ||
          (rc = put_int_field(b, (int64_t)t->images[i].phash)))
        return rc;
  return LEVEE_OK;
}

/* Notes an entry's members, written at commit (put_members). */
static int note_members(pg_store *s, uint64_t seq, const lv_trace_entry *t) {
  if (!t->conversation.ptr || t->members_hash == s->members_hash)
    return LEVEE_OK;
  lv_buf key;
  lv_buf_init(&key, COPY_MAX_BYTES);
  int rc = LEVEE_OK;
  for (size_t i = 0; !rc && i < t->n_members; i++) {
    static const levee_str none[3];
    if (!(rc = lv_trace_member_key(&key, t->conversation, t->members[i])))
      rc = lv_directory_add(&s->members, (levee_str){key.data, key.len}, none,
                            -1, seq);
  }
  lv_buf_cleanup(&key);
  if (!rc)
    s->members_hash = t->members_hash;
  return rc;
}

static int pg_put_trace(void *db, uint64_t seq, const lv_trace_entry *t,
                        levee_error *err) {
  pg_store *s = db;
  if (!s->in_txn)
    return lv_error_set(err, LEVEE_EINVAL, "no transaction");
  size_t mark[T_COUNT];
  for (int i = 0; i < T_COUNT; i++)
    mark[i] = s->copy[i].len;
  int rc = entry_rows(s, seq, t);
  if (rc) {
    for (int i = 0; i < T_COUNT; i++)
      s->copy[i].len = mark[i];
    return lv_error_set(err, rc, "the trace index: %s", levee_strerror(rc));
  }
  if ((rc = note_members(s, seq, t)))
    return lv_error_set(err, rc, "the trace index: %s", levee_strerror(rc));
  return flush_full(s, err);
}

static int put_members(pg_store *s, levee_error *err) {
  lv_directory *d = &s->members;
  if (!d->n)
    return LEVEE_OK;
  lv_buf *b = &s->scratch;
  lv_buf_reset(b);
  size_t first = 0; /* where the second array (the people) begins */
  int rc = LEVEE_OK;
  for (int half = 0; half < 2 && !rc; half++) {
    if (half)
      first = b->len;
    rc = put_array_header(b, OID_BYTEA, d->n, 0);
    for (size_t i = 0; !rc && i < d->n; i++) {
      levee_str c, p;
      if (lv_trace_member_split(d->v[i].id, &c, &p))
        c = p = (levee_str){"", 0};
      rc = put_field(b, half ? p : c);
    }
  }
  if (rc)
    return lv_error_set(err, rc, "storing members: %s", levee_strerror(rc));
  params p = {0};
  p_bytes(&p, OID_BYTEA_ARRAY, b->data, first);
  p_bytes(&p, OID_BYTEA_ARRAY, b->data + first, b->len - first);
  PGresult *r = run_st(s, ST_PUT_MEMBERS, &p, err, "storing members");
  if (!r)
    return LEVEE_ESTORE;
  s->pq->clear(r);
  return LEVEE_OK;
}

/* Schema 4: the events already stored get their fingerprints (from their
 * content) and their conversations' members (from their rows), in the
 * migration's transaction. */
static int backfill_trace(pg_store *s, levee_error *err) {
  cursor c;
  int rc = cur_open(s, &c,
                    "SELECT e.seq, e.conversation_id, e.sender_id,"
                    " e.recipients, c.text, c.extracted FROM event e"
                    " LEFT JOIN content c ON c.seq = e.seq WHERE NOT EXISTS"
                    " (SELECT 1 FROM trace t WHERE t.seq = e.seq)"
                    " ORDER BY e.seq",
                    NULL, 1000, err, "building the trace index");
  lv_trace_indexer x;
  lv_trace_indexer_init(&x);
  while (!rc && c.live) {
    const PGresult *r = c.res;
    int i = c.row;
    uint64_t seq = (uint64_t)col_i64(s->pq, r, i, 0);
    lv_trace_entry t;
    memset(&t, 0, sizeof t);
    t.conversation = col_str(s->pq, r, i, 1);
    if (!(rc = lv_trace_text_fps(&x, col_str(s->pq, r, i, 4),
                                 col_str(s->pq, r, i, 5), &t.fps, &t.n_fps)) &&
        !(rc = entry_rows(s, seq, &t)) && t.conversation.ptr &&
        !(rc = lv_trace_members(&x, col_str(s->pq, r, i, 2),
                                col_str(s->pq, r, i, 3), &t.members,
                                &t.n_members))) {
      /* Consecutive events of one group repeat their members. */
      uint64_t h = 1469598103934665603ull;
      for (size_t k = 0; k < t.conversation.len; k++)
        h = (h ^ (unsigned char)t.conversation.ptr[k]) * 1099511628211ull;
      for (size_t m = 0; m < t.n_members; m++)
        for (size_t k = 0; k <= t.members[m].len; k++)
          h = (h ^ (k < t.members[m].len ? (unsigned char)t.members[m].ptr[k]
                                         : 0x100)) *
              1099511628211ull;
      t.members_hash = h ? h : 1;
      rc = note_members(s, seq, &t);
    }
    if (rc) {
      lv_error_set(err, rc, "building the trace index: %s", levee_strerror(rc));
      break;
    }
    /* Members are sent as they pile up, not all at the end. */
    if (s->members.n >= 100000) {
      if ((rc = put_members(s, err)))
        break;
      lv_directory_reset(&s->members);
    }
    if ((rc = flush_full(s, err)))
      break;
    if ((rc = cur_advance(s, &c)))
      lv_error_set(err, rc, "building the trace index: reading failed");
  }
  cur_close(s, &c);
  lv_trace_indexer_cleanup(&x);
  for (int t = T_TRACE; !rc && t <= T_TRACE_BLOCK; t++)
    rc = copy_flush(s, t, err);
  if (!rc)
    rc = put_members(s, err);
  lv_directory_reset(&s->members);
  s->members_hash = 0;
  return rc;
}

/* Reads see what the open transaction holds back; outside one, a single
 * statement reads as it stands (a read-only store's transaction is
 * always open). */
static int read_now(pg_store *s, levee_error *err) {
  return s->in_txn ? flush_all(s, err) : LEVEE_OK;
}

typedef struct found_ctx {
  lv_trace_found_fn fn;
  void *ud;
} found_ctx;

static int found_row(pg_store *s, const PGresult *r, int i, void *ud) {
  found_ctx *x = ud;
  return x->fn(x->ud, (uint64_t)col_i64(s->pq, r, i, 0),
               (uint64_t)col_i64(s->pq, r, i, 1));
}

static int pg_trace_find(void *db, const lv_trace_lookup *q,
                         lv_trace_found_fn fn, void *ud, levee_error *err) {
  pg_store *s = db;
  /* Each key's events, the earliest first, through the index its lookup
   * has: an event's id (the hash exclusion index), the first 1,024 bytes
   * of forwarded_from, sha256 and md5, trace_fp's and trace_block's keys. */
  static const char *const sql[] = {
      [LV_TRACE_BY_ID] = "SELECT e.seq, 0::int8 FROM unnest($1::bytea[]) k"
                         " JOIN event e ON e.id = k",
      [LV_TRACE_BY_FORWARDED] =
          "SELECT t.seq, 0::int8 FROM unnest($1::bytea[]) k, LATERAL"
          " (SELECT seq FROM event WHERE substring(forwarded_from from 1"
          " for 1024) = substring(k from 1 for 1024) AND forwarded_from = k"
          " ORDER BY seq LIMIT $2) t",
      [LV_TRACE_BY_SHA256] =
          "SELECT t.seq, 0::int8 FROM unnest($1::bytea[]) k, LATERAL"
          " (SELECT DISTINCT seq FROM attachment WHERE substring(sha256 from"
          " 1 for 1024) = substring(k from 1 for 1024) AND sha256 = k"
          " ORDER BY seq LIMIT $2) t",
      [LV_TRACE_BY_MD5] =
          "SELECT t.seq, 0::int8 FROM unnest($1::bytea[]) k, LATERAL"
          " (SELECT DISTINCT seq FROM attachment WHERE substring(md5 from"
          " 1 for 1024) = substring(k from 1 for 1024) AND md5 = k"
          " ORDER BY seq LIMIT $2) t",
      [LV_TRACE_BY_FP] = "SELECT t.seq, k FROM unnest($1::int8[]) k, LATERAL"
                         " (SELECT seq FROM trace_fp WHERE hash = k"
                         " ORDER BY seq LIMIT $2) t",
      [LV_TRACE_BY_BLOCK] =
          "SELECT t.seq, t.phash FROM unnest($1::int8[]) k, LATERAL"
          " (SELECT seq, phash FROM trace_block WHERE key = k"
          " ORDER BY seq LIMIT $2) t",
  };
  if ((size_t)q->by >= sizeof sql / sizeof *sql)
    return lv_error_set(err, LEVEE_EINVAL, "the trace index: no such lookup");
  int numbers = q->by == LV_TRACE_BY_FP || q->by == LV_TRACE_BY_BLOCK;
  size_t n = 0;
  for (size_t i = 0; i < q->n; i++)
    n += numbers || q->strs[i].ptr;
  if (!n)
    return LEVEE_OK;
  lv_buf keys;
  lv_buf_init(&keys, COPY_MAX_BYTES);
  int rc = numbers ? put_i64_array(&keys, q->nums, q->n)
                   : put_array_header(&keys, OID_BYTEA, n, 0);
  for (size_t i = 0; !rc && !numbers && i < q->n; i++)
    if (q->strs[i].ptr)
      rc = put_field(&keys, q->strs[i]);
  if (rc) {
    lv_buf_cleanup(&keys);
    return lv_error_set(err, rc, "the trace index: %s", levee_strerror(rc));
  }
  params p = {0};
  p_bytes(&p, numbers ? OID_INT8_ARRAY : OID_BYTEA_ARRAY, keys.data, keys.len);
  p_i64(&p, q->per_key > INT64_MAX ? INT64_MAX : (int64_t)q->per_key);
  if (q->by == LV_TRACE_BY_ID)
    p.n = 1; /* ids are unique: no limit */
  found_ctx x = {fn, ud};
  rc = each_result_row(s, sql[q->by], &p, found_row, &x);
  lv_buf_cleanup(&keys);
  if (rc < 0 && rc != LEVEE_ENOMEM)
    lv_error_set(err, rc, "reading the trace index: %s", s->where);
  return rc;
}

static uint32_t get_be32(const char *p) {
  const unsigned char *u = (const unsigned char *)p;
  return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 |
         u[3];
}

/* The elements of a one-dimensional array in binary (array_recv's format),
 * copied into a: as strings (want_ints 0; NULL elements left out) or as
 * 8-byte integers (want_ints 1, into *ints). Absent is empty. Returns
 * LEVEE_OK, LEVEE_ENOMEM, or LEVEE_ESTORE when v is no such array. */
static int array_elems(levee_str v, int want_ints, lv_arena *a,
                       levee_str **strs, uint64_t **ints, size_t *n) {
  *n = 0;
  if (!v.ptr)
    return LEVEE_OK;
  if (v.len < 12)
    return LEVEE_ESTORE;
  uint32_t ndim = get_be32(v.ptr);
  if (ndim == 0)
    return LEVEE_OK;
  if (ndim != 1 || v.len < 20)
    return LEVEE_ESTORE;
  size_t count = get_be32(v.ptr + 12), off = 20;
  if (count > v.len / 4)
    return LEVEE_ESTORE;
  void *list = count ? lv_arena_alloc(a, count * (want_ints ? sizeof **ints
                                                            : sizeof **strs))
                     : NULL;
  if (count && !list)
    return LEVEE_ENOMEM;
  size_t k = 0;
  for (size_t i = 0; i < count; i++) {
    if (v.len - off < 4)
      return LEVEE_ESTORE;
    uint32_t len = get_be32(v.ptr + off);
    off += 4;
    if (len == UINT32_MAX)
      continue; /* NULL */
    if (len > v.len - off || (want_ints && len != 8))
      return LEVEE_ESTORE;
    if (want_ints) {
      ((uint64_t *)list)[k++] = get_be64(v.ptr + off);
    } else {
      char *c = lv_arena_strndup(a, v.ptr + off, len);
      if (!c)
        return LEVEE_ENOMEM;
      ((levee_str *)list)[k++] = (levee_str){c, len};
    }
    off += len;
  }
  if (want_ints)
    *ints = list;
  else
    *strs = list;
  *n = k;
  return LEVEE_OK;
}

/* A string column copied into a. */
static int keep_in(const lv_pq *pq, const PGresult *r, int row, int c,
                   lv_arena *a, levee_str *out) {
  levee_str v = col_str(pq, r, row, c);
  if (v.ptr && !(v.ptr = lv_arena_strndup(a, v.ptr, v.len)))
    return LEVEE_ENOMEM;
  *out = v;
  return LEVEE_OK;
}

static int pg_trace_event(void *db, uint64_t seq, lv_arena *a,
                          lv_trace_event *out, levee_error *err) {
  pg_store *s = db;
  const lv_pq *pq = s->pq;
  int rc = read_now(s, err);
  if (rc)
    return rc;
  params p = {0};
  p_i64(&p, (int64_t)seq);
  PGresult *r = run_st(s, ST_TRACE_EVENT, &p, err, "reading an event");
  if (!r)
    return LEVEE_ESTORE;
  if (pq->ntuples(r) != 1) {
    pq->clear(r);
    return lv_error_set(err, LEVEE_ENOTFOUND, "record %llu holds no event",
                        (unsigned long long)seq);
  }
  lv_trace_event e;
  memset(&e, 0, sizeof e);
  e.seq = seq;
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
      rc = keep_in(pq, r, 0, i, a, cols[i]);
  e.time_ms = col_i64(pq, r, 0, 1);
  uint64_t *pairs = NULL;
  size_t np = 0;
  if (!rc)
    rc = array_elems(col_str(pq, r, 0, 10), 0, a, &e.sha256, NULL, &e.n_sha256);
  if (!rc)
    rc = array_elems(col_str(pq, r, 0, 11), 0, a, &e.md5, NULL, &e.n_md5);
  if (!rc)
    rc = array_elems(col_str(pq, r, 0, 12), 1, a, NULL, &e.fps, &e.n_fps);
  if (!rc)
    rc = array_elems(col_str(pq, r, 0, 13), 1, a, NULL, &pairs, &np);
  pq->clear(r);
  if (!rc && np / 2 &&
      !(e.images = lv_arena_alloc(a, np / 2 * sizeof *e.images)))
    rc = LEVEE_ENOMEM;
  for (size_t i = 0; !rc && i + 1 < np; i += 2)
    e.images[e.n_images++] = (lv_trace_image){(uint32_t)(pairs[i] >> 32),
                                              (uint32_t)pairs[i], pairs[i + 1]};
  if (rc)
    return lv_error_set(err, rc, "reading an event: %s",
                        rc == LEVEE_ESTORE ? "an array of another shape"
                                           : levee_strerror(rc));
  *out = e;
  return LEVEE_OK;
}

static int pg_trace_member(void *db, levee_str conversation, levee_str person,
                           int *member, levee_error *err) {
  pg_store *s = db;
  int rc = read_now(s, err);
  if (rc)
    return rc;
  params p = {0};
  p_str(&p, OID_BYTEA, conversation);
  p_str(&p, OID_BYTEA, person);
  PGresult *r =
      run_st(s, ST_MEMBER, &p, err, "reading a conversation's members");
  if (!r)
    return LEVEE_ESTORE;
  *member = s->pq->ntuples(r) > 0;
  s->pq->clear(r);
  return LEVEE_OK;
}

/* --- search --------------------------------------------------------------- */

/* A query: its pieces as phrases of QUERY-mode tokens. */
typedef struct qtok {
  size_t off, len; /* in pool */
  uint64_t hash;
} qtok;

typedef struct phrase {
  size_t first, n; /* toks[first .. first + n) */
} phrase;

typedef struct query {
  lv_buf pool;
  qtok *toks;
  size_t n_toks, cap_toks;
  phrase *ph;
  size_t n_ph, cap_ph;
  size_t max_len; /* tokens in the longest phrase */
  struct ending {
    uint64_t hash; /* of the phrase's last token */
    size_t phrase;
  } * ends; /* sorted by hash */
} query;

static int query_token(void *ud, int colocated, const char *tok, size_t tok_len,
                       size_t start, size_t end) {
  query *q = ud;
  if (q->n_toks == q->cap_toks) {
    size_t nc = q->cap_toks ? q->cap_toks * 2 : 64;
    qtok *n = realloc(q->toks, nc * sizeof *n);
    if (!n)
      return -LEVEE_ENOMEM;
    q->toks = n;
    q->cap_toks = nc;
  }
  size_t off = q->pool.len;
  int rc = lv_buf_append(&q->pool, tok, tok_len);
  if (rc)
    return -rc;
  q->toks[q->n_toks++] = (qtok){off, tok_len, lv_fnv1a(tok, tok_len)};
  return 0;
}

static int same_tok(const query *q, const qtok *a, const qtok *b) {
  return a->hash == b->hash && a->len == b->len &&
         !memcmp(q->pool.data + a->off, q->pool.data + b->off, a->len);
}

static int cmp_ending(const void *a, const void *b) {
  uint64_t x = ((const struct ending *)a)->hash,
           y = ((const struct ending *)b)->hash;
  return x < y ? -1 : x > y;
}

static void query_cleanup(query *q) {
  lv_buf_cleanup(&q->pool);
  free(q->toks);
  free(q->ph);
  free(q->ends);
}

/* Cuts text into phrases; pieces without a token are left out, and a
 * phrase given twice counts once. */
static int query_parse(pg_store *s, query *q, const char *text, size_t len) {
  memset(q, 0, sizeof *q);
  lv_buf_init(&q->pool, 16 * (size_t)LV_MAX_SEARCH_QUERY_BYTES);
  const unsigned char *u = (const unsigned char *)text;
  size_t i = 0;
  while (i < len) {
    size_t w = lv_search_space_at(u, len, i);
    if (w) {
      i += w;
      continue;
    }
    size_t j = i + 1;
    while (j < len && !lv_search_space_at(u, len, j))
      j++;
    size_t first = q->n_toks;
    int rc = lv_search_tokens_in(&s->norm, text + i, j - i, LV_SEARCH_QUERY,
                                 query_token, q);
    if (rc)
      return rc > 0 ? -rc : rc;
    i = j;
    phrase p = {first, q->n_toks - first};
    if (!p.n)
      continue;
    int dup = 0;
    for (size_t k = 0; k < q->n_ph && !dup; k++) {
      const phrase *o = &q->ph[k];
      dup = o->n == p.n;
      for (size_t t = 0; dup && t < p.n; t++)
        dup = same_tok(q, &q->toks[o->first + t], &q->toks[p.first + t]);
    }
    if (dup) {
      q->n_toks = first;
      continue;
    }
    if (q->n_ph == q->cap_ph) {
      size_t nc = q->cap_ph ? q->cap_ph * 2 : 16;
      phrase *n = realloc(q->ph, nc * sizeof *n);
      if (!n)
        return LEVEE_ENOMEM;
      q->ph = n;
      q->cap_ph = nc;
    }
    q->ph[q->n_ph++] = p;
    if (p.n > q->max_len)
      q->max_len = p.n;
  }
  if (!q->n_ph)
    return LEVEE_OK;
  q->ends = malloc(q->n_ph * sizeof *q->ends);
  if (!q->ends)
    return LEVEE_ENOMEM;
  for (size_t k = 0; k < q->n_ph; k++)
    q->ends[k] =
        (struct ending){q->toks[q->ph[k].first + q->ph[k].n - 1].hash, k};
  qsort(q->ends, q->n_ph, sizeof *q->ends, cmp_ending);
  return LEVEE_OK;
}

/* One position of a document: its first token's span and its tokens (a
 * Chinese character's unigram and the bigram colocated with it). */
typedef struct dpos {
  int n;
  size_t start, end;
  uint64_t hash[2];
  size_t len[2]; /* SIZE_MAX: a token too long to match anything */
  char tok[2][LV_MAX_SEARCH_TOKEN_BYTES];
} dpos;

/* Consecutive positions that phrase instances cover, merged when they share
 * a position (as FTS5's highlight() merges them). */
typedef struct group {
  int64_t sp, ep; /* first and last position */
  size_t sb, eb;  /* their bytes in the original text */
} group;

/* FTS5's phrase matching and highlight() over one column's text. */
typedef struct matcher {
  const query *q;
  dpos *ring; /* the last q->max_len positions */
  int64_t pos;
  unsigned char *found; /* per phrase */
  group *g;
  size_t g_head, g_n, g_cap;
  const char *text;
  size_t off; /* of text, copied to out so far */
  lv_buf *out;
  const char *mo, *mc;
  int rc;
} matcher;

static int emit_group(matcher *m, const group *g) {
  size_t sb = g->sb > m->off ? g->sb : m->off;
  size_t eb = g->eb > sb ? g->eb : sb;
  int rc;
  if ((rc = lv_buf_append(m->out, m->text + m->off, sb - m->off)) ||
      (rc = lv_buf_puts(m->out, m->mo)) ||
      (rc = lv_buf_append(m->out, m->text + sb, eb - sb)) ||
      (rc = lv_buf_puts(m->out, m->mc)))
    return rc;
  m->off = eb;
  return LEVEE_OK;
}

/* Marks the groups no later instance can reach: one that ends at position
 * p + 1 or later starts at p + 2 - max_len or later. */
static int emit_before(matcher *m, int64_t limit) {
  while (m->g_head < m->g_n && m->g[m->g_head].ep < limit) {
    int rc = emit_group(m, &m->g[m->g_head++]);
    if (rc)
      return rc;
  }
  if (m->g_head == m->g_n)
    m->g_head = m->g_n = 0;
  return LEVEE_OK;
}

static int add_instance(matcher *m, int64_t sp, int64_t ep, size_t sb,
                        size_t eb) {
  /* Instances arrive in the order they end, so those it overlaps are the
   * last groups. */
  while (m->g_n > m->g_head && m->g[m->g_n - 1].ep >= sp) {
    const group *t = &m->g[m->g_n - 1];
    if (t->sp < sp) {
      sp = t->sp;
      sb = t->sb;
    }
    m->g_n--;
  }
  if (m->g_n == m->g_cap) {
    if (m->g_head) {
      memmove(m->g, m->g + m->g_head, (m->g_n - m->g_head) * sizeof *m->g);
      m->g_n -= m->g_head;
      m->g_head = 0;
    } else {
      size_t nc = m->g_cap ? m->g_cap * 2 : 16;
      group *n = realloc(m->g, nc * sizeof *n);
      if (!n)
        return LEVEE_ENOMEM;
      m->g = n;
      m->g_cap = nc;
    }
  }
  m->g[m->g_n++] = (group){sp, ep, sb, eb};
  return LEVEE_OK;
}

static int holds(const matcher *m, const dpos *d, const qtok *t) {
  for (int i = 0; i < d->n; i++)
    if (d->hash[i] == t->hash && d->len[i] == t->len &&
        !memcmp(d->tok[i], m->q->pool.data + t->off, t->len))
      return 1;
  return 0;
}

/* Position p is complete: the phrases that end there. */
static int complete(matcher *m, int64_t p) {
  const query *q = m->q;
  size_t M = q->max_len;
  const dpos *d = &m->ring[(size_t)p % M];
  for (int t = 0; t < d->n; t++) {
    /* The phrases whose last token has this hash. */
    size_t lo = 0, hi = q->n_ph;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (q->ends[mid].hash < d->hash[t])
        lo = mid + 1;
      else
        hi = mid;
    }
    for (; lo < q->n_ph && q->ends[lo].hash == d->hash[t]; lo++) {
      size_t k = q->ends[lo].phrase;
      const phrase *ph = &q->ph[k];
      if ((uint64_t)p + 1 < ph->n)
        continue;
      int64_t sp = p - (int64_t)ph->n + 1;
      int match = 1;
      for (size_t j = 0; match && j < ph->n; j++)
        match = holds(m, &m->ring[(size_t)(sp + (int64_t)j) % M],
                      &q->toks[ph->first + j]);
      if (!match)
        continue;
      m->found[k] = 1;
      int rc = add_instance(m, sp, p, m->ring[(size_t)sp % M].start, d->end);
      if (rc)
        return rc;
    }
  }
  return emit_before(m, p + 2 - (int64_t)M);
}

static int doc_token(void *ud, int colocated, const char *tok, size_t tok_len,
                     size_t start, size_t end) {
  matcher *m = ud;
  size_t M = m->q->max_len;
  if (!colocated || m->pos < 0) {
    if (m->pos >= 0 && (m->rc = complete(m, m->pos)))
      return 1;
    m->pos++;
    dpos *d = &m->ring[(size_t)m->pos % M];
    d->n = 0;
    d->start = start;
    d->end = end;
  }
  dpos *d = &m->ring[(size_t)m->pos % M];
  if (d->n == 2)
    return 0; /* the tokenizer colocates one bigram at most */
  d->hash[d->n] = lv_fnv1a(tok, tok_len);
  if (tok_len <= LV_MAX_SEARCH_TOKEN_BYTES) {
    memcpy(d->tok[d->n], tok, tok_len);
    d->len[d->n] = tok_len;
  } else {
    d->len[d->n] = SIZE_MAX;
  }
  d->n++;
  return 0;
}

/* Finds the query's phrases in text (setting found[k] for each phrase
 * found) and writes text to out with the matches marked. */
static int match_column(pg_store *s, matcher *m, levee_str text, lv_buf *out) {
  m->pos = -1;
  m->g_head = m->g_n = 0;
  m->text = text.ptr;
  m->off = 0;
  m->out = out;
  m->rc = LEVEE_OK;
  lv_buf_reset(out);
  int rc = lv_search_tokens_in(&s->norm, text.ptr, text.len, LV_SEARCH_DOCUMENT,
                               doc_token, m);
  if (s->norm.cap > SCRATCH_KEEP_BYTES) {
    lv_norm_cleanup(&s->norm);
    lv_norm_init(&s->norm);
  }
  if (m->rc)
    return m->rc;
  if (rc)
    return rc;
  if (m->pos >= 0 && (rc = complete(m, m->pos)))
    return rc;
  if ((rc = emit_before(m, INT64_MAX)))
    return rc;
  return lv_buf_append(out, text.ptr + m->off, text.len - m->off);
}

/* Parameters of the search, listing and count statements, the same in
 * each (a statement uses some of them; the others are sent for nothing).
 * params_of() fills them. */
enum {
  P_TOKENS = 1,
  P_SENDER,
  P_CONVERSATION,
  P_CHANNEL,
  P_ACTION,
  P_CATEGORY, /* a category, or a prefix ending in '.' */
  P_SINCE,
  P_UNTIL,
  P_BEFORE, /* records before this one */
  P_LIMIT,
  P_DEPT,
  P_CATEGORY_END, /* past the prefix's last category: '.' becomes '/' */
  P_OFFSET,
  P_TZ_MS,
  P_COUNT = P_TZ_MS
};
_Static_assert(P_COUNT <= MAX_PARAMS, "room for the search's parameters");

static int is_prefix(levee_str category) {
  return category.len && category.ptr[category.len - 1] == '.';
}

/* The request's filters as " AND ..." terms over event e, only those
 * asked for; lookups by an outside string through the btree on its first
 * 1,024 bytes. With category_of_f, the category is matched on the finding
 * f the statement joins (counting by category) instead of any of e's. The
 * record bound is the caller's. */
static int filter_sql(const lv_search_request *q, int category_of_f,
                      lv_buf *sql) {
  int rc = LEVEE_OK;
  if (!rc && q->sender.ptr)
    rc = lv_buf_puts(sql, " AND substring(e.sender_id from 1 for 1024) ="
                          " substring($2 from 1 for 1024)"
                          " AND e.sender_id = $2");
  if (!rc && q->conversation.ptr)
    rc = lv_buf_puts(sql, " AND substring(e.conversation_id from 1 for 1024) ="
                          " substring($3 from 1 for 1024)"
                          " AND e.conversation_id = $3");
  if (!rc && q->sender_dept.ptr)
    rc = lv_buf_puts(sql, " AND substring(e.sender_dept from 1 for 1024) ="
                          " substring($11 from 1 for 1024)"
                          " AND e.sender_dept = $11");
  if (!rc && q->channel.ptr)
    rc = lv_buf_puts(sql, " AND substring(e.channel from 1 for 1024) ="
                          " substring($4 from 1 for 1024)"
                          " AND e.channel = $4");
  if (!rc && q->action.ptr)
    rc = lv_buf_puts(sql, " AND convert_to(e.action, 'UTF8') = $5");
  /* An action other than allow says the same as alerts_only, in the words
   * of the partial indexes' WHERE, so that they serve it. */
  if (!rc && (q->alerts_only ||
              (q->action.ptr &&
               !(q->action.len == 5 && !memcmp(q->action.ptr, "allow", 5)))))
    rc = lv_buf_puts(sql, " AND e.action <> 'allow'");
  if (!rc && q->category.ptr) {
    const char *match =
        is_prefix(q->category)
            ? "substring(f.category from 1 for 1024) >="
              " substring($6 from 1 for 1024)"
              " AND substring(f.category from 1 for 1024) < $12"
              " AND substring(f.category from 1 for length($6)) = $6"
            : "substring(f.category from 1 for 1024) ="
              " substring($6 from 1 for 1024) AND f.category = $6";
    rc = category_of_f ? lv_buf_printf(sql, " AND %s", match)
                       : lv_buf_printf(sql,
                                       " AND EXISTS (SELECT 1 FROM finding f"
                                       " WHERE f.seq = e.seq AND %s)",
                                       match);
  }
  if (!rc && q->since_ms != INT64_MIN)
    rc = lv_buf_puts(sql, " AND e.time_ms >= $7");
  if (!rc && q->until_ms != INT64_MAX)
    rc = lv_buf_puts(sql, " AND e.time_ms < $8");
  return rc;
}

/* The parameters of every statement here: tokens (a binary text[]) or
 * NULL, the filters, and the record bound, how many rows, how many to skip
 * and the time zone. end has room for the category. */
static void params_of(params *p, const lv_search_request *q, const lv_buf *arr,
                      uint64_t before, uint64_t n, uint64_t offset,
                      int64_t tz_ms, char *end) {
  memset(p, 0, sizeof *p);
  p_bytes(p, OID_TEXT_ARRAY, arr ? arr->data : NULL, arr ? arr->len : 0);
  p_str(p, OID_BYTEA, q->sender);
  p_str(p, OID_BYTEA, q->conversation);
  p_str(p, OID_BYTEA, q->channel);
  p_str(p, OID_BYTEA, q->action);
  p_str(p, OID_BYTEA, q->category);
  p_i64(p, q->since_ms);
  p_i64(p, q->until_ms);
  p_i64(p, before > INT64_MAX ? INT64_MAX : (int64_t)before);
  p_i64(p, n > INT64_MAX ? INT64_MAX : (int64_t)n);
  p_str(p, OID_BYTEA, q->sender_dept);
  if (end && q->category.ptr && is_prefix(q->category)) {
    memcpy(end, q->category.ptr, q->category.len);
    end[q->category.len - 1] = '/';
    p_bytes(p, OID_BYTEA, end, q->category.len);
  } else {
    p_bytes(p, OID_BYTEA, NULL, 0);
  }
  p_i64(p, offset > INT64_MAX ? INT64_MAX : (int64_t)offset);
  p_i64(p, tz_ms);
}

/* The columns of a hit, in the order every search statement gives them;
 * the text and extracted text follow. */
#define HIT_COLUMNS                                                            \
  "e.seq, e.id, e.time_ms, e.channel, e.sender_id, e.sender_name,"             \
  " e.conversation_id, e.conversation_title, e.action, e.severity,"            \
  " e.sender_dept,"                                                            \
  " (SELECT string_agg(f.category, '\\x2c'::bytea ORDER BY f.n)"               \
  "  FROM finding f WHERE f.seq = e.seq),"
enum { COL_TEXT = 12, COL_EXTRACTED = 13 };

/* The statement that finds candidates: rows holding every token of the
 * query ($1), with the filters asked for, newest first, before record $9,
 * at most $10 of them (so the planner knows how many are wanted: the GIN
 * index for a rare token, the newest records first for a common one). */
static int search_sql(const lv_search_request *q, lv_buf *sql) {
  int rc = lv_buf_puts(sql, "SELECT " HIT_COLUMNS " c.text, c.extracted"
                            " FROM content_search s JOIN content c"
                            " ON c.seq = s.seq JOIN event e ON e.seq = s.seq"
                            " WHERE s.tokens @> $1");
  if (!rc)
    rc = filter_sql(q, 0, sql);
  if (!rc)
    rc = lv_buf_puts(sql, " AND s.seq < $9 ORDER BY s.seq DESC LIMIT $10");
  return rc;
}

/* The listing: events newest first, before record $9, through the index
 * the filters pick, $10 of them after skipping $13. */
static int list_sql(const lv_search_request *q, lv_buf *sql) {
  int rc = lv_buf_puts(sql, "SELECT " HIT_COLUMNS " c.text, c.extracted"
                            " FROM event e LEFT JOIN content c"
                            " ON c.seq = e.seq WHERE true");
  if (!rc)
    rc = filter_sql(q, 0, sql);
  if (!rc)
    rc = lv_buf_puts(sql, " AND e.seq < $9 ORDER BY e.seq DESC"
                          " LIMIT $10 OFFSET $13");
  return rc;
}

/* The query's distinct tokens as a binary text[]. */
static int token_array(const query *q, lv_buf *b) {
  strset set;
  strset_init(&set);
  int rc = LEVEE_OK;
  for (size_t i = 0; i < q->n_toks && !rc; i++)
    rc = strset_add(&set, q->pool.data + q->toks[i].off, q->toks[i].len);
  if (!rc)
    rc = put_array_header(b, OID_TEXT, set.n, 0);
  for (size_t i = 0; i < set.n && !rc; i++)
    rc = put_field(b, (levee_str){set.pool.data + set.v[i].off, set.v[i].len});
  strset_cleanup(&set);
  return rc;
}

typedef struct search_state {
  query q;
  matcher m;
  unsigned char *found; /* per phrase: in the message text */
  lv_buf text, extracted;
} search_state;

/* Checks one candidate (cursor row) and, when it matches, gives it to fn:
 * *matched tells whether it did. */
static int search_row_check(pg_store *s, search_state *x, const PGresult *r,
                            int i, int *matched) {
  const lv_pq *pq = s->pq;
  const query *q = &x->q;
  levee_str cols[2] = {col_str(pq, r, i, COL_TEXT),
                       col_str(pq, r, i, COL_EXTRACTED)};
  lv_buf *outs[2] = {&x->text, &x->extracted};
  memset(x->found, 0, q->n_ph);
  for (int c = 0; c < 2; c++) {
    if (!cols[c].ptr)
      continue;
    memset(x->m.found, 0, q->n_ph);
    int rc = match_column(s, &x->m, cols[c], outs[c]);
    if (rc)
      return rc;
    for (size_t k = 0; k < q->n_ph; k++)
      x->found[k] |= x->m.found[k];
  }
  *matched = 1;
  for (size_t k = 0; k < q->n_ph && *matched; k++)
    *matched = x->found[k];
  return LEVEE_OK;
}

/* A hit's columns (HIT_COLUMNS) from row i of r; its text and extracted
 * text are the caller's. */
static void hit_of(const lv_pq *pq, const PGresult *r, int i,
                   lv_search_hit *h) {
  memset(h, 0, sizeof *h);
  h->seq = (uint64_t)col_i64(pq, r, i, 0);
  h->id = col_str(pq, r, i, 1);
  h->time_ms = col_i64(pq, r, i, 2);
  h->channel = col_str(pq, r, i, 3);
  h->sender_id = col_str(pq, r, i, 4);
  h->sender_name = col_str(pq, r, i, 5);
  h->conversation_id = col_str(pq, r, i, 6);
  h->conversation_title = col_str(pq, r, i, 7);
  h->action = col_str(pq, r, i, 8);
  h->severity = col_str(pq, r, i, 9);
  h->sender_dept = col_str(pq, r, i, 10);
  h->categories = col_str(pq, r, i, 11);
}

/* Sends sql prefixed with EXPLAIN, each line of the plan to fn. */
static int explain(pg_store *s, const char *sql, const params *p,
                   int (*fn)(void *ud, const char *line), void *ud,
                   levee_error *err) {
  lv_buf b;
  lv_buf_init(&b, 1u << 20);
  int rc = lv_buf_printf(&b, "EXPLAIN %s", sql);
  if (rc) {
    lv_buf_cleanup(&b);
    return lv_error_set(err, rc, "explaining: %s", levee_strerror(rc));
  }
  PGresult *r = run_params(s, b.data, p, err, "explaining");
  lv_buf_cleanup(&b);
  if (!r)
    return LEVEE_ESTORE;
  for (int i = 0; i < s->pq->ntuples(r) && !rc; i++)
    rc = fn(ud, s->pq->getvalue(r, i, 0));
  s->pq->clear(r);
  return rc;
}

typedef struct plan_to_hit {
  lv_search_hit_fn fn;
  void *ud;
} plan_to_hit;

static int plan_hit(void *ud, const char *line) {
  const plan_to_hit *x = ud;
  lv_search_hit h;
  memset(&h, 0, sizeof h);
  h.plan = line;
  return x->fn(x->ud, &h);
}

/* A search without a text: one pass over the listing's rows. */
static int pg_list(pg_store *s, const lv_search_request *q, lv_search_hit_fn fn,
                   void *ud, levee_error *err) {
  const lv_pq *pq = s->pq;
  lv_buf sql;
  lv_buf_init(&sql, 1u << 16);
  char *end = q->category.ptr ? malloc(q->category.len + 1) : NULL;
  cursor c;
  memset(&c, 0, sizeof c);
  int own = 0, in_read = 0;
  int rc = q->category.ptr && !end ? LEVEE_ENOMEM : LEVEE_OK;
  if (!rc && q->explain)
    rc = lv_buf_puts(&sql, "DECLARE lv_list NO SCROLL CURSOR FOR ");
  if (!rc)
    rc = list_sql(q, &sql);
  if (rc) {
    lv_error_set(err, rc, "the search: %s", levee_strerror(rc));
    goto out;
  }
  params p;
  params_of(&p, q, NULL, q->before_seq ? q->before_seq : INT64_MAX, q->limit,
            q->offset, 0, end);
  if ((rc = read_begin(s, &own, err)))
    goto out;
  in_read = 1;
  /* The cursor reads every row it is asked for: plan for all of them. */
  if ((rc = simple(s, "SET cursor_tuple_fraction = 1", err, "searching")))
    goto out;
  if (q->explain) {
    plan_to_hit x = {fn, ud};
    rc = explain(s, sql.data, &p, plan_hit, &x, err);
    goto out;
  }
  if (!q->limit)
    goto out;
  if ((rc = cur_open(s, &c, sql.data, &p, 64, err, "searching")))
    goto out;
  while (c.live) {
    lv_search_hit h;
    hit_of(pq, c.res, c.row, &h);
    h.text = col_str(pq, c.res, c.row, COL_TEXT);
    h.extracted = col_str(pq, c.res, c.row, COL_EXTRACTED);
    if ((rc = fn(ud, &h)))
      goto out;
    if ((rc = cur_advance(s, &c))) {
      lv_error_set(err, rc, "searching: reading failed");
      goto out;
    }
  }
out:
  cur_close(s, &c);
  if (in_read) {
    (void)simple(s, "RESET cursor_tuple_fraction", NULL, "searching");
    read_end(s, own);
  }
  free(end);
  lv_buf_cleanup(&sql);
  return rc;
}

static int pg_search(void *db, const lv_search_request *q, lv_search_hit_fn fn,
                     void *ud, levee_error *err) {
  pg_store *s = db;
  const lv_pq *pq = s->pq;
  if ((!q->text.ptr && q->text.len) || q->text.len > LV_MAX_SEARCH_QUERY_BYTES)
    return lv_error_set(err, LEVEE_ETOOBIG, "the search text: %s",
                        levee_strerror(LEVEE_ETOOBIG));
  if (!q->text.len)
    return pg_list(s, q, fn, ud, err);
  search_state x;
  memset(&x, 0, sizeof x);
  lv_buf_init(&x.text, COPY_MAX_BYTES);
  lv_buf_init(&x.extracted, COPY_MAX_BYTES);
  lv_buf sql, arr;
  lv_buf_init(&sql, 1u << 16);
  lv_buf_init(&arr, 1u << 20);
  char *end = q->category.ptr ? malloc(q->category.len + 1) : NULL;
  cursor c;
  memset(&c, 0, sizeof c);
  int own = 0, in_read = 0;
  int rc = query_parse(s, &x.q, q->text.ptr, q->text.len);
  if (rc) {
    lv_error_set(err, rc, "the search text: %s", levee_strerror(rc));
    goto out;
  }
  if (!x.q.n_ph) {
    rc = lv_error_set(err, LEVEE_EINVAL,
                      "nothing to search for in the search text");
    goto out;
  }
  x.found = calloc(x.q.n_ph, 1);
  x.m.found = calloc(x.q.n_ph, 1);
  x.m.ring = calloc(x.q.max_len, sizeof *x.m.ring);
  if (!x.found || !x.m.found || !x.m.ring || (q->category.ptr && !end)) {
    rc = lv_error_set(err, LEVEE_ENOMEM, "out of memory");
    goto out;
  }
  x.m.q = &x.q;
  x.m.mo = q->mark_open ? q->mark_open : "";
  x.m.mc = q->mark_close ? q->mark_close : "";
  if ((rc = token_array(&x.q, &arr)) ||
      (rc = lv_buf_puts(&sql, q->explain ? "DECLARE lv_search NO"
                                           " SCROLL CURSOR FOR "
                                         : "")) ||
      (rc = search_sql(q, &sql))) {
    lv_error_set(err, rc, "the search: %s", levee_strerror(rc));
    goto out;
  }
  /* Rounds: the candidates of a round are what the hits still wanted
   * need, with a margin for those the phrase check turns down; when a
   * round runs out first, the next goes on before its last record, asking
   * for twice as many. */
  uint64_t want = q->offset + q->limit, skipped = 0, hits = 0, round = 0;
  uint64_t before =
      q->before_seq && q->before_seq < INT64_MAX ? q->before_seq : INT64_MAX;
  uint64_t seen = 0;
  if (want < q->limit)
    want = UINT64_MAX; /* overflow */
  if ((rc = read_begin(s, &own, err)))
    goto out;
  in_read = 1;
  /* The cursor reads every row it is asked for: plan for all of them. */
  if ((rc = simple(s, "SET cursor_tuple_fraction = 1", err, "searching")))
    goto out;
  if (!q->limit && !q->explain)
    goto out;
  for (;;) {
    uint64_t n = want - (skipped + hits);
    n = n > ((uint64_t)INT64_MAX >> 20) ? (uint64_t)INT64_MAX
                                        : (n + n / 4 + 16) << round;
    params p;
    params_of(&p, q, &arr, before, n, 0, 0, end);
    if (q->explain) {
      plan_to_hit ph = {fn, ud};
      rc = explain(s, sql.data, &p, plan_hit, &ph, err);
      goto out;
    }
    if ((rc = cur_open(s, &c, sql.data, &p, 64, err, "searching")))
      goto out;
    seen = 0;
    while (c.live) {
      const PGresult *r = c.res;
      int i = c.row, matched;
      seen++;
      before = (uint64_t)col_i64(pq, r, i, 0);
      if ((rc = search_row_check(s, &x, r, i, &matched))) {
        lv_error_set(err, rc, "searching: %s", levee_strerror(rc));
        goto out;
      }
      if (matched && skipped < q->offset) {
        skipped++;
      } else if (matched) {
        lv_search_hit h;
        hit_of(pq, r, i, &h);
        if (!pq->getisnull(r, i, COL_TEXT))
          h.text = (levee_str){x.text.data ? x.text.data : "", x.text.len};
        if (!pq->getisnull(r, i, COL_EXTRACTED))
          h.extracted = (levee_str){x.extracted.data ? x.extracted.data : "",
                                    x.extracted.len};
        if ((rc = fn(ud, &h)) || ++hits == q->limit)
          goto out;
      }
      if ((rc = cur_advance(s, &c))) {
        lv_error_set(err, rc, "searching: reading failed");
        goto out;
      }
    }
    cur_close(s, &c);
    if (seen < n)
      break; /* no more candidates */
    round += round < 16;
  }
out:
  cur_close(s, &c);
  if (in_read) {
    (void)simple(s, "RESET cursor_tuple_fraction", NULL, "searching");
    read_end(s, own);
  }
  free(x.found);
  free(x.m.found);
  free(x.m.ring);
  free(x.m.g);
  free(end);
  query_cleanup(&x.q);
  lv_buf_cleanup(&x.text);
  lv_buf_cleanup(&x.extracted);
  lv_buf_cleanup(&sql);
  lv_buf_cleanup(&arr);
  return rc;
}

/* --- counts --------------------------------------------------------------- */

/* A group's key over event e (and finding f, by category), as bytes. The
 * day is floor((time_ms + tz) / day) without adding the two (time_ms is
 * any int64): the truncated quotient, corrected by where the remainder
 * plus the offset (both under a day) falls. */
static const char *stats_key(lv_stats_by by) {
  switch (by) {
  case LV_STATS_DAY:
    return "e.time_ms / 86400000"
           " + (e.time_ms % 86400000 + $14 >= 86400000)::int"
           " - (e.time_ms % 86400000 + $14 < 0)::int"
           " - (e.time_ms % 86400000 + $14 < -86400000)::int";
  case LV_STATS_CATEGORY: return "f.category";
  case LV_STATS_DEPT: return "e.sender_dept";
  case LV_STATS_CHANNEL: return "e.channel";
  case LV_STATS_ACTION: return "convert_to(e.action, 'UTF8')";
  case LV_STATS_SEVERITY: return "convert_to(e.severity, 'UTF8')";
  case LV_STATS_SENDER:
    return "CASE WHEN e.sender_name IS NULL THEN e.sender_id"
           " ELSE e.sender_name || '\\x2028'::bytea"
           " || coalesce(e.sender_id, ''::bytea) || '\\x29'::bytea END";
  }
  return "NULL::bytea";
}

static int stats_sql(const lv_stats_request *q, lv_buf *sql) {
  int by_category = q->by == LV_STATS_CATEGORY;
  /* By category: each finding's, an event counted once in each; without
   * a category filter, events with no finding too (as no category). */
  int rc = lv_buf_printf(
      sql,
      "SELECT k, n FROM (SELECT %s AS k, %s AS n FROM event e%s WHERE true",
      stats_key(q->by), by_category ? "count(DISTINCT e.seq)" : "count(*)",
      !by_category             ? ""
      : q->filter.category.ptr ? " JOIN finding f ON f.seq = e.seq"
                               : " LEFT JOIN finding f ON f.seq = e.seq");
  if (!rc)
    rc = filter_sql(&q->filter, by_category, sql);
  if (!rc && q->filter.before_seq)
    rc = lv_buf_puts(sql, " AND e.seq < $9");
  if (!rc)
    rc = lv_buf_puts(sql, q->by == LV_STATS_DAY
                              ? " GROUP BY 1) g ORDER BY k LIMIT $10"
                              : " GROUP BY 1) g ORDER BY k IS NULL, n DESC, k"
                                " LIMIT $10");
  return rc;
}

/* Row i of r to fn: its key (a day number as the day) and count. */
static int stats_row(pg_store *s, const lv_stats_request *q, const PGresult *r,
                     int i, lv_stats_fn fn, void *ud) {
  uint64_t n = (uint64_t)col_i64(s->pq, r, i, 1);
  if (q->by != LV_STATS_DAY)
    return fn(ud, col_str(s->pq, r, i, 0), n);
  char key[LV_STATS_DAY_KEY_MAX];
  size_t len = lv_stats_day_key(col_i64(s->pq, r, i, 0), key);
  return fn(ud, (levee_str){key, len}, n);
}

typedef struct plan_to_group {
  lv_stats_fn fn;
  void *ud;
} plan_to_group;

static int plan_group(void *ud, const char *line) {
  const plan_to_group *x = ud;
  return x->fn(x->ud, (levee_str){line, strlen(line)}, 0);
}

static int pg_stats(void *db, const lv_stats_request *q, uint64_t limit,
                    lv_stats_fn fn, void *ud, levee_error *err) {
  pg_store *s = db;
  const lv_search_request *f = &q->filter;
  lv_buf sql;
  lv_buf_init(&sql, 1u << 16);
  char *end = f->category.ptr ? malloc(f->category.len + 1) : NULL;
  int rc = f->category.ptr && !end ? LEVEE_ENOMEM : stats_sql(q, &sql);
  if (rc) {
    lv_buf_cleanup(&sql);
    free(end);
    return lv_error_set(err, rc, "counting: %s", levee_strerror(rc));
  }
  params p;
  params_of(&p, f, NULL, f->before_seq, limit, 0,
            (int64_t)q->tz_offset_min * 60000, end);
  cursor c;
  memset(&c, 0, sizeof c);
  int own;
  if ((rc = read_begin(s, &own, err)))
    goto out;
  if (q->explain) {
    plan_to_group x = {fn, ud};
    rc = explain(s, sql.data, &p, plan_group, &x, err);
  } else {
    rc = cur_open(s, &c, sql.data, &p, 1000, err, "counting");
    while (!rc && c.live && !(rc = stats_row(s, q, c.res, c.row, fn, ud)))
      if ((rc = cur_advance(s, &c)))
        lv_error_set(err, rc, "counting: reading failed");
    cur_close(s, &c);
  }
  read_end(s, own);
out:
  lv_buf_cleanup(&sql);
  free(end);
  return rc;
}

const lv_store_backend lv_store_pg = {
    .version = LV_STORE_BACKEND_VERSION,
    .name = "postgres",
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .meta_get = pg_meta_get,
    .meta_set = pg_meta_set,
    .last_seq = pg_last_seq,
    .event_seen = pg_event_seen,
    .put_event = pg_put_event,
    .put_record = pg_put_record,
    .put_checkpoint = pg_put_checkpoint,
    .each_checkpoint = pg_each_checkpoint,
    .each_row = pg_each_row,
    .event_context = pg_event_context,
    .each_orphan_outside = pg_each_orphan_outside,
    .search = pg_search,
    .each_record = pg_each_record,
    .each_purge_candidate = pg_each_purge_candidate,
    .delete_content = pg_delete_content,
    .expire_record = pg_expire_record,
    .stats = pg_stats,
    .put_trace = pg_put_trace,
    .trace_find = pg_trace_find,
    .trace_event = pg_trace_event,
    .trace_member = pg_trace_member,
};
