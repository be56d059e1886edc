/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trace_bench.c: the latency of `levee trace` on a large audit store
 * (issue 7: under 1 s median for one event in a store of 1,000,000 events
 * with 100,000 images), through the library call the command makes
 * (lv_store_trace), without process start-up or the trace's own audit
 * record.
 *
 *   trace_bench generate [--events N] [--images M] [--key FILE] CORPUS STORE
 *
 * makes a new store of N events (default 1,000,000) through
 * lv_store_add_event, so every row, hash and index is what ingest writes
 * (the log, the search index, the trace index), without inspecting: the
 * texts, senders and conversations of the benchmark corpus
 * (bench/gen_corpus.py), cycled with new ids, about 1 in 10 events with
 * recipients. M of them (default 100,000) carry an image: 70% with a hash
 * drawn at random, 30% near one of 1,000 "layouts" (11 to 16 bits away, as
 * screenshots and page photos of one kind are: just outside the link
 * threshold, where multi-index hashing finds candidates it must check),
 * and a fifth hold text; none within 10 bits of a planted hop. Planted among
 * them, 50 chains of 8 hops, spread over the whole log: 25 of a picture
 * re-encoded at each hop (5 bits from the hop before, so the last is 35 bits
 * from the first) and 25 of a photographed page (its hash near, its OCR text
 * some 5% different at each hop), each hop in a conversation of its own, sent
 * by someone the hop before listed as a recipient.
 *
 *   trace_bench run [--events N] [--sample K] [--key FILE] STORE
 *
 * (N as generated) traces every hop of every chain (400 traces) and K (default
 * 200) ordinary events, taken evenly over the log, half of them with images;
 * checks that each chain's trace is exactly its 8 hops; prints the
 * median, p90 and maximum of each, and a verification hash of the copies
 * found (the same store gives the same hash, so a fast wrong answer shows):
 *
 *   TRACE kind=chain traces=400 median_ms=... p90_ms=... max_ms=...
 *         copies=3200 wrong=0 hash=...
 *   TRACE kind=ordinary traces=200 median_ms=... ... copies=... hash=...
 *
 * STORE is a directory (SQLite) or a postgres:// URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_corpus.h"
#include "store/evidence.h"
#include "store/store.h"
#include "store/trace.h"

#define CHAINS 50
#define HOPS 8
#define LAYOUTS 1000

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static uint64_t flip(uint64_t h, unsigned bits) {
  uint64_t out = h;
  while ((unsigned)__builtin_popcountll(out ^ h) < bits)
    out ^= 1ull << (next_rand() % 64);
  return out;
}

static levee_str S(const char *s) {
  return (levee_str){s, s ? strlen(s) : 0};
}

/* A random CJK character (common range) as UTF-8 into o; 3 bytes. */
static void cjk(char *o) {
  unsigned cp = 0x4e00 + (unsigned)(next_rand() % 6000);
  o[0] = (char)(0xe0 | (cp >> 12));
  o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
  o[2] = (char)(0x80 | (cp & 0x3f));
}

/* Where chain c's hop k goes in the log (increasing with k). */
static size_t hop_position(size_t n, int c, int k) {
  size_t span = n / CHAINS;
  return (size_t)c * span + (size_t)k * (span / HOPS) + 17;
}

typedef struct chain {
  uint64_t hash[HOPS];
  char text[HOPS][3 * 300 + 1]; /* a page's OCR text at each hop */
  int page;
} chain;

static void make_chains(chain *ch) {
  for (int c = 0; c < CHAINS; c++) {
    chain *x = &ch[c];
    x->page = c % 2;
    x->hash[0] = next_rand();
    for (int k = 1; k < HOPS; k++) {
      /* 5 bits not flipped before. */
      uint64_t h = x->hash[k - 1];
      while ((unsigned)__builtin_popcountll(h ^ x->hash[k - 1]) < 5) {
        int b = (int)(next_rand() % 64);
        int fresh = 1;
        for (int j = 0; j < k && fresh; j++)
          fresh = !((x->hash[j] ^ x->hash[0]) >> b & 1);
        if (fresh)
          h ^= 1ull << b;
      }
      x->hash[k] = h;
    }
    if (!x->page)
      continue;
    for (int i = 0; i < 300; i++)
      cjk(x->text[0] + (size_t)3 * i);
    x->text[0][900] = '\0';
    for (int k = 1; k < HOPS; k++) {
      /* OCR of another copy: 5% of the characters read differently from
       * the page (not from the hop before, as OCR reads each photo). */
      memcpy(x->text[k], x->text[0], sizeof x->text[k]);
      for (int i = 0; i < 15; i++)
        cjk(x->text[k] + 3 * (next_rand() % 300));
    }
  }
}

static int generate(const char *corpus_path, const char *where, const char *key,
                    size_t n, size_t n_images) {
  bc_corpus corpus;
  if (bc_corpus_load(corpus_path, &corpus) || !corpus.n) {
    fprintf(stderr, "trace_bench: %s: no events\n", corpus_path);
    return 1;
  }
  static chain ch[CHAINS];
  make_chains(ch);
  uint64_t layouts[LAYOUTS];
  for (int i = 0; i < LAYOUTS; i++)
    layouts[i] = next_rand();
  lv_store_options o = {.location = where, .key_path = key, .create = 1};
  lv_store *s;
  levee_error err = {0};
  if (lv_store_open(&o, &s, NULL, &err)) {
    fprintf(stderr, "trace_bench: %s: %s\n", where, err.message);
    return 1;
  }
  /* Planted hops by position. */
  int *plant = calloc(n, sizeof *plant); /* c * HOPS + k + 1, or 0 */
  if (!plant)
    return 1;
  for (int c = 0; c < CHAINS; c++)
    for (int k = 0; k < HOPS; k++)
      plant[hop_position(n, c, k)] = c * HOPS + k + 1;
  size_t every = n_images ? n / n_images : 0;
  double t0 = bc_now();
  size_t images = 0;
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    if (i % 10000 == 0 && (rc = lv_store_begin(s, &err)))
      break;
    const levee_event *e = &corpus.events[i % corpus.n];
    char id[32], conv[32], sender[32], recipients[512], sha[65];
    lv_evidence ev;
    memset(&ev, 0, sizeof ev);
    lv_content content;
    memset(&content, 0, sizeof content);
    lv_ev_attachment at;
    memset(&at, 0, sizeof at);
    ev.time_ms = 1717171200000 + (int64_t)i * 100;
    ev.channel = e->channel;
    ev.conversation_external = -1;
    ev.action = S("allow");
    ev.severity = S("info");
    int p = plant[i];
    if (p) {
      int c = (p - 1) / HOPS, k = (p - 1) % HOPS;
      snprintf(id, sizeof id, "chain-%d-%d", c, k);
      snprintf(conv, sizeof conv, "chain-room-%d-%d", c, k);
      snprintf(sender, sizeof sender, "chain-person-%d-%d", c, k);
      snprintf(recipients, sizeof recipients,
               "[{\"id\":\"chain-person-%d-%d\"},{\"id\":\"u%05d\"}]", c, k + 1,
               (int)(next_rand() % 3000));
      ev.conversation_id = S(conv);
      ev.conversation_type = S("group");
      ev.sender_id = S(sender);
      ev.recipients = S(recipients);
      ev.channel = S("wechat");
      at.kind = S("image");
      at.size = 100000;
      snprintf(sha, sizeof sha, "%016llx%016llx%032d",
               (unsigned long long)next_rand(), (unsigned long long)next_rand(),
               0);
      at.sha256 = (levee_str){sha, 64};
      at.has_phash = 1;
      at.phash = ch[c].hash[k];
      at.text_start = at.text_len = -1;
      if (ch[c].page) {
        content.extracted = S(ch[c].text[k]);
        at.text_start = 0;
        at.text_len = (int64_t)content.extracted.len;
      }
      ev.attachments = &at;
      ev.n_attachments = 1;
    } else {
      snprintf(id, sizeof id, "e%zu", i);
      ev.conversation_id = e->conversation_id;
      ev.conversation_type = e->conversation_type;
      ev.sender_id = e->sender.id;
      ev.sender_role = e->sender.role;
      content.text = e->text;
      if (i % 10 == 3) {
        snprintf(recipients, sizeof recipients,
                 "[{\"id\":\"u%05d\"},{\"id\":\"u%05d\"},{\"id\":\"u%05d\"}]",
                 (int)(next_rand() % 3000), (int)(next_rand() % 3000),
                 (int)(next_rand() % 3000));
        ev.recipients = S(recipients);
      }
      if (every && i % every == every / 2 && images < n_images) {
        images++;
        uint64_t r = next_rand();
        at.kind = S("image");
        at.size = 50000 + (int64_t)(r % 100000);
        snprintf(sha, sizeof sha, "%016llx%016llx%032d", (unsigned long long)r,
                 (unsigned long long)next_rand(), 1);
        at.sha256 = (levee_str){sha, 64};
        at.has_phash = 1;
        /* Not within the link threshold of a planted hop, so that each
         * chain's copies are its hops: about 0.4 of 100,000 random hashes
         * would be (each pair within 10 bits by chance: 1e-8). */
        for (int near = 1; near;) {
          at.phash = r % 10 < 7 ? next_rand()
                                : flip(layouts[next_rand() % LAYOUTS],
                                       11 + (unsigned)(next_rand() % 6));
          near = 0;
          for (int c = 0; c < CHAINS && !near; c++)
            for (int k = 0; k < HOPS && !near; k++)
              near = __builtin_popcountll(at.phash ^ ch[c].hash[k]) <=
                     (int)LV_TRACE_IMAGE_DISTANCE;
        }
        at.text_start = at.text_len = -1;
        if (r % 5 == 0 && e->text.len) {
          /* A photo that holds text: the message's text read from it. */
          content.extracted = e->text;
          at.text_start = 0;
          at.text_len = (int64_t)e->text.len;
        }
        ev.attachments = &at;
        ev.n_attachments = 1;
      }
    }
    ev.id = S(id);
    uint64_t seq;
    if ((rc = lv_store_add_event(s, S("bench"), &ev, &content, &seq, &err)))
      break;
    if (i % 10000 == 9999 || i + 1 == n) {
      if ((rc = lv_store_commit(s, &err)))
        break;
      if ((i + 1) % 100000 == 0)
        fprintf(stderr, "\rtrace_bench: %zu events (%.0f/s)", i + 1,
                (double)(i + 1) / (bc_now() - t0));
    }
  }
  fprintf(stderr, "\n");
  if (rc)
    fprintf(stderr, "trace_bench: %s\n", err.message);
  if (lv_store_close(s, &err)) {
    fprintf(stderr, "trace_bench: %s\n", err.message);
    rc = 1;
  }
  printf("GENERATE events=%zu images=%zu planted=%d seconds=%.1f\n", n,
         images + (size_t)CHAINS * HOPS, CHAINS * HOPS, bc_now() - t0);
  free(plant);
  bc_corpus_free(&corpus);
  return rc ? 1 : 0;
}

typedef struct timing {
  double ms[CHAINS * HOPS + 100000];
  size_t n;
  uint64_t copies, wrong, hash;
} timing;

/* Traces id, timed; LEVEE_ENOTFOUND (not counted) when there is none. */
static int trace_one(lv_store *s, const char *id, timing *t,
                     lv_trace_graph **out) {
  levee_error err = {0};
  double t0 = bc_now();
  int rc = lv_store_trace(s, S(id), out, &err);
  double ms = (bc_now() - t0) * 1000;
  if (rc == LEVEE_ENOTFOUND)
    return rc;
  if (rc) {
    fprintf(stderr, "trace_bench: trace %s: %s\n", id, err.message);
    return rc;
  }
  t->ms[t->n++] = ms;
  /* Order-free: the sum of the copies' hashes. */
  uint64_t sum = 0;
  for (size_t i = 0; i < (*out)->n_nodes; i++)
    sum += bc_fnv(14695981039346656037ull, (*out)->nodes[i].id.ptr,
                  (*out)->nodes[i].id.len);
  t->hash = bc_fnv(t->hash, &sum, sizeof sum);
  t->copies += (*out)->n_nodes;
  return 0;
}

static void report(const char *kind, timing *t) {
  double sorted[sizeof t->ms / sizeof *t->ms];
  memcpy(sorted, t->ms, t->n * sizeof *t->ms);
  double med = bc_median(sorted, t->n); /* sorts */
  printf("TRACE kind=%s traces=%zu median_ms=%.1f p90_ms=%.1f max_ms=%.1f "
         "copies=%llu wrong=%llu hash=%016llx\n",
         kind, t->n, med, sorted[t->n * 9 / 10], sorted[t->n - 1],
         (unsigned long long)t->copies, (unsigned long long)t->wrong,
         (unsigned long long)t->hash);
}

static int run(const char *where, const char *key, size_t n, size_t sample) {
  lv_store_options o = {.location = where, .key_path = key, .read_only = 1};
  lv_store *s;
  levee_error err = {0};
  if (lv_store_open(&o, &s, NULL, &err)) {
    fprintf(stderr, "trace_bench: %s: %s\n", where, err.message);
    return 1;
  }
  static timing chains, ordinary;
  chains.hash = ordinary.hash = 14695981039346656037ull;
  int rc = 0;
  for (int c = 0; c < CHAINS && !rc; c++)
    for (int k = 0; k < HOPS && !rc; k++) {
      char id[32];
      snprintf(id, sizeof id, "chain-%d-%d", c, k);
      lv_trace_graph *g = NULL;
      if ((rc = trace_one(s, id, &chains, &g)))
        break;
      int right = g->n_nodes == HOPS;
      for (size_t i = 0; right && i < g->n_nodes; i++) {
        char want[32];
        snprintf(want, sizeof want, "chain-%d-%zu", c, i);
        right = g->nodes[i].id.len == strlen(want) &&
                !memcmp(g->nodes[i].id.ptr, want, strlen(want));
      }
      if (!right) {
        chains.wrong++;
        fprintf(stderr, "trace_bench: %s: %zu copies, not its %d hops\n", id,
                g->n_nodes, HOPS);
      }
      lv_trace_graph_free(g);
    }
  if (!rc)
    report("chain", &chains);
  /* Ordinary events, evenly over the log (the generator's ids are e<i>):
   * every other one a plain message (i % 10 == 1), the others an image
   * (i % 10 == 5, where the generator puts them with its default sizes).
   * A planted hop in the place is skipped. */
  for (size_t j = 0; j < sample && !rc; j++) {
    char id[32];
    size_t i = j * (n / sample);
    i = i - i % 10 + (j % 2 ? 5 : 1);
    snprintf(id, sizeof id, "e%zu", i);
    lv_trace_graph *g = NULL;
    rc = trace_one(s, id, &ordinary, &g);
    if (rc == LEVEE_ENOTFOUND)
      rc = 0;
    lv_trace_graph_free(g);
  }
  if (!rc && ordinary.n)
    report("ordinary", &ordinary);
  (void)lv_store_close(s, NULL);
  return rc || chains.wrong ? 1 : 0;
}

int main(int argc, char **argv) {
  size_t n = 1000000, images = 100000, sample = 200;
  const char *key = NULL;
  int a = 2;
  if (argc < 2)
    goto usage;
  for (; a < argc && argv[a][0] == '-'; a++) {
    if (!strcmp(argv[a], "--events") && a + 1 < argc)
      n = strtoull(argv[++a], NULL, 10);
    else if (!strcmp(argv[a], "--images") && a + 1 < argc)
      images = strtoull(argv[++a], NULL, 10);
    else if (!strcmp(argv[a], "--sample") && a + 1 < argc)
      sample = strtoull(argv[++a], NULL, 10);
    else if (!strcmp(argv[a], "--key") && a + 1 < argc)
      key = argv[++a];
    else
      goto usage;
  }
  if (!strcmp(argv[1], "generate") && argc - a == 2 &&
      n >= (size_t)CHAINS * HOPS * 20 && images <= n / 2)
    return generate(argv[a], argv[a + 1], key, n, images);
  if (!strcmp(argv[1], "run") && argc - a == 1 && sample && sample <= 100000)
    return run(argv[a], key, n, sample);
usage:
  fprintf(stderr,
          "usage: trace_bench generate [--events N] [--images M] "
          "[--key FILE] CORPUS STORE\n"
          "       trace_bench run [--events N] [--sample K] [--key FILE] "
          "STORE\n");
  return 2;
}
