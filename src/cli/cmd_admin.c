/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_admin.c: `levee admin`: the accounts of levee serve (accounts.h).
 *
 *   levee admin init  makes the three first accounts, one for each duty
 *                     (三员分立), and prints their one-time passwords once
 *   levee admin list  lists the accounts (never their password hashes)
 *   levee admin token NAME
 *                     makes an integration's API token (an IM gateway, a
 *                     mail relay) and prints it once
 *   levee admin tokens
 *                     lists the tokens (never the tokens themselves)
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/accounts.h"
#include "cli/cli.h"
#include "util/buf.h"
#include "util/error.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: levee admin init (--data DIR | --store URL) [--key FILE]\n"
          "       levee admin list (--data DIR | --store URL) [--key FILE]\n"
          "       levee admin token NAME (--data DIR | --store URL) [--key "
          "FILE]\n"
          "       levee admin tokens (--data DIR | --store URL) [--key FILE]\n"
          "\n"
          "Accounts of levee serve, one duty each (三员分立):\n"
          "  system-admin    accounts and system settings\n"
          "  security-admin  policies, registrations and alert review\n"
          "  auditor         the trail of what the other two did; verify\n"
          "\n"
          "init makes the first three (sysadmin, secadmin, auditor) in a\n"
          "store that has none, and prints their one-time passwords, once:\n"
          "give each to its holder, who changes it at first sign-in. Only\n"
          "argon2id hashes of them are kept. Each account is a record of the\n"
          "audit log, made by the user who ran the command.\n"
          "list shows the accounts, their roles and the records that made\n"
          "them.\n"
          "token makes an API token for an integration (role integration:\n"
          "POST /v1/inspect and /v1/events, nothing else) and prints it\n"
          "once; only its SHA-256 is kept. Run it while levee serve is\n"
          "stopped, or make tokens through the API (POST /v1/tokens).\n"
          "tokens lists the tokens, their roles and owners.\n"
          "\n"
          "Options:\n"
          "  --data DIR   the data directory of the audit store (init\n"
          "               creates it if missing)\n"
          "  --store URL  a PostgreSQL store instead\n"
          "  --key FILE   the store's signing key (default: as for ingest)\n"
          "  -h, --help   this help\n");
}

static int count_one(void *ud, const lv_account *a) {
  (void)a;
  ++*(size_t *)ud;
  return 0;
}

static int print_one(void *ud, const lv_account *a) {
  (void)ud;
  printf("%-10s %-15s record %llu%s\n", a->name, lv_account_role_name(a->role),
         (unsigned long long)a->created,
         a->must_change ? "  (one-time password not changed yet)" : "");
  return 0;
}

static int init(lv_store *st, const char *shown) {
  static const struct {
    const char *name;
    lv_account_role role;
  } first[] = {{"sysadmin", LV_ACCOUNT_SYSTEM_ADMIN},
               {"secadmin", LV_ACCOUNT_SECURITY_ADMIN},
               {"auditor", LV_ACCOUNT_AUDITOR}};
  levee_error err = {0};
  size_t n = 0;
  if (lv_accounts_each(st, count_one, &n, &err)) {
    lv_cli_error(shown, "%s", err.message);
    return 2;
  }
  if (n) {
    lv_cli_error("admin",
                 "%s already has %zu account%s: init is for a store "
                 "without any (levee admin list shows them)",
                 shown, n, n == 1 ? "" : "s");
    return 2;
  }
  const char *user = lv_cli_os_user();
  levee_str actor = {user, strlen(user)};
  char pw[3][21], hash[128];
  int rc = lv_store_begin(st, &err);
  for (size_t i = 0; !rc && i < 3; i++) {
    uint64_t seq;
    lv_account_new_password(pw[i]);
    if ((rc = lv_account_hash(pw[i], hash)))
      lv_error_set(&err, rc, "out of memory hashing a password");
    else
      rc = lv_account_create(st, actor, first[i].name, first[i].role, hash,
                             &seq, &err);
  }
  if (!rc)
    rc = lv_store_commit(st, &err);
  else
    lv_store_rollback(st);
  if (rc) {
    sodium_memzero(pw, sizeof pw);
    lv_cli_error(shown, "the accounts could not be made: %s", err.message);
    return 2;
  }
  printf("The first accounts, with one-time passwords (shown this once: give "
         "each\nto its holder, who changes it at first sign-in):\n\n");
  for (size_t i = 0; i < 3; i++)
    printf("  %-10s %-15s %s\n", first[i].name,
           lv_account_role_name(first[i].role), pw[i]);
  sodium_memzero(pw, sizeof pw);
  return 0;
}

static int print_token(void *ud, const lv_api_token *t) {
  (void)ud;
  printf("%-16s %-15s owner %-10s record %llu%s\n", t->name,
         lv_account_role_name(t->role), t->owner,
         (unsigned long long)t->created, t->revoked ? "  (revoked)" : "");
  return 0;
}

static int token_named(void *ud, const lv_api_token *t) {
  const char *name = ud;
  return !t->revoked && !strcmp(t->name, name);
}

static int make_token(lv_store *st, const char *shown, const char *name) {
  levee_error err = {0};
  if (!lv_account_name_ok(name)) {
    lv_cli_error("admin", "token name '%s': 1 to 63 of a-z, 0-9, . _ -", name);
    return 2;
  }
  int rc = lv_api_tokens_each(st, token_named, (void *)name, &err);
  if (rc < 0) {
    lv_cli_error(shown, "%s", err.message);
    return 2;
  }
  if (rc == 1) {
    lv_cli_error("admin", "a token named %s exists", name);
    return 2;
  }
  const char *user = lv_cli_os_user();
  levee_str actor = {user, strlen(user)};
  char token[LV_TOKEN_LEN + 1];
  uint8_t hash[32];
  lv_api_token_new(token);
  lv_api_token_hash(token, LV_TOKEN_LEN, hash);
  lv_buf b;
  lv_buf_init(&b, 4096);
  uint64_t seq;
  rc = lv_api_token_detail("create", name, LV_ROLE_INTEGRATION, user, hash, &b);
  if (rc)
    lv_error_set(&err, rc, "out of memory");
  if (!rc && !(rc = lv_store_begin(st, &err)) &&
      !(rc = lv_store_add_record(st, actor, LV_TOKEN_RECORD, "ok",
                                 (levee_str){b.data, b.len}, &seq, &err)))
    rc = lv_store_commit(st, &err);
  if (rc)
    lv_store_rollback(st);
  lv_buf_cleanup(&b);
  if (rc) {
    sodium_memzero(token, sizeof token);
    lv_cli_error(shown, "the token could not be made: %s", err.message);
    return 2;
  }
  fprintf(stderr,
          "levee: admin: token %s (integration), record %llu; it is shown "
          "this once:\n",
          name, (unsigned long long)seq);
  printf("%s\n", token);
  sodium_memzero(token, sizeof token);
  return 0;
}

int lv_cmd_admin(int argc, char **argv) {
  static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                       {"store", required_argument, NULL, 'u'},
                                       {"key", required_argument, NULL, 'k'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *location = NULL, *key_path = NULL;
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *what = argv[1], *name = NULL;
  if (strcmp(what, "init") != 0 && strcmp(what, "list") != 0 &&
      strcmp(what, "token") != 0 && strcmp(what, "tokens") != 0) {
    lv_cli_error("admin", "%s: no such command (init, list, token, tokens)",
                 what);
    return 2;
  }
  int c;
  optind = 2;
  if (!strcmp(what, "token")) {
    if (argc < 3 || argv[2][0] == '-') {
      lv_cli_error("admin", "token NAME: the integration's name is missing");
      return 2;
    }
    name = argv[2];
    optind = 3;
  }
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'd': location = optarg; break;
    case 'u':
      if (lv_cli_store_option("admin", optarg, &location))
        return 2;
      break;
    case 'k': key_path = optarg; break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (optind < argc) {
    lv_cli_error("admin", "unexpected argument '%s'", argv[optind]);
    return 2;
  }
  if (!location) {
    lv_cli_error("admin", "--data DIR (or --store URL) is required");
    return 2;
  }
  int is_init = !strcmp(what, "init"), writes = is_init || name;
  char shown[512];
  lv_store_url_redact(location, shown, sizeof shown);
  lv_store_options so = {.location = location,
                         .key_path = key_path,
                         .create = writes,
                         .read_only = !writes};
  lv_store_opened info;
  lv_store *st = NULL;
  levee_error err = {0};
  if (lv_store_open(&so, &st, &info, &err)) {
    lv_cli_error(shown, "%s", err.message);
    return 2;
  }
  if (is_init)
    lv_cli_new_key_note(shown, &info);
  int status = 0;
  if (is_init) {
    status = init(st, shown);
  } else if (name) {
    status = make_token(st, shown, name);
  } else if (!strcmp(what, "tokens")) {
    if (lv_api_tokens_each(st, print_token, NULL, &err)) {
      lv_cli_error(shown, "%s", err.message);
      status = 2;
    }
  } else if (lv_accounts_each(st, print_one, NULL, &err)) {
    lv_cli_error(shown, "%s", err.message);
    status = 2;
  }
  if (lv_store_close(st, &err)) {
    lv_cli_error(shown, "%s", err.message);
    status = 2;
  }
  return status;
}
