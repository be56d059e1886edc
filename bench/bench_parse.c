/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_parse.c: event-line parsing speed, the first step of `levee scan`.
 *
 *   bench_parse [--runs N] CORPUS.jsonl
 *
 * Reads the corpus into memory (untimed), then times lv_event_from_jsonl()
 * (JSON reader plus event fields) over every line, N times, and prints the
 * median as MB/s of JSON and events/s, with a checksum of the parsed text
 * lengths so that runs and builds can be compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_corpus.h"
#include "ingest/event_jsonl.h"
#include "util/arena.h"
#include "util/json_reader.h"

int main(int argc, char **argv) {
  int runs = 5, argi = 1;
  if (argi + 1 < argc && !strcmp(argv[argi], "--runs")) {
    runs = atoi(argv[argi + 1]);
    argi += 2;
  }
  if (argc - argi != 1 || runs < 1 || runs > 99) {
    fprintf(stderr, "usage: bench_parse [--runs N] CORPUS.jsonl\n");
    return 2;
  }
  char *file;
  size_t len;
  if (bc_read_file(argv[argi], &file, &len) != 0) {
    fprintf(stderr, "bench_parse: cannot read %s\n", argv[argi]);
    return 1;
  }
  lv_json_doc d;
  lv_json_doc_init(&d);
  lv_arena a;
  lv_arena_init(&a, 1u << 20);
  double secs[99], cpus[99];
  size_t events = 0, bad = 0, text = 0;
  for (int r = 0; r < runs; r++) {
    events = bad = text = 0;
    double t0 = bc_now(), c0 = bc_cpu_now();
    const char *p = file, *end = file + len;
    while (p < end) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
      levee_event ev;
      levee_error err;
      lv_arena_reset(&a);
      if (n && lv_event_from_jsonl(&d, p, n, &a, &ev, &err) == LEVEE_OK) {
        events++;
        text += ev.text.len;
      } else if (n)
        bad++;
      p += n + 1;
    }
    secs[r] = bc_now() - t0;
    cpus[r] = bc_cpu_now() - c0;
  }
  double s = bc_median(secs, (size_t)runs), c = bc_median(cpus, (size_t)runs);
  printf("PARSE runs=%d median_s=%.4f cpu_s=%.4f MB/s=%.1f events/s=%.0f "
         "events=%zu bad=%zu text_bytes=%zu\n",
         runs, s, c, (double)len / 1e6 / c, (double)events / c, events, bad,
         text);
  lv_arena_cleanup(&a);
  lv_json_doc_cleanup(&d);
  free(file);
  return 0;
}
