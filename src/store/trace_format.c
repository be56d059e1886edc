/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trace_format.c: a trace's graph as JSON (the contract of `levee trace`,
 * and levee serve's GET /v1/trace/{id}) and as Graphviz DOT (trace.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/trace.h"

static void str_or_null(lv_jw *w, levee_str s) {
  if (s.ptr)
    lv_jw_string(w, s.ptr, s.len);
  else
    lv_jw_null(w);
}

static void key_str(lv_jw *w, const char *key, levee_str s) {
  lv_jw_key(w, key);
  str_or_null(w, s);
}

/* "time" (RFC 3339, UTC, as levee search writes it) and "time_ms". */
static void times(lv_jw *w, const char *key, const char *key_ms, int64_t ms) {
  char when[40];
  time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
  struct tm tm;
  if (gmtime_r(&t, &tm))
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  else
    snprintf(when, sizeof when, "%lld", (long long)ms);
  lv_jw_key(w, key);
  lv_jw_cstring(w, when);
  lv_jw_key(w, key_ms);
  lv_jw_int(w, ms);
}

static void link_fields(lv_jw *w, const lv_trace_link *l) {
  lv_jw_key(w, "reason");
  lv_jw_cstring(w, lv_trace_reason_name(l->reason));
  lv_jw_key(w, "confidence");
  lv_jw_double(w, l->confidence, 2);
  if (l->reason == LV_TRACE_NEAR_IMAGE) {
    lv_jw_key(w, "distance");
    lv_jw_int(w, l->distance);
  }
  if (l->shared) {
    lv_jw_key(w, "shared");
    lv_jw_int(w, l->shared);
  }
}

/* A node's contract fields: id, conversation, sender, time. */
static void node_head(lv_jw *w, const lv_trace_node *n) {
  key_str(w, "id", n->id);
  key_str(w, "conversation", n->conversation_id);
  key_str(w, "sender", n->sender_id);
  times(w, "time", "time_ms", n->time_ms);
}

void lv_trace_graph_json(lv_jw *w, const lv_trace_graph *g) {
  lv_jw_object_begin(w);
  if (g->n_nodes) {
    lv_jw_key(w, "origin");
    lv_jw_object_begin(w);
    node_head(w, &g->nodes[0]);
    lv_jw_object_end(w);
    lv_jw_key(w, "target");
    lv_jw_object_begin(w);
    key_str(w, "id", g->nodes[g->target].id);
    lv_jw_object_end(w);
  }
  lv_jw_key(w, "nodes");
  lv_jw_array_begin(w);
  for (size_t i = 0; i < g->n_nodes; i++) {
    const lv_trace_node *n = &g->nodes[i];
    lv_jw_object_begin(w);
    node_head(w, n);
    lv_jw_key(w, "seq");
    lv_jw_int(w, (int64_t)n->seq);
    key_str(w, "channel", n->channel);
    key_str(w, "conversation_title", n->conversation_title);
    key_str(w, "conversation_type", n->conversation_type);
    key_str(w, "sender_name", n->sender_name);
    if (n->forwarded_from.ptr)
      key_str(w, "forwarded_from", n->forwarded_from);
    if (i == g->target) {
      lv_jw_key(w, "target");
      lv_jw_bool(w, 1);
    } else {
      /* How the trace reached it: from which copy, and why. */
      lv_jw_key(w, "found_from");
      str_or_null(w, g->nodes[n->found_from].id);
      lv_jw_key(w, "found_by");
      lv_jw_object_begin(w);
      link_fields(w, &n->found);
      lv_jw_object_end(w);
    }
    lv_jw_object_end(w);
  }
  lv_jw_array_end(w);
  lv_jw_key(w, "edges");
  lv_jw_array_begin(w);
  for (size_t i = 0; i < g->n_edges; i++) {
    const lv_trace_edge *e = &g->edges[i];
    lv_jw_object_begin(w);
    key_str(w, "from", g->nodes[e->from].id);
    key_str(w, "to", g->nodes[e->to].id);
    link_fields(w, &e->link);
    lv_jw_key(w, "direct");
    lv_jw_bool(w, e->direct);
    lv_jw_key(w, "basis");
    lv_jw_cstring(w, lv_trace_basis_name(e->basis));
    lv_jw_object_end(w);
  }
  lv_jw_array_end(w);
  lv_jw_key(w, "reached");
  lv_jw_object_begin(w);
  lv_jw_key(w, "conversations");
  lv_jw_array_begin(w);
  for (size_t i = 0; i < g->n_conversations; i++) {
    const lv_trace_place *p = &g->conversations[i];
    lv_jw_object_begin(w);
    key_str(w, "id", p->id);
    key_str(w, "type", p->type);
    key_str(w, "title", p->title);
    lv_jw_key(w, "copies");
    lv_jw_int(w, (int64_t)p->copies);
    times(w, "first_time", "first_time_ms", p->first_ms);
    lv_jw_object_end(w);
  }
  lv_jw_array_end(w);
  lv_jw_key(w, "people");
  lv_jw_array_begin(w);
  for (size_t i = 0; i < g->n_people; i++) {
    const lv_trace_person *p = &g->people[i];
    lv_jw_object_begin(w);
    key_str(w, "id", p->id);
    key_str(w, "name", p->name);
    lv_jw_key(w, "sent");
    lv_jw_int(w, (int64_t)p->sent);
    lv_jw_key(w, "received");
    lv_jw_int(w, (int64_t)p->received);
    lv_jw_object_end(w);
  }
  lv_jw_array_end(w);
  lv_jw_object_end(w);
  lv_jw_key(w, "copies");
  lv_jw_int(w, (int64_t)g->n_nodes);
  lv_jw_key(w, "candidates");
  lv_jw_int(w, (int64_t)g->candidates);
  lv_jw_key(w, "truncated");
  lv_jw_bool(w, g->truncated);
  lv_jw_key(w, "people_truncated");
  lv_jw_bool(w, g->people_truncated);
  lv_jw_object_end(w);
}

/* --- DOT ------------------------------------------------------------------ */

/* s inside a DOT string: quotes and backslashes escaped, control bytes
 * (newlines included) as spaces. Invalid UTF-8 is passed on; Graphviz
 * reads it as Latin-1 at worst. */
static int dot_str(lv_buf *b, levee_str s) {
  int rc = LEVEE_OK;
  for (size_t i = 0; !rc && s.ptr && i < s.len; i++) {
    unsigned char c = (unsigned char)s.ptr[i];
    if (c == '"' || c == '\\')
      rc = lv_buf_putc(b, '\\');
    if (!rc)
      rc = lv_buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
  }
  return rc;
}

static levee_str or_dash(levee_str s) {
  return s.ptr ? s : (levee_str){"-", 1};
}

int lv_trace_graph_dot(lv_buf *b, const lv_trace_graph *g) {
  int rc = lv_buf_puts(b, "digraph trace {\n  rankdir=LR;\n"
                          "  node [shape=box, fontname=\"Noto Sans CJK SC\"];\n"
                          "  edge [fontname=\"Noto Sans CJK SC\"];\n");
  for (size_t i = 0; !rc && i < g->n_nodes; i++) {
    const lv_trace_node *n = &g->nodes[i];
    char when[40];
    time_t t = (time_t)(n->time_ms / 1000 - (n->time_ms % 1000 < 0));
    struct tm tm;
    if (gmtime_r(&t, &tm))
      strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    else
      snprintf(when, sizeof when, "%lld", (long long)n->time_ms);
    levee_str who = n->sender_name.ptr ? n->sender_name : n->sender_id;
    levee_str where =
        n->conversation_title.ptr ? n->conversation_title : n->conversation_id;
    rc = lv_buf_printf(b, "  n%zu [label=\"", i);
    if (!rc)
      rc = dot_str(b, or_dash(n->id));
    if (!rc)
      rc = lv_buf_puts(b, "\\n");
    if (!rc)
      rc = dot_str(b, or_dash(who));
    if (!rc)
      rc = lv_buf_puts(b, " @ ");
    if (!rc)
      rc = dot_str(b, or_dash(where));
    if (!rc)
      rc = lv_buf_printf(b, "\\n%s\"%s%s];\n", when,
                         i == 0 ? ", style=bold" : "",
                         i == g->target ? ", peripheries=2" : "");
  }
  for (size_t i = 0; !rc && i < g->n_edges; i++) {
    const lv_trace_edge *e = &g->edges[i];
    rc = lv_buf_printf(b, "  n%zu -> n%zu [label=\"%s %.2f%s\"%s];\n", e->from,
                       e->to, lv_trace_reason_name(e->link.reason),
                       e->link.confidence, e->direct ? "" : " (via)",
                       e->basis == LV_TRACE_EARLIEST ? ", style=dashed" : "");
  }
  if (!rc)
    rc = lv_buf_puts(b, "}\n");
  return rc;
}
