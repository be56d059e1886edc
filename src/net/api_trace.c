/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_trace.c: GET /v1/trace/{id} (security admin): how the content of a
 * stored event spread (store/trace.h): the copies of it the store holds,
 * linked by forwards, the same bytes, near images and shared text, as a
 * graph in time order, its origin, and the conversations and people it
 * reached. The JSON is `levee trace --format json`'s; the look is the
 * call's access record (as `levee trace` writes a "trace" record).
 */
#include <string.h>

#include "net/api_int.h"
#include "store/trace.h"

void lv_api_trace(lv_call *c) {
  lv_store *st = lv_api_reader_take(c);
  if (!st)
    return;
  lv_trace_graph *g = NULL;
  levee_error err = {0};
  int rc =
      lv_store_trace(st, (levee_str){c->target, strlen(c->target)}, &g, &err);
  lv_api_reader_give(c->api, st);
  if (rc == LEVEE_ENOTFOUND) {
    lv_api_fail(c->rs, 404, "no stored event has this id");
    return;
  }
  if (rc) {
    lv_api_fail(c->rs, rc == LEVEE_ENOMEM ? 503 : 500,
                err.message[0] ? err.message : levee_strerror(rc));
    return;
  }
  (void)lv_buf_printf(&c->note, "{\"copies\":%zu,\"truncated\":%s}", g->n_nodes,
                      g->truncated ? "true" : "false");
  lv_jw w;
  lv_api_json(c, &w);
  lv_trace_graph_json(&w, g);
  lv_api_json_end(c, &w);
  lv_trace_graph_free(g);
}
