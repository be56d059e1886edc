/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trace_graph.h: the pure part of a trace (trace.h), over plain structs:
 * whether two stored events are copies of one content
 * (lv_trace_link_of), and the spread graph over the copies a trace found
 * (lv_trace_graph_build). The store is asked nothing here: whether a
 * person takes part in a conversation comes through a callback (trace.c
 * asks the store's member table), so the rules can be tested with events
 * made up in memory. Kept in src/store/ beside trace.c rather than in
 * src/core/ because its input is the store's view of events
 * (lv_trace_event, store_backend.h), not anything inspection knows.
 */
#ifndef LV_STORE_TRACE_GRAPH_H
#define LV_STORE_TRACE_GRAPH_H

#include <stddef.h>

#include "store/store_backend.h"
#include "store/trace.h"

/* Sorts an event's fingerprints ascending, as lv_trace_link_of wants
 * them. */
void lv_trace_event_sort(lv_trace_event *e);

/* Whether a and b (fingerprints sorted) are copies of one content, and the
 * strongest reason: forward, then same_bytes, near_image, shared_text
 * (trace.h gives the rules). Returns 1 with *out, or 0 (*out reason
 * LV_TRACE_NONE). */
int lv_trace_link_of(const lv_trace_event *a, const lv_trace_event *b,
                     lv_trace_link *out);

/* A copy a trace found: the event, the copy it was reached from (an index
 * into the same array; the first copy, the traced event, names itself) and
 * how. */
typedef struct lv_trace_found {
  const lv_trace_event *ev;
  size_t from;
  lv_trace_link link;
} lv_trace_found;

/* Whether person takes part in conversation, as the store knows (*member
 * 1 or 0). A nonzero return is an error, returned. */
typedef int (*lv_trace_member_fn)(void *ud, levee_str conversation,
                                  levee_str person, int *member);

/* Builds g (zeroed by the caller, its arena initialised) from copies[0..n)
 * (n >= 1, copies[0] the traced event): nodes in time order, an edge into
 * each but the first (trace.h), the conversations and people reached.
 * Strings are copied into g's arena. Returns LEVEE_OK, LEVEE_ENOMEM, or
 * what member returned. */
int lv_trace_graph_build(lv_trace_graph *g, const lv_trace_found *copies,
                         size_t n, lv_trace_member_fn member, void *ud)
    __attribute__((warn_unused_result));

#endif
