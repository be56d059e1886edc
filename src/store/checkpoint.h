/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checkpoint.h: signed checkpoints of the audit log.
 *
 * Every so often the store records a checkpoint: how many records (Merkle
 * leaves) the log holds, the Merkle root over them (merkle.h), the time,
 * and the hash of the checkpoint before it, signed with the store's Ed25519
 * key (signing_key.h). The signature makes a root impossible to forge
 * without the key; the prev links make the checkpoints one chain, so one
 * cannot be dropped or replaced without breaking the next. `levee verify`
 * checks each signature and link, then recomputes each root from the
 * records.
 *
 * What is signed is a canonical encoding, fixed at LV_CHECKPOINT_ENCODED_LEN
 * bytes (version 1):
 *   "levee-checkpoint-v1\n"   20 bytes, magic and version
 *   seq                        8 bytes, big-endian
 *   size                       8 bytes, big-endian
 *   root                      32 bytes
 *   time_ms                    8 bytes, big-endian two's complement
 *   prev                      32 bytes
 * The magic also separates these signatures from anything else the key
 * might sign.
 */
#ifndef LV_STORE_CHECKPOINT_H
#define LV_STORE_CHECKPOINT_H

#include <stdint.h>

#include "store/sha256.h"

#define LV_CHECKPOINT_MAGIC "levee-checkpoint-v1\n"
#define LV_CHECKPOINT_MAGIC_LEN (sizeof LV_CHECKPOINT_MAGIC - 1)
#define LV_CHECKPOINT_ENCODED_LEN                                              \
  (LV_CHECKPOINT_MAGIC_LEN + 8 + 8 + LV_SHA256_LEN + 8 + LV_SHA256_LEN)
#define LV_CHECKPOINT_SIG_LEN 64

typedef struct lv_checkpoint {
  uint64_t seq;                       /* 1, 2, ... */
  uint64_t size;                      /* leaves covered */
  uint8_t root[LV_SHA256_LEN];        /* MTH of leaves [0, size) */
  int64_t time_ms;                    /* epoch milliseconds when made */
  uint8_t prev[LV_SHA256_LEN];        /* lv_checkpoint_hash of the previous
                                         checkpoint, all zero for the first */
  uint8_t sig[LV_CHECKPOINT_SIG_LEN]; /* Ed25519 over the encoding */
} lv_checkpoint;

/* Writes the canonical encoding of everything but sig to out. */
void lv_checkpoint_encode(const lv_checkpoint *c,
                          uint8_t out[LV_CHECKPOINT_ENCODED_LEN]);

/* Signs c's encoding with an Ed25519 secret key (libsodium's 64-byte form,
 * borrowed) and stores the signature in c->sig. Returns 0, or LEVEE_ENOMEM
 * if libsodium cannot initialise. */
int lv_checkpoint_sign(lv_checkpoint *c, const uint8_t secret_key[64])
    __attribute__((warn_unused_result));

/* Checks c->sig against c's encoding and public_key (borrowed). Returns 0
 * when the signature is good; LEVEE_ETAMPER when it is not: a field changed
 * since signing, another key signed it, or public_key is not a valid
 * Ed25519 point. LEVEE_ENOMEM if libsodium cannot initialise. */
int lv_checkpoint_check(const lv_checkpoint *c, const uint8_t public_key[32])
    __attribute__((warn_unused_result));

/* The chain link: SHA-256(encoding || sig), what the next checkpoint's prev
 * holds. h is a scratch context (borrowed). */
void lv_checkpoint_hash(lv_sha256 *h, const lv_checkpoint *c,
                        uint8_t out[LV_SHA256_LEN]);

#endif
