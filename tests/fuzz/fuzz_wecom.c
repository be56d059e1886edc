/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_wecom.c: libFuzzer target for WeCom chat-archive records
 * (src/ingest/event_wecom.c).
 *
 * Any bytes are parsed as one record with one reused JSON document and
 * arena (reset per input, as `levee scan --format wecom` does per line).
 * Besides the sanitizers' checks, a successful mapping is walked byte by
 * byte and must respect the documented bounds: at most LV_MAX_RECIPIENTS
 * recipients and LV_MAX_ATTACHMENTS attachments, text within
 * LV_MAX_TEXT_BYTES, a present id, conversation type group or direct.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/event_wecom.h"
#include "util/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_wecom: invariant failed: %s (line %d)\n", #cond,   \
              __LINE__);                                                       \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static lv_arena arena;
static lv_json_doc doc;
static int ready;
static volatile unsigned sink;

/* Reads every byte, so ASan sees a string that points past its memory. */
static void touch(levee_str s) {
  if (!s.ptr) {
    CHECK(s.len == 0);
    return;
  }
  unsigned h = 0;
  for (size_t i = 0; i < s.len; i++)
    h = h * 31 + (unsigned char)s.ptr[i];
  sink += h;
}

static void touch_party(const levee_party *p) {
  touch(p->id);
  touch(p->name);
  touch(p->dept);
  touch(p->role);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!ready) {
    lv_arena_init(&arena, LV_MAX_ARENA_BYTES);
    lv_json_doc_init(&doc);
    ready = 1;
  }
  lv_arena_reset(&arena);
  levee_event ev;
  levee_error err;
  int rc =
      lv_event_from_wecom(&doc, (const char *)data, size, &arena, &ev, &err);
  if (rc != LEVEE_OK) {
    CHECK(rc < 0 && err.status == rc && err.message[0]);
    return 0;
  }
  CHECK(ev.id.ptr && ev.id.len > 0);
  CHECK(ev.channel.len == 5 && !memcmp(ev.channel.ptr, "wecom", 5));
  CHECK(!ev.conversation_type.ptr ||
        (ev.conversation_type.len == 5 &&
         !memcmp(ev.conversation_type.ptr, "group", 5)) ||
        (ev.conversation_type.len == 6 &&
         !memcmp(ev.conversation_type.ptr, "direct", 6)));
  CHECK(ev.n_recipients <= LV_MAX_RECIPIENTS);
  CHECK(ev.n_attachments <= LV_MAX_ATTACHMENTS);
  CHECK(!ev.text.ptr || ev.text.len <= LV_MAX_TEXT_BYTES);
  touch(ev.id);
  touch(ev.conversation_id);
  touch(ev.text);
  touch_party(&ev.sender);
  for (size_t i = 0; i < ev.n_recipients; i++)
    touch_party(&ev.recipients[i]);
  for (size_t i = 0; i < ev.n_attachments; i++) {
    const levee_attachment *at = &ev.attachments[i];
    CHECK(at->kind.ptr);
    touch(at->kind);
    touch(at->name);
    touch(at->md5);
  }
  return 0;
}
