/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_ingest.c: `levee ingest`: inspects events and stores each one, with
 * its verdict, in the audit store (src/store/store.h).
 *
 * Events are committed in batches; an event counts as stored only once its
 * batch's transaction has committed, and the summary says so. An event
 * whose id is already stored is skipped, so an ingest that was killed half
 * way can simply be run again. SIGINT and SIGTERM finish the current batch,
 * sign a checkpoint and stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/registrations.h"
#include "ingest/event_jsonl.h"
#include "ingest/event_wecom.h"
#include "store/evidence.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/json_reader.h"
#include "util/limits.h"

/* Events per transaction. The search index is written by a thread of its
 * own as batches commit (search_index.c): 10,000 and 20,000 both took
 * 1.8 s for 100,000 events, 5,000 1.9 s. A batch also ends after
 * COMMIT_MS, and whenever the input has nothing more to read at once, so
 * events from a slow pipe are not held back. */
#define DEFAULT_BATCH 10000
#define COMMIT_MS 1000
#define READ_CHUNK ((size_t)1 << 20)

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig) {
  (void)sig;
  stop_requested = 1;
}

typedef struct ingest {
  /* options */
  const char *data, *policy_path, *format, *key_path;
  const char *store_url; /* postgres://..., instead of --data */
  long batch;
  int quiet;
  /* state */
  lv_store *store;
  levee_scanner *scanner;
  lv_extractor *extractor; /* attachments' text */
  lv_json_doc doc;
  lv_arena arena;
  levee_str actor;
  int wecom;
  const char *name;  /* the input being read */
  const char *dir;   /* its directory, for attachment paths */
  size_t lineno;     /* the line being ingested */
  const char *where; /* the event being ingested, for messages */
  size_t in_batch;   /* events added since the last commit */
  struct timespec batch_start;
  size_t pending_new;
  /* totals */
  size_t read, stored, duplicates, bad, alerts, errors;
  int failed; /* the store failed: stop */
  struct timespec t0, last_progress;
  int progress;
} ingest;

static void show_progress(ingest *in, int final) {
  if (!in->progress)
    return;
  if (!lv_cli_progress_due(&in->last_progress, final))
    return;
  double s = lv_cli_seconds_since(&in->t0);
  fprintf(stderr, "\rlevee: ingest: %zu events read, %zu stored, %.0f/s%s",
          in->read, in->stored, s > 0 ? (double)in->stored / s : 0.0,
          final ? "\n" : "");
}

static int commit(ingest *in) {
  if (!in->in_batch)
    return 0;
  levee_error err = {0};
  if (lv_store_commit(in->store, &err)) {
    lv_cli_error("store", "%s", err.message);
    in->failed = 1;
    return -1;
  }
  in->stored += in->pending_new;
  in->in_batch = in->pending_new = 0;
  show_progress(in, 0);
  return 0;
}

static void attachment_error(void *ud, size_t i, const char *path,
                             const char *why) {
  ingest *in = ud;
  fprintf(stderr, "levee: %s: attachment %zu: %s: %s\n", in->where, i, path,
          why);
}

static void ingest_event(ingest *in, levee_event *ev, const char *where);

/* One line: parse, then ingest_event(). */
static void ingest_line(ingest *in, const char *line, size_t len,
                        size_t lineno) {
  levee_event ev;
  levee_error err = {0};
  char where[48];
  lv_arena_reset(&in->arena);
  int rc =
      in->wecom
          ? lv_event_from_wecom(&in->doc, line, len, &in->arena, &ev, &err)
          : lv_event_from_jsonl(&in->doc, line, len, &in->arena, &ev, &err);
  if (rc) {
    fprintf(stderr, "levee: line %zu: %s\n", lineno,
            err.message[0] ? err.message : levee_strerror(rc));
    in->bad++;
    return;
  }
  snprintf(where, sizeof where, "line %zu", lineno);
  ingest_event(in, &ev, where);
}

/* One event: inspect, store (uncommitted). where names it in messages. */
static void ingest_event(ingest *in, levee_event *ev_in, const char *where) {
  levee_event ev = *ev_in;
  levee_error err = {0};
  int rc;
  in->where = where;
  in->read++;
  lv_cli_attachment_facts *facts = NULL;
  if (ev.n_attachments) {
    facts = lv_arena_alloc(&in->arena, ev.n_attachments * sizeof *facts);
    if (!facts) {
      fprintf(stderr, "levee: %s: out of memory\n", where);
      in->errors++;
      return;
    }
    lv_cli_attachment_texts(&ev, in->dir, &in->arena, in->extractor, facts,
                            attachment_error, in);
  }
  const levee_verdict *v;
  if ((rc = levee_scanner_inspect(in->scanner, &ev, &v))) {
    fprintf(stderr, "levee: %s: inspection failed: %s\n", where,
            levee_strerror(rc));
    in->errors++;
    return;
  }
  lv_evidence evidence;
  lv_content content;
  if ((rc = lv_evidence_from(&ev, v, &in->arena, &evidence, &content))) {
    fprintf(stderr, "levee: %s: %s\n", where, levee_strerror(rc));
    in->errors++;
    return;
  }
  for (size_t i = 0; facts && i < evidence.n_attachments; i++) {
    lv_ev_attachment *a = &evidence.attachments[i];
    if (facts[i].size >= 0)
      a->size = facts[i].size;
    if (!a->sha256.ptr && facts[i].sha256[0])
      a->sha256 = (levee_str){facts[i].sha256, 64};
    if (!a->md5.ptr && facts[i].md5[0])
      a->md5 = (levee_str){facts[i].md5, 32};
  }
  if (!in->in_batch) {
    if (lv_store_begin(in->store, &err)) {
      lv_cli_error("store", "%s", err.message);
      in->failed = 1;
      return;
    }
    clock_gettime(CLOCK_MONOTONIC, &in->batch_start);
  }
  uint64_t seq;
  if (lv_store_add_event(in->store, in->actor, &evidence, &content, &seq,
                         &err)) {
    lv_cli_error("store", "%s", err.message);
    in->failed = 1;
    return;
  }
  in->in_batch++;
  if (!seq) {
    in->duplicates++;
  } else {
    in->pending_new++;
    in->alerts += v->action >= LEVEE_ACTION_ALERT;
  }
  if (in->in_batch >= (size_t)in->batch ||
      ((in->in_batch & 255) == 0 &&
       lv_cli_seconds_since(&in->batch_start) * 1000 >= COMMIT_MS))
    (void)commit(in);
}

/* Reads fd line by line; a line longer than LV_MAX_LINE_BYTES is reported
 * and skipped. */
static int ingest_stream(ingest *in, int fd) {
  size_t cap = READ_CHUNK * 2, len = 0, lineno = 0;
  char *buf = malloc(cap);
  int skipping = 0, eof = 0;
  if (!buf)
    return -ENOMEM;
  while (!eof && !in->failed && !stop_requested) {
    if (cap - len < READ_CHUNK) {
      size_t ncap = cap * 2;
      char *nb = ncap <= LV_MAX_LINE_BYTES + 2 * READ_CHUNK ? realloc(buf, ncap)
                                                            : NULL;
      if (!nb) {
        /* The line so far is longer than any line may be. */
        fprintf(stderr, "levee: line %zu: longer than %u bytes, skipped\n",
                lineno + 1, LV_MAX_LINE_BYTES);
        in->bad++;
        lineno++;
        skipping = 1;
        len = 0;
        continue;
      }
      buf = nb;
      cap = ncap;
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = errno;
      lv_cli_error(in->name, "%s", strerror(e));
      free(buf);
      return -e;
    }
    eof = n == 0;
    int short_read = n > 0 && (size_t)n < cap - len;
    len += (size_t)n;
    size_t start = 0;
    for (;;) {
      char *nl = memchr(buf + start, '\n', len - start);
      if (!nl && !(eof && start < len))
        break;
      size_t end = nl ? (size_t)(nl - buf) : len;
      if (skipping) {
        skipping = 0;
      } else {
        lineno++;
        size_t l = end - start;
        if (l && buf[start + l - 1] == '\r')
          l--;
        size_t k = 0;
        while (k < l && (buf[start + k] == ' ' || buf[start + k] == '\t'))
          k++;
        if (k < l) {
          if (l > LV_MAX_LINE_BYTES) {
            fprintf(stderr, "levee: line %zu: longer than %u bytes, skipped\n",
                    lineno, LV_MAX_LINE_BYTES);
            in->bad++;
          } else
            ingest_line(in, buf + start, l, lineno);
        }
      }
      start = nl ? end + 1 : len;
      if (in->failed || stop_requested)
        break;
    }
    memmove(buf, buf + start, len - start);
    len -= start;
    /* Nothing more to read at once (a pipe): store what came. */
    if (short_read && !in->failed)
      (void)commit(in);
  }
  free(buf);
  return 0;
}

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: levee ingest (--data DIR | --store URL) [--policy FILE]\n"
      "                    [--format jsonl|wecom]\n"
      "                    [--key FILE] [--batch N] [--quiet] [FILE|-]...\n"
      "\n"
      "Inspects events and stores each one, with its verdict, in the audit\n"
      "store in DIR (created if missing). An .eml file is one email event,\n"
      "any other file (not .jsonl, .ndjson or -) one `file` event. An event\n"
      "whose id is already stored is skipped, so an interrupted ingest can\n"
      "be run again. Events count as stored only once their batch has\n"
      "committed.\n"
      "\n"
      "  --data DIR      the audit store (SQLite, DIR/levee.db)\n"
      "  --store URL     a PostgreSQL audit store (postgres://...) instead\n"
      "  --policy FILE   the policy (default: the embedded default policy)\n"
      "  --format F      jsonl (default) or wecom (WeCom chat-archive "
      "records)\n"
      "  --key FILE      the signing key (default: ~/.config/levee/keys/\n"
      "                  <store id>.key; created on first use)\n"
      "  --batch N       events per transaction (default %d; a batch also\n"
      "                  ends after a second, or when the input pauses)\n"
      "  --quiet         no progress line\n"
      "  -h, --help      this help\n"
      "\n"
      "Exit status: 0 all events stored (or already there), 2 an error.\n",
      DEFAULT_BATCH);
}

int lv_cmd_ingest(int argc, char **argv) {
  static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                       {"store", required_argument, NULL, 'U'},
                                       {"policy", required_argument, NULL, 'p'},
                                       {"format", required_argument, NULL, 'f'},
                                       {"key", required_argument, NULL, 'k'},
                                       {"batch", required_argument, NULL, 'b'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  ingest in;
  memset(&in, 0, sizeof in);
  in.format = "jsonl";
  in.batch = DEFAULT_BATCH;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:p:f:k:b:qh", opts, NULL)) != -1) {
    switch (c) {
    case 'd': in.data = optarg; break;
    case 'U':
      if (lv_cli_store_option("ingest", optarg, &in.store_url))
        return 2;
      break;
    case 'p': in.policy_path = optarg; break;
    case 'f':
      if (strcmp(optarg, "jsonl") != 0 && strcmp(optarg, "wecom") != 0) {
        lv_cli_error("ingest", "--format must be jsonl or wecom, not '%s'",
                     optarg);
        return 2;
      }
      in.format = optarg;
      break;
    case 'k': in.key_path = optarg; break;
    case 'b': {
      char *end;
      errno = 0;
      in.batch = strtol(optarg, &end, 10);
      if (errno || *end || in.batch < 1 || in.batch > 1000000) {
        lv_cli_error("ingest", "--batch must be a number from 1 to 1000000");
        return 2;
      }
      break;
    }
    case 'q': in.quiet = 1; break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (!in.data && !in.store_url) {
    lv_cli_error("ingest", "--data DIR is required (or --store URL)");
    return 2;
  }
  const char *where = in.store_url ? in.store_url : in.data;
  in.wecom = !strcmp(in.format, "wecom");
  in.actor = (levee_str){lv_cli_os_user(), strlen(lv_cli_os_user())};

  levee_policy *policy = NULL;
  if (lv_cli_load_policy(in.policy_path, &policy))
    return 2;
  levee_cache_ops cache;
  memset(&cache, 0, sizeof cache);
  lv_cli_cache_init(&cache, in.data);
  levee_engine *engine = NULL;
  levee_error err = {0};
  int rc = levee_engine_compile(policy, cache.version ? &cache : NULL, &engine,
                                &err);
  lv_cli_cache_free(&cache);
  levee_policy_destroy(policy);
  if (rc) {
    lv_cli_error("policy", "%s", err.message);
    return 2;
  }
  if (levee_scanner_create(engine, &in.scanner) ||
      lv_extractor_new(&in.extractor)) {
    lv_cli_error("ingest", "cannot start: %s", strerror(ENOMEM));
    levee_scanner_destroy(in.scanner);
    levee_engine_unref(engine);
    return 2;
  }

  char shown[512]; /* the store, its password left out */
  lv_store_url_redact(where, shown, sizeof shown);
  lv_store_options so = {
      .location = where, .key_path = in.key_path, .create = 1};
  lv_store_opened info;
  if ((rc = lv_store_open(&so, &in.store, &info, &err))) {
    lv_cli_error(shown, "%s", err.message);
    levee_scanner_destroy(in.scanner);
    lv_extractor_free(in.extractor);
    levee_engine_unref(engine);
    return rc == LEVEE_ETAMPER ? 1 : 2;
  }
  lv_cli_new_key_note(shown, &info);
  if (info.tail_signed)
    fprintf(stderr,
            "levee: %s: %llu records written after the last checkpoint "
            "(an unclean shutdown) were checked and signed\n",
            shown, (unsigned long long)info.tail_signed);
  /* Registered documents and images, matched as events are inspected. */
  levee_registry *registry = NULL;
  if ((rc = lv_cli_registry_load(in.store, NULL, NULL, &registry, &err)) ||
      (rc = levee_scanner_set_registry(in.scanner, registry))) {
    lv_cli_error(shown, "registered documents and images: %s",
                 err.message[0] ? err.message : levee_strerror(rc));
    levee_registry_unref(registry);
    (void)lv_store_close(in.store, &err);
    levee_scanner_destroy(in.scanner);
    lv_extractor_free(in.extractor);
    levee_engine_unref(engine);
    return 2;
  }
  levee_registry_unref(registry); /* the scanner holds it */

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  lv_json_doc_init(&in.doc);
  lv_arena_init(&in.arena, LV_MAX_ARENA_BYTES);
  in.progress = !in.quiet && isatty(STDERR_FILENO);
  clock_gettime(CLOCK_MONOTONIC, &in.t0);
  in.last_progress = in.t0;

  int n_inputs = argc - optind;
  for (int i = 0;
       i < (n_inputs ? n_inputs : 1) && !in.failed && !stop_requested; i++) {
    const char *path = n_inputs ? argv[optind + i] : "-";
    int fd = STDIN_FILENO;
    char dir[4096] = "";
    in.name = path;
    if (!lv_cli_is_stream(path, in.wecom)) {
      /* One event: an email, or a file whose attachment is itself. */
      char *data;
      size_t len;
      levee_event ev;
      levee_error ferr = {0};
      lv_arena_reset(&in.arena);
      in.dir = NULL;
      if (lv_cli_file_event(path, in.extractor, &in.arena, &ev, &data, &len,
                            &ferr)) {
        lv_cli_error(path, "%s", ferr.message);
        in.errors++;
        continue;
      }
      ingest_event(&in, &ev, path);
      free(data);
      continue;
    }
    int orc = lv_cli_open_input(path, &fd, dir, sizeof dir);
    if (orc) {
      lv_cli_error(path, "%s", strerror(-orc));
      in.errors++;
      continue;
    }
    in.dir = dir[0] ? dir : NULL;
    if (ingest_stream(&in, fd))
      in.errors++;
    if (fd != STDIN_FILENO)
      close(fd);
  }
  if (!in.failed)
    (void)commit(&in);
  show_progress(&in, 1);
  if (in.failed)
    lv_store_rollback(in.store);
  if (lv_store_close(in.store, &err)) {
    lv_cli_error("store", "%s", err.message);
    in.errors++;
  }
  printf("levee ingest: %zu events read, %zu stored, %zu already stored, "
         "%zu bad lines, %zu alerts%s\n",
         in.read, in.stored, in.duplicates, in.bad, in.alerts,
         stop_requested ? " (stopped by a signal)" : "");
  lv_json_doc_cleanup(&in.doc);
  lv_arena_cleanup(&in.arena);
  levee_scanner_destroy(in.scanner);
  lv_extractor_free(in.extractor);
  levee_engine_unref(engine);
  return in.failed || in.errors || in.bad ? 2 : 0;
}
