/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sha256.h: SHA-256 for the audit log (leaf and node hashes, record and
 * content hashes), from OpenSSL's libcrypto.
 *
 * libcrypto rather than libsodium, which levee uses for signatures: its
 * SHA-256 uses the CPU's SHA extensions and hashes a 65-byte Merkle node in
 * about 110 ns here, against 415 ns for libsodium's portable code, and
 * `levee verify` hashes several times per record (docs/ARCHITECTURE.md).
 *
 * A context is reusable: begin, add bytes, end, begin again. One context
 * per thread.
 *
 * Small additions are gathered in the context and handed to libcrypto
 * together: a record's canonical bytes come as dozens of short fields, and
 * one EVP_DigestUpdate per field cost more than the hashing itself.
 */
#ifndef LV_STORE_SHA256_H
#define LV_STORE_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LV_SHA256_LEN 32

#define LV_SHA256_GATHER 512

typedef struct lv_sha256 {
  void *md_ctx; /* EVP_MD_CTX, owned */
  size_t n;     /* bytes waiting in gather */
  uint8_t gather[LV_SHA256_GATHER];
} lv_sha256;

/* Allocates the context. Returns 0 or LEVEE_ENOMEM. */
int lv_sha256_init(lv_sha256 *h) __attribute__((warn_unused_result));
void lv_sha256_cleanup(lv_sha256 *h); /* accepts a cleaned-up context */

void lv_sha256_begin(lv_sha256 *h);
void lv_sha256_add_slow(lv_sha256 *h, const void *p, size_t n);
void lv_sha256_end(lv_sha256 *h, uint8_t out[LV_SHA256_LEN]);

/* Inline, so that a fixed-size addition (a field's tag) is a store. */
static inline void lv_sha256_add(lv_sha256 *h, const void *p, size_t n) {
  if (n <= sizeof h->gather - h->n) {
    if (n)
      memcpy(h->gather + h->n, p, n);
    h->n += n;
  } else {
    lv_sha256_add_slow(h, p, n);
  }
}

/* The hash of p[0..n) with a context of its own: for tests and rare use. */
int lv_sha256_once(const void *p, size_t n, uint8_t out[LV_SHA256_LEN])
    __attribute__((warn_unused_result));

#endif
