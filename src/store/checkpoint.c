/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checkpoint.c: encoding, signing, checking and chaining checkpoints
 * (checkpoint.h). Signatures are libsodium's Ed25519.
 */
#include "store/checkpoint.h"

#include <sodium.h>
#include <string.h>

#include "levee/levee.h"

_Static_assert(LV_CHECKPOINT_SIG_LEN == crypto_sign_BYTES,
               "checkpoint signatures are Ed25519");
_Static_assert(LV_CHECKPOINT_ENCODED_LEN == 108,
               "the v1 encoding is fixed; a change needs a new version");

static uint8_t *put_u64(uint8_t *p, uint64_t v) {
  for (int i = 7; i >= 0; i--) {
    p[i] = (uint8_t)(v & 0xff);
    v >>= 8;
  }
  return p + 8;
}

static uint8_t *put_bytes(uint8_t *p, const void *src, size_t n) {
  memcpy(p, src, n);
  return p + n;
}

void lv_checkpoint_encode(const lv_checkpoint *c,
                          uint8_t out[LV_CHECKPOINT_ENCODED_LEN]) {
  uint8_t *p = out;
  p = put_bytes(p, LV_CHECKPOINT_MAGIC, LV_CHECKPOINT_MAGIC_LEN);
  p = put_u64(p, c->seq);
  p = put_u64(p, c->size);
  p = put_bytes(p, c->root, LV_SHA256_LEN);
  /* Conversion to unsigned is defined (modulo 2^64): two's complement. */
  p = put_u64(p, (uint64_t)c->time_ms);
  put_bytes(p, c->prev, LV_SHA256_LEN);
}

int lv_checkpoint_sign(lv_checkpoint *c, const uint8_t secret_key[64]) {
  if (sodium_init() < 0)
    return LEVEE_ENOMEM;
  uint8_t msg[LV_CHECKPOINT_ENCODED_LEN];
  lv_checkpoint_encode(c, msg);
  /* Cannot fail for a 64-byte key; checked all the same. */
  if (crypto_sign_detached(c->sig, NULL, msg, sizeof msg, secret_key) != 0)
    return LEVEE_EINVAL;
  return LEVEE_OK;
}

int lv_checkpoint_check(const lv_checkpoint *c, const uint8_t public_key[32]) {
  if (sodium_init() < 0)
    return LEVEE_ENOMEM;
  uint8_t msg[LV_CHECKPOINT_ENCODED_LEN];
  lv_checkpoint_encode(c, msg);
  if (crypto_sign_verify_detached(c->sig, msg, sizeof msg, public_key) != 0)
    return LEVEE_ETAMPER;
  return LEVEE_OK;
}

void lv_checkpoint_hash(lv_sha256 *h, const lv_checkpoint *c,
                        uint8_t out[LV_SHA256_LEN]) {
  uint8_t msg[LV_CHECKPOINT_ENCODED_LEN];
  lv_checkpoint_encode(c, msg);
  lv_sha256_begin(h);
  lv_sha256_add(h, msg, sizeof msg);
  lv_sha256_add(h, c->sig, sizeof c->sig);
  lv_sha256_end(h, out);
}
