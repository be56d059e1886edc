/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filters.c: the options the store's commands share: --store URL, and the
 * filters of `levee search`, `levee stats` and `levee export` (--sender,
 * --conversation, --channel, --category, --action, --since, --until,
 * --dept, --alerts), read into the
 * filter fields of an lv_search_request and written into the audit
 * record of the command that used them.
 */
#include <stdint.h>
#include <string.h>

#include "cli/cli.h"

int lv_cli_store_option(const char *cmd, const char *url,
                        const char **location) {
  if (!lv_store_is_url(url)) {
    lv_cli_error(cmd, "--store takes a postgres:// URL; a directory is "
                      "--data DIR");
    return 2;
  }
  *location = url;
  return 0;
}

void lv_cli_filter_init(lv_search_request *f) {
  memset(f, 0, sizeof *f);
  f->since_ms = INT64_MIN;
  f->until_ms = INT64_MAX;
}

int lv_cli_filter_option(const char *cmd, int c, const char *arg,
                         lv_search_request *f) {
  levee_str v = {arg, arg ? strlen(arg) : 0};
  if (c == LV_CLI_OPT_ALERTS) {
    f->alerts_only = 1;
    return 1;
  }
  if (!arg)
    return 0; /* other options without a value are none of these */
  switch (c) {
  case LV_CLI_OPT_DEPT: f->sender_dept = v; return 1;
  case LV_CLI_OPT_SENDER: f->sender = v; return 1;
  case LV_CLI_OPT_CONVERSATION: f->conversation = v; return 1;
  case LV_CLI_OPT_CHANNEL: f->channel = v; return 1;
  case LV_CLI_OPT_CATEGORY: f->category = v; return 1;
  case LV_CLI_OPT_ACTION: f->action = v; return 1;
  case LV_CLI_OPT_SINCE:
  case LV_CLI_OPT_UNTIL:
    if (lv_cli_parse_time(arg, c == LV_CLI_OPT_SINCE ? &f->since_ms
                                                     : &f->until_ms)) {
      lv_cli_error(cmd,
                   "--%s: not a time: '%s' (RFC 3339, epoch milliseconds "
                   "or YYYY-MM-DD)",
                   c == LV_CLI_OPT_SINCE ? "since" : "until", arg);
      return -1;
    }
    return 1;
  default: return 0;
  }
}

static void str(lv_jw *w, const char *key, levee_str v) {
  if (!v.ptr)
    return;
  lv_jw_key(w, key);
  lv_jw_string(w, v.ptr, v.len);
}

void lv_cli_filter_json(lv_jw *w, const lv_search_request *f) {
  str(w, "sender", f->sender);
  str(w, "conversation", f->conversation);
  str(w, "channel", f->channel);
  str(w, "category", f->category);
  str(w, "action", f->action);
  if (f->since_ms != INT64_MIN) {
    lv_jw_key(w, "since_ms");
    lv_jw_int(w, f->since_ms);
  }
  if (f->until_ms != INT64_MAX) {
    lv_jw_key(w, "until_ms");
    lv_jw_int(w, f->until_ms);
  }
  str(w, "dept", f->sender_dept);
  if (f->alerts_only) {
    lv_jw_key(w, "alerts");
    lv_jw_bool(w, 1);
  }
}
