/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbguard.c: the database guard's server (dbguard.h): the event loop, the
 * listener, the approvals socket, signals, and the audit writer's wake-ups.
 * Each connection's flow is in dbguard_conn.c.
 */
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/alert.h"
#include "net/dbguard_int.h"
#include "util/error.h"

static void on_connection(uv_stream_t *listener, int status) {
  dbg_server *srv = listener->data;
  if (status < 0) {
    dbg_log("accept: %s", uv_strerror(status));
    return;
  }
  dbg_conn_accept(srv);
}

/* The audit writer committed (its thread): the loop looks at who waited. */
static void audit_notify(void *ud) {
  dbg_server *srv = ud;
  uv_async_send(&srv->audit_wake);
}

static void on_audit_wake(uv_async_t *a) {
  dbg_server *srv = a->data;
  int busy = lv_dbguard_audit_busy(srv->audit);
  if (busy != srv->paused_for_audit) {
    srv->paused_for_audit = busy;
    if (busy)
      dbg_log("the audit trail is behind: clients wait until it catches up");
  }
  for (dbg_conn *c = srv->conns, *next; c; c = next) {
    next = c->next;
    dbg_conn_audit_progress(c);
    dbg_conn_set_reading(c, 1);
  }
}

static void close_walk(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

static void on_signal(uv_signal_t *s, int signum) {
  dbg_server *srv = s->data;
  if (srv->stopping)
    return;
  srv->stopping = 1;
  dbg_log("%s: stopping", signum == SIGTERM ? "SIGTERM" : "SIGINT");
  uv_close((uv_handle_t *)&srv->listener, NULL);
  dbg_control_stop(srv);
  for (dbg_conn *c = srv->conns, *next; c; c = next) {
    next = c->next;
    dbg_conn_close(c);
  }
  uv_signal_stop(&srv->sigterm);
  uv_signal_stop(&srv->sigint);
  uv_close((uv_handle_t *)&srv->sigterm, NULL);
  uv_close((uv_handle_t *)&srv->sigint, NULL);
  uv_close((uv_handle_t *)&srv->audit_wake, NULL);
}

static int resolve(const char *host, const char *port,
                   struct sockaddr_storage *out, levee_error *err) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  struct addrinfo *res = NULL;
  int rc = getaddrinfo(host, port, &hints, &res);
  if (rc || !res)
    return lv_error_set(err, LEVEE_EINVAL, "%s:%s: %s", host, port,
                        gai_strerror(rc));
  memcpy(out, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  return LEVEE_OK;
}

int lv_dbguard_run(const lv_dbguard_options *o, levee_error *err) {
  dbg_server *srv = calloc(1, sizeof *srv);
  if (!srv)
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  srv->o = o;
  srv->policy = o->policy;
  lv_buf_init(&srv->record, DBG_RECORD_TEXT_MAX * 6 + 4096);
  srv->sql_cache = lv_sql_cache_new();
  if (!srv->sql_cache) {
    free(srv);
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  }
  int rc = LEVEE_OK, loop_open = 0;
  struct sockaddr_storage listen_addr;
  srv->upstream_socket = o->upstream_socket;
  if ((!o->upstream_socket && (rc = resolve(o->upstream_host, o->upstream_port,
                                            &srv->upstream, err))) ||
      (rc = resolve(o->listen_host, o->listen_port, &listen_addr, err)))
    goto out;
  if (o->tls_cert &&
      (rc = dbg_tls_context(o->tls_cert, o->tls_key, &srv->tls, err)))
    goto out;
  if (o->policy->alerts.n_sinks &&
      (rc = lv_alerts_new(NULL, o->policy, &srv->alerts))) {
    lv_error_set(err, rc, "cannot start the alert sinks");
    goto out;
  }
  if (uv_loop_init(&srv->loop)) {
    rc = lv_error_set(err, LEVEE_EIO, "cannot start the event loop");
    goto out;
  }
  loop_open = 1;
  uv_async_init(&srv->loop, &srv->audit_wake, on_audit_wake);
  srv->audit_wake.data = srv;
  if ((rc = lv_dbguard_audit_start(o->store, audit_notify, srv, &srv->audit))) {
    lv_error_set(err, rc, "cannot start the audit writer");
    uv_close((uv_handle_t *)&srv->audit_wake, NULL);
    goto out;
  }
  uv_tcp_init(&srv->loop, &srv->listener);
  srv->listener.data = srv;
  int e = uv_tcp_bind(&srv->listener, (const struct sockaddr *)&listen_addr, 0);
  if (!e)
    e = uv_listen((uv_stream_t *)&srv->listener, 511, on_connection);
  if (e) {
    rc = lv_error_set(err, LEVEE_EIO, "cannot listen on %s:%s: %s",
                      o->listen_host, o->listen_port, uv_strerror(e));
    uv_close((uv_handle_t *)&srv->listener, NULL);
    uv_close((uv_handle_t *)&srv->audit_wake, NULL);
    goto out;
  }
  if ((rc = dbg_control_start(srv, err))) {
    uv_close((uv_handle_t *)&srv->listener, NULL);
    uv_close((uv_handle_t *)&srv->audit_wake, NULL);
    dbg_control_stop(srv);
    goto out;
  }
  uv_signal_init(&srv->loop, &srv->sigterm);
  uv_signal_init(&srv->loop, &srv->sigint);
  srv->sigterm.data = srv->sigint.data = srv;
  uv_signal_start(&srv->sigterm, on_signal, SIGTERM);
  uv_signal_start(&srv->sigint, on_signal, SIGINT);
  signal(SIGPIPE, SIG_IGN);

  struct sockaddr_storage bound;
  int blen = sizeof bound;
  char host[64] = "?";
  int port = 0;
  if (!uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&bound, &blen)) {
    if (bound.ss_family == AF_INET) {
      uv_ip4_name((struct sockaddr_in *)&bound, host, sizeof host);
      port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    } else {
      uv_ip6_name((struct sockaddr_in6 *)&bound, host, sizeof host);
      port = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    }
  }
  char db[300];
  if (o->upstream_socket)
    snprintf(db, sizeof db, "%s", o->upstream_socket);
  else
    snprintf(db, sizeof db, "%s:%s", o->upstream_host, o->upstream_port);
  dbg_log("listening on %s:%d, database at %s, approvals at %s%s", host, port,
          db, o->control_path, srv->tls ? ", TLS for clients that ask" : "");
  if (!srv->policy->dbguard.approvers.n)
    dbg_log("note: the policy names no dbguard.approvers: any local user who "
            "can reach %s, but a statement's own database user, may approve "
            "its hold",
            o->control_path);
  uv_run(&srv->loop, UV_RUN_DEFAULT);
  lv_sql_cache_stats cs;
  lv_sql_cache_stats_get(srv->sql_cache, &cs);
  dbg_log("stopped: %llu statements classified, %llu of them by their "
          "shape from the cache",
          (unsigned long long)cs.hits + cs.misses + cs.other,
          (unsigned long long)cs.hits);

out:
  if (srv->audit) {
    lv_dbguard_audit_stop(srv->audit);
    srv->audit = NULL;
  }
  if (loop_open) {
    uv_walk(&srv->loop, close_walk, NULL);
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    uv_loop_close(&srv->loop);
  }
  if (srv->alerts) /* what is queued gets five seconds to go out */
    lv_alerts_free(srv->alerts, 5000);
  if (srv->tls)
    SSL_CTX_free(srv->tls);
  lv_buf_cleanup(&srv->record);
  lv_sql_cache_free(srv->sql_cache);
  free(srv);
  return rc;
}
