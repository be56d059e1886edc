/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_search.c: the latency of a full-text search of an audit store,
 * through the library (lv_store_search, the call `levee search` makes),
 * without process start-up or the search's own audit record: the first
 * page (20 results) of a query, with a sender filter, median of many runs.
 *
 * usage: store_search [--runs N] [--key FILE] DIR QUERY SENDER
 * Prints: SEARCH query=... sender=... hits=N median_ms=M p90_ms=P runs=R
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_corpus.h"
#include "store/store.h"

static int count_hit(void *ud, const lv_search_hit *h) {
  (void)h;
  (*(size_t *)ud)++;
  return 0;
}

int main(int argc, char **argv) {
  int runs = 21, a = 1;
  const char *key = NULL;
  for (; a < argc && argv[a][0] == '-'; a++) {
    if (!strcmp(argv[a], "--runs") && a + 1 < argc)
      runs = atoi(argv[++a]);
    else if (!strcmp(argv[a], "--key") && a + 1 < argc)
      key = argv[++a];
    else
      break;
  }
  if (argc - a != 3 || runs < 1 || runs > 999) {
    fprintf(stderr, "usage: store_search [--runs N] [--key FILE] DIR QUERY "
                    "SENDER\n");
    return 2;
  }
  lv_store_options o = {.location = argv[a], .key_path = key, .read_only = 1};
  lv_store *s;
  levee_error err = {0};
  if (lv_store_open(&o, &s, NULL, &err)) {
    fprintf(stderr, "store_search: %s: %s\n", argv[a], err.message);
    return 1;
  }
  lv_search_request q;
  memset(&q, 0, sizeof q);
  q.text = (levee_str){argv[a + 1], strlen(argv[a + 1])};
  q.sender = (levee_str){argv[a + 2], strlen(argv[a + 2])};
  q.since_ms = INT64_MIN;
  q.until_ms = INT64_MAX;
  q.limit = 20;
  q.mark_open = "[";
  q.mark_close = "]";
  double ms[999];
  size_t hits = 0;
  for (int r = 0; r < runs; r++) {
    hits = 0;
    double t0 = bc_now();
    if (lv_store_search(s, &q, count_hit, &hits, &err)) {
      fprintf(stderr, "store_search: %s\n", err.message);
      return 1;
    }
    ms[r] = (bc_now() - t0) * 1000;
  }
  double sorted[999];
  memcpy(sorted, ms, (size_t)runs * sizeof *ms);
  double med = bc_median(sorted, (size_t)runs);
  double p90 =
      sorted[(size_t)runs * 9 / 10 < (size_t)runs ? (size_t)runs * 9 / 10
                                                  : (size_t)runs - 1];
  printf("SEARCH query=%s sender=%s hits=%zu median_ms=%.3f p90_ms=%.3f "
         "runs=%d\n",
         argv[a + 1], argv[a + 2], hits, med, p90, runs);
  (void)lv_store_close(s, NULL);
  return 0;
}
