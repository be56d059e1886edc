/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record.h: one record of the audit log, and the canonical bytes that its
 * Merkle leaf commits to.
 *
 * Every record has a header (sequence, time, actor, type, outcome) and two
 * hashes: of its detail (what is kept as evidence for as long as the record
 * is: an event's fields, verdict and findings; a purge's counts; a search's
 * query) and of its content (message text, extracted text and finding
 * excerpts, hashed with a salt that is deleted with them). The leaf is
 * SHA-256(0x00 || header || detail hash || content hash), so deleting the
 * content under retention leaves the leaf verifiable, and the salt keeps
 * the content hash from confirming a guess at deleted text.
 *
 * Canonical bytes are written with lv_canon_*: each value tagged with its
 * kind and length, integers big-endian, so no two different inputs share an
 * encoding.
 */
#ifndef LV_STORE_RECORD_H
#define LV_STORE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"
#include "store/sha256.h"

#define LV_RECORD_SALT_LEN 16

typedef struct lv_record_head {
  uint64_t seq;      /* 1, 2, ...: dense, in the order written */
  int64_t time_ms;   /* when it was written, epoch milliseconds */
  levee_str actor;   /* who: an OS user, an account, "ingest" */
  levee_str type;    /* "event", "purge", "search", "view", "export", ... */
  levee_str outcome; /* an event's action; "ok" or why not for others */
} lv_record_head;

typedef struct lv_record {
  lv_record_head head;
  uint8_t detail_hash[LV_SHA256_LEN];
  uint8_t content_hash[LV_SHA256_LEN];
  uint8_t leaf[LV_SHA256_LEN];
} lv_record;

/* A record that is not an event (a registration, a search, a purge...)
 * as read back: its header and its detail (canonical JSON), valid during
 * the call. */
typedef int (*lv_record_row_fn)(void *ud, const lv_record_head *h,
                                levee_str detail);

/* rec->leaf from rec's header and hashes. */
void lv_record_leaf(lv_sha256 *h, lv_record *rec);

/* --- canonical bytes, fed straight into a hash ------------------------ */

void lv_canon_str(lv_sha256 *h, levee_str s);    /* absent (ptr NULL) differs
                                                    from empty */
void lv_canon_cstr(lv_sha256 *h, const char *s); /* NULL: absent */
void lv_canon_i64(lv_sha256 *h, int64_t v);
void lv_canon_f64(lv_sha256 *h, double v);     /* its IEEE 754 bits */
void lv_canon_count(lv_sha256 *h, uint64_t n); /* how many items follow */

#endif
