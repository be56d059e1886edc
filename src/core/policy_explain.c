/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_explain.c: what a policy does, in words, for `levee policy check`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "util/buf.h"

static void list(lv_buf *b, const char *label, const lv_strlist *l) {
  if (!l->n)
    return;
  (void)lv_buf_printf(b, "%s ", label);
  for (size_t i = 0; i < l->n; i++)
    (void)lv_buf_printf(b, "%s%s", i ? (i + 1 == l->n ? " or " : ", ") : "",
                        l->v[i]);
  (void)lv_buf_puts(b, "; ");
}

static void days(lv_buf *b, int64_t d) {
  if (!d)
    (void)lv_buf_puts(b, "for ever");
  else
    (void)lv_buf_printf(b, "%lld days", (long long)d);
}

/* What the audit store keeps, and for how long. */
static void explain_retention(lv_buf *b, const lv_retention *r) {
  if (!r->set) {
    (void)lv_buf_puts(b, "retention: records and content are kept for ever "
                         "(no retention section)\n");
    return;
  }
  (void)lv_buf_puts(b, "retention: records ");
  days(b, r->record_days);
  (void)lv_buf_puts(b, ", content ");
  days(b, r->content_days);
  (void)lv_buf_puts(b, " (levee purge deletes what is older)\n");
  for (size_t i = 0; i < r->n_rules; i++) {
    const lv_retention_rule *x = &r->rules[i];
    (void)lv_buf_printf(b, "retention of %s: records ", x->category);
    days(b, x->record_days >= 0 ? x->record_days : r->record_days);
    (void)lv_buf_puts(b, ", content ");
    days(b, x->content_days >= 0 ? x->content_days : r->content_days);
    (void)lv_buf_putc(b, '\n');
  }
}

/* How a server gives the verdict of an event with attachments. */
static void explain_attachments(lv_buf *b, const lv_attachment_policy *a) {
  if (a->verdict == LV_ATTACHMENTS_FOLLOW_UP)
    (void)lv_buf_puts(b, "attachments: follow-up: the server answers with "
                         "the text's verdict at once, the attachments' "
                         "follows as a later record\n");
  else
    (void)lv_buf_printf(b,
                        "attachments: inline: the server waits up to "
                        "%lld ms for attachments to be read, then answers "
                        "with what it has; the rest follows as a later "
                        "record\n",
                        (long long)a->timeout_ms);
}

/* A URL without its path and query, where robots keep their keys: the
 * explanation is shown and logged, and must not hand the keys out. */
static void url_origin(lv_buf *b, const char *url) {
  const char *host = strstr(url, "://");
  host = host ? host + 3 : url;
  size_t n = (size_t)(host - url) + strcspn(host, "/?#");
  (void)lv_buf_append(b, url, n);
  if (url[n])
    (void)lv_buf_puts(b, "/...");
}

static void names(lv_buf *b, const lv_strlist *l) {
  for (size_t i = 0; i < l->n; i++)
    (void)lv_buf_printf(b, "%s%s", i ? ", " : "", l->v[i]);
}

/* Where a rule's alerts go. */
static void explain_notify(lv_buf *b, const levee_policy *p, const lv_rule *r) {
  const lv_alert_policy *a = &p->alerts;
  if (r->action < LEVEE_ACTION_ALERT) {
    if (r->notify_set && r->notify.n)
      (void)lv_buf_puts(b, "  (warning: notify has no effect: only rules at "
                           "alert or above send alerts)\n");
    return;
  }
  if (!a->n_sinks)
    return;
  if (r->notify_set && !r->notify.n) {
    (void)lv_buf_puts(b, "  alerts: none (notify: [])\n");
    return;
  }
  const lv_strlist *l = r->notify_set ? &r->notify : &a->defaults;
  if (!l->n) {
    (void)lv_buf_puts(b, "  alerts: none (no notify, and alerts.default "
                         "names no sink)\n");
    return;
  }
  (void)lv_buf_puts(b, "  alerts to ");
  names(b, l);
  (void)lv_buf_puts(b, r->notify_set ? "\n" : " (the default)\n");
}

static int sink_used(const levee_policy *p, const char *name) {
  const lv_strlist *d = &p->alerts.defaults;
  for (size_t i = 0; i < d->n; i++)
    if (!strcmp(d->v[i], name))
      return 1;
  for (size_t i = 0; i < p->n_rules; i++)
    for (size_t j = 0; j < p->rules[i].notify.n; j++)
      if (!strcmp(p->rules[i].notify.v[j], name))
        return 1;
  return 0;
}

/* Where alerts go: the window, the default sinks and each sink. */
static void explain_alerts(lv_buf *b, const levee_policy *p) {
  const lv_alert_policy *a = &p->alerts;
  if (!a->n_sinks) {
    (void)lv_buf_puts(b, "alerts: none (no alert sinks): verdicts are "
                         "recorded, not sent anywhere\n");
    return;
  }
  if (a->window_ms)
    (void)lv_buf_printf(b,
                        "alerts: the first alert of a sender for a rule goes "
                        "out at once; more within %lld ms are counted and "
                        "sent as one follow-up when that window closes",
                        (long long)a->window_ms);
  else
    (void)lv_buf_puts(b, "alerts: every alert is sent (window 0)");
  (void)lv_buf_puts(b, "; default sinks: ");
  if (a->defaults.n)
    names(b, &a->defaults);
  else
    (void)lv_buf_puts(b, "none");
  (void)lv_buf_putc(b, '\n');
  for (size_t i = 0; i < a->n_sinks; i++) {
    const lv_sink *k = &a->sinks[i];
    (void)lv_buf_printf(b, "alert sink %s: ", k->name);
    switch (k->type) {
    case LV_SINK_WEBHOOK: (void)lv_buf_puts(b, "JSON webhook to "); break;
    case LV_SINK_WECOM:
      (void)lv_buf_puts(b, "WeCom group robot (markdown) at ");
      break;
    case LV_SINK_DINGTALK:
      (void)lv_buf_puts(b, "DingTalk group robot (markdown) at ");
      break;
    case LV_SINK_FEISHU:
      (void)lv_buf_puts(b, "Feishu group robot (card with markdown) at ");
      break;
    case LV_SINK_SYSLOG:
      (void)lv_buf_printf(b,
                          "syslog (RFC 5424) over %s to %s port %s, "
                          "facility %s",
                          k->tcp ? "TCP (octet counting)" : "UDP", k->host,
                          k->port, lv_syslog_facility_name(k->facility));
      break;
    }
    if (k->url)
      url_origin(b, k->url);
    if (k->secret)
      (void)lv_buf_puts(b, ", signed (HMAC-SHA256)");
    if (!k->excerpts)
      (void)lv_buf_puts(b, ", without excerpts");
    if (!sink_used(p, k->name))
      (void)lv_buf_puts(b, " (warning: no rule and no default sends to it)");
    (void)lv_buf_putc(b, '\n');
  }
}

char *levee_policy_explain(const levee_policy *p) {
  lv_buf b;
  lv_buf_init(&b, 1u << 24);
  (void)lv_buf_printf(&b,
                      "policy %s (version %d): %zu rules, %zu keyword "
                      "lists\n",
                      p->name ? p->name : "(unnamed)", p->version, p->n_rules,
                      p->n_lists);
  if (p->description)
    (void)lv_buf_printf(&b, "  %s\n", p->description);
  for (size_t i = 0; i < p->n_lists; i++) {
    char cat[160];
    snprintf(cat, sizeof cat, "keyword.%s", p->lists[i].name);
    (void)lv_buf_printf(
        &b,
        "keyword list %s: %zu keywords from %s; findings "
        "are %s%s\n",
        p->lists[i].name, p->lists[i].n_words, p->lists[i].origin, cat,
        lv_policy_uses_category(p, cat) ? ""
                                        : " (warning: no rule uses this list)");
  }
  for (size_t i = 0; i < p->n_rules; i++) {
    const lv_rule *r = &p->rules[i];
    (void)lv_buf_printf(&b, "rule %s: ", r->id);
    (void)lv_buf_printf(&b, "%s with severity %s when ",
                        levee_action_name(r->action),
                        levee_severity_name(r->severity));
    list(&b, "a finding in", &r->categories);
    (void)lv_buf_printf(&b, "with confidence >= %.2f; ", r->threshold);
    list(&b, "channel", &r->channels);
    list(&b, "conversation", &r->conversation_types);
    if (r->external >= 0)
      (void)lv_buf_printf(&b, "%s conversations; ",
                          r->external ? "external" : "internal");
    list(&b, "sender role", &r->sender_roles);
    list(&b, "sender dept", &r->sender_depts);
    if (b.len >= 2)
      b.len -= 2; /* the last "; " */
    (void)lv_buf_putc(&b, '\n');
    if (r->description)
      (void)lv_buf_printf(&b, "  %s\n", r->description);
    explain_notify(&b, p, r);
  }
  (void)lv_buf_puts(&b, "When several rules apply, the strongest action wins "
                        "(allow < alert < hold < redact < block).\n");
  explain_retention(&b, &p->retention);
  explain_attachments(&b, &p->attachments);
  explain_alerts(&b, p);
  return lv_buf_detach(&b, NULL);
}
