/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence.c: events as evidence, and their hashes (evidence.h).
 */
#include "store/evidence.h"

#include <openssl/evp.h>

#include <string.h>

#include "util/buf.h"
#include "util/json_writer.h"
#include "util/limits.h"

static levee_str cstr(const char *s) {
  return (levee_str){s, s ? strlen(s) : 0};
}

static void party_json(lv_jw *w, const levee_party *p) {
  lv_jw_object_begin(w);
  const struct {
    const char *key;
    levee_str v;
  } fields[] = {
      {"id", p->id}, {"name", p->name}, {"dept", p->dept}, {"role", p->role}};
  for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
    if (!fields[i].v.ptr)
      continue;
    lv_jw_key(w, fields[i].key);
    lv_jw_string(w, fields[i].v.ptr, fields[i].v.len);
  }
  lv_jw_object_end(w);
}

/* Moves a finished JSON document from b into the arena as *out. */
static int keep_json(lv_jw *w, lv_buf *b, lv_arena *a, levee_str *out) {
  int rc = lv_jw_status(w);
  if (rc == LEVEE_OK) {
    char *s = lv_arena_strndup(a, b->data, b->len);
    if (s)
      *out = (levee_str){s, b->len};
    else
      rc = LEVEE_ENOMEM;
  }
  lv_buf_reset(b);
  return rc;
}

int lv_evidence_from(const levee_event *e, const levee_verdict *v, lv_arena *a,
                     lv_evidence *ev, lv_content *content) {
  lv_evidence x;
  lv_content c;
  memset(&x, 0, sizeof x);
  memset(&c, 0, sizeof c);
  x.id = e->id;
  x.time_ms = e->time_ms;
  x.channel = e->channel;
  x.conversation_id = e->conversation_id;
  x.conversation_type = e->conversation_type;
  x.conversation_title = e->conversation_title;
  x.conversation_external = e->conversation_external;
  x.sender_id = e->sender.id;
  x.sender_name = e->sender.name;
  x.sender_dept = e->sender.dept;
  x.sender_role = e->sender.role;
  lv_buf b;
  lv_jw w;
  int rc = LEVEE_OK;
  lv_buf_init(&b, LV_MAX_ARENA_BYTES);
  if (e->n_recipients) {
    lv_jw_init(&w, &b);
    lv_jw_array_begin(&w);
    for (size_t i = 0; i < e->n_recipients; i++)
      party_json(&w, &e->recipients[i]);
    lv_jw_array_end(&w);
    if ((rc = keep_json(&w, &b, a, &x.recipients)))
      goto out;
  }
  x.forwarded_from = e->forwarded_from;
  x.meta = e->meta;
  x.action = cstr(levee_action_name(v->action));
  x.severity = cstr(levee_severity_name(v->severity));
  x.truncated = v->truncated != 0;
  c.text = e->text;
  if (v->n_findings) {
    x.findings = lv_arena_alloc(a, v->n_findings * sizeof *x.findings);
    if (!x.findings) {
      rc = LEVEE_ENOMEM;
      goto out;
    }
    lv_jw_init(&w, &b);
    lv_jw_array_begin(&w);
    for (size_t i = 0; i < v->n_findings; i++) {
      const levee_finding *f = &v->findings[i];
      lv_ev_finding *g = &x.findings[i];
      g->rule = cstr(f->rule);
      g->category = cstr(f->category);
      g->source = f->source;
      g->start = (int64_t)f->start;
      g->end = (int64_t)f->end;
      g->confidence = f->confidence;
      g->action = cstr(levee_action_name(f->action));
      g->severity = cstr(levee_severity_name(f->severity));
      lv_jw_cstring(&w, f->excerpt ? f->excerpt : "");
    }
    lv_jw_array_end(&w);
    x.n_findings = v->n_findings;
    if ((rc = keep_json(&w, &b, a, &c.excerpts)))
      goto out;
  }
  if (e->n_attachments) {
    x.attachments = lv_arena_alloc(a, e->n_attachments * sizeof *x.attachments);
    size_t total = 0;
    for (size_t i = 0; i < e->n_attachments; i++)
      if (e->attachments[i].text.ptr)
        total += e->attachments[i].text.len + 1;
    char *joined = total ? lv_arena_alloc(a, total) : NULL;
    if (!x.attachments || (total && !joined)) {
      rc = LEVEE_ENOMEM;
      goto out;
    }
    size_t k = 0;
    for (size_t i = 0; i < e->n_attachments; i++) {
      const levee_attachment *at = &e->attachments[i];
      lv_ev_attachment *d = &x.attachments[i];
      d->kind = at->kind;
      d->name = at->name;
      d->path = at->path;
      d->sha256 = at->sha256;
      d->md5 = at->md5;
      d->size = at->data.ptr ? (int64_t)at->data.len : -1;
      d->text_start = d->text_len = -1;
      d->has_phash = at->has_phash != 0; /* not hashed: the trace index's */
      d->phash = at->phash;
      if (at->text.ptr) {
        if (k)
          joined[k++] = '\n';
        d->text_start = (int64_t)k;
        d->text_len = (int64_t)at->text.len;
        memcpy(joined + k, at->text.ptr, at->text.len);
        k += at->text.len;
      }
    }
    x.n_attachments = e->n_attachments;
    if (joined)
      c.extracted = (levee_str){joined, k};
  }
  *ev = x;
  *content = c;
out:
  lv_buf_cleanup(&b);
  return rc;
}

void lv_evidence_hash(lv_sha256 *h, const lv_evidence *e,
                      uint8_t out[LV_SHA256_LEN]) {
  static const char magic[] = "levee-event-v1";
  lv_sha256_begin(h);
  lv_sha256_add(h, magic, sizeof magic - 1);
  lv_canon_str(h, e->id);
  lv_canon_i64(h, e->time_ms);
  lv_canon_str(h, e->channel);
  lv_canon_str(h, e->conversation_id);
  lv_canon_str(h, e->conversation_type);
  lv_canon_str(h, e->conversation_title);
  lv_canon_i64(h, e->conversation_external);
  lv_canon_str(h, e->sender_id);
  lv_canon_str(h, e->sender_name);
  lv_canon_str(h, e->sender_dept);
  lv_canon_str(h, e->sender_role);
  lv_canon_str(h, e->recipients);
  lv_canon_str(h, e->forwarded_from);
  lv_canon_str(h, e->meta);
  lv_canon_str(h, e->action);
  lv_canon_str(h, e->severity);
  lv_canon_i64(h, e->truncated);
  lv_canon_count(h, e->n_findings);
  for (size_t i = 0; i < e->n_findings; i++) {
    const lv_ev_finding *f = &e->findings[i];
    lv_canon_str(h, f->rule);
    lv_canon_str(h, f->category);
    lv_canon_i64(h, f->source);
    lv_canon_i64(h, f->start);
    lv_canon_i64(h, f->end);
    lv_canon_f64(h, f->confidence);
    lv_canon_str(h, f->action);
    lv_canon_str(h, f->severity);
  }
  lv_canon_count(h, e->n_attachments);
  for (size_t i = 0; i < e->n_attachments; i++) {
    const lv_ev_attachment *b = &e->attachments[i];
    lv_canon_str(h, b->kind);
    lv_canon_str(h, b->name);
    lv_canon_str(h, b->path);
    lv_canon_str(h, b->sha256);
    lv_canon_str(h, b->md5);
    lv_canon_i64(h, b->size);
    lv_canon_i64(h, b->text_start);
    lv_canon_i64(h, b->text_len);
  }
  lv_sha256_end(h, out);
}

void lv_content_hash(lv_sha256 *h, const lv_content *c,
                     uint8_t out[LV_SHA256_LEN]) {
  static const char magic[] = "levee-content-v1";
  lv_sha256_begin(h);
  lv_sha256_add(h, magic, sizeof magic - 1);
  lv_sha256_add(h, c->salt, sizeof c->salt);
  lv_canon_str(h, c->text);
  lv_canon_str(h, c->extracted);
  lv_canon_str(h, c->excerpts);
  lv_sha256_end(h, out);
}

void lv_detail_hash(lv_sha256 *h, levee_str detail,
                    uint8_t out[LV_SHA256_LEN]) {
  static const char magic[] = "levee-detail-v1";
  lv_sha256_begin(h);
  lv_sha256_add(h, magic, sizeof magic - 1);
  lv_canon_str(h, detail);
  lv_sha256_end(h, out);
}

static void hex_of(const unsigned char *p, unsigned n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (unsigned i = 0; i < n; i++) {
    out[(size_t)2 * i] = digits[p[i] >> 4];
    out[(size_t)2 * i + 1] = digits[p[i] & 15];
  }
  out[(size_t)2 * n] = '\0';
}

void lv_evidence_digests(const void *p, size_t n, char sha256[65],
                         char md5[33]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  sha256[0] = md5[0] = '\0';
  if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) && len == 32)
    hex_of(md, len, sha256);
  if (EVP_Digest(p, n, md, &len, EVP_md5(), NULL) && len == 16)
    hex_of(md, len, md5);
}
