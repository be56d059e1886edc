/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_policy.c: the policy routes of levee serve's API:
 *
 *   GET /v1/policy  the policy in force: its version, name, where it came
 *                   from, its YAML text and what it does
 *                   (levee_policy_explain)
 *   PUT /v1/policy  a new policy (YAML, application/yaml): parsed and
 *                   compiled (errors answer 422 with the line), stored as a
 *                   "policy" record of the audit trail (its version, its
 *                   SHA-256 and its text), and only once that is committed
 *                   put in force
 *
 * The swap drops no request: a request takes a reference to the policy in
 * force when it starts and finishes on it; the next one takes the new one,
 * and each worker slot makes a scanner for it the first time it is used
 * with it. The old engine is freed when its last request lets it go.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/policy.h"
#include "net/alert.h"
#include "net/api_int.h"
#include "util/limits.h"

void lv_api_policy_get_route(lv_call *c) {
  lv_api_policy *p = lv_api_policy_get(c->api);
  char *explain = levee_policy_explain(p->policy);
  lv_jw w;
  lv_api_json(c, &w);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "version");
  lv_jw_int(&w, (int64_t)p->version);
  lv_jw_key(&w, "name");
  lv_jw_cstring(&w, p->policy->name ? p->policy->name : "");
  lv_jw_key(&w, "origin");
  lv_jw_cstring(&w, p->policy->origin ? p->policy->origin : "");
  lv_jw_key(&w, "yaml");
  if (p->yaml)
    lv_jw_string(&w, p->yaml, p->yaml_len);
  else
    lv_jw_null(&w);
  lv_jw_key(&w, "explain");
  lv_jw_cstring(&w, explain ? explain : "");
  lv_jw_object_end(&w);
  lv_api_json_end(c, &w);
  free(explain);
  lv_api_policy_put(p);
}

static int is_yaml(const char *type) {
  return lv_api_type_is(type, "application/yaml") ||
         lv_api_type_is(type, "application/x-yaml") ||
         lv_api_type_is(type, "text/yaml") ||
         lv_api_type_is(type, "text/x-yaml");
}

void lv_api_policy_put_route(lv_call *c) {
  lv_api *api = c->api;
  if (!is_yaml(c->rq->content_type)) {
    lv_api_fail(c->rs, 415, "send the policy as application/yaml");
    return;
  }
  levee_str yaml = c->rq->body;
  if (yaml.len > LV_MAX_POLICY_BYTES) {
    lv_api_fail(c->rs, 413, "a policy may have at most 1 MiB");
    return;
  }
  if (!api->o.writer) {
    lv_api_fail(c->rs, 404, "this server keeps no audit store");
    return;
  }
  levee_policy *policy = NULL;
  levee_engine *engine = NULL;
  lv_api_policy *fresh = NULL;
  levee_error err = {0};
  /* One at a time, so versions follow one another. */
  pthread_mutex_lock(&api->put_mu);
  if (levee_policy_parse(yaml.ptr, yaml.len, "PUT /v1/policy", NULL, NULL,
                         &policy, &err) ||
      levee_engine_compile(policy, api->o.cache, &engine, &err)) {
    lv_api_fail(c->rs, 422, err.message[0] ? err.message : "not a policy");
    goto out;
  }
  lv_api_policy *old = lv_api_policy_get(api);
  uint64_t version = old->version + 1;
  lv_api_policy_put(old);
  uint8_t sum[32];
  char hex[65];
  crypto_hash_sha256(sum, (const unsigned char *)yaml.ptr, yaml.len);
  sodium_bin2hex(hex, sizeof hex, sum, sizeof sum);
  lv_buf *d = lv_api_add_record(c, "policy", "ok");
  lv_jw w;
  lv_jw_init(&w, d);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "version");
  lv_jw_int(&w, (int64_t)version);
  lv_jw_key(&w, "name");
  lv_jw_cstring(&w, policy->name ? policy->name : "");
  lv_jw_key(&w, "sha256");
  lv_jw_cstring(&w, hex);
  lv_jw_key(&w, "yaml");
  lv_jw_string(&w, yaml.ptr, yaml.len);
  lv_jw_object_end(&w);
  if (lv_jw_status(&w)) {
    lv_api_fail(c->rs, 500, "out of memory");
    goto out;
  }
  (void)lv_buf_printf(&c->note, "{\"version\":%llu,\"sha256\":\"%s\"}",
                      (unsigned long long)version, hex);
  c->rs->status = 200;
  if (lv_api_commit(c))
    goto out;
  if (lv_api_policy_new(policy, engine, version, yaml.ptr, yaml.len, &fresh)) {
    lv_api_fail(c->rs, 500, "stored, but not put in force: out of memory");
    goto out;
  }
  pthread_rwlock_wrlock(&api->policy_lock);
  old = api->current;
  api->current = fresh;
  pthread_rwlock_unlock(&api->policy_lock);
  lv_api_policy_put(old);
  if (api->o.alerts)
    lv_alerts_set_policy(api->o.alerts, fresh->policy);
  atomic_fetch_add_explicit(&api->metrics.policy_swaps, 1,
                            memory_order_relaxed);
  fprintf(stderr, "levee: serve: policy version %llu (%s) in force, by %s\n",
          (unsigned long long)version, hex, c->who.name);
  lv_api_json(c, &w);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "version");
  lv_jw_int(&w, (int64_t)version);
  lv_jw_key(&w, "sha256");
  lv_jw_cstring(&w, hex);
  lv_jw_key(&w, "record");
  lv_jw_int(&w, (int64_t)c->recs[0].seq);
  lv_jw_object_end(&w);
  lv_api_json_end(c, &w);
out:
  pthread_mutex_unlock(&api->put_mu);
  levee_engine_unref(engine);
  levee_policy_destroy(policy);
}
