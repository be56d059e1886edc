/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_registration.c: libFuzzer target for reading a registration's
 * record detail (lv_cli_registration_parse, src/cli/registration_detail.c),
 * whose bytes come from the audit store: a store someone tampered with, or
 * one a newer levee wrote, may hold anything there.
 *
 * Any bytes go in as a detail. Besides the sanitizers' checks (the input is
 * an exact-size heap copy), every run verifies and aborts on a violation:
 *   - on success, kind, sha256 and label are there; a document has between
 *     1 and LV_MAX_REGISTERED_FINGERPRINTS fingerprints, an image 1 to
 *     LV_PHASH_VARIANTS hashes and at most LV_MAX_REGISTERED_FINGERPRINTS
 *     fingerprints of its text;
 *   - each fingerprint and hash, written back as 16 hex digits, is found in
 *     the input (nothing is made up);
 *   - on failure, the error says why (a message) and has a status.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/registrations.h"
#include "util/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_registration: invariant failed: %s (line %d)\n",   \
              #cond, __LINE__);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static int in_input(const char *in, size_t n, uint64_t v) {
  char hex[17];
  lv_cli_hex64(v, hex);
  return memmem(in, n, hex, 16) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *in = malloc(size ? size : 1);
  if (!in)
    return 0;
  memcpy(in, data, size);
  lv_json_doc doc;
  lv_json_doc_init(&doc);
  lv_arena a;
  lv_arena_init(&a, (size_t)64 << 20);
  lv_cli_registration r;
  levee_error err = {0};
  int rc = lv_cli_registration_parse(&doc, (levee_str){in, size}, &a, &r, &err);
  if (rc == 0) {
    CHECK(r.sha256.ptr && r.label.ptr);
    CHECK(r.n_fingerprints <= LV_MAX_REGISTERED_FINGERPRINTS);
    if (r.is_image) {
      CHECK(r.n_phash >= 1 && r.n_phash <= LV_PHASH_VARIANTS);
      for (size_t i = 0; i < r.n_phash; i++)
        CHECK(in_input(in, size, r.phash[i]));
    } else {
      CHECK(r.n_fingerprints >= 1);
    }
    for (size_t i = 0; i < r.n_fingerprints; i++)
      CHECK(in_input(in, size, r.fingerprints[i]));
  } else {
    CHECK(rc < 0 && err.status == rc && err.message[0]);
  }
  lv_arena_cleanup(&a);
  lv_json_doc_cleanup(&doc);
  free(in);
  return 0;
}
