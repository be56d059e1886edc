/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hs_raw.c: the raw Hyperscan (vectorscan) baseline of `make bench`.
 *
 *   hs_raw [--runs N] [--singlematch] [--batched] CORPUS.jsonl KEYWORDS.txt
 *
 * Loads the message texts (untimed), compiles the keywords as literals with
 * hs_compile_lit_multi, then times hs_scan over every message text in turn,
 * single-threaded, N times, and prints the median as a RESULT line.
 * All matches are counted (no HS_FLAG_SINGLEMATCH unless --singlematch), as
 * a verification figure: matching messages and total matches.
 *
 * --batched is a reference figure, not the baseline: the texts are joined,
 * NUL between them, into blocks of about 256 KiB (untimed), and each block
 * is one hs_scan, the way `levee scan` scans a batch of events with the
 * literal database. A keyword never contains NUL, so no match spans two
 * messages; the callback maps a match to its message by offset.
 */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_corpus.h"

typedef struct counts {
  uint64_t matches;
  int hit;
  /* --batched: message start offsets in the block, and the last message
   * counted as matched */
  const size_t *starts;
  size_t n_starts;
  size_t last;
  uint64_t matched;
} counts;

static int on_batched_match(unsigned id, unsigned long long from,
                            unsigned long long to, unsigned flags, void *ctx) {
  counts *c = ctx;
  (void)id, (void)from, (void)flags;
  size_t lo = 0, hi = c->n_starts; /* the last start <= to - 1 */
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (c->starts[mid] <= to - 1)
      lo = mid;
    else
      hi = mid;
  }
  c->matches++;
  if (lo + 1 != c->last) {
    c->last = lo + 1;
    c->matched++;
  }
  return 0;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned flags, void *ctx) {
  counts *c = ctx;
  c->matches++;
  c->hit = 1;
  return 0;
}

#define BLOCK_BYTES (256u * 1024u)

typedef struct block {
  char *bytes;
  size_t len;
  size_t *starts; /* offset of each message's text */
  size_t n;
} block;

/* Joins the texts into blocks (untimed), then times one hs_scan per block. */
static int run_batched(hs_database_t *db, hs_scratch_t *scratch,
                       const bc_corpus *c, int runs, double *secs,
                       double *cpus) {
  size_t n_blocks = c->text_bytes / BLOCK_BYTES + 2, nb = 0;
  block *b = calloc(n_blocks, sizeof *b);
  int rc = 1;
  if (!b)
    return 1;
  for (size_t i = 0; i < c->n;) {
    if (nb == n_blocks)
      goto out;
    block *k = &b[nb++];
    size_t j = i, len = 0;
    while (j < c->n &&
           (j == i || len + c->events[j].text.len + 1 <= BLOCK_BYTES))
      len += c->events[j++].text.len + 1;
    k->bytes = malloc(len);
    k->starts = malloc((j - i) * sizeof *k->starts);
    if (!k->bytes || !k->starts)
      goto out;
    for (; i < j; i++) {
      const levee_str *t = &c->events[i].text;
      k->starts[k->n++] = k->len;
      if (t->len)
        memcpy(k->bytes + k->len, t->ptr, t->len);
      k->len += t->len;
      k->bytes[k->len++] = '\0';
    }
  }
  uint64_t matched = 0, matches = 0;
  for (int r = 0; r < runs; r++) {
    counts cnt;
    memset(&cnt, 0, sizeof cnt);
    double start = bc_now(), cpu_start = bc_cpu_now();
    for (size_t i = 0; i < nb; i++) {
      cnt.starts = b[i].starts;
      cnt.n_starts = b[i].n;
      cnt.last = 0;
      if (hs_scan(db, b[i].bytes, (unsigned)b[i].len, 0, scratch,
                  on_batched_match, &cnt) != HS_SUCCESS) {
        fprintf(stderr, "hs_raw: hs_scan failed on block %zu\n", i);
        goto out;
      }
    }
    if (bc_end_run("hs_raw --batched", r, runs, start, cpu_start, secs, cpus,
                   cnt.matched, cnt.matches, &matched, &matches))
      goto out;
  }
  bc_print_result("hs_raw_batched", runs, bc_median(secs, (size_t)runs),
                  bc_median(cpus, (size_t)runs), c, matched, matches);
  rc = 0;
out:
  for (size_t i = 0; i < nb; i++) {
    free(b[i].bytes);
    free(b[i].starts);
  }
  free(b);
  return rc;
}

int main(int argc, char **argv) {
  int runs = 5, single = 0, batched = 0, argi = 1, rc = 1;
  while (argi < argc && argv[argi][0] == '-') {
    if (!strcmp(argv[argi], "--runs") && argi + 1 < argc)
      runs = atoi(argv[++argi]);
    else if (!strcmp(argv[argi], "--singlematch"))
      single = 1;
    else if (!strcmp(argv[argi], "--batched"))
      batched = 1;
    else
      break;
    argi++;
  }
  if (argc - argi != 2 || runs < 1) {
    fprintf(stderr, "usage: hs_raw [--runs N] [--singlematch] [--batched] "
                    "CORPUS.jsonl KEYWORDS.txt\n");
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
  if (batched) {
    rc = run_batched(db, scratch, &c, runs, secs, cpus);
    goto out;
  }
  for (int r = 0; r < runs; r++) {
    counts cnt;
    memset(&cnt, 0, sizeof cnt);
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
    if (bc_end_run("hs_raw", r, runs, start, cpu_start, secs, cpus, m,
                   cnt.matches, &matched, &matches))
      goto out;
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
