/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_policy.c: the policy loader (src/core/policy_yaml.c) and the rule
 * model (src/core/policy.c): the default pack, every mistake the loader
 * reports (each with its line and the problem), keyword lists inline and
 * through the file reader, include_default merging, category patterns and
 * the event conditions of a rule (external derived from a customer too).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/policy.h"
#include "levee/levee.h"
#include "util/buf.h"
#include "util/limits.h"

#define ORIGIN "t.yaml"

/* A rule that is fine, for policies whose mistake is elsewhere. */
#define GOOD_RULE                                                              \
  "  - id: ok\n"                                                               \
  "    match: {category: pii}\n"                                               \
  "    action: alert\n"

static levee_policy *parse_ok_with(const char *yaml, levee_file_reader reader,
                                   void *ud) {
  levee_policy *p = NULL;
  levee_error err = {0};
  int rc = levee_policy_parse(yaml, strlen(yaml), ORIGIN, reader, ud, &p, &err);
  if (rc)
    fail_msg("policy should parse: %s\n%s", err.message, yaml);
  assert_non_null(p);
  return p;
}

static levee_policy *parse_ok(const char *yaml) {
  return parse_ok_with(yaml, NULL, NULL);
}

/* Expects LEVEE_EPOLICY with "t.yaml:<line>:" (line > 0) and what in the
 * message, and no policy. */
static void fails_with(const char *yaml, levee_file_reader reader, void *ud,
                       int line, const char *what) {
  levee_policy *p = (levee_policy *)&p; /* must stay untouched */
  levee_policy *const before = p;
  levee_error err = {0};
  int rc = levee_policy_parse(yaml, strlen(yaml), ORIGIN, reader, ud, &p, &err);
  if (rc != LEVEE_EPOLICY)
    fail_msg("status %d (%s), want EPOLICY for\n%s", rc, err.message, yaml);
  assert_int_equal(err.status, LEVEE_EPOLICY);
  assert_ptr_equal(p, before);
  char where[64];
  if (line > 0)
    snprintf(where, sizeof where, ORIGIN ":%d: ", line);
  else
    snprintf(where, sizeof where, ORIGIN ": ");
  if (strncmp(err.message, where, strlen(where)))
    fail_msg("message '%s' does not start with '%s' for\n%s", err.message,
             where, yaml);
  if (!strstr(err.message, what))
    fail_msg("message '%s' lacks '%s' for\n%s", err.message, what, yaml);
}

static void fails(const char *yaml, int line, const char *what) {
  fails_with(yaml, NULL, NULL, line, what);
}

/* A key given twice in one mapping is refused (found by fuzz_policy: the
 * second value used to replace the first without freeing it). */
static void test_duplicate_keys(void **state) {
  (void)state;
  fails("version: 1\nversion: 1\nrules: []\n", 2, "'version' is given twice");
  /* An empty list of rules is no rules (found by fuzz_policy). */
  fails("version: 1\nrules: []\n", 2, "the policy has no rules");
  fails("version: 1\nrules:\n  - id: a\n    id: b\n"
        "    match: {category: pii}\n    action: alert\n",
        4, "'id' is given twice");
  fails("version: 1\nrules:\n  - id: a\n    match: {category: pii, "
        "category: conduct}\n    action: alert\n",
        4, "'category' is given twice");
  fails("version: 1\nkeyword_lists:\n  - {name: a, name: b, words: [x]}\n"
        "rules:\n  - {id: r, match: {category: keyword.a}, action: alert}\n",
        3, "'name' is given twice");
}

static const lv_rule *rule_by_id(const levee_policy *p, const char *id) {
  for (size_t i = 0; i < p->n_rules; i++)
    if (!strcmp(p->rules[i].id, id))
      return &p->rules[i];
  fail_msg("no rule '%s'", id);
  return NULL;
}

static int strlist_has(const lv_strlist *l, const char *s) {
  for (size_t i = 0; i < l->n; i++)
    if (!strcmp(l->v[i], s))
      return 1;
  return 0;
}

/* --- the default pack ----------------------------------------------------- */

static const char *const default_ids[] = {
    "state-secret-marking",  "state-secret-marking-other",
    "confidential-external", "confidential-group",
    "confidential",          "personal-data-external",
    "personal-data-group",   "personal-data",
    "conduct-customer",      "conduct-record",
    "keyword-record",        "attachment-unreadable",
};
#define N_DEFAULT (sizeof default_ids / sizeof *default_ids)

static void check_default_pack(const levee_policy *p) {
  assert_int_equal(p->version, 1);
  assert_string_equal(p->name, "default");
  assert_non_null(p->description);
  assert_int_equal(p->n_rules, N_DEFAULT);
  assert_int_equal(p->n_lists, 0);
  for (size_t i = 0; i < N_DEFAULT; i++) {
    assert_string_equal(p->rules[i].id, default_ids[i]);
    assert_non_null(p->rules[i].description);
    assert_true(p->rules[i].threshold == LV_DEFAULT_THRESHOLD);
    assert_true(p->rules[i].line > 14);
  }
  const lv_rule *r = rule_by_id(p, "state-secret-marking");
  assert_int_equal(r->action, LEVEE_ACTION_BLOCK);
  assert_int_equal(r->severity, LEVEE_SEVERITY_CRITICAL);
  assert_int_equal(r->categories.n, 3);
  assert_string_equal(r->categories.v[0], "classified.marking");
  assert_string_equal(r->categories.v[1], "classified.document");
  assert_string_equal(r->categories.v[2], "classified.image");
  assert_int_equal(r->channels.n, 7);
  assert_true(strlist_has(&r->channels, "wechat"));
  assert_true(strlist_has(&r->channels, "mms"));
  assert_false(strlist_has(&r->channels, "email"));
  assert_int_equal(r->external, -1);
  r = rule_by_id(p, "confidential-external");
  assert_int_equal(r->external, 1);
  assert_int_equal(r->categories.n, 2);
  assert_int_equal(r->severity, LEVEE_SEVERITY_HIGH);
  r = rule_by_id(p, "personal-data-group");
  assert_int_equal(r->conversation_types.n, 2);
  assert_true(strlist_has(&r->conversation_types, "channel"));
  assert_int_equal(r->action, LEVEE_ACTION_ALERT);
  assert_int_equal(r->severity, LEVEE_SEVERITY_MEDIUM);
  r = rule_by_id(p, "conduct-record");
  assert_int_equal(r->action, LEVEE_ACTION_ALLOW);
  assert_int_equal(r->severity, LEVEE_SEVERITY_INFO);
}

static void test_default_policy(void **state) {
  (void)state;
  levee_policy *p = NULL;
  levee_error err = {0};
  assert_int_equal(levee_policy_default(&p, &err), LEVEE_OK);
  check_default_pack(p);
  assert_string_equal(p->origin, "<default policy>");
  assert_true(lv_policy_uses_category(p, "pii.email"));
  assert_true(lv_policy_uses_category(p, "keyword.anything"));
  assert_true(lv_policy_uses_category(p, "classified.document"));
  assert_false(lv_policy_uses_category(p, "phishing.lookalike_domain"));
  assert_false(lv_policy_uses_category(p, "dbop.destructive"));
  char *text = levee_policy_explain(p);
  assert_non_null(text);
  assert_non_null(strstr(text, "state-secret-marking"));
  free(text);
  levee_policy_destroy(p);
  levee_policy_destroy(NULL);
}

static void test_default_file_matches_embedded(void **state) {
  (void)state;
  /* Tests run from the repository root. */
  FILE *fp = fopen("policies/default.yaml", "rb");
  assert_non_null(fp);
  char *buf = malloc(LV_MAX_POLICY_BYTES);
  assert_non_null(buf);
  size_t n = fread(buf, 1, LV_MAX_POLICY_BYTES, fp);
  fclose(fp);
  levee_policy *p = NULL;
  levee_error err = {0};
  assert_int_equal(
      levee_policy_parse(buf, n, "policies/default.yaml", NULL, NULL, &p, &err),
      LEVEE_OK);
  check_default_pack(p);
  levee_policy_destroy(p);
  free(buf);
}

static void test_rule_defaults_and_forms(void **state) {
  (void)state;
  levee_policy *p = parse_ok("version: 1\n"
                             "name: forms\n"
                             "rules:\n"
                             "  - id: bare\n"
                             "    match:\n"
                             "      category: pii.email\n"
                             "    action: hold\n"
                             "  - id: Full_rule.2\n"
                             "    description: everything given\n"
                             "    match:\n"
                             "      category: [pii, \"keyword\", '*']\n"
                             "      channel: wechat\n"
                             "      conversation: [group, direct, channel]\n"
                             "      external: no\n"
                             "      sender_role: [staff, bot]\n"
                             "      sender_dept: 销售\n"
                             "    threshold: 0.75\n"
                             "    action: redact\n"
                             "    severity: critical\n"
                             "  - id: edges\n"
                             "    match: {category: classified.*, external: "
                             "yes}\n"
                             "    threshold: 0\n"
                             "    action: allow\n"
                             "  - id: one\n"
                             "    match: {category: dbop.destructive}\n"
                             "    threshold: 1\n"
                             "    action: block\n");
  assert_int_equal(p->n_rules, 4);
  const lv_rule *r = rule_by_id(p, "bare");
  assert_int_equal(r->line, 4);
  assert_null(r->description);
  assert_int_equal(r->action, LEVEE_ACTION_HOLD);
  assert_int_equal(r->severity, LEVEE_SEVERITY_MEDIUM);
  assert_true(r->threshold == 0.5);
  assert_int_equal(r->external, -1);
  assert_int_equal(r->channels.n, 0);
  r = rule_by_id(p, "Full_rule.2");
  assert_int_equal(r->line, 8);
  assert_string_equal(r->description, "everything given");
  assert_int_equal(r->categories.n, 3);
  assert_string_equal(r->categories.v[2], "*");
  assert_int_equal(r->channels.n, 1);
  assert_string_equal(r->channels.v[0], "wechat");
  assert_int_equal(r->conversation_types.n, 3);
  assert_int_equal(r->external, 0);
  assert_int_equal(r->sender_roles.n, 2);
  assert_string_equal(r->sender_depts.v[0], "销售");
  assert_true(r->threshold == 0.75);
  assert_int_equal(r->action, LEVEE_ACTION_REDACT);
  assert_int_equal(r->severity, LEVEE_SEVERITY_CRITICAL);
  r = rule_by_id(p, "edges");
  assert_int_equal(r->external, 1);
  assert_true(r->threshold == 0);
  r = rule_by_id(p, "one");
  assert_true(r->threshold == 1);
  levee_policy_destroy(p);
}

/* --- every mistake, with its line ----------------------------------------- */

static void test_errors_top_level(void **state) {
  (void)state;
  fails("", 0, "the policy is empty");
  fails("# only a comment\n", 0, "the policy is empty");
  fails("- a\n- b\n", 1, "a policy must be a mapping");
  fails("just text\n", 1, "a policy must be a mapping");
  fails("version: 1\nrules:\n" GOOD_RULE "colour: red\n", 6,
        "unknown top-level key 'colour'");
  fails("version: 1\n? [a, b]\n: 1\nrules:\n" GOOD_RULE, 2,
        "top-level keys must be names");
  fails("name: x\nrules:\n" GOOD_RULE, 1, "no 'version: 1'");
  fails("version: 2\nrules:\n" GOOD_RULE, 1, "unsupported policy version '2'");
  fails("rules:\n" GOOD_RULE "version: 1.0\n", 5,
        "unsupported policy version '1.0'");
  fails("version: [1]\nrules:\n" GOOD_RULE, 1, "version must be a single");
  fails("version: 1\nname: {a: b}\nrules:\n" GOOD_RULE, 2,
        "name must be a single value");
  fails("version: 1\ndescription: [a]\nrules:\n" GOOD_RULE, 2,
        "description must be a single value");
  fails("version: 1\ninclude_default: maybe\nrules:\n" GOOD_RULE, 2,
        "include_default must be true or false, not 'maybe'");
  fails("version: 1\nname: x\n", 1, "the policy has no rules");
  fails("version: 1\ninclude_default: false\n", 1, "the policy has no rules");
  fails("version: 1\nrules: {a: 1}\n", 2, "rules must be a list");
  fails("version: 1\nrules: x\n", 2, "rules must be a list");
  fails("version: 1\nkeyword_lists: {a: 1}\nrules:\n" GOOD_RULE, 2,
        "keyword_lists must be a list");
}

static void test_errors_yaml_syntax(void **state) {
  (void)state;
  fails("version: 1\nrules:\n  - id: [unclosed\n    action: alert\n", 4,
        "YAML");
  fails("version: 1\nrules:\n  - id: a\n   bad indent: 1\n", 4, "YAML");
  fails("version: 1\n\t- tab\n", 2, "YAML");
  fails("version: 1\nname: *undefined\n", 2, "YAML");
}

static void test_errors_rule(void **state) {
  (void)state;
  fails("version: 1\nrules:\n  - just-a-string\n", 3,
        "each rule must be a mapping");
  fails("version: 1\nrules:\n" GOOD_RULE "  - [a]\n", 6,
        "each rule must be a mapping");
  fails("version: 1\nrules:\n  - id: r\n    match: {category: pii}\n"
        "    action: alert\n    colour: red\n",
        6, "unknown rule key 'colour'");
  fails("version: 1\nrules:\n  - id: r\n    ? [k]\n    : v\n", 4,
        "rule keys must be names");
  fails("version: 1\nrules:\n  - id: r\n    match: {category: pii}\n"
        "    action: explode\n",
        5, "action must be allow, alert, hold, redact or block, not 'explode'");
  fails("version: 1\nrules:\n  - id: r\n    match: {category: pii}\n"
        "    action: Block\n",
        5, "not 'Block'");
  fails("version: 1\nrules:\n  - id: r\n    match: {category: pii}\n"
        "    action: [alert]\n",
        5, "action must be a single value");
  fails("version: 1\nrules:\n  - id: r\n    match: {category: pii}\n"
        "    action: alert\n    severity: urgent\n",
        6,
        "severity must be info, low, medium, high or critical, not 'urgent'");
  fails("version: 1\nrules:\n  - id: r\n    match: {category: pii}\n"
        "    action: alert\n    severity: {a: 1}\n",
        6, "severity must be a single value");
  fails("version: 1\nrules:\n  - id: [r]\n    match: {category: pii}\n"
        "    action: alert\n",
        3, "id must be a single value");
  fails("version: 1\nrules:\n  - id: r\n    description: [x]\n"
        "    match: {category: pii}\n    action: alert\n",
        4, "description must be a single value");
}

static void test_errors_threshold(void **state) {
  (void)state;
  static const char *const bad[] = {"1.5",  "-0.1", "abc", "nan", "''",
                                    "0.5x", "inf",  "1e3", "2"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char yaml[256], what[80];
    snprintf(yaml, sizeof yaml,
             "version: 1\nrules:\n  - id: r\n    match: {category: pii}\n"
             "    action: alert\n    threshold: %s\n",
             bad[i]);
    snprintf(what, sizeof what,
             "threshold must be a number from 0 to 1, "
             "not '");
    fails(yaml, 6, what);
  }
  fails("version: 1\nrules:\n  - id: r\n    match: {category: pii}\n"
        "    action: alert\n    threshold: 1.5\n",
        6, "not '1.5'");
  fails("version: 1\nrules:\n  - id: r\n    match: {category: pii}\n"
        "    action: alert\n    threshold: [0.5]\n",
        6, "threshold must be a single value");
}

static void test_errors_rule_structure(void **state) {
  (void)state;
  fails("version: 1\nrules:\n  - match: {category: pii}\n    action: alert\n",
        3, "a rule has no id");
  fails("version: 1\nrules:\n  - id: r 1\n    match: {category: pii}\n"
        "    action: alert\n",
        3, "rule id 'r 1' may use only letters, digits, - _ .");
  fails("version: 1\nrules:\n  - id: 规则\n    match: {category: pii}\n"
        "    action: alert\n",
        3, "may use only letters");
  fails("version: 1\nrules:\n  - id: r\n    match: {category: pii}\n", 3,
        "rule 'r' has no action");
  fails("version: 1\nrules:\n  - id: r\n    action: alert\n", 3,
        "rule 'r' has no match");
  fails("version: 1\nrules:\n" GOOD_RULE "  - id: dup\n"
        "    match: {category: pii}\n    action: alert\n"
        "  - id: dup\n    match: {category: conduct}\n    action: block\n",
        9, "two rules have the id 'dup'");
  fails("version: 1\nrules:\n" GOOD_RULE GOOD_RULE, 6,
        "two rules have the id 'ok'");
}

static void test_errors_match(void **state) {
  (void)state;
  fails("version: 1\nrules:\n  - id: r\n    match: pii\n    action: alert\n", 4,
        "rule 'r': match must be a mapping");
  fails("version: 1\nrules:\n  - id: r\n    match:\n      category: pii\n"
        "      colour: red\n    action: alert\n",
        6, "rule 'r': unknown match key 'colour'");
  fails("version: 1\nrules:\n  - id: r\n    match:\n      channel: wechat\n"
        "    action: alert\n",
        5, "rule 'r': match needs a category");
  fails("version: 1\nrules:\n  - id: r\n    match:\n      category: pii\n"
        "      external: maybe\n    action: alert\n",
        6, "match.external must be true or false, not 'maybe'");
  fails("version: 1\nrules:\n  - id: r\n    match:\n      category: pii\n"
        "      conversation: [group, dm]\n    action: alert\n",
        5, "conversation must be group, direct or channel, not 'dm'");
  fails("version: 1\nrules:\n  - id: r\n    match:\n      category: []\n"
        "    action: alert\n",
        5, "match.category must not be an empty list");
  fails("version: 1\nrules:\n  - id: r\n    match:\n      category: {a: 1}\n"
        "    action: alert\n",
        5, "match.category must be a value or a list of values");
  fails("version: 1\nrules:\n  - id: r\n    match:\n      category: [[pii]]\n"
        "    action: alert\n",
        5, "match.category must be a single value");
  fails("version: 1\nrules:\n  - id: r\n    match:\n      category: pii\n"
        "      channel: {a: b}\n    action: alert\n",
        6, "match.channel must be a value or a list of values");
  fails("version: 1\nrules:\n  - id: r\n    match:\n      category: pii\n"
        "      sender_role: []\n    action: alert\n",
        6, "match.sender_role must not be an empty list");
  fails("version: 1\nrules:\n  - id: r\n    match:\n      category: pii\n"
        "      sender_dept: [[a]]\n    action: alert\n",
        6, "match.sender_dept must be a single value");
  fails("version: 1\nrules:\n  - id: r\n    match:\n      ? [k]\n      : v\n"
        "    action: alert\n",
        5, "rule 'r': match keys must be names");
}

static void test_errors_category(void **state) {
  (void)state;
  static const char *const unknown[] = {
      "pii.fingerprint",
      "secrets",
      "pii.cn",
      "piis",
      "keyword.projects",
      "Keyword",
      "classified.marking.x",
      "conduct.abusive.*x",
      "",
  };
  for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++) {
    char yaml[256], what[96];
    snprintf(yaml, sizeof yaml,
             "version: 1\nrules:\n  - id: r\n    match:\n"
             "      category: [pii, '%s']\n    action: alert\n",
             unknown[i]);
    snprintf(what, sizeof what, "rule 'r': unknown category '%s'", unknown[i]);
    fails(yaml, 5, what);
  }
  /* Known ones: exact, prefixes at a dot, open families, "*" and ".*". */
  static const char *const known[] = {
      "classified",
      "classified.marking",
      "classified.*",
      "pii.cn_mobile",
      "pii.*",
      "conduct",
      "phishing.lookalike_domain",
      "phishing.anything",
      "dbop.privilege",
      "dbop",
      "keyword",
      "*",
      "finance.statement",
  };
  for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
    char yaml[256];
    snprintf(yaml, sizeof yaml,
             "version: 1\nrules:\n  - id: r\n    match:\n"
             "      category: '%s'\n    action: alert\n",
             known[i]);
    levee_policy_destroy(parse_ok(yaml));
  }
}

/* --- keyword lists -------------------------------------------------------- */

typedef struct reader_state {
  const char *data; /* what every file holds; NULL: fail */
  size_t len;
  int calls;
  char last_path[64];
} reader_state;

static int test_reader(void *ud, const char *path, char **out_data,
                       size_t *out_len) {
  reader_state *rs = ud;
  rs->calls++;
  snprintf(rs->last_path, sizeof rs->last_path, "%s", path);
  if (!rs->data)
    return LEVEE_ENOTFOUND;
  char *p = malloc(rs->len + 1);
  if (!p)
    return LEVEE_ENOMEM;
  memcpy(p, rs->data, rs->len);
  *out_data = p;
  *out_len = rs->len;
  return LEVEE_OK;
}

static const lv_keyword_list *list_by_name(const levee_policy *p,
                                           const char *name) {
  for (size_t i = 0; i < p->n_lists; i++)
    if (!strcmp(p->lists[i].name, name))
      return &p->lists[i];
  fail_msg("no keyword list '%s'", name);
  return NULL;
}

static void test_keyword_list_inline(void **state) {
  (void)state;
  levee_policy *p =
      parse_ok("version: 1\n"
               "keyword_lists:\n"
               "  - name: projects\n"
               "    words: [北极星计划, Project Aurora, '  蓝鲸  ']\n"
               "  - name: codes_2-b\n"
               "    words:\n"
               "      - X-17\n"
               "rules:\n"
               "  - id: kw\n"
               "    match: {category: [keyword.projects, "
               "keyword.codes_2-b]}\n"
               "    action: alert\n");
  assert_int_equal(p->n_lists, 2);
  const lv_keyword_list *k = list_by_name(p, "projects");
  assert_string_equal(k->origin, "inline");
  assert_int_equal(k->n_words, 3);
  assert_string_equal(k->words[0], "北极星计划");
  assert_string_equal(k->words[1], "Project Aurora");
  assert_string_equal(k->words[2], "蓝鲸"); /* trimmed */
  k = list_by_name(p, "codes_2-b");
  assert_int_equal(k->n_words, 1);
  assert_true(lv_policy_uses_category(p, "keyword.projects"));
  assert_false(lv_policy_uses_category(p, "keyword.other"));
  levee_policy_destroy(p);
}

static void test_keyword_list_reader(void **state) {
  (void)state;
  static const char file[] = "\xEF\xBB\xBF# project code names\n"
                             "北极星计划\r\n"
                             "\n"
                             "   \n"
                             "  Aurora  \n"
                             "# another comment\n"
                             "蓝鲸"; /* no final newline */
  reader_state rs = {file, sizeof file - 1, 0, ""};
  levee_policy *p = parse_ok_with("version: 1\n"
                                  "keyword_lists:\n"
                                  "  - name: projects\n"
                                  "    file: lists/projects.txt\n"
                                  "    words: [inline-too]\n"
                                  "rules:\n"
                                  "  - id: kw\n"
                                  "    match: {category: keyword.projects}\n"
                                  "    action: alert\n",
                                  test_reader, &rs);
  assert_int_equal(rs.calls, 1);
  assert_string_equal(rs.last_path, "lists/projects.txt");
  const lv_keyword_list *k = list_by_name(p, "projects");
  assert_string_equal(k->origin, "lists/projects.txt");
  assert_int_equal(k->n_words, 4);
  assert_string_equal(k->words[0], "北极星计划");
  assert_string_equal(k->words[1], "Aurora");
  assert_string_equal(k->words[2], "蓝鲸");
  assert_string_equal(k->words[3], "inline-too");
  levee_policy_destroy(p);
}

static void test_keyword_list_errors(void **state) {
  (void)state;
  const char *rule = "rules:\n" GOOD_RULE;
  char yaml[512];
#define KW(body)                                                               \
  (snprintf(yaml, sizeof yaml, "version: 1\n%s%s", body, rule), yaml)
  fails(KW("keyword_lists:\n  - just-a-name\n"), 3,
        "each keyword list must be a mapping");
  fails(KW("keyword_lists:\n  - name: p\n    words: [a]\n    colour: red\n"), 5,
        "unknown keyword list key 'colour'");
  fails(KW("keyword_lists:\n  - words: [a]\n"), 3,
        "a keyword list has no name");
  fails(KW("keyword_lists:\n  - name: [p]\n    words: [a]\n"), 3,
        "name must be a single value");
  fails(KW("keyword_lists:\n  - name: Projects\n    words: [a]\n"), 3,
        "keyword list name 'Projects' may use only a-z 0-9 _ -");
  fails(KW("keyword_lists:\n  - name: p.q\n    words: [a]\n"), 3,
        "may use only a-z 0-9 _ -");
  fails(KW("keyword_lists:\n  - name: p\n"), 3,
        "keyword list 'p' needs a file or words");
  fails(KW("keyword_lists:\n  - name: p\n    words: abc\n"), 4,
        "keyword list 'p': words must be a list");
  fails(KW("keyword_lists:\n  - name: p\n    words: [[a]]\n"), 4,
        "a keyword must be a single value");
  fails(KW("keyword_lists:\n  - name: p\n    words: ['   ', '']\n"), 3,
        "keyword list 'p' is empty");
  fails(KW("keyword_lists:\n  - name: p\n    words: [a]\n"
           "  - name: q\n    words: [b]\n  - name: p\n    words: [c]\n"),
        7, "two keyword lists are named 'p'");
  fails(KW("keyword_lists:\n  - name: p\n    file: [a.txt]\n"), 4,
        "file must be a single value");
  fails(KW("keyword_lists:\n  - ? [k]\n    : v\n"), 3,
        "keyword list keys must be names");
  /* A keyword over the byte limit, inline. */
  char word[LV_MAX_KEYWORD_BYTES + 2];
  memset(word, 'w', sizeof word - 1);
  word[sizeof word - 1] = '\0';
  char big[1024];
  snprintf(big, sizeof big,
           "version: 1\nkeyword_lists:\n  - name: p\n    words: [ok, %s]\n%s",
           word, rule);
  fails(big, 4, "keyword over 256 bytes");
  /* A keyword list without a rule that uses it is fine; a rule naming a
   * list that does not exist is not. */
  fails("version: 1\nkeyword_lists:\n  - name: p\n    words: [a]\nrules:\n"
        "  - id: r\n    match: {category: keyword.q}\n    action: alert\n",
        7, "unknown category 'keyword.q'");
#undef KW
}

static void test_keyword_file_errors(void **state) {
  (void)state;
  const char *policy = "version: 1\n"
                       "keyword_lists:\n"
                       "  - name: p\n"
                       "    file: p.txt\n"
                       "rules:\n" GOOD_RULE;
  /* No reader: files cannot be read. */
  fails_with(policy, NULL, NULL, 4,
             "keyword list 'p': files cannot be read here");
  /* The reader fails. */
  reader_state rs = {NULL, 0, 0, ""};
  fails_with(policy, test_reader, &rs, 4,
             "keyword list 'p': cannot read p.txt: not found");
  assert_int_equal(rs.calls, 1);
  /* Not UTF-8 (GBK bytes). */
  reader_state gbk = {"\xBB\xFA\xC3\xDC\n", 5, 0, ""};
  fails_with(policy, test_reader, &gbk, 4, "p.txt is not valid UTF-8");
  /* A keyword over the limit, on line 3 of the file. */
  char file[600];
  int n = snprintf(file, sizeof file, "ok\n# c\n");
  memset(file + n, 'x', LV_MAX_KEYWORD_BYTES + 1);
  n += LV_MAX_KEYWORD_BYTES + 1;
  file[n++] = '\n';
  reader_state longw = {file, (size_t)n, 0, ""};
  fails_with(policy, test_reader, &longw, 4,
             "p.txt line 3: keyword over 256 bytes");
  /* Exactly at the limit is fine. */
  reader_state edge = {file + 7, LV_MAX_KEYWORD_BYTES, 0, ""};
  levee_policy_destroy(parse_ok_with(policy, test_reader, &edge));
  /* Only comments and blank lines: empty. */
  reader_state empty = {"# nothing\n\n  \n", 14, 0, ""};
  fails_with(policy, test_reader, &empty, 3, "keyword list 'p' is empty");
}

static void test_keyword_count_limit(void **state) {
  (void)state;
  size_t n = (size_t)LV_MAX_KEYWORDS_PER_LIST + 1;
  char *file = malloc(n * 2);
  assert_non_null(file);
  for (size_t i = 0; i < n; i++) {
    file[2 * i] = 'k';
    file[2 * i + 1] = '\n';
  }
  const char *policy = "version: 1\n"
                       "keyword_lists:\n"
                       "  - name: many\n"
                       "    file: many.txt\n"
                       "rules:\n" GOOD_RULE;
  reader_state rs = {file, n * 2, 0, ""};
  fails_with(policy, test_reader, &rs, 4,
             "keyword list 'many': more than 200000 keywords");
  rs.len = (n - 1) * 2;
  levee_policy *p = parse_ok_with(policy, test_reader, &rs);
  assert_int_equal(p->lists[0].n_words, LV_MAX_KEYWORDS_PER_LIST);
  levee_policy_destroy(p);
  free(file);
}

/* --- sizes ---------------------------------------------------------------- */

static void test_rule_and_list_count_limits(void **state) {
  (void)state;
  lv_buf b;
  lv_buf_init(&b, LV_MAX_POLICY_BYTES);
  assert_int_equal(lv_buf_puts(&b, "version: 1\nrules:\n"), LEVEE_OK);
  for (int i = 0; i < LV_MAX_RULES; i++)
    assert_int_equal(lv_buf_printf(&b,
                                   "  - {id: r%d, match: {category: pii}, "
                                   "action: alert}\n",
                                   i),
                     LEVEE_OK);
  levee_policy *p = parse_ok(b.data);
  assert_int_equal(p->n_rules, LV_MAX_RULES);
  levee_policy_destroy(p);
  assert_int_equal(lv_buf_puts(&b, "  - {id: last, match: {category: pii}, "
                                   "action: alert}\n"),
                   LEVEE_OK);
  fails(b.data, 3, "more than 1024 rules");
  lv_buf_reset(&b);

  assert_int_equal(lv_buf_puts(&b, "version: 1\nkeyword_lists:\n"), LEVEE_OK);
  for (int i = 0; i <= LV_MAX_KEYWORD_LISTS; i++)
    assert_int_equal(lv_buf_printf(&b, "  - {name: l%d, words: [w]}\n", i),
                     LEVEE_OK);
  assert_int_equal(lv_buf_puts(&b, "rules:\n" GOOD_RULE), LEVEE_OK);
  fails(b.data, 3, "more than 256 keyword lists");
  lv_buf_cleanup(&b);
}

static void test_policy_too_big(void **state) {
  (void)state;
  size_t n = (size_t)LV_MAX_POLICY_BYTES + 1;
  char *yaml = malloc(n);
  assert_non_null(yaml);
  memset(yaml, '#', n);
  levee_policy *p = NULL;
  levee_error err = {0};
  assert_int_equal(levee_policy_parse(yaml, n, ORIGIN, NULL, NULL, &p, &err),
                   LEVEE_ETOOBIG);
  assert_null(p);
  assert_non_null(strstr(err.message, ORIGIN));
  free(yaml);
}

/* --- include_default ------------------------------------------------------ */

static void test_include_default(void **state) {
  (void)state;
  /* Rules of one's own come first; the default pack's follow. */
  levee_policy *p = parse_ok("version: 1\n"
                             "include_default: true\n"
                             "keyword_lists:\n"
                             "  - {name: projects, words: [北极星]}\n"
                             "rules:\n"
                             "  - id: projects\n"
                             "    match: {category: keyword.projects}\n"
                             "    action: block\n");
  assert_int_equal(p->n_rules, 1 + N_DEFAULT);
  assert_string_equal(p->rules[0].id, "projects");
  for (size_t i = 0; i < N_DEFAULT; i++)
    assert_string_equal(p->rules[1 + i].id, default_ids[i]);
  const lv_rule *r = rule_by_id(p, "state-secret-marking");
  assert_int_equal(r->channels.n, 7);
  assert_int_equal(r->action, LEVEE_ACTION_BLOCK);
  assert_string_equal(p->origin, ORIGIN);
  assert_int_equal(p->n_lists, 1);
  levee_policy_destroy(p);

  /* A rule with a default rule's id replaces it. */
  p = parse_ok("version: 1\n"
               "include_default: yes\n"
               "rules:\n"
               "  - id: conduct-record\n"
               "    match: {category: conduct.abusive}\n"
               "    action: hold\n"
               "    severity: high\n");
  assert_int_equal(p->n_rules, N_DEFAULT);
  r = rule_by_id(p, "conduct-record");
  assert_int_equal(r->action, LEVEE_ACTION_HOLD);
  assert_int_equal(r->categories.n, 1);
  assert_string_equal(r->categories.v[0], "conduct.abusive");
  size_t seen = 0;
  for (size_t i = 0; i < p->n_rules; i++)
    seen += !strcmp(p->rules[i].id, "conduct-record");
  assert_int_equal(seen, 1);
  levee_policy_destroy(p);

  /* The default pack alone. */
  p = parse_ok("version: 1\nname: mine\ninclude_default: true\n");
  assert_int_equal(p->n_rules, N_DEFAULT);
  assert_string_equal(p->name, "mine");
  levee_policy_destroy(p);

  /* include_default: false adds nothing. */
  p = parse_ok("version: 1\ninclude_default: false\nrules:\n" GOOD_RULE);
  assert_int_equal(p->n_rules, 1);
  levee_policy_destroy(p);
}

/* --- categories and rule conditions --------------------------------------- */

static void test_category_match(void **state) {
  (void)state;
  assert_true(lv_category_match("*", "pii.email"));
  assert_true(lv_category_match("*", "keyword.x"));
  assert_true(lv_category_match("pii", "pii.email"));
  assert_true(lv_category_match("pii", "pii"));
  assert_true(lv_category_match("pii.*", "pii.cn_mobile"));
  assert_true(lv_category_match("pii.*", "pii"));
  assert_true(lv_category_match("pii.email", "pii.email"));
  assert_true(lv_category_match("keyword", "keyword.projects"));
  assert_true(lv_category_match("keyword.projects", "keyword.projects"));
  assert_true(lv_category_match("classified", "classified.marking"));
  assert_false(lv_category_match("pii", "piix"));
  assert_false(lv_category_match("pii", "pii_x"));
  assert_false(lv_category_match("pii.email", "pii"));
  assert_false(lv_category_match("pii.email", "pii.emailx"));
  assert_false(lv_category_match("pii.cn", "pii.cn_mobile"));
  assert_false(lv_category_match("keyword.projects", "keyword.projects2"));
  assert_false(lv_category_match("keyword.projects", "keyword"));
  assert_false(lv_category_match("classified", "confidential.marking"));
  assert_false(lv_category_match("conduct.*", "confidential.marking"));
  assert_false(lv_category_match("pii.*", "piix.y"));
}

static void test_action_severity_names(void **state) {
  (void)state;
  static const char *const actions[] = {"allow", "alert", "hold", "redact",
                                        "block"};
  for (int i = 0; i < 5; i++) {
    levee_action a = LEVEE_ACTION_ALLOW;
    assert_int_equal(lv_action_parse(actions[i], &a), LEVEE_OK);
    assert_int_equal(a, i);
    assert_string_equal(levee_action_name(a), actions[i]);
  }
  static const char *const sevs[] = {"info", "low", "medium", "high",
                                     "critical"};
  for (int i = 0; i < 5; i++) {
    levee_severity s = LEVEE_SEVERITY_INFO;
    assert_int_equal(lv_severity_parse(sevs[i], &s), LEVEE_OK);
    assert_int_equal(s, i);
    assert_string_equal(levee_severity_name(s), sevs[i]);
  }
  levee_action a = LEVEE_ACTION_HOLD;
  assert_int_equal(lv_action_parse("deny", &a), LEVEE_EINVAL);
  assert_int_equal(a, LEVEE_ACTION_HOLD);
  levee_severity s = LEVEE_SEVERITY_HIGH;
  assert_int_equal(lv_severity_parse("", &s), LEVEE_EINVAL);
  assert_int_equal(s, LEVEE_SEVERITY_HIGH);
  assert_string_equal(levee_action_name((levee_action)99), "allow");
  assert_string_equal(levee_severity_name((levee_severity)-1), "info");
}

static levee_str S(const char *s) {
  levee_str r = {s, s ? strlen(s) : 0};
  return r;
}

static levee_event event(const char *channel, const char *conv_type,
                         levee_tristate external, const char *role,
                         const char *dept) {
  levee_event ev;
  memset(&ev, 0, sizeof ev);
  ev.id = S("e");
  ev.channel = S(channel);
  ev.conversation_type = S(conv_type);
  ev.conversation_external = external;
  ev.sender.role = S(role);
  ev.sender.dept = S(dept);
  return ev;
}

static void test_rule_matches_event(void **state) {
  (void)state;
  levee_policy *p = parse_ok(
      "version: 1\nrules:\n"
      "  - {id: any, match: {category: pii}, action: alert}\n"
      "  - {id: chan, match: {category: pii, channel: [wechat, qq]}, "
      "action: alert}\n"
      "  - {id: conv, match: {category: pii, conversation: group}, "
      "action: alert}\n"
      "  - {id: ext, match: {category: pii, external: true}, action: alert}\n"
      "  - {id: int, match: {category: pii, external: false}, action: alert}\n"
      "  - {id: role, match: {category: pii, sender_role: staff}, "
      "action: alert}\n"
      "  - {id: dept, match: {category: pii, sender_dept: [销售, 客服]}, "
      "action: alert}\n"
      "  - {id: all, match: {category: pii, channel: wecom, conversation: "
      "[direct], external: true, sender_role: staff, sender_dept: 销售}, "
      "action: alert}\n");
  const lv_rule *any = rule_by_id(p, "any"), *chan = rule_by_id(p, "chan"),
                *conv = rule_by_id(p, "conv"), *ext = rule_by_id(p, "ext"),
                *in = rule_by_id(p, "int"), *role = rule_by_id(p, "role"),
                *dept = rule_by_id(p, "dept"), *all = rule_by_id(p, "all");
  levee_event ev = event("wechat", "group", LEVEE_TRUE, "staff", "销售");
  assert_true(lv_rule_matches_event(any, &ev));
  assert_true(lv_rule_matches_event(chan, &ev));
  assert_true(lv_rule_matches_event(conv, &ev));
  assert_true(lv_rule_matches_event(ext, &ev));
  assert_false(lv_rule_matches_event(in, &ev));
  assert_true(lv_rule_matches_event(role, &ev));
  assert_true(lv_rule_matches_event(dept, &ev));
  assert_false(lv_rule_matches_event(all, &ev)); /* channel wechat */

  /* channel */
  ev = event("email", NULL, LEVEE_UNKNOWN, NULL, NULL);
  assert_true(lv_rule_matches_event(any, &ev));
  assert_false(lv_rule_matches_event(chan, &ev));
  ev.channel = S("qq");
  assert_true(lv_rule_matches_event(chan, &ev));
  ev.channel = S("wechatx");
  assert_false(lv_rule_matches_event(chan, &ev));
  ev.channel = S(NULL);
  assert_false(lv_rule_matches_event(chan, &ev));
  /* conversation type: absent does not match a condition */
  ev = event("wechat", "direct", LEVEE_UNKNOWN, NULL, NULL);
  assert_false(lv_rule_matches_event(conv, &ev));
  ev.conversation_type = S(NULL);
  assert_false(lv_rule_matches_event(conv, &ev));
  ev.conversation_type = S("group");
  assert_true(lv_rule_matches_event(conv, &ev));
  /* sender role and department */
  ev = event("wechat", NULL, LEVEE_UNKNOWN, "bot", "财务");
  assert_false(lv_rule_matches_event(role, &ev));
  assert_false(lv_rule_matches_event(dept, &ev));
  ev.sender.dept = S("客服");
  assert_true(lv_rule_matches_event(dept, &ev));
  ev.sender.role = S(NULL);
  assert_false(lv_rule_matches_event(role, &ev));
  ev.sender.role = S("Staff");
  assert_false(lv_rule_matches_event(role, &ev));

  /* external: true, false, unknown */
  ev = event("wechat", NULL, LEVEE_FALSE, "staff", NULL);
  assert_false(lv_rule_matches_event(ext, &ev));
  assert_true(lv_rule_matches_event(in, &ev));
  ev.conversation_external = LEVEE_UNKNOWN;
  assert_false(lv_rule_matches_event(ext, &ev));
  assert_true(lv_rule_matches_event(in, &ev));
  /* A customer among the recipients makes it external, whatever the flag. */
  levee_party rcpt[3];
  memset(rcpt, 0, sizeof rcpt);
  rcpt[0].role = S("staff");
  rcpt[1].role = S(NULL);
  rcpt[2].role = S("customer");
  ev.conversation_external = LEVEE_FALSE;
  ev.recipients = rcpt;
  ev.n_recipients = 2;
  assert_false(lv_rule_matches_event(ext, &ev));
  ev.n_recipients = 3;
  assert_true(lv_rule_matches_event(ext, &ev));
  assert_false(lv_rule_matches_event(in, &ev));
  /* Only the exact role "customer" counts. */
  rcpt[2].role = S("customers");
  assert_false(lv_rule_matches_event(ext, &ev));
  rcpt[2].role = S("Customer");
  assert_false(lv_rule_matches_event(ext, &ev));
  rcpt[2].role = S("custome");
  assert_false(lv_rule_matches_event(ext, &ev));
  /* A customer as the sender, too. */
  ev.n_recipients = 0;
  ev.sender.role = S("customer");
  assert_true(lv_rule_matches_event(ext, &ev));
  assert_false(lv_rule_matches_event(in, &ev));
  assert_false(lv_rule_matches_event(role, &ev));

  /* Every condition must hold. */
  ev = event("wecom", "direct", LEVEE_TRUE, "staff", "销售");
  assert_true(lv_rule_matches_event(all, &ev));
  ev.sender.dept = S("财务");
  assert_false(lv_rule_matches_event(all, &ev));
  ev = event("wecom", "direct", LEVEE_FALSE, "staff", "销售");
  assert_false(lv_rule_matches_event(all, &ev));
  ev.recipients = rcpt;
  ev.n_recipients = 1;
  rcpt[0].role = S("customer");
  assert_true(lv_rule_matches_event(all, &ev));
  levee_policy_destroy(p);
}

static void test_policy_refcount(void **state) {
  (void)state;
  levee_policy *p = parse_ok("version: 1\nrules:\n" GOOD_RULE);
  assert_ptr_equal(lv_policy_ref(p), p);
  levee_policy_destroy(p); /* drops the extra reference */
  assert_string_equal(p->rules[0].id, "ok");
  levee_policy_destroy(p);
  assert_null(lv_policy_ref(NULL));
}

/* --- retention ----------------------------------------------------------- */

static void retention_of(const levee_policy *p, const char *const *cats,
                         size_t n, int64_t want_records, int64_t want_content) {
  int64_t r, c;
  lv_retention_for(&p->retention, cats, n, &r, &c);
  assert_int_equal(r, want_records);
  assert_int_equal(c, want_content);
}

static void test_retention(void **state) {
  (void)state;
  levee_policy *p = parse_ok("version: 1\n"
                             "include_default: true\n"
                             "retention:\n"
                             "  records: 1y\n"
                             "  content: 180d\n"
                             "  categories:\n"
                             "    pii: { content: 90d }\n"
                             "    pii.health: { content: 30d }\n"
                             "    classified: { content: forever, records: "
                             "forever }\n");
  assert_true(p->retention.set);
  assert_int_equal(p->retention.n_rules, 3);
  const char *none[1] = {NULL};
  retention_of(p, none, 0, 365, 180); /* no findings: the defaults */
  const char *health[] = {"pii.health"};
  retention_of(p, health, 1, 365, 30); /* the most specific rule */
  const char *mobile[] = {"pii.cn_mobile"};
  retention_of(p, mobile, 1, 365, 90); /* the prefix rule */
  const char *kw[] = {"keyword.x"};
  retention_of(p, kw, 1, 365, 180); /* no rule: the defaults */
  const char *both[] = {"pii.health", "keyword.x"};
  retention_of(p, both, 2, 365, 180); /* the longest over the event */
  const char *secret[] = {"pii.health", "classified.marking"};
  retention_of(p, secret, 2, 0, 0); /* for ever wins */
  levee_policy_destroy(p);

  /* No section: everything kept for ever. */
  p = parse_ok("version: 1\ninclude_default: true\n");
  assert_false(p->retention.set);
  retention_of(p, health, 1, 0, 0);
  levee_policy_destroy(p);
  /* Content defaults to the records' time. */
  p = parse_ok("version: 1\ninclude_default: true\nretention:\n"
               "  records: 200d\n");
  retention_of(p, none, 0, 200, 200);
  levee_policy_destroy(p);
}

static void test_retention_errors(void **state) {
  (void)state;
  const char *head = "version: 1\ninclude_default: true\nretention:\n";
  char y[512];
  snprintf(y, sizeof y, "%s  records: 179d\n", head);
  fails(y, 4, "at least 180 days");
  snprintf(y, sizeof y, "%s  records: 179d\n", head);
  fails(y, 4, "网络安全法第二十一条");
  snprintf(y, sizeof y, "%s  categories:\n    pii:\n      records: 30d\n",
           head);
  fails(y, 6, "at least 180 days");
  snprintf(y, sizeof y, "%s  records: 1y\n  content: 2y\n", head);
  fails(y, 4, "longer than its records");
  snprintf(y, sizeof y, "%s  records: 1y\n  content: forever\n", head);
  fails(y, 4, "for ever, longer than its records");
  snprintf(y, sizeof y, "%s  records: 30\n", head);
  fails(y, 4, "number of days or years");
  snprintf(y, sizeof y, "%s  records: -5d\n", head);
  fails(y, 4, "number of days or years");
  snprintf(y, sizeof y, "%s  records: 1y\n  keep: 1y\n", head);
  fails(y, 5, "unknown key in retention");
  snprintf(y, sizeof y, "%s  categories:\n    pii: 30d\n", head);
  fails(y, 5, "must be a mapping");
  snprintf(y, sizeof y, "%s  categories:\n    pii: { content: 1d, x: 2 }\n",
           head);
  fails(y, 5, "unknown key in the retention of pii");
  fails("version: 1\ninclude_default: true\nretention: 1y\n", 3,
        "retention must be a mapping");
}

/* alerts: sinks, the window, the default sinks; a rule's notify. */
static void test_alerts(void **state) {
  (void)state;
  levee_policy *p = parse_ok(
      "version: 1\n"
      "alerts:\n"
      "  default: [secops]\n"
      "  sinks:\n"
      "    secops:  {type: wecom, url: "
      "\"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY1\"}\n"
      "    ding:    {type: dingtalk, url: \"https://oapi.dingtalk.com/robot/"
      "send?access_token=T\", secret: \"SEC1\", excerpts: true}\n"
      "    fs:      {type: feishu, url: \"https://open.feishu.cn/x\", "
      "secret: s, excerpts: false}\n"
      "    hook:    {type: webhook, url: \"http://127.0.0.1:9000/levee\"}\n"
      "    siem:    {type: syslog, address: \"udp://127.0.0.1:514\"}\n"
      "    siem6:   {type: syslog, address: \"tcp://[::1]\", facility: "
      "local0}\n"
      "    siem-n:  {type: syslog, address: \"tcp://siem.example.cn:6514\", "
      "facility: 13}\n"
      "rules:\n"
      "  - id: classified-block\n"
      "    match: {category: classified}\n"
      "    action: block\n"
      "    notify: [secops, siem]\n"
      "  - id: pii\n"
      "    match: {category: pii}\n"
      "    action: alert\n"
      "  - id: quiet\n"
      "    match: {category: finance}\n"
      "    action: alert\n"
      "    notify: []\n"
      "  - id: one\n"
      "    match: {category: conduct}\n"
      "    action: alert\n"
      "    notify: hook\n");
  const lv_alert_policy *a = &p->alerts;
  assert_true(a->set);
  assert_int_equal(a->window_ms, 600000); /* the default, 10 minutes */
  assert_int_equal(a->n_sinks, 7);
  assert_int_equal(a->defaults.n, 1);
  assert_string_equal(a->defaults.v[0], "secops");
  const lv_sink *k = lv_policy_sink(p, "secops");
  assert_non_null(k);
  assert_int_equal(k->type, LV_SINK_WECOM);
  assert_string_equal(
      k->url, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY1");
  assert_null(k->secret);
  assert_false(k->excerpts); /* a robot outside the network: none unless said */
  assert_int_equal(k->line, 5);
  assert_true(lv_policy_sink(p, "hook")->excerpts); /* inside: by default */
  assert_true(lv_policy_sink(p, "siem")->excerpts);
  k = lv_policy_sink(p, "ding");
  assert_int_equal(k->type, LV_SINK_DINGTALK);
  assert_string_equal(k->secret, "SEC1");
  assert_true(k->excerpts); /* said */
  k = lv_policy_sink(p, "fs");
  assert_int_equal(k->type, LV_SINK_FEISHU);
  assert_false(k->excerpts);
  k = lv_policy_sink(p, "siem");
  assert_int_equal(k->type, LV_SINK_SYSLOG);
  assert_null(k->url);
  assert_string_equal(k->host, "127.0.0.1");
  assert_string_equal(k->port, "514");
  assert_false(k->tcp);
  assert_int_equal(k->facility, 4); /* auth */
  k = lv_policy_sink(p, "siem6");
  assert_string_equal(k->host, "::1");
  assert_string_equal(k->port, "514");
  assert_true(k->tcp);
  assert_int_equal(k->facility, 16);
  k = lv_policy_sink(p, "siem-n");
  assert_string_equal(k->host, "siem.example.cn");
  assert_string_equal(k->port, "6514");
  assert_int_equal(k->facility, 13);
  assert_null(lv_policy_sink(p, "nope"));
  const lv_rule *r = lv_policy_rule(p, "classified-block");
  assert_true(r->notify_set);
  assert_int_equal(r->notify.n, 2);
  assert_string_equal(r->notify.v[1], "siem");
  r = lv_policy_rule(p, "pii");
  assert_false(r->notify_set);
  r = lv_policy_rule(p, "quiet");
  assert_true(r->notify_set);
  assert_int_equal(r->notify.n, 0);
  r = lv_policy_rule(p, "one");
  assert_int_equal(r->notify.n, 1);
  assert_null(lv_policy_rule(p, "nope"));
  assert_string_equal(lv_sink_type_name(LV_SINK_FEISHU), "feishu");

  char *text = levee_policy_explain(p);
  assert_non_null(strstr(text, "alerts: the first alert of a sender for a "
                               "rule goes out at once; more within 600000 ms"));
  assert_non_null(strstr(text, "; default sinks: secops\n"));
  assert_non_null(strstr(text, "alert sink secops: WeCom group robot "
                               "(markdown) at https://qyapi.weixin.qq.com/..., "
                               "without excerpts\n"));
  assert_null(strstr(text, "KEY1")); /* robots' keys are not shown */
  assert_null(strstr(text, "access_token"));
  assert_null(strstr(text, "SEC1"));
  assert_non_null(strstr(text, "alert sink ding: DingTalk group robot "
                               "(markdown) at https://oapi.dingtalk.com/..., "
                               "signed (HMAC-SHA256)"));
  assert_non_null(strstr(text, ", without excerpts"));
  assert_non_null(strstr(text, "alert sink siem: syslog (RFC 5424) over UDP "
                               "to 127.0.0.1 port 514, facility auth"));
  assert_non_null(strstr(text, "over TCP (octet counting) to ::1 port 514, "
                               "facility local0"));
  assert_non_null(strstr(text, "  alerts to secops, siem\n"));
  assert_non_null(strstr(text, "  alerts to secops (the default)\n"));
  assert_non_null(strstr(text, "  alerts: none (notify: [])\n"));
  assert_non_null(strstr(text, "alert sink fs: Feishu group robot (card "
                               "with markdown) at https://open.feishu.cn/..., "
                               "signed (HMAC-SHA256), without excerpts "
                               "(warning: no rule and no default sends to "
                               "it)\n"));
  free(text);
  levee_policy_destroy(p);

  /* Windows; alerts after the rules that name its sinks; include_default:
   * its rules go to the default sinks. */
  static const struct {
    const char *w;
    int64_t ms;
  } windows[] = {{"0", 0},           {"500ms", 500},  {"30s", 30000},
                 {"10m", 600000},    {"1h", 3600000}, {"24h", 86400000},
                 {"1440m", 86400000}};
  for (size_t i = 0; i < sizeof windows / sizeof *windows; i++) {
    char y[512];
    snprintf(y, sizeof y,
             "version: 1\ninclude_default: true\n"
             "rules:\n  - id: x\n    match: {category: pii}\n"
             "    action: alert\n    notify: [h]\n"
             "alerts:\n  window: %s\n  default: h\n"
             "  sinks:\n    h: {type: webhook, url: \"https://h.example/\"}\n",
             windows[i].w);
    p = parse_ok(y);
    assert_int_equal(p->alerts.window_ms, windows[i].ms);
    r = lv_policy_rule(p, "state-secret-marking");
    assert_non_null(r);
    assert_false(r->notify_set);
    assert_int_equal(lv_policy_rule(p, "x")->notify.n, 1);
    if (!windows[i].ms) {
      text = levee_policy_explain(p);
      assert_non_null(strstr(text, "alerts: every alert is sent (window 0)"));
      free(text);
    }
    levee_policy_destroy(p);
  }

  /* No alerts section: no sinks; explain says so; a rule of allow with
   * notify is warned about. */
  p = parse_ok("version: 1\nrules:\n" GOOD_RULE);
  assert_false(p->alerts.set);
  assert_int_equal(p->alerts.n_sinks, 0);
  assert_int_equal(p->alerts.window_ms, 600000);
  text = levee_policy_explain(p);
  assert_non_null(strstr(text, "alerts: none (no alert sinks)"));
  free(text);
  levee_policy_destroy(p);
  p = parse_ok("version: 1\nalerts:\n  sinks:\n"
               "    h: {type: webhook, url: \"http://h\"}\n"
               "rules:\n  - id: quiet\n    match: {category: pii}\n"
               "    action: allow\n    notify: [h]\n"
               "  - id: loud\n    match: {category: pii}\n"
               "    action: alert\n");
  text = levee_policy_explain(p);
  assert_non_null(strstr(text, "(warning: notify has no effect: only rules "
                               "at alert or above send alerts)"));
  assert_non_null(strstr(text, "  alerts: none (no notify, and "
                               "alerts.default names no sink)"));
  assert_non_null(strstr(text, "default sinks: none"));
  free(text);
  levee_policy_destroy(p);
}

static void test_alerts_errors(void **state) {
  (void)state;
  const char *head = "version: 1\nrules:\n" GOOD_RULE "alerts:\n";
  /* line 7 is the first line under alerts: */
  static const struct {
    const char *body;
    int line;
    const char *what;
  } cases[] = {
      {"  window: 25h\n", 7,
       "alerts.window must be 0 (off) or a time up to "
       "24h"},
      {"  window: 10\n", 7, "not '10'"},
      {"  window: -1m\n", 7, "not '-1m'"},
      {"  window: 2d\n", 7, "not '2d'"},
      {"  window: 86400001ms\n", 7, "up to 24h"},
      {"  window: [1m]\n", 7, "alerts.window must be a single value"},
      {"  every: 1m\n", 7,
       "unknown key in alerts 'every' (known: window, "
       "default, sinks)"},
      {"  sinks: [a]\n", 7, "alerts.sinks must be a mapping"},
      {"  default: [nope]\n", 7,
       "alerts.default names the sink 'nope', which "
       "alerts.sinks does not define"},
      {"  sinks:\n    a: webhook\n", 8, "sink 'a' must be a mapping"},
      {"  sinks:\n    a b: {type: webhook, url: \"http://h\"}\n", 8,
       "sink name 'a b' may use only"},
      {"  sinks:\n    a: {url: \"http://h\"}\n", 8, "sink 'a' has no type"},
      {"  sinks:\n    a: {type: slack, url: \"http://h\"}\n", 8,
       "sink 'a': type must be webhook, wecom, dingtalk, feishu or syslog, "
       "not 'slack'"},
      {"  sinks:\n    a: {type: webhook}\n", 8, "sink 'a' has no url"},
      {"  sinks:\n    a: {type: webhook, url: \"ftp://h/x\"}\n", 8,
       "sink 'a': url must be an http:// or https:// URL"},
      {"  sinks:\n    a: {type: webhook, url: \"http:///x\"}\n", 8,
       "url must be"},
      {"  sinks:\n    a: {type: webhook, url: \"http://h/a b\"}\n", 8,
       "without spaces"},
      {"  sinks:\n    a: {type: webhook, url: \"http://h\", secret: x}\n", 8,
       "sink 'a': only dingtalk and feishu sinks sign with a secret"},
      {"  sinks:\n    a: {type: dingtalk, url: \"http://h\", secret: \"\"}\n",
       8, "secret must be 1 to"},
      {"  sinks:\n    a: {type: webhook, url: \"http://h\", port: 1}\n", 8,
       "sink 'a': unknown key 'port' (known: type, url, secret, address, "
       "facility, excerpts)"},
      {"  sinks:\n    a: {type: webhook, url: \"http://h\", excerpts: maybe}\n",
       8, "excerpts must be true or false"},
      {"  sinks:\n    a: {type: webhook, address: \"udp://h:1\"}\n", 8,
       "only a syslog sink has an address"},
      {"  sinks:\n    a: {type: webhook, url: \"http://h\", facility: "
       "auth}\n",
       8, "only a syslog sink has a facility"},
      {"  sinks:\n    a: {type: syslog, url: \"http://h\"}\n", 8,
       "a syslog sink has an address, not a url"},
      {"  sinks:\n    a: {type: syslog}\n", 8, "sink 'a' has no address"},
      {"  sinks:\n    a: {type: syslog, address: \"h:514\"}\n", 8,
       "sink 'a': address must be udp://HOST:PORT or tcp://HOST:PORT"},
      {"  sinks:\n    a: {type: syslog, address: \"udp://h:0\"}\n", 8,
       "not 'udp://h:0'"},
      {"  sinks:\n    a: {type: syslog, address: \"udp://h:65536\"}\n", 8,
       "address must be"},
      {"  sinks:\n    a: {type: syslog, address: \"udp://h:+5\"}\n", 8,
       "address must be"},
      {"  sinks:\n    a: {type: syslog, address: \"udp://h o:5\"}\n", 8,
       "address must be"},
      {"  sinks:\n    a: {type: syslog, address: \"udp://:5\"}\n", 8,
       "address must be"},
      {"  sinks:\n    a: {type: syslog, address: \"udp://[::1\"}\n", 8,
       "address must be"},
      {"  sinks:\n    a: {type: syslog, address: \"udp://h:5/x\"}\n", 8,
       "address must be"},
      {"  sinks:\n    a: {type: syslog, address: \"udp://h\", facility: "
       "local9}\n",
       8, "sink 'a': facility must be a syslog facility name"},
      {"  sinks:\n    a: {type: syslog, address: \"udp://h\", facility: 24}\n",
       8, "facility must be"},
      {"  sinks:\n    a: {type: webhook, url: \"http://h\"}\n"
       "    a: {type: webhook, url: \"http://h\"}\n",
       9, "'a' is given twice"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char y[1024];
    snprintf(y, sizeof y, "%s%s", head, cases[i].body);
    fails(y, cases[i].line, cases[i].what);
  }
  fails("version: 1\nrules:\n" GOOD_RULE "alerts: [a]\n", 6,
        "alerts must be a mapping");
  /* A rule's notify names a sink that is not there: the line of the
   * list. */
  fails("version: 1\n"
        "alerts:\n"
        "  sinks:\n"
        "    h: {type: webhook, url: \"http://h\"}\n"
        "rules:\n"
        "  - id: classified-block\n"
        "    match: {category: classified}\n"
        "    action: block\n"
        "    notify: [h, secops]\n",
        9,
        "rule 'classified-block': notify names the sink 'secops', which "
        "alerts.sinks does not define");
  fails("version: 1\nrules:\n  - id: x\n    match: {category: pii}\n"
        "    action: alert\n    notify: [a]\n",
        6, "which alerts.sinks does not define");
  fails("version: 1\nrules:\n  - id: x\n    match: {category: pii}\n"
        "    action: alert\n    notify: {a: 1}\n",
        6, "rule 'x': notify must be a value or a list of values");
  fails("version: 1\nrules:\n  - id: x\n    match: {category: pii}\n"
        "    action: alert\n    notfy: [a]\n",
        6,
        "(known: id, description, match, threshold, action, severity, "
        "notify)");
  /* A URL too long. */
  size_t big = LV_MAX_ALERT_URL_BYTES + 64;
  char *y = malloc(big + 256);
  int n = snprintf(y, big + 256,
                   "version: 1\nrules:\n" GOOD_RULE
                   "alerts:\n  sinks:\n    a: {type: webhook, url: "
                   "\"http://h/");
  memset(y + n, 'x', LV_MAX_ALERT_URL_BYTES);
  snprintf(y + n + LV_MAX_ALERT_URL_BYTES, 16, "\"}\n");
  fails(y, 8, "at most 2048 bytes");
  free(y);
  /* Too many sinks. */
  lv_buf b;
  lv_buf_init(&b, 1 << 20);
  assert_int_equal(
      lv_buf_puts(&b, "version: 1\nrules:\n" GOOD_RULE "alerts:\n  sinks:\n"),
      LEVEE_OK);
  for (int i = 0; i <= LV_MAX_ALERT_SINKS; i++)
    assert_int_equal(
        lv_buf_printf(&b, "    s%d: {type: webhook, url: \"http://h\"}\n", i),
        LEVEE_OK);
  fails(b.data, 8, "more than 64 alert sinks");
  lv_buf_cleanup(&b);
}

static void test_attachments(void **state) {
  (void)state;
  /* Unset: inline, 5 s. */
  levee_policy *p = parse_ok("version: 1\ninclude_default: true\n");
  assert_int_equal(p->attachments.verdict, LV_ATTACHMENTS_INLINE);
  assert_int_equal(p->attachments.timeout_ms, LV_ATTACHMENT_TIMEOUT_MS);
  char *text = levee_policy_explain(p);
  assert_non_null(strstr(text, "attachments: inline: the server waits up to "
                               "5000 ms"));
  free(text);
  levee_policy_destroy(p);
  p = parse_ok("version: 1\ninclude_default: true\nattachments:\n"
               "  verdict: follow-up\n");
  assert_int_equal(p->attachments.verdict, LV_ATTACHMENTS_FOLLOW_UP);
  text = levee_policy_explain(p);
  assert_non_null(strstr(text, "attachments: follow-up"));
  free(text);
  levee_policy_destroy(p);
  p = parse_ok("version: 1\ninclude_default: true\nattachments:\n"
               "  verdict: inline\n  timeout: 800ms\n");
  assert_int_equal(p->attachments.verdict, LV_ATTACHMENTS_INLINE);
  assert_int_equal(p->attachments.timeout_ms, 800);
  levee_policy_destroy(p);
  p = parse_ok("version: 1\ninclude_default: true\nattachments:\n"
               "  timeout: 60s\n");
  assert_int_equal(p->attachments.timeout_ms, 60000);
  levee_policy_destroy(p);
  const char *head = "version: 1\ninclude_default: true\nattachments:\n";
  char y[512];
  snprintf(y, sizeof y, "%s  verdict: later\n", head);
  fails(y, 4, "inline or follow-up");
  snprintf(y, sizeof y, "%s  timeout: 61s\n", head);
  fails(y, 4, "from 1ms to 60s");
  snprintf(y, sizeof y, "%s  timeout: 5\n", head);
  fails(y, 4, "from 1ms to 60s");
  snprintf(y, sizeof y, "%s  timeout: 0ms\n", head);
  fails(y, 4, "from 1ms to 60s");
  snprintf(y, sizeof y, "%s  wait: 5s\n", head);
  fails(y, 4, "unknown key in attachments");
  fails("version: 1\ninclude_default: true\nattachments: inline\n", 3,
        "attachments must be a mapping");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_attachments),
      cmocka_unit_test(test_alerts),
      cmocka_unit_test(test_alerts_errors),
      cmocka_unit_test(test_default_policy),
      cmocka_unit_test(test_default_file_matches_embedded),
      cmocka_unit_test(test_rule_defaults_and_forms),
      cmocka_unit_test(test_errors_top_level),
      cmocka_unit_test(test_errors_yaml_syntax),
      cmocka_unit_test(test_errors_rule),
      cmocka_unit_test(test_errors_threshold),
      cmocka_unit_test(test_errors_rule_structure),
      cmocka_unit_test(test_errors_match),
      cmocka_unit_test(test_errors_category),
      cmocka_unit_test(test_keyword_list_inline),
      cmocka_unit_test(test_keyword_list_reader),
      cmocka_unit_test(test_keyword_list_errors),
      cmocka_unit_test(test_keyword_file_errors),
      cmocka_unit_test(test_keyword_count_limit),
      cmocka_unit_test(test_rule_and_list_count_limits),
      cmocka_unit_test(test_policy_too_big),
      cmocka_unit_test(test_retention),
      cmocka_unit_test(test_retention_errors),
      cmocka_unit_test(test_include_default),
      cmocka_unit_test(test_category_match),
      cmocka_unit_test(test_action_severity_names),
      cmocka_unit_test(test_rule_matches_event),
      cmocka_unit_test(test_policy_refcount),
      cmocka_unit_test(test_duplicate_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
