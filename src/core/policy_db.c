/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_db.c: the database guard's decisions from a policy's rules
 * (policy.h, lv_policy_db_action): which rules are database rules, whether
 * one matches a connection (role, database, client address, time), and the
 * guard's defaults for the dbop categories no rule covers.
 */
#include <string.h>

#include "core/policy.h"

int lv_rule_is_db(const lv_rule *r) {
  return r->db_users.n || r->databases.n || r->n_client_addresses ||
         r->hours_from >= 0 || r->days;
}

/* Whether the rule is about messages only (a channel, a conversation, a
 * sender), so that it never applies to a database statement. */
static int rule_is_for_messages(const lv_rule *r) {
  return r->channels.n || r->conversation_types.n || r->sender_roles.n ||
         r->sender_depts.n || r->external >= 0;
}

/* "name" matches itself; "name*" every name it starts. */
static int name_in(const lv_strlist *l, const char *name) {
  if (!l->n)
    return 1;
  if (!name)
    return 0;
  for (size_t i = 0; i < l->n; i++) {
    const char *pat = l->v[i];
    size_t n = strlen(pat);
    if (n && pat[n - 1] == '*' ? !strncmp(pat, name, n - 1)
                               : !strcmp(pat, name))
      return 1;
  }
  return 0;
}

static int time_in(const lv_rule *r, const lv_db_context *c) {
  if (r->days && !(r->days & (1u << c->weekday)))
    return 0;
  if (r->hours_from < 0)
    return 1;
  int m = c->minute_of_day;
  if (r->hours_from <= r->hours_to)
    return m >= r->hours_from && m < r->hours_to;
  return m >= r->hours_from || m < r->hours_to; /* past midnight */
}

static int db_rule_matches(const lv_rule *r, const lv_db_context *c) {
  if (rule_is_for_messages(r) || !name_in(&r->db_users, c->user) ||
      !name_in(&r->databases, c->database) || !time_in(r, c))
    return 0;
  if (r->n_client_addresses) {
    if (!c->address)
      return 0;
    int in = 0;
    for (size_t i = 0; !in && i < r->n_client_addresses; i++)
      in = lv_cidr_contains(&r->client_addresses[i], c->address);
    if (!in)
      return 0;
  }
  return 1;
}

static int covers(const lv_rule *r, const char *category) {
  for (size_t i = 0; i < r->categories.n; i++)
    if (lv_category_match(r->categories.v[i], category))
      return 1;
  return 0;
}

levee_action lv_db_default_action(const char *category) {
  static const struct {
    const char *category;
    levee_action action;
  } defaults[] = {
      {"dbop.destructive", LEVEE_ACTION_HOLD},
      {"dbop.privilege", LEVEE_ACTION_HOLD},
      {"dbop.unresolved", LEVEE_ACTION_HOLD},
      {"dbop.exfiltration", LEVEE_ACTION_BLOCK},
      {"dbop.unparsable", LEVEE_ACTION_BLOCK},
      {"dbop.function_call", LEVEE_ACTION_BLOCK},
  };
  for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
    if (!strcmp(defaults[i].category, category))
      return defaults[i].action;
  return LEVEE_ACTION_ALLOW;
}

/* The candidate replaces the best so far when it is stronger (the first
 * one found wins a tie: rules in their order, before defaults). */
typedef struct decision {
  levee_action action;
  const lv_rule *rule;
  const char *category;
} decision;

static void consider(decision *d, levee_action a, const lv_rule *r,
                     const char *category) {
  if (!d->category || a > d->action)
    *d = (decision){a, r, category};
}

levee_action lv_policy_db_action(const levee_policy *p, const lv_db_context *c,
                                 const char *const *categories, size_t n,
                                 const lv_rule **rule, const char **category) {
  decision d = {LEVEE_ACTION_ALLOW, NULL, NULL};
  for (size_t k = 0; k < n; k++) {
    int covered = 0;
    for (size_t i = 0; i < p->n_rules; i++) {
      const lv_rule *r = &p->rules[i];
      if (!covers(r, categories[k]) || !db_rule_matches(r, c))
        continue;
      covered = 1;
      /* REDACT means nothing for a statement: it is refused as BLOCK. */
      consider(
          &d, r->action == LEVEE_ACTION_REDACT ? LEVEE_ACTION_BLOCK : r->action,
          r, categories[k]);
    }
    if (!covered)
      consider(&d, lv_db_default_action(categories[k]), NULL, categories[k]);
  }
  if (rule)
    *rule = d.rule;
  if (category)
    *category = d.category;
  return d.action;
}
