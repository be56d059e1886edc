/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_followup.h: the verdicts that follow (policy attachments.verdict:
 * follow-up, or an inline attachment not read within attachments.timeout):
 * an event stored by POST /v1/events whose attachments were not read when
 * it was answered is inspected again, attachments and all, by a worker of
 * its own, and the full verdict is stored as a "verdict" record of the
 * audit trail linked to the event:
 *   {"event":"<id>","event_record":<seq>,"verdict":{...}}
 *
 * Bounded: a request reserves room (jobs and bytes of their event lines)
 * before its events are stored, and gets 503 when there is none, so an
 * event is never stored with a verdict that cannot follow. At stop, the
 * queue is worked off for at most LV_HTTP_DRAIN_MS; what is left is said on
 * stderr by event id.
 */
#ifndef LV_NET_API_FOLLOWUP_H
#define LV_NET_API_FOLLOWUP_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"

typedef struct lv_followups lv_followups;
struct lv_api;

int lv_followups_new(struct lv_api *api, lv_followups **out)
    __attribute__((warn_unused_result));

/* Reserves room for n events of bytes in all: LEVEE_OK or LEVEE_EBUSY. */
int lv_followups_reserve(lv_followups *f, size_t n, size_t bytes);
/* Gives back room reserved and not used. */
void lv_followups_release(lv_followups *f, size_t n, size_t bytes);
/* Queues one reserved event: its line (copied), its record and who sent
 * it. */
void lv_followups_submit(lv_followups *f, levee_str line, uint64_t record,
                         const char *actor);

typedef struct lv_followup_stats {
  uint64_t queued, done, failed;
} lv_followup_stats;
void lv_followups_stats(lv_followups *f, lv_followup_stats *out);

/* Works off the queue (at most LV_HTTP_DRAIN_MS), stops, frees. Accepts
 * NULL. */
void lv_followups_free(lv_followups *f);

#endif
