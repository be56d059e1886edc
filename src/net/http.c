/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.c: the HTTP server on libmicrohttpd (http.h).
 */
#include "net/http.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "util/clock.h"
#include "util/error.h"
#include "util/limits.h"

/* Bytes MHD may use per connection for the request line and headers (and
 * its read buffer): a header block past it is refused. */
#define HEADER_MEMORY (64u << 10)

struct lv_http_server {
  struct MHD_Daemon *d;
  atomic_int inflight; /* requests begun and not yet completed */
  lv_http_handler fn;
  void *ud;
  size_t max_body;
  int64_t request_ms;
  unsigned port;
  int tls;
};

/* One request's state, from its first call to its completion. */
typedef struct request_state {
  lv_buf body;
  int too_big;
  int64_t start_ms; /* its first byte */
} request_state;

const char *lv_http_query(const lv_http_request *rq, const char *name) {
  return MHD_lookup_connection_value((struct MHD_Connection *)rq->conn,
                                     MHD_GET_ARGUMENT_KIND, name);
}

const char *lv_http_header(const lv_http_request *rq, const char *name) {
  return MHD_lookup_connection_value((struct MHD_Connection *)rq->conn,
                                     MHD_HEADER_KIND, name);
}

const char *lv_http_cookie(const lv_http_request *rq, const char *name) {
  return MHD_lookup_connection_value((struct MHD_Connection *)rq->conn,
                                     MHD_COOKIE_KIND, name);
}

static enum MHD_Result respond(struct MHD_Connection *c, int status,
                               const char *type, lv_buf *body, int retry_after,
                               const char *cookie, const char *csp) {
  size_t len = 0;
  char *data = lv_buf_detach(body, &len);
  struct MHD_Response *r = MHD_create_response_from_buffer(
      len, data ? data : (char *)"",
      data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
  if (!r) {
    free(data);
    return MHD_NO;
  }
  if (type)
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Frame-Options", "DENY");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  if (csp)
    MHD_add_response_header(r, "Content-Security-Policy", csp);
  if (retry_after > 0) {
    char v[16];
    snprintf(v, sizeof v, "%d", retry_after);
    MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, v);
  }
  if (cookie && cookie[0])
    MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
  MHD_destroy_response(r);
  return ok;
}

/* A JSON error body: {"error":"..."} (msg is a constant without quotes). */
static enum MHD_Result send_error(struct MHD_Connection *c, int status,
                                  const char *msg) {
  lv_buf b;
  lv_buf_init(&b, 1024);
  if (lv_buf_puts(&b, "{\"error\":\"") || lv_buf_puts(&b, msg) ||
      lv_buf_puts(&b, "\"}\n")) {
    lv_buf_cleanup(&b);
    return MHD_NO;
  }
  return respond(c, status, "application/json", &b, 0, NULL, NULL);
}

static void client_of(struct MHD_Connection *c, char *out, size_t cap) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  out[0] = '\0';
  if (!ci || !ci->client_addr)
    return;
  const struct sockaddr *sa = ci->client_addr;
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET,
              &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
              (socklen_t)cap);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6,
              &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
              (socklen_t)cap);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
  lv_http_server *s = cls;
  (void)version;
  request_state *st = *con_cls;
  if (!st) {
    if (!(st = calloc(1, sizeof *st)))
      return MHD_NO;
    lv_buf_init(&st->body, s->max_body);
    st->start_ms = lv_now_ms();
    *con_cls = st;
    atomic_fetch_add(&s->inflight, 1);
    /* A body its own length says is too big is refused unread. */
    const char *cl = MHD_lookup_connection_value(
        c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > s->max_body) {
      st->too_big = 1;
      return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
                        "request body too large");
    }
    return MHD_YES;
  }
  if (*upload_size) {
    size_t n = *upload_size;
    *upload_size = 0;
    /* A body that trickles in (each byte resetting the idle timer) is cut
     * off at the request's own deadline: the connection is closed (this
     * libmicrohttpd takes no answer before the body is whole). */
    if (lv_now_ms() - st->start_ms > s->request_ms) {
      fprintf(stderr,
              "levee: http: a request took over %lld s to arrive: its "
              "connection is closed\n",
              (long long)(s->request_ms / 1000));
      return MHD_NO;
    }
    if (!st->too_big && lv_buf_append(&st->body, upload, n))
      st->too_big = 1; /* chunked, without a length: counted as it comes */
    return MHD_YES;
  }
  if (st->too_big)
    return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
  lv_http_request rq = {
      .method = method,
      .path = url,
      .body = {st->body.data ? st->body.data : "", st->body.len},
      .content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_CONTENT_TYPE),
      .authorization = MHD_lookup_connection_value(
          c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
      .tls = s->tls,
      .conn = c,
  };
  client_of(c, rq.client, sizeof rq.client);
  lv_buf out;
  lv_buf_init(&out, (size_t)1 << 30);
  lv_http_response rs = {.status = 500, .body = &out};
  s->fn(s->ud, &rq, &rs);
  enum MHD_Result ok = respond(c, rs.status, rs.content_type, &out,
                               rs.retry_after, rs.set_cookie, rs.csp);
  lv_buf_cleanup(&out);
  return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why) {
  lv_http_server *s = cls;
  (void)c, (void)why;
  request_state *st = *con_cls;
  if (!st)
    return;
  lv_buf_cleanup(&st->body);
  free(st);
  *con_cls = NULL;
  atomic_fetch_sub(&s->inflight, 1);
}

static void on_log(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char line[512];
  vsnprintf(line, sizeof line, fmt, ap);
  size_t n = strlen(line);
  while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = '\0';
  fprintf(stderr, "levee: http: %s\n", line);
}

int lv_http_parse_listen(const char *listen, char *host, size_t cap,
                         unsigned *port) {
  const char *colon = strrchr(listen, ':');
  if (!colon || colon == listen)
    return -1;
  const char *h = listen;
  size_t hl = (size_t)(colon - listen);
  if (h[0] == '[') { /* [IPv6]:port */
    if (hl < 2 || h[hl - 1] != ']')
      return -1;
    h++;
    hl -= 2;
  }
  if (hl == 0 || hl >= cap)
    return -1;
  char *end;
  unsigned long p = strtoul(colon + 1, &end, 10);
  if (*end || end == colon + 1 || p > 65535)
    return -1;
  memcpy(host, h, hl);
  host[hl] = '\0';
  *port = (unsigned)p;
  return 0;
}

int lv_http_start(const lv_http_options *o, lv_http_handler fn, void *ud,
                  lv_http_server **out, levee_error *err) {
  char host[256];
  unsigned port;
  if (lv_http_parse_listen(o->listen, host, sizeof host, &port))
    return lv_error_set(err, LEVEE_EINVAL,
                        "--listen %s: not HOST:PORT (127.0.0.1:8080, "
                        "[::1]:8080)",
                        o->listen);
  struct addrinfo hints = {.ai_family = AF_UNSPEC,
                           .ai_socktype = SOCK_STREAM,
                           .ai_flags = AI_PASSIVE};
  struct addrinfo *ai = NULL;
  char ports[8];
  snprintf(ports, sizeof ports, "%u", port);
  int g = getaddrinfo(host, ports, &hints, &ai);
  if (g || !ai)
    return lv_error_set(err, LEVEE_EINVAL, "--listen %s: %s", o->listen,
                        gai_strerror(g));
  struct sockaddr_storage addr;
  memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
  int family = ai->ai_family;
  freeaddrinfo(ai);

  lv_http_server *s = calloc(1, sizeof *s);
  if (!s)
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  s->fn = fn;
  s->ud = ud;
  s->max_body = o->max_body;
  s->request_ms = o->request_s ? (int64_t)o->request_s * 1000
                               : (int64_t)LV_HTTP_REQUEST_S * 1000;
  /* A worker waiting for an attachment's text only sleeps (the reading is
   * the extraction pool's), so there are four a CPU by default: requests
   * of plain text keep being answered while some wait for photos. */
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned threads = o->threads;
  if (!threads)
    threads = ncpu > 0 && ncpu * 4 < LV_MAX_HTTP_WORKERS ? (unsigned)ncpu * 4
                                                         : LV_MAX_HTTP_WORKERS;
  /* ITC: a pipe to wake the workers, which quiescing needs. */
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                   MHD_USE_ERROR_LOG | MHD_USE_ITC;
  if (family == AF_INET6)
    flags |= MHD_USE_IPv6;
  if (o->tls_cert) {
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
      free(s);
      return lv_error_set(err, LEVEE_EINVAL,
                          "this libmicrohttpd was built without TLS");
    }
    flags |= MHD_USE_TLS;
    s->tls = 1;
  }
  struct MHD_OptionItem opts[12];
  size_t k = 0;
  opts[k++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &addr};
  if (threads > 1) /* one: the polling thread serves alone */
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE,
                                        (intptr_t)threads, NULL};
  opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT,
                                      (intptr_t)o->max_connections, NULL};
  opts[k++] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                      (intptr_t)o->per_ip_connections, NULL};
  opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT,
                                      (intptr_t)o->timeout_s, NULL};
  opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                      (intptr_t)HEADER_MEMORY, NULL};
  if (o->tls_cert) {
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0,
                                        (void *)o->tls_cert};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0,
                                        (void *)o->tls_key};
  }
  opts[k] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
  s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                          MHD_OPTION_EXTERNAL_LOGGER, on_log, s,
                          MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                          MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
  if (!s->d) {
    free(s);
    return lv_error_set(err, LEVEE_EIO,
                        "cannot listen on %s (in use, or not an address "
                        "of this machine)",
                        o->listen);
  }
  const union MHD_DaemonInfo *di =
      MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
  s->port = di ? di->port : port;
  *out = s;
  return LEVEE_OK;
}

unsigned lv_http_port(const lv_http_server *s) {
  return s->port;
}

void lv_http_stop(lv_http_server *s) {
  if (!s)
    return;
  /* No new connections; the requests in flight finish and their answers
   * are sent (stopping the daemon closes every connection at once), for
   * at most LV_HTTP_DRAIN_MS. */
  MHD_quiesce_daemon(s->d);
  for (int waited = 0;
       atomic_load(&s->inflight) > 0 && waited < LV_HTTP_DRAIN_MS; waited += 10)
    usleep(10000);
  MHD_stop_daemon(s->d);
  free(s);
}
