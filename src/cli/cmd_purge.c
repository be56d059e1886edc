/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_purge.c: `levee purge`: applies the retention a policy sets to the
 * audit store (core/policy.h, lv_retention; store.h, lv_store_purge):
 * content kept past its time is deleted, and so is the evidence of records
 * kept past theirs, while every record's header and hashes stay, so the log
 * still verifies. Each purge is itself a record of the log.
 *
 * Exit status: 0 done, 2 an error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/policy.h"
#include "store/store.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: levee purge (--data DIR | --store URL) [--policy FILE]\n"
          "                   [--dry-run]\n"
          "                   [--key FILE]\n"
          "\n"
          "Applies the retention section of the policy to the audit store\n"
          "in DIR: deletes message content (text, extracted text, excerpts)\n"
          "kept longer than its category's content retention, and the\n"
          "evidence of records kept longer than their record retention.\n"
          "Each record's header and hashes stay, so levee verify still\n"
          "passes and says what was deleted under retention. Ages count\n"
          "from when a record was stored. The purge is itself recorded in\n"
          "the log.\n"
          "\n"
          "  --data DIR      the audit store\n"
          "  --store URL     a PostgreSQL audit store (postgres://...)\n"
          "  --policy FILE   the policy whose retention applies (default: the\n"
          "                  embedded default policy, which keeps everything)\n"
          "  --dry-run       count what would be deleted; change nothing\n"
          "  --key FILE      the signing key\n"
          "  -h, --help      this help\n"
          "\n"
          "Exit status: 0 done, 2 an error.\n");
}

int lv_cmd_purge(int argc, char **argv) {
  static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                       {"store", required_argument, NULL, 'U'},
                                       {"policy", required_argument, NULL, 'p'},
                                       {"dry-run", no_argument, NULL, 'n'},
                                       {"key", required_argument, NULL, 'k'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *data = NULL, *policy_path = NULL, *key_path = NULL;
  int dry_run = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:p:nk:h", opts, NULL)) != -1) {
    switch (c) {
    case 'd': data = optarg; break;
    case 'U':
      if (lv_cli_store_option("purge", optarg, &data))
        return 2;
      break;
    case 'p': policy_path = optarg; break;
    case 'n': dry_run = 1; break;
    case 'k': key_path = optarg; break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (!data || optind < argc) {
    if (optind < argc)
      lv_cli_error("purge", "unexpected argument '%s'", argv[optind]);
    else
      lv_cli_error("purge", "--data DIR (or --store URL) is required");
    return 2;
  }
  levee_policy *policy = NULL;
  if (lv_cli_load_policy(policy_path, &policy))
    return 2;
  const lv_retention *r = &policy->retention;
  if (!r->set)
    fprintf(stderr,
            "levee: purge: the policy has no retention section: everything "
            "is kept (see docs/POLICY.md, retention)\n");
  char shown[512]; /* the store, its password left out */
  lv_store_url_redact(data, shown, sizeof shown);
  lv_store_options so = {
      .location = data, .key_path = key_path, .read_only = dry_run};
  lv_store *store = NULL;
  levee_error err = {0};
  int rc = lv_store_open(&so, &store, NULL, &err);
  if (rc) {
    lv_cli_error(shown, "%s", err.message);
    levee_policy_destroy(policy);
    return rc == LEVEE_ETAMPER ? 1 : 2;
  }
  lv_purge_summary sum;
  const char *user = lv_cli_os_user();
  rc = lv_store_purge(store, r, lv_store_now_ms(), dry_run,
                      (levee_str){user, strlen(user)}, &sum, &err);
  if (rc)
    lv_cli_error(shown, "purge: %s", err.message);
  if (lv_store_close(store, &err)) {
    lv_cli_error(shown, "%s", err.message);
    rc = rc ? rc : LEVEE_ESTORE;
  }
  levee_policy_destroy(policy);
  if (rc)
    return 2;
  printf("levee purge%s: %llu event records old enough to look at; content "
         "deleted from %llu, evidence expired for %llu%s",
         dry_run ? " (dry run, nothing changed)" : "",
         (unsigned long long)sum.candidates,
         (unsigned long long)sum.content_deleted,
         (unsigned long long)sum.records_expired, dry_run ? "\n" : "");
  if (!dry_run)
    printf("; recorded as record %llu\n", (unsigned long long)sum.purge_seq);
  return 0;
}
