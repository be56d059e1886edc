/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_scan_batch.c: libFuzzer target that checks batch inspection
 * (levee_scanner_inspect_batch, src/core/scanner.c) against inspecting
 * the same events one at a time.
 *
 * The input is JSON Lines; every line that parses as an event joins the
 * batch. The policy is the default pack plus a keyword list of short
 * words, so that literal hits are many and fall at text edges, where a
 * batch scan could wrongly match across two texts. Each event's verdict
 * JSON from the batch must equal, byte for byte, the one from
 * levee_scanner_inspect() (except when the candidate bound truncated the
 * inspection: which candidates are kept may then differ).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/event_jsonl.h"
#include "levee/levee.h"
#include "util/arena.h"
#include "util/json_reader.h"
#include "util/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_scan_batch: invariant failed: %s (line %d)\n",     \
              #cond, __LINE__);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

#define MAX_EVENTS 64

static const char policy_yaml[] =
    "version: 1\n"
    "include_default: true\n"
    "keyword_lists:\n"
    "  - name: short\n"
    "    words: [ab, ba, aa, 机密, 密码, x, \"1\", 北极星计划]\n"
    "rules:\n"
    "  - id: short-words\n"
    "    match: { category: keyword.short }\n"
    "    action: alert\n";

static levee_scanner *single, *batched;
static lv_json_doc doc;
static lv_arena arena;

typedef struct json_out {
  char *buf;
  size_t len, cap;
} json_out;
static json_out want[MAX_EVENTS], got[MAX_EVENTS];
static int want_status[MAX_EVENTS], want_truncated[MAX_EVENTS];
static size_t n_called;

static void init_once(void) {
  levee_policy *p = NULL;
  levee_engine *e = NULL;
  levee_error err = {0};
  CHECK(levee_policy_parse(policy_yaml, sizeof policy_yaml - 1, "<fuzz>", NULL,
                           NULL, &p, &err) == LEVEE_OK);
  CHECK(levee_engine_compile(p, NULL, &e, &err) == LEVEE_OK);
  CHECK(levee_scanner_create(e, &single) == LEVEE_OK);
  CHECK(levee_scanner_create(e, &batched) == LEVEE_OK);
  levee_engine_unref(e);
  levee_policy_destroy(p);
  lv_json_doc_init(&doc);
  lv_arena_init(&arena, LV_MAX_ARENA_BYTES);
}

static void on_verdict(void *ctx, size_t i, int status,
                       const levee_verdict *v) {
  (void)ctx;
  CHECK(i == n_called);
  n_called++;
  CHECK(status == want_status[i]);
  if (status) {
    CHECK(v == NULL);
    return;
  }
  got[i].len = 0;
  CHECK(levee_verdict_json(v, &got[i].buf, &got[i].len, &got[i].cap) ==
        LEVEE_OK);
  if (want_truncated[i]) {
    CHECK(v->truncated);
    return;
  }
  if (got[i].len != want[i].len || memcmp(got[i].buf, want[i].buf, got[i].len))
    fprintf(stderr, "event %zu:\n  single: %.*s  batch:  %.*s", i,
            (int)want[i].len, want[i].buf, (int)got[i].len, got[i].buf);
  CHECK(got[i].len == want[i].len &&
        memcmp(got[i].buf, want[i].buf, got[i].len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!single)
    init_once();
  lv_arena_reset(&arena);
  levee_event evs[MAX_EVENTS];
  size_t n = 0;
  const char *p = (const char *)data, *end = p + size;
  while (p < end && n < MAX_EVENTS) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
    levee_error err = {0};
    if (lv_event_from_jsonl(&doc, p, len, &arena, &evs[n], &err) == LEVEE_OK)
      n++;
    p += len + 1;
  }
  if (!n)
    return 0;
  for (size_t i = 0; i < n; i++) {
    const levee_verdict *v = NULL;
    want_status[i] = levee_scanner_inspect(single, &evs[i], &v);
    want_truncated[i] = 0;
    want[i].len = 0;
    if (!want_status[i]) {
      want_truncated[i] = v->truncated;
      CHECK(levee_verdict_json(v, &want[i].buf, &want[i].len, &want[i].cap) ==
            LEVEE_OK);
    }
  }
  n_called = 0;
  CHECK(levee_scanner_inspect_batch(batched, evs, n, on_verdict, NULL) ==
        LEVEE_OK);
  CHECK(n_called == n);
  return 0;
}
