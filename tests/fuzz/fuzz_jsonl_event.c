/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_jsonl_event.c: libFuzzer target for the JSON Lines event parser
 * (src/ingest/event_jsonl.c, over src/util/json_reader.c) and everything
 * behind it in `levee scan`: the bytes are parsed as one event line; when
 * they parse, attachment data is decoded to text the way the CLI does
 * (lv_text_decode) and the event is inspected by a scanner of the default
 * policy, and the verdict is written as JSON.
 *
 * The engine, scanner, token array and arena are built once and reused
 * across inputs, as a long-running `levee scan` reuses them. Besides the
 * sanitizers' checks, each run aborts when:
 *   - a failed parse leaves no message in the error;
 *   - the parser's fast path for plain lines and its general path make
 *     different events or errors (lv_event_from_jsonl_general);
 *   - a parsed event lacks id or channel, or has more attachments or
 *     recipients than the limits allow;
 *   - a finding's source or offsets fall outside its text, or start > end;
 *   - the verdict JSON is not one line of valid JSON (checked with jansson)
 *     or does not carry the event's id and every finding.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/event_jsonl.h"
#include "extract/text_decode.h"
#include "levee/levee.h"
#include "util/arena.h"
#include "util/json_reader.h"
#include "util/limits.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_jsonl_event: invariant failed: %s (line %d)\n",    \
              #cond, __LINE__);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* Built on the first input, kept for the life of the process. */
static levee_scanner *scanner;
static lv_json_doc doc;
static lv_arena arena;
static char *out_buf;
static size_t out_cap;

static void init_once(void) {
  levee_policy *p = NULL;
  levee_engine *e = NULL;
  levee_error err = {0};
  CHECK(levee_policy_default(&p, &err) == LEVEE_OK);
  CHECK(levee_engine_compile(p, NULL, &e, &err) == LEVEE_OK);
  CHECK(levee_scanner_create(e, &scanner) == LEVEE_OK);
  /* The scanner holds its own references to engine and policy. */
  levee_engine_unref(e);
  levee_policy_destroy(p);
  lv_json_doc_init(&doc);
  lv_arena_init(&arena, LV_MAX_ARENA_BYTES);
}

static size_t source_len(const levee_event *ev, int source) {
  if (source < 0)
    return ev->text.len;
  CHECK((size_t)source < ev->n_attachments);
  return ev->attachments[source].text.len;
}

static void check_verdict_json(const levee_event *ev, const levee_verdict *v) {
  size_t len = 0;
  CHECK(levee_verdict_json(v, &out_buf, &len, &out_cap) == LEVEE_OK);
  CHECK(len > 0 && out_buf[len - 1] == '\n');
  CHECK(memchr(out_buf, '\n', len) == out_buf + len - 1);
  json_error_t jerr;
  json_t *root = json_loadb(out_buf, len, JSON_ALLOW_NUL, &jerr);
  CHECK(root != NULL && json_is_object(root));
  json_t *id = json_object_get(root, "id");
  CHECK(json_is_string(id));
  /* Invalid UTF-8 in an id becomes U+FFFD, so compare only valid ids. */
  if (lv_utf8_valid(ev->id.ptr, ev->id.len))
    CHECK(json_string_length(id) == ev->id.len &&
          memcmp(json_string_value(id), ev->id.ptr, ev->id.len) == 0);
  json_t *findings = json_object_get(root, "findings");
  CHECK(json_is_array(findings) && json_array_size(findings) == v->n_findings);
  CHECK(json_is_string(json_object_get(root, "action")));
  CHECK(json_is_string(json_object_get(root, "severity")));
  json_decref(root);
}

static int same_str(levee_str a, levee_str b) {
  return !a.ptr == !b.ptr && a.len == b.len &&
         (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static int same_party(const levee_party *a, const levee_party *b) {
  return same_str(a->id, b->id) && same_str(a->name, b->name) &&
         same_str(a->dept, b->dept) && same_str(a->role, b->role);
}

/* The fast path (lv_event_from_jsonl on a plain line) and the general path
 * make the same event, or fail with the same message. */
static void same_as_general(const uint8_t *data, size_t size, int rc,
                            const levee_event *a, const levee_error *err) {
  levee_event b;
  levee_error err2 = {0};
  int rc2 = lv_event_from_jsonl_general(&doc, (const char *)data, size, &arena,
                                        &b, &err2);
  CHECK(rc == rc2);
  if (rc) {
    CHECK(strcmp(err->message, err2.message) == 0);
    return;
  }
  CHECK(same_str(a->id, b.id) && a->time_ms == b.time_ms &&
        same_str(a->channel, b.channel) &&
        same_str(a->conversation_id, b.conversation_id) &&
        same_str(a->conversation_type, b.conversation_type) &&
        same_str(a->conversation_title, b.conversation_title) &&
        a->conversation_external == b.conversation_external &&
        same_party(&a->sender, &b.sender) && same_str(a->text, b.text) &&
        same_str(a->forwarded_from, b.forwarded_from) &&
        same_str(a->meta, b.meta));
  CHECK(a->n_recipients == b.n_recipients);
  for (size_t i = 0; i < a->n_recipients; i++)
    CHECK(same_party(&a->recipients[i], &b.recipients[i]));
  CHECK(a->n_attachments == b.n_attachments);
  for (size_t i = 0; i < a->n_attachments; i++) {
    const levee_attachment *x = &a->attachments[i], *y = &b.attachments[i];
    CHECK(same_str(x->kind, y->kind) && same_str(x->name, y->name) &&
          same_str(x->path, y->path) && same_str(x->data, y->data) &&
          same_str(x->sha256, y->sha256) && same_str(x->md5, y->md5));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!scanner)
    init_once();
  lv_arena_reset(&arena);
  levee_event ev;
  levee_error err = {0};
  int rc =
      lv_event_from_jsonl(&doc, (const char *)data, size, &arena, &ev, &err);
  same_as_general(data, size, rc, &ev, &err);
  if (rc) {
    CHECK(rc < 0 && err.status == rc && err.message[0] != '\0');
    return 0;
  }
  CHECK(ev.id.ptr && ev.id.len > 0 && ev.channel.ptr && ev.channel.len > 0);
  CHECK(ev.n_attachments <= LV_MAX_ATTACHMENTS);
  CHECK(ev.n_recipients <= LV_MAX_RECIPIENTS);
  CHECK(ev.text.len <= LV_MAX_TEXT_BYTES);

  /* Attachment text from attachment data, as `levee scan` does it. */
  if (ev.n_attachments) {
    levee_attachment *at =
        lv_arena_alloc(&arena, ev.n_attachments * sizeof *at);
    CHECK(at != NULL);
    memcpy(at, ev.attachments, ev.n_attachments * sizeof *at);
    for (size_t i = 0; i < ev.n_attachments; i++) {
      const char *enc;
      levee_str text;
      if (at[i].data.ptr &&
          lv_text_decode(at[i].data.ptr, at[i].data.len, &arena, &text, &enc,
                         NULL) == LEVEE_OK)
        at[i].text = text;
    }
    ev.attachments = at;
  }

  const levee_verdict *v = NULL;
  rc = levee_scanner_inspect(scanner, &ev, &v);
  if (rc) {
    /* Only resource limits may stop an inspection. */
    CHECK(rc == LEVEE_ETOOBIG || rc == LEVEE_ENOMEM);
    return 0;
  }
  CHECK(v != NULL && v->n_findings <= LV_MAX_FINDINGS);
  CHECK(v->id.ptr == ev.id.ptr && v->id.len == ev.id.len);
  for (size_t i = 0; i < v->n_findings; i++) {
    const levee_finding *f = &v->findings[i];
    CHECK(f->start <= f->end && f->end <= source_len(&ev, f->source));
    CHECK(f->rule && f->category && f->excerpt);
    CHECK(f->confidence >= 0 && f->confidence <= 1);
    CHECK(f->action <= v->action && f->severity <= v->severity);
  }
  CHECK((v->action == LEVEE_ACTION_REDACT && ev.text.ptr) ==
        (v->redacted_text != NULL));
  check_verdict_json(&ev, v);
  return 0;
}
