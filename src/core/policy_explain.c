/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_explain.c: what a policy does, in words, for `levee policy check`.
 */
#include <stdio.h>
#include <stdlib.h>

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
  }
  (void)lv_buf_puts(&b, "When several rules apply, the strongest action wins "
                        "(allow < alert < hold < redact < block).\n");
  explain_retention(&b, &p->retention);
  explain_attachments(&b, &p->attachments);
  return lv_buf_detach(&b, NULL);
}
