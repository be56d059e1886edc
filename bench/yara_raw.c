/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yara_raw.c: the libyara baseline of `make bench`.
 *
 *   yara_raw [--runs N] [--reuse-scanner] CORPUS.jsonl KEYWORDS.txt
 *
 * Loads the message texts (untimed), compiles one rule whose strings are the
 * keywords as literal text strings (`condition: any of them`), then times a
 * scan of every message text in turn, single-threaded, N times, and prints
 * the median as a RESULT line. By default each message is one
 * yr_rules_scan_mem call (which sets up a scan context per call);
 * --reuse-scanner keeps one YR_SCANNER and calls yr_scanner_scan_mem.
 * The callback counts matching messages and all matches (verification).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yara.h>

#include "bench_corpus.h"

typedef struct counts {
  uint64_t matches;
  int hit;
} counts;

static int on_scan(YR_SCAN_CONTEXT *ctx, int message, void *data, void *ud) {
  counts *c = ud;
  if (message == CALLBACK_MSG_RULE_MATCHING) {
    YR_RULE *rule = data;
    YR_STRING *s;
    YR_MATCH *m;
    c->hit = 1;
    yr_rule_strings_foreach(rule, s) {
      yr_string_matches_foreach(ctx, s, m) {
        c->matches++;
      }
    }
  }
  return CALLBACK_CONTINUE;
}

static void on_compile_error(int level, const char *file, int line,
                             const YR_RULE *rule, const char *msg, void *ud) {
  fprintf(stderr, "yara_raw: rule line %d: %s\n", line, msg);
}

/* The rule text: rule bench { strings: $k0 = "..." ... condition: any of them }
 * Keywords are escaped for YARA text strings (\\ and \"). */
static char *rule_source(const bc_keywords *k) {
  size_t cap = 64;
  for (unsigned i = 0; i < k->n; i++)
    cap += 32 + 2 * (size_t)k->lens[i];
  char *src = malloc(cap), *p = src;
  if (!src)
    return NULL;
  p += sprintf(p, "rule bench {\n strings:\n");
  for (unsigned i = 0; i < k->n; i++) {
    p += sprintf(p, "  $k%u = \"", i);
    for (unsigned j = 0; j < k->lens[i]; j++) {
      char ch = k->words[i][j];
      if (ch == '"' || ch == '\\')
        *p++ = '\\';
      *p++ = ch;
    }
    p += sprintf(p, "\"\n");
  }
  sprintf(p, " condition:\n  any of them\n}\n");
  return src;
}

int main(int argc, char **argv) {
  int runs = 5, reuse = 0, argi = 1, rc = 1;
  while (argi < argc && argv[argi][0] == '-') {
    if (!strcmp(argv[argi], "--runs") && argi + 1 < argc)
      runs = atoi(argv[++argi]);
    else if (!strcmp(argv[argi], "--reuse-scanner"))
      reuse = 1;
    else
      break;
    argi++;
  }
  if (argc - argi != 2 || runs < 1) {
    fprintf(stderr, "usage: yara_raw [--runs N] [--reuse-scanner] "
                    "CORPUS.jsonl KEYWORDS.txt\n");
    return 2;
  }
  bc_corpus c;
  bc_keywords k;
  YR_COMPILER *comp = NULL;
  YR_RULES *rules = NULL;
  YR_SCANNER *scanner = NULL;
  char *src = NULL;
  double *secs = NULL, *cpus = NULL;
  if (bc_corpus_load(argv[argi], &c) != 0 ||
      bc_keywords_load(argv[argi + 1], &k) != 0)
    return 1;
  if (yr_initialize() != ERROR_SUCCESS) {
    fprintf(stderr, "yara_raw: yr_initialize failed\n");
    return 1;
  }
  secs = calloc((size_t)runs, sizeof *secs);
  cpus = calloc((size_t)runs, sizeof *cpus);
  src = rule_source(&k);
  if (!secs || !cpus || !src)
    goto out;
  double t0 = bc_now();
  if (yr_compiler_create(&comp) != ERROR_SUCCESS)
    goto out;
  yr_compiler_set_callback(comp, on_compile_error, NULL);
  if (yr_compiler_add_string(comp, src, NULL) != 0 ||
      yr_compiler_get_rules(comp, &rules) != ERROR_SUCCESS) {
    fprintf(stderr, "yara_raw: rule compilation failed\n");
    goto out;
  }
  if (reuse) {
    if (yr_scanner_create(rules, &scanner) != ERROR_SUCCESS)
      goto out;
    yr_scanner_set_flags(scanner, SCAN_FLAGS_REPORT_RULES_MATCHING);
  }
  fprintf(stderr, "  yara_raw: %zu messages, %u keywords, compiled in %.3f s\n",
          c.n, k.n, bc_now() - t0);

  uint64_t matched = 0, matches = 0;
  for (int r = 0; r < runs; r++) {
    counts cnt = {0, 0};
    uint64_t m = 0;
    if (scanner)
      yr_scanner_set_callback(scanner, on_scan, &cnt);
    double start = bc_now(), cpu_start = bc_cpu_now();
    for (size_t i = 0; i < c.n; i++) {
      const levee_str *t = &c.events[i].text;
      if (!t->ptr)
        continue;
      cnt.hit = 0;
      int e =
          scanner
              ? yr_scanner_scan_mem(scanner, (const uint8_t *)t->ptr, t->len)
              : yr_rules_scan_mem(rules, (const uint8_t *)t->ptr, t->len,
                                  SCAN_FLAGS_REPORT_RULES_MATCHING, on_scan,
                                  &cnt, 0);
      if (e != ERROR_SUCCESS) {
        fprintf(stderr, "yara_raw: scan failed on message %zu (error %d)\n", i,
                e);
        goto out;
      }
      m += (uint64_t)cnt.hit;
    }
    if (bc_end_run("yara_raw", r, runs, start, cpu_start, secs, cpus, m,
                   cnt.matches, &matched, &matches))
      goto out;
  }
  bc_print_result(reuse ? "yara_raw_scanner" : "yara_raw", runs,
                  bc_median(secs, (size_t)runs), bc_median(cpus, (size_t)runs),
                  &c, matched, matches);
  rc = 0;
out:
  if (scanner)
    yr_scanner_destroy(scanner);
  if (rules)
    yr_rules_destroy(rules);
  if (comp)
    yr_compiler_destroy(comp);
  yr_finalize();
  free(src);
  free(secs);
  free(cpus);
  bc_keywords_free(&k);
  bc_corpus_free(&c);
  return rc;
}
