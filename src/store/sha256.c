/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sha256.c: SHA-256 over libcrypto's SHA256_* functions (sha256.h says
 * why not EVP).
 */
#include "store/sha256.h"

/* The 1.1.1 interface: SHA256_* without deprecation warnings. */
#define OPENSSL_API_COMPAT 0x10101000L
#include <openssl/sha.h>
#include <string.h>

#include "levee/levee.h"

_Static_assert(sizeof(SHA256_CTX) <= sizeof(((lv_sha256 *)0)->state),
               "room for SHA256_CTX");

#define CTX(h) ((SHA256_CTX *)(void *)(h)->state)

int lv_sha256_init(lv_sha256 *h) {
  h->n = 0;
  SHA256_Init(CTX(h));
  return LEVEE_OK;
}

void lv_sha256_cleanup(lv_sha256 *h) {
  (void)h;
}

void lv_sha256_begin(lv_sha256 *h) {
  SHA256_Init(CTX(h));
  h->n = 0;
}

static void flush(lv_sha256 *h) {
  if (h->n)
    SHA256_Update(CTX(h), h->gather, h->n);
  h->n = 0;
}

/* An addition that does not fit in what is left of gather. */
void lv_sha256_add_slow(lv_sha256 *h, const void *p, size_t n) {
  flush(h);
  if (n < sizeof h->gather) {
    memcpy(h->gather, p, n);
    h->n = n;
  } else {
    SHA256_Update(CTX(h), p, n);
  }
}

void lv_sha256_end(lv_sha256 *h, uint8_t out[LV_SHA256_LEN]) {
  flush(h);
  SHA256_Final(out, CTX(h));
}

int lv_sha256_once(const void *p, size_t n, uint8_t out[LV_SHA256_LEN]) {
  lv_sha256 h;
  int rc = lv_sha256_init(&h);
  if (rc)
    return rc;
  lv_sha256_begin(&h);
  lv_sha256_add(&h, p, n);
  lv_sha256_end(&h, out);
  lv_sha256_cleanup(&h);
  return LEVEE_OK;
}
