/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h: subcommands of the `levee` command and their shared helpers.
 * The CLI is thin: it reads files, wires the layers together and decides
 * what is printed and what the exit status is.
 */
#ifndef LV_CLI_CLI_H
#define LV_CLI_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "extract/extract.h"
#include "levee/levee.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/json_reader.h"
#include "util/json_writer.h"

int lv_cmd_scan(int argc, char **argv);
int lv_cmd_policy(int argc, char **argv);
int lv_cmd_ingest(int argc, char **argv);
int lv_cmd_verify(int argc, char **argv);
int lv_cmd_search(int argc, char **argv);
int lv_cmd_stats(int argc, char **argv);
int lv_cmd_purge(int argc, char **argv);
int lv_cmd_export(int argc, char **argv);
int lv_cmd_show(int argc, char **argv);
int lv_cmd_trace(int argc, char **argv);
int lv_cmd_register(int argc, char **argv);
int lv_cmd_admin(int argc, char **argv);
int lv_cmd_serve(int argc, char **argv);      /* in levee-serve */
int lv_cmd_serve_exec(int argc, char **argv); /* runs levee-serve */
int lv_cmd_dbguard(int argc, char **argv);      /* in levee-dbguard */
int lv_cmd_dbguard_exec(int argc, char **argv); /* runs levee-dbguard */
int lv_cmd_approve(int argc, char **argv);
int lv_cmd_audit(int argc, char **argv);

/* Prints "levee: what: why" on stderr. */
void lv_cli_error(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reads a whole file (at most limit bytes) into a malloc'd buffer. */
int lv_cli_read_file(const char *path, size_t limit, char **out,
                     size_t *out_len);

/* Loads the policy at path, or the embedded default when path is NULL.
 * Keyword files are resolved against the policy's directory. On failure
 * prints the reason and returns nonzero. */
int lv_cli_load_policy(const char *path, levee_policy **out);

/* Cache of compiled databases in dir (created if missing); dir NULL means
 * $XDG_CACHE_HOME/levee or ~/.cache/levee. Fills ops; ud is owned by the
 * returned ops and freed with lv_cli_cache_free. */
void lv_cli_cache_init(levee_cache_ops *ops, const char *data_dir);
void lv_cli_cache_free(levee_cache_ops *ops);

/* What the audit store keeps of an attachment's bytes. */
typedef struct lv_cli_attachment_facts {
  int64_t size;    /* -1 when the bytes could not be read */
  char sha256[65]; /* lowercase hex, or "" */
  char md5[33];
} lv_cli_attachment_facts;

/* The digests (sha256, md5) of p[0..n) into f (its size is left). */
void lv_cli_digests(const char *p, size_t n, lv_cli_attachment_facts *f);

/* An attachment's bytes could not be read: i, the path tried, why. */
typedef void (*lv_cli_attachment_error_fn)(void *ud, size_t i, const char *path,
                                           const char *why);

/* Gives ev's attachments with a path (resolved against dir) or data, and
 * no text yet, their text through x (extract.h): plain text, OCR and QR
 * codes of images, office documents, PDF. One that levee reads the format
 * of but cannot read gets at->error (an attachment.unreadable finding).
 * ev->attachments is replaced by a copy in a. facts, when not NULL, has
 * room for ev->n_attachments and gets each one's size and digests. */
void lv_cli_attachment_texts(levee_event *ev, const char *dir, lv_arena *a,
                             lv_extractor *x, lv_cli_attachment_facts *facts,
                             lv_cli_attachment_error_fn on_error, void *ud);

/* One attachment's text (or error) from its bytes, through x, in a.
 * Returns lv_extract's status: LEVEE_EENCODING for bytes of no format
 * levee reads (no text, no error). */
int lv_cli_extract_one(lv_extractor *x, levee_attachment *at, levee_str bytes,
                       lv_arena *a);

/* Opens the input path ("-": stdin) into *fd and puts its directory (for
 * attachment paths; "" for stdin or a bare name) into dir. Returns 0 or
 * -errno. */
int lv_cli_open_input(const char *path, int *fd, char *dir, size_t cap);

/* Whether path is an event stream (JSON Lines, stdin, or with --format
 * wecom anything but .eml) rather than a file that is one event. */
int lv_cli_is_stream(const char *path, int wecom);

/* The one event of a file that is not a stream (an .eml file: an email
 * event, its attachments' text extracted through x; any other: a `file`
 * event whose attachment is the file, its bytes in the attachment's data,
 * its text extracted through x). A file of no format levee reads is an
 * error (LEVEE_EENCODING); one it cannot read gives the attachment an
 * error instead (a finding). *data (the file's bytes, *len of them) is the
 * caller's to free after the event is done with; on failure it is NULL and
 * err says why. */
int lv_cli_file_event(const char *path, lv_extractor *x, lv_arena *a,
                      levee_event *ev, char **data, size_t *len,
                      levee_error *err) __attribute__((warn_unused_result));

/* When opening the store at shown made its signing key: says so on
 * stderr, with the public key to keep apart. */
void lv_cli_new_key_note(const char *shown, const lv_store_opened *info);

/* Seconds on CLOCK_MONOTONIC since *t. */
struct timespec;
double lv_cli_seconds_since(const struct timespec *t);

/* A time given on the command line: RFC 3339, epoch milliseconds, or a
 * date YYYY-MM-DD (midnight, China Standard Time: levee's users are there).
 * Returns 0, or -1 when it is none of those. */
/* A count from 0 to max (decimal digits only): 0, or -1. */
int lv_cli_parse_count(const char *s, uint64_t max, uint64_t *out);
int lv_cli_parse_time(const char *s, int64_t *out);

/* --store URL (filters.c): sets *location, or says why not and returns 2. */
int lv_cli_store_option(const char *cmd, const char *url,
                        const char **location);

/* The filters of search, stats and export, as getopt_long values
 * (filters.c): LV_CLI_FILTER_OPTIONS goes into a command's option table.
 * --dept and --alerts are long options only. */
enum {
  LV_CLI_OPT_SENDER = 's',
  LV_CLI_OPT_CONVERSATION = 'c',
  LV_CLI_OPT_CHANNEL = 'C',
  LV_CLI_OPT_CATEGORY = 'g',
  LV_CLI_OPT_ACTION = 'a',
  LV_CLI_OPT_SINCE = 'S',
  LV_CLI_OPT_UNTIL = 'U',
  LV_CLI_OPT_DEPT = 1000,
  LV_CLI_OPT_ALERTS
};
#define LV_CLI_FILTER_OPTIONS                                                  \
  {"sender", required_argument, NULL, LV_CLI_OPT_SENDER},                      \
      {"conversation", required_argument, NULL, LV_CLI_OPT_CONVERSATION},      \
      {"channel", required_argument, NULL, LV_CLI_OPT_CHANNEL},                \
      {"category", required_argument, NULL, LV_CLI_OPT_CATEGORY},              \
      {"action", required_argument, NULL, LV_CLI_OPT_ACTION},                  \
      {"since", required_argument, NULL, LV_CLI_OPT_SINCE},                    \
      {"until", required_argument, NULL, LV_CLI_OPT_UNTIL},                    \
      {"dept", required_argument, NULL, LV_CLI_OPT_DEPT}, {                    \
    "alerts", no_argument, NULL, LV_CLI_OPT_ALERTS                             \
  }
#define LV_CLI_FILTER_SHORT "s:c:C:g:a:S:U:"

/* No filter: every sender, every time. */
void lv_cli_filter_init(lv_search_request *f);
/* Reads option c into f's filters: 1 when it was one, 0 when it is not a
 * filter option, -1 (said) when its value is wrong. */
int lv_cli_filter_option(const char *cmd, int c, const char *arg,
                         lv_search_request *f);
/* f's filters as members of the JSON object w is writing (for the audit
 * record of a search or an export). */
void lv_cli_filter_json(lv_jw *w, const lv_search_request *f);

/* Whether a progress line is due (a second after the last, or final);
 * if so *last becomes now. */
int lv_cli_progress_due(struct timespec *last, int final);

/* The name of the OS user running levee, for the audit trail. */
const char *lv_cli_os_user(void);

#endif
