/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_dbguard.c: `levee dbguard`: the database guard (src/net/dbguard.h),
 * in the levee-dbguard binary (which `levee dbguard` runs, as levee serve
 * is run: serve_exec.c). Reads the options, opens the audit store and the
 * policy, and runs the guard until SIGTERM or SIGINT.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "net/dbguard.h"

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: levee dbguard --listen HOST:PORT --upstream HOST:PORT\n"
      "                     (--data DIR | --store URL) [--policy FILE]\n"
      "                     [--key FILE] [--tls-cert FILE --tls-key FILE\n"
      "                     [--tls-required]]\n"
      "                     [--control PATH] [--max-connections N]\n"
      "\n"
      "A PostgreSQL guard (docs/DBGUARD.md): clients connect to it as to the\n"
      "database; it parses every statement with PostgreSQL's own parser,\n"
      "writes each into the audit trail, and lets it through, refuses it\n"
      "(SQLSTATE 42501) or holds it until a second person approves it with\n"
      "`levee approve`, as the policy's dbop.* rules say. Without rules:\n"
      "destructive statements (DROP, TRUNCATE, DELETE or UPDATE of every\n"
      "row, ALTER ... DROP, COPY ... PROGRAM, ALTER SYSTEM), privilege\n"
      "changes and dynamic SQL it cannot read are held; reads and writes of\n"
      "server files and programs, and text that does not parse, refused.\n"
      "SIGTERM or SIGINT stop it.\n"
      "\n"
      "Options:\n"
      "  --listen HOST:PORT    where clients connect (port 0: a free one,\n"
      "                        said on stderr)\n"
      "  --upstream HOST:PORT  the database; DIR:PORT for its unix socket\n"
      "                        (DIR/.s.PGSQL.PORT, as libpq names it)\n"
      "  --data DIR            the audit store (created if missing)\n"
      "  --store URL           a PostgreSQL audit store instead\n"
      "  --key FILE            the store's signing key (default: as for\n"
      "                        ingest)\n"
      "  --policy FILE         the policy (default: the embedded one); its\n"
      "                        dbop.* rules and dbguard: section\n"
      "  --tls-cert FILE       TLS for clients that ask, with this\n"
      "  --tls-key FILE        certificate and key (PEM); without them the\n"
      "                        guard answers SSLRequest with N\n"
      "  --tls-required        refuse clients that do not ask for TLS\n"
      "  --control PATH        the approvals socket (default\n"
      "                        DIR/dbguard.sock; needed with --store)\n"
      "  --max-connections N   clients at once (default %u)\n"
      "  --help                this text\n",
      LV_DBGUARD_MAX_CONNECTIONS);
}

/* "HOST:PORT" or "[V6]:PORT" into host and port (pointers into buf). */
static int split_address(const char *s, char *buf, size_t cap,
                         const char **host, const char **port) {
  size_t n = strlen(s);
  if (n >= cap)
    return -1;
  memcpy(buf, s, n + 1);
  char *colon = strrchr(buf, ':');
  if (!colon || colon == buf || !colon[1])
    return -1;
  *colon = '\0';
  *port = colon + 1;
  for (const char *p = *port; *p; p++)
    if (*p < '0' || *p > '9')
      return -1;
  if (buf[0] == '[' && colon[-1] == ']') {
    colon[-1] = '\0';
    *host = buf + 1;
  } else
    *host = buf;
  return 0;
}

int lv_cmd_dbguard(int argc, char **argv) {
  static const struct option opts[] = {
      {"listen", required_argument, NULL, 'l'},
      {"upstream", required_argument, NULL, 'u'},
      {"data", required_argument, NULL, 'd'},
      {"store", required_argument, NULL, 's'},
      {"key", required_argument, NULL, 'k'},
      {"policy", required_argument, NULL, 'p'},
      {"tls-cert", required_argument, NULL, 'c'},
      {"tls-key", required_argument, NULL, 'K'},
      {"control", required_argument, NULL, 'C'},
      {"tls-required", no_argument, NULL, 'R'},
      {"max-connections", required_argument, NULL, 'm'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *listen = NULL, *upstream = NULL, *location = NULL,
             *key_path = NULL, *policy_path = NULL, *control = NULL;
  lv_dbguard_options o = {0};
  uint64_t max_conn = 0;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'l': listen = optarg; break;
    case 'u': upstream = optarg; break;
    case 'd': location = optarg; break;
    case 's':
      if (lv_cli_store_option("dbguard", optarg, &location))
        return 2;
      break;
    case 'k': key_path = optarg; break;
    case 'p': policy_path = optarg; break;
    case 'c': o.tls_cert = optarg; break;
    case 'K': o.tls_key = optarg; break;
    case 'R': o.tls_required = 1; break;
    case 'C': control = optarg; break;
    case 'm':
      if (lv_cli_parse_count(optarg, 1000000, &max_conn) || !max_conn) {
        lv_cli_error("dbguard",
                     "--max-connections must be 1 to 1000000, "
                     "not '%s'",
                     optarg);
        return 2;
      }
      break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (optind < argc) {
    lv_cli_error("dbguard", "unexpected argument '%s'", argv[optind]);
    return 2;
  }
  if (!listen || !upstream || !location) {
    lv_cli_error("dbguard", "--listen, --upstream and --data (or --store) "
                            "are needed (levee dbguard --help)");
    return 2;
  }
  if (o.tls_required && !o.tls_cert) {
    lv_cli_error("dbguard", "--tls-required needs --tls-cert and --tls-key");
    return 2;
  }
  if (!o.tls_cert != !o.tls_key) {
    lv_cli_error("dbguard", "--tls-cert and --tls-key go together");
    return 2;
  }
  char lbuf[300], ubuf[300], cbuf[PATH_MAX];
  if (split_address(listen, lbuf, sizeof lbuf, &o.listen_host,
                    &o.listen_port)) {
    lv_cli_error("dbguard", "--listen must be HOST:PORT, not '%s'", listen);
    return 2;
  }
  if (split_address(upstream, ubuf, sizeof ubuf, &o.upstream_host,
                    &o.upstream_port)) {
    lv_cli_error("dbguard",
                 "--upstream must be HOST:PORT or DIR:PORT (a unix "
                 "socket's directory), not '%s'",
                 upstream);
    return 2;
  }
  char sockbuf[108];
  if (o.upstream_host[0] == '/') { /* as libpq: DIR/.s.PGSQL.PORT */
    if ((size_t)snprintf(sockbuf, sizeof sockbuf, "%s/.s.PGSQL.%s",
                         o.upstream_host, o.upstream_port) >= sizeof sockbuf) {
      lv_cli_error("dbguard", "--upstream: the socket's path is too long");
      return 2;
    }
    o.upstream_socket = sockbuf;
  }
  if (!control) {
    if (lv_store_is_url(location)) {
      lv_cli_error("dbguard", "with --store, name the approvals socket "
                              "with --control PATH");
      return 2;
    }
    if ((size_t)snprintf(cbuf, sizeof cbuf, "%s/dbguard.sock", location) >=
        sizeof cbuf) {
      lv_cli_error("dbguard", "the data directory's path is too long");
      return 2;
    }
    control = cbuf;
  }
  o.control_path = control;
  o.max_connections = (size_t)max_conn;

  int rc = 1;
  levee_policy *policy = NULL;
  lv_store *store = NULL;
  levee_error err = {0};
  char shown[512];
  lv_store_url_redact(location, shown, sizeof shown);
  if (lv_cli_load_policy(policy_path, &policy))
    return 2;
  lv_store_options so = {
      .location = location, .key_path = key_path, .create = 1};
  lv_store_opened info;
  if (lv_store_open(&so, &store, &info, &err)) {
    lv_cli_error(shown, "%s", err.message);
    rc = 2;
    goto out;
  }
  lv_cli_new_key_note(shown, &info);
  o.policy = policy;
  o.store = store;
  if (lv_dbguard_run(&o, &err)) {
    lv_cli_error("dbguard", "%s", err.message);
    rc = 2;
    goto out;
  }
  rc = 0;
out:
  if (store && lv_store_close(store, &err)) {
    lv_cli_error(shown, "closing: %s", err.message);
    rc = 2;
  }
  levee_policy_destroy(policy);
  return rc;
}
