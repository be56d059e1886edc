/* SPDX-License-Identifier: Apache-2.0 */
/*
 * review_index.h: where each alert stands after its reviews (confirmed,
 * dismissed as a false positive, escalated; open until the first), kept
 * in memory by levee serve so that a page of alerts shows each one's
 * status without reading every review record. The records themselves
 * ("review", in the audit trail) are the truth: the index is built from
 * them when the server starts and updated as each new one is committed.
 *
 * Bounded: LV_MAX_REVIEWED_ALERTS alerts; past that a review is still
 * recorded, and its alert's status is shown as "unknown" (the trail has
 * it) instead of growing the index without end.
 */
#ifndef LV_NET_REVIEW_INDEX_H
#define LV_NET_REVIEW_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"

typedef enum lv_review_status {
  LV_REVIEW_OPEN = 0,
  LV_REVIEW_CONFIRMED,
  LV_REVIEW_DISMISSED,
  LV_REVIEW_ESCALATED,
  LV_REVIEW_UNKNOWN /* not in the index (it was full) */
} lv_review_status;

/* "open", "confirmed", "dismissed", "escalated", "unknown"; and back (-1). */
const char *lv_review_status_name(lv_review_status s);
int lv_review_status_parse(const char *s);

/* A review's decision: "confirm", "dismiss", "escalate", "comment"; the
 * status it leaves (a comment leaves the status as it was: -1). -2: not a
 * decision. */
int lv_review_decision(const char *d);

typedef struct lv_review_state {
  lv_review_status status;
  uint32_t reviews; /* comments included */
  char last_by[64];
  int64_t last_ms;
  uint64_t last_record;
} lv_review_state;

typedef struct lv_reviews lv_reviews;

int lv_reviews_new(lv_reviews **out) __attribute__((warn_unused_result));
void lv_reviews_free(lv_reviews *r); /* accepts NULL */

/* A review of alert id (an event id) committed: decision as
 * lv_review_decision takes it. */
void lv_reviews_put(lv_reviews *r, levee_str id, const char *decision,
                    const char *by, int64_t ms, uint64_t record);

/* The state of alert id (status open and no reviews when never reviewed). */
void lv_reviews_get(lv_reviews *r, levee_str id, lv_review_state *out);

/* How many reviewed alerts stand at each status now (out[LV_REVIEW_OPEN]:
 * those only commented on). The alerts never reviewed are open too: the
 * store counts the alerts. */
void lv_reviews_counts(lv_reviews *r, uint64_t out[LV_REVIEW_UNKNOWN + 1]);

#endif
