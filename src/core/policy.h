/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.h: the policy model, between its YAML form (policy_yaml.c) and the
 * engine (engine.c).
 *
 * A policy is a list of rules and of custom keyword lists. A rule matches a
 * finding by category, and the event by channel, conversation type, whether
 * the conversation is external, and the sender's role or department; it
 * yields an action and a severity when the finding's confidence reaches the
 * rule's threshold. Over all matching rules the strongest action wins.
 * A policy is immutable once parsed and reference-counted, so engines
 * compiled from it can outlive the caller's handle.
 */
#ifndef LV_CORE_POLICY_H
#define LV_CORE_POLICY_H

#include <stdatomic.h>
#include <stddef.h>

#include "levee/levee.h"
#include "util/cidr.h"

typedef struct lv_strlist {
  char **v;
  size_t n;
} lv_strlist;

typedef struct lv_rule {
  char *id;
  char *description;
  lv_strlist categories; /* "pii" matches pii and pii.*; "*" matches all */
  lv_strlist channels;   /* empty: any */
  lv_strlist conversation_types;
  lv_strlist sender_roles;
  lv_strlist sender_depts;
  int external; /* -1 any, 0 internal only, 1 external only */
  double threshold;
  levee_action action;
  levee_severity severity;
  /* Alert sinks (names in alerts.sinks) for its findings at alert or
   * above; notify_set 0: the policy's alerts.default; notify_set 1 with
   * an empty list (notify: []): none. */
  lv_strlist notify;
  int notify_set;
  /* The database guard's matches (levee dbguard; docs/POLICY.md "The
   * database guard"); each empty or -1: any. A rule with any of them is a
   * database rule, and its categories are dbop.* only. */
  lv_strlist db_users;       /* role names; "name*" matches a prefix */
  lv_strlist databases;      /* database names; "name*" likewise */
  lv_cidr *client_addresses; /* the client's address in one of these */
  size_t n_client_addresses;
  int hours_from, hours_to; /* minutes after midnight, the guard's local time;
                               from > to wraps past midnight; -1: any */
  unsigned days;            /* bit 0 Monday .. bit 6 Sunday; 0: any */
  int line; /* where it was defined, for messages */
} lv_rule;

/* How long the audit store keeps what it holds (retention: in a policy).
 * Days; 0 means for ever. Records (the evidence of events and of access to
 * the trail) are kept at least LV_RETENTION_MIN_RECORD_DAYS (180 days: the
 * Cybersecurity Law, art. 21, has network logs kept at least six months);
 * message content may go sooner. */
#define LV_RETENTION_MIN_RECORD_DAYS 180

typedef struct lv_retention_rule {
  char *category; /* a category, or a prefix as in rules ("pii") */
  int64_t content_days;
  int64_t record_days;
  int line;
} lv_retention_rule;

typedef struct lv_retention {
  int set;              /* the policy has a retention section */
  int64_t record_days;  /* default for records */
  int64_t content_days; /* default for content */
  lv_retention_rule *rules;
  size_t n_rules;
} lv_retention;

/* The days an event's records and content are kept, given the categories
 * of its findings: the most specific rule for each category, and the
 * longest of those over the event (evidence of any finding is kept as long
 * as that finding's category asks); the defaults when no rule applies. */
void lv_retention_for(const lv_retention *r, const char *const *categories,
                      size_t n, int64_t *record_days, int64_t *content_days);

/* How a server gives the verdict of an event with attachments to read
 * (attachments: in a policy). Inline: the caller waits for the
 * attachments' text, up to timeout_ms, and gets one verdict; what is not
 * read by then follows as a later record. Follow-up: the caller gets the
 * text's verdict at once, the attachments' as a later record linked to the
 * event. `levee scan` always reads them inline and waits. */
typedef enum lv_attachment_verdict {
  LV_ATTACHMENTS_INLINE = 0,
  LV_ATTACHMENTS_FOLLOW_UP
} lv_attachment_verdict;

#define LV_ATTACHMENT_TIMEOUT_MS 5000
#define LV_ATTACHMENT_TIMEOUT_MAX_MS 60000

typedef struct lv_attachment_policy {
  lv_attachment_verdict verdict;
  int64_t timeout_ms; /* inline: the longest the caller waits */
} lv_attachment_policy;

/* Where alerts go (alerts: in a policy; src/net/alert.h sends them). A
 * sink is a group robot (WeCom, DingTalk, Feishu: markdown messages), a
 * generic JSON webhook, or a syslog collector (RFC 5424 over UDP or TCP). */
typedef enum lv_sink_type {
  LV_SINK_WEBHOOK = 0,
  LV_SINK_WECOM,
  LV_SINK_DINGTALK,
  LV_SINK_FEISHU,
  LV_SINK_SYSLOG
} lv_sink_type;

/* The same sender and rule within the window make one alert with a count:
 * 10 minutes unless the policy says; 0 sends every alert. */
#define LV_ALERT_WINDOW_DEFAULT_MS (10LL * 60 * 1000)

typedef struct lv_sink {
  char *name;
  lv_sink_type type;
  char *url;    /* http and https sinks */
  char *secret; /* dingtalk, feishu: the robot's signing secret, or NULL */
  /* syslog: the address as written ("udp://host:port"), and its parts */
  char *address;
  char *host;   /* without IPv6 brackets */
  char *port;   /* decimal */
  int tcp;      /* 1: TCP with octet counting (RFC 6587); 0: UDP */
  int facility; /* syslog facility code, 0..23 (default 4, auth) */
  int excerpts; /* whether alerts carry the findings' masked excerpts */
  int line;
} lv_sink;

typedef struct lv_alert_policy {
  int set;             /* the policy has an alerts section */
  int64_t window_ms;   /* aggregation window; 0: off */
  lv_strlist defaults; /* sinks for findings whose rule names none */
  lv_sink *sinks;
  size_t n_sinks;
} lv_alert_policy;

/* The sink named name, or NULL. */
const lv_sink *lv_policy_sink(const levee_policy *p, const char *name);
/* The rule with that id, or NULL. */
const lv_rule *lv_policy_rule(const levee_policy *p, const char *id);
/* The type's name as a policy writes it ("wecom"). */
const char *lv_sink_type_name(lv_sink_type t);
/* A syslog facility's name ("auth" for 4, "local0" for 16); "?" past 23. */
const char *lv_syslog_facility_name(int code);

/* The database guard's settings (dbguard: in a policy). Its decisions
 * come from the rules (dbop.* categories, lv_policy_db_action). */
#define LV_DBGUARD_HOLD_TIMEOUT_MS (10LL * 60 * 1000)
#define LV_DBGUARD_HOLD_TIMEOUT_MAX_MS (24LL * 3600 * 1000)
#define LV_DBGUARD_KEEPALIVE_MS (10LL * 1000)

typedef struct lv_dbguard_policy {
  int set;                 /* the policy has a dbguard section */
  int64_t hold_timeout_ms; /* a held statement is refused (57014) after */
  int64_t keepalive_ms;    /* a NoticeResponse to the waiting client every */
  lv_strlist approvers;    /* who may approve; empty: anyone but the requester */
} lv_dbguard_policy;

/* Who is asking the database guard, from where and when. */
typedef struct lv_db_context {
  const char *user, *database;
  const uint8_t *address; /* 16 bytes (cidr.h), or NULL: a unix socket */
  int minute_of_day;      /* 0..1439, local time */
  int weekday;            /* 0 Monday .. 6 Sunday */
} lv_db_context;

/* The action for a statement (or a connection: dbop.connect) with these
 * categories: the strongest over the database rules that cover one of
 * them and match c; for a category no matching rule covers, the guard's
 * default (lv_db_default_action). *rule is the deciding rule (NULL for a
 * default) and *category the category it was for; both may be NULL. */
levee_action lv_policy_db_action(const levee_policy *p, const lv_db_context *c,
                                 const char *const *categories, size_t n,
                                 const lv_rule **rule, const char **category);
/* The guard's action for a dbop category no rule covers: dbop.destructive,
 * dbop.privilege, dbop.unresolved: hold; dbop.exfiltration,
 * dbop.unparsable, dbop.function_call: block; others: allow. */
levee_action lv_db_default_action(const char *category);
/* Whether rule r has any database match (is a database rule). */
int lv_rule_is_db(const lv_rule *r);

typedef struct lv_keyword_list {
  char *name;   /* findings are keyword.<name> */
  char *origin; /* file it came from, or "inline" */
  char **words;
  size_t n_words;
} lv_keyword_list;

struct levee_policy {
  atomic_int refs;
  int version;
  char *name;
  char *description;
  char *origin;
  lv_rule *rules;
  size_t n_rules;
  lv_keyword_list *lists;
  size_t n_lists;
  lv_retention retention;
  lv_attachment_policy attachments;
  lv_alert_policy alerts;
  lv_dbguard_policy dbguard;
};

/* Whether category pattern pat covers category cat. */
int lv_category_match(const char *pat, const char *cat);
/* Whether any rule of p covers category cat. */
int lv_policy_uses_category(const levee_policy *p, const char *cat);
/* Whether rule r applies to event ev (all but the category). */
int lv_rule_matches_event(const lv_rule *r, const levee_event *ev);

levee_policy *lv_policy_ref(levee_policy *p);

/* Threshold when a rule names none. */
#define LV_DEFAULT_THRESHOLD 0.5

int lv_action_parse(const char *s, levee_action *out);
int lv_severity_parse(const char *s, levee_severity *out);

#endif
