/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_scan.c: `levee scan`: inspects events and prints verdicts as JSON
 * Lines, in input order (spec/interface.md section 4).
 *
 * Event streams (.jsonl, .ndjson, -, or anything with --format wecom) are
 * cut into batches of whole lines; worker threads, each with its own
 * scanner, parse and inspect a batch into a verdict buffer; the main thread
 * reads ahead and writes finished batches in order. A bad line is reported
 * as "levee: line N: why" and skipped. An .eml file is one email event, any
 * other file one `file` event whose attachment is that file.
 *
 * Exit status: 0 nothing at alert or above, 1 something was, 2 an error
 * (after processing what could be).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "cli/cli.h"
#include "ingest/event_email.h"
#include "ingest/event_jsonl.h"
#include "ingest/event_wecom.h"
#include "ingest/text_decode.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json_reader.h"
#include "util/limits.h"

#define BATCH_BYTES (256u * 1024u)
/* Events inspected together by levee_scanner_inspect_batch(), and the
 * unescaped strings they may hold in the worker's arena. */
#define PENDING_EVENTS 1024u
#define PENDING_ARENA_BYTES (8u << 20)
/* The least room a read(2) gets; the read buffer holds BATCH_BYTES plus
 * this. 256 KiB rather than 1 MiB keeps a batch (about the read buffer's
 * size) within L2 (1 MiB here) while its worker parses it: `levee scan`
 * took 2% less CPU (167.9 -> 164.8 ms); 128 KiB reads or batches were no
 * better. */
#define READ_CHUNK (1u << 18)

enum batch_state { BATCH_EMPTY = 0, BATCH_FILLED, BATCH_BUSY, BATCH_DONE };

typedef struct batch {
  enum batch_state state;
  char *bytes; /* whole lines, owned; kept for reuse after writing */
  size_t len;
  size_t cap;
  size_t first_line;
  const char *dir; /* for attachment paths; borrowed */
  int wecom;
  lv_buf out;  /* verdict lines */
  lv_buf errs; /* "levee: line N: ..." lines */
  size_t n_events, n_alerts, n_errors;
} batch;

typedef struct worker {
  struct scan *sc;
  pthread_t thread;
  levee_scanner *scanner;
  lv_json_doc doc;
  lv_arena arena;    /* strings of the pending events */
  levee_event *pend; /* PENDING_EVENTS parsed events awaiting inspection */
  size_t *pend_line; /* their line numbers */
  size_t n_pend;
  struct batch *cur; /* the batch whose verdicts on_verdict() writes */
} worker;

typedef struct scan {
  /* options */
  const char *policy_path, *data_dir, *format;
  int threads, no_cache, quiet;
  /* state */
  levee_engine *engine;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  batch *slots;
  size_t n_slots;
  size_t next_fill, next_claim, next_write; /* sequence numbers */
  int stop;
  worker *workers;
  /* totals */
  size_t n_events, n_alerts, n_errors;
  size_t bytes_in;
  int out_failed; /* a write to stdout failed: reported once, exit 2 */
  int progress;
  struct timespec t0, last_progress;
} scan;

/* --- one event -------------------------------------------------------- */

static int basename_len(const char *p, const char **base) {
  const char *s = strrchr(p, '/');
  *base = s ? s + 1 : p;
  return (int)strlen(*base);
}

/* Gives attachments with a path or data their text, where the bytes are
 * plain text (UTF-8, GB18030, UTF-16); other formats come with attachment
 * support and are skipped with a note. */
static void attachment_texts(levee_event *ev, const char *dir, lv_arena *a,
                             lv_buf *errs, size_t lineno) {
  if (!ev->n_attachments)
    return;
  levee_attachment *at = lv_arena_alloc(a, ev->n_attachments * sizeof *at);
  if (!at)
    return;
  memcpy(at, ev->attachments, ev->n_attachments * sizeof *at);
  ev->attachments = at;
  for (size_t i = 0; i < ev->n_attachments; i++) {
    levee_str bytes = at[i].data;
    char *file = NULL;
    if (!bytes.ptr && at[i].path.ptr) {
      char full[8192];
      if (at[i].path.ptr[0] == '/' || !dir)
        snprintf(full, sizeof full, "%.*s", (int)at[i].path.len,
                 at[i].path.ptr);
      else
        snprintf(full, sizeof full, "%s/%.*s", dir, (int)at[i].path.len,
                 at[i].path.ptr);
      size_t len;
      int rc = lv_cli_read_file(full, LV_MAX_FILE_BYTES, &file, &len);
      if (rc) {
        (void)lv_buf_printf(errs, "levee: line %zu: attachment %zu: %s: %s\n",
                            lineno, i, full,
                            rc == -EFBIG ? "file too large" : strerror(-rc));
        continue;
      }
      bytes.ptr = file;
      bytes.len = len;
    }
    if (bytes.ptr) {
      levee_str text;
      const char *enc;
      if (lv_text_decode(bytes.ptr, bytes.len, a, &text, &enc, NULL) == 0) {
        /* Text borrowed from file must outlive it: copy into the arena. */
        if (file && text.ptr >= file && text.ptr < file + bytes.len) {
          char *copy = lv_arena_strndup(a, text.ptr, text.len);
          text.ptr = copy;
          if (!copy)
            text.len = 0;
        }
        at[i].text = text;
      }
    }
    free(file);
  }
}

static void emit_verdict(levee_scanner *sc, const levee_event *ev, lv_buf *out,
                         lv_buf *errs, size_t lineno, size_t *n_alerts,
                         size_t *n_errors) {
  const levee_verdict *v;
  int rc = levee_scanner_inspect(sc, ev, &v);
  if (rc) {
    (void)lv_buf_printf(errs, "levee: line %zu: inspection failed: %s\n",
                        lineno, levee_strerror(rc));
    (*n_errors)++;
    return;
  }
  if (v->action >= LEVEE_ACTION_ALERT)
    (*n_alerts)++;
  if (levee_verdict_json(v, &out->data, &out->len, &out->cap))
    (*n_errors)++;
}

/* A verdict of a pending run of events, to the batch's output. */
static void on_verdict(void *ctx, size_t i, int status,
                       const levee_verdict *v) {
  worker *w = ctx;
  batch *b = w->cur;
  if (status) {
    (void)lv_buf_printf(&b->errs, "levee: line %zu: inspection failed: %s\n",
                        w->pend_line[i], levee_strerror(status));
    b->n_errors++;
    return;
  }
  if (v->action >= LEVEE_ACTION_ALERT)
    b->n_alerts++;
  if (levee_verdict_json(v, &b->out.data, &b->out.len, &b->out.cap))
    b->n_errors++;
}

/* Inspects the pending events as one batch (levee_scanner_inspect_batch),
 * then forgets them and their strings. */
static void flush_pending(worker *w, batch *b) {
  if (w->n_pend) {
    w->cur = b;
    if (levee_scanner_inspect_batch(w->scanner, w->pend, w->n_pend, on_verdict,
                                    w))
      b->n_errors++;
    w->n_pend = 0;
  }
  lv_arena_reset(&w->arena);
}

static int parse_line(worker *w, batch *b, const char *line, size_t len,
                      levee_event *ev, levee_error *err) {
  return b->wecom ? lv_event_from_wecom(&w->doc, line, len, &w->arena, ev, err)
                  : lv_event_from_jsonl(&w->doc, line, len, &w->arena, ev, err);
}

/* Events without attachments wait in a run of up to PENDING_EVENTS (or
 * PENDING_ARENA_BYTES of unescaped strings) for one batch inspection. An
 * event with attachments is inspected alone, with the whole arena for its
 * attachments' text, after the run before it. */
static void process_batch(worker *w, batch *b) {
  if (!b->len)
    return; /* the place of a line too long to read (submit()); no bytes */
  const char *p = b->bytes, *end = b->bytes + b->len;
  size_t lineno = b->first_line;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *e = nl ? nl : end;
    const char *line = p;
    p = nl ? nl + 1 : end;
    size_t len = (size_t)(e - line);
    size_t this_line = lineno++;
    if (len && line[len - 1] == '\r')
      len--;
    size_t k = 0;
    while (k < len && (line[k] == ' ' || line[k] == '\t'))
      k++;
    if (k == len)
      continue; /* blank line */
    if (len > LV_MAX_LINE_BYTES) {
      (void)lv_buf_printf(&b->errs,
                          "levee: line %zu: longer than %u bytes, "
                          "skipped\n",
                          this_line, LV_MAX_LINE_BYTES);
      b->n_errors++;
      continue;
    }
    /* Parsed straight into the next pending slot: copying the event there
     * afterwards cost 2% of the run (memmove). */
    levee_event *ev = &w->pend[w->n_pend];
    levee_error err;
    err.message[0] = '\0';
    int rc = parse_line(w, b, line, len, ev, &err);
    if (rc) {
      (void)lv_buf_printf(&b->errs, "levee: line %zu: %s\n", this_line,
                          err.message[0] ? err.message : levee_strerror(rc));
      b->n_errors++;
      continue;
    }
    b->n_events++;
    if (ev->n_attachments) {
      levee_event one;
      flush_pending(w, b); /* this also forgets ev's strings: parse again */
      if (parse_line(w, b, line, len, &one, &err) == LEVEE_OK) {
        attachment_texts(&one, b->dir, &w->arena, &b->errs, this_line);
        emit_verdict(w->scanner, &one, &b->out, &b->errs, this_line,
                     &b->n_alerts, &b->n_errors);
      }
      lv_arena_reset(&w->arena);
      continue;
    }
    w->pend_line[w->n_pend++] = this_line;
    if (w->n_pend == PENDING_EVENTS ||
        w->arena.used_total > PENDING_ARENA_BYTES)
      flush_pending(w, b);
  }
  flush_pending(w, b);
}

static void *worker_main(void *arg) {
  worker *w = arg;
  scan *sc = w->sc;
  pthread_mutex_lock(&sc->mu);
  for (;;) {
    while (!sc->stop && sc->next_claim == sc->next_fill)
      pthread_cond_wait(&sc->cv, &sc->mu);
    if (sc->next_claim == sc->next_fill)
      break; /* stop, and nothing left */
    batch *b = &sc->slots[sc->next_claim++ % sc->n_slots];
    b->state = BATCH_BUSY;
    pthread_mutex_unlock(&sc->mu);
    process_batch(w, b);
    pthread_mutex_lock(&sc->mu);
    b->state = BATCH_DONE;
    pthread_cond_broadcast(&sc->cv);
  }
  pthread_mutex_unlock(&sc->mu);
  return NULL;
}

/* --- output ----------------------------------------------------------- */

static double seconds_since(const struct timespec *t) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t->tv_sec) +
         (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void show_progress(scan *sc, int final) {
  if (!sc->progress)
    return;
  if (!final && seconds_since(&sc->last_progress) < 1.0)
    return;
  clock_gettime(CLOCK_MONOTONIC, &sc->last_progress);
  double s = seconds_since(&sc->t0);
  fprintf(stderr, "\rlevee: scan: %zu events, %zu alerts, %.1f MB, %.1f MB/s%s",
          sc->n_events, sc->n_alerts, (double)sc->bytes_in / 1e6,
          s > 0 ? (double)sc->bytes_in / 1e6 / s : 0.0, final ? "\n" : "");
}

/* Verdicts go to stdout with write(2), a batch's buffer at a time: copying
 * them through stdio's buffer first cost 1% of the run (memmove). Nothing
 * else in `levee scan` writes to stdout, so no stdio buffer needs flushing
 * first. A failed write is reported once and makes the exit status 2. */
static void put_out(scan *sc, const char *p, size_t n) {
  while (n && !sc->out_failed) {
    ssize_t k = write(STDOUT_FILENO, p, n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0) {
      lv_cli_error("stdout", "%s", strerror(k < 0 ? errno : EIO));
      sc->out_failed = 1;
      sc->n_errors++;
      return;
    }
    p += k;
    n -= (size_t)k;
  }
}

/* Writes the oldest batch once it is done. */
static void flush_one(scan *sc) {
  pthread_mutex_lock(&sc->mu);
  batch *b = &sc->slots[sc->next_write % sc->n_slots];
  while (b->state != BATCH_DONE)
    pthread_cond_wait(&sc->cv, &sc->mu);
  pthread_mutex_unlock(&sc->mu);
  /* Verdicts first, then the batch's error lines: stderr is unbuffered,
   * so each line of either stream is out before anything after it. */
  put_out(sc, b->out.data, b->out.len);
  if (b->errs.len)
    fwrite(b->errs.data, 1, b->errs.len, stderr);
  sc->n_events += b->n_events;
  sc->n_alerts += b->n_alerts;
  sc->n_errors += b->n_errors;
  b->len = 0; /* the buffer goes back to the reader in submit() */
  lv_buf_reset(&b->out);
  lv_buf_reset(&b->errs);
  b->n_events = b->n_alerts = b->n_errors = 0;
  pthread_mutex_lock(&sc->mu);
  b->state = BATCH_EMPTY;
  sc->next_write++;
  pthread_mutex_unlock(&sc->mu);
  show_progress(sc, 0);
}

static void flush_all(scan *sc) {
  while (sc->next_write < sc->next_fill)
    flush_one(sc);
}

/* Hands lines (taken, with their buffer of cap bytes) to the workers and
 * returns a spare buffer from the slot (NULL if none; its size in
 * *spare_cap). err_line, when nonzero, makes an empty batch that reports
 * that line as too long, in its place in the output. */
static char *submit(scan *sc, char *bytes, size_t len, size_t cap,
                    size_t first_line, const char *dir, int wecom,
                    size_t err_line, size_t *spare_cap) {
  while (sc->next_fill - sc->next_write >= sc->n_slots)
    flush_one(sc);
  batch *b = &sc->slots[sc->next_fill % sc->n_slots];
  /* Swap buffers with the slot: fresh memory for every batch would cost a
   * page fault per 4 KiB. */
  char *spare = b->bytes;
  *spare_cap = b->cap;
  b->bytes = bytes;
  b->len = len;
  b->cap = cap;
  b->first_line = first_line;
  b->dir = dir;
  b->wecom = wecom;
  if (err_line) {
    (void)lv_buf_printf(&b->errs,
                        "levee: line %zu: longer than %u bytes, "
                        "skipped\n",
                        err_line, LV_MAX_LINE_BYTES);
    b->n_errors++;
  }
  pthread_mutex_lock(&sc->mu);
  b->state = BATCH_FILLED;
  sc->next_fill++;
  pthread_cond_broadcast(&sc->cv);
  pthread_mutex_unlock(&sc->mu);
  return spare;
}

/* Newlines in p[0..n), 16 bytes at a time: each comparison adds -1 to a
 * byte counter per lane, which is summed (psadbw) before it can wrap. */
static size_t count_lines(const char *p, size_t n) {
  size_t c = 0, i = 0;
#ifdef __SSE2__
  const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
  while (i + 16 <= n) {
    __m128i acc = zero;
    for (int k = 0; k < 255 && i + 16 <= n; k++, i += 16) {
      __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
    }
    __m128i sums = _mm_sad_epu8(acc, zero);
    c += (size_t)_mm_cvtsi128_si32(sums) +
         (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
  }
#endif
  for (; i < n; i++)
    c += p[i] == '\n';
  return c;
}

/* Reads an event stream from fd and feeds it to the workers in batches of
 * whole lines. */
static int scan_stream(scan *sc, int fd, const char *name, const char *dir,
                       int wecom) {
  size_t cap = BATCH_BYTES + READ_CHUNK, len = 0, line = 1;
  char *buf = malloc(cap);
  int skipping = 0; /* inside a line that is too long */
  size_t skip_line = 0;
  if (!buf)
    return -ENOMEM;
  for (;;) {
    if (cap - len < READ_CHUNK) {
      size_t ncap = cap * 2;
      if (ncap > LV_MAX_LINE_BYTES + 2 * READ_CHUNK)
        ncap = LV_MAX_LINE_BYTES + 2 * READ_CHUNK;
      if (ncap > cap) {
        char *nb = realloc(buf, ncap);
        if (!nb) {
          free(buf);
          return -ENOMEM;
        }
        buf = nb;
        cap = ncap;
      }
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = errno;
      lv_cli_error(name, "%s", strerror(e));
      free(buf);
      return -e;
    }
    sc->bytes_in += (size_t)n;
    int eof = n == 0;
    len += (size_t)n;
    if (skipping) {
      char *nl = memchr(buf, '\n', len);
      if (!nl) {
        len = 0;
        if (eof)
          break;
        continue;
      }
      size_t rest = len - (size_t)(nl + 1 - buf);
      memmove(buf, nl + 1, rest);
      len = rest;
      skipping = 0;
      line = skip_line + 1;
    }
    /* Whole lines go out once there is a batch's worth, or at the end. */
    char *last_nl = len ? memrchr(buf, '\n', len) : NULL;
    size_t whole = last_nl ? (size_t)(last_nl + 1 - buf) : 0;
    if (eof && len > whole)
      whole = len; /* the last line need not end with a newline */
    if (whole && (whole >= BATCH_BYTES || eof)) {
      size_t rest = len - whole, spare_cap = 0;
      size_t lines = count_lines(buf, whole);
      char *old = buf;
      size_t need = rest + READ_CHUNK > BATCH_BYTES + READ_CHUNK
                        ? rest + READ_CHUNK
                        : BATCH_BYTES + READ_CHUNK;
      char *nb = submit(sc, old, whole, cap, line, dir, wecom, 0, &spare_cap);
      if (!nb || spare_cap < need) {
        free(nb);
        nb = malloc(need);
        spare_cap = need;
        if (!nb) {
          /* old now belongs to the batch */
          return -ENOMEM;
        }
      }
      /* Workers read only old[0..whole); the rest is ours to copy. */
      memcpy(nb, old + whole, rest);
      line += lines;
      buf = nb;
      cap = spare_cap;
      len = rest;
    } else if (!last_nl && len > LV_MAX_LINE_BYTES) {
      size_t spare_cap = 0;
      skipping = 1;
      skip_line = line;
      free(submit(sc, NULL, 0, 0, line, dir, wecom, line, &spare_cap));
      len = 0;
    }
    if (eof)
      break;
  }
  free(buf);
  return 0;
}

/* --- files as single events ------------------------------------------- */

static int has_suffix(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && !strcasecmp(s + a - b, suf);
}

static void inspect_one(scan *sc, levee_scanner *scanner,
                        const levee_event *ev) {
  lv_buf out, errs;
  lv_buf_init(&out, 1u << 30);
  lv_buf_init(&errs, 1u << 20);
  emit_verdict(scanner, ev, &out, &errs, 0, &sc->n_alerts, &sc->n_errors);
  sc->n_events++;
  put_out(sc, out.data, out.len);
  if (errs.len)
    fwrite(errs.data, 1, errs.len, stderr);
  lv_buf_cleanup(&out);
  lv_buf_cleanup(&errs);
}

static void scan_file_event(scan *sc, levee_scanner *scanner,
                            const char *path) {
  char *data;
  size_t len;
  int is_eml = has_suffix(path, ".eml");
  int rc = lv_cli_read_file(
      path, is_eml ? LV_MAX_EMAIL_BYTES : LV_MAX_FILE_BYTES, &data, &len);
  if (rc) {
    lv_cli_error(path, "%s", rc == -EFBIG ? "file too large" : strerror(-rc));
    sc->n_errors++;
    return;
  }
  sc->bytes_in += len;
  lv_arena arena;
  lv_arena_init(&arena, LV_MAX_ARENA_BYTES);
  levee_event ev;
  levee_error err = {0};
  levee_str id = {path, strlen(path)};
  if (is_eml) {
    rc = lv_event_from_email(data, len, id, &arena, &ev, &err);
    if (rc) {
      lv_cli_error(path, "%s",
                   err.message[0] ? err.message : levee_strerror(rc));
      sc->n_errors++;
    } else
      inspect_one(sc, scanner, &ev);
  } else {
    levee_attachment at;
    memset(&at, 0, sizeof at);
    memset(&ev, 0, sizeof ev);
    const char *enc;
    rc = lv_text_decode(data, len, &arena, &at.text, &enc, &err);
    if (rc) {
      lv_cli_error(path, "%s",
                   err.message[0] ? err.message : levee_strerror(rc));
      sc->n_errors++;
    } else {
      struct stat st;
      const char *base;
      int blen = basename_len(path, &base);
      at.kind = (levee_str){"file", 4};
      at.name = (levee_str){base, (size_t)blen};
      at.path = id;
      ev.id = id;
      ev.channel = (levee_str){"file", 4};
      ev.conversation_external = LEVEE_UNKNOWN;
      ev.time_ms = stat(path, &st) == 0 ? (int64_t)st.st_mtime * 1000 : 0;
      ev.attachments = &at;
      ev.n_attachments = 1;
      inspect_one(sc, scanner, &ev);
    }
  }
  lv_arena_cleanup(&arena);
  free(data);
}

/* --- the command ------------------------------------------------------ */

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: levee scan [--policy FILE] [--data DIR] [--format jsonl|wecom]\n"
      "                  [--threads N] [--no-cache] [--quiet] [FILE|-]...\n"
      "\n"
      "Inspects events and prints one verdict per event (JSON Lines) on\n"
      "stdout, in input order.\n"
      "\n"
      "Inputs: .jsonl, .ndjson and - (stdin, the default) are event\n"
      "streams; .eml is one email event; any other file is one `file`\n"
      "event whose attachment is that file (plain text in UTF-8, GB18030\n"
      "or UTF-16), with the path as the verdict id.\n"
      "\n"
      "Options:\n"
      "  --policy FILE   policy to apply (default: the embedded default\n"
      "                  policy, policies/default.yaml)\n"
      "  --data DIR      data directory; compiled pattern databases are\n"
      "                  cached in DIR/cache (default cache:\n"
      "                  $XDG_CACHE_HOME/levee or ~/.cache/levee)\n"
      "  --format F      jsonl (levee events, the default) or wecom\n"
      "                  (WeCom chat-archive records, one per line)\n"
      "  --threads N     inspection threads (default: number of CPUs)\n"
      "  --no-cache      compile patterns without the on-disk cache\n"
      "  --quiet         no progress line on a terminal\n"
      "  -h, --help      this help\n"
      "\n"
      "Bad lines are reported on stderr as `levee: line N: why` and\n"
      "skipped. Exit status: 0 nothing at alert or above, 1 something\n"
      "was, 2 an error (after processing what could be).\n");
}

static int parse_args(scan *sc, int argc, char **argv) {
  static const struct option opts[] = {
      {"policy", required_argument, NULL, 'p'},
      {"data", required_argument, NULL, 'd'},
      {"format", required_argument, NULL, 'f'},
      {"threads", required_argument, NULL, 't'},
      {"no-cache", no_argument, NULL, 'n'},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'p': sc->policy_path = optarg; break;
    case 'd': sc->data_dir = optarg; break;
    case 'f':
      if (strcmp(optarg, "jsonl") && strcmp(optarg, "wecom")) {
        lv_cli_error("scan", "--format must be jsonl or wecom, not '%s'",
                     optarg);
        return 2;
      }
      sc->format = optarg;
      break;
    case 't': {
      char *end;
      long n = strtol(optarg, &end, 10);
      if (*end || n < 1 || n > 256) {
        lv_cli_error("scan", "--threads must be a number from 1 to 256");
        return 2;
      }
      sc->threads = (int)n;
      break;
    }
    case 'n': sc->no_cache = 1; break;
    case 'q': sc->quiet = 1; break;
    case 'h': usage(stdout); return -1;
    default: usage(stderr); return 2;
    }
  }
  return 0;
}

static int start_workers(scan *sc) {
  sc->n_slots = (size_t)sc->threads * 2 + 2;
  sc->slots = calloc(sc->n_slots, sizeof *sc->slots);
  sc->workers = calloc((size_t)sc->threads, sizeof *sc->workers);
  if (!sc->slots || !sc->workers)
    return -ENOMEM;
  for (size_t i = 0; i < sc->n_slots; i++) {
    lv_buf_init(&sc->slots[i].out, (size_t)1 << 31);
    lv_buf_init(&sc->slots[i].errs, (size_t)1 << 28);
  }
  pthread_mutex_init(&sc->mu, NULL);
  pthread_cond_init(&sc->cv, NULL);
  for (int i = 0; i < sc->threads; i++) {
    worker *w = &sc->workers[i];
    w->sc = sc;
    lv_json_doc_init(&w->doc);
    lv_arena_init(&w->arena, LV_MAX_ARENA_BYTES);
    w->pend = malloc(PENDING_EVENTS * sizeof *w->pend);
    w->pend_line = malloc(PENDING_EVENTS * sizeof *w->pend_line);
    if (!w->pend || !w->pend_line ||
        levee_scanner_create(sc->engine, &w->scanner))
      return -ENOMEM;
    if (pthread_create(&w->thread, NULL, worker_main, w)) {
      levee_scanner_destroy(w->scanner);
      w->scanner = NULL;
      return -EAGAIN;
    }
  }
  return 0;
}

static void stop_workers(scan *sc) {
  if (!sc->workers)
    return;
  pthread_mutex_lock(&sc->mu);
  sc->stop = 1;
  pthread_cond_broadcast(&sc->cv);
  pthread_mutex_unlock(&sc->mu);
  for (int i = 0; i < sc->threads; i++) {
    worker *w = &sc->workers[i];
    if (w->scanner) {
      pthread_join(w->thread, NULL);
      levee_scanner_destroy(w->scanner);
    }
    lv_json_doc_cleanup(&w->doc);
    lv_arena_cleanup(&w->arena);
    free(w->pend);
    free(w->pend_line);
  }
  for (size_t i = 0; i < sc->n_slots; i++) {
    free(sc->slots[i].bytes);
    lv_buf_cleanup(&sc->slots[i].out);
    lv_buf_cleanup(&sc->slots[i].errs);
  }
  free(sc->workers);
  free(sc->slots);
  pthread_mutex_destroy(&sc->mu);
  pthread_cond_destroy(&sc->cv);
}

int lv_cmd_scan(int argc, char **argv) {
  scan sc;
  memset(&sc, 0, sizeof sc);
  sc.format = "jsonl";
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  sc.threads = ncpu > 0 ? (int)(ncpu > 16 ? 16 : ncpu) : 1;
  int rc = parse_args(&sc, argc, argv);
  if (rc)
    return rc < 0 ? 0 : rc;
  int wecom = !strcmp(sc.format, "wecom");

  levee_policy *policy = NULL;
  if (lv_cli_load_policy(sc.policy_path, &policy))
    return 2;
  levee_cache_ops cache;
  memset(&cache, 0, sizeof cache);
  if (!sc.no_cache)
    lv_cli_cache_init(&cache, sc.data_dir);
  levee_error err = {0};
  rc = levee_engine_compile(policy, cache.version ? &cache : NULL, &sc.engine,
                            &err);
  lv_cli_cache_free(&cache);
  levee_policy_destroy(policy);
  if (rc) {
    lv_cli_error("policy", "%s", err.message);
    return 2;
  }

  sc.progress = !sc.quiet && isatty(STDERR_FILENO);
  clock_gettime(CLOCK_MONOTONIC, &sc.t0);
  sc.last_progress = sc.t0;
  levee_scanner *main_scanner = NULL;
  if (start_workers(&sc) || levee_scanner_create(sc.engine, &main_scanner)) {
    lv_cli_error("scan", "cannot start: %s", strerror(ENOMEM));
    stop_workers(&sc);
    levee_engine_unref(sc.engine);
    return 2;
  }

  int n_inputs = argc - optind;
  for (int i = 0; i < (n_inputs ? n_inputs : 1); i++) {
    const char *path = n_inputs ? argv[optind + i] : "-";
    int stream = !strcmp(path, "-") || has_suffix(path, ".jsonl") ||
                 has_suffix(path, ".ndjson") ||
                 (wecom && !has_suffix(path, ".eml"));
    if (!stream) {
      scan_file_event(&sc, main_scanner, path);
      continue;
    }
    int fd = STDIN_FILENO;
    char dir[4096] = "";
    if (strcmp(path, "-")) {
      fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        lv_cli_error(path, "%s", strerror(errno));
        sc.n_errors++;
        continue;
      }
      const char *slash = strrchr(path, '/');
      if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path + (slash == path)),
                 path);
    }
    /* Batches borrow dir until they are written: keep a copy per input. */
    char *dir_copy = dir[0] ? strdup(dir) : NULL;
    /* Files are read, not mapped: a mapped file that another process
     * truncates meanwhile would kill levee with SIGBUS. */
    if (scan_stream(&sc, fd, path, dir_copy, wecom))
      sc.n_errors++;
    flush_all(&sc);
    free(dir_copy);
    if (fd != STDIN_FILENO)
      close(fd);
  }
  flush_all(&sc);
  show_progress(&sc, 1);
  stop_workers(&sc);
  levee_scanner_destroy(main_scanner);
  levee_engine_unref(sc.engine);
  if (sc.n_errors)
    return 2;
  return sc.n_alerts ? 1 : 0;
}
