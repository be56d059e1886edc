/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_holds.c: the database guard's holds in the console (security admin):
 * GET /v1/holds lists the statements a levee dbguard holds for a second
 * person; POST /v1/holds/{id}/approve lets one run, /deny refuses it. levee
 * serve asks the guard through its approvals socket (--dbguard-control),
 * approving "as" the signed-in account: the guard checks that account
 * against the statement's own database user and the policy's approvers,
 * and writes the approval into its trail; the call's access record here
 * says who asked and what the guard answered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/api_int.h"
#include "util/unix_request.h"

#define HOLDS_REPLY_MAX 65536

/* Asks the guard; 0 with its answer in reply, or -1 after answering. */
static int ask_guard(lv_call *c, const char *line, char *reply, size_t cap) {
  const char *path = c->api->o.dbguard_control;
  if (!path) {
    lv_api_fail(c->rs, 404,
                "no database guard is configured (levee serve "
                "--dbguard-control PATH)");
    return -1;
  }
  int rc = lv_unix_request(path, line, reply, cap, 5000);
  if (rc) {
    char why[300];
    snprintf(why, sizeof why, "the database guard cannot be reached: %s",
             strerror(-rc));
    lv_api_fail(c->rs, 502, why);
    return -1;
  }
  return 0;
}

/* The guard's "error: why" as an answer. */
static void guard_refused(lv_call *c, const char *reply) {
  char why[400];
  snprintf(why, sizeof why, "%s", reply + 7);
  char *nl = strchr(why, '\n');
  if (nl)
    *nl = '\0';
  int status = strstr(why, "no statement is held")                       ? 404
               : strstr(why, "approvers") || strstr(why, "another than") ? 403
                                                                         : 409;
  (void)lv_buf_printf(&c->note, "{\"guard\":\"refused\"}");
  lv_api_fail(c->rs, status, why);
}

/* One tab-separated line of the guard's list as a JSON object. */
static void hold_json(lv_jw *w, char *line) {
  static const char *const keys[] = {"id",       "who",  "client", "waited",
                                     "category", "rule", "reason", "statement"};
  char *f[8] = {0};
  size_t n = 0;
  for (char *p = line; n < 8; n++) {
    f[n] = p;
    char *tab = strchr(p, '\t');
    if (!tab) {
      n++;
      break;
    }
    *tab = '\0';
    p = tab + 1;
  }
  lv_jw_object_begin(w);
  for (size_t i = 0; i < n && i < 8; i++) {
    if (i == 1) { /* user@database */
      char *at = strrchr(f[1], '@');
      lv_jw_key(w, "user");
      lv_jw_string(w, f[1], at ? (size_t)(at - f[1]) : strlen(f[1]));
      lv_jw_key(w, "database");
      lv_jw_cstring(w, at ? at + 1 : "");
      continue;
    }
    if (i == 3) { /* "12s" */
      lv_jw_key(w, "waited_s");
      lv_jw_int(w, strtoll(f[3], NULL, 10));
      continue;
    }
    lv_jw_key(w, keys[i]);
    lv_jw_cstring(w, !strcmp(f[i], "-") && i == 5 ? "" : f[i]);
  }
  lv_jw_object_end(w);
}

void lv_api_holds(lv_call *c) {
  char line[96];
  snprintf(line, sizeof line, "list as %s\n", c->who.name);
  char *reply = malloc(HOLDS_REPLY_MAX);
  if (!reply) {
    lv_api_busy(c, "busy: out of memory");
    return;
  }
  if (ask_guard(c, line, reply, HOLDS_REPLY_MAX))
    goto out;
  if (!strncmp(reply, "error: ", 7)) {
    guard_refused(c, reply);
    goto out;
  }
  c->rs->status = 200;
  if (lv_api_commit(c))
    goto out;
  lv_jw w;
  lv_api_json(c, &w);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "holds");
  lv_jw_array_begin(&w);
  for (char *p = reply, *nl; *p; p = nl + 1) {
    if (!(nl = strchr(p, '\n')))
      break;
    *nl = '\0';
    if (*p)
      hold_json(&w, p);
  }
  lv_jw_array_end(&w);
  lv_jw_object_end(&w);
  lv_api_json_end(c, &w);
out:
  free(reply);
}

void lv_api_hold_op(lv_call *c) {
  const char *op = strrchr(c->rq->path, '/') + 1;
  int approve = !strcmp(op, "approve");
  for (const char *p = c->target; *p; p++)
    if (*p <= ' ' || *p == 0x7f) {
      lv_api_fail(c->rs, 400, "not a hold id");
      return;
    }
  char line[160], reply[1024];
  snprintf(line, sizeof line, "%s %s as %s\n", approve ? "approve" : "deny",
           c->target, c->who.name);
  if (ask_guard(c, line, reply, sizeof reply))
    return;
  if (!strncmp(reply, "error: ", 7)) {
    guard_refused(c, reply);
    return;
  }
  (void)lv_buf_printf(&c->note, "{\"guard\":\"%s\"}",
                      approve ? "approved" : "denied");
  c->rs->status = 200;
  if (lv_api_commit(c))
    return;
  lv_jw w;
  lv_api_json(c, &w);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "id");
  lv_jw_cstring(&w, c->target);
  lv_jw_key(&w, "outcome");
  lv_jw_cstring(&w, approve ? "approved" : "denied");
  lv_jw_key(&w, "by");
  lv_jw_cstring(&w, c->who.name);
  lv_jw_object_end(&w);
  lv_api_json_end(c, &w);
}
