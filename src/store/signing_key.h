/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signing_key.h: the Ed25519 key that signs the audit log's checkpoints
 * (checkpoint.h), kept in a file of its own, apart from the data, so that
 * someone who can rewrite the store cannot also re-sign it.
 *
 * The first start creates the key; later starts load it. The file is small
 * text, written once, mode 0600:
 *   levee-signing-key-v1\n
 *   public <64 lowercase hex digits>\n
 *   secret <128 lowercase hex digits>\n
 * The secret is libsodium's 64-byte form: the 32-byte seed, then the public
 * key. A file that others may read or write, that is malformed, of another
 * version, or whose halves disagree, is refused rather than used.
 */
#ifndef LV_STORE_SIGNING_KEY_H
#define LV_STORE_SIGNING_KEY_H

#include <stdint.h>

#include "levee/levee.h"

#define LV_SIGNING_KEY_PUBLIC_LEN 32
#define LV_SIGNING_KEY_SECRET_LEN 64

typedef struct lv_signing_key {
  uint8_t public[LV_SIGNING_KEY_PUBLIC_LEN];
  uint8_t secret[LV_SIGNING_KEY_SECRET_LEN];
} lv_signing_key;

/* Loads the key file at path, or creates it (and any missing parent
 * directories, mode 0700) if there is none. *created (may be NULL) is set
 * to 1 when this call made the key, 0 when it loaded one; when several
 * processes race to create the same file, one wins and the others load its
 * key. out and *created are written only on success; the caller wipes out
 * with lv_signing_key_wipe when done. Returns 0, LEVEE_EIO (with errno's
 * text), LEVEE_EINVAL (permissions too open, mismatched halves, not a
 * regular file), LEVEE_ESYNTAX (malformed or of another version) or
 * LEVEE_ENOMEM (libsodium cannot initialise); err gets the reason. */
int lv_signing_key_load_or_create(const char *path, lv_signing_key *out,
                                  int *created, levee_error *err)
    __attribute__((warn_unused_result));

/* Reads only the public key from the key file at path, for verifying; the
 * file's permissions are not checked. Returns 0, LEVEE_ENOTFOUND if there is
 * no file, or the errors of lv_signing_key_load_or_create. pub is written
 * only on success. */
int lv_signing_key_load_public(const char *path,
                               uint8_t pub[LV_SIGNING_KEY_PUBLIC_LEN],
                               levee_error *err)
    __attribute__((warn_unused_result));

/* pub as 64 lowercase hex digits and a NUL. */
void lv_signing_key_hex(const uint8_t pub[LV_SIGNING_KEY_PUBLIC_LEN],
                        char out[2 * LV_SIGNING_KEY_PUBLIC_LEN + 1]);

/* Zeroes k (a compiler cannot drop it). */
void lv_signing_key_wipe(lv_signing_key *k);

#endif
