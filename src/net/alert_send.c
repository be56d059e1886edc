/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alert_send.c: HTTP POST with libcurl, syslog over UDP and TCP
 * (alert_send.h).
 */
#include "net/alert_send.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "levee/levee.h"
#include "util/clock.h"
#include "util/limits.h"

static void why_printf(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void why_printf(char *why, size_t why_len, const char *fmt, ...) {
  if (!why || !why_len)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, why_len, fmt, ap);
  va_end(ap);
}

/* strerror is not safe on several threads at once. */
static const char *errtext(int e, char buf[96]) {
  return strerror_r(e, buf, 96);
}

static int cancelled(const atomic_int *cancel) {
  return cancel && atomic_load_explicit(cancel, memory_order_relaxed);
}

/* --- HTTP ----------------------------------------------------------------- */

struct lv_alert_http {
  CURL *curl;
};

/* curl_global_init is not safe to run twice at once: once per process. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void) {
  curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int lv_alert_http_new(lv_alert_http **out) {
  pthread_once(&curl_once, curl_init);
  if (curl_init_rc != CURLE_OK)
    return LEVEE_ENOMEM;
  lv_alert_http *h = calloc(1, sizeof *h);
  if (!h)
    return LEVEE_ENOMEM;
  if (!(h->curl = curl_easy_init())) {
    free(h);
    return LEVEE_ENOMEM;
  }
  *out = h;
  return LEVEE_OK;
}

void lv_alert_http_free(lv_alert_http *h) {
  if (!h)
    return;
  curl_easy_cleanup(h->curl);
  free(h);
}

/* The answer's body: kept up to the buffer's limit, the rest read and
 * dropped (returning less than given would fail the transfer). */
static size_t on_body(char *p, size_t size, size_t nmemb, void *ud) {
  lv_buf *b = ud;
  size_t n = size * nmemb;
  size_t room = b->limit > b->len ? b->limit - b->len : 0;
  if (room && lv_buf_append(b, p, n < room ? n : room))
    return 0; /* out of memory: fail the transfer */
  return n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow) {
  return cancelled(ud);
}

int lv_alert_http_post(lv_alert_http *h, const char *url, const char *body,
                       size_t n, int64_t timeout_ms, const atomic_int *cancel,
                       long *status, lv_buf *answer, char *why,
                       size_t why_len) {
  CURL *c = h->curl;
  char err[CURL_ERROR_SIZE] = "";
  char agent[64];
  struct curl_slist *headers = NULL, *more;
  lv_buf got;
  int rc = LEVEE_EIO;
  lv_buf_init(&got, LV_ALERT_RESPONSE_BYTES);
  if (cancelled(cancel)) {
    why_printf(why, why_len, "cancelled");
    rc = LEVEE_ECANCELLED;
    goto out;
  }
  if (!(headers = curl_slist_append(
            NULL, "Content-Type: application/json; charset=utf-8")) ||
      !(more = curl_slist_append(headers, "Expect:"))) {
    why_printf(why, why_len, "out of memory");
    rc = LEVEE_ENOMEM;
    goto out;
  }
  headers = more;
  snprintf(agent, sizeof agent, "levee/%s", levee_version());
  /* Reset what the last alert set; the connection cache stays. */
  curl_easy_reset(c);
  CURLcode cc = CURLE_OK;
#define SET(opt, val)                                                          \
  do {                                                                         \
    if (cc == CURLE_OK)                                                        \
      cc = curl_easy_setopt(c, opt, val);                                      \
  } while (0)
  SET(CURLOPT_URL, url);
  SET(CURLOPT_PROTOCOLS_STR, "http,https");
  SET(CURLOPT_FOLLOWLOCATION, 0L);
  SET(CURLOPT_POST, 1L);
  SET(CURLOPT_POSTFIELDS, body);
  SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
  SET(CURLOPT_HTTPHEADER, headers);
  SET(CURLOPT_USERAGENT, agent);
  SET(CURLOPT_TIMEOUT_MS, (long)timeout_ms);
  SET(CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
  SET(CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for name lookups */
  SET(CURLOPT_WRITEFUNCTION, on_body);
  SET(CURLOPT_WRITEDATA, &got);
  SET(CURLOPT_NOPROGRESS, 0L);
  SET(CURLOPT_XFERINFOFUNCTION, on_progress);
  SET(CURLOPT_XFERINFODATA, (void *)cancel);
  SET(CURLOPT_ERRORBUFFER, err);
#undef SET
  if (cc == CURLE_OK)
    cc = curl_easy_perform(c);
  if (cc == CURLE_OK) {
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (got.len && lv_buf_append(answer, got.data, got.len)) {
      why_printf(why, why_len, "out of memory");
      rc = LEVEE_ENOMEM;
      goto out;
    }
    *status = code;
    rc = LEVEE_OK;
  } else {
    rc = cc == CURLE_OPERATION_TIMEDOUT    ? LEVEE_ETIMEOUT
         : cc == CURLE_ABORTED_BY_CALLBACK ? LEVEE_ECANCELLED
                                           : LEVEE_EIO;
    why_printf(why, why_len, "%s", *err ? err : curl_easy_strerror(cc));
  }
out:
  /* The handle must not keep pointers to what is freed here. */
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
  curl_slist_free_all(headers);
  lv_buf_cleanup(&got);
  return rc;
}

/* --- syslog --------------------------------------------------------------- */

/* Waits for events on fd until the deadline, in slices, watching cancel.
 * Returns 0 when ready, else a status with why. */
static int wait_fd(int fd, short events, int64_t deadline,
                   const atomic_int *cancel, const char *doing, char *why,
                   size_t why_len) {
  char eb[96];
  for (;;) {
    if (cancelled(cancel)) {
      why_printf(why, why_len, "cancelled while %s", doing);
      return LEVEE_ECANCELLED;
    }
    int64_t left = deadline - lv_now_ms();
    if (left <= 0) {
      why_printf(why, why_len, "timed out while %s", doing);
      return LEVEE_ETIMEOUT;
    }
    struct pollfd p = {.fd = fd, .events = events};
    int r = poll(&p, 1, (int)(left < 100 ? left : 100));
    if (r > 0)
      return LEVEE_OK;
    if (r < 0 && errno != EINTR) {
      why_printf(why, why_len, "poll: %s", errtext(errno, eb));
      return LEVEE_EIO;
    }
  }
}

/* One TCP connection: connect, write the frame, shut down. */
static int tcp_send(const struct addrinfo *ai, const char *frame, size_t n,
                    int64_t deadline, const atomic_int *cancel, char *why,
                    size_t why_len) {
  char eb[96];
  int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                  ai->ai_protocol);
  int rc = LEVEE_EIO;
  if (fd < 0) {
    why_printf(why, why_len, "socket: %s", errtext(errno, eb));
    return LEVEE_EIO;
  }
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS) {
    why_printf(why, why_len, "connect: %s", errtext(errno, eb));
    goto out;
  }
  if ((rc = wait_fd(fd, POLLOUT, deadline, cancel, "connecting", why, why_len)))
    goto out;
  int soerr = 0;
  socklen_t len = sizeof soerr;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) || soerr) {
    why_printf(why, why_len, "connect: %s", errtext(soerr ? soerr : errno, eb));
    rc = LEVEE_EIO;
    goto out;
  }
  for (size_t done = 0; done < n;) {
    ssize_t w = send(fd, frame + done, n - done, MSG_NOSIGNAL);
    if (w > 0) {
      done += (size_t)w;
      continue;
    }
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      why_printf(why, why_len, "send: %s", errtext(errno, eb));
      rc = LEVEE_EIO;
      goto out;
    }
    if ((rc = wait_fd(fd, POLLOUT, deadline, cancel, "sending", why, why_len)))
      goto out;
  }
  rc = shutdown(fd, SHUT_WR) ? LEVEE_EIO : LEVEE_OK;
  if (rc)
    why_printf(why, why_len, "shutdown: %s", errtext(errno, eb));
out:
  close(fd);
  return rc;
}

int lv_alert_syslog_send(const char *host, const char *port, int tcp,
                         const char *msg, size_t n, int64_t timeout_ms,
                         const atomic_int *cancel, char *why, size_t why_len) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC,
                           .ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM,
                           .ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG};
  struct addrinfo *res = NULL;
  int64_t deadline = lv_now_ms() + timeout_ms;
  int rc = LEVEE_EIO;
  char eb[96];
  lv_buf frame;
  lv_buf_init(&frame, LV_ALERT_SYSLOG_BYTES + 32);
  int g = getaddrinfo(host, port, &hints, &res);
  if (g == EAI_ADDRFAMILY || g == EAI_NONAME) {
    /* AI_ADDRCONFIG hides loopback addresses on a host without other
     * interfaces: ask again without it. */
    hints.ai_flags = AI_NUMERICSERV;
    g = getaddrinfo(host, port, &hints, &res);
  }
  if (g) {
    why_printf(why, why_len, "cannot resolve %s: %s", host, gai_strerror(g));
    goto out;
  }
  if (tcp) {
    /* RFC 6587 octet counting: "MSG-LEN SP SYSLOG-MSG". */
    if ((rc = lv_buf_printf(&frame, "%zu ", n)) ||
        (rc = lv_buf_append(&frame, msg, n))) {
      why_printf(why, why_len, "message too long");
      goto out;
    }
    rc = LEVEE_EIO;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
      rc = tcp_send(ai, frame.data, frame.len, deadline, cancel, why, why_len);
      if (rc != LEVEE_EIO)
        break; /* sent, or out of time: no other address */
    }
    goto out;
  }
  for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
    int fd =
        socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      why_printf(why, why_len, "socket: %s", errtext(errno, eb));
      continue;
    }
    ssize_t w = sendto(fd, msg, n, MSG_NOSIGNAL | MSG_DONTWAIT, ai->ai_addr,
                       ai->ai_addrlen);
    int e = errno;
    close(fd);
    if (w == (ssize_t)n) {
      rc = LEVEE_OK;
      break;
    }
    why_printf(why, why_len, "sendto: %s", w < 0 ? errtext(e, eb) : "short");
  }
out:
  if (res)
    freeaddrinfo(res);
  lv_buf_cleanup(&frame);
  return rc;
}
