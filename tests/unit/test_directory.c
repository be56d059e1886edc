/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_directory.c: people and conversations gathered per transaction
 * (src/store/directory.c): one entry per id however often it comes, the
 * latest attribute given wins and an absent one changes nothing, counts
 * and sequence ranges add up, and the table grows and resets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store/directory.h"

static levee_str S(const char *s) {
  return (levee_str){s, s ? strlen(s) : 0};
}

static const lv_dir_entry *find(const lv_directory *d, const char *id) {
  for (size_t i = 0; i < d->n; i++)
    if (d->v[i].id.len == strlen(id) &&
        !memcmp(d->v[i].id.ptr, id, d->v[i].id.len))
      return &d->v[i];
  return NULL;
}

static void test_aggregates(void **state) {
  (void)state;
  lv_directory d;
  lv_directory_init(&d);
  char name[16];
  snprintf(name, sizeof name, "张三");
  levee_str a1[3] = {S(name), S("销售部"), {NULL, 0}};
  assert_int_equal(lv_directory_add(&d, S("u1"), a1, -1, 5), 0);
  snprintf(name, sizeof name, "overwritten"); /* the entry kept a copy */
  levee_str a2[3] = {{NULL, 0}, S("客服部"), S("staff")};
  assert_int_equal(lv_directory_add(&d, S("u1"), a2, -1, 9), 0);
  levee_str none[3] = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
  assert_int_equal(lv_directory_add(&d, S("u2"), none, 1, 7), 0);
  assert_int_equal(lv_directory_add(&d, (levee_str){NULL, 0}, none, -1, 8),
                   0); /* no id: nothing */
  assert_int_equal(d.n, 2);
  const lv_dir_entry *e = find(&d, "u1");
  assert_non_null(e);
  assert_int_equal(e->count, 2);
  assert_int_equal(e->first_seq, 5);
  assert_int_equal(e->last_seq, 9);
  assert_memory_equal(e->attr[0].ptr, "张三", strlen("张三"));
  assert_memory_equal(e->attr[1].ptr, "客服部", strlen("客服部"));
  assert_memory_equal(e->attr[2].ptr, "staff", 5);
  e = find(&d, "u2");
  assert_int_equal(e->external, 1);
  assert_null(e->attr[0].ptr);
  lv_directory_reset(&d);
  assert_int_equal(d.n, 0);
  assert_null(find(&d, "u1"));
  assert_int_equal(lv_directory_add(&d, S("u1"), none, -1, 20), 0);
  assert_int_equal(find(&d, "u1")->count, 1);
  lv_directory_cleanup(&d);
}

static void test_grows(void **state) {
  (void)state;
  lv_directory d;
  lv_directory_init(&d);
  levee_str none[3] = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
  char id[32];
  for (int round = 0; round < 3; round++)
    for (int i = 0; i < 5000; i++) {
      snprintf(id, sizeof id, "user-%d", i);
      assert_int_equal(lv_directory_add(&d, S(id), none, -1,
                                        (uint64_t)(round * 5000 + i + 1)),
                       0);
    }
  assert_int_equal(d.n, 5000);
  for (int i = 0; i < 5000; i += 499) {
    snprintf(id, sizeof id, "user-%d", i);
    const lv_dir_entry *e = find(&d, id);
    assert_non_null(e);
    assert_int_equal(e->count, 3);
    assert_int_equal(e->first_seq, (uint64_t)i + 1);
    assert_int_equal(e->last_seq, (uint64_t)(10000 + i + 1));
  }
  lv_directory_cleanup(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_aggregates),
      cmocka_unit_test(test_grows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
