/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_accounts.c: signing in and out, and the accounts and API tokens of
 * levee serve's API (auth.h, store/accounts.h):
 *
 *   POST   /v1/session           {"name","password"}: a session cookie
 *                                (HttpOnly, SameSite=Strict; Secure over
 *                                HTTPS) and its CSRF token
 *   GET    /v1/session           who is signed in, and the CSRF token
 *   DELETE /v1/session           signs out
 *   POST   /v1/session/password  {"old","new"}: the account's own password
 *   GET    /v1/accounts          the accounts (system admin)
 *   POST   /v1/accounts          {"name","role"}: a new account, with a
 *                                one-time password in the answer
 *   POST   /v1/accounts/{name}/disable | enable | reset
 *   GET    /v1/tokens            tokens: all (system admin), or one's own
 *   POST   /v1/tokens            {"name","role"}: a token, shown once; role
 *                                "integration" (system admin only), or the
 *                                caller's own role (a token of one's own)
 *   DELETE /v1/tokens/{name}     revokes one (its owner, or the system admin
 *                                for integrations)
 *
 * Every change is a record of the audit trail (an account or token
 * record, written with the call's access record in one transaction), and
 * the server's accounts change only once it is committed. A sign-in,
 * whether it succeeds or not, is a "login" record naming the account
 * tried and the address.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "net/api_int.h"
#include "store/accounts.h"

/* --- sessions ------------------------------------------------------------- */

static void session_cookie(lv_call *c, const char *id, int max_age) {
  snprintf(c->rs->set_cookie, sizeof c->rs->set_cookie,
           "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
           LV_SESSION_COOKIE, id, max_age, c->rq->tls ? "; Secure" : "");
}

static void who_json(lv_jw *w, const lv_principal *who, const char *csrf) {
  lv_jw_object_begin(w);
  lv_jw_key(w, "name");
  lv_jw_cstring(w, who->name);
  lv_jw_key(w, "role");
  lv_jw_cstring(w, lv_account_role_name(who->role));
  lv_jw_key(w, "via");
  lv_jw_cstring(w, who->via);
  lv_jw_key(w, "must_change_password");
  lv_jw_bool(w, who->must_change);
  if (csrf) {
    lv_jw_key(w, "csrf_token");
    lv_jw_cstring(w, csrf);
  }
  lv_jw_object_end(w);
}

/* Writes a login record (the sign-in is not an authenticated call: its
 * record stands for the access record). */
static int login_record(lv_call *c, const char *name, const char *outcome) {
  lv_jw w;
  lv_buf *d = lv_api_add_record(c, "login", outcome);
  lv_jw_init(&w, d);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "name");
  lv_jw_cstring(&w, name);
  lv_jw_key(&w, "from");
  lv_jw_cstring(&w, c->rq->client);
  lv_jw_key(&w, "outcome");
  lv_jw_cstring(&w, outcome);
  lv_jw_object_end(&w);
  if (lv_jw_status(&w))
    return -1;
  /* The record's actor is the account tried. */
  snprintf(c->who.name, sizeof c->who.name, "%s", name);
  return 0;
}

void lv_api_login(lv_call *c) {
  lv_api *api = c->api;
  lv_json_doc doc;
  lv_json_doc_init(&doc);
  char name[64], password[260];
  if (lv_api_body(c, &doc))
    goto out;
  if (lv_api_member(c, &doc, 0, "name", name, sizeof name) != 1 ||
      lv_api_member(c, &doc, 0, "password", password, sizeof password) != 1) {
    lv_api_fail(c->rs, 400, "send {\"name\":...,\"password\":...}");
    goto out;
  }
  if (!api->o.auth) {
    lv_api_fail(c->rs, 404, "this server has no accounts");
    goto out;
  }
  char id[44], csrf[44];
  lv_principal who;
  lv_login_result r = lv_auth_login(api->o.auth, name, password, id, csrf, &who,
                                    lv_store_now_ms());
  sodium_memzero(password, sizeof password);
  static const char *const outcomes[] = {"ok", "wrong password", "disabled",
                                         "locked", "busy"};
  if (r == LV_LOGIN_BUSY) {
    lv_api_busy(c, "busy: too many sign-ins at once");
    goto out;
  }
  if (login_record(c, name, outcomes[r])) {
    lv_api_fail(c->rs, 500, "out of memory");
    goto out;
  }
  /* The status the access record is written with. */
  c->rs->status = r == LV_LOGIN_OK ? 200 : 401;
  if (lv_api_commit(c)) {
    if (r == LV_LOGIN_OK)
      lv_auth_logout(api->o.auth, id);
    goto out;
  }
  if (r != LV_LOGIN_OK) {
    lv_api_fail(c->rs, 401,
                r == LV_LOGIN_LOCKED
                    ? "too many wrong passwords: this account is locked for "
                      "a while"
                : r == LV_LOGIN_DISABLED ? "this account is disabled"
                                         : "wrong name or password");
    goto out;
  }
  session_cookie(c, id, (int)(LV_SESSION_MAX_MS / 1000));
  lv_jw w;
  lv_api_json(c, &w);
  who_json(&w, &who, csrf);
  lv_api_json_end(c, &w);
out:
  lv_json_doc_cleanup(&doc);
}

void lv_api_whoami(lv_call *c) {
  char csrf[44] = "";
  if (c->cookie && lv_auth_session(c->api->o.auth, c->cookie, &c->who, csrf,
                                   lv_store_now_ms())) {
    lv_api_fail(c->rs, 401, "the session has ended");
    return;
  }
  lv_jw w;
  lv_api_json(c, &w);
  who_json(&w, &c->who, c->cookie ? csrf : NULL);
  lv_api_json_end(c, &w);
}

void lv_api_logout(lv_call *c) {
  if (!c->cookie) {
    lv_api_fail(c->rs, 400, "a token has no session to end");
    return;
  }
  lv_auth_logout(c->api->o.auth, c->cookie);
  session_cookie(c, "", 0);
  c->rs->status = 204;
  c->rs->content_type = NULL;
}

/* Hashes a new password into hash, after checking it: 0, or -1 after
 * answering. */
static int new_hash(lv_call *c, const char *password, char hash[128]) {
  const char *why = lv_account_password_problem(password);
  if (why) {
    lv_api_fail(c->rs, 400, why);
    return -1;
  }
  if (lv_account_hash(password, hash)) {
    lv_api_busy(c, "busy: no memory to hash the password now");
    return -1;
  }
  return 0;
}

/* Adds an account record to the call; -1 after answering. */
static int account_record(lv_call *c, const char *op, const char *name,
                          lv_account_role role, const char *hash) {
  lv_buf *d = lv_api_add_record(c, LV_ACCOUNT_RECORD, "ok");
  if (!d || lv_account_detail(op, name, role, hash, d)) {
    lv_api_fail(c->rs, 500, "out of memory");
    return -1;
  }
  return 0;
}

void lv_api_password(lv_call *c) {
  lv_api *api = c->api;
  lv_json_doc doc;
  lv_json_doc_init(&doc);
  char old[260], fresh[260], hash[128];
  if (c->who.token) {
    lv_api_fail(c->rs, 403, "sign in with the password to change it");
    goto out;
  }
  if (lv_api_body(c, &doc))
    goto out;
  if (lv_api_member(c, &doc, 0, "old", old, sizeof old) != 1 ||
      lv_api_member(c, &doc, 0, "new", fresh, sizeof fresh) != 1) {
    lv_api_fail(c->rs, 400, "send {\"old\":...,\"new\":...}");
    goto out;
  }
  lv_principal again;
  lv_login_result r = lv_auth_login(api->o.auth, c->who.name, old, NULL, NULL,
                                    &again, lv_store_now_ms());
  if (r == LV_LOGIN_BUSY) {
    lv_api_busy(c, "busy: too many password checks at once");
    goto out;
  }
  if (r != LV_LOGIN_OK) {
    lv_api_fail(c->rs, 403, "the old password is wrong");
    goto out;
  }
  if (!strcmp(old, fresh)) {
    lv_api_fail(c->rs, 400, "the new password is the old one");
    goto out;
  }
  if (new_hash(c, fresh, hash) ||
      account_record(c, "password", c->who.name, c->who.role, hash))
    goto out;
  c->rs->status = 204;
  if (lv_api_commit(c))
    goto out;
  lv_account acc;
  if (lv_auth_account(api->o.auth, c->who.name, &acc) == 0) {
    memcpy(acc.password, hash, sizeof acc.password);
    acc.must_change = 0;
    (void)lv_auth_put_account(api->o.auth, &acc);
    sodium_memzero(&acc, sizeof acc);
  }
  lv_auth_session_changed(api->o.auth, c->cookie);
  c->rs->status = 204;
  c->rs->content_type = NULL;
out:
  sodium_memzero(old, sizeof old);
  sodium_memzero(fresh, sizeof fresh);
  lv_json_doc_cleanup(&doc);
}

/* --- accounts ------------------------------------------------------------- */

static int account_json(void *ud, const lv_account *a) {
  lv_jw *w = ud;
  lv_jw_object_begin(w);
  lv_jw_key(w, "name");
  lv_jw_cstring(w, a->name);
  lv_jw_key(w, "role");
  lv_jw_cstring(w, lv_account_role_name(a->role));
  lv_jw_key(w, "must_change_password");
  lv_jw_bool(w, a->must_change);
  lv_jw_key(w, "disabled");
  lv_jw_bool(w, a->disabled);
  lv_jw_key(w, "record");
  lv_jw_int(w, (int64_t)a->created);
  lv_jw_object_end(w);
  return 0;
}

/* Answers with a one-time password and the account it is for. */
static void one_time(lv_call *c, const lv_account *a, const char *pw) {
  lv_jw w;
  lv_api_json(c, &w);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "account");
  account_json(&w, a);
  lv_jw_key(&w, "one_time_password");
  lv_jw_cstring(&w, pw);
  lv_jw_object_end(&w);
  lv_api_json_end(c, &w);
}

void lv_api_accounts(lv_call *c) {
  lv_api *api = c->api;
  if (!strcmp(c->rq->method, "GET") || !strcmp(c->rq->method, "HEAD")) {
    lv_jw w;
    lv_api_json(c, &w);
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "accounts");
    lv_jw_array_begin(&w);
    lv_auth_each_account(api->o.auth, account_json, &w);
    lv_jw_array_end(&w);
    lv_jw_object_end(&w);
    lv_api_json_end(c, &w);
    return;
  }
  lv_json_doc doc;
  lv_json_doc_init(&doc);
  char name[64], role[32], pw[21], hash[128];
  if (lv_api_body(c, &doc))
    goto out;
  int r = -1;
  if (lv_api_member(c, &doc, 0, "name", name, sizeof name) != 1 ||
      lv_api_member(c, &doc, 0, "role", role, sizeof role) != 1 ||
      !lv_account_name_ok(name) || (r = lv_account_role_parse(role)) < 0) {
    lv_api_fail(c->rs, 400,
                "send {\"name\":...,\"role\":...}: a name of a-z, 0-9, . _ "
                "- (at most 63), a role of system-admin, security-admin, "
                "auditor");
    goto out;
  }
  lv_account a;
  if (lv_auth_account(api->o.auth, name, &a) == 0) {
    lv_api_fail(c->rs, 409, "an account has that name");
    goto out;
  }
  snprintf(c->target, sizeof c->target, "%s", name);
  lv_account_new_password(pw);
  if (lv_account_hash(pw, hash)) {
    lv_api_busy(c, "busy: no memory to hash the password now");
    goto out;
  }
  if (account_record(c, "create", name, (lv_account_role)r, hash))
    goto out;
  c->rs->status = 201;
  if (lv_api_commit(c))
    goto out;
  memset(&a, 0, sizeof a);
  snprintf(a.name, sizeof a.name, "%s", name);
  memcpy(a.password, hash, sizeof a.password);
  a.role = (lv_account_role)r;
  a.must_change = 1;
  a.created = c->recs[0].seq;
  if (lv_auth_put_account(api->o.auth, &a)) {
    lv_api_fail(c->rs, 500, "recorded, but not taken: restart the server");
    goto out;
  }
  one_time(c, &a, pw);
  c->rs->status = 201;
out:
  sodium_memzero(pw, sizeof pw);
  lv_json_doc_cleanup(&doc);
}

void lv_api_account_op(lv_call *c) {
  lv_api *api = c->api;
  const char *op = strrchr(c->rq->path, '/') + 1;
  lv_account a;
  char pw[21] = "", hash[128];
  if (lv_auth_account(api->o.auth, c->target, &a)) {
    lv_api_fail(c->rs, 404, "no such account");
    return;
  }
  if (!strcmp(op, "disable") && !strcmp(a.name, c->who.name)) {
    lv_api_fail(c->rs, 409, "an account cannot disable itself");
    return;
  }
  if (!strcmp(op, "reset")) {
    lv_account_new_password(pw);
    if (lv_account_hash(pw, hash)) {
      lv_api_busy(c, "busy: no memory to hash the password now");
      return;
    }
  }
  if (account_record(c, op, a.name, a.role, pw[0] ? hash : NULL))
    goto out;
  c->rs->status = 200;
  if (lv_api_commit(c))
    goto out;
  if (!strcmp(op, "disable"))
    a.disabled = 1;
  else if (!strcmp(op, "enable"))
    a.disabled = 0;
  else {
    memcpy(a.password, hash, sizeof a.password);
    a.must_change = 1;
  }
  if (lv_auth_put_account(api->o.auth, &a)) {
    lv_api_fail(c->rs, 500, "recorded, but not taken: restart the server");
    goto out;
  }
  if (strcmp(op, "enable") != 0)
    lv_auth_end_sessions(api->o.auth, a.name);
  if (pw[0]) {
    one_time(c, &a, pw);
  } else {
    lv_jw w;
    lv_api_json(c, &w);
    account_json(&w, &a);
    lv_api_json_end(c, &w);
  }
out:
  sodium_memzero(pw, sizeof pw);
  sodium_memzero(&a, sizeof a);
}

/* --- tokens --------------------------------------------------------------- */

typedef struct token_list {
  lv_jw *w;
  const lv_principal *who;
} token_list;

/* Whether who may see or revoke t. */
static int token_mine(const lv_principal *who, const lv_api_token *t) {
  if (t->role == LV_ROLE_INTEGRATION)
    return who->role == LV_ACCOUNT_SYSTEM_ADMIN;
  return !strcmp(t->owner, who->name);
}

static int token_json(void *ud, const lv_api_token *t) {
  token_list *l = ud;
  if (!token_mine(l->who, t))
    return 0;
  lv_jw_object_begin(l->w);
  lv_jw_key(l->w, "name");
  lv_jw_cstring(l->w, t->name);
  lv_jw_key(l->w, "role");
  lv_jw_cstring(l->w, lv_account_role_name(t->role));
  lv_jw_key(l->w, "owner");
  lv_jw_cstring(l->w, t->owner);
  lv_jw_key(l->w, "revoked");
  lv_jw_bool(l->w, t->revoked);
  lv_jw_object_end(l->w);
  return 0;
}

typedef struct token_find {
  const char *name;
  lv_api_token t;
  int found;
} token_find;

static int token_by_name(void *ud, const lv_api_token *t) {
  token_find *f = ud;
  if (!t->revoked && !strcmp(t->name, f->name)) {
    f->t = *t;
    f->found = 1;
  }
  return 0;
}

void lv_api_tokens(lv_call *c) {
  lv_api *api = c->api;
  if (!strcmp(c->rq->method, "GET") || !strcmp(c->rq->method, "HEAD")) {
    lv_jw w;
    lv_api_json(c, &w);
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "tokens");
    lv_jw_array_begin(&w);
    token_list l = {&w, &c->who};
    lv_auth_each_token(api->o.auth, token_json, &l);
    lv_jw_array_end(&w);
    lv_jw_object_end(&w);
    lv_api_json_end(c, &w);
    return;
  }
  lv_json_doc doc;
  lv_json_doc_init(&doc);
  char name[64], role[32], token[LV_TOKEN_LEN + 1];
  if (lv_api_body(c, &doc))
    goto out;
  int r = -1;
  if (lv_api_member(c, &doc, 0, "name", name, sizeof name) != 1 ||
      lv_api_member(c, &doc, 0, "role", role, sizeof role) != 1 ||
      !lv_account_name_ok(name) || (r = lv_role_parse(role)) < 0) {
    lv_api_fail(c->rs, 400,
                "send {\"name\":...,\"role\":...}: a name of a-z, 0-9, . _ "
                "- (at most 63); role integration, or your own role");
    goto out;
  }
  if (c->who.token) {
    lv_api_fail(c->rs, 403, "sign in with a password to make a token");
    goto out;
  }
  if (r == LV_ROLE_INTEGRATION ? c->who.role != LV_ACCOUNT_SYSTEM_ADMIN
                               : (lv_account_role)r != c->who.role) {
    lv_api_fail(c->rs, 403,
                "integration tokens are the system admin's to make; any "
                "other token carries its maker's own role");
    goto out;
  }
  token_find f = {.name = name};
  lv_auth_each_token(api->o.auth, token_by_name, &f);
  if (f.found) {
    lv_api_fail(c->rs, 409, "a token has that name: revoke it first");
    goto out;
  }
  snprintf(c->target, sizeof c->target, "%s", name);
  lv_api_token t;
  memset(&t, 0, sizeof t);
  snprintf(t.name, sizeof t.name, "%s", name);
  snprintf(t.owner, sizeof t.owner, "%s", c->who.name);
  t.role = (lv_account_role)r;
  lv_api_token_new(token);
  lv_api_token_hash(token, LV_TOKEN_LEN, t.hash);
  lv_buf *d = lv_api_add_record(c, LV_TOKEN_RECORD, "ok");
  if (!d || lv_api_token_detail("create", t.name, t.role, t.owner, t.hash, d)) {
    lv_api_fail(c->rs, 500, "out of memory");
    goto out;
  }
  c->rs->status = 201;
  if (lv_api_commit(c))
    goto out;
  if (lv_auth_put_token(api->o.auth, &t)) {
    lv_api_fail(c->rs, 500, "recorded, but not taken: restart the server");
    goto out;
  }
  lv_jw w;
  lv_api_json(c, &w);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "name");
  lv_jw_cstring(&w, t.name);
  lv_jw_key(&w, "role");
  lv_jw_cstring(&w, lv_account_role_name(t.role));
  lv_jw_key(&w, "token");
  lv_jw_cstring(&w, token);
  lv_jw_object_end(&w);
  lv_api_json_end(c, &w);
  c->rs->status = 201;
out:
  sodium_memzero(token, sizeof token);
  lv_json_doc_cleanup(&doc);
}

void lv_api_token_revoke(lv_call *c) {
  lv_api *api = c->api;
  token_find f = {.name = c->target};
  lv_auth_each_token(api->o.auth, token_by_name, &f);
  if (!f.found || !token_mine(&c->who, &f.t)) {
    lv_api_fail(c->rs, 404, "no such token of yours");
    return;
  }
  lv_buf *d = lv_api_add_record(c, LV_TOKEN_RECORD, "ok");
  if (!d ||
      lv_api_token_detail("revoke", f.t.name, f.t.role, f.t.owner, NULL, d)) {
    lv_api_fail(c->rs, 500, "out of memory");
    return;
  }
  c->rs->status = 204;
  if (lv_api_commit(c))
    return;
  f.t.revoked = 1;
  if (lv_auth_put_token(api->o.auth, &f.t)) {
    lv_api_fail(c->rs, 500, "recorded, but not taken: restart the server");
    return;
  }
  c->rs->status = 204;
  c->rs->content_type = NULL;
}
