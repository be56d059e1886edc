/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbguard_audit.h: the database guard's writer of the audit trail. The
 * event loop hands it records (one per statement, per refused connection,
 * per approval); one thread writes whatever has gathered in one transaction
 * (a group commit) and then tells the loop, through a callback it runs on
 * its own thread, how far the trail is durable. Each record has a ticket,
 * counting up from 1; lv_dbguard_audit_durable says up to which ticket the
 * records are committed, so the loop answers a refused or held statement
 * only once its record is.
 *
 * The queue is not refused to: a statement that already ran must be
 * recorded. The loop keeps it short instead: past LV_DBGUARD_AUDIT_HIGH
 * queued records lv_dbguard_audit_busy says so, and the loop stops reading
 * clients until it drains. When the store fails, every later add fails
 * and lv_dbguard_audit_failed says why: the guard then refuses statements
 * (fail closed) rather than let them through unrecorded.
 */
#ifndef LV_NET_DBGUARD_AUDIT_H
#define LV_NET_DBGUARD_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define LV_DBGUARD_AUDIT_HIGH 16384u /* queued records: stop reading */
#define LV_DBGUARD_AUDIT_LOW 4096u   /* ... and start again below */
#define LV_DBGUARD_AUDIT_GATHER_MS 5 /* the longest a record waits */
#define LV_DBGUARD_AUDIT_BATCH 1024u /* ... or this many gathered */
/* The writer thread's nice value (Linux: per thread). Its commits are
 * batched and can wait a moment; at the nice value of the event loop they
 * took a CPU from the statements in flight: a single client's p99 went from
 * about 400 to 225 µs at 10, with the same throughput (docs/BENCHMARKS.md).
 * A writer that falls behind still stops the guard reading clients
 * (LV_DBGUARD_AUDIT_HIGH), so it cannot be starved for long. */
#define LV_DBGUARD_AUDIT_NICE 10

typedef struct lv_dbguard_audit lv_dbguard_audit;

/* Runs on the writer's thread after each commit (uv_async_send, say). */
typedef void (*lv_dbguard_audit_notify)(void *ud);

int lv_dbguard_audit_start(lv_store *st, lv_dbguard_audit_notify notify,
                           void *ud, lv_dbguard_audit **out)
    __attribute__((warn_unused_result));

/* Queues a record (copied): actor, type ("dbop"), outcome, and its detail
 * (canonical JSON). urgent: someone waits for it to be durable (a refusal,
 * the end of a hold): it is written at once; other records gather for up
 * to LV_DBGUARD_AUDIT_GATHER_MS (or LV_DBGUARD_AUDIT_BATCH of them), so
 * that a busy guard commits a few hundred times a second, not once a
 * statement. Returns its ticket, or 0 when the trail has failed or memory
 * ran out. */
uint64_t lv_dbguard_audit_add(lv_dbguard_audit *a, const char *actor,
                              const char *type, const char *outcome,
                              const char *detail, size_t detail_len,
                              int urgent);

/* The highest ticket whose record is committed. */
uint64_t lv_dbguard_audit_durable(lv_dbguard_audit *a);
/* Whether the loop should stop reading clients (queue above HIGH, until
 * it is below LOW). */
int lv_dbguard_audit_busy(lv_dbguard_audit *a);
/* NULL, or why the trail cannot be written (the store's error). */
const char *lv_dbguard_audit_failed(lv_dbguard_audit *a);
/* Records written (for the log at exit). */
uint64_t lv_dbguard_audit_written(lv_dbguard_audit *a);

/* Writes what is queued, stops the thread and frees; the store stays open.
 * Accepts NULL. */
void lv_dbguard_audit_stop(lv_dbguard_audit *a);

#endif
