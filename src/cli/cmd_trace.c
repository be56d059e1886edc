/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_trace.c: `levee trace`: how the content of a stored event spread:
 * its other copies in the store (forwarded, the same file, a re-encoded
 * photo, a pasted paragraph), where it started, who passed it on to which
 * conversations and when, and who else received it (src/store/trace.h).
 * As JSON (the contract of spec/interface.md), Graphviz DOT, or text.
 *
 * The look is itself recorded in the audit log before anything is shown
 * (type "trace": who traced which event), as `levee show` records a view.
 *
 * Exit status: 0 traced, 1 no event has that id, 2 an error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "store/store.h"
#include "store/trace.h"
#include "util/buf.h"

enum { FORMAT_JSON, FORMAT_DOT, FORMAT_TEXT };

static void fmt_time(int64_t ms, char *buf, size_t cap) {
  time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
  struct tm tm;
  if (!localtime_r(&t, &tm))
    snprintf(buf, cap, "%lld", (long long)ms);
  else
    strftime(buf, cap, "%Y-%m-%d %H:%M:%S %z", &tm);
}

static levee_str or_dash(levee_str s) {
  return s.ptr ? s : (levee_str){"-", 1};
}

/* "name (id)", or the id alone, into b. */
static int who(lv_buf *b, levee_str name, levee_str id) {
  if (name.ptr && id.ptr)
    return lv_buf_printf(b, "%.*s (%.*s)", (int)name.len, name.ptr, (int)id.len,
                         id.ptr);
  levee_str s = or_dash(name.ptr ? name : id);
  return lv_buf_printf(b, "%.*s", (int)s.len, s.ptr);
}

static int text_of(lv_buf *b, const lv_trace_graph *g) {
  const lv_trace_node *o = &g->nodes[0];
  int rc = lv_buf_printf(
      b, "%zu %s of %.*s in %zu conversation%s, %zu %s reached%s\n", g->n_nodes,
      g->n_nodes == 1 ? "copy" : "copies", (int)g->nodes[g->target].id.len,
      g->nodes[g->target].id.ptr, g->n_conversations,
      g->n_conversations == 1 ? "" : "s", g->n_people,
      g->n_people == 1 ? "person" : "people",
      g->truncated ? " (truncated: there may be more copies)" : "");
  if (!rc)
    rc = lv_buf_printf(b, "origin: %.*s\n", (int)o->id.len, o->id.ptr);
  for (size_t i = 0; !rc && i < g->n_nodes; i++) {
    const lv_trace_node *n = &g->nodes[i];
    char when[40];
    fmt_time(n->time_ms, when, sizeof when);
    levee_str ch = or_dash(n->channel);
    rc = lv_buf_printf(b, "%s %2zu  %s  %.*s  %.*s  ",
                       i == g->target ? ">>" : "  ", i + 1, when, (int)ch.len,
                       ch.ptr, (int)n->id.len, n->id.ptr);
    if (!rc)
      rc = who(b, n->sender_name, n->sender_id);
    if (!rc)
      rc = lv_buf_puts(b, " @ ");
    if (!rc)
      rc = who(b, n->conversation_title, n->conversation_id);
    if (!rc)
      rc = lv_buf_putc(b, '\n');
  }
  for (size_t i = 0; !rc && i < g->n_edges; i++) {
    const lv_trace_edge *e = &g->edges[i];
    rc = lv_buf_printf(
        b, "     %zu -> %zu  %s, confidence %.2f%s (%s)\n", e->from + 1,
        e->to + 1, lv_trace_reason_name(e->link.reason), e->link.confidence,
        e->direct ? "" : ", through others",
        e->basis == LV_TRACE_FORWARDED ? "forwarded from it"
        : e->basis == LV_TRACE_SEEN    ? "the latest copy the sender could see"
                                       : "the earliest copy");
  }
  if (!rc)
    rc = lv_buf_puts(b, "conversations reached:\n");
  for (size_t i = 0; !rc && i < g->n_conversations; i++) {
    const lv_trace_place *p = &g->conversations[i];
    char when[40];
    fmt_time(p->first_ms, when, sizeof when);
    rc = lv_buf_puts(b, "  ");
    if (!rc)
      rc = who(b, p->title, p->id);
    if (!rc)
      rc = lv_buf_printf(b, ": %zu %s, first %s\n", p->copies,
                         p->copies == 1 ? "copy" : "copies", when);
  }
  if (!rc)
    rc = lv_buf_printf(b, "people reached%s:\n",
                       g->people_truncated ? " (the first of them)" : "");
  for (size_t i = 0; !rc && i < g->n_people; i++) {
    const lv_trace_person *p = &g->people[i];
    rc = lv_buf_puts(b, "  ");
    if (!rc)
      rc = who(b, p->name, p->id);
    if (!rc)
      rc = lv_buf_printf(b, ": sent %zu, received %zu\n", p->sent, p->received);
  }
  return rc;
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: levee trace (--data DIR | --store URL) [--key FILE]\n"
          "                   [--format json|dot|text] EVENT_ID\n"
          "\n"
          "How the content of a stored event spread: its other copies in\n"
          "the store (forwarded, the same attachment, a re-encoded or\n"
          "cropped photo, a pasted paragraph), the origin (the earliest\n"
          "copy), who passed it on to which conversations and when, and the\n"
          "conversations and people it reached. The look is recorded in the\n"
          "audit log before anything is shown.\n"
          "\n"
          "  --data DIR      the audit store (SQLite, DIR/levee.db)\n"
          "  --store URL     a PostgreSQL audit store (postgres://...)\n"
          "  --key FILE      the signing key (the trace record is logged)\n"
          "  --format F      json (default: {\"origin\",\"nodes\",\"edges\",\n"
          "                  ...}), dot (Graphviz: dot -Tsvg), or text\n"
          "  -h, --help      this help\n"
          "\n"
          "Exit status: 0 traced, 1 no event has that id, 2 an error.\n");
}

int lv_cmd_trace(int argc, char **argv) {
  static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                       {"store", required_argument, NULL, 'u'},
                                       {"key", required_argument, NULL, 'k'},
                                       {"format", required_argument, NULL, 'f'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *data = NULL, *key_path = NULL;
  int format = FORMAT_JSON, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:u:k:f:h", opts, NULL)) != -1) {
    switch (c) {
    case 'd': data = optarg; break;
    case 'u':
      if (lv_cli_store_option("trace", optarg, &data))
        return 2;
      break;
    case 'k': key_path = optarg; break;
    case 'f':
      if (!strcmp(optarg, "json"))
        format = FORMAT_JSON;
      else if (!strcmp(optarg, "dot"))
        format = FORMAT_DOT;
      else if (!strcmp(optarg, "text"))
        format = FORMAT_TEXT;
      else {
        lv_cli_error("trace", "--format must be json, dot or text, not '%s'",
                     optarg);
        return 2;
      }
      break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (!data || argc - optind != 1) {
    lv_cli_error("trace", !data ? "--data DIR (or --store URL) is required"
                                : "one EVENT_ID is required");
    return 2;
  }
  levee_str id = {argv[optind], strlen(argv[optind])};
  char shown[512];
  lv_store_url_redact(data, shown, sizeof shown);
  lv_store_options so = {.location = data, .key_path = key_path};
  lv_store *store = NULL;
  lv_trace_graph *g = NULL;
  levee_error err = {0};
  lv_buf out, detail;
  lv_buf_init(&out, (size_t)1 << 30);
  lv_buf_init(&detail, 1u << 16);
  int status = 2;
  int rc = lv_store_open(&so, &store, NULL, &err);
  if (rc) {
    lv_cli_error(shown, "%s", err.message);
    goto out;
  }
  rc = lv_store_trace(store, id, &g, &err);
  if (rc && rc != LEVEE_ENOTFOUND) {
    lv_cli_error(shown, "%s", err.message);
    goto out;
  }
  if (!rc) {
    int frc = LEVEE_OK;
    if (format == FORMAT_JSON) {
      lv_jw w;
      lv_jw_init(&w, &out);
      lv_trace_graph_json(&w, g);
      if (!(frc = lv_jw_status(&w)))
        frc = lv_buf_putc(&out, '\n');
    } else if (format == FORMAT_DOT) {
      frc = lv_trace_graph_dot(&out, g);
    } else {
      frc = text_of(&out, g);
    }
    if (frc) {
      lv_cli_error("trace", "%s", levee_strerror(frc));
      goto out;
    }
  }
  /* Recorded before anything is shown: no record, nothing shown. A look
   * for an id that is not there is recorded too. */
  const char *user = lv_cli_os_user();
  lv_jw w;
  lv_jw_init(&w, &detail);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "event");
  lv_jw_string(&w, id.ptr, id.len);
  if (g) {
    lv_jw_key(&w, "copies");
    lv_jw_int(&w, (int64_t)g->n_nodes);
    lv_jw_key(&w, "origin");
    lv_jw_string(&w, g->nodes[0].id.ptr, g->nodes[0].id.len);
    if (g->truncated) {
      lv_jw_key(&w, "truncated");
      lv_jw_bool(&w, 1);
    }
  }
  lv_jw_object_end(&w);
  uint64_t seq;
  int rec = lv_jw_status(&w);
  if (!rec && !(rec = lv_store_begin(store, &err)) &&
      !(rec = lv_store_add_record(
            store, (levee_str){user, strlen(user)}, "trace",
            rc == LEVEE_ENOTFOUND ? "not-found" : "ok",
            (levee_str){detail.data, detail.len}, &seq, &err)))
    rec = lv_store_commit(store, &err);
  if (rec) {
    lv_cli_error(shown, "the trace could not be recorded: %s",
                 err.message[0] ? err.message : levee_strerror(rec));
    goto out;
  }
  if (rc == LEVEE_ENOTFOUND) {
    lv_cli_error("trace", "no event has the id '%s'", argv[optind]);
    status = 1;
    goto out;
  }
  if (fwrite(out.data ? out.data : "", 1, out.len, stdout) != out.len ||
      fflush(stdout)) {
    lv_cli_error("stdout", "%s", strerror(errno));
    goto out;
  }
  status = 0;
out:
  lv_trace_graph_free(g);
  if (store && lv_store_close(store, &err)) {
    lv_cli_error(shown, "%s", err.message);
    status = 2;
  }
  lv_buf_cleanup(&out);
  lv_buf_cleanup(&detail);
  return status;
}
