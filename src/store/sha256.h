/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sha256.h: SHA-256 for the audit log (leaf and node hashes, record and
 * content hashes), from OpenSSL's libcrypto.
 *
 * libcrypto rather than libsodium, which levee uses for signatures: its
 * SHA-256 uses the CPU's SHA extensions and hashes a 65-byte Merkle node in
 * about 110 ns here, against 415 ns for libsodium's portable code, and
 * `levee verify` hashes four times per record (docs/ARCHITECTURE.md).
 *
 * Through libcrypto's SHA256_Init/Update/Final, which OpenSSL 3.0
 * deprecates in favour of EVP: EVP frees and allocates its provider
 * context at every init, 47 ns of the 209 a 200-byte hash takes here, and
 * with four small hashes a record that was 8% of levee verify's time. The
 * context lives in lv_sha256 and nothing is allocated. Should an OpenSSL
 * drop these functions, sha256.c is the one file to change.
 *
 * A context is reusable: begin, add bytes, end, begin again. One context
 * per thread.
 *
 * Small additions are gathered in the context and handed to libcrypto
 * together: a record's canonical bytes come as dozens of short fields, and
 * one libcrypto call per field cost more than the hashing itself.
 */
#ifndef LV_STORE_SHA256_H
#define LV_STORE_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LV_SHA256_LEN 32

#define LV_SHA256_GATHER 512

typedef struct lv_sha256 {
  uint64_t state[16]; /* libcrypto's SHA256_CTX */
  size_t n;           /* bytes waiting in gather */
  uint8_t gather[LV_SHA256_GATHER];
} lv_sha256;

/* Readies the context. Returns 0 (it allocates nothing, but callers keep
 * checking, should it ever again). */
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
