/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sha256.c: SHA-256 over OpenSSL's EVP interface (sha256.h).
 */
#include "store/sha256.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

#include "levee/levee.h"

/* Fetched once: looking the digest up on every begin costs more than
 * hashing a Merkle node. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_md(void) {
  sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

int lv_sha256_init(lv_sha256 *h) {
  h->md_ctx = NULL;
  h->n = 0;
  pthread_once(&sha256_once, fetch_md);
  if (!sha256_md)
    return LEVEE_ENOMEM;
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  if (!c)
    return LEVEE_ENOMEM;
  if (!EVP_DigestInit_ex2(c, sha256_md, NULL)) {
    EVP_MD_CTX_free(c);
    return LEVEE_ENOMEM;
  }
  h->md_ctx = c;
  return LEVEE_OK;
}

void lv_sha256_cleanup(lv_sha256 *h) {
  EVP_MD_CTX_free(h->md_ctx);
  h->md_ctx = NULL;
}

/* With the digest fetched and a context made, these cannot fail. */
void lv_sha256_begin(lv_sha256 *h) {
  (void)EVP_DigestInit_ex2(h->md_ctx, NULL, NULL);
  h->n = 0;
}

static void flush(lv_sha256 *h) {
  if (h->n)
    (void)EVP_DigestUpdate(h->md_ctx, h->gather, h->n);
  h->n = 0;
}

/* An addition that does not fit in what is left of gather. */
void lv_sha256_add_slow(lv_sha256 *h, const void *p, size_t n) {
  flush(h);
  if (n < sizeof h->gather) {
    memcpy(h->gather, p, n);
    h->n = n;
  } else {
    (void)EVP_DigestUpdate(h->md_ctx, p, n);
  }
}

void lv_sha256_end(lv_sha256 *h, uint8_t out[LV_SHA256_LEN]) {
  unsigned int len = LV_SHA256_LEN;
  flush(h);
  (void)EVP_DigestFinal_ex(h->md_ctx, out, &len);
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
