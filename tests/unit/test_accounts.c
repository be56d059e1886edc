/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_accounts.c: accounts' passwords and roles (src/cli/accounts.c):
 * a password checks against its own argon2id hash and no other; one-time
 * passwords are 20 characters of the alphabet without look-alikes, and
 * differ; roles read back as written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/accounts.h"

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
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hash_and_check),
      cmocka_unit_test(test_one_time_passwords),
      cmocka_unit_test(test_roles),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
