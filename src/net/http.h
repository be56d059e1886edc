/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.h: levee's HTTP server, on libmicrohttpd: requests in, responses
 * out, every input bounded. What a request means is the handler's
 * business (api.c); this file knows sockets, limits and HTTP.
 *
 * Bounds: the request body (413 past max_body, refused from its
 * Content-Length before it is read where there is one), the header block
 * (MHD's per-connection memory: 431 or a closed connection past it),
 * connections in all and per client address, an idle timeout, so a slow
 * client (slow-loris) holds a connection for at most timeout_s, and a
 * deadline for a whole request to arrive (its connection is closed past
 * it), so one whose body trickles in a byte at a time, resetting the idle
 * timer, is cut off too.
 *
 * Threads: a pool of `threads` workers, each polling its share of the
 * connections with epoll and calling the handler; a handler runs on one of
 * them and may block it (an inline inspection waits for OCR), which is why
 * extraction has its own bounded pool (extract/pool.h).
 */
#ifndef LV_NET_HTTP_H
#define LV_NET_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"
#include "util/buf.h"

typedef struct lv_http_server lv_http_server;

/* A request, valid during the handler's call. */
typedef struct lv_http_request {
  const char *method;        /* "GET", "POST", ... */
  const char *path;          /* without the query string */
  levee_str body;            /* at most the server's max_body bytes */
  const char *content_type;  /* or NULL */
  const char *authorization; /* or NULL */
  char client[64];           /* the peer's address, as text */
  int tls;                   /* it came over HTTPS */
  void *conn;                /* for lv_http_query and the lookups below */
} lv_http_request;

/* The value of query argument name, or NULL. */
const char *lv_http_query(const lv_http_request *rq, const char *name);

/* The value of request header name, or NULL. */
const char *lv_http_header(const lv_http_request *rq, const char *name);

/* The value of cookie name, or NULL. */
const char *lv_http_cookie(const lv_http_request *rq, const char *name);

/* What the handler answers: status, type and body (the server's buffer,
 * empty at the call). retry_after > 0 adds Retry-After (seconds);
 * set_cookie, when not empty, a Set-Cookie header; csp, when set, a
 * Content-Security-Policy (the console's pages). Every answer also says
 * nosniff, no-store, X-Frame-Options: DENY and Referrer-Policy:
 * no-referrer. */
typedef struct lv_http_response {
  int status;
  const char *content_type;
  lv_buf *body;
  int retry_after;
  char set_cookie[256];
  const char *csp;
} lv_http_response;

typedef void (*lv_http_handler)(void *ud, const lv_http_request *rq,
                                lv_http_response *rs);

typedef struct lv_http_options {
  const char *listen; /* "HOST:PORT", "[IPv6]:PORT" */
  unsigned threads;   /* workers; 0: four a CPU */
  size_t max_body;    /* bytes of a request body */
  unsigned timeout_s; /* an idle connection is closed after this */
  unsigned request_s; /* a request must arrive within this, or its
                         connection is closed; 0: LV_HTTP_REQUEST_S */
  unsigned max_connections;
  unsigned per_ip_connections;
  const char *tls_cert; /* PEM text of the certificate and key, or NULL */
  const char *tls_key;
} lv_http_options;

/* Parses "HOST:PORT" as the server does: 0, or -1. */
int lv_http_parse_listen(const char *listen, char *host, size_t cap,
                         unsigned *port);

/* Listens and serves until lv_http_stop. OUT: *out. Returns LEVEE_OK, or an
 * error said in err (a bad address, a port in use). */
int lv_http_start(const lv_http_options *o, lv_http_handler fn, void *ud,
                  lv_http_server **out, levee_error *err)
    __attribute__((warn_unused_result));

/* The port it listens on (the one chosen when :0 was asked). */
unsigned lv_http_port(const lv_http_server *s);

/* Stops accepting, lets requests in flight finish, closes. Accepts NULL. */
void lv_http_stop(lv_http_server *s);

#endif
