/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event_json.h: a stored event as one JSON object (event_json.c), for
 * `levee export`, `levee show` and levee serve's GET /v1/events/{id}.
 */
#ifndef LV_STORE_EVENT_JSON_H
#define LV_STORE_EVENT_JSON_H

#include "store/store.h"
#include "util/json_reader.h"
#include "util/json_writer.h"

/* A stored event as one JSON object: the event as ingest reads it, with
 * "record", "stored", "verdict" and, with_content, its text, extracted
 * text and excerpts. doc is scratch for checking kept JSON text. */
void lv_stored_event_json(lv_jw *w, lv_json_doc *doc, const lv_stored_event *se,
                          int with_content);

/* The same; with mask, the personal data found in its text and its
 * attachments' texts (pii.* findings) masked, every byte offset kept (the
 * masked spans count in "masked"): what is shown unless someone asks to
 * see it whole, which is itself recorded. */
void lv_stored_event_json_masked(lv_jw *w, lv_json_doc *doc,
                                 const lv_stored_event *se, int with_content,
                                 int mask);

#endif
