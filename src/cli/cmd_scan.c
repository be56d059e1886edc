/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_scan.c: `levee scan`: inspects events and prints verdicts as JSON
 * Lines, in input order (spec/interface.md section 4).
 *
 * Event streams (.jsonl, .ndjson, -, or anything with --format wecom) are
 * cut into batches of whole lines; worker threads, each with its own
 * scanner, parse and inspect a batch into a verdict buffer; the main thread
 * reads ahead (or maps a regular file: file_map.h) and writes finished
 * batches in order. A bad line is reported as "levee: line N: why" and
 * skipped; N is known only when its batch is written (batch_error()). An
 * .eml file is one email event, any other file one `file` event whose
 * attachment is that file.
 *
 * Exit status: 0 nothing at alert or above, 1 something was, 2 an error
 * (after processing what could be).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/file_map.h"
#include "cli/registrations.h"
#include "ingest/event_jsonl.h"
#include "ingest/event_wecom.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json_reader.h"
#include "util/limits.h"

#define BATCH_BYTES ((size_t)256 * 1024)
/* Events inspected together by levee_scanner_inspect_batch(), and the
 * unescaped strings they may hold in the worker's arena. */
#define PENDING_EVENTS 1024u
#define PENDING_ARENA_BYTES (8u << 20)
/* The least room a read(2) gets; the read buffer holds BATCH_BYTES plus
 * this. 256 KiB rather than 1 MiB keeps a batch (about the read buffer's
 * size) within L2 (1 MiB here) while its worker parses it: `levee scan`
 * took 2% less CPU (167.9 -> 164.8 ms); 128 KiB reads or batches were no
 * better. */
#define READ_CHUNK ((size_t)1 << 18)

enum batch_state { BATCH_EMPTY = 0, BATCH_FILLED, BATCH_BUSY, BATCH_DONE };

typedef struct batch {
  enum batch_state state;
  const char *bytes; /* whole lines: in own, or in a mapped input file */
  size_t len;
  char *own; /* this slot's read buffer, kept for reuse after writing */
  size_t own_cap;
  size_t n_lines;  /* lines in bytes, counted by the worker */
  const char *dir; /* for attachment paths; borrowed */
  int wecom;
  lv_buf out;  /* verdict lines */
  lv_buf errs; /* error records (batch_error()) */
  size_t n_events, n_alerts, n_errors;
} batch;

typedef struct worker {
  struct scan *sc;
  pthread_t thread;
  levee_scanner *scanner;
  lv_extractor *extractor; /* attachments' text (OCR loaded on first use) */
  lv_json_doc doc;
  lv_arena arena;    /* strings of the pending events */
  levee_event *pend; /* PENDING_EVENTS parsed events awaiting inspection */
  size_t *pend_line; /* their line numbers */
  size_t n_pend;
  struct batch *cur; /* the batch whose verdicts on_verdict() writes */
} worker;

typedef struct scan {
  /* options */
  const char *policy_path, *data_dir, *format, *store_url, *key_path;
  int threads, no_cache, quiet;
  /* state */
  levee_engine *engine;
  levee_registry *registry; /* registered documents and images, or NULL */
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
  size_t line_base; /* lines of the current input before the next batch */
  lv_buf err_lines; /* a batch's error records as "levee: line N: ..." */
  int out_failed;   /* a write to stdout failed: reported once, exit 2 */
  int progress;
  struct timespec t0, last_progress;
} scan;

/* --- error lines ------------------------------------------------------ */

/* Error lines are numbered when their batch is written, in input order: a
 * worker knows a line's place in its batch, not in the input, and counting
 * newlines ahead of the workers would cost the reading thread a pass over
 * every byte. A record in b->errs is this head, then the message. */
typedef struct err_head {
  size_t line; /* 1 for the batch's first line */
  size_t len;  /* of the message that follows */
} err_head;

static void batch_error(batch *b, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void batch_error(batch *b, size_t line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  err_head h = {line, n > 0 ? (size_t)n : 0};
  /* One more byte for vsnprintf's NUL, which the next record overwrites. */
  if (lv_buf_reserve(&b->errs, sizeof h + h.len + 1))
    return;
  memcpy(b->errs.data + b->errs.len, &h, sizeof h);
  va_start(ap, fmt);
  vsnprintf(b->errs.data + b->errs.len + sizeof h, h.len + 1, fmt, ap);
  va_end(ap);
  b->errs.len += sizeof h + h.len;
}

/* --- one event -------------------------------------------------------- */

typedef struct attachment_ctx {
  batch *b;
  size_t line;
} attachment_ctx;

static void attachment_error(void *ud, size_t i, const char *path,
                             const char *why) {
  attachment_ctx *c = ud;
  batch_error(c->b, c->line, "attachment %zu: %s: %s", i, path, why);
}

/* A verdict to out as a JSON line; counts an alert, or an error if the
 * verdict does not fit. */
static void put_verdict(const levee_verdict *v, lv_buf *out, size_t *n_alerts,
                        size_t *n_errors) {
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
    batch_error(b, w->pend_line[i], "inspection failed: %s",
                levee_strerror(status));
    b->n_errors++;
    return;
  }
  put_verdict(v, &b->out, &b->n_alerts, &b->n_errors);
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
  size_t lineno = 1;
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
      batch_error(b, this_line, "longer than %u bytes, skipped",
                  LV_MAX_LINE_BYTES);
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
      batch_error(b, this_line, "%s",
                  err.message[0] ? err.message : levee_strerror(rc));
      b->n_errors++;
      continue;
    }
    b->n_events++;
    if (ev->n_attachments) {
      levee_event one;
      flush_pending(w, b); /* this also forgets ev's strings: parse again */
      if (parse_line(w, b, line, len, &one, &err) == LEVEE_OK) {
        const levee_verdict *v;
        attachment_ctx actx = {b, this_line};
        lv_cli_attachment_texts(&one, b->dir, &w->arena, w->extractor, NULL,
                                attachment_error, &actx);
        rc = levee_scanner_inspect(w->scanner, &one, &v);
        if (rc) {
          batch_error(b, this_line, "inspection failed: %s",
                      levee_strerror(rc));
          b->n_errors++;
        } else
          put_verdict(v, &b->out, &b->n_alerts, &b->n_errors);
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
  b->n_lines = lineno - 1;
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

static void show_progress(scan *sc, int final) {
  if (!sc->progress)
    return;
  if (!lv_cli_progress_due(&sc->last_progress, final))
    return;
  double s = lv_cli_seconds_since(&sc->t0);
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

/* A batch's error records as lines, numbered from sc->line_base. */
static void write_errors(scan *sc, const batch *b) {
  const char *p = b->errs.data, *end = p + b->errs.len;
  lv_buf_reset(&sc->err_lines);
  while (p < end) {
    err_head h;
    memcpy(&h, p, sizeof h);
    p += sizeof h;
    (void)lv_buf_printf(&sc->err_lines, "levee: line %zu: %.*s\n",
                        sc->line_base + h.line, (int)h.len, p);
    p += h.len;
  }
  fwrite(sc->err_lines.data, 1, sc->err_lines.len, stderr);
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
    write_errors(sc, b);
  sc->line_base += b->n_lines;
  sc->n_events += b->n_events;
  sc->n_alerts += b->n_alerts;
  sc->n_errors += b->n_errors;
  b->bytes = NULL; /* own goes back to the reader in submit() */
  b->len = b->n_lines = 0;
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

/* Queues a batch of whole lines for the workers. own, when not NULL, is the
 * buffer (cap bytes) that holds them: the slot takes it in exchange for
 * its previous one, which is returned (NULL if none) with its size in
 * *spare_cap. Mapped bytes (own NULL) leave the slot's buffer where it is.
 * too_long makes the batch the place of one line too long to read, with
 * no bytes. */
static char *submit(scan *sc, const char *bytes, size_t len, char *own,
                    size_t cap, const char *dir, int wecom, int too_long,
                    size_t *spare_cap) {
  while (sc->next_fill - sc->next_write >= sc->n_slots)
    flush_one(sc);
  batch *b = &sc->slots[sc->next_fill % sc->n_slots];
  char *spare = NULL;
  *spare_cap = 0;
  if (own) {
    /* Swap buffers with the slot: fresh memory for every batch would cost
     * a page fault per 4 KiB. */
    spare = b->own;
    *spare_cap = b->own_cap;
    b->own = own;
    b->own_cap = cap;
  }
  b->bytes = bytes;
  b->len = len;
  b->n_lines = 0;
  b->dir = dir;
  b->wecom = wecom;
  if (too_long) {
    b->n_lines = 1;
    batch_error(b, 1, "longer than %u bytes, skipped", LV_MAX_LINE_BYTES);
    b->n_errors++;
  }
  pthread_mutex_lock(&sc->mu);
  b->state = BATCH_FILLED;
  sc->next_fill++;
  pthread_cond_broadcast(&sc->cv);
  pthread_mutex_unlock(&sc->mu);
  return spare;
}

/* Reads an event stream from fd and feeds it to the workers in batches of
 * whole lines. */
static int scan_stream(scan *sc, int fd, const char *name, const char *dir,
                       int wecom) {
  size_t cap = BATCH_BYTES + READ_CHUNK, len = 0;
  char *buf = malloc(cap);
  int skipping = 0; /* inside a line that is too long */
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
    }
    /* Whole lines go out once there is a batch's worth, or at the end. */
    char *last_nl = len ? memrchr(buf, '\n', len) : NULL;
    size_t whole = last_nl ? (size_t)(last_nl + 1 - buf) : 0;
    if (eof && len > whole)
      whole = len; /* the last line need not end with a newline */
    if (whole && (whole >= BATCH_BYTES || eof)) {
      size_t rest = len - whole, spare_cap = 0;
      char *old = buf;
      size_t need = rest + READ_CHUNK > BATCH_BYTES + READ_CHUNK
                        ? rest + READ_CHUNK
                        : BATCH_BYTES + READ_CHUNK;
      char *nb = submit(sc, old, whole, old, cap, dir, wecom, 0, &spare_cap);
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
      buf = nb;
      cap = spare_cap;
      len = rest;
    } else if (!last_nl && len > LV_MAX_LINE_BYTES) {
      size_t spare_cap = 0;
      skipping = 1;
      submit(sc, NULL, 0, NULL, 0, dir, wecom, 1, &spare_cap);
      len = 0;
    }
    if (eof)
      break;
  }
  free(buf);
  return 0;
}

/* Maps the regular file behind fd, from its offset, and hands its whole
 * lines to the workers where they lie: no copy, and nothing for this
 * thread to read but the newline ending each batch. Stops after the last
 * newline, with fd's offset there: a last line without one, and whatever
 * is appended meanwhile, are left to scan_stream(). Returns 0, 1 if the
 * file could not be mapped (read it instead), or -EIO if it shrank while
 * it was read. */
static int scan_mapped(scan *sc, int fd, size_t size, off_t offset,
                       const char *name, const char *dir, int wecom) {
  lv_file_map m;
  if (lv_file_map_open(&m, fd, offset, size))
    return 1;
  const char *p = m.data, *last = memrchr(m.data, '\n', m.len);
  const char *end = last ? last + 1 : p;
  while (p < end) {
    const char *cut = end, *nl;
    /* end[-1] is a newline, unless the file shrank and it reads as 0. */
    if ((size_t)(end - p) > BATCH_BYTES &&
        (nl = memchr(p + BATCH_BYTES - 1, '\n',
                     (size_t)(end - p) - (BATCH_BYTES - 1))))
      cut = nl + 1;
    size_t spare_cap;
    submit(sc, p, (size_t)(cut - p), NULL, 0, dir, wecom, 0, &spare_cap);
    sc->bytes_in += (size_t)(cut - p);
    p = cut;
  }
  flush_all(sc); /* the workers are done with the mapping */
  off_t next = offset + (off_t)(end - m.data);
  int lost = lv_file_map_lost();
  lv_file_map_close(&m);
  if (lost) {
    lv_cli_error(name, "the file shrank while it was read: the verdicts of "
                       "its last lines are missing or wrong");
    return -EIO;
  }
  if (lseek(fd, next, SEEK_SET) < 0) {
    lv_cli_error(name, "%s", strerror(errno));
    return -EIO;
  }
  return 0;
}

/* --- files as single events ------------------------------------------- */

static void inspect_one(scan *sc, levee_scanner *scanner, const char *path,
                        const levee_event *ev) {
  const levee_verdict *v;
  sc->n_events++;
  int rc = levee_scanner_inspect(scanner, ev, &v);
  if (rc) {
    lv_cli_error(path, "inspection failed: %s", levee_strerror(rc));
    sc->n_errors++;
    return;
  }
  lv_buf out;
  lv_buf_init(&out, 1u << 30);
  put_verdict(v, &out, &sc->n_alerts, &sc->n_errors);
  put_out(sc, out.data, out.len);
  lv_buf_cleanup(&out);
}

static void scan_file_event(scan *sc, levee_scanner *scanner, lv_extractor *x,
                            const char *path) {
  char *data;
  size_t len;
  lv_arena arena;
  levee_event ev;
  levee_error err = {0};
  lv_arena_init(&arena, LV_MAX_ARENA_BYTES);
  if (lv_cli_file_event(path, x, &arena, &ev, &data, &len, &err)) {
    lv_cli_error(path, "%s", err.message);
    sc->n_errors++;
  } else {
    sc->bytes_in += len;
    inspect_one(sc, scanner, path, &ev);
    free(data);
  }
  lv_arena_cleanup(&arena);
}

/* --- the command ------------------------------------------------------ */

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: levee scan [--policy FILE] [--data DIR | --store URL] [--key "
      "FILE]\n"
      "                  [--format jsonl|wecom] [--threads N] [--no-cache]\n"
      "                  [--quiet] [FILE|-]...\n"
      "\n"
      "Inspects events and prints one verdict per event (JSON Lines) on\n"
      "stdout, in input order.\n"
      "\n"
      "Inputs: .jsonl, .ndjson and - (stdin, the default) are event\n"
      "streams; .eml is one email event; any other file is one `file`\n"
      "event whose attachment is that file, with the path as the verdict\n"
      "id.\n"
      "\n"
      "Attachments are read inline: plain text (UTF-8, GB18030, UTF-16),\n"
      "images by OCR (chi_sim; LEVEE_OCR_LANGUAGES) and their QR codes,\n"
      "docx/xlsx/pptx, and PDF (its text, or OCR of a scan). One levee\n"
      "cannot read gives an attachment.unreadable finding. Images,\n"
      "documents and PDF need levee-extract.so beside levee (or\n"
      "LEVEE_EXTRACT_MODULE).\n"
      "\n"
      "Options:\n"
      "  --policy FILE   policy to apply (default: the embedded default\n"
      "                  policy, policies/default.yaml)\n"
      "  --data DIR      data directory: documents and images registered in\n"
      "                  its audit store (levee register) are found\n"
      "                  (classified.document, classified.image), and\n"
      "                  compiled pattern databases are cached in\n"
      "                  DIR/cache (default cache: $XDG_CACHE_HOME/levee or\n"
      "                  ~/.cache/levee)\n"
      "  --store URL     registrations from a PostgreSQL store instead\n"
      "  --key FILE      that store's signing key (default: as for ingest)\n"
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
      {"store", required_argument, NULL, 'u'},
      {"key", required_argument, NULL, 'k'},
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
    case 'u':
      if (lv_cli_store_option("scan", optarg, &sc->store_url))
        return 2;
      break;
    case 'k': sc->key_path = optarg; break;
    case 'f':
      if (strcmp(optarg, "jsonl") != 0 && strcmp(optarg, "wecom") != 0) {
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
  pthread_mutex_init(&sc->mu, NULL);
  pthread_cond_init(&sc->cv, NULL);
  sc->n_slots = (size_t)sc->threads * 2 + 2;
  sc->slots = calloc(sc->n_slots, sizeof *sc->slots);
  sc->workers = calloc((size_t)sc->threads, sizeof *sc->workers);
  if (!sc->slots || !sc->workers)
    return -ENOMEM;
  for (size_t i = 0; i < sc->n_slots; i++) {
    lv_buf_init(&sc->slots[i].out, (size_t)1 << 31);
    lv_buf_init(&sc->slots[i].errs, (size_t)1 << 28);
  }
  lv_buf_init(&sc->err_lines, (size_t)1 << 28);
  for (int i = 0; i < sc->threads; i++) {
    worker *w = &sc->workers[i];
    w->sc = sc;
    lv_json_doc_init(&w->doc);
    lv_arena_init(&w->arena, LV_MAX_ARENA_BYTES);
    w->pend = malloc(PENDING_EVENTS * sizeof *w->pend);
    w->pend_line = malloc(PENDING_EVENTS * sizeof *w->pend_line);
    if (!w->pend || !w->pend_line || lv_extractor_new(&w->extractor) ||
        levee_scanner_create(sc->engine, &w->scanner) ||
        levee_scanner_set_registry(w->scanner, sc->registry))
      return -ENOMEM;
    if (pthread_create(&w->thread, NULL, worker_main, w)) {
      levee_scanner_destroy(w->scanner);
      w->scanner = NULL;
      return -EAGAIN;
    }
  }
  return 0;
}

/* Stops what start_workers() started, however far it got. */
static void stop_workers(scan *sc) {
  pthread_mutex_lock(&sc->mu);
  sc->stop = 1;
  pthread_cond_broadcast(&sc->cv);
  pthread_mutex_unlock(&sc->mu);
  for (int i = 0; sc->workers && i < sc->threads; i++) {
    worker *w = &sc->workers[i];
    if (w->scanner) {
      pthread_join(w->thread, NULL);
      levee_scanner_destroy(w->scanner);
    }
    lv_extractor_free(w->extractor);
    lv_json_doc_cleanup(&w->doc);
    lv_arena_cleanup(&w->arena);
    free(w->pend);
    free(w->pend_line);
  }
  lv_buf_cleanup(&sc->err_lines);
  for (size_t i = 0; sc->slots && i < sc->n_slots; i++) {
    free(sc->slots[i].own);
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
  if (lv_cli_registry_open(sc.store_url ? sc.store_url : sc.data_dir,
                           sc.key_path, &sc.registry)) {
    levee_engine_unref(sc.engine);
    return 2;
  }

  sc.progress = !sc.quiet && isatty(STDERR_FILENO);
  clock_gettime(CLOCK_MONOTONIC, &sc.t0);
  sc.last_progress = sc.t0;
  levee_scanner *main_scanner = NULL;
  lv_extractor *main_extractor = NULL;
  if (start_workers(&sc) || levee_scanner_create(sc.engine, &main_scanner) ||
      levee_scanner_set_registry(main_scanner, sc.registry) ||
      lv_extractor_new(&main_extractor)) {
    lv_cli_error("scan", "cannot start: %s", strerror(ENOMEM));
    stop_workers(&sc);
    levee_scanner_destroy(main_scanner);
    levee_registry_unref(sc.registry);
    levee_engine_unref(sc.engine);
    return 2;
  }

  int n_inputs = argc - optind;
  for (int i = 0; i < (n_inputs ? n_inputs : 1); i++) {
    const char *path = n_inputs ? argv[optind + i] : "-";
    int stream = lv_cli_is_stream(path, wecom);
    if (!stream) {
      scan_file_event(&sc, main_scanner, main_extractor, path);
      continue;
    }
    int fd = STDIN_FILENO;
    char dir[4096] = "";
    int orc = lv_cli_open_input(path, &fd, dir, sizeof dir);
    if (orc) {
      lv_cli_error(path, "%s", strerror(-orc));
      sc.n_errors++;
      continue;
    }
    /* Batches borrow dir until they are written: keep a copy per input. */
    char *dir_copy = dir[0] ? strdup(dir) : NULL;
    /* A regular file is mapped up to its last newline, and the rest read;
     * anything else is read. */
    struct stat st;
    off_t at;
    sc.line_base = 0;
    rc = 1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (at = lseek(fd, 0, SEEK_CUR)) >= 0 && st.st_size > at &&
        (uintmax_t)(st.st_size - at) <= SIZE_MAX)
      rc = scan_mapped(&sc, fd, (size_t)(st.st_size - at), at, path, dir_copy,
                       wecom);
    if (rc >= 0 && scan_stream(&sc, fd, path, dir_copy, wecom))
      rc = -1;
    if (rc < 0)
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
  lv_extractor_free(main_extractor);
  levee_registry_unref(sc.registry);
  levee_engine_unref(sc.engine);
  if (sc.n_errors)
    return 2;
  return sc.n_alerts ? 1 : 0;
}
