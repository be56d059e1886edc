/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_audit.c: `levee audit`: the audit trail's records of one type (not
 * the events, which `levee export` gives), as JSON Lines: the database
 * guard's statements and holds (dbop), searches, views, exports, accesses
 * to levee serve, registrations, purges... For the auditor at the command
 * line what levee serve's GET /v1/audit is in the console. Reading the
 * trail is itself recorded (type "audit": who, which type, how many)
 * before anything is shown.
 *
 * Exit status: 0 some record was shown, 1 none matched, 2 an error.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "store/record.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/json_writer.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: levee audit (--data DIR | --store URL) --type TYPE\n"
          "                   [--since T] [--until T] [--outcome O]\n"
          "                   [--actor NAME] [--limit N] [--key FILE]\n"
          "\n"
          "Prints the audit trail's records of one type as JSON Lines, in the\n"
          "order written: {\"seq\", \"time\" (RFC 3339, UTC), \"actor\",\n"
          "\"type\", \"outcome\", \"detail\"}. Types: dbop (the database\n"
          "guard: statements, connections, holds), access (levee serve),\n"
          "search, view, export, trace, stats, register, purge, account,\n"
          "token, policy, review, verdict, audit. Events: levee export.\n"
          "The reading is recorded in the trail (type audit) first.\n"
          "\n"
          "Options:\n"
          "  --type TYPE     the records' type (not event)\n"
          "  --since T       written at or after T (RFC 3339, epoch\n"
          "  --until T       milliseconds, or YYYY-MM-DD); until: before T\n"
          "  --outcome O     only this outcome (ok, refused, held, approved,\n"
          "                  denied, timeout, cancelled, error, ...)\n"
          "  --actor NAME    only this actor (a database user, an OS user, an\n"
          "                  account)\n"
          "  --limit N       at most N records, the newest (default: all)\n"
          "  --key FILE      the store's signing key (for the record)\n"
          "  --help          this text\n");
}

typedef struct audit_out {
  const char *outcome, *actor;
  int64_t since_ms, until_ms;
  uint64_t limit;
  /* the lines, in a ring of limit when there is one */
  char **lines;
  size_t cap, n, start;
  uint64_t matched;
} audit_out;

static int same(levee_str s, const char *c) {
  return s.ptr && strlen(c) == s.len && !memcmp(s.ptr, c, s.len);
}

static int on_record(void *ud, const lv_record_head *h, levee_str detail) {
  audit_out *o = ud;
  if ((o->outcome && !same(h->outcome, o->outcome)) ||
      (o->actor && !same(h->actor, o->actor)) ||
      (o->since_ms && h->time_ms < o->since_ms) ||
      (o->until_ms && h->time_ms >= o->until_ms))
    return 0;
  lv_buf b;
  lv_jw w;
  lv_buf_init(&b, detail.len + 4096);
  lv_jw_init(&w, &b);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "seq");
  lv_jw_int(&w, (int64_t)h->seq);
  time_t t = (time_t)(h->time_ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char when[40];
  snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
           tm.tm_sec, (int)(h->time_ms % 1000));
  lv_jw_key(&w, "time");
  lv_jw_cstring(&w, when);
  lv_jw_key(&w, "actor");
  lv_jw_string(&w, h->actor.ptr ? h->actor.ptr : "", h->actor.len);
  lv_jw_key(&w, "type");
  lv_jw_string(&w, h->type.ptr ? h->type.ptr : "", h->type.len);
  lv_jw_key(&w, "outcome");
  lv_jw_string(&w, h->outcome.ptr ? h->outcome.ptr : "", h->outcome.len);
  lv_jw_key(&w, "detail");
  if (detail.len)
    lv_jw_raw(&w, detail.ptr, detail.len);
  else
    lv_jw_null(&w);
  lv_jw_object_end(&w);
  int rc = lv_jw_status(&w);
  if (!rc)
    rc = lv_buf_putc(&b, '\n');
  size_t len;
  char *line = rc ? NULL : lv_buf_detach(&b, &len);
  lv_buf_cleanup(&b);
  if (!line)
    return LEVEE_ENOMEM;
  o->matched++;
  if (o->limit && o->n == o->limit) { /* the oldest goes */
    free(o->lines[o->start]);
    o->lines[o->start] = line;
    o->start = (o->start + 1) % o->n;
    return 0;
  }
  if (o->n == o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 1024;
    char **v = realloc(o->lines, cap * sizeof *v);
    if (!v) {
      free(line);
      return LEVEE_ENOMEM;
    }
    o->lines = v;
    o->cap = cap;
  }
  o->lines[o->n++] = line;
  return 0;
}

int lv_cmd_audit(int argc, char **argv) {
  static const struct option opts[] = {
      {"data", required_argument, NULL, 'd'},
      {"store", required_argument, NULL, 'S'},
      {"type", required_argument, NULL, 't'},
      {"since", required_argument, NULL, 's'},
      {"until", required_argument, NULL, 'u'},
      {"outcome", required_argument, NULL, 'o'},
      {"actor", required_argument, NULL, 'a'},
      {"limit", required_argument, NULL, 'l'},
      {"key", required_argument, NULL, 'k'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *data = NULL, *type = NULL, *key_path = NULL;
  audit_out o = {0};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'd': data = optarg; break;
    case 'S':
      if (lv_cli_store_option("audit", optarg, &data))
        return 2;
      break;
    case 't': type = optarg; break;
    case 's':
    case 'u':
      if (lv_cli_parse_time(optarg, c == 's' ? &o.since_ms : &o.until_ms)) {
        lv_cli_error("audit", "--%s: not a time: '%s'",
                     c == 's' ? "since" : "until", optarg);
        return 2;
      }
      break;
    case 'o': o.outcome = optarg; break;
    case 'a': o.actor = optarg; break;
    case 'l':
      if (lv_cli_parse_count(optarg, 10000000, &o.limit) || !o.limit) {
        lv_cli_error("audit", "--limit must be 1 to 10000000, not '%s'",
                     optarg);
        return 2;
      }
      break;
    case 'k': key_path = optarg; break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (!data || !type) {
    lv_cli_error("audit", "--data DIR (or --store URL) and --type TYPE are "
                          "needed (levee audit --help)");
    return 2;
  }
  if (optind < argc) {
    lv_cli_error("audit", "unexpected argument '%s'", argv[optind]);
    return 2;
  }
  if (!strcmp(type, "event")) {
    lv_cli_error("audit", "events are read with levee export");
    return 2;
  }
  int status = 2;
  char shown[512];
  lv_store_url_redact(data, shown, sizeof shown);
  lv_store_options so = {.location = data, .key_path = key_path};
  lv_store *store = NULL;
  levee_error err = {0};
  if (lv_store_open(&so, &store, NULL, &err)) {
    lv_cli_error(shown, "%s", err.message);
    goto out;
  }
  int rc = lv_store_each_record(store, type, on_record, &o, &err);
  if (rc) {
    lv_cli_error(shown, "%s",
                 err.message[0] ? err.message : levee_strerror(rc));
    goto out;
  }
  /* Recorded before anything is shown: no record, no lines. */
  lv_buf detail;
  lv_jw w;
  lv_buf_init(&detail, 4096);
  lv_jw_init(&w, &detail);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "type");
  lv_jw_cstring(&w, type);
  if (o.outcome) {
    lv_jw_key(&w, "outcome");
    lv_jw_cstring(&w, o.outcome);
  }
  if (o.actor) {
    lv_jw_key(&w, "actor");
    lv_jw_cstring(&w, o.actor);
  }
  lv_jw_key(&w, "shown");
  lv_jw_int(&w, (int64_t)o.n);
  lv_jw_object_end(&w);
  const char *user = lv_cli_os_user();
  uint64_t seq;
  if (!(rc = lv_jw_status(&w)) && !(rc = lv_store_begin(store, &err)) &&
      !(rc = lv_store_add_record(
            store, (levee_str){user, user ? strlen(user) : 0}, "audit", "ok",
            (levee_str){detail.data, detail.len}, &seq, &err)))
    rc = lv_store_commit(store, &err);
  lv_buf_cleanup(&detail);
  if (rc) {
    lv_cli_error(shown, "the reading could not be recorded: %s",
                 err.message[0] ? err.message : levee_strerror(rc));
    goto out;
  }
  for (size_t i = 0; i < o.n; i++) {
    const char *line = o.lines[(o.start + i) % o.n];
    if (fputs(line, stdout) == EOF) {
      lv_cli_error("audit", "cannot write the output");
      goto out;
    }
  }
  status = o.n ? 0 : 1;
out:
  for (size_t i = 0; i < o.n; i++)
    free(o.lines[i]);
  free(o.lines);
  if (store && lv_store_close(store, &err)) {
    lv_cli_error(shown, "closing: %s", err.message);
    status = 2;
  }
  return status;
}
