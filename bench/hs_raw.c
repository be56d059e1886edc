/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hs_raw.c: the raw Hyperscan (vectorscan) baseline of `make bench`.
 *
 *   hs_raw [--runs N] [--singlematch] CORPUS.jsonl KEYWORDS.txt
 *
 * Loads the message texts (untimed), compiles the keywords as literals with
 * hs_compile_lit_multi, then times hs_scan over every message text in turn,
 * single-threaded, N times, and prints the median as a RESULT line.
 * All matches are counted (no HS_FLAG_SINGLEMATCH unless --singlematch), as
 * a verification figure: matching messages and total matches.
 */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_corpus.h"

typedef struct counts {
  uint64_t matches;
  int hit;
} counts;

static int on_match(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned flags, void *ctx) {
  counts *c = ctx;
  c->matches++;
  c->hit = 1;
  return 0;
}

int main(int argc, char **argv) {
  int runs = 5, single = 0, argi = 1, rc = 1;
  while (argi < argc && argv[argi][0] == '-') {
    if (!strcmp(argv[argi], "--runs") && argi + 1 < argc)
      runs = atoi(argv[++argi]);
    else if (!strcmp(argv[argi], "--singlematch"))
      single = 1;
    else
      break;
    argi++;
  }
  if (argc - argi != 2 || runs < 1) {
    fprintf(stderr, "usage: hs_raw [--runs N] [--singlematch] CORPUS.jsonl "
                    "KEYWORDS.txt\n");
    return 2;
  }
  bc_corpus c;
  bc_keywords k;
  hs_database_t *db = NULL;
  hs_scratch_t *scratch = NULL;
  unsigned *flags = NULL, *ids = NULL;
  size_t *lens = NULL;
  double *secs = NULL, *cpus = NULL;
  if (bc_corpus_load(argv[argi], &c) != 0 ||
      bc_keywords_load(argv[argi + 1], &k) != 0)
    return 1;

  flags = calloc(k.n, sizeof *flags);
  ids = calloc(k.n, sizeof *ids);
  lens = calloc(k.n, sizeof *lens);
  secs = calloc((size_t)runs, sizeof *secs);
  cpus = calloc((size_t)runs, sizeof *cpus);
  if (!flags || !ids || !lens || !secs || !cpus)
    goto out;
  for (unsigned i = 0; i < k.n; i++) {
    flags[i] = single ? HS_FLAG_SINGLEMATCH : 0;
    ids[i] = i;
    lens[i] = k.lens[i];
  }
  hs_compile_error_t *cerr = NULL;
  double t0 = bc_now();
  if (hs_compile_lit_multi(k.words, flags, ids, lens, k.n, HS_MODE_BLOCK, NULL,
                           &db, &cerr) != HS_SUCCESS) {
    fprintf(stderr, "hs_raw: compile failed: %s\n", cerr ? cerr->message : "?");
    hs_free_compile_error(cerr);
    goto out;
  }
  if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
    fprintf(stderr, "hs_raw: hs_alloc_scratch failed\n");
    goto out;
  }
  fprintf(stderr, "  hs_raw: %zu messages, %u keywords, compiled in %.3f s\n",
          c.n, k.n, bc_now() - t0);

  uint64_t matched = 0, matches = 0;
  for (int r = 0; r < runs; r++) {
    counts cnt = {0, 0};
    uint64_t m = 0;
    double start = bc_now(), cpu_start = bc_cpu_now();
    for (size_t i = 0; i < c.n; i++) {
      const levee_str *t = &c.events[i].text;
      if (!t->ptr)
        continue;
      cnt.hit = 0;
      if (hs_scan(db, t->ptr, (unsigned)t->len, 0, scratch, on_match, &cnt) !=
          HS_SUCCESS) {
        fprintf(stderr, "hs_raw: hs_scan failed on message %zu\n", i);
        goto out;
      }
      m += (uint64_t)cnt.hit;
    }
    secs[r] = bc_now() - start;
    cpus[r] = bc_cpu_now() - cpu_start;
    if (r > 0 && (m != matched || cnt.matches != matches)) {
      fprintf(stderr, "hs_raw: runs disagree\n");
      goto out;
    }
    matched = m;
    matches = cnt.matches;
    fprintf(stderr, "  hs_raw: run %d/%d: %.3f s (cpu %.3f s)\n", r + 1, runs,
            secs[r], cpus[r]);
  }
  bc_print_result(single ? "hs_raw_singlematch" : "hs_raw", runs,
                  bc_median(secs, (size_t)runs), bc_median(cpus, (size_t)runs),
                  &c, matched, matches);
  rc = 0;
out:
  hs_free_scratch(scratch);
  hs_free_database(db);
  free(flags);
  free(ids);
  free(lens);
  free(secs);
  free(cpus);
  bc_keywords_free(&k);
  bc_corpus_free(&c);
  return rc;
}
