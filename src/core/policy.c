/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.c: policy lifetime and rule matching.
 */
#include "core/policy.h"

#include <stdlib.h>
#include <string.h>

static const char *const action_names[] = {"allow", "alert", "hold", "redact",
                                           "block"};
static const char *const severity_names[] = {"info", "low", "medium", "high",
                                             "critical"};

const char *levee_action_name(levee_action a) {
  return (unsigned)a < 5 ? action_names[a] : "allow";
}

const char *levee_severity_name(levee_severity s) {
  return (unsigned)s < 5 ? severity_names[s] : "info";
}

int lv_action_parse(const char *s, levee_action *out) {
  for (int i = 0; i < 5; i++)
    if (!strcmp(s, action_names[i])) {
      *out = (levee_action)i;
      return LEVEE_OK;
    }
  return LEVEE_EINVAL;
}

int lv_severity_parse(const char *s, levee_severity *out) {
  for (int i = 0; i < 5; i++)
    if (!strcmp(s, severity_names[i])) {
      *out = (levee_severity)i;
      return LEVEE_OK;
    }
  return LEVEE_EINVAL;
}

int lv_category_match(const char *pat, const char *cat) {
  if (!strcmp(pat, "*"))
    return 1;
  size_t n = strlen(pat);
  /* "pii.*" is the same as "pii" */
  if (n >= 2 && pat[n - 1] == '*' && pat[n - 2] == '.')
    n -= 2;
  return !strncmp(pat, cat, n) && (cat[n] == '\0' || cat[n] == '.');
}

int lv_policy_uses_category(const levee_policy *p, const char *cat) {
  for (size_t i = 0; i < p->n_rules; i++)
    for (size_t j = 0; j < p->rules[i].categories.n; j++)
      if (lv_category_match(p->rules[i].categories.v[j], cat))
        return 1;
  return 0;
}

static int str_in(const lv_strlist *l, levee_str s) {
  if (l->n == 0)
    return 1;
  if (!s.ptr)
    return 0;
  for (size_t i = 0; i < l->n; i++)
    if (strlen(l->v[i]) == s.len && !memcmp(l->v[i], s.ptr, s.len))
      return 1;
  return 0;
}

int lv_rule_matches_event(const lv_rule *r, const levee_event *ev) {
  if (!str_in(&r->channels, ev->channel) ||
      !str_in(&r->conversation_types, ev->conversation_type) ||
      !str_in(&r->sender_roles, ev->sender.role) ||
      !str_in(&r->sender_depts, ev->sender.dept))
    return 0;
  if (r->external >= 0) {
    int ext = ev->conversation_external == LEVEE_TRUE;
    /* A conversation with a customer among the recipients is external too. */
    for (size_t i = 0; !ext && i < ev->n_recipients; i++) {
      levee_str role = ev->recipients[i].role;
      ext = role.ptr && role.len == 8 && !memcmp(role.ptr, "customer", 8);
    }
    if (!ext && ev->sender.role.ptr && ev->sender.role.len == 8 &&
        !memcmp(ev->sender.role.ptr, "customer", 8))
      ext = 1;
    if (ext != r->external)
      return 0;
  }
  return 1;
}

static const char *const sink_type_names[] = {"webhook", "wecom", "dingtalk",
                                              "feishu", "syslog"};

const char *lv_sink_type_name(lv_sink_type t) {
  return (unsigned)t < 5 ? sink_type_names[t] : "webhook";
}

/* Syslog facilities by name (RFC 5424 section 6.2.1), their codes 0..23. */
static const char *const facility_names[] = {
    "kern",   "user",   "mail",   "daemon", "auth",     "syslog",
    "lpr",    "news",   "uucp",   "cron",   "authpriv", "ftp",
    "ntp",    "audit",  "alert",  "clock",  "local0",   "local1",
    "local2", "local3", "local4", "local5", "local6",   "local7"};

const char *lv_syslog_facility_name(int code) {
  return code >= 0 && code < 24 ? facility_names[code] : "?";
}

const lv_sink *lv_policy_sink(const levee_policy *p, const char *name) {
  for (size_t i = 0; i < p->alerts.n_sinks; i++)
    if (!strcmp(p->alerts.sinks[i].name, name))
      return &p->alerts.sinks[i];
  return NULL;
}

const lv_rule *lv_policy_rule(const levee_policy *p, const char *id) {
  for (size_t i = 0; i < p->n_rules; i++)
    if (!strcmp(p->rules[i].id, id))
      return &p->rules[i];
  return NULL;
}

levee_policy *lv_policy_ref(levee_policy *p) {
  if (p)
    atomic_fetch_add(&p->refs, 1);
  return p;
}

static void strlist_free(lv_strlist *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
}

void levee_policy_destroy(levee_policy *p) {
  if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
    return;
  for (size_t i = 0; i < p->n_rules; i++) {
    lv_rule *r = &p->rules[i];
    free(r->id);
    free(r->description);
    strlist_free(&r->categories);
    strlist_free(&r->channels);
    strlist_free(&r->conversation_types);
    strlist_free(&r->sender_roles);
    strlist_free(&r->sender_depts);
    strlist_free(&r->notify);
    strlist_free(&r->db_users);
    strlist_free(&r->databases);
    free(r->client_addresses);
  }
  strlist_free(&p->dbguard.approvers);
  free(p->rules);
  for (size_t i = 0; i < p->n_lists; i++) {
    lv_keyword_list *k = &p->lists[i];
    free(k->name);
    free(k->origin);
    for (size_t j = 0; j < k->n_words; j++)
      free(k->words[j]);
    free(k->words);
  }
  free(p->lists);
  for (size_t i = 0; i < p->retention.n_rules; i++)
    free(p->retention.rules[i].category);
  free(p->retention.rules);
  for (size_t i = 0; i < p->alerts.n_sinks; i++) {
    lv_sink *k = &p->alerts.sinks[i];
    free(k->name);
    free(k->url);
    free(k->secret);
    free(k->address);
    free(k->host);
    free(k->port);
  }
  free(p->alerts.sinks);
  strlist_free(&p->alerts.defaults);
  free(p->name);
  free(p->description);
  free(p->origin);
  free(p);
}

/* 0 (for ever) is the longest. */
static int64_t longer(int64_t a, int64_t b) {
  if (!a || !b)
    return 0;
  return a > b ? a : b;
}

void lv_retention_for(const lv_retention *r, const char *const *categories,
                      size_t n, int64_t *record_days, int64_t *content_days) {
  int64_t rec = -1, con = -1;
  for (size_t i = 0; i < n; i++) {
    const lv_retention_rule *best = NULL;
    size_t best_len = 0;
    for (size_t j = 0; j < r->n_rules; j++) {
      const lv_retention_rule *x = &r->rules[j];
      size_t len = strlen(x->category);
      if (lv_category_match(x->category, categories[i]) &&
          (!best || len > best_len)) {
        best = x;
        best_len = len;
      }
    }
    int64_t cr =
        best && best->record_days >= 0 ? best->record_days : r->record_days;
    int64_t cc =
        best && best->content_days >= 0 ? best->content_days : r->content_days;
    rec = rec < 0 ? cr : longer(rec, cr);
    con = con < 0 ? cc : longer(con, cc);
  }
  *record_days = rec < 0 ? r->record_days : rec;
  *content_days = con < 0 ? r->content_days : con;
}
