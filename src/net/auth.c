/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth.c: accounts, API tokens and sessions of levee serve (auth.h).
 *
 * Tokens are found by their SHA-256 in an open-addressed table (a bearer
 * token comes with every integration request, tens of thousands a second);
 * sessions, used by people at a console, by a scan of the open ones.
 * Session ids and CSRF tokens are 32 random bytes in base64url; only the
 * SHA-256 of a session id is kept.
 */
#include "net/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/limits.h"

#define TOKEN_SLOTS 32768u /* a power of two, past twice LV_MAX_TOKENS */
_Static_assert(TOKEN_SLOTS >= 2 * LV_MAX_TOKENS, "a sparse table");

typedef struct account_entry {
  lv_account acc;
  int failures;
  int64_t locked_until;
} account_entry;

typedef struct session {
  int used;
  uint8_t id_hash[32];
  char csrf[44];
  char account[64];
  lv_account_role role;
  int must_change;
  int64_t created, last;
} session;

struct lv_auth {
  pthread_rwlock_t lock; /* accounts and tokens */
  account_entry *accounts;
  size_t n_accounts, cap_accounts;
  lv_api_token *tokens;
  size_t n_tokens, cap_tokens;
  uint32_t *slots; /* token index + 1, or 0 */

  pthread_mutex_t smu; /* sessions */
  session *sessions;

  atomic_int checking; /* password checks running */
  pthread_mutex_t dummy_mu;
  char dummy[128]; /* a hash to check unknown names against */
};

int lv_auth_new(lv_auth **out) {
  if (sodium_init() < 0)
    return LEVEE_ENOMEM;
  lv_auth *a = calloc(1, sizeof *a);
  if (!a)
    return LEVEE_ENOMEM;
  a->slots = calloc(TOKEN_SLOTS, sizeof *a->slots);
  a->sessions = calloc(LV_MAX_SESSIONS, sizeof *a->sessions);
  if (!a->slots || !a->sessions) {
    free(a->slots);
    free(a->sessions);
    free(a);
    return LEVEE_ENOMEM;
  }
  pthread_rwlock_init(&a->lock, NULL);
  pthread_mutex_init(&a->smu, NULL);
  pthread_mutex_init(&a->dummy_mu, NULL);
  *out = a;
  return LEVEE_OK;
}

void lv_auth_free(lv_auth *a) {
  if (!a)
    return;
  if (a->accounts)
    sodium_memzero(a->accounts, a->cap_accounts * sizeof *a->accounts);
  sodium_memzero(a->sessions, LV_MAX_SESSIONS * sizeof *a->sessions);
  free(a->accounts);
  free(a->tokens);
  free(a->slots);
  free(a->sessions);
  pthread_rwlock_destroy(&a->lock);
  pthread_mutex_destroy(&a->smu);
  pthread_mutex_destroy(&a->dummy_mu);
  free(a);
}

/* --- accounts and tokens -------------------------------------------------- */

static account_entry *find_account(lv_auth *a, const char *name) {
  for (size_t i = 0; i < a->n_accounts; i++)
    if (!strcmp(a->accounts[i].acc.name, name))
      return &a->accounts[i];
  return NULL;
}

int lv_auth_put_account(lv_auth *a, const lv_account *acc) {
  int rc = LEVEE_OK;
  pthread_rwlock_wrlock(&a->lock);
  account_entry *e = find_account(a, acc->name);
  if (!e) {
    if (a->n_accounts == a->cap_accounts) {
      size_t cap = a->cap_accounts ? a->cap_accounts * 2 : 16;
      account_entry *v =
          cap <= LV_MAX_ACCOUNTS ? realloc(a->accounts, cap * sizeof *v) : NULL;
      if (!v) {
        rc = cap <= LV_MAX_ACCOUNTS ? LEVEE_ENOMEM : LEVEE_ETOOBIG;
        goto out;
      }
      a->accounts = v;
      a->cap_accounts = cap;
    }
    e = &a->accounts[a->n_accounts++];
    memset(e, 0, sizeof *e);
  }
  e->acc = *acc;
out:
  pthread_rwlock_unlock(&a->lock);
  return rc;
}

int lv_auth_account(lv_auth *a, const char *name, lv_account *out) {
  pthread_rwlock_rdlock(&a->lock);
  account_entry *e = find_account(a, name);
  if (e)
    *out = e->acc;
  pthread_rwlock_unlock(&a->lock);
  return e ? LEVEE_OK : LEVEE_ENOTFOUND;
}

int lv_auth_each_account(lv_auth *a, lv_account_fn fn, void *ud) {
  int rc = 0;
  pthread_rwlock_rdlock(&a->lock);
  for (size_t i = 0; rc == 0 && i < a->n_accounts; i++)
    rc = fn(ud, &a->accounts[i].acc);
  pthread_rwlock_unlock(&a->lock);
  return rc;
}

int lv_auth_each_token(lv_auth *a, lv_api_token_fn fn, void *ud) {
  int rc = 0;
  pthread_rwlock_rdlock(&a->lock);
  for (size_t i = 0; rc == 0 && i < a->n_tokens; i++)
    rc = fn(ud, &a->tokens[i]);
  pthread_rwlock_unlock(&a->lock);
  return rc;
}

static uint32_t slot_of(const uint8_t hash[32]) {
  uint32_t h;
  memcpy(&h, hash, sizeof h);
  return h & (TOKEN_SLOTS - 1);
}

/* The token whose hash this is, or NULL; under the lock. */
static lv_api_token *find_token(lv_auth *a, const uint8_t hash[32]) {
  for (uint32_t i = slot_of(hash), n = 0; n < TOKEN_SLOTS;
       i = (i + 1) & (TOKEN_SLOTS - 1), n++) {
    if (!a->slots[i])
      return NULL;
    lv_api_token *t = &a->tokens[a->slots[i] - 1];
    if (!memcmp(t->hash, hash, 32))
      return t;
  }
  return NULL;
}

int lv_auth_put_token(lv_auth *a, const lv_api_token *t) {
  int rc = LEVEE_OK;
  pthread_rwlock_wrlock(&a->lock);
  lv_api_token *old = find_token(a, t->hash);
  if (old) {
    *old = *t;
    goto out;
  }
  /* A revoked token's name may be given to a new one: the old entry
   * stays, revoked, found by its own hash. */
  if (a->n_tokens == a->cap_tokens) {
    size_t cap = a->cap_tokens ? a->cap_tokens * 2 : 16;
    lv_api_token *v =
        cap <= LV_MAX_TOKENS ? realloc(a->tokens, cap * sizeof *v) : NULL;
    if (!v) {
      rc = cap <= LV_MAX_TOKENS ? LEVEE_ENOMEM : LEVEE_ETOOBIG;
      goto out;
    }
    a->tokens = v;
    a->cap_tokens = cap;
  }
  a->tokens[a->n_tokens] = *t;
  uint32_t i = slot_of(t->hash);
  while (a->slots[i])
    i = (i + 1) & (TOKEN_SLOTS - 1);
  a->slots[i] = (uint32_t)++a->n_tokens;
out:
  pthread_rwlock_unlock(&a->lock);
  return rc;
}

int lv_auth_token(lv_auth *a, const char *token, size_t len,
                  lv_principal *who) {
  if (len != LV_TOKEN_LEN || memcmp(token, LV_TOKEN_PREFIX, 4) != 0)
    return LEVEE_ENOTFOUND;
  uint8_t hash[32];
  lv_api_token_hash(token, len, hash);
  int rc = LEVEE_ENOTFOUND;
  pthread_rwlock_rdlock(&a->lock);
  lv_api_token *t = find_token(a, hash);
  if (t && !t->revoked) {
    /* A person's token is as good as its owner: not when disabled. */
    account_entry *owner =
        t->role == LV_ROLE_INTEGRATION ? NULL : find_account(a, t->owner);
    if (t->role == LV_ROLE_INTEGRATION ||
        (owner && !owner->acc.disabled && owner->acc.role == t->role)) {
      memset(who, 0, sizeof *who);
      memcpy(who->name, t->role == LV_ROLE_INTEGRATION ? t->name : t->owner,
             sizeof who->name);
      who->role = t->role;
      who->token = 1;
      snprintf(who->via, sizeof who->via, "token:%s", t->name);
      rc = LEVEE_OK;
    }
  }
  pthread_rwlock_unlock(&a->lock);
  return rc;
}

/* --- sessions ------------------------------------------------------------- */

static void random_b64(char out[44]) {
  uint8_t raw[32];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(out, 44, raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void id_hash(const char *cookie, uint8_t out[32]) {
  crypto_hash_sha256(out, (const unsigned char *)cookie, strlen(cookie));
}

/* The live session of a cookie, or NULL; under smu. Ends it when it
 * expired. */
static session *find_session(lv_auth *a, const char *cookie, int64_t now) {
  if (!cookie || strlen(cookie) != 43)
    return NULL;
  uint8_t h[32];
  id_hash(cookie, h);
  for (size_t i = 0; i < LV_MAX_SESSIONS; i++) {
    session *s = &a->sessions[i];
    if (!s->used || sodium_memcmp(s->id_hash, h, 32))
      continue;
    if (now - s->last > LV_SESSION_IDLE_MS ||
        now - s->created > LV_SESSION_MAX_MS) {
      sodium_memzero(s, sizeof *s);
      return NULL;
    }
    return s;
  }
  return NULL;
}

static void open_session(lv_auth *a, const lv_account *acc, char *id_out,
                         char *csrf_out, int64_t now) {
  pthread_mutex_lock(&a->smu);
  session *s = NULL, *oldest = &a->sessions[0];
  for (size_t i = 0; i < LV_MAX_SESSIONS && !s; i++) {
    session *c = &a->sessions[i];
    if (!c->used || now - c->last > LV_SESSION_IDLE_MS ||
        now - c->created > LV_SESSION_MAX_MS)
      s = c;
    else if (c->last < oldest->last)
      oldest = c;
  }
  if (!s)
    s = oldest;
  memset(s, 0, sizeof *s);
  random_b64(id_out);
  random_b64(s->csrf);
  memcpy(csrf_out, s->csrf, 44);
  id_hash(id_out, s->id_hash);
  memcpy(s->account, acc->name, sizeof s->account);
  s->role = acc->role;
  s->must_change = acc->must_change;
  s->created = s->last = now;
  s->used = 1;
  pthread_mutex_unlock(&a->smu);
}

static const char *dummy_hash(lv_auth *a) {
  pthread_mutex_lock(&a->dummy_mu);
  if (!a->dummy[0]) {
    char pw[21];
    lv_account_new_password(pw);
    if (lv_account_hash(pw, a->dummy))
      a->dummy[0] = '\0';
  }
  pthread_mutex_unlock(&a->dummy_mu);
  return a->dummy;
}

lv_login_result lv_auth_login(lv_auth *a, const char *name,
                              const char *password, char *session_out,
                              char *csrf_out, lv_principal *who,
                              int64_t now_ms) {
  if (atomic_fetch_add(&a->checking, 1) >= LV_LOGIN_CONCURRENT) {
    atomic_fetch_sub(&a->checking, 1);
    return LV_LOGIN_BUSY;
  }
  lv_account acc;
  int found = 0, locked = 0;
  pthread_rwlock_rdlock(&a->lock);
  account_entry *e = find_account(a, name);
  if (e) {
    found = 1;
    acc = e->acc;
    locked = e->locked_until > now_ms;
  }
  pthread_rwlock_unlock(&a->lock);
  lv_login_result r;
  if (locked) {
    r = LV_LOGIN_LOCKED;
    goto out;
  }
  /* The same work for a name that is not an account. */
  int ok =
      lv_account_check(found ? acc.password : dummy_hash(a), password) && found;
  pthread_rwlock_wrlock(&a->lock);
  if ((e = find_account(a, name))) {
    if (ok) {
      e->failures = 0;
    } else if (++e->failures >= LV_LOGIN_FAILURES) {
      e->failures = 0;
      e->locked_until = now_ms + LV_LOGIN_LOCK_MS;
    }
  }
  pthread_rwlock_unlock(&a->lock);
  if (!ok) {
    r = LV_LOGIN_WRONG;
  } else if (acc.disabled) {
    r = LV_LOGIN_DISABLED;
  } else {
    r = LV_LOGIN_OK;
    if (session_out)
      open_session(a, &acc, session_out, csrf_out, now_ms);
    memset(who, 0, sizeof *who);
    memcpy(who->name, acc.name, sizeof who->name);
    who->role = acc.role;
    who->must_change = acc.must_change;
    snprintf(who->via, sizeof who->via, "session");
  }
out:
  if (found)
    sodium_memzero(&acc, sizeof acc);
  atomic_fetch_sub(&a->checking, 1);
  return r;
}

int lv_auth_session(lv_auth *a, const char *cookie, lv_principal *who,
                    char *csrf_out, int64_t now_ms) {
  pthread_mutex_lock(&a->smu);
  session *s = find_session(a, cookie, now_ms);
  if (!s) {
    pthread_mutex_unlock(&a->smu);
    return LEVEE_ENOTFOUND;
  }
  s->last = now_ms;
  memset(who, 0, sizeof *who);
  memcpy(who->name, s->account, sizeof who->name);
  who->role = s->role;
  who->must_change = s->must_change;
  snprintf(who->via, sizeof who->via, "session");
  if (csrf_out)
    memcpy(csrf_out, s->csrf, 44);
  pthread_mutex_unlock(&a->smu);
  return LEVEE_OK;
}

int lv_auth_csrf_ok(lv_auth *a, const char *cookie, const char *csrf) {
  if (!csrf || strlen(csrf) != 43)
    return 0;
  pthread_mutex_lock(&a->smu);
  session *s = find_session(a, cookie, INT64_MIN / 2);
  int ok = s && sodium_memcmp(s->csrf, csrf, 43) == 0;
  pthread_mutex_unlock(&a->smu);
  return ok;
}

void lv_auth_logout(lv_auth *a, const char *cookie) {
  pthread_mutex_lock(&a->smu);
  session *s = find_session(a, cookie, INT64_MIN / 2);
  if (s)
    sodium_memzero(s, sizeof *s);
  pthread_mutex_unlock(&a->smu);
}

void lv_auth_end_sessions(lv_auth *a, const char *account) {
  pthread_mutex_lock(&a->smu);
  for (size_t i = 0; i < LV_MAX_SESSIONS; i++)
    if (a->sessions[i].used && !strcmp(a->sessions[i].account, account))
      sodium_memzero(&a->sessions[i], sizeof a->sessions[i]);
  pthread_mutex_unlock(&a->smu);
}

void lv_auth_session_changed(lv_auth *a, const char *cookie) {
  pthread_mutex_lock(&a->smu);
  session *s = find_session(a, cookie, INT64_MIN / 2);
  if (s)
    s->must_change = 0;
  pthread_mutex_unlock(&a->smu);
}

size_t lv_auth_sessions(lv_auth *a) {
  size_t n = 0;
  pthread_mutex_lock(&a->smu);
  for (size_t i = 0; i < LV_MAX_SESSIONS; i++)
    n += a->sessions[i].used != 0;
  pthread_mutex_unlock(&a->smu);
  return n;
}
