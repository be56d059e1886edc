/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbguard_alert.c: the database guard's statements at alert, hold or
 * block go to the policy's alert sinks (net/alert.h: WeCom, DingTalk and
 * Feishu robots, webhooks, syslog), as levee serve's findings do: the
 * security officer hears of a refusal at once, and the approvers of a
 * hold that waits for them. The statement is an event of channel
 * "dbguard" whose sender is the database user and whose conversation is
 * the database; its one finding carries the rule, the dbop category, and
 * the start of the statement as its excerpt (the robots leave excerpts out
 * unless a sink asks for them: docs/POLICY.md).
 */
#include <stdio.h>
#include <string.h>

#include "net/alert.h"
#include "net/dbguard_int.h"

/* The statement's bytes an alert carries at most. */
#define ALERT_TEXT_MAX 2000

/* A rule's severity, or the guard's for its defaults. */
static levee_severity severity_of(const dbg_server *srv, const char *rule,
                                  levee_action a) {
  const lv_rule *r = rule && *rule ? lv_policy_rule(srv->policy, rule) : NULL;
  if (r)
    return r->severity;
  return a >= LEVEE_ACTION_HOLD ? LEVEE_SEVERITY_HIGH : LEVEE_SEVERITY_MEDIUM;
}

void dbg_alert(dbg_conn *c, const char *text, size_t len, levee_action a,
               const char *rule, const char *category, const char *reason) {
  dbg_server *srv = c->srv;
  if (!srv->alerts || a < LEVEE_ACTION_ALERT)
    return;
  char id[64], excerpt[ALERT_TEXT_MAX + 120];
  snprintf(id, sizeof id, "dbguard-%u-%llu", c->id,
           (unsigned long long)c->statements + c->refused + 1);
  size_t n = len < ALERT_TEXT_MAX ? len : ALERT_TEXT_MAX;
  /* cut at a character's start, so the excerpt stays UTF-8 */
  while (n < len && n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
    n--;
  snprintf(excerpt, sizeof excerpt, "%s: %.*s%s",
           reason && *reason ? reason : category, (int)n, text,
           n < len ? "…" : "");
  levee_event ev = {0};
  ev.id = (levee_str){id, strlen(id)};
  ev.time_ms = dbg_now_ms();
  ev.channel = (levee_str){"dbguard", 7};
  ev.conversation_id = (levee_str){c->database, strlen(c->database)};
  ev.conversation_title = ev.conversation_id;
  ev.conversation_type = (levee_str){"channel", 7};
  ev.conversation_external = LEVEE_FALSE;
  ev.sender.id = (levee_str){c->user, strlen(c->user)};
  ev.sender.name = ev.sender.id;
  ev.text = (levee_str){text, n};
  levee_finding f = {0};
  f.rule = rule && *rule ? rule : "dbguard-default";
  f.category = category;
  f.source = -1;
  f.start = 0;
  f.end = n;
  f.confidence = 1.0;
  f.excerpt = excerpt;
  f.action = a;
  f.severity = severity_of(srv, rule, a);
  levee_verdict v = {.id = ev.id,
                     .action = a,
                     .severity = f.severity,
                     .findings = &f,
                     .n_findings = 1};
  lv_alerts_submit(srv->alerts, &ev, &v);
}
