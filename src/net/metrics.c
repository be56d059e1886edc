/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.c: levee serve's counters and their Prometheus text (metrics.h).
 */
#include "net/metrics.h"

#include <string.h>

/* The upper bounds of the inspection latency buckets, in seconds. */
static const double bucket_le[LV_METRICS_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

static const char *const route_names[LV_ROUTE_COUNT] = {
    "healthz",  "inspect", "metrics", "other", "events", "session",
    "accounts", "tokens",  "alerts",  "event", "search", "stats",
    "policy",   "audit",   "console", "holds"};

void lv_metrics_init(lv_metrics *m) {
  memset(m, 0, sizeof *m);
}

void lv_metrics_response(lv_metrics *m, lv_route r, int status) {
  int cls = status / 100 - 1;
  if (cls < 0 || cls > 4)
    cls = 4;
  atomic_fetch_add_explicit(&m->responses[r][cls], 1, memory_order_relaxed);
}

void lv_metrics_inspection(lv_metrics *m, const levee_verdict *v,
                           int64_t micros) {
  if (v->action <= LEVEE_ACTION_BLOCK)
    atomic_fetch_add_explicit(&m->verdicts[v->action], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->findings, v->n_findings, memory_order_relaxed);
  size_t b = 0;
  while (b < LV_METRICS_BUCKETS && (double)micros / 1e6 > bucket_le[b])
    b++;
  atomic_fetch_add_explicit(&m->inspect_bucket[b], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->inspect_us_sum,
                            (uint_fast64_t)(micros > 0 ? micros : 0),
                            memory_order_relaxed);
}

static uint64_t get(atomic_uint_fast64_t *a) {
  return (uint64_t)atomic_load_explicit(a, memory_order_relaxed);
}

int lv_metrics_render(lv_metrics *m, lv_extract_pool *pool, lv_buf *out) {
  int rc = 0;
#define P(...)                                                                 \
  do {                                                                         \
    if (!rc)                                                                   \
      rc = lv_buf_printf(out, __VA_ARGS__);                                    \
  } while (0)
  P("# HELP levee_http_responses_total HTTP responses by route and status "
    "class.\n# TYPE levee_http_responses_total counter\n");
  for (int r = 0; r < LV_ROUTE_COUNT; r++)
    for (int c = 0; c < 5; c++)
      P("levee_http_responses_total{route=\"%s\",code=\"%dxx\"} %llu\n",
        route_names[r], c + 1, (unsigned long long)get(&m->responses[r][c]));
  P("# HELP levee_verdicts_total Verdicts given by POST /v1/inspect, by "
    "action.\n# TYPE levee_verdicts_total counter\n");
  for (int a = 0; a <= LEVEE_ACTION_BLOCK; a++)
    P("levee_verdicts_total{action=\"%s\"} %llu\n",
      levee_action_name((levee_action)a),
      (unsigned long long)get(&m->verdicts[a]));
  P("# HELP levee_findings_total Findings in those verdicts.\n"
    "# TYPE levee_findings_total counter\nlevee_findings_total %llu\n",
    (unsigned long long)get(&m->findings));
  P("# HELP levee_inspect_seconds Time to inspect one event, attachments "
    "included.\n# TYPE levee_inspect_seconds histogram\n");
  uint64_t cum = 0;
  for (int b = 0; b < LV_METRICS_BUCKETS; b++) {
    cum += get(&m->inspect_bucket[b]);
    P("levee_inspect_seconds_bucket{le=\"%g\"} %llu\n", bucket_le[b],
      (unsigned long long)cum);
  }
  cum += get(&m->inspect_bucket[LV_METRICS_BUCKETS]);
  P("levee_inspect_seconds_bucket{le=\"+Inf\"} %llu\n",
    (unsigned long long)cum);
  P("levee_inspect_seconds_sum %.6f\nlevee_inspect_seconds_count %llu\n",
    (double)get(&m->inspect_us_sum) / 1e6, (unsigned long long)cum);
  P("# HELP levee_attachments_late_total Attachments not read within the "
    "policy's wait.\n# TYPE levee_attachments_late_total counter\n"
    "levee_attachments_late_total %llu\n",
    (unsigned long long)get(&m->attachments_late));
  P("# HELP levee_attachments_refused_total Attachments not read because "
    "the extraction queue was full.\n"
    "# TYPE levee_attachments_refused_total counter\n"
    "levee_attachments_refused_total %llu\n",
    (unsigned long long)get(&m->attachments_refused));
  P("# HELP levee_http_rate_limited_total Requests refused (429) because "
    "their client was past its rate.\n"
    "# TYPE levee_http_rate_limited_total counter\n"
    "levee_http_rate_limited_total %llu\n",
    (unsigned long long)get(&m->rate_limited));
  P("# HELP levee_http_busy_total Requests refused (503) because a work "
    "queue was full.\n# TYPE levee_http_busy_total counter\n"
    "levee_http_busy_total %llu\n",
    (unsigned long long)get(&m->busy));
  P("# HELP levee_http_unauthorized_total Requests without valid "
    "credentials (401).\n# TYPE levee_http_unauthorized_total counter\n"
    "levee_http_unauthorized_total %llu\n"
    "# HELP levee_http_forbidden_total Requests refused to their role "
    "(403).\n# TYPE levee_http_forbidden_total counter\n"
    "levee_http_forbidden_total %llu\n",
    (unsigned long long)get(&m->unauthorized),
    (unsigned long long)get(&m->forbidden));
  P("# HELP levee_events_stored_total Events stored by POST /v1/events.\n"
    "# TYPE levee_events_stored_total counter\n"
    "levee_events_stored_total %llu\n"
    "# HELP levee_policy_swaps_total Policies put in force while "
    "serving.\n# TYPE levee_policy_swaps_total counter\n"
    "levee_policy_swaps_total %llu\n"
    "# HELP levee_audit_records_total Access records written to the audit "
    "trail.\n# TYPE levee_audit_records_total counter\n"
    "levee_audit_records_total %llu\n",
    (unsigned long long)get(&m->events_stored),
    (unsigned long long)get(&m->policy_swaps),
    (unsigned long long)get(&m->audit_records));
  if (pool) {
    lv_extract_pool_stats st;
    lv_extract_pool_get_stats(pool, &st);
    P("# HELP levee_extract_queued Attachments waiting to be read.\n"
      "# TYPE levee_extract_queued gauge\nlevee_extract_queued %zu\n"
      "# HELP levee_extract_queued_bytes Their bytes.\n"
      "# TYPE levee_extract_queued_bytes gauge\n"
      "levee_extract_queued_bytes %zu\n"
      "# HELP levee_extract_running Attachments being read.\n"
      "# TYPE levee_extract_running gauge\nlevee_extract_running %zu\n",
      st.queued, st.queued_bytes, st.running);
    P("# HELP levee_extract_jobs_total Attachments read, by outcome.\n"
      "# TYPE levee_extract_jobs_total counter\n"
      "levee_extract_jobs_total{outcome=\"done\"} %llu\n"
      "levee_extract_jobs_total{outcome=\"failed\"} %llu\n"
      "levee_extract_jobs_total{outcome=\"rejected\"} %llu\n"
      "levee_extract_jobs_total{outcome=\"cancelled\"} %llu\n",
      (unsigned long long)st.done, (unsigned long long)st.failed,
      (unsigned long long)st.rejected, (unsigned long long)st.cancelled);
  }
#undef P
  return rc;
}
