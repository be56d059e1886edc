/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_auth.c: who calls levee serve (src/net/auth.c): a password signs
 * in and opens a session whose cookie and CSRF token are checked; a wrong
 * one does not, and five in a row lock the account; a disabled account
 * cannot sign in and its sessions end; bearer tokens are found by their
 * hash, a revoked one is not, and a person's token is no better than its
 * owner (disabled: refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "net/auth.h"

static lv_account account(const char *name, lv_account_role role,
                          const char *password) {
  lv_account a;
  memset(&a, 0, sizeof a);
  strcpy(a.name, name);
  a.role = role;
  assert_int_equal(lv_account_hash(password, a.password), LEVEE_OK);
  return a;
}

static void test_sessions(void **state) {
  (void)state;
  lv_auth *auth;
  assert_int_equal(lv_auth_new(&auth), LEVEE_OK);
  lv_account a =
      account("secadmin", LV_ACCOUNT_SECURITY_ADMIN, "a long enough password");
  a.must_change = 1;
  assert_int_equal(lv_auth_put_account(auth, &a), LEVEE_OK);
  char id[44], csrf[44], csrf2[44];
  lv_principal who;
  int64_t now = 1000000;
  assert_int_equal(
      lv_auth_login(auth, "secadmin", "wrong", id, csrf, &who, now),
      LV_LOGIN_WRONG);
  assert_int_equal(lv_auth_login(auth, "nobody", "a long enough password", id,
                                 csrf, &who, now),
                   LV_LOGIN_WRONG);
  assert_int_equal(lv_auth_login(auth, "secadmin", "a long enough password", id,
                                 csrf, &who, now),
                   LV_LOGIN_OK);
  assert_string_equal(who.name, "secadmin");
  assert_int_equal(who.role, LV_ACCOUNT_SECURITY_ADMIN);
  assert_true(who.must_change);
  assert_int_equal(strlen(id), 43);
  assert_int_equal(lv_auth_sessions(auth), 1);

  lv_principal s;
  assert_int_equal(lv_auth_session(auth, id, &s, csrf2, now + 1), LEVEE_OK);
  assert_string_equal(s.name, "secadmin");
  assert_string_equal(csrf, csrf2);
  assert_true(lv_auth_csrf_ok(auth, id, csrf));
  char other[44];
  memcpy(other, csrf, 44);
  other[0] = other[0] == 'A' ? 'B' : 'A';
  assert_false(lv_auth_csrf_ok(auth, id, other));
  assert_false(lv_auth_csrf_ok(auth, id, NULL));
  memcpy(other, id, 44);
  other[5] = other[5] == 'A' ? 'B' : 'A';
  assert_int_equal(lv_auth_session(auth, other, &s, NULL, now),
                   LEVEE_ENOTFOUND);

  lv_auth_session_changed(auth, id);
  assert_int_equal(lv_auth_session(auth, id, &s, NULL, now + 2), LEVEE_OK);
  assert_false(s.must_change);

  /* idle past the limit: ended */
  assert_int_equal(
      lv_auth_session(auth, id, &s, NULL, now + 2 + LV_SESSION_IDLE_MS + 1),
      LEVEE_ENOTFOUND);

  /* a new one, then signed out */
  assert_int_equal(lv_auth_login(auth, "secadmin", "a long enough password", id,
                                 csrf, &who, now),
                   LV_LOGIN_OK);
  lv_auth_logout(auth, id);
  assert_int_equal(lv_auth_session(auth, id, &s, NULL, now), LEVEE_ENOTFOUND);
  lv_auth_free(auth);
}

static void test_lockout_and_disable(void **state) {
  (void)state;
  lv_auth *auth;
  assert_int_equal(lv_auth_new(&auth), LEVEE_OK);
  lv_account a = account("auditor", LV_ACCOUNT_AUDITOR, "the right password");
  assert_int_equal(lv_auth_put_account(auth, &a), LEVEE_OK);
  char id[44], csrf[44];
  lv_principal who;
  int64_t now = 5000000;
  for (int i = 0; i < LV_LOGIN_FAILURES; i++)
    assert_int_equal(
        lv_auth_login(auth, "auditor", "guess", id, csrf, &who, now),
        LV_LOGIN_WRONG);
  assert_int_equal(lv_auth_login(auth, "auditor", "the right password", id,
                                 csrf, &who, now + 1),
                   LV_LOGIN_LOCKED);
  assert_int_equal(lv_auth_login(auth, "auditor", "the right password", id,
                                 csrf, &who, now + LV_LOGIN_LOCK_MS + 1),
                   LV_LOGIN_OK);
  lv_principal s;
  assert_int_equal(lv_auth_session(auth, id, &s, NULL, now + LV_LOGIN_LOCK_MS),
                   LEVEE_OK);
  a.disabled = 1;
  assert_int_equal(lv_auth_put_account(auth, &a), LEVEE_OK);
  lv_auth_end_sessions(auth, "auditor");
  assert_int_equal(lv_auth_session(auth, id, &s, NULL, now + LV_LOGIN_LOCK_MS),
                   LEVEE_ENOTFOUND);
  assert_int_equal(lv_auth_login(auth, "auditor", "the right password", id,
                                 csrf, &who, now + 2 * LV_LOGIN_LOCK_MS),
                   LV_LOGIN_DISABLED);
  lv_auth_free(auth);
}

static void test_tokens(void **state) {
  (void)state;
  lv_auth *auth;
  assert_int_equal(lv_auth_new(&auth), LEVEE_OK);
  lv_account owner =
      account("secadmin", LV_ACCOUNT_SECURITY_ADMIN, "another password");
  assert_int_equal(lv_auth_put_account(auth, &owner), LEVEE_OK);
  char gw[LV_TOKEN_LEN + 1], mine[LV_TOKEN_LEN + 1];
  lv_api_token_new(gw);
  lv_api_token_new(mine);
  assert_int_equal(strlen(gw), LV_TOKEN_LEN);
  assert_memory_equal(gw, "lvt_", 4);
  assert_string_not_equal(gw, mine);
  lv_api_token t1 = {.name = "gateway", .role = LV_ROLE_INTEGRATION};
  strcpy(t1.owner, "sysadmin");
  lv_api_token_hash(gw, LV_TOKEN_LEN, t1.hash);
  lv_api_token t2 = {.name = "sec-cli", .role = LV_ACCOUNT_SECURITY_ADMIN};
  strcpy(t2.owner, "secadmin");
  lv_api_token_hash(mine, LV_TOKEN_LEN, t2.hash);
  assert_int_equal(lv_auth_put_token(auth, &t1), LEVEE_OK);
  assert_int_equal(lv_auth_put_token(auth, &t2), LEVEE_OK);

  lv_principal who;
  assert_int_equal(lv_auth_token(auth, gw, LV_TOKEN_LEN, &who), LEVEE_OK);
  assert_string_equal(who.name, "gateway");
  assert_int_equal(who.role, LV_ROLE_INTEGRATION);
  assert_string_equal(who.via, "token:gateway");
  assert_int_equal(lv_auth_token(auth, mine, LV_TOKEN_LEN, &who), LEVEE_OK);
  assert_string_equal(who.name, "secadmin");
  assert_int_equal(who.role, LV_ACCOUNT_SECURITY_ADMIN);

  char wrong[LV_TOKEN_LEN + 1];
  memcpy(wrong, gw, sizeof wrong);
  wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
  assert_int_equal(lv_auth_token(auth, wrong, LV_TOKEN_LEN, &who),
                   LEVEE_ENOTFOUND);
  assert_int_equal(lv_auth_token(auth, gw, LV_TOKEN_LEN - 1, &who),
                   LEVEE_ENOTFOUND);
  assert_int_equal(lv_auth_token(auth, "", 0, &who), LEVEE_ENOTFOUND);

  /* the owner disabled: the person's token goes with it */
  owner.disabled = 1;
  assert_int_equal(lv_auth_put_account(auth, &owner), LEVEE_OK);
  assert_int_equal(lv_auth_token(auth, mine, LV_TOKEN_LEN, &who),
                   LEVEE_ENOTFOUND);
  /* revoked */
  t1.revoked = 1;
  assert_int_equal(lv_auth_put_token(auth, &t1), LEVEE_OK);
  assert_int_equal(lv_auth_token(auth, gw, LV_TOKEN_LEN, &who),
                   LEVEE_ENOTFOUND);

  /* many tokens: each found by its own hash */
  char many[200][LV_TOKEN_LEN + 1];
  for (int i = 0; i < 200; i++) {
    lv_api_token t = {.role = LV_ROLE_INTEGRATION};
    snprintf(t.name, sizeof t.name, "t%d", i);
    lv_api_token_new(many[i]);
    lv_api_token_hash(many[i], LV_TOKEN_LEN, t.hash);
    assert_int_equal(lv_auth_put_token(auth, &t), LEVEE_OK);
  }
  for (int i = 0; i < 200; i++) {
    assert_int_equal(lv_auth_token(auth, many[i], LV_TOKEN_LEN, &who),
                     LEVEE_OK);
    char n[16];
    snprintf(n, sizeof n, "t%d", i);
    assert_string_equal(who.name, n);
  }
  lv_auth_free(auth);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sessions),
      cmocka_unit_test(test_lockout_and_disable),
      cmocka_unit_test(test_tokens),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
