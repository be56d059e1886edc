/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_backend.h: what a back end of the audit store does: keep rows and
 * give them back. The log's logic (hashes, the Merkle tree, checkpoints,
 * verification) is store.c's and the same for every back end.
 *
 * A back end is a const ops table with a version (like SQLite's
 * sqlite3_io_methods): store_sqlite.c (a directory) and store_pg.c (a
 * postgres:// URL). Every call returns 0 or a levee status, with a message
 * in err where it takes one.
 */
#ifndef LV_STORE_STORE_BACKEND_H
#define LV_STORE_STORE_BACKEND_H

#include <stdint.h>

#include "levee/levee.h"
#include "store/checkpoint.h"
#include "store/evidence.h"
#include "store/record.h"
#include "store/search.h"
#include "store/trace_index.h"
#include "util/arena.h"
#include "util/buf.h"

#define LV_STORE_BACKEND_VERSION 5

/* One record as stored, for verification; valid during the callback. */
typedef struct lv_stored_row {
  lv_record rec;    /* the header, the stored hashes and the stored leaf */
  levee_str detail; /* for records that are not events */
  int is_event;     /* an event row belongs to the record */
  lv_evidence ev;   /* its evidence, from the event, finding and attachment
                       rows */
  int has_content;  /* a content row belongs to it */
  lv_content content;
  int content_deleted; /* its content was deleted under retention */
  int expired;         /* its evidence and content were deleted under
                          retention; the record's header and hashes stay */
  uint64_t purged_by;  /* the purge record that did either */
} lv_stored_row;

/* An event record old enough that retention may apply to it. */
typedef struct lv_purge_candidate {
  uint64_t seq;
  int64_t time_ms; /* when it was stored */
  int has_content;
  const char *const *categories; /* of its findings */
  size_t n_categories;
} lv_purge_candidate;

typedef int (*lv_purge_candidate_fn)(void *ud, const lv_purge_candidate *c);

typedef int (*lv_row_fn)(void *ud, const lv_stored_row *row);
typedef int (*lv_checkpoint_fn)(void *ud, const lv_checkpoint *c);
/* A row in table that belongs to no record (seq has no record row). */
typedef int (*lv_orphan_fn)(void *ud, const char *table, uint64_t seq);

/* The tables that hold a record's rows besides the record table, in the
 * order each_row reads them (after the record table's) and verify reports
 * rows of no record. */
#define LV_ROW_TABLES 6
extern const char *const lv_row_tables[LV_ROW_TABLES];

/* each_row's cursors in a back end, one per table, all in seq order (a
 * merge join, so verifying reads every table once, front to back): the
 * record table's, then lv_row_tables' in order. */
enum {
  LV_CUR_RECORD,
  LV_CUR_EVENT,
  LV_CUR_FINDING,
  LV_CUR_ATTACH,
  LV_CUR_CONTENT,
  LV_CUR_DEL,
  LV_CUR_EXPIRED,
  LV_CUR_COUNT
};
_Static_assert(LV_CUR_COUNT == LV_ROW_TABLES + 1, "a cursor per table");

/* How each_row finds rows of no record while it reads the tables side by
 * side in seq order: a row a table's cursor passes over on its way to a
 * record, and after the previous record, belongs to none. Rows of the
 * previous record left unread (findings of a record with no event row)
 * are not reported. */
typedef struct lv_orphan_sink {
  lv_orphan_fn fn; /* NULL: none wanted */
  void *ud;
  uint64_t after;              /* the previous record's seq */
  int any;                     /* ... when there was one */
  uint64_t told[LV_CUR_COUNT]; /* per cursor: last reported seq + 1 */
} lv_orphan_sink;

static inline void lv_orphan_sink_init(lv_orphan_sink *o, lv_orphan_fn fn,
                                       void *ud) {
  *o = (lv_orphan_sink){.fn = fn, .ud = ud};
}

/* A record at seq was read: rows up to it are its own or earlier. */
static inline void lv_orphan_sink_record(lv_orphan_sink *o, uint64_t seq) {
  o->after = seq;
  o->any = 1;
}

/* Cursor i (reading table) passes over a row at seq. */
static inline int lv_orphan_sink_pass(lv_orphan_sink *o, int i,
                                      const char *table, uint64_t seq) {
  if (!o->fn || (o->any && seq <= o->after) || o->told[i] == seq + 1)
    return 0;
  o->told[i] = seq + 1;
  return o->fn(o->ud, table, seq);
}

/* --- the trace index (trace_index.h, trace.h) --------------------------- */

/* What trace_find looks events up by. */
typedef enum lv_trace_by {
  LV_TRACE_BY_ID,        /* strs: event ids; the events that have them */
  LV_TRACE_BY_FORWARDED, /* strs: event ids; the events forwarded from one
                            (their forwarded_from) */
  LV_TRACE_BY_SHA256,    /* strs: digests; events with such an attachment */
  LV_TRACE_BY_MD5,
  LV_TRACE_BY_FP,   /* nums: fingerprints; events whose text has one */
  LV_TRACE_BY_BLOCK /* nums: block keys (trace_index.h); events with an
                       image hash that has the block */
} lv_trace_by;

typedef struct lv_trace_lookup {
  lv_trace_by by;
  const levee_str *strs; /* the string kinds' keys */
  const uint64_t *nums;  /* the number kinds' keys */
  size_t n;
  uint64_t per_key; /* at most this many events per key, the earliest
                       stored first */
} lv_trace_lookup;

/* An event trace_find found: its record, and the fingerprint (BY_FP) or the
 * image's hash (BY_BLOCK) that led to it (0 for the others). Once per key
 * and event (an event with two images in one block comes once per hash).
 * A nonzero return stops the lookup and is returned. */
typedef int (*lv_trace_found_fn)(void *ud, uint64_t seq, uint64_t value);

/* One stored event as the trace reads it: its header fields, its
 * attachments' digests, and its trace index entry. */
typedef struct lv_trace_event {
  uint64_t seq;
  levee_str id;
  int64_t time_ms;
  levee_str channel, conversation_id, conversation_type, conversation_title;
  levee_str sender_id, sender_name;
  levee_str recipients; /* JSON as stored, or absent */
  levee_str forwarded_from;
  levee_str *sha256, *md5; /* the attachments' that have one */
  size_t n_sha256, n_md5;
  uint64_t *fps; /* trace_index.h: distinct, in text order */
  size_t n_fps;
  lv_trace_image *images;
  size_t n_images;
} lv_trace_event;

typedef struct lv_store_backend {
  int version; /* LV_STORE_BACKEND_VERSION */
  const char *name;
  /* Opens (creating if create) the store at location; migrates its schema
   * to the current version unless read_only. */
  int (*open)(const char *location, int create, int read_only, void **db,
              levee_error *err);
  void (*close)(void *db);
  int (*begin)(void *db, levee_error *err);
  int (*commit)(void *db, levee_error *err);
  void (*rollback)(void *db);
  /* A value of the meta table: *found 0 when the key is absent. */
  int (*meta_get)(void *db, const char *key, lv_buf *value, int *found);
  int (*meta_set)(void *db, const char *key, const char *value);
  /* The last record's sequence number (0 when the log is empty). */
  int (*last_seq)(void *db, uint64_t *seq);
  int (*event_seen)(void *db, levee_str id, int *seen);
  int (*put_event)(void *db, const lv_record *rec, const lv_evidence *ev,
                   const lv_content *content, levee_error *err);
  int (*put_record)(void *db, const lv_record *rec, levee_str detail,
                    levee_error *err);
  int (*put_checkpoint)(void *db, const lv_checkpoint *c, levee_error *err);
  /* Every checkpoint, in order; fn's nonzero return stops and is returned. */
  int (*each_checkpoint)(void *db, lv_checkpoint_fn fn, void *ud);
  /* Every record with from <= seq <= to, in order, with its rows. With
   * orphan not NULL, also each row of the event, finding, attachment,
   * content and deletion tables in that range that belongs to no record:
   * once per table and seq, in seq order within a table (found on the
   * way, as the tables are read side by side). */
  int (*each_row)(void *db, uint64_t from, uint64_t to, lv_row_fn fn,
                  lv_orphan_fn orphan, void *ud);
  /* The rows of those tables with seq < from or seq > to that belong to no
   * record: each_row's orphans outside its range. */
  int (*each_orphan_outside)(void *db, uint64_t from, uint64_t to,
                             lv_orphan_fn fn, void *ud);
  /* Stored events whose text matches, newest first, with the request's
   * filters; without a text, every event the filters let through; or,
   * with q->explain, the query plan instead. */
  int (*search)(void *db, const lv_search_request *q, lv_search_hit_fn fn,
                void *ud, levee_error *err);
  /* The records around the event with this id, for viewing it in its
   * conversation: up to `before` earlier and `after` later events of the
   * same conversation, and the event, in order, into seqs (room for
   * before + after + 1); *at is the event's place. LEVEE_ENOTFOUND when no
   * event has the id. */
  int (*event_context)(void *db, levee_str id, size_t before, size_t after,
                       uint64_t *seqs, size_t *n, size_t *at, levee_error *err);
  /* Every record of type (not "event"), in order; fn's nonzero return
   * stops and is returned. (Version 3.) */
  int (*each_record)(void *db, const char *type, lv_record_row_fn fn, void *ud);
  /* Event records stored before before_ms that are not yet expired. */
  int (*each_purge_candidate)(void *db, int64_t before_ms,
                              lv_purge_candidate_fn fn, void *ud);
  /* Deletes a record's content (and its search index entries), marking it
   * deleted by purge record purge_seq. */
  int (*delete_content)(void *db, uint64_t seq, uint64_t purge_seq,
                        levee_error *err);
  /* Deletes a record's evidence rows and content, keeping its header and
   * hashes (so the log still verifies), marking it expired. */
  int (*expire_record)(void *db, uint64_t seq, uint64_t purge_seq,
                       levee_error *err);
  /* Counts of the events q->filter lets through by q->by, in the order
   * search.h says, at most limit groups (q checked by store.c: no text, a
   * known dimension, the time zone in range; limit 1 ..
   * LV_MAX_STATS_GROUPS + 1). Days go to fn as lv_stats_day_key() writes
   * them. With q->explain, the plan's lines as keys. (Version 4.) */
  int (*stats)(void *db, const lv_stats_request *q, uint64_t limit,
               lv_stats_fn fn, void *ud, levee_error *err);
  /* Version 5: the trace index, derived data beside the log (not hashed,
   * not verified). put_trace writes a record's entry, in its transaction,
   * after put_event (the members of a conversation may be written at
   * commit). delete_content also drops the record's fingerprints (they
   * come from its content), expire_record its whole entry; people's
   * membership of conversations stays, like the person table. */
  int (*put_trace)(void *db, uint64_t seq, const lv_trace_entry *t,
                   levee_error *err);
  /* The events with one of q's keys, to fn, key by key. */
  int (*trace_find)(void *db, const lv_trace_lookup *q, lv_trace_found_fn fn,
                    void *ud, levee_error *err);
  /* The event of record seq, its strings and lists in a. LEVEE_ENOTFOUND
   * when the record is no event (or its evidence expired). */
  int (*trace_event)(void *db, uint64_t seq, lv_arena *a, lv_trace_event *out,
                     levee_error *err);
  /* Whether person took part in conversation (sent there, or was among
   * the recipients of an event there), as the store knows. */
  int (*trace_member)(void *db, levee_str conversation, levee_str person,
                      int *member, levee_error *err);
} lv_store_backend;

/* The day (days since 1970-01-01, negative before) as "YYYY-MM-DD" into
 * out (store.c); returns its length. */
#define LV_STATS_DAY_KEY_MAX 32
size_t lv_stats_day_key(int64_t day, char out[LV_STATS_DAY_KEY_MAX]);

/* A store's back end and its handle, for the modules of the store that
 * work over the back end beside store.c (trace.c). */
struct lv_store;
void lv_store_backend_of(struct lv_store *s, const lv_store_backend **be,
                         void **db);

extern const lv_store_backend lv_store_sqlite;
extern const lv_store_backend lv_store_pg;

#endif
