/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.h: the audit store: every inspected event and its verdict, and
 * every access to the trail, as records of an append-only Merkle log
 * (RFC 6962) with signed checkpoints; content kept apart so it can be
 * deleted under retention while the log still verifies.
 *
 * The log's logic lives here (store.c): sequence numbers, hashes, the
 * Merkle accumulator, checkpoints, verification. Where rows live is a back
 * end's job, behind the const ops table of store_backend.h: embedded SQLite
 * (store_sqlite.c, the default, in DIR/levee.db) or PostgreSQL
 * (store_pg.c, for a postgres:// URL).
 *
 * Writing: lv_store_begin(), any number of lv_store_add_*(), then
 * lv_store_commit(). Nothing counts as stored until commit returns 0. One
 * writer per store at a time; the back end enforces it.
 */
#ifndef LV_STORE_STORE_H
#define LV_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"
#include "store/evidence.h"
#include "store/record.h"
#include "store/search.h"

typedef struct lv_store lv_store;

typedef struct lv_store_options {
  const char *location;      /* a directory (SQLite) or a postgres:// URL */
  const char *key_path;      /* the signing key; NULL: lv_store_default_key() */
  int create;                /* create the store (and key) if missing */
  int read_only;             /* open for reading and verifying only */
  const uint8_t *public_key; /* read-only: this public key instead of the
                                key file's (an auditor's own copy) */
  uint64_t checkpoint_records; /* a checkpoint at least every this many
                                  records; 0: LV_STORE_CHECKPOINT_RECORDS */
  int64_t checkpoint_ms;       /* ... or this often; 0: the default */
  uint64_t verify_chunk; /* records each of verify's two readers takes at a
                            time; 0: the default (tests use small ones) */
} lv_store_options;

#define LV_STORE_CHECKPOINT_RECORDS 10000u
#define LV_STORE_VERIFY_CHUNK 4096u
#define LV_STORE_CHECKPOINT_MS 60000

/* What lv_store_open() found and did, for the caller to report. */
typedef struct lv_store_opened {
  int created;          /* a new store */
  int key_created;      /* a new signing key was made */
  char public_key[65];  /* hex */
  uint64_t records;     /* records in the log */
  uint64_t tail_signed; /* records found after the last checkpoint (an
                           unclean shutdown), checked and now covered by a
                           new one; 0 if none */
} lv_store_opened;

/* The signing key's default path for a store location: under
 * $XDG_CONFIG_HOME/levee/keys (or ~/.config/levee/keys), named after the
 * store, so it is kept apart from the data. Writes into buf. */
int lv_store_default_key(const char *location, char *buf, size_t cap);

/* Whether location is a database URL (postgres://, postgresql://) rather
 * than a directory. */
int lv_store_is_url(const char *location);

/* location as it may be shown: a URL without its password (user:pw@ and
 * password=...), a directory as it is. */
void lv_store_url_redact(const char *location, char *out, size_t cap);

int lv_store_open(const lv_store_options *o, lv_store **out,
                  lv_store_opened *info, levee_error *err)
    __attribute__((warn_unused_result));

/* Writes a checkpoint if records were added since the last one, then
 * closes. Accepts NULL. Returns the checkpoint's status. */
int lv_store_close(lv_store *s, levee_error *err);

int lv_store_begin(lv_store *s, levee_error *err)
    __attribute__((warn_unused_result));

/* Adds an event record: ev and content as lv_evidence_from() made them
 * (content's salt is set here). *seq is its sequence number, or 0 when an
 * event with the same id is already stored (nothing is added: re-ingesting
 * is a no-op). */
int lv_store_add_event(lv_store *s, levee_str actor, const lv_evidence *ev,
                       lv_content *content, uint64_t *seq, levee_error *err)
    __attribute__((warn_unused_result));

/* Adds a record of another type (a purge, a search, a view, an export):
 * detail is canonical JSON of what it was. */
int lv_store_add_record(lv_store *s, levee_str actor, const char *type,
                        const char *outcome, levee_str detail, uint64_t *seq,
                        levee_error *err) __attribute__((warn_unused_result));

/* Commits what was added, with a checkpoint in the same transaction when
 * one is due. */
int lv_store_commit(lv_store *s, levee_error *err)
    __attribute__((warn_unused_result));
void lv_store_rollback(lv_store *s);

/* Writes a checkpoint now, if records were added since the last. */
int lv_store_checkpoint(lv_store *s, levee_error *err)
    __attribute__((warn_unused_result));

/* --- retention ----------------------------------------------------------- */

/* The store's clock (epoch milliseconds): the time records are written and
 * retention counts from. Debug builds take LEVEE_TEST_NOW_MS when set, so
 * tests can store records "months ago". */
int64_t lv_store_now_ms(void);

typedef struct lv_purge_summary {
  uint64_t candidates;      /* event records old enough to look at */
  uint64_t content_deleted; /* records whose content was deleted now */
  uint64_t records_expired; /* records whose evidence was deleted now */
  uint64_t purge_seq;       /* the purge's own record (0 for a dry run) */
} lv_purge_summary;

/* Applies the retention of a policy (core/policy.h) as of now_ms: deletes
 * the content of event records kept longer than their content retention,
 * and the evidence of those kept longer than their record retention (their
 * headers and hashes stay, so the log still verifies). Ages count from when
 * a record was stored. The purge is itself a record (type "purge", detail:
 * what was deleted and why), committed with the deletions. dry_run counts
 * without deleting or recording. */
struct lv_retention;
int lv_store_purge(lv_store *s, const struct lv_retention *r, int64_t now_ms,
                   int dry_run, levee_str actor, lv_purge_summary *sum,
                   levee_error *err) __attribute__((warn_unused_result));

/* --- search -------------------------------------------------------------- */

/* Full-text search of the stored events (Chinese queries of one or more
 * characters included), newest first (by record), with the request's
 * filters. Without a text (absent or empty) it lists the events the
 * filters let through, newest first, their text unmarked, from indexes:
 * alerts_only (alone, with a department or a channel), a sender, a
 * conversation or a category do not read the whole log (a department or
 * a channel alone goes back through the newest events until the page is
 * full). Page with offset, or with before_seq (the last hit's seq), which
 * stays put while events arrive. Returns LEVEE_EINVAL when a text holds
 * nothing to search for. */
int lv_store_search(lv_store *s, const lv_search_request *q,
                    lv_search_hit_fn fn, void *ud, levee_error *err)
    __attribute__((warn_unused_result));

/* --- counts -------------------------------------------------------------- */

/* No filter (open times, no bounds), by day in China Standard Time
 * (LV_STATS_TZ_DEFAULT_MIN), every group. */
void lv_stats_request_init(lv_stats_request *q);

/* A dimension's name ("day", "category", "dept", "channel", "action",
 * "severity") and back: 0, or -1 for a name that is none of them. */
int lv_stats_by_parse(const char *name, lv_stats_by *out);
const char *lv_stats_by_name(lv_stats_by by);

/* Counts the stored events the filters let through by q->by, each group
 * to fn (search.h says in what order). LEVEE_EINVAL for a text, an
 * unknown dimension or a time zone out of range. LEVEE_ETOOBIG when
 * q->limit is 0 (or over LV_MAX_STATS_GROUPS) and there are more than
 * LV_MAX_STATS_GROUPS groups: fn has had the first LV_MAX_STATS_GROUPS
 * of them, an answer to discard (or to show as incomplete). */
int lv_store_stats(lv_store *s, const lv_stats_request *q, lv_stats_fn fn,
                   void *ud, levee_error *err)
    __attribute__((warn_unused_result));

/* --- export -------------------------------------------------------------- */

/* One stored event as lv_store_each_event gives it: valid during the
 * call. content is NULL when the event's content was deleted under
 * retention. */
typedef struct lv_stored_event {
  uint64_t seq;
  int64_t stored_ms; /* when the record was written */
  const lv_evidence *ev;
  const lv_content *content;
} lv_stored_event;

typedef int (*lv_stored_event_fn)(void *ud, const lv_stored_event *e);

/* Every stored event whose evidence is still kept, in the order stored;
 * fn's nonzero return stops and is returned. */
int lv_store_each_event(lv_store *s, lv_stored_event_fn fn, void *ud,
                        levee_error *err) __attribute__((warn_unused_result));

/* The event with this id in its conversation: up to `before` earlier and
 * `after` later events of the same conversation and the event, oldest
 * first, to fn; *seq is the event's own record (set before fn is called).
 * LEVEE_ENOTFOUND when no event has the id. At most LV_STORE_VIEW_MAX
 * around it. */
#define LV_STORE_VIEW_MAX 100
int lv_store_view(lv_store *s, levee_str id, size_t before, size_t after,
                  lv_stored_event_fn fn, void *ud, uint64_t *seq,
                  levee_error *err) __attribute__((warn_unused_result));

/* --- records of other types ------------------------------------------------
 */

/* Every record of type (not "event"), in the order written; fn's nonzero
 * return stops and is returned (a negative one is a levee status, said in
 * err unless fn set it). */
int lv_store_each_record(lv_store *s, const char *type, lv_record_row_fn fn,
                         void *ud, levee_error *err)
    __attribute__((warn_unused_result));

/* --- verification ------------------------------------------------------ */

typedef enum lv_verify_kind {
  LV_VERIFY_ALTERED,         /* a record's header, detail or findings */
  LV_VERIFY_CONTENT_ALTERED, /* its content does not match its hash */
  LV_VERIFY_CONTENT_MISSING, /* its content is gone with no purge record */
  LV_VERIFY_MISSING,         /* a record is gone */
  LV_VERIFY_INSERTED,        /* rows that belong to no record */
  LV_VERIFY_LOG_MISMATCH,    /* leaves do not match a signed checkpoint */
  LV_VERIFY_BAD_CHECKPOINT,  /* a signature, link or order is wrong */
  LV_VERIFY_WRONG_KEY,       /* the store names another public key */
  LV_VERIFY_UNSIGNED_TAIL    /* records after the last checkpoint (not
                                tampering: an unclean shutdown) */
} lv_verify_kind;

typedef struct lv_verify_problem {
  lv_verify_kind kind;
  uint64_t seq, seq_end; /* the record or records [seq, seq_end] */
  levee_str event_id;    /* when the record is an event */
  const char *what;      /* one line for people */
} lv_verify_problem;

typedef struct lv_verify_summary {
  uint64_t records, events, checkpoints;
  uint64_t content_deleted; /* content deleted under retention */
  uint64_t records_expired; /* evidence deleted under retention */
  uint64_t problems;        /* tampering found (not the unsigned tail) */
  uint64_t unsigned_tail;
} lv_verify_summary;

typedef void (*lv_verify_fn)(void *ud, const lv_verify_problem *p);

/* Rebuilds the tree from the stored records and checks every checkpoint
 * against public_key. Each problem goes to fn. Returns 0 when the check
 * ran (look at sum->problems), or an error that stopped it. */
int lv_store_verify(lv_store *s, const uint8_t public_key[32], lv_verify_fn fn,
                    void *ud, lv_verify_summary *sum, levee_error *err)
    __attribute__((warn_unused_result));

#endif
