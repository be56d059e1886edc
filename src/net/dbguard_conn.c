/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbguard_conn.c: one connection through the database guard.
 *
 * The flow: the client's startup packet (SSLRequest: TLS or 'N';
 * GSSENCRequest: 'N'; CancelRequest: to the session it names), the policy's
 * say on who connects (dbop.connect), a connection to the database with
 * the same startup packet, authentication passed through (MD5, SCRAM; the
 * channel binding that a proxy cannot carry refused with a message), the
 * server's cancel key swapped for the guard's own; then statements.
 *
 * Each client message is taken whole, in order, from the client's buffer.
 * A Query or Parse is classified (src/sql/) and decided (the policy's
 * database rules). What is let through is forwarded as it came. What is
 * refused is recorded first and then sent to the server as a text that
 * cannot parse (a "sentinel" with a token of its own): the server answers
 * it as it would the refused statement, with an ErrorResponse, so that a
 * transaction block fails, an extended-protocol batch is discarded up to
 * its Sync and ReadyForQuery carries the status the server really has;
 * the guard replaces that error by its own (42501, naming levee and the
 * rule). A held message waits at the head of the buffer, and everything
 * the client sends after it waits behind it, until it is approved (then it
 * goes as it came), refused, timed out or cancelled (then as a sentinel).
 *
 * The server's messages are framed and passed on; the guard reads the few
 * it needs: CommandComplete and ErrorResponse for the audit records (rows,
 * duration, SQLSTATE), ReadyForQuery, ParameterStatus (client_encoding and
 * standard_conforming_strings change how the next text lexes),
 * Authentication and BackendKeyData while connecting. Large messages it
 * does not read pass through in pieces.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "net/dbguard_int.h"

static void on_client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b);
static void on_server_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b);
static void flush(dbg_conn *c);
static void process_client(dbg_conn *c);
static void process_server(dbg_conn *c);

/* --- small things --------------------------------------------------------- */

static void copy_str(char *dst, size_t cap, const char *s, size_t n) {
  if (n >= cap)
    n = cap - 1;
  memcpy(dst, s, n);
  dst[n] = '\0';
}

static void decision_clear(dbg_decision *d) {
  if (d->have_res)
    lv_sql_result_free(&d->res);
  memset(d, 0, sizeof *d);
}

static void pending_free(dbg_pending *p) {
  lv_sql_result_free(&p->res);
  free(p->text);
  free(p);
}

static void sentinel_free(dbg_sentinel *s) {
  free(s->message);
  free(s->detail);
  free(s->hint);
  free(s);
}

static dbg_stmt *stmt_find(dbg_conn *c, const char *name, size_t n) {
  for (dbg_stmt *s = c->stmts; s; s = s->next)
    if (strlen(s->name) == n && !memcmp(s->name, name, n))
      return s;
  return NULL;
}

static void stmt_drop(dbg_conn *c, const char *name, size_t n) {
  for (dbg_stmt **pp = &c->stmts; *pp; pp = &(*pp)->next) {
    dbg_stmt *s = *pp;
    if (strlen(s->name) == n && !memcmp(s->name, name, n)) {
      for (dbg_portal *p = c->portals; p; p = p->next)
        if (p->stmt == s)
          p->stmt = NULL;
      *pp = s->next;
      free(s->name);
      free(s->text);
      free(s);
      c->n_named--;
      return;
    }
  }
}

static void stmt_drop_all(dbg_conn *c) {
  while (c->stmts)
    stmt_drop(c, c->stmts->name, strlen(c->stmts->name));
}

/* Adds (or, for the unnamed statement, replaces) a statement let through. */
static void stmt_add(dbg_conn *c, const char *name, size_t n, const char *text,
                     size_t len, unsigned ops, uint64_t fp, levee_action a,
                     const char *rule, const char *reason) {
  if (n == 0)
    stmt_drop(c, "", 0);
  else if (stmt_find(c, name, n))
    return; /* the server refuses a second one of that name */
  if (c->n_named >= DBG_MAX_NAMED)
    return;
  dbg_stmt *s = calloc(1, sizeof *s);
  if (!s)
    return;
  s->name = strndup(name, n);
  s->text = strndup(text, len);
  if (!s->name || !s->text) {
    free(s->name);
    free(s->text);
    free(s);
    return;
  }
  s->len = len;
  s->ops = ops;
  s->fingerprint = fp;
  s->action = a;
  snprintf(s->rule, sizeof s->rule, "%s", rule ? rule : "");
  snprintf(s->reason, sizeof s->reason, "%s", reason ? reason : "");
  s->next = c->stmts;
  c->stmts = s;
  c->n_named++;
}

static void portal_drop(dbg_conn *c, const char *name, size_t n) {
  for (dbg_portal **pp = &c->portals; *pp; pp = &(*pp)->next) {
    dbg_portal *p = *pp;
    if (strlen(p->name) == n && !memcmp(p->name, name, n)) {
      *pp = p->next;
      free(p->name);
      free(p);
      c->n_named--;
      return;
    }
  }
}

static dbg_portal *portal_find(dbg_conn *c, const char *name, size_t n);

static void portal_set(dbg_conn *c, const char *name, size_t n,
                       dbg_stmt *stmt) {
  dbg_portal *old = portal_find(c, name, n);
  if (old) { /* a Bind replaces the portal of that name */
    old->stmt = stmt;
    return;
  }
  if (c->n_named >= DBG_MAX_NAMED)
    return;
  dbg_portal *p = calloc(1, sizeof *p);
  if (!p || !(p->name = strndup(name, n))) {
    free(p);
    return;
  }
  p->stmt = stmt;
  p->next = c->portals;
  c->portals = p;
  c->n_named++;
}

static dbg_portal *portal_find(dbg_conn *c, const char *name, size_t n) {
  for (dbg_portal *p = c->portals; p; p = p->next)
    if (strlen(p->name) == n && !memcmp(p->name, name, n))
      return p;
  return NULL;
}

static void pending_push(dbg_conn *c, dbg_pending *p) {
  p->started_ns = dbg_mono_ns();
  if (c->pend_tail)
    c->pend_tail->next = p;
  else
    c->pend_head = p;
  c->pend_tail = p;
}

static dbg_pending *pending_pop(dbg_conn *c) {
  dbg_pending *p = c->pend_head;
  if (p) {
    c->pend_head = p->next;
    if (!c->pend_head)
      c->pend_tail = NULL;
  }
  return p;
}

/* --- writing ------------------------------------------------------------ */

static int send_client(dbg_conn *c, int rc) {
  if (rc) {
    dbg_log("connection %u: %s", c->id, "cannot build a message");
    dbg_conn_close(c);
    return -1;
  }
  return 0;
}

/* A FATAL error to the client, then the end of the connection. */
static void fatal(dbg_conn *c, const char *sqlstate, const char *message,
                  const char *hint) {
  if (!lv_pg_build_error(&c->cout, "FATAL", sqlstate, message, NULL, hint))
    flush(c);
  c->phase = PH_CLOSING;
  if (c->reading_client) {
    uv_read_stop((uv_stream_t *)&c->client);
    c->reading_client = 0;
  }
  /* closed once the error is written (on_client_write) */
  if (!c->cwriting)
    dbg_conn_close(c);
}

static void on_client_write(uv_write_t *w, int status) {
  dbg_conn *c = w->data;
  c->cwriting = 0;
  lv_buf_reset(&c->cflight);
  if (status < 0 || c->phase == PH_CLOSING) {
    dbg_conn_close(c);
    return;
  }
  flush(c);
  /* the server's side may be read again */
  if (!c->reading_server && c->server_started && c->phase >= PH_AUTH &&
      c->cout.len < DBG_WRITE_HIGH) {
    if (!uv_read_start((uv_stream_t *)&c->server.tcp, NULL, on_server_read))
      c->reading_server = 1;
  }
}

static void on_server_write(uv_write_t *w, int status) {
  dbg_conn *c = w->data;
  c->swriting = 0;
  lv_buf_reset(&c->sflight);
  if (status < 0) {
    dbg_conn_close(c);
    return;
  }
  flush(c);
  if (c->sout.len < DBG_WRITE_HIGH)
    dbg_conn_set_reading(c, 1);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *b);

/* Writes what src holds to s: at once as far as the socket takes it
 * (uv_try_write: no write request, no change to the poll set, which a
 * uv_write costs in an epoll_ctl), the rest through uv_write from flight,
 * *writing set until cb. Returns 0 or -1. */
static int send_now(dbg_conn *c, uv_stream_t *s, lv_buf *src, lv_buf *flight,
                    uv_write_t *req, int *writing, uv_write_cb cb) {
  size_t off = 0;
  uv_buf_t b = uv_buf_init(src->data, (unsigned)src->len);
  int n = uv_try_write(s, &b, 1);
  if (n > 0)
    off = (size_t)n;
  else if (n < 0 && n != UV_EAGAIN)
    return -1;
  if (off < src->len) {
    lv_buf_reset(flight);
    if (lv_buf_append(flight, src->data + off, src->len - off))
      return -1;
    b = uv_buf_init(flight->data, (unsigned)flight->len);
    req->data = c;
    if (uv_write(req, s, &b, 1, cb))
      return -1;
    *writing = 1;
  }
  lv_buf_reset(src);
  return 0;
}

static void flush(dbg_conn *c) {
  if (c->phase == PH_CLOSING && !c->cout.len && !c->cwriting)
    return;
  if (!c->cwriting &&
      (c->cout.len || (c->ssl && BIO_ctrl_pending(SSL_get_wbio(c->ssl))))) {
    /* TLS: encrypted into craw first */
    lv_buf *src = &c->cout;
    if (c->ssl) {
      if (dbg_tls_output(c, &c->craw)) {
        dbg_conn_close(c);
        return;
      }
      src = &c->craw;
    }
    if (src->len && send_now(c, (uv_stream_t *)&c->client, src, &c->cflight,
                             &c->cwrite, &c->cwriting, on_client_write)) {
      dbg_conn_close(c);
      return;
    }
  }
  if (!c->swriting && c->sout.len && c->server_started &&
      c->phase != PH_CONNECTING &&
      send_now(c, (uv_stream_t *)&c->server.tcp, &c->sout, &c->sflight,
               &c->swrite, &c->swriting, on_server_write))
    dbg_conn_close(c);
}

/* --- closing -------------------------------------------------------------- */

static void conn_free(dbg_conn *c) {
  decision_clear(&c->dec);
  stmt_drop_all(c);
  while (c->portals)
    portal_drop(c, c->portals->name, strlen(c->portals->name));
  dbg_pending *p;
  while ((p = pending_pop(c)))
    pending_free(p);
  while (c->sentinels) {
    dbg_sentinel *s = c->sentinels;
    c->sentinels = s->next;
    sentinel_free(s);
  }
  if (c->ssl)
    SSL_free(c->ssl);
  lv_buf_cleanup(&c->cin);
  lv_buf_cleanup(&c->sin);
  lv_buf_cleanup(&c->cout);
  lv_buf_cleanup(&c->sout);
  lv_buf_cleanup(&c->cflight);
  lv_buf_cleanup(&c->sflight);
  lv_buf_cleanup(&c->craw);
  free(c->startup);
  free(c);
}

static void on_handle_closed(uv_handle_t *h) {
  dbg_conn *c = h->data;
  if (--c->handles_open == 0)
    conn_free(c);
}

void dbg_conn_close(dbg_conn *c) {
  if (c->phase == PH_CLOSED)
    return;
  c->phase = PH_CLOSED; /* no more callbacks act */
  dbg_server *srv = c->srv;
  if (c->prev)
    c->prev->next = c->next;
  else
    srv->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  srv->n_conns--;
  if (c->dec.state == DEC_HOLD)
    dbg_hold_end(c, 0, NULL, "57P01", "the client went away", "abandoned");
  if (c->hold_timer_init) {
    c->handles_open++;
    uv_close((uv_handle_t *)&c->hold_timer, on_handle_closed);
  }
  uv_close((uv_handle_t *)&c->client, on_handle_closed);
  if (c->server_started)
    uv_close((uv_handle_t *)&c->server.tcp, on_handle_closed);
}

/* --- reading ------------------------------------------------------------- */

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *b) {
  dbg_conn *c = h->data;
  lv_buf *in = h == (uv_handle_t *)&c->client && !c->ssl ? &c->cin : &c->sin;
  static char tls_raw[65536];
  if (h == (uv_handle_t *)&c->client && c->ssl) {
    /* TLS records are decrypted from here into cin. */
    *b = uv_buf_init(tls_raw, sizeof tls_raw);
    return;
  }
  (void)suggested;
  if (lv_buf_reserve(in, 65536)) {
    *b = uv_buf_init(NULL, 0);
    return;
  }
  *b = uv_buf_init(in->data + in->len, (unsigned)(in->cap - in->len));
}

void dbg_conn_set_reading(dbg_conn *c, int on) {
  if (c->phase >= PH_CLOSING)
    return;
  /* While a message waits (a hold), the client is still read, so that
   * its going away is seen, up to a bound. */
  int want = on && !c->srv->paused_for_audit && c->sout.len < DBG_WRITE_HIGH &&
             (c->dec.state == DEC_NONE || c->cin.len - c->cin_pos < (1u << 20));
  if (want && !c->reading_client) {
    if (!uv_read_start((uv_stream_t *)&c->client, alloc_cb, on_client_read))
      c->reading_client = 1;
  } else if (!want && c->reading_client) {
    uv_read_stop((uv_stream_t *)&c->client);
    c->reading_client = 0;
  }
}

static void on_client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  dbg_conn *c = s->data;
  if (n == 0)
    return;
  if (n < 0) {
    dbg_conn_close(c);
    return;
  }
  if (c->ssl) {
    if (dbg_tls_input(c, b->base, (size_t)n)) {
      dbg_conn_close(c);
      return;
    }
    flush(c); /* the handshake's answers */
  } else {
    c->cin.len += (size_t)n;
  }
  process_client(c);
}

static void on_server_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  dbg_conn *c = s->data;
  (void)b;
  if (n == 0)
    return;
  if (n < 0) {
    if (c->phase != PH_CLOSING && c->pend_head)
      dbg_log("connection %u: the database closed the connection", c->id);
    /* what the server said last (a FATAL error) reaches the client */
    if (c->cout.len || c->cwriting) {
      c->phase = PH_CLOSING;
      flush(c);
      if (!c->cwriting)
        dbg_conn_close(c);
    } else
      dbg_conn_close(c);
    return;
  }
  c->sin.len += (size_t)n;
  process_server(c);
}

/* --- the policy ------------------------------------------------------------
 */

/* The time rules are matched at. Debug builds (the test build) read it
 * from the file LEVEE_TEST_NOW_FILE names (seconds since the epoch) when
 * it is set, at each decision, so that tests of time-of-day rules can move
 * it; release builds have no such switch. */
static time_t guard_now(void) {
#ifdef LEVEE_TEST_CLOCK
  const char *path = getenv("LEVEE_TEST_NOW_FILE");
  FILE *f = path && *path ? fopen(path, "r") : NULL;
  if (f) {
    char line[32];
    char *end = NULL;
    long long v = 0;
    if (fgets(line, sizeof line, f))
      v = strtoll(line, &end, 10);
    fclose(f);
    if (end && end != line)
      return (time_t)v;
  }
#endif
  return time(NULL);
}

static void db_context(dbg_conn *c, lv_db_context *x) {
  time_t now = guard_now();
  struct tm tm;
  localtime_r(&now, &tm);
  x->user = c->user;
  x->database = c->database;
  x->address = c->have_addr ? c->addr16 : NULL;
  x->minute_of_day = tm.tm_hour * 60 + tm.tm_min;
  x->weekday = (tm.tm_wday + 6) % 7;
}

static levee_action decide(dbg_conn *c, const char *const *cats, size_t n,
                           char *rule, size_t rule_cap, char *category,
                           size_t cat_cap) {
  lv_db_context x;
  db_context(c, &x);
  const lv_rule *r = NULL;
  const char *cat = NULL;
  levee_action a = lv_policy_db_action(c->srv->policy, &x, cats, n, &r, &cat);
  snprintf(rule, rule_cap, "%s", r ? r->id : "");
  snprintf(category, cat_cap, "%s", cat ? cat : "");
  return a;
}

/* --- the startup phase ---------------------------------------------------- */

static void on_server_connect(uv_connect_t *req, int status);

/* A boolean startup value that says no, as PostgreSQL reads it. */
static int is_false(const char *v) {
  static const char *const no[] = {"false", "off", "no", "0", "f", "n"};
  for (size_t i = 0; i < sizeof no / sizeof *no; i++)
    if (!strcasecmp(v, no[i]))
      return 1;
  return 0;
}

static void startup_message(dbg_conn *c, const lv_pg_msg *m,
                            const lv_pg_startup *st) {
  if (st->major != 3) {
    fatal(c, "0A000", "levee dbguard: unsupported frontend protocol", NULL);
    return;
  }
  if (c->srv->o->tls_required && !c->ssl) {
    dbg_record_connection(c, "refused", "no TLS", "");
    fatal(c, "28000",
          "levee dbguard: TLS is required: connect with sslmode=require (or "
          "verify-full)",
          NULL);
    return;
  }
  if (!st->user.ptr || !st->user.len) {
    fatal(c, "28000",
          "levee dbguard: no PostgreSQL user name specified in "
          "startup packet",
          NULL);
    return;
  }
  copy_str(c->user, sizeof c->user, st->user.ptr, st->user.len);
  if (st->database.ptr && st->database.len)
    copy_str(c->database, sizeof c->database, st->database.ptr,
             st->database.len);
  else
    snprintf(c->database, sizeof c->database, "%s", c->user);
  if (st->application_name.ptr)
    copy_str(c->application, sizeof c->application, st->application_name.ptr,
             st->application_name.len);
  if (st->client_encoding.ptr)
    copy_str(c->client_encoding, sizeof c->client_encoding,
             st->client_encoding.ptr, st->client_encoding.len);
  if (st->replication.ptr && !is_false(st->replication.ptr)) {
    dbg_record_connection(c, "refused", "replication connection", "");
    dbg_log("connection %u: %s@%s from %s: replication refused", c->id, c->user,
            c->database, c->client_addr);
    fatal(c, "28000",
          "levee dbguard: replication connections are refused: the guard "
          "passes statements, not a copy of the database",
          NULL);
    return;
  }
  /* Options that reach the server's settings (-c role=..., -c
   * session_authorization=...) would change who runs the statements
   * without a statement the guard sees. */
  if (st->options.ptr && st->options.len) {
    dbg_record_connection(c, "refused", "startup options", "");
    fatal(c, "28000",
          "levee dbguard: startup options (PGOPTIONS) are refused: set "
          "settings with SET, which the guard sees",
          NULL);
    return;
  }
  for (size_t i = 0; i < st->nparams; i++) {
    const char *name = st->params[i].name.ptr;
    if (!strcmp(name, "role") || !strcmp(name, "session_authorization")) {
      dbg_record_connection(c, "refused", "startup parameter role", "");
      fatal(c, "28000",
            "levee dbguard: a role in the startup packet is refused", NULL);
      return;
    }
  }
  const char *cat = "dbop.connect";
  char rule[64], category[32];
  levee_action a =
      decide(c, &cat, 1, rule, sizeof rule, category, sizeof category);
  if (a >= LEVEE_ACTION_HOLD) {
    dbg_record_connection(c, "refused", "policy", rule);
    dbg_log("connection %u: %s@%s from %s refused by rule %s", c->id, c->user,
            c->database, c->client_addr, rule[0] ? rule : "(default)");
    char msg[300];
    snprintf(msg, sizeof msg,
             "levee dbguard: connection refused by rule %s: user %s, "
             "database %s, from %s",
             rule[0] ? rule : "(default)", c->user, c->database,
             c->client_addr);
    fatal(c, "28000", msg, NULL);
    return;
  }
  dbg_record_connection(c, "ok", a == LEVEE_ACTION_ALERT ? "alert" : "", rule);
  if (!(c->startup = malloc(m->total_len))) {
    dbg_conn_close(c);
    return;
  }
  memcpy(c->startup, c->cin.data + c->cin_pos, m->total_len);
  c->startup_len = m->total_len;
  const char *sock = c->srv->upstream_socket;
  if (sock ? uv_pipe_init(&c->srv->loop, &c->server.pipe, 0)
           : uv_tcp_init(&c->srv->loop, &c->server.tcp)) {
    dbg_conn_close(c);
    return;
  }
  c->server.tcp.data = c;
  c->server_started = 1;
  c->handles_open++;
  c->phase = PH_CONNECTING;
  c->connect_req.data = c;
  if (sock) {
    uv_pipe_connect(&c->connect_req, &c->server.pipe, sock, on_server_connect);
    return;
  }
  uv_tcp_nodelay(&c->server.tcp, 1);
  if (uv_tcp_connect(&c->connect_req, &c->server.tcp,
                     (const struct sockaddr *)&c->srv->upstream,
                     on_server_connect))
    fatal(c, "08006", "levee dbguard: cannot reach the database", NULL);
}

static void on_server_connect(uv_connect_t *req, int status) {
  dbg_conn *c = req->data;
  if (c->phase > PH_CLOSING)
    return;
  if (status < 0) {
    char msg[200];
    snprintf(msg, sizeof msg, "levee dbguard: cannot reach the database: %s",
             uv_strerror(status));
    dbg_log("connection %u: %s", c->id, msg + 15);
    fatal(c, "08006", msg, NULL);
    return;
  }
  c->phase = PH_AUTH;
  if (lv_buf_append(&c->sout, c->startup, c->startup_len)) {
    dbg_conn_close(c);
    return;
  }
  free(c->startup);
  c->startup = NULL;
  if (!uv_read_start((uv_stream_t *)&c->server.tcp, alloc_cb, on_server_read))
    c->reading_server = 1;
  flush(c);
  process_client(c); /* what the client sent meanwhile (a password) */
}

/* Handles one startup-phase packet; 0 to go on, -1 when the connection
 * ends or waits. */
static int client_startup(dbg_conn *c, const lv_pg_msg *m) {
  lv_pg_startup st;
  int rc = lv_pg_read_startup(m, &st);
  if (rc) {
    fatal(c, "08P01", "levee dbguard: invalid startup packet", NULL);
    return -1;
  }
  switch (st.kind) {
  case LV_PG_SSL_REQUEST:
    c->cin_pos += m->total_len;
    if (c->cin_pos != c->cin.len) {
      /* bytes behind the SSLRequest would be taken as plaintext
       * (CVE-2021-23214): refuse */
      fatal(c, "08P01", "levee dbguard: data after SSLRequest", NULL);
      return -1;
    }
    if (c->srv->tls && !c->ssl) {
      if (send_client(c, lv_pg_build_ssl_response(&c->cout, 'S')))
        return -1;
      flush(c);
      if (dbg_tls_start(c)) {
        dbg_conn_close(c);
        return -1;
      }
      return -1; /* the handshake comes in the next reads */
    }
    if (send_client(c, lv_pg_build_ssl_response(&c->cout, 'N')))
      return -1;
    flush(c);
    return 0;
  case LV_PG_GSSENC_REQUEST:
    c->cin_pos += m->total_len;
    /* The guard does not end GSSAPI encryption: 'N', the client may go on
     * without it. */
    if (send_client(c, lv_pg_build_ssl_response(&c->cout, 'N')))
      return -1;
    flush(c);
    return 0;
  case LV_PG_CANCEL_REQUEST:
    dbg_conn_cancel(c->srv, st.pid, st.secret);
    dbg_conn_close(c);
    return -1;
  case LV_PG_STARTUP_MESSAGE:
    startup_message(c, m, &st);
    c->cin_pos += m->total_len;
    return -1;
  default:
    fatal(c, "0A000", "levee dbguard: unsupported frontend protocol", NULL);
    return -1;
  }
}

/* --- statements --------------------------------------------------------------
 */

static void sess_of(dbg_conn *c, lv_sql_session *s) {
  s->standard_conforming_strings = c->scs;
  s->client_encoding = c->client_encoding[0] ? c->client_encoding : NULL;
}

/* Classifies a text and decides on it into c->dec. extra_ops: of
 * prepared statements it executes. */
static void decide_text(dbg_conn *c, const char *text, size_t len) {
  dbg_decision *d = &c->dec;
  lv_sql_session sess;
  sess_of(c, &sess);
  int rc = lv_sql_classify_cached(c->srv->sql_cache, text, len, &sess, &d->res);
  if (rc) {
    memset(&d->res, 0, sizeof d->res);
    d->ops = LV_SQL_UNPARSABLE;
    snprintf(d->reason, sizeof d->reason, "%s",
             rc == LEVEE_EINVAL ? "statement over the guard's 4 MiB"
                                : "cannot be parsed");
  } else {
    d->have_res = 1;
    d->ops = d->res.ops;
    snprintf(d->reason, sizeof d->reason, "%s", d->res.reason);
    /* EXECUTE of a statement prepared before: what it does */
    for (size_t i = 0; i < d->res.n_stmts; i++) {
      const lv_sql_statement *st = &d->res.stmts[i];
      if (!st->execute[0])
        continue;
      dbg_stmt *p = stmt_find(c, st->execute, strlen(st->execute));
      if (p && p->ops && !(d->ops & p->ops)) {
        d->ops |= p->ops;
        if (!d->reason[0] || !d->res.ops)
          snprintf(d->reason, sizeof d->reason, "EXECUTE of %s", p->name);
      }
    }
  }
  const char *cats[8];
  size_t n = dbg_categories(d->ops, cats);
  d->action = n ? decide(c, cats, n, d->rule, sizeof d->rule, d->category,
                         sizeof d->category)
                : LEVEE_ACTION_ALLOW;
}

/* The client's error for a refusal. */
static void refusal_text(dbg_conn *c, const char *why) {
  dbg_decision *d = &c->dec;
  snprintf(d->sqlstate, sizeof d->sqlstate, "42501");
  snprintf(d->message, sizeof d->message,
           "levee dbguard: %s refused by %s%s: %s (%s)", why,
           d->rule[0] ? "rule " : "the guard's default for ",
           d->rule[0] ? d->rule : d->category, d->reason, d->category);
  snprintf(d->hint, sizeof d->hint,
           "The database guard refused it; a security officer can change "
           "the policy, or a rule can hold such statements for approval.");
}

/* Records each statement of the decision with outcome; the ticket of the
 * last. */
static uint64_t record_decision(dbg_conn *c, const char *text, size_t len,
                                const char *outcome, const char *sqlstate) {
  dbg_decision *d = &c->dec;
  uint64_t t = 0;
  if (d->have_res && d->res.n_stmts) {
    for (size_t i = 0; i < d->res.n_stmts; i++) {
      const lv_sql_statement *st = &d->res.stmts[i];
      t = dbg_record_statement(c, d->res.text + st->offset, st->len, st->ops,
                               st->fingerprint, st->reason, d->action, d->rule,
                               outcome, sqlstate, -1, -1, d->hold_id,
                               d->approver);
    }
  } else {
    t = dbg_record_statement(c, text, len, d->ops, 0, d->reason, d->action,
                             d->rule, outcome, sqlstate, -1, -1, d->hold_id,
                             d->approver);
  }
  return t;
}

/* Sends the sentinel that stands for the refused message m. */
static int send_sentinel(dbg_conn *c, const lv_pg_msg *m, levee_str name) {
  dbg_decision *d = &c->dec;
  dbg_sentinel *s = calloc(1, sizeof *s);
  if (!s)
    return -1;
  snprintf(s->token, sizeof s->token, "levee_refused_%u_%llu", c->id,
           (unsigned long long)++c->sentinel_seq);
  memcpy(s->sqlstate, d->sqlstate, sizeof s->sqlstate);
  s->message = strdup(d->message);
  s->hint = d->hint[0] ? strdup(d->hint) : NULL;
  if (!s->message) {
    sentinel_free(s);
    return -1;
  }
  levee_str tok = {s->token, strlen(s->token)};
  int rc;
  if (m->type == 'P' || m->type == 'E') {
    /* an Execute stands as a Parse of a statement named for the sentinel,
     * so that none of the client's statements is replaced */
    rc = lv_pg_build_parse(&c->sout, m->type == 'E' ? tok : name, tok, NULL, 0);
    s->gen = c->z_sent + 1;
  } else { /* 'Q', 'F': a Query, answered with an error and ReadyForQuery */
    rc = lv_pg_build_query(&c->sout, tok);
    s->gen = ++c->z_sent;
    dbg_pending *p = calloc(1, sizeof *p);
    if (p) {
      p->kind = m->type == 'F' ? PEND_FCALL : PEND_QUERY;
      p->refused = 1;
      pending_push(c, p);
    }
  }
  if (rc) {
    sentinel_free(s);
    return -1;
  }
  s->next = c->sentinels;
  c->sentinels = s;
  c->refused++;
  return 0;
}

/* The message at the head is let through: forwarded, remembered. */
static int let_through(dbg_conn *c, const lv_pg_msg *m, const uint8_t *raw,
                       levee_str name) {
  dbg_decision *d = &c->dec;
  if (lv_buf_append(&c->sout, raw, m->total_len))
    return -1;
  if (m->type == 'Q') {
    dbg_pending *p = calloc(1, sizeof *p);
    if (!p)
      return -1;
    p->kind = PEND_QUERY;
    p->action = d->action;
    snprintf(p->rule, sizeof p->rule, "%s", d->rule);
    snprintf(p->hold_id, sizeof p->hold_id, "%s", d->hold_id);
    snprintf(p->approver, sizeof p->approver, "%s", d->approver);
    if (d->have_res) {
      p->res = d->res;
      d->have_res = 0;
      /* SQL PREPARE and DEALLOCATE change the named statements */
      for (size_t i = 0; i < p->res.n_stmts; i++) {
        const lv_sql_statement *st = &p->res.stmts[i];
        if (st->prepare[0])
          stmt_add(c, st->prepare, strlen(st->prepare),
                   p->res.text + st->offset, st->len, st->ops, st->fingerprint,
                   d->action, d->rule, st->reason);
        if (st->deallocate_all)
          stmt_drop_all(c);
        else if (st->deallocate[0])
          stmt_drop(c, st->deallocate, strlen(st->deallocate));
      }
    }
    pending_push(c, p);
    c->z_sent++;
  } else if (m->type == 'P') {
    const char *text = d->have_res ? d->res.text : "";
    size_t len = d->have_res ? d->res.text_len : 0;
    stmt_add(c, name.ptr, name.len, text, len, d->ops,
             d->have_res ? d->res.fingerprint : 0, d->action, d->rule,
             d->reason);
  } else if (m->type == 'F') {
    dbg_pending *p = calloc(1, sizeof *p);
    if (!p)
      return -1;
    p->kind = PEND_FCALL;
    pending_push(c, p);
    c->z_sent++;
  }
  if (d->action == LEVEE_ACTION_ALERT) {
    dbg_log("connection %u: %s@%s from %s: alert by rule %s: %s (%s)", c->id,
            c->user, c->database, c->client_addr,
            d->rule[0] ? d->rule : "(default)", d->reason, d->category);
    if (d->have_res)
      dbg_alert(c, d->res.text, d->res.text_len, d->action, d->rule,
                d->category, d->reason);
  }
  c->statements++;
  decision_clear(d);
  return 0;
}

/* The decision at the head is a refusal (its action above hold): its
 * records first, its alert and log line; the client hears of it once the
 * records are durable. what names it for the client ("statement"). */
static void refuse_decided(dbg_conn *c, const char *what, const char *text,
                           size_t len) {
  dbg_decision *d = &c->dec;
  refusal_text(c, what);
  d->state = DEC_REFUSE;
  d->ticket = record_decision(c, text, len, "refused", "42501");
  dbg_alert(c, d->have_res ? d->res.text : text,
            d->have_res ? d->res.text_len : len, d->action, d->rule,
            d->category, d->reason);
  dbg_log("connection %u: %s@%s from %s: refused by %s: %s (%s)", c->id,
          c->user, c->database, c->client_addr,
          d->rule[0] ? d->rule : "default", d->reason, d->category);
}

/* Whether the decision at the head (refused, or approved) can be carried
 * out: not held, and the record it waits for durable. */
static int decision_due(dbg_conn *c) {
  const dbg_decision *d = &c->dec;
  if (d->state != DEC_REFUSE && d->state != DEC_LET_THROUGH)
    return 0;
  return !d->ticket || lv_dbguard_audit_durable(c->srv->audit) >= d->ticket;
}

/* Decides on and handles a Query, Parse or FunctionCall at the head.
 * Returns 1 when it was handled (consumed), 0 when it waits, -1 to close. */
static int statement_message(dbg_conn *c, const lv_pg_msg *m,
                             const uint8_t *raw) {
  dbg_decision *d = &c->dec;
  levee_str text = {"", 0}, name = {"", 0};
  if (m->type == 'Q') {
    if (lv_pg_read_query(m, &text))
      return -1;
  } else if (m->type == 'P') {
    lv_pg_parse_msg p;
    if (lv_pg_read_parse(m, &p))
      return -1;
    text = p.query;
    name = p.name;
  }
  if (d->state == DEC_NONE) {
    const char *fail = lv_dbguard_audit_failed(c->srv->audit);
    if (fail) {
      snprintf(d->sqlstate, sizeof d->sqlstate, "58030");
      snprintf(d->message, sizeof d->message,
               "levee dbguard: the audit trail cannot be written, so no "
               "statement passes: %s",
               fail);
      d->state = DEC_REFUSE;
    } else if (m->type == 'F') {
      const char *cat = "dbop.function_call";
      d->ops = 0;
      snprintf(d->reason, sizeof d->reason, "FunctionCall message");
      d->action = decide(c, &cat, 1, d->rule, sizeof d->rule, d->category,
                         sizeof d->category);
    } else {
      decide_text(c, text.ptr, text.len);
    }
    if (d->state == DEC_NONE) {
      if (d->action <= LEVEE_ACTION_ALERT) {
        return let_through(c, m, raw, name) ? -1 : 1;
      }
      if (d->action == LEVEE_ACTION_HOLD) {
        if (dbg_hold_start(c))
          return -1;
        return 0;
      }
      refuse_decided(c, m->type == 'F' ? "function call" : "statement",
                     text.ptr, text.len);
    }
  }
  if (d->state != DEC_HOLD && d->state != DEC_REFUSE &&
      d->state != DEC_LET_THROUGH)
    return -1;
  if (!decision_due(c))
    return 0; /* held, or answered once its record is durable */
  if (d->state == DEC_LET_THROUGH)
    return let_through(c, m, raw, name) ? -1 : 1;
  if (send_sentinel(c, m, name))
    return -1;
  decision_clear(d);
  return 1;
}

/* Forwards an Execute of portal p (NULL: not known) and what the server
 * owes for it. d: the decision
 * taken on it at this Execute, or NULL (the one taken when its statement
 * was prepared stands). Returns 1 or -1. */
static int forward_execute(dbg_conn *c, const lv_pg_msg *m, const uint8_t *raw,
                           const dbg_portal *p, const dbg_decision *d) {
  dbg_pending *pe = calloc(1, sizeof *pe);
  if (!pe)
    return -1;
  pe->kind = PEND_EXECUTE;
  if (p && p->stmt) {
    dbg_stmt *s = p->stmt;
    size_t n = s->len < DBG_RECORD_TEXT_MAX ? s->len : DBG_RECORD_TEXT_MAX;
    pe->text = strndup(s->text, n);
    pe->len = pe->text ? n : 0;
    pe->ops = s->ops;
    pe->fingerprint = s->fingerprint;
    pe->action = d ? d->action : s->action;
    snprintf(pe->rule, sizeof pe->rule, "%s", d ? d->rule : s->rule);
    if (d) {
      snprintf(pe->hold_id, sizeof pe->hold_id, "%s", d->hold_id);
      snprintf(pe->approver, sizeof pe->approver, "%s", d->approver);
    }
  } else {
    pe->refused = 1; /* its statement was refused or is not known */
  }
  pending_push(c, pe);
  if (lv_buf_append(&c->sout, raw, m->total_len))
    return -1;
  return 1;
}

/* An Execute. Its statement was decided when it was prepared; one that
 * does something (categories) is decided again now, as the policy stands
 * at this moment (a time-of-day rule that let the PREPARE through at 04:59
 * may not let its Execute through at 09:00). What was let through when it
 * was prepared and is now to be held or refused is held or refused here as
 * a Query would be; one that was held then and approved stays approved.
 * Returns 1 (consumed), 0 (waits), -1 (close). */
static int execute_message(dbg_conn *c, const lv_pg_msg *m,
                           const uint8_t *raw) {
  dbg_decision *d = &c->dec;
  lv_pg_execute_msg e;
  if (lv_pg_read_execute(m, &e))
    return -1;
  dbg_portal *p = portal_find(c, e.portal.ptr, e.portal.len);
  if (d->state == DEC_NONE) {
    dbg_stmt *s = p ? p->stmt : NULL;
    if (!s || !s->ops || s->action > LEVEE_ACTION_ALERT)
      return forward_execute(c, m, raw, p, NULL);
    const char *cats[8];
    size_t n = dbg_categories(s->ops, cats);
    d->ops = s->ops;
    snprintf(d->reason, sizeof d->reason, "%s", s->reason);
    d->action = decide(c, cats, n, d->rule, sizeof d->rule, d->category,
                       sizeof d->category);
    if (d->action <= LEVEE_ACTION_ALERT) {
      decision_clear(d);
      return forward_execute(c, m, raw, p, NULL);
    }
    /* the statement, for the records, the hold list and the alerts */
    lv_sql_statement *st = calloc(1, sizeof *st);
    char *text = strndup(s->text, s->len);
    if (!st || !text) {
      free(st);
      free(text);
      return -1;
    }
    st->len = s->len;
    st->ops = s->ops;
    st->fingerprint = s->fingerprint;
    snprintf(st->reason, sizeof st->reason, "%s", s->reason);
    d->res = (lv_sql_result){.ops = s->ops,
                             .text = text,
                             .text_len = s->len,
                             .stmts = st,
                             .n_stmts = 1,
                             .fingerprint = s->fingerprint};
    snprintf(d->res.reason, sizeof d->res.reason, "%s", s->reason);
    d->have_res = 1;
    if (d->action == LEVEE_ACTION_HOLD)
      return dbg_hold_start(c) ? -1 : 0;
    refuse_decided(c, "execution of a prepared statement", s->text, s->len);
  }
  if (d->state != DEC_HOLD && d->state != DEC_REFUSE &&
      d->state != DEC_LET_THROUGH)
    return -1;
  if (!decision_due(c))
    return 0; /* held, or answered once its record is durable */
  int r;
  if (d->state == DEC_LET_THROUGH) {
    r = forward_execute(c, m, raw, p, d);
    c->statements++;
  } else {
    r = send_sentinel(c, m, (levee_str){"", 0}) ? -1 : 1;
  }
  decision_clear(d);
  return r;
}

/* One client message of the ready phase. Returns 1 (consumed), 0 (waits),
 * -1 (close). */
static int client_message(dbg_conn *c, const lv_pg_msg *m, const uint8_t *raw) {
  switch (m->type) {
  case 'Q':
  case 'P':
  case 'F': return statement_message(c, m, raw);
  case 'B': {
    lv_pg_bind_msg b;
    if (lv_pg_read_bind(m, &b))
      return -1;
    portal_set(c, b.portal.ptr, b.portal.len,
               stmt_find(c, b.statement.ptr, b.statement.len));
    break;
  }
  case 'E': return execute_message(c, m, raw);
  case 'C': {
    lv_pg_target_msg t;
    if (lv_pg_read_target(m, &t))
      return -1;
    if (t.kind == 'S')
      stmt_drop(c, t.name.ptr, t.name.len);
    else
      portal_drop(c, t.name.ptr, t.name.len);
    break;
  }
  case 'S': {
    dbg_pending *p = calloc(1, sizeof *p);
    if (!p)
      return -1;
    p->kind = PEND_SYNC;
    pending_push(c, p);
    c->z_sent++;
    break;
  }
  default:
    /* Describe, Flush, Terminate, CopyData, CopyDone, CopyFail, and what
     * the server judges */
    break;
  }
  if (lv_buf_append(&c->sout, raw, m->total_len))
    return -1;
  return 1;
}

/* 'p' while authenticating: a password or a SASL message. Returns 1 or -1. */
static int client_auth_message(dbg_conn *c, const lv_pg_msg *m,
                               const uint8_t *raw) {
  if (m->type != 'p') {
    fatal(c, "08P01",
          "levee dbguard: unexpected message during "
          "authentication",
          NULL);
    return -1;
  }
  if (c->await_sasl_initial) {
    c->await_sasl_initial = 0;
    lv_pg_sasl_initial si;
    if (lv_pg_read_sasl_initial(m, &si)) {
      fatal(c, "08P01", "levee dbguard: malformed SASL message", NULL);
      return -1;
    }
    if (si.cbind_flag == 'p' ||
        (si.mechanism.len > 5 &&
         !strcmp(si.mechanism.ptr + si.mechanism.len - 5, "-PLUS"))) {
      dbg_record_connection(c, "refused", "channel binding", "");
      fatal(c, "28000",
            "levee dbguard: channel binding cannot pass through the guard, "
            "which ends the client's TLS itself",
            "Connect with channel_binding=disable (or prefer); TLS to the "
            "guard still protects the connection.");
      return -1;
    }
  }
  if (lv_buf_append(&c->sout, raw, m->total_len))
    return -1;
  return 1;
}

static void process_client(dbg_conn *c) {
  while (c->phase < PH_CLOSING) {
    const uint8_t *at = (const uint8_t *)c->cin.data + c->cin_pos;
    size_t left = c->cin.len - c->cin_pos;
    if (c->c_passthrough) {
      size_t n = left < c->c_passthrough ? left : c->c_passthrough;
      if (!n || lv_buf_append(&c->sout, at, n)) {
        if (n) {
          dbg_conn_close(c);
          return;
        }
        break;
      }
      c->c_passthrough -= n;
      c->cin_pos += n;
      continue;
    }
    if (!left || c->phase == PH_CONNECTING)
      break;
    lv_pg_msg m;
    int startup = c->phase == PH_STARTUP;
    int rc = lv_pg_frame(at, left, startup, DBG_MAX_CLIENT_MESSAGE, &m);
    if (rc == 0 && !startup && left >= 5 && at[0] == 'd' &&
        m.total_len > DBG_WRITE_HIGH && c->phase == PH_READY &&
        c->dec.state == DEC_NONE) {
      /* a large CopyData: passes in pieces */
      c->c_passthrough = m.total_len;
      continue;
    }
    if (rc == 0)
      break;
    if (rc < 0) {
      fatal(c, "08P01",
            rc == LEVEE_ETOOBIG
                ? "levee dbguard: message over the guard's limit"
                : "levee dbguard: invalid message length",
            NULL);
      return;
    }
    if (startup) {
      if (client_startup(c, &m))
        break;
      continue;
    }
    int r = c->phase == PH_AUTH ? client_auth_message(c, &m, at)
                                : client_message(c, &m, at);
    if (r < 0) {
      if (c->phase < PH_CLOSING)
        fatal(c, "08P01", "levee dbguard: malformed message", NULL);
      return;
    }
    if (r == 0)
      break; /* waits (a hold, a record) */
    c->cin_pos += m.total_len;
  }
  if (c->phase > PH_CLOSING)
    return;
  /* compact */
  if (c->cin_pos == c->cin.len) {
    lv_buf_reset(&c->cin);
    c->cin_pos = 0;
  } else if (c->cin_pos > 65536 && c->cin_pos > c->cin.len / 2) {
    memmove(c->cin.data, c->cin.data + c->cin_pos, c->cin.len - c->cin_pos);
    c->cin.len -= c->cin_pos;
    c->cin_pos = 0;
  }
  flush(c);
  dbg_conn_set_reading(c, 1);
}

/* --- the server's messages --------------------------------------------------
 */

static void record_pending_statement(dbg_conn *c, dbg_pending *p,
                                     const char *text, size_t len, unsigned ops,
                                     uint64_t fp, const char *reason,
                                     const char *outcome, const char *sqlstate,
                                     int64_t rows) {
  int64_t us = (int64_t)((dbg_mono_ns() - p->started_ns) / 1000);
  dbg_record_statement(c, text, len, ops, fp, reason, p->action, p->rule,
                       outcome, sqlstate, rows, us, p->hold_id, p->approver);
}

/* A statement of the head finished (CommandComplete: tag; ErrorResponse:
 * sqlstate). */
static void statement_done(dbg_conn *c, const char *tag, const char *sqlstate) {
  dbg_pending *p = c->pend_head;
  /* an Execute past an error is not run: the server skips to the Sync */
  if (!p || p->kind == PEND_SYNC || p->kind == PEND_FCALL)
    return;
  int64_t rows = tag ? lv_pg_command_rows(tag) : -1;
  const char *outcome = sqlstate ? "error" : "ok";
  if (p->kind == PEND_QUERY) {
    if (p->refused)
      return;
    if (p->done < p->res.n_stmts) {
      const lv_sql_statement *st = &p->res.stmts[p->done];
      record_pending_statement(c, p, p->res.text + st->offset, st->len, st->ops,
                               st->fingerprint, st->reason, outcome, sqlstate,
                               rows);
      p->done = sqlstate ? p->res.n_stmts : p->done + 1;
    }
    return;
  }
  /* PEND_EXECUTE */
  p = pending_pop(c);
  if (!p->refused)
    record_pending_statement(c, p, p->text ? p->text : "", p->len, p->ops,
                             p->fingerprint, "", outcome, sqlstate, rows);
  pending_free(p);
  if (sqlstate) /* the rest of the batch is skipped by the server */
    while (c->pend_head && c->pend_head->kind == PEND_EXECUTE)
      pending_free(pending_pop(c));
}

static void ready_for_query(dbg_conn *c, char status) {
  c->txn_status = status;
  c->z_recv++;
  /* a sentinel not answered by now will not be */
  for (dbg_sentinel **pp = &c->sentinels; *pp;) {
    dbg_sentinel *s = *pp;
    if (s->gen <= c->z_recv) {
      *pp = s->next;
      sentinel_free(s);
    } else
      pp = &s->next;
  }
  dbg_pending *p = c->pend_head;
  if (!p)
    return;
  if (p->kind == PEND_QUERY || p->kind == PEND_FCALL) {
    pending_free(pending_pop(c));
    return;
  }
  while ((p = pending_pop(c))) {
    int sync = p->kind == PEND_SYNC;
    pending_free(p);
    if (sync)
      break;
  }
}

/* The server's ErrorResponse: the guard's own when it answers a sentinel.
 * Appends what the client gets. */
static int server_error(dbg_conn *c, const lv_pg_msg *m, const uint8_t *raw) {
  lv_pg_notice_msg n;
  if (lv_pg_read_notice(m, &n))
    return lv_buf_append(&c->cout, raw, m->total_len);
  const char *msg = lv_pg_notice_get(&n, 'M');
  const char *code = lv_pg_notice_get(&n, 'C');
  for (dbg_sentinel **pp = &c->sentinels; msg && *pp; pp = &(*pp)->next) {
    dbg_sentinel *s = *pp;
    if (!strstr(msg, s->token))
      continue;
    *pp = s->next;
    int rc = lv_pg_build_error(&c->cout, "ERROR", s->sqlstate, s->message,
                               s->detail, s->hint);
    sentinel_free(s);
    /* an Execute of the refused statement's batch is not run */
    dbg_pending *p = c->pend_head;
    if (p && p->kind == PEND_EXECUTE) {
      while (c->pend_head && c->pend_head->kind == PEND_EXECUTE)
        pending_free(pending_pop(c));
    }
    return rc;
  }
  statement_done(c, NULL, code ? code : "XX000");
  return lv_buf_append(&c->cout, raw, m->total_len);
}

static void parameter_status(dbg_conn *c, const lv_pg_param *p) {
  if (!strcmp(p->name.ptr, "standard_conforming_strings"))
    c->scs = strcmp(p->value.ptr, "off") != 0;
  else if (!strcmp(p->name.ptr, "client_encoding"))
    copy_str(c->client_encoding, sizeof c->client_encoding, p->value.ptr,
             p->value.len);
}

/* One server message while authenticating. 0 to go on, -1 when closed. */
static int server_auth_message(dbg_conn *c, const lv_pg_msg *m,
                               const uint8_t *raw) {
  switch (m->type) {
  case 'R': {
    lv_pg_auth_msg a;
    if (lv_pg_read_auth(m, &a))
      return -1;
    if (a.code == LV_PG_AUTH_SASL) {
      c->await_sasl_initial = 1;
      int rc = lv_pg_auth_sasl_rewrite(m, "SCRAM-SHA-256-PLUS", &c->cout);
      if (rc == LEVEE_ENOTFOUND) {
        fatal(c, "28000",
              "levee dbguard: the database asks for channel binding, which "
              "cannot pass through the guard",
              NULL);
        return -1;
      }
      return rc ? -1 : 0;
    }
    if (a.code == LV_PG_AUTH_GSS || a.code == LV_PG_AUTH_SSPI ||
        a.code == LV_PG_AUTH_KERBEROS_V5) {
      fatal(c, "28000",
            "levee dbguard: GSSAPI and SSPI authentication do not pass "
            "through the guard: use SCRAM or MD5 passwords",
            NULL);
      return -1;
    }
    break;
  }
  case 'K': {
    lv_pg_backend_key k;
    if (lv_pg_read_backend_key(m, &k))
      return -1;
    c->server_pid = k.pid;
    c->server_secret = k.secret;
    c->have_server_key = k.key_len == 4;
    /* the client gets the guard's key: its CancelRequest comes here */
    return lv_pg_build_backend_key(&c->cout, (int32_t)c->id, c->secret) ? -1
                                                                        : 0;
  }
  case 'S': {
    lv_pg_param p;
    if (!lv_pg_read_parameter_status(m, &p))
      parameter_status(c, &p);
    break;
  }
  case 'Z': {
    char st = 'I';
    if (lv_pg_read_ready(m, &st))
      return -1;
    c->txn_status = st;
    c->phase = PH_READY;
    break;
  }
  default: break;
  }
  return lv_buf_append(&c->cout, raw, m->total_len) ? -1 : 0;
}

/* One server message of the ready phase. 0, or -1 to close. */
static int server_message(dbg_conn *c, const lv_pg_msg *m, const uint8_t *raw) {
  switch (m->type) {
  case 'C': {
    levee_str tag;
    if (!lv_pg_read_command_complete(m, &tag))
      statement_done(c, tag.ptr, NULL);
    break;
  }
  case 's': /* PortalSuspended: the Execute ends (more rows later) */
    statement_done(c, "", NULL);
    break;
  case 'I': /* EmptyQueryResponse */
    if (c->pend_head && c->pend_head->kind == PEND_EXECUTE)
      pending_free(pending_pop(c));
    break;
  case 'E': return server_error(c, m, raw) ? -1 : 0;
  case 'Z': {
    char st = 'I';
    if (!lv_pg_read_ready(m, &st))
      ready_for_query(c, st);
    break;
  }
  case 'S': {
    lv_pg_param p;
    if (!lv_pg_read_parameter_status(m, &p))
      parameter_status(c, &p);
    break;
  }
  default: break;
  }
  return lv_buf_append(&c->cout, raw, m->total_len) ? -1 : 0;
}

/* Types the guard reads; the rest may pass in pieces. */
static int server_type_read(uint8_t t) {
  return strchr("CsIEZSRKN", t) != NULL;
}

static void process_server(dbg_conn *c) {
  while (c->phase < PH_CLOSING) {
    const uint8_t *at = (const uint8_t *)c->sin.data + c->sin_pos;
    size_t left = c->sin.len - c->sin_pos;
    if (c->s_passthrough) {
      size_t n = left < c->s_passthrough ? left : c->s_passthrough;
      if (!n)
        break;
      if (lv_buf_append(&c->cout, at, n)) {
        dbg_conn_close(c);
        return;
      }
      c->s_passthrough -= n;
      c->sin_pos += n;
      continue;
    }
    if (!left)
      break;
    lv_pg_msg m;
    /* Messages the guard does not read may be as large as PostgreSQL
     * sends (a 1 GB field): they pass in pieces. */
    int rc = lv_pg_frame(at, left, 0, INT32_MAX, &m);
    if (rc == 0 && left >= 5 && !server_type_read(at[0]) &&
        m.total_len > 65536) {
      c->s_passthrough = m.total_len; /* a large row: in pieces */
      continue;
    }
    if (rc == 0)
      break;
    if (rc < 0) {
      dbg_log("connection %u: the database sent an invalid message", c->id);
      dbg_conn_close(c);
      return;
    }
    int r = c->phase == PH_AUTH ? server_auth_message(c, &m, at)
                                : server_message(c, &m, at);
    if (c->phase >= PH_CLOSING)
      return;
    if (r < 0) {
      dbg_conn_close(c);
      return;
    }
    c->sin_pos += m.total_len;
  }
  if (c->phase > PH_CLOSING)
    return;
  if (c->sin_pos == c->sin.len) {
    lv_buf_reset(&c->sin);
    c->sin_pos = 0;
  } else if (c->sin_pos > 65536 && c->sin_pos > c->sin.len / 2) {
    memmove(c->sin.data, c->sin.data + c->sin_pos, c->sin.len - c->sin_pos);
    c->sin.len -= c->sin_pos;
    c->sin_pos = 0;
  }
  flush(c);
  if (c->cout.len >= DBG_WRITE_HIGH && c->reading_server) {
    uv_read_stop((uv_stream_t *)&c->server.tcp);
    c->reading_server = 0;
  }
  /* a ReadyForQuery may have made room for what the client waits with */
  if (c->phase == PH_READY && c->cin_pos < c->cin.len)
    process_client(c);
}

/* --- from the server: resumptions and cancels ------------------------------
 */

void dbg_conn_flush(dbg_conn *c) {
  if (c->phase < PH_CLOSED)
    flush(c);
}

void dbg_conn_audit_progress(dbg_conn *c) {
  if (c->dec.ticket &&
      lv_dbguard_audit_durable(c->srv->audit) >= c->dec.ticket &&
      (c->dec.state == DEC_REFUSE || c->dec.state == DEC_LET_THROUGH))
    process_client(c);
}

void dbg_conn_resume(dbg_conn *c) {
  if (c->phase == PH_READY)
    process_client(c);
}

static void on_cancel_written(uv_write_t *w, int status) {
  (void)status;
  uv_close((uv_handle_t *)w->handle, (uv_close_cb)free);
  free(w->data);
  free(w);
}

static void on_cancel_connect(uv_connect_t *req, int status) {
  uv_buf_t *b = req->data;
  uv_stream_t *h = req->handle;
  free(req);
  if (status < 0) {
    free(b->base);
    free(b);
    uv_close((uv_handle_t *)h, (uv_close_cb)free);
    return;
  }
  uv_write_t *w = calloc(1, sizeof *w);
  if (!w || uv_write(w, h, b, 1, on_cancel_written)) {
    free(w);
    free(b->base);
    free(b);
    uv_close((uv_handle_t *)h, (uv_close_cb)free);
    return;
  }
  w->data = b->base;
  free(b);
}

void dbg_conn_cancel(dbg_server *srv, int32_t pid, int32_t secret) {
  dbg_conn *c = srv->conns;
  while (c && !((int32_t)c->id == pid && c->secret == secret))
    c = c->next;
  if (!c) {
    dbg_log("a CancelRequest for no session of the guard");
    return;
  }
  if (c->dec.state == DEC_HOLD) {
    dbg_hold_end(c, 0, NULL, "57014",
                 "levee dbguard: canceling statement due to user request "
                 "(it was held for approval)",
                 "cancelled");
    return;
  }
  if (!c->have_server_key)
    return;
  /* to the server, with its own key, on a connection of its own */
  lv_buf b;
  lv_buf_init(&b, 64);
  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } *h = calloc(1, sizeof *h);
  uv_connect_t *req = calloc(1, sizeof *req);
  uv_buf_t *ub = calloc(1, sizeof *ub);
  if (!h || !req || !ub ||
      lv_pg_build_cancel(&b, c->server_pid, c->server_secret) ||
      (srv->upstream_socket ? uv_pipe_init(&srv->loop, &h->pipe, 0)
                            : uv_tcp_init(&srv->loop, &h->tcp))) {
    free(h);
    free(req);
    free(ub);
    lv_buf_cleanup(&b);
    return;
  }
  size_t len;
  char *bytes = lv_buf_detach(&b, &len);
  *ub = uv_buf_init(bytes, (unsigned)len);
  req->data = ub;
  if (srv->upstream_socket) {
    uv_pipe_connect(req, &h->pipe, srv->upstream_socket, on_cancel_connect);
    return;
  }
  if (uv_tcp_connect(req, &h->tcp, (const struct sockaddr *)&srv->upstream,
                     on_cancel_connect)) {
    free(req);
    free(bytes);
    free(ub);
    uv_close((uv_handle_t *)h, (uv_close_cb)free);
  }
}

/* --- accepting ------------------------------------------------------------ */

void dbg_conn_accept(dbg_server *srv) {
  dbg_conn *c = calloc(1, sizeof *c);
  if (!c)
    return;
  c->srv = srv;
  c->scs = 1;
  c->txn_status = 'I';
  lv_buf_init(&c->cin, DBG_MAX_CLIENT_MESSAGE + (size_t)65536 * 2);
  lv_buf_init(&c->sin, LV_PG_MAX_MESSAGE + (size_t)65536 * 2);
  lv_buf_init(&c->cout, (size_t)-1 / 2);
  lv_buf_init(&c->sout, (size_t)-1 / 2);
  lv_buf_init(&c->cflight, (size_t)-1 / 2);
  lv_buf_init(&c->sflight, (size_t)-1 / 2);
  lv_buf_init(&c->craw, (size_t)-1 / 2);
  if (uv_tcp_init(&srv->loop, &c->client)) {
    free(c);
    return;
  }
  c->client.data = c;
  c->handles_open = 1;
  if (uv_accept((uv_stream_t *)&srv->listener, (uv_stream_t *)&c->client)) {
    uv_close((uv_handle_t *)&c->client, (uv_close_cb)free);
    return;
  }
  c->id = ++srv->next_id;
  randombytes_buf(&c->secret, sizeof c->secret);
  struct sockaddr_storage ss;
  int len = sizeof ss;
  if (!uv_tcp_getpeername(&c->client, (struct sockaddr *)&ss, &len)) {
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (ss.ss_family == AF_INET) {
      struct sockaddr_in *a = (struct sockaddr_in *)&ss;
      inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
      port = ntohs(a->sin_port);
    } else if (ss.ss_family == AF_INET6) {
      struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
      inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
      port = ntohs(a->sin6_port);
    }
    snprintf(c->client_addr, sizeof c->client_addr, "%s:%d", host, port);
    c->have_addr = lv_cidr_address(host, c->addr16) == 0;
  }
  uv_tcp_nodelay(&c->client, 1);
  c->next = srv->conns;
  if (srv->conns)
    srv->conns->prev = c;
  srv->conns = c;
  srv->n_conns++;
  size_t max = srv->o->max_connections ? srv->o->max_connections
                                       : LV_DBGUARD_MAX_CONNECTIONS;
  if (srv->n_conns > max || srv->stopping) {
    fatal(c, srv->stopping ? "57P01" : "53300",
          srv->stopping ? "levee dbguard: the guard is shutting down"
                        : "levee dbguard: too many connections",
          NULL);
    return;
  }
  dbg_conn_set_reading(c, 1);
}
