/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_verify.c: `levee verify`: checks the integrity of an audit store:
 * rebuilds its Merkle tree from the stored records, checks every signed
 * checkpoint, and names each record that was altered, removed or inserted
 * (store.h, lv_store_verify).
 *
 * Exit status: 0 intact, 1 tampered (and where), 2 the check could not run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/json_writer.h"

static const char *const kind_names[] = {
    [LV_VERIFY_ALTERED] = "altered",
    [LV_VERIFY_CONTENT_ALTERED] = "content-altered",
    [LV_VERIFY_CONTENT_MISSING] = "content-missing",
    [LV_VERIFY_MISSING] = "missing",
    [LV_VERIFY_INSERTED] = "inserted",
    [LV_VERIFY_LOG_MISMATCH] = "log-mismatch",
    [LV_VERIFY_BAD_CHECKPOINT] = "bad-checkpoint",
    [LV_VERIFY_WRONG_KEY] = "wrong-key",
    [LV_VERIFY_UNSIGNED_TAIL] = "unsigned-tail",
};

typedef struct verify_out {
  int json;
  lv_buf line;
} verify_out;

static void on_problem(void *ud, const lv_verify_problem *p) {
  verify_out *o = ud;
  if (o->json) {
    lv_jw w;
    lv_buf_reset(&o->line);
    lv_jw_init(&w, &o->line);
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "problem");
    lv_jw_cstring(&w, kind_names[p->kind]);
    if (p->seq) {
      lv_jw_key(&w, "record");
      lv_jw_int(&w, (int64_t)p->seq);
      if (p->seq_end != p->seq) {
        lv_jw_key(&w, "record_end");
        lv_jw_int(&w, (int64_t)p->seq_end);
      }
    }
    if (p->event_id.ptr) {
      lv_jw_key(&w, "event");
      lv_jw_string(&w, p->event_id.ptr, p->event_id.len);
    }
    lv_jw_key(&w, "what");
    lv_jw_cstring(&w, p->what);
    lv_jw_object_end(&w);
    if (!lv_jw_status(&w))
      printf("%.*s\n", (int)o->line.len, o->line.data);
    return;
  }
  if (p->seq && p->event_id.ptr)
    printf("record %llu (event %.*s): %s: %s\n", (unsigned long long)p->seq,
           (int)p->event_id.len, p->event_id.ptr, kind_names[p->kind], p->what);
  else if (p->seq && p->kind != LV_VERIFY_MISSING &&
           p->kind != LV_VERIFY_LOG_MISMATCH &&
           p->kind != LV_VERIFY_UNSIGNED_TAIL)
    printf("record %llu: %s: %s\n", (unsigned long long)p->seq,
           kind_names[p->kind], p->what);
  else
    printf("%s: %s\n", kind_names[p->kind], p->what);
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: levee verify (--data DIR | --store URL)\n"
          "                    [--key FILE | --public-key HEX]\n"
          "                    [--json]\n"
          "\n"
          "Checks the integrity of the audit store in DIR: rebuilds its\n"
          "Merkle tree from the stored records, checks every signed\n"
          "checkpoint, and names each record that was altered, removed or\n"
          "inserted. Content deleted under retention is not tampering.\n"
          "\n"
          "  --data DIR        the audit store\n"
          "  --store URL       a PostgreSQL audit store (postgres://...)\n"
          "  --key FILE        the signing key file whose public key to trust\n"
          "                    (default: the store's key under\n"
          "                    ~/.config/levee/keys)\n"
          "  --public-key HEX  trust this public key instead (as printed when\n"
          "                    the store was created)\n"
          "  --json            one JSON object per problem, then a summary\n"
          "  -h, --help        this help\n"
          "\n"
          "Exit status: 0 intact, 1 tampered (each problem is printed),\n"
          "2 the check could not run.\n");
}

int lv_cmd_verify(int argc, char **argv) {
  static const struct option opts[] = {
      {"data", required_argument, NULL, 'd'},
      {"store", required_argument, NULL, 'U'},
      {"key", required_argument, NULL, 'k'},
      {"public-key", required_argument, NULL, 'P'},
      {"json", no_argument, NULL, 'j'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *data = NULL, *key_path = NULL, *pub_hex = NULL;
  verify_out out = {0};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:k:P:jh", opts, NULL)) != -1) {
    switch (c) {
    case 'd': data = optarg; break;
    case 'U':
      if (lv_cli_store_option("verify", optarg, &data))
        return 2;
      break;
    case 'k': key_path = optarg; break;
    case 'P': pub_hex = optarg; break;
    case 'j': out.json = 1; break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (!data || optind < argc) {
    lv_cli_error("verify",
                 optind < argc ? "unexpected argument '%s'"
                               : "--data DIR is required%s",
                 optind < argc ? argv[optind] : "");
    return 2;
  }
  uint8_t pub[32];
  if (pub_hex) {
    size_t n = 0;
    if (strlen(pub_hex) != 64 ||
        sodium_hex2bin(pub, sizeof pub, pub_hex, 64, NULL, &n, NULL) ||
        n != 32) {
      lv_cli_error("verify", "--public-key must be 64 hex digits");
      return 2;
    }
  }
  char shown[512]; /* the store, its password left out */
  lv_store_url_redact(data, shown, sizeof shown);
  lv_store_options so = {.location = data,
                         .key_path = key_path,
                         .read_only = 1,
                         .public_key = pub_hex ? pub : NULL};
  lv_store *store = NULL;
  lv_store_opened info;
  levee_error err = {0};
  int rc = lv_store_open(&so, &store, &info, &err);
  if (rc == LEVEE_ETAMPER) {
    if (out.json)
      printf("{\"problem\":\"wrong-key\",\"what\":\"%s\"}\n",
             "the store names another public key");
    else
      printf("wrong-key: %s\n", err.message);
    return 1;
  }
  if (rc) {
    lv_cli_error(shown, "%s", err.message);
    return 2;
  }
  if (!pub_hex)
    sodium_hex2bin(pub, sizeof pub, info.public_key, 64, NULL, NULL, NULL);
  lv_buf_init(&out.line, (size_t)1 << 20);
  lv_verify_summary sum;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  rc = lv_store_verify(store, pub, on_problem, &out, &sum, &err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs =
      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  lv_store_close(store, NULL);
  lv_buf_cleanup(&out.line);
  if (rc) {
    lv_cli_error(shown, "%s", err.message);
    return 2;
  }
  if (out.json)
    printf("{\"intact\":%s,\"records\":%llu,\"events\":%llu,"
           "\"checkpoints\":%llu,\"content_deleted\":%llu,"
           "\"records_expired\":%llu,\"problems\":%llu,"
           "\"unsigned_tail\":%llu,\"seconds\":%.3f}\n",
           sum.problems ? "false" : "true", (unsigned long long)sum.records,
           (unsigned long long)sum.events, (unsigned long long)sum.checkpoints,
           (unsigned long long)sum.content_deleted,
           (unsigned long long)sum.records_expired,
           (unsigned long long)sum.problems,
           (unsigned long long)sum.unsigned_tail, secs);
  else
    printf("levee verify: %s: %llu records (%llu events), %llu checkpoints; "
           "under retention, %llu with content deleted and %llu with "
           "evidence expired; %s (%.2f s)\n",
           data, (unsigned long long)sum.records,
           (unsigned long long)sum.events, (unsigned long long)sum.checkpoints,
           (unsigned long long)sum.content_deleted,
           (unsigned long long)sum.records_expired,
           sum.problems ? "TAMPERED" : "intact", secs);
  return sum.problems ? 1 : 0;
}
