/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_serve.c: `levee serve`: the daemon. Wires the policy's engine, the
 * registered documents and images of the store, the extraction pool and
 * the HTTP API (src/net/) together, then waits for SIGTERM or SIGINT, on
 * which it stops accepting, lets the requests in flight finish and exits.
 */
#include <errno.h>
#include <sodium.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/registrations.h"
#include "core/policy.h"
#include "extract/pool.h"
#include "net/alert.h"
#include "net/api.h"
#include "net/api_followup.h"
#include "net/auth.h"
#include "net/http.h"
#include "net/review_index.h"
#include "net/static_files.h"
#include "net/store_writer.h"
#include "store/accounts.h"
#include "util/error.h"
#include "util/limits.h"

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: levee serve (--data DIR | --store URL) [--listen ADDR]\n"
      "                   [--policy FILE] [--threads N] [--extract-workers N]\n"
      "                   [--tls-cert FILE --tls-key FILE] [--idle-timeout S]\n"
      "                   [--rate-limit N [--burst N]] [--key FILE]\n"
      "                   [--console-url URL] [--alert-attempts N]\n"
      "                   [--console DIR] [--dbguard-control PATH]\n"
      "\n"
      "Runs levee as a daemon with an HTTP API (docs/openapi.yaml):\n"
      "  POST /v1/inspect   one event (JSON) in, its verdict out\n"
      "  POST /v1/events    events (JSON Lines) in, stored, verdicts out\n"
      "  /v1/session, /v1/accounts, /v1/tokens   signing in; accounts\n"
      "  /v1/alerts, /v1/events/{id}, /v1/search, /v1/stats   alerts and\n"
      "                     stored events\n"
      "  /v1/policy         the policy in force; PUT puts a new one in force\n"
      "  /v1/audit, /v1/verify   the audit trail, for the auditor\n"
      "  GET  /healthz      liveness\n"
      "  GET  /metrics      Prometheus metrics\n"
      "Every /v1 route wants credentials: a session (POST /v1/session with\n"
      "an account of levee admin init) or an API token (levee admin token\n"
      "NAME). Alerts go to the sinks the policy names (docs/POLICY.md).\n"
      "Attachments come as base64 data and are read by a pool of extraction\n"
      "workers; a request waits for them at most the policy's\n"
      "attachments.timeout (docs/POLICY.md). Documents and images registered\n"
      "in the store (levee register) are found. SIGTERM or SIGINT stop it:\n"
      "no new connections, requests in flight finish.\n"
      "\n"
      "Options:\n"
      "  --data DIR          the data directory: its audit store (created\n"
      "                      if missing), the pattern cache in DIR/cache\n"
      "  --store URL         a PostgreSQL store instead\n"
      "  --key FILE          the store's signing key (default: as for ingest)\n"
      "  --listen ADDR       HOST:PORT to listen on (default 127.0.0.1:8080;\n"
      "                      port 0 picks a free one, said on stderr)\n"
      "  --policy FILE       the policy (default: the newest one put by\n"
      "                      PUT /v1/policy, else the embedded one)\n"
      "  --threads N         HTTP worker threads (default: four a CPU)\n"
      "  --extract-workers N attachment readers (default: the CPUs)\n"
      "  --tls-cert FILE     serve HTTPS with this certificate (PEM) ...\n"
      "  --tls-key FILE      ... and this key (PEM)\n"
      "  --idle-timeout S    close a connection idle this many seconds\n"
      "                      (default 30)\n"
      "  --request-timeout S a request must arrive within this many\n"
      "                      seconds, or its connection is closed\n"
      "                      (default 60)\n"
      "  --rate-limit N      requests a second each client (token, else\n"
      "                      address) may\n"
      "                      make on /v1; past it, 429 with Retry-After\n"
      "                      (default 0: no limit)\n"
      "  --burst N           how many may come at once (default: N of\n"
      "                      --rate-limit)\n"
      "  --console DIR       the web console's files, served at /\n"
      "                      (default: console/ beside levee-serve)\n"
      "  --console-url URL   alerts link to URL/#/alerts/<event id>\n"
      "  --dbguard-control PATH  the approvals socket of a levee dbguard:\n"
      "                      GET /v1/holds and POST /v1/holds/{id}/approve\n"
      "                      or /deny for the security admin (run levee\n"
      "                      serve as the guard's OS user or root)\n"
      "  --alert-attempts N  tries of one alert before it counts as\n"
      "                      undelivered (default 5, backing off from 1 s)\n"
      "  -h, --help          this help\n");
}

typedef struct serve_opts {
  const char *location, *key_path, *listen, *policy_path, *cert, *key_file;
  const char *console_url, *console_dir, *dbguard_control;
  unsigned threads, extract_workers, idle_timeout, request_timeout;
  unsigned rate, burst;
  unsigned alert_attempts;
} serve_opts;

static int number(const char *opt, const char *s, unsigned lo, unsigned hi,
                  unsigned *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || *end || end == s || v < lo || v > hi) {
    lv_cli_error("serve", "%s must be a number from %u to %u", opt, lo, hi);
    return 2;
  }
  *out = (unsigned)v;
  return 0;
}

static int parse_args(serve_opts *o, int argc, char **argv) {
  static const struct option opts[] = {
      {"data", required_argument, NULL, 'd'},
      {"store", required_argument, NULL, 'u'},
      {"key", required_argument, NULL, 'k'},
      {"listen", required_argument, NULL, 'l'},
      {"policy", required_argument, NULL, 'p'},
      {"threads", required_argument, NULL, 't'},
      {"extract-workers", required_argument, NULL, 'x'},
      {"tls-cert", required_argument, NULL, 'c'},
      {"tls-key", required_argument, NULL, 'K'},
      {"idle-timeout", required_argument, NULL, 'i'},
      {"request-timeout", required_argument, NULL, 'T'},
      {"rate-limit", required_argument, NULL, 'r'},
      {"burst", required_argument, NULL, 'b'},
      {"console-url", required_argument, NULL, 'C'},
      {"alert-attempts", required_argument, NULL, 'A'},
      {"console", required_argument, NULL, 'W'},
      {"dbguard-control", required_argument, NULL, 'G'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'd': o->location = optarg; break;
    case 'u':
      if (lv_cli_store_option("serve", optarg, &o->location))
        return 2;
      break;
    case 'k': o->key_path = optarg; break;
    case 'l': o->listen = optarg; break;
    case 'p': o->policy_path = optarg; break;
    case 't':
      if (number("--threads", optarg, 1, LV_MAX_HTTP_WORKERS, &o->threads))
        return 2;
      break;
    case 'x':
      if (number("--extract-workers", optarg, 1, LV_MAX_EXTRACT_WORKERS,
                 &o->extract_workers))
        return 2;
      break;
    case 'c': o->cert = optarg; break;
    case 'K': o->key_file = optarg; break;
    case 'i':
      if (number("--idle-timeout", optarg, 1, 3600, &o->idle_timeout))
        return 2;
      break;
    case 'T':
      if (number("--request-timeout", optarg, 1, 3600, &o->request_timeout))
        return 2;
      break;
    case 'r':
      if (number("--rate-limit", optarg, 0, 10000000, &o->rate))
        return 2;
      break;
    case 'b':
      if (number("--burst", optarg, 1, 10000000, &o->burst))
        return 2;
      break;
    case 'C': o->console_url = optarg; break;
    case 'W': o->console_dir = optarg; break;
    case 'G': o->dbguard_control = optarg; break;
    case 'A':
      if (number("--alert-attempts", optarg, 1, LV_ALERT_MAX_ATTEMPTS,
                 &o->alert_attempts))
        return 2;
      break;
    case 'h': usage(stdout); return -1;
    default: usage(stderr); return 2;
    }
  }
  if (optind < argc) {
    lv_cli_error("serve", "unexpected argument '%s'", argv[optind]);
    return 2;
  }
  if (!o->location) {
    lv_cli_error("serve", "--data DIR (or --store URL) is required");
    return 2;
  }
  if (!o->cert != !o->key_file) {
    lv_cli_error("serve", "--tls-cert and --tls-key go together");
    return 2;
  }
  char host[256];
  unsigned port;
  if (lv_http_parse_listen(o->listen, host, sizeof host, &port)) {
    lv_cli_error("serve", "--listen %s: not HOST:PORT (127.0.0.1:8080)",
                 o->listen);
    return 2;
  }
  return 0;
}

/* A PEM file's text (NUL-terminated), or NULL after saying why not. */
static char *read_pem(const char *path) {
  char *data = NULL;
  size_t len = 0;
  if (lv_cli_read_file(path, 1u << 20, &data, &len)) {
    lv_cli_error(path, "cannot read it");
    return NULL;
  }
  char *s = realloc(data, len + 1);
  if (!s) {
    free(data);
    return NULL;
  }
  s[len] = '\0';
  return s;
}

/* The policy text compiled into the library (policies/default.yaml). */
extern const unsigned char lv_data_default_policy[];
extern const size_t lv_data_default_policy_len;

/* The newest policy stored by PUT /v1/policy: its version and text. */
typedef struct stored_policy {
  lv_json_doc doc;
  lv_arena arena;
  uint64_t version;
  char *yaml;
  size_t len;
  levee_error *err;
} stored_policy;

static int on_policy(void *ud, const lv_record_head *h, levee_str detail) {
  stored_policy *sp = ud;
  static const lv_json_key keys[] = {LV_JSON_KEY("version"),
                                     LV_JSON_KEY("yaml")};
  int v[2];
  int64_t version;
  levee_str yaml;
  levee_error perr = {0};
  lv_arena_reset(&sp->arena);
  if (!detail.ptr || lv_json_parse(&sp->doc, detail.ptr, detail.len, &perr) ||
      lv_json_members(&sp->doc, 0, keys, 2, v) ||
      lv_json_int64(&sp->doc, v[0], &version) || version < 1 ||
      lv_json_string(&sp->doc, v[1], &sp->arena, &yaml))
    return lv_error_set(sp->err, LEVEE_ESTORE,
                        "record %llu is not a policy levee reads",
                        (unsigned long long)h->seq);
  char *copy = malloc(yaml.len + 1);
  if (!copy)
    return lv_error_set(sp->err, LEVEE_ENOMEM, "out of memory");
  memcpy(copy, yaml.ptr, yaml.len);
  copy[yaml.len] = '\0';
  free(sp->yaml);
  sp->yaml = copy;
  sp->len = yaml.len;
  sp->version = (uint64_t)version;
  return 0;
}

/* The policy to serve, and its text: --policy FILE, else the newest one
 * stored, else the embedded one. 0, or 2 after saying why. */
static int serve_policy(const serve_opts *o, lv_store *st,
                        levee_policy **policy, char **yaml, size_t *len,
                        uint64_t *version) {
  levee_error err = {0};
  *version = 0;
  if (o->policy_path) {
    if (lv_cli_load_policy(o->policy_path, policy))
      return 2;
    if (lv_cli_read_file(o->policy_path, LV_MAX_POLICY_BYTES, yaml, len))
      *yaml = NULL;
    return 0;
  }
  stored_policy sp = {.err = &err};
  lv_json_doc_init(&sp.doc);
  lv_arena_init(&sp.arena, (size_t)LV_MAX_POLICY_BYTES * 2);
  int rc = lv_store_each_record(st, "policy", on_policy, &sp, &err);
  lv_json_doc_cleanup(&sp.doc);
  lv_arena_cleanup(&sp.arena);
  if (rc) {
    free(sp.yaml);
    lv_cli_error("serve", "the stored policies: %s", err.message);
    return 2;
  }
  if (sp.yaml) {
    if (levee_policy_parse(sp.yaml, sp.len, "<stored policy>", NULL, NULL,
                           policy, &err)) {
      lv_cli_error("serve", "the stored policy version %llu: %s",
                   (unsigned long long)sp.version, err.message);
      free(sp.yaml);
      return 2;
    }
    *yaml = sp.yaml;
    *len = sp.len;
    *version = sp.version;
    return 0;
  }
  if (lv_cli_load_policy(NULL, policy))
    return 2;
  if ((*yaml = malloc(lv_data_default_policy_len + 1))) {
    memcpy(*yaml, lv_data_default_policy, lv_data_default_policy_len);
    (*yaml)[lv_data_default_policy_len] = '\0';
    *len = lv_data_default_policy_len;
  }
  return 0;
}

typedef struct review_load {
  lv_reviews *reviews;
  lv_json_doc doc;
  lv_arena arena;
  size_t n;
} review_load;

/* A review record into the index; one levee does not read is skipped (the
 * trail keeps it; verify checks it). */
static int on_review(void *ud, const lv_record_head *h, levee_str detail) {
  review_load *r = ud;
  static const lv_json_key keys[] = {LV_JSON_KEY("alert"),
                                     LV_JSON_KEY("decision")};
  int v[2];
  levee_str alert, decision;
  char d[16];
  levee_error perr = {0};
  lv_arena_reset(&r->arena);
  if (!detail.ptr || lv_json_parse(&r->doc, detail.ptr, detail.len, &perr) ||
      lv_json_members(&r->doc, 0, keys, 2, v) ||
      lv_json_string(&r->doc, v[0], &r->arena, &alert) ||
      lv_json_string(&r->doc, v[1], &r->arena, &decision) ||
      decision.len >= sizeof d)
    return 0;
  memcpy(d, decision.ptr, decision.len);
  d[decision.len] = '\0';
  char by[64];
  snprintf(by, sizeof by, "%.*s", (int)h->actor.len, h->actor.ptr);
  lv_reviews_put(r->reviews, alert, d, by, h->time_ms, h->seq);
  r->n++;
  return 0;
}

typedef struct loaded {
  lv_auth *auth;
  size_t accounts, tokens;
} loaded;

static int load_account(void *ud, const lv_account *a) {
  loaded *l = ud;
  l->accounts++;
  return lv_auth_put_account(l->auth, a);
}

static int load_token(void *ud, const lv_api_token *t) {
  loaded *l = ud;
  l->tokens += !t->revoked;
  return lv_auth_put_token(l->auth, t);
}

#define SERVE_READERS 4

/* The console's files: --console DIR, else console/ beside this binary
 * (where the build puts them), else none. 0, or 2 after saying why. */
static int load_console(const serve_opts *o, lv_static **out) {
  char dir[4096];
  levee_error err = {0};
  *out = NULL;
  if (o->console_dir) {
    snprintf(dir, sizeof dir, "%s", o->console_dir);
  } else {
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    char *slash = n > 0 ? (dir[n] = '\0', strrchr(dir, '/')) : NULL;
    if (!slash || (size_t)(slash - dir) + sizeof "/console" > sizeof dir)
      return 0;
    strcpy(slash, "/console");
  }
  int rc = lv_static_load(dir, out, &err);
  if (rc == LEVEE_ENOTFOUND && !o->console_dir) {
    fprintf(stderr, "levee: serve: no console at %s (the API only)\n", dir);
    return 0;
  }
  if (rc) {
    lv_cli_error("serve", "the console: %s", err.message);
    return 2;
  }
  fprintf(stderr, "levee: serve: console: %s (%zu files)\n", dir,
          lv_static_count(*out));
  return 0;
}

int lv_cmd_serve(int argc, char **argv) {
  serve_opts o = {.listen = "127.0.0.1:8080",
                  .idle_timeout = LV_HTTP_IDLE_TIMEOUT_S};
  int rc = parse_args(&o, argc, argv);
  if (rc)
    return rc < 0 ? 0 : rc;

  /* Signals are taken by sigwait below: blocked before any thread starts,
   * so every thread inherits the mask. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);

  int status = 2;
  levee_policy *policy = NULL;
  levee_engine *engine = NULL;
  levee_registry *registry = NULL;
  lv_extract_pool *pool = NULL;
  lv_api *api = NULL;
  lv_rate_limit *limit = NULL;
  lv_http_server *server = NULL;
  lv_store *store = NULL, *readers[SERVE_READERS] = {0};
  lv_store_writer *writer = NULL;
  lv_followups *followups = NULL;
  lv_alerts *alerts = NULL;
  lv_static *console = NULL;
  lv_auth *auth = NULL;
  lv_reviews *reviews = NULL;
  char *cert = NULL, *key = NULL, *yaml = NULL;
  size_t yaml_len = 0;
  uint64_t version = 0;
  uint8_t public_key[32];
  levee_error err = {0};
  char shown[512];
  lv_store_url_redact(o.location, shown, sizeof shown);
  levee_cache_ops cache;
  memset(&cache, 0, sizeof cache);
  lv_cli_cache_init(&cache, lv_store_is_url(o.location) ? NULL : o.location);

  /* The audit store: one writer, and readers for the queries. */
  lv_store_options so = {
      .location = o.location, .key_path = o.key_path, .create = 1};
  lv_store_opened info;
  if (lv_store_open(&so, &store, &info, &err)) {
    lv_cli_error(shown, "%s", err.message);
    goto out;
  }
  lv_cli_new_key_note(shown, &info);
  sodium_hex2bin(public_key, sizeof public_key, info.public_key, 64, NULL, NULL,
                 NULL);
  for (size_t i = 0; i < SERVE_READERS; i++) {
    lv_store_options ro = {.location = o.location,
                           .key_path = o.key_path,
                           .read_only = 1,
                           .public_key = public_key};
    if (lv_store_open(&ro, &readers[i], NULL, &err)) {
      lv_cli_error(shown, "a reader: %s", err.message);
      goto out;
    }
  }
  if (serve_policy(&o, store, &policy, &yaml, &yaml_len, &version))
    goto out;
  rc = levee_engine_compile(policy, cache.version ? &cache : NULL, &engine,
                            &err);
  if (rc) {
    lv_cli_error("policy", "%s", err.message);
    goto out;
  }
  if (lv_cli_registry_load(store, NULL, NULL, &registry, &err)) {
    lv_cli_error(shown, "registered documents and images: %s", err.message);
    goto out;
  }
  loaded l = {0};
  if ((rc = lv_auth_new(&auth))) {
    lv_cli_error("serve", "%s", levee_strerror(rc));
    goto out;
  }
  l.auth = auth;
  if ((rc = lv_accounts_each(store, load_account, &l, &err)) ||
      (rc = lv_api_tokens_each(store, load_token, &l, &err))) {
    lv_cli_error(shown, "accounts: %s",
                 err.message[0] ? err.message : levee_strerror(rc));
    goto out;
  }
  review_load rl = {0};
  if ((rc = lv_reviews_new(&reviews))) {
    lv_cli_error("serve", "%s", levee_strerror(rc));
    goto out;
  }
  rl.reviews = reviews;
  lv_json_doc_init(&rl.doc);
  lv_arena_init(&rl.arena, 1u << 20);
  rc = lv_store_each_record(store, "review", on_review, &rl, &err);
  lv_json_doc_cleanup(&rl.doc);
  lv_arena_cleanup(&rl.arena);
  if (rc) {
    lv_cli_error(shown, "reviews: %s", err.message);
    goto out;
  }
  if (load_console(&o, &console))
    goto out;
  if (o.cert && (!(cert = read_pem(o.cert)) || !(key = read_pem(o.key_file))))
    goto out;
  lv_extract_pool_options po = {.workers = o.extract_workers};
  if ((rc = lv_extract_pool_new(&po, &pool))) {
    lv_cli_error("serve", "cannot start the extraction workers: %s",
                 levee_strerror(rc));
    goto out;
  }
  if ((rc = lv_rate_limit_new(o.rate, o.burst ? o.burst : o.rate, &limit))) {
    lv_cli_error("serve", "%s", levee_strerror(rc));
    goto out;
  }
  lv_alerts_options alo = {.console_url = o.console_url,
                           .max_attempts = o.alert_attempts};
  if ((rc = lv_alerts_new(&alo, policy, &alerts))) {
    lv_cli_error("serve", "cannot start the alert sinks: %s",
                 rc == LEVEE_EINVAL
                     ? "--console-url: not an http(s) URL levee takes"
                     : levee_strerror(rc));
    goto out;
  }
  lv_api_options ao = {.policy = policy,
                       .engine = engine,
                       .policy_version = version,
                       .policy_yaml = yaml,
                       .policy_yaml_len = yaml_len,
                       .cache = cache.version ? &cache : NULL,
                       .registry = registry,
                       .pool = pool,
                       .limit = limit,
                       .auth = auth,
                       .readers = readers,
                       .n_readers = SERVE_READERS,
                       .public_key = public_key,
                       .reviews = reviews,
                       .alerts = alerts,
                       .console = console,
                       .dbguard_control = o.dbguard_control};
  if ((rc = lv_api_new(&ao, &api))) {
    lv_cli_error("serve", "%s", levee_strerror(rc));
    goto out;
  }
  lv_store_writer_options wo = {.store = store,
                                .tick = lv_api_write_counts,
                                .tick_ud = api,
                                .tick_ms = 60000};
  if ((rc = lv_store_writer_start(&wo, &writer))) {
    lv_cli_error("serve", "cannot start the store's writer: %s",
                 levee_strerror(rc));
    goto out;
  }
  lv_api_set_writer(api, writer);
  if ((rc = lv_followups_new(api, &followups))) {
    lv_cli_error("serve", "cannot start the follow-up worker: %s",
                 levee_strerror(rc));
    goto out;
  }
  lv_api_set_followups(api, followups);
  lv_http_options ho = {.listen = o.listen,
                        .threads = o.threads,
                        .max_body = LV_MAX_REQUEST_BYTES,
                        .timeout_s = o.idle_timeout,
                        .request_s = o.request_timeout,
                        .max_connections = LV_HTTP_MAX_CONNECTIONS,
                        .per_ip_connections = LV_HTTP_MAX_PER_ADDRESS,
                        .tls_cert = cert,
                        .tls_key = key};
  if (lv_http_start(&ho, lv_api_handle, api, &server, &err)) {
    lv_cli_error("serve", "%s", err.message);
    goto out;
  }
  char host[256];
  unsigned port;
  (void)lv_http_parse_listen(o.listen, host, sizeof host, &port);
  char which[300];
  if (o.policy_path)
    snprintf(which, sizeof which, "%s", o.policy_path);
  else if (version)
    snprintf(which, sizeof which, "stored version %llu",
             (unsigned long long)version);
  else
    snprintf(which, sizeof which, "the embedded one");
  fprintf(stderr,
          "levee: serve: listening on %s://%s%s%s:%u (policy: %s; %zu "
          "accounts, %zu tokens; %zu documents and %zu images registered)\n",
          cert ? "https" : "http", strchr(host, ':') ? "[" : "", host,
          strchr(host, ':') ? "]" : "", lv_http_port(server), which, l.accounts,
          l.tokens, registry ? levee_registry_documents(registry) : 0,
          registry ? levee_registry_images(registry) : 0);
  if (!l.accounts && !l.tokens)
    fprintf(stderr, "levee: serve: no accounts yet: make them with levee "
                    "admin init\n");
  int sig = 0;
  while (sigwait(&stop, &sig) != 0)
    ;
  fprintf(stderr,
          "levee: serve: %s: no new connections; finishing the requests in "
          "flight\n",
          sig == SIGTERM ? "SIGTERM" : "SIGINT");
  status = 0;
out:
  lv_http_stop(server);         /* before the pool and the api it calls */
  lv_store_writer_stop(writer); /* writes what is queued, and the counts */
  lv_extract_pool_free(pool);
  lv_api_free(api);
  lv_rate_limit_free(limit);
  lv_auth_free(auth);
  lv_reviews_free(reviews);
  lv_static_free(console);
  levee_registry_unref(registry);
  levee_engine_unref(engine);
  levee_policy_destroy(policy);
  for (size_t i = 0; i < SERVE_READERS; i++)
    (void)lv_store_close(readers[i], &err);
  if (store && lv_store_close(store, &err)) {
    lv_cli_error(shown, "the last checkpoint: %s", err.message);
    status = 2;
  }
  lv_cli_cache_free(&cache);
  free(cert);
  free(key);
  free(yaml);
  if (status == 0)
    fprintf(stderr, "levee: serve: stopped; the audit store is checkpointed\n");
  return status;
}
