/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_normalize.c: throughput of the normalizer (src/core/normalize.c).
 *
 * Builds three synthetic texts in memory and normalizes them repeatedly:
 *   ascii    English chat lines (words, digits, punctuation);
 *   chinese  Chinese chat lines: words drawn by frequency from jieba's
 *            dictionary (dict.txt of python3-jieba), with Chinese and ASCII
 *            punctuation, spaces and numbers between them;
 *   mixed    the chinese text with one character in eight replaced by a
 *            full-width letter, a Traditional character or a zero-width
 *            space (the work the fold table does);
 *   chat     short Chinese chat lines with some ASCII words, numbers and
 *            emoji (four-byte UTF-8, some with a variation selector).
 * Each text is normalized in messages of about 40 bytes (cut at a character
 * boundary: a typical chat message), of about 200 bytes (one call each, as
 * chat arrives) and in 1 MiB blocks. Prints MB/s (10^6 bytes of input per
 * second, best of several rounds) and an FNV-1a hash over the output and its
 * offset map, so a fast wrong answer shows.
 *
 * The scanner builds a text's offset map only when it needs an original
 * offset (lv_norm_map), so the timed work is the text alone; with -m every
 * text's map is built too (what a text with findings costs). The first
 * round builds the maps in any case, for the hash.
 *
 * With -c corpus.jsonl, the texts of the corpus's events are normalized
 * instead, the way batch inspection does (lv_normalize_at, one text after
 * another into one buffer, LV_BATCH_EVENTS texts or LV_BATCH_TEXT_BYTES per
 * batch); it prints MB/s of text and ns per event (best of the rounds).
 *
 * Usage: bench_normalize [-d jieba/dict.txt] [-s MB per text] [-r rounds]
 *                        [-p piece: 40, 200 or 1048576] [-t text name] [-m]
 *                        [-c corpus.jsonl]
 * (-p and -t run only that piece size or that text.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/normalize.h"
#include "bench_corpus.h"
#include "levee/levee.h"
#include "util/limits.h"

#define DEFAULT_DICT "/usr/lib/python3/dist-packages/jieba/dict.txt"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) {
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(rng_state >> 33);
}

typedef struct text {
  char *s;
  size_t len, cap;
} text;

static void put(text *t, const char *s, size_t n) {
  if (t->len + n + 1 > t->cap) {
    t->cap = (t->len + n + 1) * 2;
    t->s = realloc(t->s, t->cap);
    if (!t->s) {
      perror("realloc");
      exit(1);
    }
  }
  memcpy(t->s + t->len, s, n);
  t->len += n;
  t->s[t->len] = '\0';
}
static void puts_(text *t, const char *s) {
  put(t, s, strlen(s));
}

static const char *const english[] = {
    "the",          "report",  "salary",   "bands",
    "for",          "next",    "quarter",  "please",
    "send",         "me",      "account",  "number",
    "meeting",      "at",      "office",   "budget",
    "review",       "client",  "invoice",  "is",
    "ready",        "call",    "you",      "later",
    "thanks",       "project", "deadline", "Friday",
    "CONFIDENTIAL", "draft",   "email",    "a.b@example.com",
    "OK",           "Monday"};

static void make_ascii(text *t, size_t want) {
  while (t->len < want) {
    int words = 5 + (int)(rnd() % 20);
    for (int w = 0; w < words; w++) {
      puts_(t, english[rnd() % (sizeof english / sizeof english[0])]);
      uint32_t r = rnd() % 16;
      puts_(t, r == 0 ? ", " : r == 1 ? " 6222 " : " ");
    }
    puts_(t, rnd() % 2 ? "?\n" : ".\n");
  }
}

typedef struct dict {
  char **word;
  uint64_t *cum; /* cumulative frequency */
  size_t n;
} dict;

static int load_dict(dict *d, const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    return -1;
  }
  char line[512];
  size_t cap = 0;
  uint64_t total = 0;
  while (fgets(line, sizeof line, f)) {
    char *sp = strchr(line, ' ');
    if (!sp)
      continue;
    *sp = '\0';
    unsigned long freq = strtoul(sp + 1, NULL, 10);
    if ((unsigned char)line[0] < 0x80 || freq == 0)
      continue; /* Chinese words only */
    if (d->n == cap) {
      cap = cap ? cap * 2 : 1024;
      d->word = realloc(d->word, cap * sizeof *d->word);
      d->cum = realloc(d->cum, cap * sizeof *d->cum);
      if (!d->word || !d->cum) {
        perror("realloc");
        exit(1);
      }
    }
    total += freq;
    d->word[d->n] = strdup(line);
    d->cum[d->n] = total;
    d->n++;
  }
  fclose(f);
  return d->n ? 0 : -1;
}

static const char *pick(const dict *d) {
  uint64_t r = (((uint64_t)rnd() << 32) | rnd()) % d->cum[d->n - 1];
  size_t lo = 0, hi = d->n - 1;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (d->cum[mid] > r)
      hi = mid;
    else
      lo = mid + 1;
  }
  return d->word[lo];
}

static void make_chinese(text *t, const dict *d, size_t want) {
  static const char *const punct[] = {"，", "。", "！", "？", " ", "、", "~"};
  while (t->len < want) {
    int words = 4 + (int)(rnd() % 30);
    for (int w = 0; w < words; w++) {
      puts_(t, pick(d));
      uint32_t r = rnd() % 10;
      if (r == 0)
        puts_(t, punct[rnd() % 7]);
      else if (r == 1) {
        char num[16];
        snprintf(num, sizeof num, " %u ", rnd() % 100000);
        puts_(t, num);
      }
    }
    puts_(t, "。\n");
  }
}

/* Replaces about one character in eight of a Chinese text with something
 * the fold table changes, keeping the byte length where it can. */
static void make_mixed(text *t, const text *src) {
  static const char *const subst3[] = {"Ａ", "Ｂ", "１",     "長", "機",
                                       "密", "絕", "\u200b", "　", "們"};
  put(t, src->s, src->len);
  for (size_t i = 0; i + 3 <= t->len; i++) {
    unsigned char c = (unsigned char)t->s[i];
    if (c >= 0xE4 && c <= 0xE9 && rnd() % 8 == 0) /* a CJK character */
      memcpy(t->s + i, subst3[rnd() % 10], 3);
  }
}

/* Short chat lines: Chinese words with ASCII words, numbers, emoji and
 * punctuation between them. */
static void make_chat(text *t, const dict *d, size_t want) {
  static const char *const emoji[] = {"😀",    "👍",      "🙏", "😂",
                                      "🤣", "❤️", "🎉", "👌"};
  static const char *const ascii_words[] = {"OK", "ppt",  "Excel", "PDF",
                                            "ok", "wifi", "App",   "HR"};
  static const char *const punct[] = {"，", "。", "！", "？", " ", "~", "!"};
  while (t->len < want) {
    int words = 2 + (int)(rnd() % 10);
    for (int w = 0; w < words; w++) {
      puts_(t, pick(d));
      uint32_t r = rnd() % 12;
      if (r == 0 || r == 1)
        puts_(t, punct[rnd() % 7]);
      else if (r == 2)
        puts_(t, emoji[rnd() % 8]);
      else if (r == 3)
        puts_(t, ascii_words[rnd() % 8]);
      else if (r == 4) {
        char num[16];
        snprintf(num, sizeof num, "%u", rnd() % 1000);
        puts_(t, num);
      }
    }
    puts_(t, rnd() % 2 ? "\n" : emoji[rnd() % 8]);
  }
}

/* Normalizes t in pieces of about chunk bytes (cut after a newline when one
 * is near, else at any byte); returns the best MB/s of rounds and the hash
 * of the output. */
static double run(lv_norm *n, const text *t, size_t chunk, int rounds,
                  int with_map, uint64_t *hash, size_t *out_bytes) {
  double best = 0;
  for (int r = 0; r < rounds; r++) {
    uint64_t h = 1469598103934665603ull;
    size_t out = 0;
    double t0 = bc_now();
    for (size_t off = 0; off < t->len;) {
      size_t len = t->len - off < chunk ? t->len - off : chunk;
      const char *nl = memchr(t->s + off + len / 2, '\n', len - len / 2);
      if (nl && chunk < 4096)
        len = (size_t)(nl - (t->s + off)) + 1;
      else if (chunk < 64) /* never split a character */
        while (len > 1 && off + len < t->len &&
               ((unsigned char)t->s[off + len] & 0xC0) == 0x80)
          len--;
      if (lv_normalize(n, t->s + off, len) != LEVEE_OK) {
        fprintf(stderr, "lv_normalize failed\n");
        exit(1);
      }
      if (r == 0 || with_map) {
        const uint32_t *map = lv_norm_map(n);
        if (r == 0) {
          h = bc_fnv(h, n->text, n->len);
          h = bc_fnv(h, map, n->len * sizeof *map);
        }
      }
      out += n->len;
      off += len;
    }
    double mbs = (double)t->len / 1e6 / (bc_now() - t0);
    if (mbs > best)
      best = mbs;
    if (r == 0) {
      *hash = h;
      *out_bytes = out;
    }
  }
  return best;
}

/* The -c mode: the corpus's texts, in batches as the scanner makes them. */
static int run_corpus(const char *path, int rounds, int with_map) {
  bc_corpus c;
  bc_corpus_load(path, &c);
  lv_norm n, view;
  lv_norm_init(&n);
  double best = 1e30;
  uint64_t h = 1469598103934665603ull;
  for (int r = 0; r < rounds; r++) {
    double t0 = bc_cpu_now();
    size_t i = 0;
    while (i < c.n) {
      size_t at = 0, first = i;
      for (; i < c.n && i - first < LV_BATCH_EVENTS &&
             at + c.events[i].text.len <= LV_BATCH_TEXT_BYTES;
           i++) {
        levee_str t = c.events[i].text;
        size_t out;
        if (!t.len)
          continue;
        if (lv_normalize_at(&n, at, t.ptr, t.len, &out) != LEVEE_OK) {
          fprintf(stderr, "lv_normalize_at failed on event %zu\n", i);
          exit(1);
        }
        if (r == 0 || with_map) {
          lv_norm_view(&view, &n, at, out, t.ptr, t.len);
          const uint32_t *map = lv_norm_map(&view);
          if (r == 0) {
            h = bc_fnv(h, view.text, out);
            h = bc_fnv(h, map, out * sizeof *map);
          }
        }
        at += out + 1;
      }
      if (i == first) {
        fprintf(stderr, "event %zu: text too long\n", i);
        exit(1);
      }
    }
    double secs = bc_cpu_now() - t0;
    if (r > 0 || rounds == 1)
      best = secs < best ? secs : best;
  }
  printf("%-8s %10.1f %10s %10.0f   %016llx  %.1f ns/event (%zu events)\n",
         "corpus", (double)c.text_bytes / 1e6, "events",
         (double)c.text_bytes / 1e6 / best, (unsigned long long)h,
         best * 1e9 / (double)c.n, c.n);
  lv_norm_cleanup(&n);
  bc_corpus_free(&c);
  return 0;
}

int main(int argc, char **argv) {
  const char *dict_path = DEFAULT_DICT;
  size_t mb = 16;
  int rounds = 5, with_map = 0, opt;
  size_t only_piece = 0;
  const char *only_text = NULL, *corpus = NULL;
  while ((opt = getopt(argc, argv, "d:s:r:p:t:mc:")) != -1) {
    switch (opt) {
    case 'd': dict_path = optarg; break;
    case 's': mb = strtoul(optarg, NULL, 10); break;
    case 'r': rounds = atoi(optarg); break;
    case 'p': only_piece = strtoul(optarg, NULL, 10); break;
    case 't': only_text = optarg; break;
    case 'm': with_map = 1; break;
    case 'c': corpus = optarg; break;
    default:
      fprintf(stderr,
              "usage: %s [-d dict.txt] [-s MB] [-r rounds] [-p piece] "
              "[-t text] [-m] [-c corpus.jsonl]\n",
              argv[0]);
      return 2;
    }
  }
  if (mb == 0 || rounds < 1)
    return 2;
  if (corpus)
    return run_corpus(corpus, rounds, with_map);
  dict d = {0};
  if (load_dict(&d, dict_path) < 0) {
    fprintf(stderr, "no words in %s\n", dict_path);
    return 1;
  }
  text ascii = {0}, zh = {0}, mixed = {0}, chat = {0};
  make_ascii(&ascii, mb << 20);
  make_chinese(&zh, &d, mb << 20);
  make_mixed(&mixed, &zh);
  make_chat(&chat, &d, mb << 20);

  const struct {
    const char *name;
    const text *t;
  } texts[] = {
      {"ascii", &ascii}, {"chinese", &zh}, {"mixed", &mixed}, {"chat", &chat}};
  const size_t chunks[] = {40, 200, 1u << 20};
  const char *const chunk_names[] = {"~40 B", "~200 B", "1 MiB"};
  lv_norm n;
  lv_norm_init(&n);
  printf("%-8s %10s %10s %10s %18s\n", "text", "input MB", "piece", "MB/s",
         "hash");
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
      if ((only_piece && chunks[c] != only_piece) ||
          (only_text && strcmp(only_text, texts[i].name)))
        continue;
      uint64_t h = 0;
      size_t out = 0;
      double mbs = run(&n, texts[i].t, chunks[c], rounds, with_map, &h, &out);
      printf("%-8s %10.1f %10s %10.0f   %016llx\n", texts[i].name,
             (double)texts[i].t->len / 1e6, chunk_names[c], mbs,
             (unsigned long long)h);
    }
  }
  lv_norm_cleanup(&n);
  for (size_t i = 0; i < d.n; i++)
    free(d.word[i]);
  free(d.word);
  free(d.cum);
  free(ascii.s);
  free(zh.s);
  free(mixed.s);
  free(chat.s);
  return 0;
}
