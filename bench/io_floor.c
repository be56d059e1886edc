/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io_floor.c: the input and output any end-to-end scan of the corpus must
 * do, with nothing else: a reference figure of `make bench`, not a
 * baseline.
 *
 *   io_floor [--runs N] CORPUS.jsonl OUT.jsonl
 *
 * Each timed run reads the corpus with read(2) in 1 MiB pieces (as `levee
 * scan` does), cuts it into lines, and writes one verdict line per event,
 * {"id":"...","action":"allow","severity":"info","findings":[]}, to OUT with
 * write(2). The id is taken from where the bench corpus puts it (right after
 * `{"id":"`), without reading the JSON. `make bench` passes /dev/null as
 * OUT, where the timed runs of `levee scan` write too. No parsing, no
 * normalization, no scan: what `levee scan` spends beyond this plus the batched
 * scan (hs_raw --batched) is the price of understanding the events. CPU time
 * includes the kernel's (CLOCK_PROCESS_CPUTIME_ID).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_corpus.h"

#define READ_BYTES (1u << 20)
#define OUT_BYTES (1u << 20)

typedef struct out_buf {
  int fd;
  char *p;
  size_t len;
} out_buf;

static int out_flush(out_buf *o) {
  size_t off = 0;
  while (off < o->len) {
    ssize_t w = write(o->fd, o->p + off, o->len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    off += (size_t)w;
  }
  o->len = 0;
  return 0;
}

static const char tail[] = "\",\"action\":\"allow\",\"severity\":\"info\","
                           "\"findings\":[]}\n";

/* One verdict line for the event line l[0..n). */
static int out_verdict(out_buf *o, const char *l, size_t n) {
  static const char head[] = "{\"id\":\"";
  const char *id = l, *end = l;
  if (n > sizeof head - 1 && !memcmp(l, head, sizeof head - 1)) {
    id = l + sizeof head - 1;
    end = memchr(id, '"', n - (sizeof head - 1));
    if (!end)
      end = id;
  }
  size_t idn = (size_t)(end - id);
  if (idn > 256)
    idn = 256;
  if (o->len + idn + sizeof head + sizeof tail > OUT_BYTES && out_flush(o))
    return -1;
  memcpy(o->p + o->len, head, sizeof head - 1);
  o->len += sizeof head - 1;
  memcpy(o->p + o->len, id, idn);
  o->len += idn;
  memcpy(o->p + o->len, tail, sizeof tail - 1);
  o->len += sizeof tail - 1;
  return 0;
}

/* One timed pass; the number of lines in *lines. */
static int one_run(const char *corpus, const char *out_path, char *buf,
                   out_buf *o, uint64_t *lines) {
  int in = open(corpus, O_RDONLY);
  o->fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  o->len = 0;
  uint64_t n = 0;
  size_t have = 0;
  int rc = -1;
  if (in < 0 || o->fd < 0)
    goto out;
  for (;;) {
    ssize_t r = read(in, buf + have, READ_BYTES);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      goto out;
    have += (size_t)r;
    const char *p = buf, *end = buf + have;
    for (;;) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      if (!nl && r > 0)
        break; /* a partial line: read more */
      const char *e = nl ? nl : end;
      if (e > p) {
        if (out_verdict(o, p, (size_t)(e - p)))
          goto out;
        n++;
      }
      p = nl ? nl + 1 : end;
      if (p == end)
        break;
    }
    have = (size_t)(end - p);
    memmove(buf, p, have);
    if (r == 0)
      break;
    if (have > READ_BYTES) {
      fprintf(stderr, "io_floor: a line longer than %u bytes\n", READ_BYTES);
      goto out;
    }
  }
  if (out_flush(o))
    goto out;
  *lines = n;
  rc = 0;
out:
  if (in >= 0)
    close(in);
  if (o->fd >= 0)
    close(o->fd);
  return rc;
}

int main(int argc, char **argv) {
  int runs = 5, argi = 1;
  if (argi + 1 < argc && !strcmp(argv[argi], "--runs")) {
    runs = atoi(argv[argi + 1]);
    argi += 2;
  }
  if (argc - argi != 2 || runs < 1 || runs > 99) {
    fprintf(stderr, "usage: io_floor [--runs N] CORPUS.jsonl OUT.jsonl\n");
    return 2;
  }
  bc_corpus c; /* untimed: for the message and byte counts of the result */
  if (bc_corpus_load(argv[argi], &c) != 0)
    return 1;
  char *buf = malloc(2 * (size_t)READ_BYTES);
  out_buf o = {-1, malloc(OUT_BYTES), 0};
  double *secs = calloc((size_t)runs, sizeof *secs);
  double *cpus = calloc((size_t)runs, sizeof *cpus);
  int rc = 1;
  uint64_t lines_seen = 0, unused = 0;
  if (!buf || !o.p || !secs || !cpus)
    goto out;
  for (int r = 0; r < runs; r++) {
    uint64_t lines = 0;
    double start = bc_now(), cpu_start = bc_cpu_now();
    if (one_run(argv[argi], argv[argi + 1], buf, &o, &lines)) {
      fprintf(stderr, "io_floor: %s or %s: %s\n", argv[argi], argv[argi + 1],
              strerror(errno));
      goto out;
    }
    if (bc_end_run("io_floor", r, runs, start, cpu_start, secs, cpus, lines, 0,
                   &lines_seen, &unused))
      goto out;
  }
  bc_print_result("io_floor", runs, bc_median(secs, (size_t)runs),
                  bc_median(cpus, (size_t)runs), &c, lines_seen, 0);
  rc = 0;
out:
  free(buf);
  free(o.p);
  free(secs);
  free(cpus);
  bc_corpus_free(&c);
  return rc;
}
