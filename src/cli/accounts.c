/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accounts.c: accounts as records of the audit log (accounts.h).
 */
#include "cli/accounts.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/json_reader.h"
#include "util/json_writer.h"

static const char *const role_names[LV_ACCOUNT_ROLES] = {
    "system-admin", "security-admin", "auditor"};

const char *lv_account_role_name(lv_account_role r) {
  return r >= 0 && r < LV_ACCOUNT_ROLES ? role_names[r] : "?";
}

int lv_account_role_parse(const char *s) {
  for (int i = 0; i < LV_ACCOUNT_ROLES; i++)
    if (!strcmp(s, role_names[i]))
      return i;
  return -1;
}

void lv_account_new_password(char out[21]) {
  static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz"
                                 "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  for (int i = 0; i < 20; i++)
    out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
  out[20] = '\0';
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

int lv_account_create(lv_store *st, levee_str actor, const char *name,
                      lv_account_role role, const char *hash, uint64_t *seq,
                      levee_error *err) {
  lv_buf b;
  lv_buf_init(&b, 4096);
  lv_jw w;
  lv_jw_init(&w, &b);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "op");
  lv_jw_cstring(&w, "create");
  lv_jw_key(&w, "name");
  lv_jw_cstring(&w, name);
  lv_jw_key(&w, "role");
  lv_jw_cstring(&w, lv_account_role_name(role));
  lv_jw_key(&w, "password");
  lv_jw_cstring(&w, hash);
  lv_jw_key(&w, "must_change");
  lv_jw_bool(&w, 1);
  lv_jw_object_end(&w);
  int rc = lv_jw_status(&w);
  if (rc)
    rc = lv_error_set(err, rc, "out of memory");
  else
    rc = lv_store_add_record(st, actor, LV_ACCOUNT_RECORD, "ok",
                             (levee_str){b.data, b.len}, seq, err);
  lv_buf_cleanup(&b);
  return rc;
}

typedef struct each_ctx {
  lv_account_fn fn;
  void *ud;
  lv_json_doc doc;
  lv_arena arena;
  levee_error *err;
} each_ctx;

/* s into out (cap bytes with its NUL): 0, or -1 when it does not fit. */
static int copy(levee_str s, char *out, size_t cap) {
  if (!s.ptr || s.len >= cap || memchr(s.ptr, '\0', s.len))
    return -1;
  memcpy(out, s.ptr, s.len);
  out[s.len] = '\0';
  return 0;
}

static int on_record(void *ud, const lv_record_head *h, levee_str detail) {
  each_ctx *x = ud;
  static const lv_json_key keys[] = {LV_JSON_KEY("op"), LV_JSON_KEY("name"),
                                     LV_JSON_KEY("role"),
                                     LV_JSON_KEY("password")};
  int v[4];
  levee_str op = {0}, name = {0}, role = {0}, pw = {0};
  levee_error perr = {0};
  lv_arena_reset(&x->arena);
  lv_account a;
  memset(&a, 0, sizeof a);
  int r = -1;
  if (!detail.ptr || lv_json_parse(&x->doc, detail.ptr, detail.len, &perr) ||
      lv_json_members(&x->doc, 0, keys, 4, v) ||
      lv_json_string(&x->doc, v[0], &x->arena, &op) ||
      lv_json_string(&x->doc, v[1], &x->arena, &name) ||
      lv_json_string(&x->doc, v[2], &x->arena, &role) ||
      lv_json_string(&x->doc, v[3], &x->arena, &pw) ||
      copy(name, a.name, sizeof a.name) ||
      copy(pw, a.password, sizeof a.password) || op.len != 6 ||
      memcmp(op.ptr, "create", 6)) {
    return lv_error_set(x->err, LEVEE_ESTORE,
                        "record %llu is not an account levee reads",
                        (unsigned long long)h->seq);
  }
  char rn[32];
  if (copy(role, rn, sizeof rn) == 0)
    r = lv_account_role_parse(rn);
  if (r < 0)
    return lv_error_set(x->err, LEVEE_ESTORE,
                        "record %llu: an account of no known role",
                        (unsigned long long)h->seq);
  a.role = (lv_account_role)r;
  a.must_change = 1;
  a.created = h->seq;
  return x->fn(x->ud, &a);
}

int lv_accounts_each(lv_store *st, lv_account_fn fn, void *ud,
                     levee_error *err) {
  each_ctx x = {.fn = fn, .ud = ud, .err = err};
  lv_json_doc_init(&x.doc);
  lv_arena_init(&x.arena, 1u << 16);
  int rc = lv_store_each_record(st, LV_ACCOUNT_RECORD, on_record, &x, err);
  lv_json_doc_cleanup(&x.doc);
  lv_arena_cleanup(&x.arena);
  return rc;
}
