/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trace.h: how the content of a stored event spread: `levee trace` and
 * levee serve's GET /v1/trace/{id} (docs/CLI.md, docs/ARCHITECTURE.md
 * "Trace").
 *
 * From one event, the trace finds every stored copy of its content, and the
 * copies of those, through the store's trace index (trace_index.h):
 *
 *   forward      one names the other as forwarded_from (the event's field);
 *   same_bytes   an attachment with the same SHA-256 or MD5 (the WeCom
 *                archive's md5sum included);
 *   near_image   images whose perceptual hashes are within
 *                LV_TRACE_IMAGE_DISTANCE bits (a re-encoded, resized or
 *                slightly cropped picture); for photographed pages, whose
 *                hashes are near for any two pages of one layout, only when
 *                their texts also link (see lv_trace_link_of);
 *   shared_text  texts (message or extracted) sharing at least
 *                LV_TRACE_TEXT_MIN_SHARED fingerprints and at least half of
 *                the shorter one's: a paragraph pasted from a document, a
 *                page read back by OCR from each copy of its photo.
 *
 * The copies form a directed graph in time order (lv_trace_graph): each
 * node is an event (who, where, when); an edge runs into every copy but the
 * first, from the copy it names as forwarded from, else from the latest
 * earlier copy its sender could have seen (in a conversation the sender
 * takes part in, as the store knows: sent there, or among the recipients
 * of an event there), else from the earliest copy. The first copy is the
 * origin. Each edge carries a reason and a confidence.
 *
 * Bounds: at most LV_MAX_TRACE_COPIES copies and LV_MAX_TRACE_CANDIDATES
 * events examined (util/limits.h); past either, the graph says truncated.
 *
 * Usage (the store open, read-only or not):
 *
 *   lv_trace_graph *g;
 *   int rc = lv_store_trace(store, id, &g, &err);   // LEVEE_ENOTFOUND
 *   ... lv_trace_graph_json(&w, g) ...
 *   lv_trace_graph_free(g);
 *
 * The caller records the look in the audit log (a "trace" record), as
 * `levee trace` does: the store does not. Like every call on an lv_store,
 * one thread at a time per store (a trace reads through the store's own
 * connection); the graph, once made, is the caller's and shares nothing.
 */
#ifndef LV_STORE_TRACE_H
#define LV_STORE_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json_writer.h"

/* Pictures (images without text) link within this many bits: levee's
 * threshold for registered images (docs/ARCHITECTURE.md: copies resized,
 * re-compressed and cropped 4% came within 6 bits; of 159,600 pairs of
 * unrelated pictures none within 10). */
#define LV_TRACE_IMAGE_DISTANCE 10u
/* An image that holds text beside one that does not: within this many
 * (registration's rule for a page whose text could not be read). */
#define LV_TRACE_IMAGE_TEXT_DISTANCE 3u
/* Two images that both hold text: near when within this many bits and
 * their texts link too (registration's rule for page photos; unrelated
 * images average 32 bits apart). */
#define LV_TRACE_PAGE_DISTANCE 24u
/* Texts link when they share at least this many fingerprints, and at
 * least half of the shorter text's. */
#define LV_TRACE_TEXT_MIN_SHARED 3u

typedef enum lv_trace_reason {
  LV_TRACE_NONE = 0, /* no link (the traced event's own "link") */
  LV_TRACE_FORWARD,
  LV_TRACE_SAME_BYTES,
  LV_TRACE_NEAR_IMAGE,
  LV_TRACE_SHARED_TEXT
} lv_trace_reason;

/* "forward", "same_bytes", "near_image", "shared_text" ("none"). */
const char *lv_trace_reason_name(lv_trace_reason r);

/* Why two copies are copies. */
typedef struct lv_trace_link {
  lv_trace_reason reason;
  double confidence; /* 0..1: 1 for a forward or the same SHA-256 */
  unsigned distance; /* near_image: bits between the hashes */
  uint32_t shared;   /* shared_text (and pages): fingerprints in common */
} lv_trace_link;

typedef struct lv_trace_node {
  uint64_t seq; /* its record */
  levee_str id;
  int64_t time_ms;
  levee_str channel;
  levee_str conversation_id, conversation_type, conversation_title;
  levee_str sender_id, sender_name;
  levee_str forwarded_from;
  size_t found_from;   /* the node the trace reached it from (itself for
                          the traced event) */
  lv_trace_link found; /* ... and why */
} lv_trace_node;

/* Why an edge comes from the copy it comes from. */
typedef enum lv_trace_basis {
  LV_TRACE_FORWARDED, /* `to` names `from` as forwarded from */
  LV_TRACE_SEEN,      /* `from` is the latest earlier copy in a conversation
                         `to`'s sender takes part in (or sent, or received) */
  LV_TRACE_EARLIEST   /* neither: the earliest copy */
} lv_trace_basis;

/* "forwarded", "seen", "earliest". */
const char *lv_trace_basis_name(lv_trace_basis b);

typedef struct lv_trace_edge {
  size_t from, to; /* nodes */
  lv_trace_basis basis;
  lv_trace_link link; /* the two copies' own link when they have one
                         (direct); else the link by which the trace
                         reached `to` */
  int direct;
} lv_trace_edge;

/* A conversation the content reached. */
typedef struct lv_trace_place {
  levee_str id, type, title;
  size_t copies;    /* copies sent there */
  int64_t first_ms; /* the first of them */
} lv_trace_place;

/* A person the content reached: who sent a copy, or was listed among a
 * copy's recipients. */
typedef struct lv_trace_person {
  levee_str id, name;
  size_t sent, received;
} lv_trace_person;

typedef struct lv_trace_graph {
  lv_trace_node *nodes; /* in time order (then record order): nodes[0] is
                           the origin */
  size_t n_nodes;
  size_t target;        /* the traced event */
  lv_trace_edge *edges; /* one into each node but the origin, by node */
  size_t n_edges;
  lv_trace_place *conversations; /* in the order first reached */
  size_t n_conversations;
  lv_trace_person *people; /* in the order first reached */
  size_t n_people;
  int truncated;        /* LV_MAX_TRACE_COPIES copies or
                           LV_MAX_TRACE_CANDIDATES candidates reached:
                           there may be more copies */
  int people_truncated; /* more than LV_MAX_TRACE_PEOPLE people */
  uint64_t candidates;  /* stored events the trace examined */
  lv_arena arena;       /* everything above */
} lv_trace_graph;

/* Traces the stored event with this id. OUT: *out (the caller's, to
 * lv_trace_graph_free), written on success. LEVEE_ENOTFOUND (said in err)
 * when no stored event has the id (or its evidence expired). */
int lv_store_trace(lv_store *s, levee_str id, lv_trace_graph **out,
                   levee_error *err) __attribute__((warn_unused_result));

void lv_trace_graph_free(lv_trace_graph *g); /* accepts NULL */

/* The graph as JSON (spec/interface.md, `levee trace`):
 *   {"origin":{"id","conversation","sender","time"},
 *    "target":{"id"}, "nodes":[{"id","conversation","sender","time",
 *    "seq","channel","conversation_title","conversation_type",
 *    "sender_name","forwarded_from"?, "found_from"?, "found_by"?}],
 *    "edges":[{"from","to","reason","confidence","direct","basis",
 *    "distance"?,"shared"?}],
 *    "reached":{"conversations":[{"id","type","title","copies",
 *    "first_time"}],"people":[{"id","name","sent","received"}]},
 *    "copies":N,"candidates":N,"truncated":bool,"people_truncated":bool}
 * Times are epoch milliseconds (as levee export writes them); ids are the
 * events' ids; an absent conversation or sender is null. */
void lv_trace_graph_json(lv_jw *w, const lv_trace_graph *g);

/* The graph in Graphviz's DOT language (`dot -Tsvg`), into out. */
int lv_trace_graph_dot(lv_buf *out, const lv_trace_graph *g)
    __attribute__((warn_unused_result));

#endif
