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
  return lv_buf_detach(&b, NULL);
}
