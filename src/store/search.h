/* SPDX-License-Identifier: Apache-2.0 */
/*
 * search.h: what the audit store is asked about its events, and what it
 * answers: a full-text search or, without a text, a filtered listing
 * (lv_search_request, lv_search_hit), and counts of events by a dimension
 * (lv_stats_request). Every back end answers them (store_backend.h);
 * lv_store_search() and lv_store_stats() take them (store.h).
 */
#ifndef LV_STORE_SEARCH_H
#define LV_STORE_SEARCH_H

#include <stdint.h>

#include "levee/levee.h"

typedef struct lv_search_request {
  levee_str text; /* what to look for, as typed; absent or empty: every
                     event the filters let through (a listing) */
  levee_str sender, conversation, channel; /* ids; absent: any */
  levee_str sender_dept; /* the sender's department, exactly; absent: any */
  levee_str category;    /* a category, or a prefix ending in '.' ("pii.") */
  levee_str action;      /* the verdict's action */
  int alerts_only;       /* only events whose action is not "allow" */
  int64_t since_ms, until_ms; /* event time; INT64_MIN / INT64_MAX: open */
  uint64_t before_seq;        /* only records with seq < before_seq (a keyset
                                 cursor: the last page's last seq); 0: no bound */
  uint64_t limit, offset;
  const char *mark_open, *mark_close; /* put around each match */
  int explain;                        /* the query plan, not hits */
} lv_search_request;

typedef struct lv_search_hit {
  uint64_t seq;
  levee_str id;
  int64_t time_ms;
  levee_str channel, sender_id, sender_name, sender_dept, conversation_id,
      conversation_title, action, severity;
  levee_str categories; /* comma-separated, or absent */
  levee_str text;       /* the message text, matches marked (a listing:
                           as stored); absent when its content was deleted */
  levee_str extracted;  /* extracted text, the same way, or absent */
  const char *plan;     /* with explain: one line of the plan */
} lv_search_hit;

/* Called for each hit, valid during the call; nonzero stops the search and
 * is returned. */
typedef int (*lv_search_hit_fn)(void *ud, const lv_search_hit *hit);

/* --- counts ----------------------------------------------------------------
 */

/* What events are counted by. */
typedef enum lv_stats_by {
  LV_STATS_DAY,      /* the event's day, "YYYY-MM-DD", in tz_offset_min */
  LV_STATS_CATEGORY, /* each category of its findings (an event with two
                        counts once in each; none: an absent key) */
  LV_STATS_DEPT,     /* the sender's department (none: absent) */
  LV_STATS_CHANNEL,
  LV_STATS_ACTION,   /* the verdict's action */
  LV_STATS_SEVERITY, /* the verdict's severity */
  LV_STATS_SENDER    /* "name (id)", or the id when no name was given */
} lv_stats_by;

/* Days are counted in China Standard Time unless said otherwise. */
#define LV_STATS_TZ_DEFAULT_MIN 480
#define LV_STATS_TZ_MAX_MIN (14 * 60)

typedef struct lv_stats_request {
  lv_search_request filter; /* its filters: sender, conversation, channel,
                               sender_dept, category, action, alerts_only,
                               since_ms, until_ms, before_seq. Its text must
                               be empty; limit, offset and marks are not
                               used. With LV_STATS_CATEGORY, a category
                               filter also limits the categories counted. */
  lv_stats_by by;
  int tz_offset_min; /* days begin at midnight UTC+this (-840 .. 840) */
  uint64_t limit;    /* at most this many groups (for dimensions other than
                        day, the largest first); 0: all of them, and more
                        than LV_MAX_STATS_GROUPS is LEVEE_ETOOBIG */
  int explain;       /* the query plan instead: each line as a key, count 0 */
} lv_stats_request;

/* One group: its key (absent: events without one, e.g. no department) and
 * how many events are in it. Groups come by day ascending, or for other
 * dimensions by count descending, then key, the absent key last. Valid
 * during the call; nonzero stops and is returned. */
typedef int (*lv_stats_fn)(void *ud, levee_str key, uint64_t count);

#endif
