/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_parse.c: event-line parsing speed, the first step of `levee scan`.
 *
 *   bench_parse [--runs N] [--tokens PATH] CORPUS.jsonl
 *
 * Reads the corpus into memory (untimed), then times lv_event_from_jsonl()
 * (JSON reader plus event fields) over every line, N times, and prints the
 * median as MB/s of JSON and events/s, with a checksum of the parsed text
 * lengths so that runs and builds can be compared.
 *
 * --tokens PATH times the JSON tokenizer alone (lv_json_parse_path) by one
 * path: bytewise, portable, sse2, avx2, avx512 or best, and prints a TOKENS
 * line with the tokens made and the lines the indexed path took whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_corpus.h"
#include "ingest/event_jsonl.h"
#include "util/arena.h"
#include "util/json_reader.h"

static const char *const path_names[] = {[LV_JSON_PATH_BEST] = "best",
                                         [LV_JSON_PATH_BYTEWISE] = "bytewise",
                                         [LV_JSON_PATH_PORTABLE] = "portable",
                                         [LV_JSON_PATH_SSE2] = "sse2",
                                         [LV_JSON_PATH_AVX2] = "avx2",
                                         [LV_JSON_PATH_AVX512] = "avx512",
                                         [LV_JSON_PATH_AVX512VBMI2] =
                                             "avx512vbmi2"};

int main(int argc, char **argv) {
  int runs = 5, argi = 1, path = -1;
  for (;;) {
    if (argi + 1 < argc && !strcmp(argv[argi], "--runs")) {
      runs = atoi(argv[argi + 1]);
      argi += 2;
    } else if (argi + 1 < argc && !strcmp(argv[argi], "--tokens")) {
      for (int k = 0; k < (int)(sizeof path_names / sizeof *path_names); k++)
        if (!strcmp(argv[argi + 1], path_names[k]))
          path = k;
      if (path < 0) {
        fprintf(stderr, "bench_parse: unknown path %s\n", argv[argi + 1]);
        return 2;
      }
      argi += 2;
    } else
      break;
  }
  if (argc - argi != 1 || runs < 1 || runs > 99) {
    fprintf(stderr,
            "usage: bench_parse [--runs N] [--tokens PATH] CORPUS.jsonl\n");
    return 2;
  }
  if (path >= 0 && !lv_json_path_available((lv_json_path)path)) {
    fprintf(stderr, "bench_parse: this CPU lacks the %s path\n",
            path_names[path]);
    return 1;
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
  size_t events = 0, bad = 0, text = 0, indexed = 0;
  for (int r = 0; r < runs; r++) {
    events = bad = text = indexed = 0;
    double t0 = bc_now(), c0 = bc_cpu_now();
    const char *p = file, *end = file + len;
    while (p < end) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
      levee_event ev;
      levee_error err;
      lv_arena_reset(&a);
      if (path >= 0) {
        if (n && lv_json_parse_path(&d, p, n, &err, (lv_json_path)path) ==
                     LEVEE_OK) {
          events++;
          text += (size_t)d.ntoks;
          indexed += (size_t)d.indexed;
        } else if (n)
          bad++;
      } else if (n &&
                 lv_event_from_jsonl(&d, p, n, &a, &ev, &err) == LEVEE_OK) {
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
  if (path >= 0)
    printf("TOKENS path=%s runs=%d median_s=%.4f cpu_s=%.4f MB/s=%.1f "
           "events/s=%.0f events=%zu bad=%zu tokens=%zu indexed=%zu\n",
           path_names[path], runs, s, c, (double)len / 1e6 / c,
           (double)events / c, events, bad, text, indexed);
  else
    printf("PARSE runs=%d median_s=%.4f cpu_s=%.4f MB/s=%.1f events/s=%.0f "
           "events=%zu bad=%zu text_bytes=%zu\n",
           runs, s, c, (double)len / 1e6 / c, (double)events / c, events, bad,
           text);
  lv_arena_cleanup(&a);
  lv_json_doc_cleanup(&d);
  free(file);
  return 0;
}
