/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth.h: who is calling levee serve: accounts signed in with a password
 * (a session: an HttpOnly, SameSite=Strict cookie, and a CSRF token that
 * every request that changes something must echo in X-CSRF-Token), and
 * integrations with a bearer API token (Authorization: Bearer lvt_...).
 *
 * The accounts and tokens are the store's (store/accounts.h), loaded when
 * the server starts and updated by the API as it records changes. Sessions
 * live in memory only: a restart signs everyone out.
 *
 * Bounds: LV_MAX_SESSIONS at once (the one idle longest makes room); a
 * session ends after LV_SESSION_IDLE_MS without use or LV_SESSION_MAX_MS
 * in all; an account whose password is wrong LV_LOGIN_FAILURES times in a
 * row is refused for LV_LOGIN_LOCK_MS; and at most LV_LOGIN_CONCURRENT
 * password checks run at once (each argon2id check takes 64 MiB for a
 * tenth of a second), so a flood of sign-ins gets 503, not the server's
 * memory.
 */
#ifndef LV_NET_AUTH_H
#define LV_NET_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"
#include "store/accounts.h"

typedef struct lv_auth lv_auth;

#define LV_SESSION_IDLE_MS (30LL * 60 * 1000)
#define LV_SESSION_MAX_MS (12LL * 3600 * 1000)
#define LV_LOGIN_FAILURES 5
#define LV_LOGIN_LOCK_MS (5LL * 60 * 1000)
#define LV_LOGIN_CONCURRENT 2
#define LV_SESSION_COOKIE "levee_session"

/* Who a request comes from. */
typedef struct lv_principal {
  char name[64]; /* the account, or the token's name */
  lv_account_role role;
  int token;       /* 1: a bearer token; 0: a session */
  int must_change; /* a session whose one-time password is not changed */
  char via[80];    /* "session" or "token:NAME", for the audit trail */
} lv_principal;

int lv_auth_new(lv_auth **out) __attribute__((warn_unused_result));
void lv_auth_free(lv_auth *a); /* accepts NULL */

/* Sets an account as the store's records leave it (adds or replaces). */
int lv_auth_put_account(lv_auth *a, const lv_account *acc)
    __attribute__((warn_unused_result));
/* Adds a token, or marks it revoked. */
int lv_auth_put_token(lv_auth *a, const lv_api_token *t)
    __attribute__((warn_unused_result));

/* A copy of the account name; LEVEE_ENOTFOUND when there is none. */
int lv_auth_account(lv_auth *a, const char *name, lv_account *out);
/* The accounts, in the order made; fn's nonzero stops. */
int lv_auth_each_account(lv_auth *a, lv_account_fn fn, void *ud);
int lv_auth_each_token(lv_auth *a, lv_api_token_fn fn, void *ud);

typedef enum lv_login_result {
  LV_LOGIN_OK,
  LV_LOGIN_WRONG,    /* no such account, or a wrong password */
  LV_LOGIN_DISABLED, /* the account is disabled */
  LV_LOGIN_LOCKED,   /* too many wrong passwords: wait */
  LV_LOGIN_BUSY      /* too many checks at once: try again */
} lv_login_result;

/* Checks a password (constant work whether or not the account exists). On
 * LV_LOGIN_OK with session_out, opens a session: its id (the cookie's
 * value, 43 characters) and CSRF token into session_out and csrf_out (room
 * for 44 each). *who is filled on LV_LOGIN_OK. */
lv_login_result lv_auth_login(lv_auth *a, const char *name,
                              const char *password, char *session_out,
                              char *csrf_out, lv_principal *who,
                              int64_t now_ms);

/* The session of a cookie value: LEVEE_OK with *who (and, with csrf_out,
 * its CSRF token), or LEVEE_ENOTFOUND when there is none (or it expired,
 * or its account was disabled). Marks it used. */
int lv_auth_session(lv_auth *a, const char *cookie, lv_principal *who,
                    char *csrf_out, int64_t now_ms);

/* Whether csrf is the session's CSRF token: 1 or 0. */
int lv_auth_csrf_ok(lv_auth *a, const char *cookie, const char *csrf);

/* Ends a session (and, with all, every session of its account). */
void lv_auth_logout(lv_auth *a, const char *cookie);
/* Ends every session of an account (after a password reset or disable). */
void lv_auth_end_sessions(lv_auth *a, const char *account);

/* After its password change: the session no longer must change it. */
void lv_auth_session_changed(lv_auth *a, const char *cookie);

/* A bearer token: LEVEE_OK with *who, or LEVEE_ENOTFOUND. */
int lv_auth_token(lv_auth *a, const char *token, size_t len, lv_principal *who);

/* Sessions open now. */
size_t lv_auth_sessions(lv_auth *a);

#endif
