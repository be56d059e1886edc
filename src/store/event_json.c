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
#include <stdlib.h>
#include <string.h>

#include "store/event_json.h"

#include "core/mask.h"

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

/* The stored excerpts (a JSON array of strings) as copies, one a finding:
 * out[i] is finding i's, or {NULL, 0}. Returns the array (malloc'd, with
 * its strings), or NULL. */
static levee_str *excerpts_of(lv_json_doc *doc, const lv_evidence *e,
                              const lv_content *c) {
  if (!c || !c->excerpts.ptr || !e->n_findings)
    return NULL;
  levee_str *out = calloc(e->n_findings, sizeof *out);
  if (!out || lv_json_parse(doc, c->excerpts.ptr, c->excerpts.len, NULL) ||
      lv_json_type_of(doc, 0) != LV_JSON_ARRAY) {
    free(out);
    return NULL;
  }
  lv_arena a;
  lv_arena_init(&a, 1 << 20);
  size_t i = 0;
  for (int t = lv_json_first(doc, 0); t > 0 && i < e->n_findings;
       t = lv_json_next(doc, 0, t), i++) {
    levee_str s;
    if (lv_json_string(doc, t, &a, &s) == 0 &&
        (out[i].ptr = malloc(s.len + 1))) {
      memcpy((char *)out[i].ptr, s.ptr, s.len);
      out[i].len = s.len;
    }
  }
  lv_arena_cleanup(&a);
  return out;
}

static void excerpts_free(levee_str *x, size_t n) {
  for (size_t i = 0; x && i < n; i++)
    free((char *)x[i].ptr);
  free(x);
}

/* text (finding source src: -1 the message, N attachment N, whose text
 * starts at base in the extracted texts) with its personal data masked:
 * each pii.* finding's span replaced by its stored excerpt (masked as the
 * detector masks: 138****5678) when that has the span's length, else
 * blotted character for character, so that every offset stays where it
 * was. Writes the string under key; adds the spans masked to *masked. */
static void masked_str(lv_jw *w, const char *key, levee_str text,
                       const lv_evidence *e, const levee_str *ex, int64_t src,
                       int64_t base, size_t *masked) {
  if (!text.ptr)
    return;
  char *copy = NULL;
  for (size_t i = 0; i < e->n_findings; i++) {
    const lv_ev_finding *f = &e->findings[i];
    if (f->source != src || f->category.len < 4 ||
        memcmp(f->category.ptr, "pii.", 4) != 0)
      continue;
    int64_t a = f->start - base, b = f->end - base;
    if (a < 0 || b <= a || (uint64_t)b > text.len)
      continue;
    if (!copy) {
      if (!(copy = malloc(text.len)))
        break;
      memcpy(copy, text.ptr, text.len);
    }
    size_t n = (size_t)(b - a);
    if (ex && ex[i].ptr && ex[i].len == n &&
        memcmp(ex[i].ptr, text.ptr + a, n) != 0)
      memcpy(copy + a, ex[i].ptr, n);
    else
      lv_mask_blot(copy + a, n);
    (*masked)++;
  }
  lv_jw_key(w, key);
  lv_jw_string(w, copy ? copy : text.ptr, text.len);
  free(copy);
}

void lv_stored_event_json(lv_jw *w, lv_json_doc *doc, const lv_stored_event *se,
                          int with_content) {
  lv_stored_event_json_masked(w, doc, se, with_content, 0);
}

void lv_stored_event_json_masked(lv_jw *w, lv_json_doc *doc,
                                 const lv_stored_event *se, int with_content,
                                 int mask) {
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
  levee_str *ex = mask ? excerpts_of(doc, e, c) : NULL;
  size_t masked = 0;
  if (c && mask)
    masked_str(w, "text", c->text, e, ex, -1, 0, &masked);
  else if (c)
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
        levee_str t = {c->extracted.ptr + a->text_start, (size_t)a->text_len};
        if (mask) {
          masked_str(w, "text", t, e, ex, (int64_t)i, 0, &masked);
        } else {
          lv_jw_key(w, "text");
          lv_jw_string(w, t.ptr, t.len);
        }
      }
      lv_jw_object_end(w);
    }
    lv_jw_array_end(w);
  }
  excerpts_free(ex, e->n_findings);
  if (mask) {
    lv_jw_key(w, "masked");
    lv_jw_int(w, (int64_t)masked);
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
