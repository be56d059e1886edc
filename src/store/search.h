/* SPDX-License-Identifier: Apache-2.0 */
/*
 * search.h: a full-text search of the audit store, and what it finds: the
 * request every back end answers (store_backend.h) and lv_store_search()
 * takes (store.h).
 */
#ifndef LV_STORE_SEARCH_H
#define LV_STORE_SEARCH_H

#include <stdint.h>

#include "levee/levee.h"

typedef struct lv_search_request {
  levee_str text;                          /* what to look for, as typed */
  levee_str sender, conversation, channel; /* ids; absent: any */
  levee_str category; /* a category, or a prefix ending in '.' ("pii.") */
  levee_str action;   /* the verdict's action */
  int64_t since_ms, until_ms; /* event time; INT64_MIN / INT64_MAX: open */
  uint64_t limit, offset;
  const char *mark_open, *mark_close; /* put around each match */
  int explain;                        /* the query plan, not hits */
} lv_search_request;

typedef struct lv_search_hit {
  uint64_t seq;
  levee_str id;
  int64_t time_ms;
  levee_str channel, sender_id, sender_name, conversation_id,
      conversation_title, action, severity;
  levee_str categories; /* comma-separated, or absent */
  levee_str text;       /* the message text with matches marked */
  levee_str extracted;  /* extracted text with matches marked, or absent */
  const char *plan;     /* with explain: one line of the plan */
} lv_search_hit;

/* Called for each hit, valid during the call; nonzero stops the search and
 * is returned. */
typedef int (*lv_search_hit_fn)(void *ud, const lv_search_hit *hit);

#endif
