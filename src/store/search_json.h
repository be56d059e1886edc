/* SPDX-License-Identifier: Apache-2.0 */
/*
 * search_json.h: a search hit as one JSON object (search_json.c), for
 * `levee search --json` and levee serve's GET /v1/search and /v1/alerts.
 */
#ifndef LV_STORE_SEARCH_JSON_H
#define LV_STORE_SEARCH_JSON_H

#include "store/search.h"
#include "util/buf.h"
#include "util/json_writer.h"

/* The marks a search puts around matches when its hits become JSON: set
 * them as the request's mark_open and mark_close. */
#define LV_SEARCH_JSON_MARK_OPEN "\x01"
#define LV_SEARCH_JSON_MARK_CLOSE "\x02"

/* h as {"record","id","time","time_ms","channel","sender":{...},
 * "conversation":{...},"action","severity","categories":[...],"text",
 * "text_matches":[[start,end],...],"extracted","extracted_matches"}; the
 * texts without the marks, the matches as byte offsets into them. With
 * with_text 0 the texts are left out. scratch is a buffer to reuse. */
void lv_search_hit_json(lv_jw *w, const lv_search_hit *h, int with_text,
                        lv_buf *scratch);

#endif
