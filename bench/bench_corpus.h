/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_corpus.h: what the benchmark programs share: loading the JSONL
 * corpus into memory (untimed, with the project's JSON reader, so every
 * program sees the same texts levee sees), loading the keyword list, a
 * monotonic clock, medians and the RESULT line that bench/run.sh parses.
 */
#ifndef LV_BENCH_CORPUS_H
#define LV_BENCH_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"
#include "util/arena.h"

typedef struct bc_corpus {
  char *file;          /* the whole corpus file (owned) */
  size_t file_len;     /* corpus bytes */
  levee_event *events; /* strings point into file or into arena */
  size_t n;
  size_t text_bytes; /* sum of text lengths */
  lv_arena arena;    /* unescaped strings */
} bc_corpus;

/* Reads a whole file into a malloc'd, NUL-terminated buffer. */
int bc_read_file(const char *path, char **out, size_t *out_len);

/* Loads every valid event line of path; exits with a message on failure. */
int bc_corpus_load(const char *path, bc_corpus *c);
void bc_corpus_free(bc_corpus *c);

/* Keywords, one per line (blank lines skipped); pointers into *buf. */
typedef struct bc_keywords {
  char *buf;
  const char **words;
  unsigned *lens;
  unsigned n;
} bc_keywords;

int bc_keywords_load(const char *path, bc_keywords *k);
void bc_keywords_free(bc_keywords *k);

/* Seconds on CLOCK_MONOTONIC. */
double bc_now(void);
/* CPU seconds of this process (CLOCK_PROCESS_CPUTIME_ID): less disturbed
 * than wall time when other work shares the machine. */
double bc_cpu_now(void);
/* Nanoseconds on CLOCK_MONOTONIC. */
uint64_t bc_now_ns(void);
/* FNV-1a over p[0..n), continuing from h (start with
 * 14695981039346656037): a hash of output, to compare runs and builds. */
uint64_t bc_fnv(uint64_t h, const void *p, size_t n);
/* Median of v[0..n) (sorts v). */
double bc_median(double *v, size_t n);

/* Ends timed run r of runs (started at wall start, CPU cpu_start): stores
 * its times in secs[r] and cpus[r], checks that it counted the same matched
 * messages and matches as the runs before (kept in *matched, *matches),
 * and prints a progress line naming label. Returns -1 when runs disagree. */
int bc_end_run(const char *label, int r, int runs, double start,
               double cpu_start, double *secs, double *cpus, uint64_t m,
               uint64_t n, uint64_t *matched, uint64_t *matches);

/* Prints the machine-readable summary line:
 * RESULT name=... runs=... median_s=... cpu_s=... corpus_bytes=...
 *        text_bytes=... messages=... matched=... matches=... */
void bc_print_result(const char *name, int runs, double median_s,
                     double median_cpu_s, const bc_corpus *c, uint64_t matched,
                     uint64_t matches);

#endif
