/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event_jsonl.h: one line of a JSON Lines event stream
 * (spec/interface.md section 1) into a levee_event.
 */
#ifndef LV_INGEST_EVENT_JSONL_H
#define LV_INGEST_EVENT_JSONL_H

#include "levee/levee.h"
#include "util/arena.h"
#include "util/json_reader.h"

/* Parses line[0..len) (borrowed: strings in *ev point into it or into a).
 * Errors name the problem for "levee: line N: why": invalid JSON, not an
 * object, a required field (id, time, channel) missing or of the wrong
 * type. Unknown fields are ignored. *ev is written only on success.
 * Attachment "data" is base64-decoded into a. */
int lv_event_from_jsonl(lv_json_doc *doc, const char *line, size_t len,
                        lv_arena *a, levee_event *ev, levee_error *err)
    __attribute__((warn_unused_result));

/* The same without the fast path for plain lines: every line is tokenized
 * and the tokens walked. For tests, which require both to agree. */
int lv_event_from_jsonl_general(lv_json_doc *doc, const char *line, size_t len,
                                lv_arena *a, levee_event *ev, levee_error *err)
    __attribute__((warn_unused_result));

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; 1 <= m <= 12, d may
 * run past the month's end, which rolls over as timegm() does). */
int64_t lv_days_from_epoch(int y, int m, int d);

/* RFC 3339 date-time ("2020-07-15T08:00:00+08:00", fractions allowed) to
 * epoch milliseconds. */
int lv_parse_rfc3339(const char *s, size_t n, int64_t *out_ms)
    __attribute__((warn_unused_result));

/* A time as people give it in options and queries: epoch milliseconds, a
 * date (YYYY-MM-DD: its midnight in China Standard Time, UTC+8) or RFC
 * 3339. 0, or -1. */
int lv_parse_when(const char *s, int64_t *out_ms)
    __attribute__((warn_unused_result));

#endif
