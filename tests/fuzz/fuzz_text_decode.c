/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_text_decode.c: libFuzzer target for plain-text decoding
 * (src/extract/text_decode.c).
 *
 * The input is decoded as a file (lv_text_decode) and, split at its first
 * byte, as a part labelled with a charset (lv_text_convert, with the label
 * taken from the input so odd labels reach iconv_open). Each run checks:
 * success yields valid UTF-8 within LV_MAX_TEXT_BYTES and a known encoding
 * name; failure is one of the documented statuses and leaves the OUT
 * parameters alone. One arena is reused and reset per input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract/text_decode.h"
#include "util/limits.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_text_decode: invariant failed: %s (line %d)\n",    \
              #cond, __LINE__);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static lv_arena arena;
static int ready;

static void check_text(levee_str t) {
  CHECK(t.ptr != NULL);
  CHECK(t.len <= LV_MAX_TEXT_BYTES);
  CHECK(lv_utf8_valid(t.ptr, t.len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!ready) {
    lv_arena_init(&arena, LV_MAX_ARENA_BYTES);
    ready = 1;
  }
  lv_arena_reset(&arena);
  const char *s = (const char *)data;

  levee_str out = {NULL, 0};
  const char *enc = NULL;
  levee_error err;
  int rc = lv_text_decode(s, size, &arena, &out, &enc, &err);
  if (rc == LEVEE_OK) {
    check_text(out);
    CHECK(!strcmp(enc, "utf-8") || !strcmp(enc, "utf-16le") ||
          !strcmp(enc, "utf-16be") || !strcmp(enc, "gb18030"));
  } else {
    CHECK(rc == LEVEE_EENCODING || rc == LEVEE_ETOOBIG);
    CHECK(err.status == rc);
    CHECK(out.ptr == NULL && enc == NULL);
  }

  /* First byte: label length (mod 24), then the label, then the bytes. */
  if (size == 0)
    return 0;
  size_t label_len = data[0] % 24;
  if (label_len > size - 1)
    label_len = size - 1;
  char label[24];
  memcpy(label, s + 1, label_len);
  label[label_len] = '\0';
  levee_str conv = {NULL, 0};
  rc = lv_text_convert(label_len ? label : NULL, s + 1 + label_len,
                       size - 1 - label_len, &arena, &conv, &err);
  CHECK(rc == LEVEE_OK || rc == LEVEE_ETOOBIG);
  if (rc == LEVEE_OK)
    check_text(conv);
  return 0;
}
