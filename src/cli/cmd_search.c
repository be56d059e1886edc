/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_search.c: `levee search`: full-text search of the stored messages and
 * extracted text (Chinese queries of one or more characters included), with
 * filters, newest first; without a query, the stored events the filters
 * let through (--alerts: those whose verdict is not allow), newest first.
 * Every search is itself recorded in the audit log: who asked (the OS
 * user), for what, and how many results came back.
 *
 * Exit status: 0 something was found, 1 nothing was, 2 an error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ingest/event_jsonl.h"
#include "store/search_json.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/json_writer.h"

#define DEFAULT_LIMIT 20
#define MAX_LIMIT 10000

/* Marks around matches: colour on a terminal, brackets elsewhere, and for
 * --json bytes that cannot be in stored text (C0 controls are escaped by
 * the JSON writer), turned into offsets. */

/* Options of search's own, past any character getopt could return. */
enum { OPT_BEFORE = 256 };

typedef struct search_out {
  int json;
  int color;
  size_t hits;
  uint64_t last_seq; /* the last hit's */
  lv_buf results;    /* printed once the search is recorded */
  lv_buf scratch;
} search_out;

static void fmt_time(int64_t ms, char *buf, size_t cap, int utc) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  if (utc ? !gmtime_r(&t, &tm) : !localtime_r(&t, &tm)) {
    snprintf(buf, cap, "%lld", (long long)ms);
    return;
  }
  strftime(buf, cap, utc ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S %z", &tm);
}

static void jw_str(lv_jw *w, const char *key, levee_str v) {
  if (!v.ptr)
    return;
  lv_jw_key(w, key);
  lv_jw_string(w, v.ptr, v.len);
}

/* "  from 张三 (u001)", or just the id or the name when only one is known. */
static int who(lv_buf *b, const char *word, levee_str name, levee_str id) {
  if (name.ptr && id.ptr)
    return lv_buf_printf(b, "  %s %.*s (%.*s)", word, (int)name.len, name.ptr,
                         (int)id.len, id.ptr);
  levee_str one = name.ptr ? name : id;
  return lv_buf_printf(b, "  %s %.*s", word, (int)one.len, one.ptr);
}

static int on_hit(void *ud, const lv_search_hit *h) {
  search_out *o = ud;
  lv_buf *b = &o->results;
  if (h->plan)
    return lv_buf_printf(b, "%s\n", h->plan);
  o->hits++;
  o->last_seq = h->seq;
  if (o->json) {
    lv_jw w;
    lv_jw_init(&w, b);
    lv_search_hit_json(&w, h, 1, &o->scratch);
    int rc = lv_jw_status(&w);
    return rc ? rc : lv_buf_putc(b, '\n');
  }
  char when[40];
  fmt_time(h->time_ms, when, sizeof when, 0);
  int rc = lv_buf_printf(b, "#%llu  %s  %.*s  %.*s", (unsigned long long)h->seq,
                         when, (int)h->channel.len,
                         h->channel.ptr ? h->channel.ptr : "", (int)h->id.len,
                         h->id.ptr ? h->id.ptr : "");
  if (!rc && (h->sender_id.ptr || h->sender_name.ptr))
    rc = who(b, "from", h->sender_name, h->sender_id);
  if (!rc && h->sender_dept.ptr)
    rc =
        lv_buf_printf(b, ", %.*s", (int)h->sender_dept.len, h->sender_dept.ptr);
  if (!rc && (h->conversation_id.ptr || h->conversation_title.ptr))
    rc = who(b, "in", h->conversation_title, h->conversation_id);
  if (!rc)
    rc = lv_buf_printf(b, "  %.*s/%.*s", (int)h->action.len, h->action.ptr,
                       (int)h->severity.len, h->severity.ptr);
  if (!rc && h->categories.ptr)
    rc = lv_buf_printf(b, "  %.*s", (int)h->categories.len, h->categories.ptr);
  if (!rc && h->text.ptr)
    rc = lv_buf_printf(b, "\n    %.*s", (int)h->text.len, h->text.ptr);
  if (!rc && h->extracted.ptr)
    rc = lv_buf_printf(b, "\n    [attachments] %.*s", (int)h->extracted.len,
                       h->extracted.ptr);
  return rc ? rc : lv_buf_putc(b, '\n');
}

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: levee search (--data DIR | --store URL) [FILTERS] [--limit N]\n"
      "                    [--offset N | --before SEQ]\n"
      "                    [--json] [--color auto|always|never] [--explain]\n"
      "                    [--key FILE] [QUERY...]\n"
      "\n"
      "Full-text search of the stored messages and extracted text, newest\n"
      "first. Chinese queries of one, two or more characters work; the\n"
      "words of QUERY must all occur (each as written, its characters\n"
      "together). Traditional characters, full-width letters and case do\n"
      "not matter. Without a QUERY, every stored event the filters let\n"
      "through, newest first (--alerts: the alerts). Every search is\n"
      "recorded in the audit log (who, what, how many results).\n"
      "\n"
      "Filters:\n"
      "  --sender ID         sent by this sender id\n"
      "  --dept NAME         sent by someone of this department\n"
      "  --conversation ID   in this conversation\n"
      "  --channel NAME      wechat, wecom, email, ...\n"
      "  --category C        with a finding of this category, or of a\n"
      "                      prefix ending in '.' (pii.)\n"
      "  --action A          the verdict's action (allow, alert, hold,\n"
      "                      redact, block)\n"
      "  --alerts            only events whose verdict is not allow\n"
      "  --since T, --until T  event time: RFC 3339, epoch milliseconds,\n"
      "                      or YYYY-MM-DD (midnight UTC+08:00); until is\n"
      "                      exclusive\n"
      "\n"
      "Output:\n"
      "  --limit N           at most N results (default %d, at most %d)\n"
      "  --offset N          skip the first N (paging)\n"
      "  --before SEQ        only records before record SEQ (paging that\n"
      "                      stays put while events arrive: the last\n"
      "                      result's record number)\n"
      "  --json              one JSON object per result, matches as byte\n"
      "                      offsets (text_matches, extracted_matches)\n"
      "  --color WHEN        highlight matches in colour (default auto: on\n"
      "                      a terminal; elsewhere they are marked [[ ]])\n"
      "  --explain           print the query plan instead (not recorded)\n"
      "  --store URL         a PostgreSQL audit store (postgres://...)\n"
      "  --key FILE          the signing key (the search record is logged)\n"
      "  -h, --help          this help\n"
      "\n"
      "Exit status: 0 something was found, 1 nothing was, 2 an error.\n",
      DEFAULT_LIMIT, MAX_LIMIT);
}

/* The search as a record detail: what was asked, and how much came back. */
static int search_detail(const lv_search_request *q, size_t hits, lv_buf *b) {
  lv_jw w;
  lv_jw_init(&w, b);
  lv_jw_object_begin(&w);
  if (q->text.len)
    jw_str(&w, "query", q->text);
  lv_cli_filter_json(&w, q);
  if (q->before_seq) {
    lv_jw_key(&w, "before");
    lv_jw_int(&w, (int64_t)q->before_seq);
  }
  lv_jw_key(&w, "limit");
  lv_jw_int(&w, (int64_t)q->limit);
  lv_jw_key(&w, "offset");
  lv_jw_int(&w, (int64_t)q->offset);
  lv_jw_key(&w, "results");
  lv_jw_int(&w, (int64_t)hits);
  lv_jw_object_end(&w);
  return lv_jw_status(&w);
}

static levee_str str_of(const char *s) {
  return (levee_str){s, s ? strlen(s) : 0};
}

int lv_cmd_search(int argc, char **argv) {
  static const struct option opts[] = {
      {"data", required_argument, NULL, 'd'},
      {"store", required_argument, NULL, 'u'},
      {"key", required_argument, NULL, 'k'},
      LV_CLI_FILTER_OPTIONS,
      {"limit", required_argument, NULL, 'l'},
      {"offset", required_argument, NULL, 'o'},
      {"json", no_argument, NULL, 'j'},
      {"color", required_argument, NULL, 'r'},
      {"explain", no_argument, NULL, 'e'},
      {"before", required_argument, NULL, OPT_BEFORE},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *data = NULL, *key_path = NULL, *color = "auto";
  lv_search_request q;
  lv_cli_filter_init(&q);
  q.limit = DEFAULT_LIMIT;
  search_out out;
  memset(&out, 0, sizeof out);
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:u:k:" LV_CLI_FILTER_SHORT "l:o:jr:eh",
                          opts, NULL)) != -1) {
    int f = lv_cli_filter_option("search", c, optarg, &q);
    if (f < 0)
      return 2;
    if (f > 0)
      continue;
    switch (c) {
    case 'd': data = optarg; break;
    case 'u':
      if (lv_cli_store_option("search", optarg, &data))
        return 2;
      break;
    case 'k': key_path = optarg; break;
    case 'l':
      if (lv_cli_parse_count(optarg, MAX_LIMIT, &q.limit) || !q.limit) {
        lv_cli_error("search", "--limit must be a number from 1 to %d",
                     MAX_LIMIT);
        return 2;
      }
      break;
    case 'o':
      if (lv_cli_parse_count(optarg, INT64_MAX, &q.offset)) {
        lv_cli_error("search", "--offset must be a number from 0");
        return 2;
      }
      break;
    case 'j': out.json = 1; break;
    case 'r':
      if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "always") != 0 &&
          strcmp(optarg, "never") != 0) {
        lv_cli_error("search", "--color must be auto, always or never");
        return 2;
      }
      color = optarg;
      break;
    case 'e': q.explain = 1; break;
    case OPT_BEFORE:
      if (lv_cli_parse_count(optarg, INT64_MAX, &q.before_seq) ||
          !q.before_seq) {
        lv_cli_error("search", "--before must be a record number from 1");
        return 2;
      }
      break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (!data) {
    lv_cli_error("search", "--data DIR (or --store URL) is required");
    return 2;
  }
  lv_buf text;
  lv_buf_init(&text, 1u << 16);
  for (int i = optind; i < argc; i++)
    if ((i > optind && lv_buf_putc(&text, ' ')) ||
        lv_buf_puts(&text, argv[i])) {
      lv_cli_error("search", "the query is too long");
      lv_buf_cleanup(&text);
      return 2;
    }
  /* No QUERY: a listing. */
  q.text = (levee_str){text.data, text.len};
  out.color = !strcmp(color, "always") ||
              (!strcmp(color, "auto") && isatty(STDOUT_FILENO));
  q.mark_open = out.json    ? LV_SEARCH_JSON_MARK_OPEN
                : out.color ? "\x1b[1;31m"
                            : "[[";
  q.mark_close = out.json    ? LV_SEARCH_JSON_MARK_CLOSE
                 : out.color ? "\x1b[0m"
                             : "]]";
  lv_buf_init(&out.results, (size_t)1 << 30);
  lv_buf_init(&out.scratch, (size_t)1 << 26);

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
  if ((rc = lv_store_search(store, &q, on_hit, &out, &err))) {
    lv_cli_error("search", "%s",
                 err.message[0] ? err.message : levee_strerror(rc));
    goto out;
  }
  if (!q.explain) {
    /* Recorded before anything is shown: no record, no results. */
    lv_buf detail;
    uint64_t seq;
    lv_buf_init(&detail, 1u << 20);
    const char *user = lv_cli_os_user();
    rc = search_detail(&q, out.hits, &detail);
    if (!rc && !(rc = lv_store_begin(store, &err)) &&
        !(rc = lv_store_add_record(store, str_of(user), "search", "ok",
                                   (levee_str){detail.data, detail.len}, &seq,
                                   &err)))
      rc = lv_store_commit(store, &err);
    lv_buf_cleanup(&detail);
    if (rc) {
      lv_cli_error(shown, "the search could not be recorded: %s",
                   err.message[0] ? err.message : levee_strerror(rc));
      goto out;
    }
  }
  fwrite(out.results.data ? out.results.data : "", 1, out.results.len, stdout);
  if (!out.json && !q.explain) {
    if (out.hits == q.limit)
      fprintf(stderr,
              "levee: search: %zu results (there may be more: --before "
              "%llu)\n",
              out.hits, (unsigned long long)out.last_seq);
    else
      fprintf(stderr, "levee: search: %zu result%s\n", out.hits,
              out.hits == 1 ? "" : "s");
  }
  status = out.hits || q.explain ? 0 : 1;
out:
  if (store && lv_store_close(store, &err)) {
    lv_cli_error(shown, "%s", err.message);
    status = 2;
  }
  lv_buf_cleanup(&out.results);
  lv_buf_cleanup(&out.scratch);
  lv_buf_cleanup(&text);
  return status;
}
