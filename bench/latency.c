/* SPDX-License-Identifier: Apache-2.0 */
/*
 * latency.c: per-message latency of the library API (`make bench`).
 *
 *   latency [--policy FILE] [--count N] [--runs R] CORPUS.jsonl
 *
 * Compiles the default policy (or FILE) with the public API of
 * include/levee/levee.h, takes the first N ordinary messages of the corpus
 * (text under 200 bytes), and inspects them one at a time on one scanner,
 * timing each levee_scanner_inspect with CLOCK_MONOTONIC. Each of the R
 * passes yields p50/p90/p99/p99.9; the median of each over the passes is
 * printed as a LATENCY line, with the messages that had findings
 * (verification). Loading and compiling are not timed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_corpus.h"

#define ORDINARY_MAX_BYTES 200

/* Keyword files named in a policy are read relative to the policy's
 * directory (ud), unless absolute. */
static int read_policy_file(void *ud, const char *path, char **out_data,
                            size_t *out_len) {
  const char *dir = ud;
  char full[4096];
  if (path[0] == '/' || !dir[0])
    snprintf(full, sizeof full, "%s", path);
  else
    snprintf(full, sizeof full, "%s/%s", dir, path);
  return bc_read_file(full, out_data, out_len) == 0 ? LEVEE_OK : LEVEE_EIO;
}

static int load_policy(const char *path, levee_policy **out) {
  levee_error err = {0, ""};
  int rc;
  if (!path) {
    rc = levee_policy_default(out, &err);
  } else {
    char *yaml = NULL, dir[4096];
    size_t len;
    if (bc_read_file(path, &yaml, &len) != 0) {
      fprintf(stderr, "latency: cannot read %s\n", path);
      return -1;
    }
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
      *slash = '\0';
    else
      strcpy(dir, ".");
    rc = levee_policy_parse(yaml, len, path, read_policy_file, dir, out, &err);
    free(yaml);
  }
  if (rc != LEVEE_OK)
    fprintf(stderr, "latency: policy: %s (%s)\n", err.message,
            levee_strerror(rc));
  return rc;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* The q-quantile (0..1) of sorted v[0..n), nearest rank, in microseconds. */
static double quantile_us(const uint64_t *v, size_t n, double q) {
  size_t i = (size_t)(q * (double)n);
  if (i >= n)
    i = n - 1;
  return (double)v[i] / 1000.0;
}

int main(int argc, char **argv) {
  const char *policy_path = NULL;
  size_t count = 200000;
  int runs = 3, argi = 1, rc = 1;
  while (argi < argc && argv[argi][0] == '-') {
    if (!strcmp(argv[argi], "--policy") && argi + 1 < argc)
      policy_path = argv[++argi];
    else if (!strcmp(argv[argi], "--count") && argi + 1 < argc)
      count = (size_t)strtoul(argv[++argi], NULL, 10);
    else if (!strcmp(argv[argi], "--runs") && argi + 1 < argc)
      runs = atoi(argv[++argi]);
    else
      break;
    argi++;
  }
  if (argc - argi != 1 || runs < 1 || count < 1) {
    fprintf(stderr, "usage: latency [--policy FILE] [--count N] [--runs R] "
                    "CORPUS.jsonl\n");
    return 2;
  }

  bc_corpus c;
  levee_policy *policy = NULL;
  levee_engine *engine = NULL;
  levee_scanner *scanner = NULL;
  const levee_event **msgs = NULL;
  uint64_t *ns = NULL;
  double *pct[4] = {NULL, NULL, NULL, NULL};
  if (bc_corpus_load(argv[argi], &c) != 0)
    return 1;
  msgs = calloc(count, sizeof *msgs);
  ns = calloc(count, sizeof *ns);
  for (int q = 0; q < 4; q++)
    pct[q] = calloc((size_t)runs, sizeof(double));
  if (!msgs || !ns || !pct[0] || !pct[1] || !pct[2] || !pct[3])
    goto out;
  size_t n = 0;
  for (size_t i = 0; i < c.n && n < count; i++)
    if (c.events[i].text.ptr && c.events[i].text.len < ORDINARY_MAX_BYTES)
      msgs[n++] = &c.events[i];

  double t0 = bc_now();
  levee_error err = {0, ""};
  int st;
  if (load_policy(policy_path, &policy) != LEVEE_OK)
    goto out;
  if ((st = levee_engine_compile(policy, NULL, &engine, &err)) != LEVEE_OK) {
    fprintf(stderr, "latency: compile: %s (%s)\n", err.message,
            levee_strerror(st));
    goto out;
  }
  if ((st = levee_scanner_create(engine, &scanner)) != LEVEE_OK) {
    fprintf(stderr, "latency: scanner: %s\n", levee_strerror(st));
    goto out;
  }
  fprintf(stderr,
          "  latency: %zu ordinary messages (< %d bytes), policy %s "
          "compiled in %.3f s\n",
          n, ORDINARY_MAX_BYTES, policy_path ? policy_path : "(default)",
          bc_now() - t0);

  /* Warm-up: caches, scratch and arena reach their working size. */
  for (size_t i = 0; i < n && i < 2000; i++) {
    const levee_verdict *v;
    if (levee_scanner_inspect(scanner, msgs[i], &v) != LEVEE_OK)
      break;
  }

  size_t with_findings = 0, alerts = 0, findings = 0, errors = 0;
  for (int r = 0; r < runs; r++) {
    size_t wf = 0, al = 0, fi = 0, er = 0;
    for (size_t i = 0; i < n; i++) {
      const levee_verdict *v = NULL;
      uint64_t a = bc_now_ns();
      int s = levee_scanner_inspect(scanner, msgs[i], &v);
      uint64_t b = bc_now_ns();
      ns[i] = b - a;
      if (s != LEVEE_OK || !v) {
        er++;
        continue;
      }
      wf += v->n_findings > 0;
      fi += v->n_findings;
      al += v->action >= LEVEE_ACTION_ALERT;
    }
    qsort(ns, n, sizeof *ns, cmp_u64);
    pct[0][r] = quantile_us(ns, n, 0.50);
    pct[1][r] = quantile_us(ns, n, 0.90);
    pct[2][r] = quantile_us(ns, n, 0.99);
    pct[3][r] = quantile_us(ns, n, 0.999);
    fprintf(stderr,
            "  latency: run %d/%d: p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f us "
            "(max %.1f)\n",
            r + 1, runs, pct[0][r], pct[1][r], pct[2][r], pct[3][r],
            (double)ns[n - 1] / 1000.0);
    with_findings = wf;
    alerts = al;
    findings = fi;
    errors = er;
  }
  if (errors)
    fprintf(stderr, "latency: %zu inspections failed\n", errors);
  printf("LATENCY policy=%s messages=%zu runs=%d p50_us=%.3f p90_us=%.3f "
         "p99_us=%.3f p999_us=%.3f with_findings=%zu findings=%zu "
         "alerts=%zu errors=%zu\n",
         policy_path ? "file" : "default", n, runs,
         bc_median(pct[0], (size_t)runs), bc_median(pct[1], (size_t)runs),
         bc_median(pct[2], (size_t)runs), bc_median(pct[3], (size_t)runs),
         with_findings, findings, alerts, errors);
  rc = errors ? 1 : 0;
out:
  if (scanner)
    levee_scanner_destroy(scanner);
  if (engine)
    levee_engine_unref(engine);
  if (policy)
    levee_policy_destroy(policy);
  free(msgs);
  free(ns);
  for (int q = 0; q < 4; q++)
    free(pct[q]);
  bc_corpus_free(&c);
  return rc;
}
