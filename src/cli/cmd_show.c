/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_show.c: `levee show`: one stored event in its conversation, with its
 * verdict and findings marked in its text: what an officer reads to judge
 * an alert. Viewing is itself recorded in the audit log before anything is
 * shown: who (the OS user) looked at which event.
 *
 * Exit status: 0 shown, 1 no event has that id, 2 an error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/event_json.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/limits.h"

#define DEFAULT_CONTEXT 3

typedef struct show_job {
  int json, color;
  uint64_t target;
  lv_buf out; /* everything shown, written once recorded */
  lv_json_doc doc;
  size_t n;
} show_job;

static void fmt_time(int64_t ms, char *buf, size_t cap) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  if (!localtime_r(&t, &tm))
    snprintf(buf, cap, "%lld", (long long)ms);
  else
    strftime(buf, cap, "%Y-%m-%d %H:%M:%S %z", &tm);
}

static levee_str or_empty(levee_str s) {
  return s.ptr ? s : (levee_str){"", 0};
}

/* The text with each finding on it (source "text") marked. */
static int marked_text(show_job *x, const lv_evidence *e, levee_str text) {
  const char *open = x->color ? "\x1b[1;31m" : "[[";
  const char *close = x->color ? "\x1b[0m" : "]]";
  size_t at = 0;
  int rc = 0;
  for (;;) {
    /* The next finding in the text from at on (findings may overlap:
     * each byte is marked once). */
    int64_t best = -1, best_end = -1;
    for (size_t i = 0; i < e->n_findings; i++) {
      const lv_ev_finding *f = &e->findings[i];
      if (f->source >= 0 || f->start < (int64_t)at || f->end <= f->start ||
          (uint64_t)f->end > text.len)
        continue;
      if (best < 0 || f->start < best ||
          (f->start == best && f->end > best_end)) {
        best = f->start;
        best_end = f->end;
      }
    }
    if (best < 0)
      break;
    for (size_t i = 0; i < e->n_findings; i++) { /* overlapping ones join */
      const lv_ev_finding *f = &e->findings[i];
      if (f->source < 0 && f->start < best_end && f->end > best_end &&
          (uint64_t)f->end <= text.len)
        best_end = f->end;
    }
    rc = rc ? rc
            : lv_buf_printf(&x->out, "%.*s%s%.*s%s", (int)((size_t)best - at),
                            text.ptr + at, open, (int)(best_end - best),
                            text.ptr + best, close);
    at = (size_t)best_end;
  }
  return rc ? rc
            : lv_buf_printf(&x->out, "%.*s", (int)(text.len - at),
                            text.ptr + at);
}

static int on_event(void *ud, const lv_stored_event *se) {
  show_job *x = ud;
  const lv_evidence *e = se->ev;
  int target = se->seq == x->target, rc;
  x->n++;
  if (x->json) {
    lv_jw w;
    lv_jw_init(&w, &x->out);
    lv_stored_event_json(&w, &x->doc, se, 1);
    if ((rc = lv_jw_status(&w)))
      return rc;
    if (target) { /* "target":true, inside the object just written */
      x->out.len--;
      if ((rc = lv_buf_puts(&x->out, ",\"target\":true}")))
        return rc;
    }
    return lv_buf_putc(&x->out, '\n');
  }
  char when[40];
  fmt_time(e->time_ms, when, sizeof when);
  levee_str who = e->sender_name.ptr ? e->sender_name : or_empty(e->sender_id);
  rc = lv_buf_printf(&x->out, "%s #%llu  %s  %.*s  %.*s", target ? ">>" : "  ",
                     (unsigned long long)se->seq, when, (int)who.len, who.ptr,
                     (int)e->id.len, e->id.ptr);
  if (!rc && target)
    rc = lv_buf_printf(&x->out, "  %.*s/%.*s", (int)e->action.len,
                       e->action.ptr, (int)e->severity.len, e->severity.ptr);
  if (!rc)
    rc = lv_buf_puts(&x->out, "\n     ");
  if (!rc && !se->content)
    rc = lv_buf_puts(&x->out, "(content deleted under retention)");
  else if (!rc && target)
    rc = marked_text(x, e, or_empty(se->content->text));
  else if (!rc)
    rc = lv_buf_printf(&x->out, "%.*s", (int)or_empty(se->content->text).len,
                       or_empty(se->content->text).ptr);
  if (!rc)
    rc = lv_buf_putc(&x->out, '\n');
  for (size_t i = 0; target && !rc && i < e->n_findings; i++) {
    const lv_ev_finding *f = &e->findings[i];
    char src[32];
    if (f->source < 0)
      snprintf(src, sizeof src, "text");
    else
      snprintf(src, sizeof src, "attachment:%lld", (long long)f->source);
    rc = lv_buf_printf(
        &x->out,
        "     finding: %.*s (rule %.*s): %.*s/%.*s, %s %lld-%lld, "
        "confidence %.2f\n",
        (int)f->category.len, f->category.ptr, (int)f->rule.len, f->rule.ptr,
        (int)f->action.len, f->action.ptr, (int)f->severity.len,
        f->severity.ptr, src, (long long)f->start, (long long)f->end,
        f->confidence);
  }
  for (size_t i = 0; target && !rc && i < e->n_attachments; i++) {
    const lv_ev_attachment *a = &e->attachments[i];
    rc = lv_buf_printf(&x->out,
                       "     attachment %zu: %.*s (%.*s, %lld bytes%s%.*s)\n",
                       i, (int)or_empty(a->name).len, or_empty(a->name).ptr,
                       (int)or_empty(a->kind).len, or_empty(a->kind).ptr,
                       (long long)a->size, a->sha256.ptr ? ", sha256 " : "",
                       (int)or_empty(a->sha256).len, or_empty(a->sha256).ptr);
  }
  return rc;
}

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: levee show (--data DIR | --store URL) [--context N]\n"
      "                  [--json] [--color auto|always|never]\n"
      "                  [--key FILE] EVENT_ID\n"
      "\n"
      "Shows a stored event in its conversation: up to N messages of the\n"
      "same conversation before and after it (default %d), the event's\n"
      "verdict and findings, and its text with each finding marked. The\n"
      "view is recorded in the audit log (who looked at which event)\n"
      "before anything is shown.\n"
      "\n"
      "  --context N     messages before and after (0 to %d)\n"
      "  --json          one JSON object per message, as levee export\n"
      "                  writes them; the event itself has \"target\":true\n"
      "  --color WHEN    mark findings in colour (default auto: on a\n"
      "                  terminal; elsewhere between [[ and ]])\n"
      "  --key FILE      the signing key (the view record is logged)\n"
      "  -h, --help      this help\n"
      "\n"
      "Exit status: 0 shown, 1 no event has that id, 2 an error.\n",
      DEFAULT_CONTEXT, LV_STORE_VIEW_MAX);
}

int lv_cmd_show(int argc, char **argv) {
  static const struct option opts[] = {
      {"data", required_argument, NULL, 'd'},
      {"store", required_argument, NULL, 'u'},
      {"key", required_argument, NULL, 'k'},
      {"context", required_argument, NULL, 'n'},
      {"json", no_argument, NULL, 'j'},
      {"color", required_argument, NULL, 'r'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *data = NULL, *key_path = NULL, *color = "auto";
  long context = DEFAULT_CONTEXT;
  show_job x;
  memset(&x, 0, sizeof x);
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:u:k:n:jr:h", opts, NULL)) != -1) {
    switch (c) {
    case 'd': data = optarg; break;
    case 'u':
      if (lv_cli_store_option("show", optarg, &data))
        return 2;
      break;
    case 'k': key_path = optarg; break;
    case 'n': {
      char *end;
      errno = 0;
      context = strtol(optarg, &end, 10);
      if (errno || *end || context < 0 || context > LV_STORE_VIEW_MAX) {
        lv_cli_error("show", "--context must be a number from 0 to %d",
                     LV_STORE_VIEW_MAX);
        return 2;
      }
      break;
    }
    case 'j': x.json = 1; break;
    case 'r':
      if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "always") != 0 &&
          strcmp(optarg, "never") != 0) {
        lv_cli_error("show", "--color must be auto, always or never");
        return 2;
      }
      color = optarg;
      break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (!data || argc - optind != 1) {
    lv_cli_error("show", !data ? "--data DIR (or --store URL) is required"
                               : "one EVENT_ID is required");
    return 2;
  }
  levee_str id = {argv[optind], strlen(argv[optind])};
  x.color = !strcmp(color, "always") ||
            (!strcmp(color, "auto") && isatty(STDOUT_FILENO));
  lv_buf_init(&x.out, (size_t)1 << 30);
  lv_json_doc_init(&x.doc);
  char shown[512];
  lv_store_url_redact(data, shown, sizeof shown);
  lv_store_options so = {.location = data, .key_path = key_path};
  lv_store *store = NULL;
  levee_error err = {0};
  int status = 2;
  int rc = lv_store_open(&so, &store, NULL, &err);
  if (rc) {
    lv_cli_error(shown, "%s", err.message);
    goto out;
  }
  rc = lv_store_view(store, id, (size_t)context, (size_t)context, on_event, &x,
                     &x.target, &err);
  if (rc && rc != LEVEE_ENOTFOUND) {
    lv_cli_error(shown, "%s", err.message);
    goto out;
  }
  /* Recorded before anything is shown: no record, nothing shown. A look
   * for an id that is not there is recorded too. */
  const char *user = lv_cli_os_user();
  lv_buf detail;
  lv_buf_init(&detail, 1u << 16);
  lv_jw w;
  lv_jw_init(&w, &detail);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "event");
  lv_jw_string(&w, id.ptr, id.len);
  lv_jw_key(&w, "context");
  lv_jw_int(&w, context);
  lv_jw_object_end(&w);
  uint64_t seq;
  int rec = lv_jw_status(&w);
  if (!rec && !(rec = lv_store_begin(store, &err)) &&
      !(rec = lv_store_add_record(
            store, (levee_str){user, strlen(user)}, "view",
            rc == LEVEE_ENOTFOUND ? "not-found" : "ok",
            (levee_str){detail.data, detail.len}, &seq, &err)))
    rec = lv_store_commit(store, &err);
  lv_buf_cleanup(&detail);
  if (rec) {
    lv_cli_error(shown, "the view could not be recorded: %s",
                 err.message[0] ? err.message : levee_strerror(rec));
    goto out;
  }
  if (rc == LEVEE_ENOTFOUND) {
    lv_cli_error("show", "no event has the id '%s'", argv[optind]);
    status = 1;
    goto out;
  }
  if (fwrite(x.out.data ? x.out.data : "", 1, x.out.len, stdout) != x.out.len ||
      fflush(stdout)) {
    lv_cli_error("stdout", "%s", strerror(errno));
    goto out;
  }
  status = 0;
out:
  if (store && lv_store_close(store, &err)) {
    lv_cli_error(shown, "%s", err.message);
    status = 2;
  }
  lv_buf_cleanup(&x.out);
  lv_json_doc_cleanup(&x.doc);
  return status;
}
