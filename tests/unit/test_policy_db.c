/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_policy_db.c: the database guard's part of a policy: the dbguard:
 * section and the database matches of rules (src/core/policy_yaml.c), the
 * decisions (src/core/policy_db.c: strongest action, defaults for what no
 * rule covers, user, database, address range, hours past midnight, days),
 * and address ranges (src/util/cidr.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/policy.h"
#include "levee/levee.h"
#include "util/cidr.h"

static levee_policy *parse(const char *yaml, int *status, char *why,
                           size_t cap) {
  levee_policy *p = NULL;
  levee_error err = {0};
  *status =
      levee_policy_parse(yaml, strlen(yaml), "t.yaml", NULL, NULL, &p, &err);
  snprintf(why, cap, "%s", err.message);
  return p;
}

static levee_policy *parse_ok(const char *yaml) {
  int st;
  char why[256];
  levee_policy *p = parse(yaml, &st, why, sizeof why);
  if (st)
    fail_msg("should parse: %s\n%s", why, yaml);
  return p;
}

static void parse_fails(const char *yaml, const char *what) {
  int st;
  char why[256];
  levee_policy *p = parse(yaml, &st, why, sizeof why);
  assert_null(p);
  assert_int_equal(st, LEVEE_EPOLICY);
  if (!strstr(why, what))
    fail_msg("message '%s' lacks '%s'", why, what);
}

static const char *const POLICY =
    "version: 1\n"
    "dbguard:\n"
    "  hold: {timeout: 5m, keepalive: 15s}\n"
    "  approvers: [alice, bob]\n"
    "rules:\n"
    "  - id: vpn-destructive\n"
    "    match:\n"
    "      category: dbop.destructive\n"
    "      client_address: [10.8.0.0/16, 'fd00::/8']\n"
    "    action: block\n"
    "  - id: night-privilege\n"
    "    match: {category: dbop.privilege, hours: '22:00-06:00'}\n"
    "    action: block\n"
    "  - id: dba-destructive\n"
    "    match: {category: dbop.destructive, db_user: 'dba_*', database: "
    "prod}\n"
    "    action: allow\n"
    "  - id: weekend\n"
    "    match: {category: dbop.connect, days: [sat, sun]}\n"
    "    action: block\n"
    "  - id: messages\n"
    "    match: {category: pii}\n"
    "    action: alert\n";

static lv_db_context ctx(const char *user, const char *db, const char *addr,
                         int minute, int weekday, uint8_t buf[16]) {
  lv_db_context c = {.user = user,
                     .database = db,
                     .address = NULL,
                     .minute_of_day = minute,
                     .weekday = weekday};
  if (addr) {
    assert_int_equal(lv_cidr_address(addr, buf), 0);
    c.address = buf;
  }
  return c;
}

static levee_action act(const levee_policy *p, lv_db_context *c,
                        const char *category, const char **rule_id) {
  const lv_rule *r = NULL;
  const char *cat = NULL;
  levee_action a = lv_policy_db_action(p, c, &category, 1, &r, &cat);
  *rule_id = r ? r->id : "";
  return a;
}

static void decisions(void **state) {
  (void)state;
  levee_policy *p = parse_ok(POLICY);
  assert_int_equal(p->dbguard.set, 1);
  assert_int_equal(p->dbguard.hold_timeout_ms, 300000);
  assert_int_equal(p->dbguard.keepalive_ms, 15000);
  assert_int_equal(p->dbguard.approvers.n, 2);
  uint8_t a[16];
  const char *rule;
  /* from the VPN: blocked, whoever it is (the strongest wins) */
  lv_db_context c = ctx("dba_li", "prod", "10.8.3.4", 600, 1, a);
  assert_int_equal(act(p, &c, "dbop.destructive", &rule), LEVEE_ACTION_BLOCK);
  assert_string_equal(rule, "vpn-destructive");
  /* the DBA on prod from the office: allowed by the rule */
  c = ctx("dba_li", "prod", "192.168.1.9", 600, 1, a);
  assert_int_equal(act(p, &c, "dbop.destructive", &rule), LEVEE_ACTION_ALLOW);
  assert_string_equal(rule, "dba-destructive");
  /* another user: no rule matches, the guard's default holds it */
  c = ctx("app", "prod", "192.168.1.9", 600, 1, a);
  assert_int_equal(act(p, &c, "dbop.destructive", &rule), LEVEE_ACTION_HOLD);
  assert_string_equal(rule, "");
  /* the DBA on another database: default */
  c = ctx("dba_li", "test", "192.168.1.9", 600, 1, a);
  assert_int_equal(act(p, &c, "dbop.destructive", &rule), LEVEE_ACTION_HOLD);
  /* IPv6 range; an IPv4-mapped address counts as IPv4 */
  c = ctx("dba_li", "prod", "fd00::17", 600, 1, a);
  assert_int_equal(act(p, &c, "dbop.destructive", &rule), LEVEE_ACTION_BLOCK);
  c = ctx("dba_li", "prod", "::ffff:10.8.0.1", 600, 1, a);
  assert_int_equal(act(p, &c, "dbop.destructive", &rule), LEVEE_ACTION_BLOCK);
  /* a unix socket has no address: address rules do not match */
  c = ctx("dba_li", "prod", NULL, 600, 1, a);
  assert_int_equal(act(p, &c, "dbop.destructive", &rule), LEVEE_ACTION_ALLOW);
  /* hours past midnight: 23:30 and 05:59 in, 06:00 and 12:00 out (default) */
  c = ctx("app", "prod", NULL, 23 * 60 + 30, 2, a);
  assert_int_equal(act(p, &c, "dbop.privilege", &rule), LEVEE_ACTION_BLOCK);
  c.minute_of_day = 5 * 60 + 59;
  assert_int_equal(act(p, &c, "dbop.privilege", &rule), LEVEE_ACTION_BLOCK);
  c.minute_of_day = 6 * 60;
  assert_int_equal(act(p, &c, "dbop.privilege", &rule), LEVEE_ACTION_HOLD);
  /* days: connections refused on Saturday (5), allowed on Friday (4) */
  c = ctx("app", "prod", NULL, 600, 5, a);
  assert_int_equal(act(p, &c, "dbop.connect", &rule), LEVEE_ACTION_BLOCK);
  c.weekday = 4;
  assert_int_equal(act(p, &c, "dbop.connect", &rule), LEVEE_ACTION_ALLOW);
  /* defaults for what no rule covers */
  assert_int_equal(act(p, &c, "dbop.unparsable", &rule), LEVEE_ACTION_BLOCK);
  assert_int_equal(act(p, &c, "dbop.exfiltration", &rule), LEVEE_ACTION_BLOCK);
  assert_int_equal(act(p, &c, "dbop.unresolved", &rule), LEVEE_ACTION_HOLD);
  assert_int_equal(act(p, &c, "dbop.function_call", &rule), LEVEE_ACTION_BLOCK);
  /* several categories: the strongest over them */
  const char *two[] = {"dbop.privilege", "dbop.exfiltration"};
  c.minute_of_day = 600;
  assert_int_equal(lv_policy_db_action(p, &c, two, 2, NULL, NULL),
                   LEVEE_ACTION_BLOCK);
  levee_policy_destroy(p);
}

static void message_rules_do_not_apply(void **state) {
  (void)state;
  /* a rule with a channel is about messages, even with a dbop category */
  levee_policy *p = parse_ok("version: 1\n"
                             "rules:\n"
                             "  - id: chat\n"
                             "    match: {category: dbop, channel: wecom}\n"
                             "    action: allow\n"
                             "  - id: all\n"
                             "    match: {category: '*'}\n"
                             "    action: block\n");
  uint8_t a[16];
  const char *rule;
  lv_db_context c = ctx("app", "prod", NULL, 600, 0, a);
  assert_int_equal(act(p, &c, "dbop.destructive", &rule), LEVEE_ACTION_BLOCK);
  assert_string_equal(rule, "all");
  levee_policy_destroy(p);
}

static void mistakes(void **state) {
  (void)state;
  parse_fails("version: 1\nrules:\n  - id: x\n    match: {category: "
              "dbop.destructive, client_address: 10.8.1.0/16}\n    action: "
              "block\n",
              "client_address");
  parse_fails("version: 1\nrules:\n  - id: x\n    match: {category: "
              "dbop.destructive, client_address: vpn}\n    action: block\n",
              "'vpn'");
  parse_fails("version: 1\nrules:\n  - id: x\n    match: {category: "
              "dbop.destructive, hours: '9-18'}\n    action: block\n",
              "HH:MM-HH:MM");
  parse_fails("version: 1\nrules:\n  - id: x\n    match: {category: "
              "dbop.destructive, hours: '10:00-10:00'}\n    action: block\n",
              "hours");
  parse_fails("version: 1\nrules:\n  - id: x\n    match: {category: "
              "dbop.destructive, days: [someday]}\n    action: block\n",
              "days");
  parse_fails("version: 1\nrules:\n  - id: x\n    match: {category: pii, "
              "db_user: app}\n    action: block\n",
              "must be dbop.*");
  parse_fails("version: 1\ndbguard: {hold: {timeout: 2d}}\nrules:\n  - id: "
              "x\n    match: {category: pii}\n    action: alert\n",
              "dbguard.hold.timeout");
  parse_fails("version: 1\ndbguard: {approver: [a]}\nrules:\n  - id: "
              "x\n    match: {category: pii}\n    action: alert\n",
              "unknown key in dbguard");
  /* a day range */
  levee_policy *p = parse_ok("version: 1\nrules:\n  - id: x\n    match: "
                             "{category: dbop.connect, days: fri-mon}\n"
                             "    action: block\n");
  assert_int_equal(p->rules[0].days, (1u << 4) | (1u << 5) | (1u << 6) | 1u);
  levee_policy_destroy(p);
}

static void cidr(void **state) {
  (void)state;
  lv_cidr c;
  uint8_t a[16];
  assert_int_equal(lv_cidr_parse("10.8.0.0/16", &c), 0);
  assert_int_equal(lv_cidr_address("10.8.255.1", a), 0);
  assert_true(lv_cidr_contains(&c, a));
  assert_int_equal(lv_cidr_address("10.9.0.1", a), 0);
  assert_false(lv_cidr_contains(&c, a));
  assert_int_equal(lv_cidr_parse("0.0.0.0/0", &c), 0);
  assert_true(lv_cidr_contains(&c, a));
  assert_int_equal(lv_cidr_address("::1", a), 0);
  assert_false(lv_cidr_contains(&c, a)); /* v4 everything is not v6 */
  assert_int_equal(lv_cidr_parse("192.168.1.7", &c), 0);
  assert_int_equal(lv_cidr_address("192.168.1.7", a), 0);
  assert_true(lv_cidr_contains(&c, a));
  assert_int_equal(lv_cidr_parse("10.8.0.0/33", &c), LEVEE_EINVAL);
  assert_int_equal(lv_cidr_parse("10.8.0.0/", &c), LEVEE_EINVAL);
  assert_int_equal(lv_cidr_parse("10.8.0.0/-1", &c), LEVEE_EINVAL);
  assert_int_equal(lv_cidr_parse("10.8.0.1/24", &c), LEVEE_EINVAL);
  assert_int_equal(lv_cidr_parse("fe80::/10", &c), 0);
  assert_int_equal(lv_cidr_address("fe80::1", a), 0);
  assert_true(lv_cidr_contains(&c, a));
  assert_int_equal(lv_cidr_parse("", &c), LEVEE_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(decisions),
      cmocka_unit_test(message_rules_do_not_apply),
      cmocka_unit_test(mistakes),
      cmocka_unit_test(cidr),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
