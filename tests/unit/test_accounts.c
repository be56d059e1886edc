/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_accounts.c: accounts' passwords and roles (src/store/accounts.c):
 * a password checks against its own argon2id hash and no other; one-time
 * passwords are 20 characters of the alphabet without look-alikes, and
 * differ; roles read back as written; names are checked; a store's account
 * and token records replay into what they are now (a password changed, an
 * account disabled, a token revoked), and a record levee does not read is
 * an error, not a silent skip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/accounts.h"

static void test_hash_and_check(void **state) {
  (void)state;
  char a[128], b[128];
  assert_int_equal(lv_account_hash("correct horse", a), LEVEE_OK);
  assert_int_equal(lv_account_hash("correct horse", b), LEVEE_OK);
  assert_non_null(strstr(a, "$argon2id$"));
  assert_null(strstr(a, "correct"));
  assert_string_not_equal(a, b); /* salted */
  assert_true(lv_account_check(a, "correct horse"));
  assert_true(lv_account_check(b, "correct horse"));
  assert_false(lv_account_check(a, "correct horse "));
  assert_false(lv_account_check(a, ""));
  assert_false(lv_account_check("not a hash", "correct horse"));
}

static void test_one_time_passwords(void **state) {
  (void)state;
  char p[21], q[21];
  lv_account_new_password(p);
  lv_account_new_password(q);
  assert_int_equal(strlen(p), 20);
  assert_string_not_equal(p, q);
  for (int i = 0; i < 200; i++) {
    lv_account_new_password(p);
    for (int k = 0; k < 20; k++)
      assert_null(strchr("0O1lI", p[k]));
  }
}

static void test_roles(void **state) {
  (void)state;
  for (int r = 0; r < LV_ACCOUNT_ROLES; r++)
    assert_int_equal(
        lv_account_role_parse(lv_account_role_name((lv_account_role)r)), r);
  assert_string_equal(lv_account_role_name(LV_ACCOUNT_SECURITY_ADMIN),
                      "security-admin");
  assert_int_equal(lv_account_role_parse("root"), -1);
  assert_int_equal(lv_account_role_parse("Auditor"), -1);
  assert_int_equal(lv_account_role_parse("integration"), -1);
  assert_int_equal(lv_role_parse("integration"), LV_ROLE_INTEGRATION);
  assert_true(lv_account_name_ok("secadmin"));
  assert_true(lv_account_name_ok("im-gateway.2"));
  assert_false(lv_account_name_ok(""));
  assert_false(lv_account_name_ok("-x"));
  assert_false(lv_account_name_ok("Admin"));
  assert_false(lv_account_name_ok("a b"));
  assert_false(lv_account_name_ok("张三"));
  assert_non_null(lv_account_password_problem("short"));
  assert_null(lv_account_password_problem("twelve chars"));
}

typedef struct seen {
  lv_account a[8];
  lv_api_token t[8];
  size_t na, nt;
} seen;

static int on_account(void *ud, const lv_account *a) {
  seen *s = ud;
  s->a[s->na++] = *a;
  return 0;
}

static int on_token(void *ud, const lv_api_token *t) {
  seen *s = ud;
  s->t[s->nt++] = *t;
  return 0;
}

static void test_replay(void **state) {
  (void)state;
  char dir[] = "/tmp/levee-test-accounts-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char loc[64], key[64];
  snprintf(loc, sizeof loc, "%s/data", dir);
  snprintf(key, sizeof key, "%s/key", dir);
  lv_store_options o = {.location = loc, .key_path = key, .create = 1};
  lv_store *st;
  levee_error err = {0};
  assert_int_equal(lv_store_open(&o, &st, NULL, &err), 0);
  levee_str me = {"root", 4};
  char h1[128], h2[128];
  assert_int_equal(lv_account_hash("first password", h1), 0);
  assert_int_equal(lv_account_hash("second password", h2), 0);
  uint8_t th[32];
  lv_api_token_hash("lvt_x", 5, th);
  lv_buf b;
  lv_buf_init(&b, 4096);
  uint64_t seq;
  assert_int_equal(lv_store_begin(st, &err), 0);
  assert_int_equal(lv_account_create(st, me, "sysadmin",
                                     LV_ACCOUNT_SYSTEM_ADMIN, h1, &seq, &err),
                   0);
  assert_int_equal(
      lv_account_create(st, me, "auditor", LV_ACCOUNT_AUDITOR, h1, &seq, &err),
      0);
  assert_int_equal(lv_account_record(st, me, "password", "sysadmin",
                                     LV_ACCOUNT_SYSTEM_ADMIN, h2, &seq, &err),
                   0);
  assert_int_equal(lv_account_record(st, me, "disable", "auditor",
                                     LV_ACCOUNT_AUDITOR, NULL, &seq, &err),
                   0);
  assert_int_equal(lv_api_token_detail("create", "gw", LV_ROLE_INTEGRATION,
                                       "sysadmin", th, &b),
                   0);
  assert_int_equal(lv_store_add_record(st, me, LV_TOKEN_RECORD, "ok",
                                       (levee_str){b.data, b.len}, &seq, &err),
                   0);
  lv_buf_reset(&b);
  assert_int_equal(
      lv_api_token_detail("revoke", "gw", LV_ROLE_INTEGRATION, "", NULL, &b),
      0);
  assert_int_equal(lv_store_add_record(st, me, LV_TOKEN_RECORD, "ok",
                                       (levee_str){b.data, b.len}, &seq, &err),
                   0);
  assert_int_equal(lv_store_commit(st, &err), 0);

  seen s;
  memset(&s, 0, sizeof s);
  assert_int_equal(lv_accounts_each(st, on_account, &s, &err), 0);
  assert_int_equal(s.na, 2);
  assert_string_equal(s.a[0].name, "sysadmin");
  assert_true(lv_account_check(s.a[0].password, "second password"));
  assert_false(s.a[0].must_change);
  assert_false(s.a[0].disabled);
  assert_string_equal(s.a[1].name, "auditor");
  assert_true(s.a[1].must_change);
  assert_true(s.a[1].disabled);
  assert_int_equal(lv_api_tokens_each(st, on_token, &s, &err), 0);
  assert_int_equal(s.nt, 1);
  assert_string_equal(s.t[0].name, "gw");
  assert_string_equal(s.t[0].owner, "sysadmin");
  assert_true(s.t[0].revoked);
  assert_memory_equal(s.t[0].hash, th, 32);

  /* a change to an account that does not exist: an error */
  assert_int_equal(lv_store_begin(st, &err), 0);
  assert_int_equal(lv_account_record(st, me, "reset", "ghost",
                                     LV_ACCOUNT_AUDITOR, h1, &seq, &err),
                   0);
  assert_int_equal(lv_store_commit(st, &err), 0);
  memset(&s, 0, sizeof s);
  assert_int_equal(lv_accounts_each(st, on_account, &s, &err), LEVEE_ESTORE);
  assert_non_null(strstr(err.message, "does not exist"));

  lv_buf_cleanup(&b);
  assert_int_equal(lv_store_close(st, &err), 0);
  char cmd[96];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hash_and_check),
      cmocka_unit_test(test_one_time_passwords),
      cmocka_unit_test(test_roles),
      cmocka_unit_test(test_replay),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
