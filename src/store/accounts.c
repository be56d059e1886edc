/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accounts.c: accounts and API tokens as records of the audit log
 * (accounts.h): their canonical details, and the replay of a store's
 * records into what they are now.
 */
#include "store/accounts.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sha256.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/json_reader.h"
#include "util/json_writer.h"
#include "util/limits.h"

static const char *const role_names[LV_ROLES] = {
    "system-admin", "security-admin", "auditor", "integration"};

const char *lv_account_role_name(lv_account_role r) {
  return r >= 0 && r < LV_ROLES ? role_names[r] : "?";
}

int lv_role_parse(const char *s) {
  for (int i = 0; i < LV_ROLES; i++)
    if (!strcmp(s, role_names[i]))
      return i;
  return -1;
}

int lv_account_role_parse(const char *s) {
  int r = lv_role_parse(s);
  return r < LV_ACCOUNT_ROLES ? r : -1;
}

int lv_account_name_ok(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 63 || s[0] == '.' || s[0] == '_' || s[0] == '-')
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

void lv_account_new_password(char out[21]) {
  static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz"
                                 "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  for (int i = 0; i < 20; i++)
    out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
  out[20] = '\0';
}

const char *lv_account_password_problem(const char *password) {
  size_t n = strlen(password);
  if (n < 12)
    return "a password needs at least 12 characters";
  if (n > 256)
    return "a password may have at most 256 bytes";
  return NULL;
}

int lv_account_hash(const char *password, char out[128]) {
  _Static_assert(crypto_pwhash_STRBYTES <= 128, "room for the hash");
  if (sodium_init() < 0 ||
      crypto_pwhash_str(out, password, strlen(password),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return LEVEE_ENOMEM;
  return LEVEE_OK;
}

int lv_account_check(const char *hash, const char *password) {
  return sodium_init() >= 0 &&
         crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* --- details -------------------------------------------------------------- */

int lv_account_detail(const char *op, const char *name, lv_account_role role,
                      const char *hash, lv_buf *out) {
  lv_jw w;
  lv_jw_init(&w, out);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "op");
  lv_jw_cstring(&w, op);
  lv_jw_key(&w, "name");
  lv_jw_cstring(&w, name);
  if (!strcmp(op, "create")) {
    lv_jw_key(&w, "role");
    lv_jw_cstring(&w, lv_account_role_name(role));
  }
  if (hash) {
    lv_jw_key(&w, "password");
    lv_jw_cstring(&w, hash);
    lv_jw_key(&w, "must_change");
    lv_jw_bool(&w, strcmp(op, "password") != 0);
  }
  lv_jw_object_end(&w);
  return lv_jw_status(&w);
}

int lv_account_record(lv_store *st, levee_str actor, const char *op,
                      const char *name, lv_account_role role, const char *hash,
                      uint64_t *seq, levee_error *err) {
  lv_buf b;
  lv_buf_init(&b, 4096);
  int rc = lv_account_detail(op, name, role, hash, &b);
  if (rc)
    rc = lv_error_set(err, rc, "out of memory");
  else
    rc = lv_store_add_record(st, actor, LV_ACCOUNT_RECORD, "ok",
                             (levee_str){b.data, b.len}, seq, err);
  lv_buf_cleanup(&b);
  return rc;
}

int lv_account_create(lv_store *st, levee_str actor, const char *name,
                      lv_account_role role, const char *hash, uint64_t *seq,
                      levee_error *err) {
  return lv_account_record(st, actor, "create", name, role, hash, seq, err);
}

static void hex(const uint8_t *p, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  out[2 * n] = '\0';
}

int lv_api_token_detail(const char *op, const char *name, lv_account_role role,
                        const char *owner, const uint8_t hash[32],
                        lv_buf *out) {
  lv_jw w;
  lv_jw_init(&w, out);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "op");
  lv_jw_cstring(&w, op);
  lv_jw_key(&w, "name");
  lv_jw_cstring(&w, name);
  if (!strcmp(op, "create")) {
    char h[65];
    hex(hash, 32, h);
    lv_jw_key(&w, "role");
    lv_jw_cstring(&w, lv_account_role_name(role));
    lv_jw_key(&w, "owner");
    lv_jw_cstring(&w, owner);
    lv_jw_key(&w, "hash");
    lv_jw_cstring(&w, h);
  }
  lv_jw_object_end(&w);
  return lv_jw_status(&w);
}

void lv_api_token_new(char out[LV_TOKEN_LEN + 1]) {
  uint8_t raw[32];
  randombytes_buf(raw, sizeof raw);
  /* the prefix, then the base64 and its NUL */
  snprintf(out, LV_TOKEN_LEN + 1, "%s", LV_TOKEN_PREFIX);
  sodium_bin2base64(out + 4, LV_TOKEN_LEN + 1 - 4, raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
}

void lv_api_token_hash(const char *token, size_t len, uint8_t out[32]) {
  crypto_hash_sha256(out, (const unsigned char *)token, len);
}

/* --- replay --------------------------------------------------------------- */

/* What a record's detail says. */
typedef struct parsed {
  char op[16], name[64], role[32], password[128], owner[64], hash[65];
} parsed;

/* s into out (cap bytes with its NUL): 0, or -1 when it does not fit. */
static int copy(levee_str s, char *out, size_t cap) {
  if (!s.ptr || s.len >= cap || memchr(s.ptr, '\0', s.len))
    return -1;
  memcpy(out, s.ptr, s.len);
  out[s.len] = '\0';
  return 0;
}

typedef struct replay {
  lv_json_doc doc;
  lv_arena arena;
  levee_error *err;
  const char *type;
  /* what the records leave: accounts or tokens */
  lv_account *accounts;
  lv_api_token *tokens;
  size_t n, cap;
} replay;

/* Member key of the object at the root as a string into out; absent: "". */
static int member(replay *x, const char *key, char *out, size_t cap) {
  lv_json_key k = {key, strlen(key)};
  int v;
  out[0] = '\0';
  if (lv_json_members(&x->doc, 0, &k, 1, &v))
    return -1;
  if (v < 0)
    return 0;
  levee_str s = {0};
  if (lv_json_string(&x->doc, v, &x->arena, &s))
    return -1;
  return copy(s, out, cap);
}

static int parse_detail(replay *x, levee_str detail, parsed *p) {
  levee_error perr = {0};
  lv_arena_reset(&x->arena);
  if (!detail.ptr || lv_json_parse(&x->doc, detail.ptr, detail.len, &perr))
    return -1;
  if (member(x, "op", p->op, sizeof p->op) ||
      member(x, "name", p->name, sizeof p->name) ||
      member(x, "role", p->role, sizeof p->role) ||
      member(x, "password", p->password, sizeof p->password) ||
      member(x, "owner", p->owner, sizeof p->owner) ||
      member(x, "hash", p->hash, sizeof p->hash) || !p->op[0] || !p->name[0])
    return -1;
  return 0;
}

static int bad(replay *x, uint64_t seq, const char *why) {
  return lv_error_set(x->err, LEVEE_ESTORE, "record %llu (%s): %s",
                      (unsigned long long)seq, x->type, why);
}

/* Room for one more element of size bytes in *v (n used of *cap), at most
 * max in all: its address, or NULL. */
static void *grow(void **v, size_t *cap, size_t n, size_t size, size_t max) {
  if (n == *cap) {
    if (*cap >= max)
      return NULL;
    size_t c = *cap ? *cap * 2 : 16;
    if (c > max)
      c = max;
    void *p = realloc(*v, c * size);
    if (!p)
      return NULL;
    *v = p;
    *cap = c;
  }
  return (char *)*v + n * size;
}

static lv_account *find_account(replay *x, const char *name) {
  for (size_t i = 0; i < x->n; i++)
    if (!strcmp(x->accounts[i].name, name))
      return &x->accounts[i];
  return NULL;
}

static int on_account(void *ud, const lv_record_head *h, levee_str detail) {
  replay *x = ud;
  parsed p;
  if (parse_detail(x, detail, &p))
    return bad(x, h->seq, "not an account levee reads");
  lv_account *a = find_account(x, p.name);
  if (!strcmp(p.op, "create")) {
    int r = lv_account_role_parse(p.role);
    if (r < 0)
      return bad(x, h->seq, "an account of no known role");
    if (a)
      return bad(x, h->seq, "makes an account that exists");
    if (!p.password[0])
      return bad(x, h->seq, "an account without a password");
    if (!(a = grow((void **)&x->accounts, &x->cap, x->n, sizeof *a,
                   LV_MAX_ACCOUNTS)))
      return lv_error_set(x->err, LEVEE_ETOOBIG,
                          "more accounts than levee keeps (%u), or no memory",
                          LV_MAX_ACCOUNTS);
    memset(a, 0, sizeof *a);
    memcpy(a->name, p.name, sizeof a->name);
    memcpy(a->password, p.password, sizeof a->password);
    a->role = (lv_account_role)r;
    a->must_change = 1;
    a->created = h->seq;
    x->n++;
    return 0;
  }
  if (!a)
    return bad(x, h->seq, "changes an account that does not exist");
  if (!strcmp(p.op, "password") || !strcmp(p.op, "reset")) {
    if (!p.password[0])
      return bad(x, h->seq, "a password change without a password");
    memcpy(a->password, p.password, sizeof a->password);
    a->must_change = !strcmp(p.op, "reset");
  } else if (!strcmp(p.op, "disable")) {
    a->disabled = 1;
  } else if (!strcmp(p.op, "enable")) {
    a->disabled = 0;
  } else {
    return bad(x, h->seq, "an account change levee does not know");
  }
  return 0;
}

static int unhex(const char *s, uint8_t out[32]) {
  if (strlen(s) != 64)
    return -1;
  for (int i = 0; i < 64; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                   : -1;
    if (d < 0)
      return -1;
    if (i % 2 == 0)
      out[i / 2] = (uint8_t)(d << 4);
    else
      out[i / 2] |= (uint8_t)d;
  }
  return 0;
}

static int on_token(void *ud, const lv_record_head *h, levee_str detail) {
  replay *x = ud;
  parsed p;
  if (parse_detail(x, detail, &p))
    return bad(x, h->seq, "not a token levee reads");
  lv_api_token *t = NULL;
  for (size_t i = 0; i < x->n; i++)
    if (!strcmp(x->tokens[i].name, p.name) && !x->tokens[i].revoked)
      t = &x->tokens[i];
  if (!strcmp(p.op, "create")) {
    int r = lv_role_parse(p.role);
    uint8_t hash[32];
    if (r < 0)
      return bad(x, h->seq, "a token of no known role");
    if (t)
      return bad(x, h->seq, "makes a token whose name is in use");
    if (unhex(p.hash, hash))
      return bad(x, h->seq, "a token without its hash");
    if (!(t = grow((void **)&x->tokens, &x->cap, x->n, sizeof *t,
                   LV_MAX_TOKENS)))
      return lv_error_set(x->err, LEVEE_ETOOBIG,
                          "more tokens than levee keeps (%u), or no memory",
                          LV_MAX_TOKENS);
    memset(t, 0, sizeof *t);
    memcpy(t->name, p.name, sizeof t->name);
    memcpy(t->owner, p.owner, sizeof t->owner);
    memcpy(t->hash, hash, 32);
    t->role = (lv_account_role)r;
    t->created = h->seq;
    x->n++;
    return 0;
  }
  if (!strcmp(p.op, "revoke")) {
    if (!t)
      return bad(x, h->seq, "revokes a token that does not exist");
    t->revoked = 1;
    return 0;
  }
  return bad(x, h->seq, "a token change levee does not know");
}

static int run(lv_store *st, replay *x, lv_record_row_fn fn) {
  lv_json_doc_init(&x->doc);
  lv_arena_init(&x->arena, 1u << 16);
  int rc = lv_store_each_record(st, x->type, fn, x, x->err);
  lv_json_doc_cleanup(&x->doc);
  lv_arena_cleanup(&x->arena);
  return rc;
}

int lv_accounts_each(lv_store *st, lv_account_fn fn, void *ud,
                     levee_error *err) {
  replay x = {.err = err, .type = LV_ACCOUNT_RECORD};
  int rc = run(st, &x, on_account);
  for (size_t i = 0; rc == 0 && i < x.n; i++)
    rc = fn(ud, &x.accounts[i]);
  if (x.accounts)
    sodium_memzero(x.accounts, x.cap * sizeof *x.accounts);
  free(x.accounts);
  return rc;
}

int lv_api_tokens_each(lv_store *st, lv_api_token_fn fn, void *ud,
                       levee_error *err) {
  replay x = {.err = err, .type = LV_TOKEN_RECORD};
  int rc = run(st, &x, on_token);
  for (size_t i = 0; rc == 0 && i < x.n; i++)
    rc = fn(ud, &x.tokens[i]);
  free(x.tokens);
  return rc;
}
