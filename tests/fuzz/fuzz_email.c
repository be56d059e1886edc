/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_email.c: libFuzzer target for MIME messages
 * (src/ingest/event_email.c, GMime underneath).
 *
 * Any bytes are parsed as one message with one arena, reset per input.
 * Besides the sanitizers' checks, a successful mapping must respect the
 * documented shape: every string valid UTF-8 (the text, names, addresses,
 * attachment names), text within LV_MAX_TEXT_BYTES, at most
 * LV_MAX_RECIPIENTS recipients and LV_MAX_ATTACHMENTS attachments, the id
 * given, channel "email".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/event_email.h"
#include "util/limits.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_email: invariant failed: %s (line %d)\n", #cond,   \
              __LINE__);                                                       \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static lv_arena arena;
static int ready;

static void check_utf8(levee_str s) {
  if (!s.ptr) {
    CHECK(s.len == 0);
    return;
  }
  CHECK(lv_utf8_valid(s.ptr, s.len));
}

static void check_party(const levee_party *p) {
  check_utf8(p->id);
  check_utf8(p->name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!ready) {
    lv_arena_init(&arena, LV_MAX_ARENA_BYTES);
    ready = 1;
  }
  lv_arena_reset(&arena);
  static const levee_str id = {"fuzz.eml", 8};
  levee_event ev;
  levee_error err;
  int rc = lv_event_from_email((const char *)data, size, id, &arena, &ev, &err);
  if (rc != LEVEE_OK) {
    CHECK(rc < 0 && err.status == rc && err.message[0]);
    return 0;
  }
  CHECK(ev.id.ptr == id.ptr && ev.id.len == id.len);
  CHECK(ev.channel.len == 5 && !memcmp(ev.channel.ptr, "email", 5));
  CHECK(ev.text.ptr && ev.text.len <= LV_MAX_TEXT_BYTES);
  CHECK(ev.n_recipients <= LV_MAX_RECIPIENTS);
  CHECK(ev.n_attachments <= LV_MAX_ATTACHMENTS);
  check_utf8(ev.text);
  check_utf8(ev.conversation_id);
  check_utf8(ev.conversation_title);
  check_party(&ev.sender);
  for (size_t i = 0; i < ev.n_recipients; i++)
    check_party(&ev.recipients[i]);
  for (size_t i = 0; i < ev.n_attachments; i++) {
    CHECK(ev.attachments[i].kind.ptr);
    check_utf8(ev.attachments[i].name);
  }
  return 0;
}
