/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accounts.h: levee's accounts, their roles (三员分立: system admin,
 * security admin, auditor) and the API tokens of integrations, kept as
 * records of the audit log, so that every change to an account or a token
 * is itself in the trail that verify checks, written by whoever made it.
 *
 * An account record (type "account") has canonical JSON detail:
 *   {"op":"create","name":"secadmin","role":"security-admin",
 *    "password":"$argon2id$...","must_change":true}
 *   {"op":"password","name":...,"password":...,"must_change":false}
 *   {"op":"reset","name":...,"password":...,"must_change":true}
 *   {"op":"disable","name":...}   {"op":"enable","name":...}
 * Passwords are kept only as argon2id hashes (libsodium's
 * crypto_pwhash_str). A token record (type "token"):
 *   {"op":"create","name":"im-gateway","role":"integration",
 *    "owner":"sysadmin","hash":"<SHA-256 of the token, hex>"}
 *   {"op":"revoke","name":"im-gateway"}
 * A token is 32 random bytes; only its SHA-256 is kept (a slow hash buys
 * nothing for a secret with 256 bits of entropy, and a token is checked on
 * every request). The accounts and tokens of a store are their records
 * replayed in order.
 */
#ifndef LV_STORE_ACCOUNTS_H
#define LV_STORE_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"
#include "store/store.h"
#include "util/buf.h"

#define LV_ACCOUNT_RECORD "account"
#define LV_TOKEN_RECORD "token"

typedef enum lv_account_role {
  LV_ACCOUNT_SYSTEM_ADMIN = 0, /* accounts and system settings */
  LV_ACCOUNT_SECURITY_ADMIN,   /* policies, registrations, alert review */
  LV_ACCOUNT_AUDITOR,          /* reads the trail of the other two; verify */
  LV_ACCOUNT_ROLES,
  /* Not an account's: an integration's token (inspect and send events). */
  LV_ROLE_INTEGRATION = LV_ACCOUNT_ROLES,
  LV_ROLES
} lv_account_role;

/* "system-admin", "security-admin", "auditor", "integration"; and back
 * (-1: none). lv_account_role_parse takes only the three of accounts. */
const char *lv_account_role_name(lv_account_role r);
int lv_account_role_parse(const char *s);
int lv_role_parse(const char *s);

/* Account and token names: 1 to 63 of [a-z0-9._-], starting with a letter
 * or digit. 1 or 0. */
int lv_account_name_ok(const char *s);

/* A one-time password: 20 characters from an alphabet without look-alikes
 * (no 0/O, 1/l/I), about 100 bits; out has room for 21. */
void lv_account_new_password(char out[21]);

/* What a new password must be: 12 to 256 bytes with no NUL; NULL when it
 * is acceptable, or why not. */
const char *lv_account_password_problem(const char *password);

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
  int disabled;
  uint64_t created; /* its create record */
} lv_account;

typedef int (*lv_account_fn)(void *ud, const lv_account *a);

/* The store's accounts, in the order made: to fn. Returns 0, fn's
 * nonzero, or a levee status (err says why). */
int lv_accounts_each(lv_store *st, lv_account_fn fn, void *ud,
                     levee_error *err);

/* Adds an account record in st's open transaction. op is "create",
 * "password", "reset", "disable" or "enable"; role is used by create,
 * hash by create, password and reset (NULL otherwise). */
int lv_account_record(lv_store *st, levee_str actor, const char *op,
                      const char *name, lv_account_role role, const char *hash,
                      uint64_t *seq, levee_error *err);

/* lv_account_record(st, actor, "create", ...). */
int lv_account_create(lv_store *st, levee_str actor, const char *name,
                      lv_account_role role, const char *hash, uint64_t *seq,
                      levee_error *err);

/* The canonical detail of an account record, into out. */
int lv_account_detail(const char *op, const char *name, lv_account_role role,
                      const char *hash, lv_buf *out);

/* --- API tokens ---------------------------------------------------------- */

#define LV_TOKEN_PREFIX "lvt_"
#define LV_TOKEN_LEN 47 /* "lvt_" and 43 base64url characters */

typedef struct lv_api_token {
  char name[64];
  lv_account_role role; /* LV_ROLE_INTEGRATION, or its owner's role */
  char owner[64];       /* the account that made it */
  uint8_t hash[32];
  int revoked;
  uint64_t created;
} lv_api_token;

typedef int (*lv_api_token_fn)(void *ud, const lv_api_token *t);

/* A new token into out (room for LV_TOKEN_LEN + 1). */
void lv_api_token_new(char out[LV_TOKEN_LEN + 1]);

/* The SHA-256 of a token as presented. */
void lv_api_token_hash(const char *token, size_t len, uint8_t out[32]);

/* The store's tokens (revoked ones too), in the order made. */
int lv_api_tokens_each(lv_store *st, lv_api_token_fn fn, void *ud,
                       levee_error *err);

/* The canonical detail of a token record ("create": all of it; "revoke":
 * the name), into out. */
int lv_api_token_detail(const char *op, const char *name, lv_account_role role,
                        const char *owner, const uint8_t hash[32], lv_buf *out);

#endif
