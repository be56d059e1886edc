/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_stats.c: `levee stats`: how many stored events there are by day,
 * category, department, channel, action, severity or sender, with the filters
 * of `levee search` (lv_store_stats, store.h): the figures behind a report or
 * levee serve's GET /v1/stats, from the command line. Counting is recorded
 * in the audit log as a search is (type "stats": who, by what, with which
 * filters, how many groups), before anything is shown.
 *
 * Exit status: 0 some event was counted, 1 none was, 2 an error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/json_writer.h"
#include "util/limits.h"

/* Options of stats' own, past any character getopt could return. */
enum { OPT_TZ = 256, OPT_BY, OPT_EXPLAIN };

typedef struct stats_out {
  int json, explain;
  size_t groups;
  lv_buf out; /* printed once the count is recorded */
  lv_jw w;
} stats_out;

static int on_group(void *ud, levee_str key, uint64_t count) {
  stats_out *o = ud;
  if (o->explain)
    return lv_buf_printf(&o->out, "%.*s\n", (int)key.len, key.ptr);
  o->groups++;
  if (o->json) {
    lv_jw_object_begin(&o->w);
    lv_jw_key(&o->w, "key");
    if (key.ptr)
      lv_jw_string(&o->w, key.ptr, key.len);
    else
      lv_jw_null(&o->w);
    lv_jw_key(&o->w, "count");
    lv_jw_int(&o->w, count > INT64_MAX ? INT64_MAX : (int64_t)count);
    lv_jw_object_end(&o->w);
    return lv_jw_status(&o->w);
  }
  int rc = lv_buf_printf(&o->out, "%10llu  ", (unsigned long long)count);
  if (!rc)
    rc = key.ptr ? lv_buf_append(&o->out, key.ptr, key.len)
                 : lv_buf_puts(&o->out, "(none)");
  return rc ? rc : lv_buf_putc(&o->out, '\n');
}

/* A time zone: Z, UTC, or +HH:MM, +HHMM, +HH (or -), within 14 hours.
 * Returns 0 with *min the offset in minutes, or -1. */
static int parse_tz(const char *s, int *min) {
  if (!strcmp(s, "Z") || !strcmp(s, "UTC")) {
    *min = 0;
    return 0;
  }
  size_t n = strlen(s);
  /* where the hours' and the minutes' digits are */
  size_t mm = n == 6 && s[3] == ':' ? 4 : n == 5 ? 3 : n == 3 ? 0 : SIZE_MAX;
  if ((s[0] != '+' && s[0] != '-') || mm == SIZE_MAX)
    return -1;
  for (size_t i = 1; i < n; i++) {
    if (n == 6 && i == 3)
      continue; /* the colon */
    if (s[i] < '0' || s[i] > '9')
      return -1;
  }
  int h = (s[1] - '0') * 10 + (s[2] - '0');
  int m = mm ? (s[mm] - '0') * 10 + (s[mm + 1] - '0') : 0;
  if (m >= 60 || h * 60 + m > LV_STATS_TZ_MAX_MIN)
    return -1;
  *min = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
  return 0;
}

static void fmt_tz(int min, char *buf, size_t cap) {
  int a = min < 0 ? -min : min;
  snprintf(buf, cap, "%c%02d:%02d", min < 0 ? '-' : '+', a / 60, a % 60);
}

/* --since/--until: a day (YYYY-MM-DD) is its midnight in the time zone of
 * the counts; any other time as `levee search` reads it. */
static int parse_bound(const char *s, int tz_min, int64_t *out) {
  if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
    char full[40], tz[16];
    int64_t v;
    fmt_tz(tz_min, tz, sizeof tz);
    snprintf(full, sizeof full, "%sT00:00:00%s", s, tz);
    if (lv_cli_parse_time(full, &v))
      return -1;
    *out = v;
    return 0;
  }
  return lv_cli_parse_time(s, out);
}

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: levee stats (--data DIR | --store URL)\n"
      "                   [--by day|category|dept|channel|action|severity|\n"
      "                         sender]\n"
      "                   [FILTERS] [--tz +08:00] [--limit N] [--json]\n"
      "                   [--explain] [--key FILE]\n"
      "\n"
      "Counts the stored events by a dimension (default: day), with the\n"
      "filters of levee search. By category, an event with findings of two\n"
      "categories counts once in each (and with --category, only the\n"
      "categories it names are counted). Days first to last; other\n"
      "dimensions largest first, \"(none)\" (no department, no finding)\n"
      "last. Counting is recorded in the audit log (who, what, how many\n"
      "groups).\n"
      "\n"
      "Filters:\n"
      "  --since T, --until T  event time: RFC 3339, epoch milliseconds,\n"
      "                      or YYYY-MM-DD (midnight in --tz); until is\n"
      "                      exclusive\n"
      "  --channel NAME      wechat, wecom, email, ...\n"
      "  --dept NAME         sent by someone of this department\n"
      "  --category C        with a finding of this category, or of a\n"
      "                      prefix ending in '.' (pii.)\n"
      "  --action A          the verdict's action (allow, alert, hold,\n"
      "                      redact, block)\n"
      "  --alerts            only events whose verdict is not allow\n"
      "  --sender ID, --conversation ID\n"
      "\n"
      "Output:\n"
      "  --tz OFFSET         the time zone of days: +08:00 (the default,\n"
      "                      China Standard Time), Z, -05:00, ...\n"
      "  --limit N           at most N groups (the largest; at most %u)\n"
      "  --json              one JSON object: by, tz, groups [{key, count}]\n"
      "  --explain           print the query plan instead (not recorded)\n"
      "  --store URL         a PostgreSQL audit store (postgres://...)\n"
      "  --key FILE          the signing key (the record is logged)\n"
      "  -h, --help          this help\n"
      "\n"
      "Exit status: 0 some event was counted, 1 none was, 2 an error.\n",
      LV_MAX_STATS_GROUPS);
}

/* The count as a record detail: what was asked, and how many groups. */
static int stats_detail(const lv_stats_request *q, size_t groups, lv_buf *b) {
  lv_jw w;
  char tz[16];
  lv_jw_init(&w, b);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "by");
  lv_jw_cstring(&w, lv_stats_by_name(q->by));
  if (q->by == LV_STATS_DAY) {
    fmt_tz(q->tz_offset_min, tz, sizeof tz);
    lv_jw_key(&w, "tz");
    lv_jw_cstring(&w, tz);
  }
  lv_cli_filter_json(&w, &q->filter);
  if (q->limit) {
    lv_jw_key(&w, "limit");
    lv_jw_int(&w, (int64_t)q->limit);
  }
  lv_jw_key(&w, "groups");
  lv_jw_int(&w, (int64_t)groups);
  lv_jw_object_end(&w);
  return lv_jw_status(&w);
}

int lv_cmd_stats(int argc, char **argv) {
  static const struct option opts[] = {
      {"data", required_argument, NULL, 'd'},
      {"store", required_argument, NULL, 'u'},
      {"key", required_argument, NULL, 'k'},
      LV_CLI_FILTER_OPTIONS,
      {"by", required_argument, NULL, OPT_BY},
      {"tz", required_argument, NULL, OPT_TZ},
      {"limit", required_argument, NULL, 'l'},
      {"json", no_argument, NULL, 'j'},
      {"explain", no_argument, NULL, OPT_EXPLAIN},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *data = NULL, *key_path = NULL, *since = NULL, *until = NULL;
  lv_stats_request q;
  lv_stats_request_init(&q);
  stats_out out;
  memset(&out, 0, sizeof out);
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:u:k:" LV_CLI_FILTER_SHORT "l:jh", opts,
                          NULL)) != -1) {
    /* Times are read once the time zone is known. */
    if (c == LV_CLI_OPT_SINCE || c == LV_CLI_OPT_UNTIL) {
      *(c == LV_CLI_OPT_SINCE ? &since : &until) = optarg;
      continue;
    }
    int f = lv_cli_filter_option("stats", c, optarg, &q.filter);
    if (f < 0)
      return 2;
    if (f > 0)
      continue;
    switch (c) {
    case 'd': data = optarg; break;
    case 'u':
      if (lv_cli_store_option("stats", optarg, &data))
        return 2;
      break;
    case 'k': key_path = optarg; break;
    case OPT_BY:
      if (lv_stats_by_parse(optarg, &q.by)) {
        lv_cli_error("stats",
                     "--by: '%s' is none of day, category, dept, channel, "
                     "action, severity, sender",
                     optarg);
        return 2;
      }
      break;
    case OPT_TZ:
      if (parse_tz(optarg, &q.tz_offset_min)) {
        lv_cli_error("stats",
                     "--tz: not a time zone offset: '%s' (+08:00, Z, "
                     "-05:30, ... within 14 hours)",
                     optarg);
        return 2;
      }
      break;
    case 'l':
      if (lv_cli_parse_count(optarg, LV_MAX_STATS_GROUPS, &q.limit) ||
          !q.limit) {
        lv_cli_error("stats", "--limit must be a number from 1 to %u",
                     LV_MAX_STATS_GROUPS);
        return 2;
      }
      break;
    case 'j': out.json = 1; break;
    case OPT_EXPLAIN: q.explain = out.explain = 1; break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (!data) {
    lv_cli_error("stats", "--data DIR (or --store URL) is required");
    return 2;
  }
  if (optind < argc) {
    lv_cli_error("stats",
                 "unexpected argument '%s' (counts take filters, "
                 "not a search text)",
                 argv[optind]);
    return 2;
  }
  const char *bound[2] = {since, until};
  int64_t *to[2] = {&q.filter.since_ms, &q.filter.until_ms};
  for (int i = 0; i < 2; i++)
    if (bound[i] && parse_bound(bound[i], q.tz_offset_min, to[i])) {
      lv_cli_error("stats",
                   "--%s: not a time: '%s' (RFC 3339, epoch milliseconds "
                   "or YYYY-MM-DD)",
                   i ? "until" : "since", bound[i]);
      return 2;
    }

  lv_buf_init(&out.out, (size_t)1 << 30);
  if (out.json && !out.explain) {
    char tz[16];
    lv_jw_init(&out.w, &out.out);
    lv_jw_object_begin(&out.w);
    lv_jw_key(&out.w, "by");
    lv_jw_cstring(&out.w, lv_stats_by_name(q.by));
    if (q.by == LV_STATS_DAY) {
      fmt_tz(q.tz_offset_min, tz, sizeof tz);
      lv_jw_key(&out.w, "tz");
      lv_jw_cstring(&out.w, tz);
    }
    lv_jw_key(&out.w, "groups");
    lv_jw_array_begin(&out.w);
  }
  int status = 2;
  char shown[512]; /* the store, its password left out */
  lv_store_url_redact(data, shown, sizeof shown);
  lv_store_options so = {.location = data, .key_path = key_path};
  lv_store *store = NULL;
  levee_error err = {0};
  int rc = lv_store_open(&so, &store, NULL, &err);
  if (rc) {
    lv_cli_error(shown, "%s", err.message);
    goto out;
  }
  if ((rc = lv_store_stats(store, &q, on_group, &out, &err))) {
    if (rc == LEVEE_ETOOBIG && out.groups)
      lv_cli_error("stats",
                   "more than %u groups: narrow the filters, or --limit N "
                   "for the largest",
                   LV_MAX_STATS_GROUPS);
    else
      lv_cli_error("stats", "%s",
                   err.message[0] ? err.message : levee_strerror(rc));
    goto out;
  }
  if (out.json && !out.explain) {
    lv_jw_array_end(&out.w);
    lv_jw_object_end(&out.w);
    if ((rc = lv_jw_status(&out.w)) || (rc = lv_buf_putc(&out.out, '\n'))) {
      lv_cli_error("stats", "%s", levee_strerror(rc));
      goto out;
    }
  }
  if (!q.explain) {
    /* Recorded before anything is shown: no record, no figures. */
    lv_buf detail;
    uint64_t seq;
    lv_buf_init(&detail, 1u << 20);
    const char *user = lv_cli_os_user();
    rc = stats_detail(&q, out.groups, &detail);
    if (!rc && !(rc = lv_store_begin(store, &err)) &&
        !(rc = lv_store_add_record(
              store, (levee_str){user, user ? strlen(user) : 0}, "stats", "ok",
              (levee_str){detail.data, detail.len}, &seq, &err)))
      rc = lv_store_commit(store, &err);
    lv_buf_cleanup(&detail);
    if (rc) {
      lv_cli_error(shown, "the count could not be recorded: %s",
                   err.message[0] ? err.message : levee_strerror(rc));
      goto out;
    }
  }
  if (fwrite(out.out.data ? out.out.data : "", 1, out.out.len, stdout) !=
      out.out.len) {
    lv_cli_error("stats", "writing: %s", strerror(errno));
    goto out;
  }
  if (!out.json && !q.explain)
    fprintf(stderr, "levee: stats: %zu group%s by %s\n", out.groups,
            out.groups == 1 ? "" : "s", lv_stats_by_name(q.by));
  status = out.groups || q.explain ? 0 : 1;
out:
  if (store && lv_store_close(store, &err)) {
    lv_cli_error(shown, "%s", err.message);
    status = 2;
  }
  lv_buf_cleanup(&out.out);
  return status;
}
