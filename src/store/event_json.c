/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event_json.c: a stored event as one JSON object (event_json.h), for
 * `levee export`, `levee show` and levee serve: the event in the shape of
 * spec/interface.md section 1 (so it can be ingested again), plus "record",
 * "stored" and "verdict" (action, severity, findings with offsets and
 * confidence, and the findings' excerpts), attachments' digests, sizes and
 * extracted text, and "content_deleted" when retention deleted its content.
 */
#include <stdio.h>

#include "store/event_json.h"

static void str(lv_jw *w, const char *key, levee_str v) {
  if (!v.ptr)
    return;
  lv_jw_key(w, key);
  lv_jw_string(w, v.ptr, v.len);
}

/* JSON text kept as written (recipients, meta, excerpts): copied as is
 * when it is valid JSON, else (a tampered store) as a string. */
static void raw(lv_json_doc *doc, lv_jw *w, const char *key, levee_str v) {
  if (!v.ptr)
    return;
  lv_jw_key(w, key);
  if (lv_json_parse(doc, v.ptr, v.len, NULL) != LEVEE_OK) {
    lv_jw_string(w, v.ptr, v.len);
    return;
  }
  lv_jw_raw(w, v.ptr, v.len);
}

void lv_stored_event_json(lv_jw *w, lv_json_doc *doc, const lv_stored_event *se,
                          int with_content) {
  const lv_evidence *e = se->ev;
  const lv_content *c = with_content ? se->content : NULL;
  lv_jw_object_begin(w);
  str(w, "id", e->id);
  lv_jw_key(w, "time");
  lv_jw_int(w, e->time_ms);
  str(w, "channel", e->channel);
  if (e->conversation_id.ptr || e->conversation_type.ptr ||
      e->conversation_title.ptr || e->conversation_external >= 0) {
    lv_jw_key(w, "conversation");
    lv_jw_object_begin(w);
    str(w, "id", e->conversation_id);
    str(w, "type", e->conversation_type);
    str(w, "title", e->conversation_title);
    if (e->conversation_external >= 0) {
      lv_jw_key(w, "external");
      lv_jw_bool(w, e->conversation_external != 0);
    }
    lv_jw_object_end(w);
  }
  if (e->sender_id.ptr || e->sender_name.ptr || e->sender_dept.ptr ||
      e->sender_role.ptr) {
    lv_jw_key(w, "sender");
    lv_jw_object_begin(w);
    str(w, "id", e->sender_id);
    str(w, "name", e->sender_name);
    str(w, "dept", e->sender_dept);
    str(w, "role", e->sender_role);
    lv_jw_object_end(w);
  }
  raw(doc, w, "recipients", e->recipients);
  if (c)
    str(w, "text", c->text);
  if (e->n_attachments) {
    lv_jw_key(w, "attachments");
    lv_jw_array_begin(w);
    for (size_t i = 0; i < e->n_attachments; i++) {
      const lv_ev_attachment *a = &e->attachments[i];
      lv_jw_object_begin(w);
      str(w, "kind", a->kind);
      str(w, "name", a->name);
      str(w, "path", a->path);
      str(w, "sha256", a->sha256);
      str(w, "md5", a->md5);
      if (a->size >= 0) {
        lv_jw_key(w, "size");
        lv_jw_int(w, a->size);
      }
      if (c && c->extracted.ptr && a->text_start >= 0 && a->text_len >= 0 &&
          (uint64_t)a->text_start + (uint64_t)a->text_len <= c->extracted.len) {
        lv_jw_key(w, "text");
        lv_jw_string(w, c->extracted.ptr + a->text_start, (size_t)a->text_len);
      }
      lv_jw_object_end(w);
    }
    lv_jw_array_end(w);
  }
  str(w, "forwarded_from", e->forwarded_from);
  raw(doc, w, "meta", e->meta);
  lv_jw_key(w, "record");
  lv_jw_int(w, (int64_t)se->seq);
  lv_jw_key(w, "stored");
  lv_jw_int(w, se->stored_ms);
  if (!se->content && with_content) {
    lv_jw_key(w, "content_deleted");
    lv_jw_bool(w, 1);
  }
  lv_jw_key(w, "verdict");
  lv_jw_object_begin(w);
  str(w, "action", e->action);
  str(w, "severity", e->severity);
  if (e->truncated) {
    lv_jw_key(w, "truncated");
    lv_jw_bool(w, 1);
  }
  lv_jw_key(w, "findings");
  lv_jw_array_begin(w);
  for (size_t i = 0; i < e->n_findings; i++) {
    const lv_ev_finding *f = &e->findings[i];
    lv_jw_object_begin(w);
    str(w, "rule", f->rule);
    str(w, "category", f->category);
    lv_jw_key(w, "source");
    if (f->source < 0)
      lv_jw_cstring(w, "text");
    else {
      char src[32];
      snprintf(src, sizeof src, "attachment:%lld", (long long)f->source);
      lv_jw_cstring(w, src);
    }
    lv_jw_key(w, "start");
    lv_jw_int(w, f->start);
    lv_jw_key(w, "end");
    lv_jw_int(w, f->end);
    lv_jw_key(w, "confidence");
    lv_jw_double(w, f->confidence, 2);
    str(w, "action", f->action);
    str(w, "severity", f->severity);
    lv_jw_object_end(w);
  }
  lv_jw_array_end(w);
  if (c)
    raw(doc, w, "excerpts", c->excerpts);
  lv_jw_object_end(w);
  lv_jw_object_end(w);
}
