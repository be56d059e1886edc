/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accounts.h: levee's accounts and their roles (三员分立: system admin,
 * security admin, auditor), kept as records of the audit log (type
 * "account"), so that every change to an account is itself in the trail
 * that verify checks, written by whoever made it.
 *
 * A record's detail is canonical JSON:
 *   {"op":"create","name":"secadmin","role":"security-admin",
 *    "password":"$argon2id$...","must_change":true}
 * The password is kept only as an argon2id hash (libsodium's
 * crypto_pwhash_str). The accounts of a store are its account records
 * replayed in order.
 */
#ifndef LV_CLI_ACCOUNTS_H
#define LV_CLI_ACCOUNTS_H

#include <stddef.h>

#include "levee/levee.h"
#include "store/store.h"

#define LV_ACCOUNT_RECORD "account"

typedef enum lv_account_role {
  LV_ACCOUNT_SYSTEM_ADMIN = 0, /* accounts and system settings */
  LV_ACCOUNT_SECURITY_ADMIN,   /* policies, registrations, alert review */
  LV_ACCOUNT_AUDITOR,          /* reads the trail of the other two; verify */
  LV_ACCOUNT_ROLES
} lv_account_role;

/* "system-admin", "security-admin", "auditor"; and back (-1: none). */
const char *lv_account_role_name(lv_account_role r);
int lv_account_role_parse(const char *s);

/* A one-time password: 20 characters from an alphabet without look-alikes
 * (no 0/O, 1/l/I), about 100 bits; out has room for 21. */
void lv_account_new_password(char out[21]);

/* The argon2id hash of a password, in crypto_pwhash_str's form. Returns
 * LEVEE_OK or LEVEE_ENOMEM (the hash needs its memory). */
int lv_account_hash(const char *password, char out[128]);

/* Whether password matches a stored hash: 1 or 0. */
int lv_account_check(const char *hash, const char *password);

/* One account, as its records leave it. */
typedef struct lv_account {
  char name[64];
  lv_account_role role;
  char password[128]; /* hash */
  int must_change;
  uint64_t created; /* its create record */
} lv_account;

typedef int (*lv_account_fn)(void *ud, const lv_account *a);

/* The store's accounts, in the order made: to fn. Returns 0, fn's
 * nonzero, or a levee status (err says why). */
int lv_accounts_each(lv_store *st, lv_account_fn fn, void *ud,
                     levee_error *err);

/* Adds a create record for an account (name, role, hash) in st's open
 * transaction. */
int lv_account_create(lv_store *st, levee_str actor, const char *name,
                      lv_account_role role, const char *hash, uint64_t *seq,
                      levee_error *err);

#endif
