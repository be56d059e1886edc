/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_export.c: `levee export`: the stored events, with their verdicts and
 * findings, as JSON Lines, filtered, for handing evidence on. An export is
 * itself recorded in the audit log, before anything is written: who asked
 * (the OS user) and for what (the filters).
 *
 * Each line is an event in the shape of spec/interface.md section 1, so an
 * export can be ingested again, plus "record" (its sequence number),
 * "stored" (when), and "verdict" (action, severity, findings, and the
 * findings' excerpts). Content deleted under retention is absent, and
 * --no-content leaves all content out.
 *
 * Exit status: 0 done, 2 an error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/event_json.h"
#include "ingest/event_jsonl.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/json_reader.h"
#include "util/json_writer.h"
#include "util/limits.h"

typedef struct export_job {
  lv_search_request filter; /* its filters only */
  int no_content;
  /* state */
  lv_buf line;
  lv_json_doc doc;
  size_t n;
  int out_failed;
} export_job;

static int eq(levee_str a, levee_str b) {
  return a.ptr && a.len == b.len && !memcmp(a.ptr, b.ptr, a.len);
}

/* Whether e passes the filters, as the back ends' searches apply them. */
static int wanted(const lv_search_request *x, const lv_evidence *e) {
  if (x->sender.ptr && !eq(e->sender_id, x->sender))
    return 0;
  if (x->conversation.ptr && !eq(e->conversation_id, x->conversation))
    return 0;
  if (x->channel.ptr && !eq(e->channel, x->channel))
    return 0;
  if (x->action.ptr && !eq(e->action, x->action))
    return 0;
  if (x->sender_dept.ptr && !eq(e->sender_dept, x->sender_dept))
    return 0;
  if (x->alerts_only && e->action.len == 5 &&
      !memcmp(e->action.ptr, "allow", 5))
    return 0;
  if (e->time_ms < x->since_ms || e->time_ms >= x->until_ms)
    return 0;
  if (x->category.ptr) {
    int prefix = x->category.len && x->category.ptr[x->category.len - 1] == '.';
    for (size_t i = 0; i < e->n_findings; i++) {
      levee_str c = e->findings[i].category;
      if (prefix ? c.len >= x->category.len &&
                       !memcmp(c.ptr, x->category.ptr, x->category.len)
                 : eq(c, x->category))
        return 1;
    }
    return 0;
  }
  return 1;
}

static int on_event(void *ud, const lv_stored_event *se) {
  export_job *x = ud;
  const lv_evidence *e = se->ev;
  if (!wanted(&x->filter, e))
    return 0;
  lv_jw w;
  lv_buf_reset(&x->line);
  lv_jw_init(&w, &x->line);
  lv_stored_event_json(&w, &x->doc, se, !x->no_content);
  int rc = lv_jw_status(&w);
  if (!rc)
    rc = lv_buf_putc(&x->line, '\n');
  if (rc)
    return rc;
  if (fwrite(x->line.data, 1, x->line.len, stdout) != x->line.len) {
    x->out_failed = errno ? errno : EIO;
    return LEVEE_EIO;
  }
  x->n++;
  return 0;
}

static void usage(FILE *f) {
  fprintf(
      f, "usage: levee export (--data DIR | --store URL) [FILTERS]\n"
         "                    [--no-content] [--key FILE]\n"
         "\n"
         "Writes the stored events, with their verdicts and findings, as JSON\n"
         "Lines on stdout, in the order stored. Each line is an event as\n"
         "levee ingest reads it (so an export can be ingested again), plus\n"
         "record, stored, verdict (with the findings' excerpts), and\n"
         "content_deleted when retention deleted its content. The export is\n"
         "recorded in the audit log (who, and the filters) before anything\n"
         "is written.\n"
         "\n"
         "Filters: --sender ID, --conversation ID, --channel NAME,\n"
         "  --category C (or a prefix ending in '.'), --action A,\n"
         "  --dept D, --alerts (a verdict other than allow),\n"
         "  --since T, --until T (RFC 3339, epoch milliseconds or\n"
         "  YYYY-MM-DD at midnight UTC+08:00; until is exclusive)\n"
         "  --no-content    leave out message text, extracted text and\n"
         "                  excerpts (the least data the task needs)\n"
         "  --key FILE      the signing key (the export record is logged)\n"
         "  -h, --help      this help\n"
         "\n"
         "Exit status: 0 done, 2 an error.\n");
}

static levee_str str_of(const char *s) {
  return (levee_str){s, strlen(s)};
}

/* What was asked for, as the export record's detail. */
static int export_detail(const export_job *x, lv_buf *b) {
  lv_jw w;
  lv_jw_init(&w, b);
  lv_jw_object_begin(&w);
  lv_cli_filter_json(&w, &x->filter);
  lv_jw_key(&w, "content");
  lv_jw_bool(&w, !x->no_content);
  lv_jw_object_end(&w);
  return lv_jw_status(&w);
}

int lv_cmd_export(int argc, char **argv) {
  static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                       {"store", required_argument, NULL, 'u'},
                                       {"key", required_argument, NULL, 'k'},
                                       LV_CLI_FILTER_OPTIONS,
                                       {"no-content", no_argument, NULL, 'n'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *data = NULL, *key_path = NULL;
  export_job x;
  memset(&x, 0, sizeof x);
  lv_cli_filter_init(&x.filter);
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:u:k:" LV_CLI_FILTER_SHORT "nh", opts,
                          NULL)) != -1) {
    int f = lv_cli_filter_option("export", c, optarg, &x.filter);
    if (f < 0)
      return 2;
    if (f > 0)
      continue;
    switch (c) {
    case 'd': data = optarg; break;
    case 'u':
      if (lv_cli_store_option("export", optarg, &data))
        return 2;
      break;
    case 'k': key_path = optarg; break;
    case 'n': x.no_content = 1; break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (!data || optind < argc) {
    if (optind < argc)
      lv_cli_error("export", "unexpected argument '%s'", argv[optind]);
    else
      lv_cli_error("export", "--data DIR (or --store URL) is required");
    return 2;
  }
  char shown[512]; /* the store, its password left out */
  lv_store_url_redact(data, shown, sizeof shown);
  lv_store_options so = {.location = data, .key_path = key_path};
  lv_store *store = NULL;
  levee_error err = {0};
  int status = 2;
  lv_buf detail;
  lv_buf_init(&detail, 1u << 20);
  lv_buf_init(&x.line, LV_MAX_ARENA_BYTES);
  lv_json_doc_init(&x.doc);
  int rc = lv_store_open(&so, &store, NULL, &err);
  if (rc) {
    lv_cli_error(shown, "%s", err.message);
    goto out;
  }
  /* Recorded before anything is written: no record, no export. */
  uint64_t seq;
  const char *user = lv_cli_os_user();
  if ((rc = export_detail(&x, &detail)) || (rc = lv_store_begin(store, &err)) ||
      (rc = lv_store_add_record(store, str_of(user), "export", "ok",
                                (levee_str){detail.data, detail.len}, &seq,
                                &err)) ||
      (rc = lv_store_commit(store, &err))) {
    lv_cli_error(shown, "the export could not be recorded: %s",
                 err.message[0] ? err.message : levee_strerror(rc));
    goto out;
  }
  rc = lv_store_each_event(store, on_event, &x, &err);
  if (x.out_failed) {
    lv_cli_error("stdout", "%s", strerror(x.out_failed));
    goto out;
  }
  if (rc) {
    lv_cli_error(shown, "%s", err.message);
    goto out;
  }
  if (fflush(stdout)) {
    lv_cli_error("stdout", "%s", strerror(errno));
    goto out;
  }
  fprintf(stderr, "levee: export: %zu events (recorded as record %llu)\n", x.n,
          (unsigned long long)seq);
  status = 0;
out:
  if (store && lv_store_close(store, &err)) {
    lv_cli_error(shown, "%s", err.message);
    status = 2;
  }
  lv_buf_cleanup(&detail);
  lv_buf_cleanup(&x.line);
  lv_json_doc_cleanup(&x.doc);
  return status;
}
